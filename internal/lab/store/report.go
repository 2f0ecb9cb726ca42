package store

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"errors"
	"time"
)

// CredentialReportColumns are the columns of IAM's credential report, in
// order (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format).
var CredentialReportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// reportTime formats a report timestamp as IAM does (ISO 8601 with the
// offset written out).
func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// GenerateCredentialReport builds the credential report as of now and
// stores it (iam:GenerateCredentialReport). The root user comes first as
// <root_account>; users' console passwords are their login profiles; the
// lab has no signing certificates.
func (s *Store) GenerateCredentialReport() (time.Time, error) {
	now := s.Now().Truncate(time.Second)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(CredentialReportColumns)

	rootKeys, err := s.ListAccessKeys("", true)
	if err != nil {
		return time.Time{}, err
	}
	created, _ := s.meta("created")
	rootCreated := now
	if t, err := time.Parse(time.RFC3339, created); err == nil {
		rootCreated = t
	}
	// The root user signs in to the console with a password;
	// password_enabled is not_supported for it.
	row := []string{"<root_account>", s.RootARN(), reportTime(rootCreated), "not_supported", "no_information", "not_supported", "not_supported", "false"}
	_ = w.Write(append(row, keyColumns(rootKeys)...))

	users, err := s.ListUsers("")
	if err != nil {
		return time.Time{}, err
	}
	for _, u := range users {
		keys, err := s.ListAccessKeys(u.Name, false)
		if err != nil {
			return time.Time{}, err
		}
		devs, err := s.ListMFADevices(u.Name)
		if err != nil {
			return time.Time{}, err
		}
		mfa := "false"
		if len(devs) > 0 {
			mfa = "true"
		}
		login, hasLogin, err := s.loginProfileByID(u.ID)
		if err != nil {
			return time.Time{}, err
		}
		row := append([]string{u.Name, u.ARN, reportTime(u.Created)}, passwordColumns(login, hasLogin)...)
		row = append(row, mfa)
		_ = w.Write(append(row, keyColumns(keys)...))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return time.Time{}, err
	}
	err = s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO credential_report(id, generated, content) VALUES (1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET generated = excluded.generated, content = excluded.content`, now.Unix(), buf.Bytes())
		return err
	})
	return now, err
}

// passwordColumns are password_enabled, password_last_used,
// password_last_changed and password_next_rotation of a user: N/A without a
// password; with one, no_information when it was never used, and N/A for
// the next rotation since the lab's account has no password policy that
// expires passwords
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format).
func passwordColumns(p LoginProfile, ok bool) []string {
	if !ok {
		return []string{"false", "N/A", "N/A", "N/A"}
	}
	used := "no_information"
	if !p.LastUsed.IsZero() {
		used = reportTime(p.LastUsed)
	}
	return []string{"true", used, reportTime(p.Created), "N/A"}
}

func keyColumns(keys []AccessKey) []string {
	var out []string
	for i := 0; i < 2; i++ {
		if i >= len(keys) {
			out = append(out, "false", "N/A", "N/A", "N/A", "N/A")
			continue
		}
		k := keys[i]
		active := "false"
		if k.Status == StatusActive {
			active = "true"
		}
		used, region, service := "N/A", "N/A", "N/A"
		if !k.LastUsed.IsZero() {
			used, region, service = reportTime(k.LastUsed), k.LastUsedRegion, k.LastUsedService
		}
		out = append(out, active, reportTime(k.Created), used, region, service)
	}
	// No signing certificates.
	return append(out, "false", "N/A", "false", "N/A")
}

// CredentialReport returns the stored report and when it was generated, or
// a ReportNotPresent error.
func (s *Store) CredentialReport() ([]byte, time.Time, error) {
	var generated int64
	var content []byte
	err := s.db.QueryRow(`SELECT generated, content FROM credential_report WHERE id = 1`).Scan(&generated, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, errorf(CodeReportNotPresent, "Credential report not present.")
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return content, time.Unix(generated, 0).UTC(), nil
}
