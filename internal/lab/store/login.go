package store

import (
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// LoginProfile is a user's console password (iam:CreateLoginProfile). The
// password itself is not kept: the lab has no console to sign in to, so it
// only checks the password as IAM would and records that one exists.
type LoginProfile struct {
	UserName      string
	Created       time.Time
	ResetRequired bool
	// LastUsed is when the password was last used to sign in (zero:
	// never; the credential report then says no_information).
	LastUsed time.Time
}

// CodePasswordPolicyViolation is IAM's error for a password the account's
// password policy refuses.
const CodePasswordPolicyViolation = "PasswordPolicyViolation"

// passwordSymbols are the non-alphanumeric characters IAM's password
// policy counts as symbols.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// CheckPassword validates a console password: the API model's passwordType
// (1 to 128 characters of [\u0009\u000A\u000D\u0020-\u00FF]), then IAM's
// default password policy, which applies when the account has none (the
// lab never has one): at least 8 characters and three of the four
// character types uppercase, lowercase, digit and symbol
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html).
// Messages never repeat the password.
func CheckPassword(password string) error {
	if password == "" {
		return missing("password")
	}
	n := utf8.RuneCountInString(password)
	if n > 128 {
		return errorf(CodeValidationError, "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128")
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xFF):
			return errorf(CodeValidationError, `1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)
		case 'A' <= r && r <= 'Z':
			upper = true
		case 'a' <= r && r <= 'z':
			lower = true
		case '0' <= r && r <= '9':
			digit = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	kinds := 0
	for _, ok := range []bool{upper, lower, digit, symbol} {
		if ok {
			kinds++
		}
	}
	if n < 8 || kinds < 3 {
		return errorf(CodePasswordPolicyViolation, "Password does not conform to the account password policy.")
	}
	return nil
}

// CreateLoginProfile gives the user a console password
// (iam:CreateLoginProfile).
func (s *Store) CreateLoginProfile(userName, password string, resetRequired bool) (LoginProfile, error) {
	if err := checkName(userName, "userName", 64); err != nil {
		return LoginProfile{}, err
	}
	if err := CheckPassword(password); err != nil {
		return LoginProfile{}, err
	}
	p := LoginProfile{UserName: userName, Created: s.Now().Truncate(time.Second), ResetRequired: resetRequired}
	err := s.write(func(tx *sql.Tx) error {
		var id string
		if err := tx.QueryRow(`SELECT id, name FROM users WHERE name = ?`, userName).Scan(&id, &p.UserName); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return userKind.notFound(userName)
			}
			return err
		}
		if exists(tx, `SELECT 1 FROM login_profiles WHERE user_id = ?`, id) {
			return errorf(CodeEntityAlreadyExists, "Login Profile for user %s already exists.", p.UserName)
		}
		_, err := tx.Exec(`INSERT INTO login_profiles(user_id, created, reset_required) VALUES (?, ?, ?)`, id, p.Created.Unix(), resetRequired)
		return err
	})
	if err != nil {
		return LoginProfile{}, err
	}
	s.changed()
	return p, nil
}

// GetLoginProfile returns the user's login profile (iam:GetLoginProfile):
// NoSuchEntity when the user does not exist or has no password.
func (s *Store) GetLoginProfile(userName string) (LoginProfile, error) {
	id, err := userID(s.db, userName)
	if err != nil {
		return LoginProfile{}, err
	}
	p, ok, err := s.loginProfileByID(id)
	if err != nil {
		return LoginProfile{}, err
	}
	if !ok {
		return LoginProfile{}, errorf(CodeNoSuchEntity, "Login Profile for User %s cannot be found.", userName)
	}
	return p, nil
}

// loginProfileByID returns the login profile of the user with the unique
// id, and whether there is one.
func (s *Store) loginProfileByID(id string) (LoginProfile, bool, error) {
	var p LoginProfile
	var created int64
	var reset bool
	var lastUsed sql.NullInt64
	err := s.db.QueryRow(`SELECT u.name, p.created, p.reset_required, p.last_used FROM login_profiles p JOIN users u ON u.id = p.user_id WHERE p.user_id = ?`, id).
		Scan(&p.UserName, &created, &reset, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginProfile{}, false, nil
	}
	if err != nil {
		return LoginProfile{}, false, err
	}
	p.Created, p.ResetRequired, p.LastUsed = time.Unix(created, 0).UTC(), reset, fromUnix(lastUsed)
	return p, true, nil
}

// DeleteLoginProfile removes the user's console password
// (iam:DeleteLoginProfile): NoSuchEntity when the user has none.
func (s *Store) DeleteLoginProfile(userName string) error {
	err := s.write(func(tx *sql.Tx) error {
		id, err := userID(tx, userName)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM login_profiles WHERE user_id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errorf(CodeNoSuchEntity, "Login Profile for User %s cannot be found.", userName)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}
