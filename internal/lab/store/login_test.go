package store

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckPassword(t *testing.T) {
	for _, c := range []struct {
		password, code string
	}{
		{"Abcdef1!", ""},
		{"abcdefg1!", ""},                           // lower, digit, symbol
		{"ABCDEFGH1a", ""},                          // upper, digit, lower
		{"Abc defg1", ""},                           // a space is allowed and counts as nothing
		{"Abcdéfgh1", ""},                           // Latin-1 is allowed
		{"Abcdef1", CodePasswordPolicyViolation},    // 7 characters
		{"abcdefgh12", CodePasswordPolicyViolation}, // two kinds
		{"ABCDEFGH!!", CodePasswordPolicyViolation},
		{"", CodeValidationError},
		{"Abcdef1!\x00", CodeValidationError},
		{"Abcdef1!€", CodeValidationError}, // beyond U+00FF
		{"Aa1!" + strings.Repeat("x", 124), ""},
		{"Aa1!" + strings.Repeat("x", 125), CodeValidationError},
	} {
		err := CheckPassword(c.password)
		if got := ErrorCode(err); got != c.code {
			t.Errorf("%q: %v, want code %q", c.password, err, c.code)
		}
		if err != nil && len(c.password) > 3 && strings.Contains(err.Error(), c.password) {
			t.Errorf("%q: the message repeats the password: %v", c.password, err)
		}
	}
}

func TestLoginProfiles(t *testing.T) {
	st := mem(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st.SetClock(func() time.Time { return t0 })
	if _, err := st.CreateUser("Alice", ""); err != nil {
		t.Fatal(err)
	}
	_, err := st.GetLoginProfile("Alice")
	wantCode(t, err, CodeNoSuchEntity)
	if err.Error() != "NoSuchEntity: Login Profile for User Alice cannot be found." {
		t.Fatalf("message %v", err)
	}
	gen := st.Generation()
	p, err := st.CreateLoginProfile("Alice", "Passw0rd-x", true)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserName != "Alice" || !p.Created.Equal(t0) || !p.ResetRequired || st.Generation() == gen {
		t.Fatalf("created %+v, generation %d -> %d", p, gen, st.Generation())
	}
	got, err := st.GetLoginProfile("Alice")
	if err != nil || got != p {
		t.Fatalf("got %+v %v, want %+v", got, err, p)
	}
	_, err = st.CreateLoginProfile("Alice", "Passw0rd-x", false)
	wantCode(t, err, CodeEntityAlreadyExists)
	_, err = st.CreateLoginProfile("bob", "Passw0rd-x", false)
	wantCode(t, err, CodeNoSuchEntity)
	_, err = st.CreateLoginProfile("", "Passw0rd-x", false)
	wantCode(t, err, CodeValidationError)
	_, err = st.GetLoginProfile("bob")
	wantCode(t, err, CodeNoSuchEntity)

	// The password is not stored anywhere.
	rows, err := st.db.Query(`SELECT * FROM login_profiles`)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if b, ok := v.(string); ok && strings.Contains(b, "Passw0rd") {
				t.Fatal("the password was stored")
			}
		}
	}
	rows.Close()
}

func TestCredentialReportPasswordColumns(t *testing.T) {
	st := mem(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st.SetClock(func() time.Time { return t0 })
	for _, u := range []string{"alice", "bob"} {
		if _, err := st.CreateUser(u, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateLoginProfile("alice", "Passw0rd-x", false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GenerateCredentialReport(); err != nil {
		t.Fatal(err)
	}
	content, _, err := st.CredentialReport()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"<root_account>": "not_supported,no_information,not_supported,not_supported",
		"alice":          "true,no_information,2026-01-02T03:04:05+00:00,N/A",
		"bob":            "false,N/A,N/A,N/A",
	}
	if len(rows) != 4 {
		t.Fatalf("rows %v", rows)
	}
	for _, r := range rows[1:] {
		if got := strings.Join(r[3:7], ","); got != want[r[0]] {
			t.Errorf("%s: password columns %s, want %s", r[0], got, want[r[0]])
		}
	}
}

// A state written before login profiles existed (schema 3) gets them on
// open, and its users have no password.
func TestLoginProfilesMigrationUpgradesAnOlderState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE login_profiles`, `DELETE FROM schema_migrations WHERE version >= 4`} {
		if _, err := st.db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	st.Close()
	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = st.GetLoginProfile("alice")
	wantCode(t, err, CodeNoSuchEntity)
	if _, err := st.CreateLoginProfile("alice", "Passw0rd-x", false); err != nil {
		t.Fatal(err)
	}
}

func TestAccountSummary(t *testing.T) {
	st := mem(t)
	m, err := st.AccountSummary()
	if err != nil {
		t.Fatal(err)
	}
	if m["Users"] != 0 || m["Policies"] != 0 || m["AccountAccessKeysPresent"] != 0 || m["UsersQuota"] != 5000 {
		t.Fatalf("empty account %v", m)
	}
	if _, err := st.CreateUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateGroup("g", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRootAccessKey(); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateVirtualMFADevice("alice", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateVirtualMFADevice("spare", ""); err != nil {
		t.Fatal(err)
	}
	c1, c2 := EnableCodes(d.Seed, st.Now())
	if err := st.EnableMFADevice("alice", d.Serial, c1, c2); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreatePolicy("P", "", allowAll, ""); err != nil {
		t.Fatal(err)
	}
	m, err = st.AccountSummary()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]int{"Users": 1, "Groups": 1, "Roles": 0, "Policies": 1, "PolicyVersionsInUse": 1,
		"MFADevices": 2, "MFADevicesInUse": 1, "AccountAccessKeysPresent": 1, "AccountMFAEnabled": 0} {
		if m[k] != v {
			t.Errorf("%s = %d, want %d", k, m[k], v)
		}
	}
}
