package store

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/totp"
)

func TestCheckTags(t *testing.T) {
	many := make([]Tag, MaxTags+1)
	for i := range many {
		many[i] = Tag{Key: fmt.Sprint("k", i)}
	}
	for _, c := range []struct {
		name string
		tags []Tag
		code string
		msg  string
	}{
		{"none", nil, "", ""},
		{"fifty", many[:MaxTags], "", ""},
		{"empty value", []Tag{{Key: "k"}}, "", ""},
		{"unicode letters, spaces and symbols", []Tag{{Key: "Kostenstelle é 1_.:/=+-@", Value: "Zürich 41200"}}, "", ""},
		{"longest key and value", []Tag{{Key: strings.Repeat("k", 128), Value: strings.Repeat("é", 256)}}, "", ""},
		{"fifty-one", many, CodeValidationError, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"empty key", []Tag{{Key: "a"}, {Key: ""}}, CodeValidationError, "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long key", []Tag{{Key: strings.Repeat("k", 129)}}, CodeValidationError, "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"long value", []Tag{{Key: "k", Value: strings.Repeat("v", 257)}}, CodeValidationError, "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"bad key", []Tag{{Key: "a#b"}}, CodeValidationError, `Value 'a#b' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"bad value", []Tag{{Key: "k", Value: "a*b"}}, CodeValidationError, `at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`},
		{"invalid UTF-8", []Tag{{Key: "k\xff"}}, CodeValidationError, "must satisfy regular expression pattern"},
		{"duplicate key", []Tag{{Key: "team", Value: "a"}, {Key: "team", Value: "b"}}, CodeInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"keys differing in case", []Tag{{Key: "Team"}, {Key: "tEAM"}}, CodeInvalidInput, "Duplicate tag keys found."},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckTags(c.tags)
			if got := ErrorCode(err); got != c.code || (err != nil && !strings.Contains(err.Error(), c.msg)) {
				t.Fatalf("CheckTags = %v, want %s %q", err, c.code, c.msg)
			}
		})
	}
}

func TestTagsAreStoredWithTheirResource(t *testing.T) {
	st := mem(t)
	tags := []Tag{{Key: "team", Value: "blue"}, {Key: "cost", Value: ""}}
	if _, err := st.CreateUser("alice", "", tags...); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRole("ops", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`, "", 0, tags[:1]...); err != nil {
		t.Fatal(err)
	}
	p, err := st.CreatePolicy("Read", "/", allowAll, "read", tags[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateVirtualMFADevice("alice", "", tags...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser("bob", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		get  func() ([]Tag, error)
		want []Tag
	}{
		{"user", func() ([]Tag, error) { return st.UserTags("alice") }, tags},
		{"user without tags", func() ([]Tag, error) { return st.UserTags("bob") }, []Tag{}},
		{"role", func() ([]Tag, error) { return st.RoleTags("ops") }, tags[:1]},
		{"policy", func() ([]Tag, error) { return st.PolicyTags(p.ARN) }, tags[1:]},
		{"AWS managed policy", func() ([]Tag, error) { return st.PolicyTags("arn:aws:iam::aws:policy/AdministratorAccess") }, []Tag{}},
		{"MFA device", func() ([]Tag, error) { return st.MFADeviceTags(d.Serial) }, tags},
	} {
		got, err := c.get()
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
	for name, get := range map[string]func() ([]Tag, error){
		"user":   func() ([]Tag, error) { return st.UserTags("carol") },
		"role":   func() ([]Tag, error) { return st.RoleTags("nope") },
		"policy": func() ([]Tag, error) { return st.PolicyTags("arn:aws:iam::123456789012:policy/Nope") },
		"device": func() ([]Tag, error) { return st.MFADeviceTags("arn:aws:iam::123456789012:mfa/nope") },
	} {
		if _, err := get(); !IsNotFound(err) {
			t.Errorf("tags of a missing %s: %v", name, err)
		}
	}
	// Deleting a resource deletes its tags.
	if _, err := st.db.Exec(`DELETE FROM users WHERE name = 'alice'`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.db.QueryRow(`SELECT COUNT(*) FROM tags WHERE resource_type = 'user'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("tags of a deleted user left: %d %v", n, err)
	}
}

func TestInvalidTagsCreateNothing(t *testing.T) {
	st := mem(t)
	dup := []Tag{{Key: "a"}, {Key: "A"}}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	_, err := st.CreateUser("alice", "", dup...)
	wantCode(t, err, CodeInvalidInput)
	_, err = st.CreateRole("ops", "", trust, "", 0, dup...)
	wantCode(t, err, CodeInvalidInput)
	_, err = st.CreatePolicy("Read", "", allowAll, "", dup...)
	wantCode(t, err, CodeInvalidInput)
	_, err = st.CreateVirtualMFADevice("dev", "", dup...)
	wantCode(t, err, CodeInvalidInput)
	if _, err := st.GetUser("alice"); !IsNotFound(err) {
		t.Errorf("user created: %v", err)
	}
	if _, err := st.GetRole("ops"); !IsNotFound(err) {
		t.Errorf("role created: %v", err)
	}
	if _, err := st.GetPolicy("arn:aws:iam::123456789012:policy/Read"); !IsNotFound(err) {
		t.Errorf("policy created: %v", err)
	}
	if _, err := st.GetMFADevice("arn:aws:iam::123456789012:mfa/dev"); !IsNotFound(err) {
		t.Errorf("device created: %v", err)
	}
}

// A state written before tags existed (schema 2) gets them on open.
func TestTagsMigrationUpgradesAnOlderState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER users_delete_tags`, `DROP TRIGGER roles_delete_tags`, `DROP TRIGGER policies_delete_tags`,
		`DROP TRIGGER mfa_devices_delete_tags`, `DROP TABLE tags`, `DROP TABLE login_profiles`, `DELETE FROM schema_migrations WHERE version >= 3`,
	} {
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
	if tags, err := st.UserTags("alice"); err != nil || len(tags) != 0 {
		t.Fatalf("alice's tags after the upgrade: %v %v", tags, err)
	}
	if _, err := st.CreateUser("bob", "", Tag{Key: "k", Value: "v"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.AppliedMigrations(); v[len(v)-1] != SchemaVersion() {
		t.Fatalf("migrations %v", v)
	}
}

func TestCheckMFACodeDoesNotUseTheCode(t *testing.T) {
	st := mem(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st.SetClock(func() time.Time { return t0 })
	u, err := st.CreateUser("alice", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateVirtualMFADevice("alice", "")
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := EnableCodes(d.Seed, t0)
	if err := st.EnableMFADevice("alice", d.Serial, c1, c2); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * time.Minute)
	code := totp.Code(d.Seed, later)
	for i := 0; i < 2; i++ {
		if err := st.CheckMFACode(u.ID, d.Serial, code, later); err != nil {
			t.Fatalf("check %d: %v", i, err)
		}
	}
	if err := st.VerifyMFACode(u.ID, d.Serial, code, later); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckMFACode(u.ID, d.Serial, code, later); err != ErrMFACodeReused {
		t.Fatalf("check after use: %v", err)
	}
	if err := st.CheckMFACode(u.ID, d.Serial, "000000", later); err != ErrMFAInvalidCode && err != ErrMFACodeReused {
		t.Fatalf("wrong code: %v", err)
	}
	if err := st.CheckMFACode(u.ID, "arn:aws:iam::123456789012:mfa/nope", code, later); err != ErrMFAUnknownDevice {
		t.Fatalf("unknown device: %v", err)
	}
	if err := st.CheckMFACode("", d.Serial, code, later); err != ErrMFAUnknownDevice {
		t.Fatalf("no user: %v", err)
	}
}

// A state written before PowerUserAccess existed (schema 4) gets it on
// open, with its document, as an AWS managed policy.
func TestPowerUserAccessMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	const arn = "arn:aws:iam::aws:policy/PowerUserAccess"
	for _, q := range []string{
		`DELETE FROM policy_versions WHERE policy_arn = '` + arn + `'`, `DELETE FROM policies WHERE arn = '` + arn + `'`,
		`DELETE FROM schema_migrations WHERE version >= 5`,
	} {
		if _, err := st.db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	if _, err := st.GetPolicy(arn); !IsNotFound(err) {
		t.Fatalf("before the upgrade: %v", err)
	}
	st.Close()
	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.GetPolicy(arn)
	if err != nil || p.DefaultVersion != "v12" || !p.AWSManaged {
		t.Fatalf("after the upgrade: %+v %v", p, err)
	}
	v, err := st.GetPolicyVersion(arn, "v12")
	if err != nil || !strings.Contains(v.Document, `"NotAction"`) {
		t.Fatalf("document: %+v %v", v, err)
	}
}
