package store

import (
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/totp"
)

// MFADevice is a virtual MFA device.
type MFADevice struct {
	Serial string // arn:aws:iam::ACCOUNT:mfa/path/name
	Name   string
	Path   string
	Seed   []byte
	// UserName and UserID are empty while the device is not assigned.
	UserName   string
	UserID     string
	EnableDate time.Time
	// LastCounter is the highest TOTP counter accepted (HasLastCounter
	// false when none was): a code is accepted at most once.
	LastCounter    uint64
	HasLastCounter bool
	Created        time.Time
}

// Base32Seed returns the seed as IAM's Base32StringSeed.
func (d *MFADevice) Base32Seed() string { return totp.EncodeSecret(d.Seed) }

// Assigned reports whether the device is enabled for a user.
func (d *MFADevice) Assigned() bool { return d.UserID != "" }

// MFA assignment statuses of ListVirtualMFADevices.
const (
	AssignmentAssigned   = "Assigned"
	AssignmentUnassigned = "Unassigned"
	AssignmentAny        = "Any"
)

// TOTP windows. Codes for sts:GetSessionToken and sts:AssumeRole may be one
// 30-second step early or late. EnableMFADevice needs two consecutive codes
// whose second is within that window; ResyncMFADevice searches wider, as
// its purpose is to resynchronize a drifted device.
const (
	VerifySkewSteps = 1
	resyncSkewSteps = 10
)

const mfaCols = `d.serial, d.name, d.path, d.seed, COALESCE(d.user_id, ''), COALESCE(u.name, ''), d.enabled, d.last_counter, d.created`

func scanMFA(sc interface{ Scan(...any) error }) (MFADevice, error) {
	var d MFADevice
	var seed string
	var enabled, last sql.NullInt64
	var created int64
	if err := sc.Scan(&d.Serial, &d.Name, &d.Path, &seed, &d.UserID, &d.UserName, &enabled, &last, &created); err != nil {
		return MFADevice{}, err
	}
	b, err := totp.DecodeSecret(seed)
	if err != nil {
		return MFADevice{}, err
	}
	d.Seed = b
	d.EnableDate = fromUnix(enabled)
	if last.Valid && last.Int64 >= 0 {
		d.LastCounter, d.HasLastCounter = uint64(last.Int64), true
	}
	d.Created = time.Unix(created, 0).UTC()
	return d, nil
}

// CreateVirtualMFADevice creates an unassigned virtual MFA device with a
// fresh random seed and its tags (iam:CreateVirtualMFADevice).
func (s *Store) CreateVirtualMFADevice(name, path string, tags ...Tag) (MFADevice, error) {
	if err := checkName(name, "virtualMFADeviceName", 226); err != nil {
		return MFADevice{}, err
	}
	path, err := normPath(path)
	if err != nil {
		return MFADevice{}, err
	}
	if err := CheckTags(tags); err != nil {
		return MFADevice{}, err
	}
	seed, err := totp.GenerateSecret()
	if err != nil {
		return MFADevice{}, err
	}
	now := s.Now()
	d := MFADevice{Serial: s.ARN("mfa", path, name), Name: name, Path: path, Seed: seed, Created: now.Truncate(time.Second)}
	err = s.write(func(tx *sql.Tx) error {
		// Device names are unique regardless of path.
		if exists(tx, `SELECT 1 FROM mfa_devices WHERE serial = ? OR name = ?`, d.Serial, name) {
			return errorf(CodeEntityAlreadyExists, "MFADevice entity at the same path and name already exists.")
		}
		if _, err := tx.Exec(`INSERT INTO mfa_devices(serial, name, path, seed, created) VALUES (?, ?, ?, ?, ?)`,
			d.Serial, name, path, d.Base32Seed(), now.Unix()); err != nil {
			return err
		}
		return insertTags(tx, TaggedMFADevice, d.Serial, tags)
	})
	if err != nil {
		return MFADevice{}, err
	}
	s.changed()
	return d, nil
}

func noDevice(serial string) *Error {
	return errorf(CodeNoSuchEntity, "VirtualMFADevice with serial number %s doesn't exist.", serial)
}

// GetMFADevice returns the device with the serial number.
func (s *Store) GetMFADevice(serial string) (MFADevice, error) {
	d, err := scanMFA(s.db.QueryRow(`SELECT `+mfaCols+` FROM mfa_devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.serial = ?`, serial))
	if errors.Is(err, sql.ErrNoRows) {
		return MFADevice{}, noDevice(serial)
	}
	return d, err
}

func getMFATx(q queryRower, serial string) (MFADevice, error) {
	d, err := scanMFA(q.QueryRow(`SELECT `+mfaCols+` FROM mfa_devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.serial = ?`, serial))
	if errors.Is(err, sql.ErrNoRows) {
		return MFADevice{}, noDevice(serial)
	}
	return d, err
}

func codesEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// consecutive finds c with code1 = HOTP(c) and code2 = HOTP(c+1) where c+1
// lies within [now-skew, now+skew] and c is above the device's last
// accepted counter.
func consecutive(d *MFADevice, code1, code2 string, now time.Time, skew int) (uint64, bool) {
	cur := totp.Counter(now)
	found, at := false, uint64(0)
	for delta := -skew; delta <= skew; delta++ {
		if delta < 0 && uint64(-delta) > cur {
			continue
		}
		c2 := uint64(int64(cur) + int64(delta))
		if c2 == 0 {
			continue
		}
		c1 := c2 - 1
		if d.HasLastCounter && c1 <= d.LastCounter {
			continue
		}
		ok1 := codesEqual(totp.CodeAt(d.Seed, c1, totp.Digits, totp.SHA1), code1)
		ok2 := codesEqual(totp.CodeAt(d.Seed, c2, totp.Digits, totp.SHA1), code2)
		if ok1 && ok2 && !found {
			found, at = true, c2
		}
	}
	return at, found
}

func invalidAuthCode() *Error {
	return errorf(CodeInvalidAuthenticationCode, "Authentication code for device is not valid.")
}

// EnableMFADevice assigns a virtual MFA device to a user after checking
// two consecutive codes (iam:EnableMFADevice). Both codes count as used.
//
// To seed an account, pass the codes of the two steps before the current
// one (EnableCodes), which leaves the current code usable.
func (s *Store) EnableMFADevice(userName, serial, code1, code2 string) error {
	if err := checkName(userName, "userName", 128); err != nil {
		return err
	}
	if err := CheckSerialNumber(serial, "serialNumber"); err != nil {
		return err
	}
	if err := checkAuthCode(code1, "authenticationCode1"); err != nil {
		return err
	}
	if err := checkAuthCode(code2, "authenticationCode2"); err != nil {
		return err
	}
	now := s.Now()
	err := s.write(func(tx *sql.Tx) error {
		uid, err := userID(tx, userName)
		if err != nil {
			return err
		}
		d, err := getMFATx(tx, serial)
		if err != nil {
			return err
		}
		if d.Assigned() {
			return errorf(CodeEntityAlreadyExists, "MFA Device is already in use.")
		}
		c, ok := consecutive(&d, code1, code2, now, VerifySkewSteps)
		if !ok {
			return invalidAuthCode()
		}
		_, err = tx.Exec(`UPDATE mfa_devices SET user_id = ?, enabled = ?, last_counter = ? WHERE serial = ?`, uid, now.Unix(), int64(c), serial)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// EnableCodes returns two consecutive codes that EnableMFADevice accepts
// at time now while leaving the code of now itself unused: those of the
// two previous steps.
func EnableCodes(seed []byte, now time.Time) (code1, code2 string) {
	c := totp.Counter(now)
	return totp.CodeAt(seed, c-2, totp.Digits, totp.SHA1), totp.CodeAt(seed, c-1, totp.Digits, totp.SHA1)
}

// userDevice loads a device that must be assigned to the user.
func userDevice(tx *sql.Tx, userName, serial string) (MFADevice, error) {
	uid, err := userID(tx, userName)
	if err != nil {
		return MFADevice{}, err
	}
	d, err := getMFATx(tx, serial)
	if err != nil {
		return MFADevice{}, err
	}
	if d.UserID != uid {
		return MFADevice{}, errorf(CodeNoSuchEntity, "MFA Device with serial number %s does not exist for user %s.", serial, userName)
	}
	return d, nil
}

// ResyncMFADevice resynchronizes a user's device with two consecutive
// codes (iam:ResyncMFADevice).
func (s *Store) ResyncMFADevice(userName, serial, code1, code2 string) error {
	if err := checkName(userName, "userName", 128); err != nil {
		return err
	}
	if err := CheckSerialNumber(serial, "serialNumber"); err != nil {
		return err
	}
	if err := checkAuthCode(code1, "authenticationCode1"); err != nil {
		return err
	}
	if err := checkAuthCode(code2, "authenticationCode2"); err != nil {
		return err
	}
	now := s.Now()
	return s.write(func(tx *sql.Tx) error {
		d, err := userDevice(tx, userName, serial)
		if err != nil {
			return err
		}
		c, ok := consecutive(&d, code1, code2, now, resyncSkewSteps)
		if !ok {
			return invalidAuthCode()
		}
		_, err = tx.Exec(`UPDATE mfa_devices SET last_counter = ? WHERE serial = ?`, int64(c), serial)
		return err
	})
}

// DeactivateMFADevice unassigns a device from a user
// (iam:DeactivateMFADevice); the virtual device itself remains.
func (s *Store) DeactivateMFADevice(userName, serial string) error {
	if err := checkName(userName, "userName", 128); err != nil {
		return err
	}
	if err := CheckSerialNumber(serial, "serialNumber"); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		if _, err := userDevice(tx, userName, serial); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE mfa_devices SET user_id = NULL, enabled = NULL WHERE serial = ?`, serial)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// ListMFADevices returns the devices assigned to a user.
func (s *Store) ListMFADevices(userName string) ([]MFADevice, error) {
	uid, err := userID(s.db, userName)
	if err != nil {
		return nil, err
	}
	return s.queryMFA(`SELECT `+mfaCols+` FROM mfa_devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.user_id = ? ORDER BY d.enabled, d.serial`, uid)
}

// ListVirtualMFADevices returns the account's virtual devices with the
// assignment status (Assigned, Unassigned or Any; "" is Any).
func (s *Store) ListVirtualMFADevices(status string) ([]MFADevice, error) {
	q := `SELECT ` + mfaCols + ` FROM mfa_devices d LEFT JOIN users u ON u.id = d.user_id`
	switch status {
	case "", AssignmentAny:
	case AssignmentAssigned:
		q += ` WHERE d.user_id IS NOT NULL`
	case AssignmentUnassigned:
		q += ` WHERE d.user_id IS NULL`
	default:
		return nil, constraint(status, "assignmentStatus", "must satisfy enum value set: [Any, Unassigned, Assigned]")
	}
	return s.queryMFA(q + ` ORDER BY d.serial`)
}

func (s *Store) queryMFA(q string, args ...any) ([]MFADevice, error) {
	rows, err := s.db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MFADevice
	for rows.Next() {
		d, err := scanMFA(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// VerifyMFACode checks a code for a device assigned to the user with the
// unique id, at time t with one step of drift, and marks the code's
// counter used: a code is never accepted twice, nor one older than a code
// already accepted. It returns ErrMFAUnknownDevice when the device does not
// exist or is not the user's, ErrMFAInvalidCode for a wrong or reused code.
func (s *Store) VerifyMFACode(userID, serial, code string, t time.Time) error {
	if userID == "" {
		return ErrMFAUnknownDevice
	}
	return s.write(func(tx *sql.Tx) error {
		c, err := checkMFACode(tx, userID, serial, code, t)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE mfa_devices SET last_counter = ? WHERE serial = ?`, int64(c), serial)
		return err
	})
}

// CheckMFACode answers what VerifyMFACode would, without using the code:
// for deciding a request before anything is written.
func (s *Store) CheckMFACode(userID, serial, code string, t time.Time) error {
	if userID == "" {
		return ErrMFAUnknownDevice
	}
	_, err := checkMFACode(s.db, userID, serial, code, t)
	return err
}

// checkMFACode returns the TOTP counter of a valid, unused code.
func checkMFACode(q queryRower, userID, serial, code string, t time.Time) (uint64, error) {
	d, err := getMFATx(q, serial)
	if err != nil {
		if IsNotFound(err) {
			return 0, ErrMFAUnknownDevice
		}
		return 0, err
	}
	if d.UserID != userID {
		return 0, ErrMFAUnknownDevice
	}
	c, ok := totp.Verify(d.Seed, code, t, VerifySkewSteps)
	if !ok {
		return 0, ErrMFAInvalidCode
	}
	if d.HasLastCounter && c <= d.LastCounter {
		return 0, ErrMFACodeReused
	}
	return c, nil
}

// CurrentCode returns the device's code for time t (awsmfa lab totp).
func (s *Store) CurrentCode(serial string, t time.Time) (string, error) {
	d, err := s.GetMFADevice(serial)
	if err != nil {
		return "", err
	}
	return totp.Code(d.Seed, t), nil
}

// FindMFADevice resolves a serial number, or a device name when ref is not
// an ARN, to the device.
func (s *Store) FindMFADevice(ref string) (MFADevice, error) {
	if strings.HasPrefix(ref, "arn:") {
		return s.GetMFADevice(ref)
	}
	devs, err := s.queryMFA(`SELECT `+mfaCols+` FROM mfa_devices d LEFT JOIN users u ON u.id = d.user_id WHERE d.name = ?`, ref)
	if err != nil {
		return MFADevice{}, err
	}
	if len(devs) == 0 {
		return MFADevice{}, noDevice(ref)
	}
	return devs[0], nil
}
