package store

import (
	"errors"

	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"

	"github.com/awsmfa/awsmfa/internal/totp"
)

func mem(t *testing.T) *Store {
	t.Helper()
	st, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Fatalf("error = %v, want code %q", err, code)
	}
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func TestMigrations(t *testing.T) {
	st := mem(t)
	got, err := st.AppliedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range migrations {
		want = append(want, m.version)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	if st.AccountID() != DefaultAccountID {
		t.Fatalf("account %q", st.AccountID())
	}
	p, err := st.GetPolicy("arn:aws:iam::aws:policy/AdministratorAccess")
	if err != nil || !p.AWSManaged {
		t.Fatalf("AdministratorAccess: %+v %v", p, err)
	}
}

func TestReopenKeepsStateAndSkipsMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser("alice", ""); err != nil {
		t.Fatal(err)
	}
	k, err := st.CreateAccessKey("alice")
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateVirtualMFADevice("alice", "")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	st2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	got, err := st2.LookupAccessKey(k.ID)
	if err != nil || got.Secret != k.Secret || got.UserName != "alice" {
		t.Fatalf("key after reopen: %+v %v", got, err)
	}
	d2, err := st2.GetMFADevice(d.Serial)
	if err != nil || d2.Base32Seed() != d.Base32Seed() {
		t.Fatalf("device after reopen: %v", err)
	}
	vs, _ := st2.AppliedMigrations()
	if len(vs) != len(migrations) {
		t.Fatalf("migrations recorded twice? %v", vs)
	}
}

func TestValidationAndConflicts(t *testing.T) {
	st := mem(t)
	if _, err := st.CreateUser("alice", "/dev/"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateGroup("devs", ""); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 65)
	tests := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"duplicate user (case-insensitive)", errOf(st.CreateUser("ALICE", "")), CodeEntityAlreadyExists, "User with name ALICE already exists."},
		{"empty user name", errOf(st.CreateUser("", "")), CodeValidationError, "Value null at 'userName'"},
		{"long user name", errOf(st.CreateUser(long, "")), CodeValidationError, "must have length less than or equal to 64"},
		{"bad user name", errOf(st.CreateUser("a b", "")), CodeValidationError, `regular expression pattern: [\w+=,.@-]+`},
		{"bad path", errOf(st.CreateUser("carol", "dev")), CodeValidationError, "at 'path'"},
		{"missing user key", errOf(st.CreateAccessKey("nobody")), CodeNoSuchEntity, "The user with name nobody cannot be found."},
		{"duplicate group", errOf(st.CreateGroup("devs", "")), CodeEntityAlreadyExists, "Group with name devs already exists."},
		{"add to missing group", st.AddUserToGroup("ops", "alice"), CodeNoSuchEntity, "The group with name ops cannot be found."},
		{"malformed policy", errOf(st.CreatePolicy("p", "", `{"Statement":[`, "")), CodeMalformedPolicyDocument, "Syntax errors in policy."},
		{"policy with principal", errOf(st.CreatePolicy("p", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`, "")), CodeMalformedPolicyDocument, "Principal"},
		{"lowercase effect", st.PutUserPolicy("alice", "x", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`), CodeMalformedPolicyDocument, ""},
		{"attach missing policy", st.AttachUserPolicy("alice", "arn:aws:iam::123456789012:policy/nope"), CodeNoSuchEntity, "Policy arn:aws:iam::123456789012:policy/nope does not exist or is not attachable."},
		{"attach bad arn", st.AttachUserPolicy("alice", "arn:aws:s3:::bucket/policy"), CodeInvalidInput, "is not valid"},
		{"role max session too small", errOf(st.CreateRole("r", "", trustFor("alice"), "", 100)), CodeValidationError, "greater than or equal to 3600"},
		{"role max session too large", errOf(st.CreateRole("r", "", trustFor("alice"), "", 43201)), CodeValidationError, "less than or equal to 43200"},
		{"trust names unknown user", errOf(st.CreateRole("r", "", trustFor("nobody"), "", 0)), CodeMalformedPolicyDocument, `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/nobody"`},
		{"trust names user with wrong path", errOf(st.CreateRole("r", "", trustFor("alice"), "", 0)), CodeMalformedPolicyDocument, "Invalid principal"},
		{"missing policy get", errOf(st.GetPolicy("arn:aws:iam::123456789012:policy/nope")), CodeNoSuchEntity, "was not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.err, tt.code)
			if !strings.Contains(tt.err.Error(), tt.msg) {
				t.Fatalf("message %q does not contain %q", tt.err.Error(), tt.msg)
			}
		})
	}
	// With the right path the trust policy is accepted.
	if _, err := st.CreateRole("r", "", strings.ReplaceAll(trustFor("alice"), "user/alice", "user/dev/alice"), "", 0); err != nil {
		t.Fatal(err)
	}
}

func errOf[T any](_ T, err error) error { return err }

func trustFor(user string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/` + user + `"},"Action":"sts:AssumeRole"}]}`
}

func TestAccessKeyQuotaAndDelete(t *testing.T) {
	st := mem(t)
	st.CreateUser("alice", "")
	k1, err := st.CreateAccessKey("alice")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k1.ID, "AKIA") || len(k1.ID) != 20 || len(k1.Secret) != 40 {
		t.Fatalf("key shape: %q / %d", k1.ID, len(k1.Secret))
	}
	if _, err := st.CreateAccessKey("alice"); err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateAccessKey("alice")
	wantCode(t, err, CodeLimitExceeded)
	if err := st.DeleteAccessKey("alice", false, k1.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, st.DeleteAccessKey("alice", false, k1.ID), CodeNoSuchEntity)
	if _, err := st.LookupAccessKey(k1.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted key still found: %v", err)
	}
	keys, _ := st.ListAccessKeys("alice", false)
	if len(keys) != 1 {
		t.Fatalf("%d keys left", len(keys))
	}
}

func TestIdentityPolicies(t *testing.T) {
	st := mem(t)
	st.CreateUser("alice", "")
	st.CreateGroup("devs", "")
	if err := st.AddUserToGroup("devs", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := st.AddUserToGroup("devs", "alice"); err != nil {
		t.Fatalf("adding twice: %v", err)
	}
	mp, err := st.CreatePolicy("Managed", "/team/", allowAll, "d")
	if err != nil {
		t.Fatal(err)
	}
	if mp.ARN != "arn:aws:iam::123456789012:policy/team/Managed" {
		t.Fatalf("ARN %s", mp.ARN)
	}
	must(t, st.PutUserPolicy("alice", "Inline", allowAll))
	must(t, st.PutUserPolicy("alice", "Inline", allowAll)) // replace
	must(t, st.PutGroupPolicy("devs", "GroupInline", allowAll))
	must(t, st.AttachGroupPolicy("devs", mp.ARN))
	must(t, st.AttachUserPolicy("alice", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"))
	docs, err := st.UserIdentityPolicies("alice")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	want := []string{"user/alice/Inline", "arn:aws:iam::aws:policy/IAMReadOnlyAccess", "group/devs/GroupInline", mp.ARN}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("policies %v, want %v", names, want)
	}
	got, _ := st.GetPolicy(mp.ARN)
	if got.AttachmentCount != 1 {
		t.Fatalf("attachment count %d", got.AttachmentCount)
	}
	v, err := st.GetPolicyVersion(mp.ARN, "v1")
	if err != nil || !v.IsDefault || v.Document != allowAll {
		t.Fatalf("version: %+v %v", v, err)
	}
	_, err = st.GetPolicyVersion(mp.ARN, "v2")
	wantCode(t, err, CodeNoSuchEntity)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestGenerationChangesOnIAMWrites(t *testing.T) {
	st := mem(t)
	g := st.Generation()
	st.CreateUser("alice", "")
	if st.Generation() == g {
		t.Fatal("CreateUser did not change the generation")
	}
	g = st.Generation()
	st.PutSession(Session{AccessKeyID: "ASIAXXXXXXXXXXXXXXXX", Secret: "s", Kind: SessionUser, PrincipalID: "x", Credential: "session-token", Issued: time.Now(), Expires: time.Now().Add(time.Hour)})
	if st.Generation() != g {
		t.Fatal("PutSession changed the generation")
	}
}

func TestMFALifecycle(t *testing.T) {
	st := mem(t)
	now := time.Date(2024, 5, 1, 12, 0, 10, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	u, _ := st.CreateUser("alice", "")
	st.CreateUser("bob", "")
	d, err := st.CreateVirtualMFADevice("alice", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Serial != "arn:aws:iam::123456789012:mfa/alice" || len(d.Seed) != 20 {
		t.Fatalf("device %s seed %d bytes", d.Serial, len(d.Seed))
	}
	_, err = st.CreateVirtualMFADevice("alice", "/other/")
	wantCode(t, err, CodeEntityAlreadyExists)

	c := totp.Counter(now)
	code := func(n uint64) string { return totp.CodeAt(d.Seed, n, 6, totp.SHA1) }
	// Not consecutive, too old, wrong format.
	wantCode(t, st.EnableMFADevice("alice", d.Serial, code(c-1), code(c+1)), CodeInvalidAuthenticationCode)
	wantCode(t, st.EnableMFADevice("alice", d.Serial, code(c-5), code(c-4)), CodeInvalidAuthenticationCode)
	wantCode(t, st.EnableMFADevice("alice", d.Serial, "12345", code(c)), CodeValidationError)
	wantCode(t, st.EnableMFADevice("alice", "arn:aws:iam::123456789012:mfa/none", code(c-1), code(c)), CodeNoSuchEntity)
	c1, c2 := EnableCodes(d.Seed, now)
	must(t, st.EnableMFADevice("alice", d.Serial, c1, c2))
	wantCode(t, st.EnableMFADevice("bob", d.Serial, c1, c2), CodeEntityAlreadyExists)

	// The current code works once; the enabling codes never again.
	tests := []struct {
		name string
		user string
		code string
		at   time.Time
		want error
	}{
		{"enable code reused", u.ID, c2, now, ErrMFACodeReused},
		{"wrong user", "AIDAOTHER", code(c), now, ErrMFAUnknownDevice},
		{"wrong code", u.ID, code(c + 7), now, ErrMFAInvalidCode},
		{"current code", u.ID, code(c), now, nil},
		{"same code again", u.ID, code(c), now, ErrMFACodeReused},
		{"next step", u.ID, code(c + 1), now.Add(30 * time.Second), nil},
		{"two steps late", u.ID, code(c + 1), now.Add(90 * time.Second), ErrMFAInvalidCode},
		{"one step early", u.ID, code(c + 3), now.Add(60 * time.Second), nil},
	}
	for _, tt := range tests {
		err := st.VerifyMFACode(tt.user, d.Serial, tt.code, tt.at)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	devs, _ := st.ListMFADevices("alice")
	if len(devs) != 1 || devs[0].EnableDate.IsZero() {
		t.Fatalf("devices %+v", devs)
	}
	unassigned, _ := st.ListVirtualMFADevices(AssignmentUnassigned)
	if len(unassigned) != 0 {
		t.Fatal("device listed as unassigned")
	}
	must(t, st.DeactivateMFADevice("alice", d.Serial))
	wantCode(t, st.DeactivateMFADevice("alice", d.Serial), CodeNoSuchEntity)
	unassigned, _ = st.ListVirtualMFADevices(AssignmentUnassigned)
	if len(unassigned) != 1 {
		t.Fatal("deactivated device not unassigned")
	}
	if err := st.VerifyMFACode(u.ID, d.Serial, code(c+4), now.Add(120*time.Second)); !errors.Is(err, ErrMFAUnknownDevice) {
		t.Fatalf("deactivated device still verifies: %v", err)
	}
}

func TestSessions(t *testing.T) {
	st := mem(t)
	now := time.Now().UTC().Truncate(time.Second)
	token := NewSessionToken()
	s := Session{AccessKeyID: NewAccessKeyID(PrefixTempAccessKey), Secret: NewSecretAccessKey(), TokenHash: HashToken(token),
		Kind: SessionRole, PrincipalID: "AROAX", SessionName: "s", Credential: "assume-role", Issued: now, Expires: now.Add(time.Hour),
		MFATime: now, SessionPolicy: allowAll, Chained: true}
	must(t, st.PutSession(s))
	got, err := st.GetSession(s.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, s)
	}
	if !got.TokenMatches(token) || got.TokenMatches(token+"x") || got.TokenMatches("") {
		t.Fatal("token comparison")
	}
	if got.Expired(now) || !got.Expired(now.Add(time.Hour)) {
		t.Fatal("expiry")
	}
	n, err := st.DeleteExpiredSessions(now.Add(2 * time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("deleted %d, %v", n, err)
	}
	if _, err := st.GetSession(s.AccessKeyID); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

func TestCredentialReport(t *testing.T) {
	st := mem(t)
	_, _, err := st.CredentialReport()
	wantCode(t, err, CodeReportNotPresent)
	st.CreateUser("alice", "")
	k, _ := st.CreateAccessKey("alice")
	must(t, st.TouchAccessKey(k.ID, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "iam", "us-east-1"))
	if _, err := st.GenerateCredentialReport(); err != nil {
		t.Fatal(err)
	}
	content, _, err := st.CredentialReport()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(content)), "\n")
	if len(lines) != 3 {
		t.Fatalf("report:\n%s", content)
	}
	if lines[0] != strings.Join(CredentialReportColumns, ",") {
		t.Fatalf("header %s", lines[0])
	}
	if !strings.HasPrefix(lines[1], "<root_account>,arn:aws:iam::123456789012:root,") {
		t.Fatalf("root row %s", lines[1])
	}
	fields := strings.Split(lines[2], ",")
	if len(fields) != len(CredentialReportColumns) || fields[0] != "alice" || fields[8] != "true" || fields[10] != "2024-01-02T03:04:05+00:00" || fields[12] != "iam" || fields[13] != "false" {
		t.Fatalf("alice row %v", fields)
	}
}

func TestParsePolicyUsesIAMMessages(t *testing.T) {
	cases := []struct {
		doc  string
		kind policy.Kind
		want string
	}{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, policy.KindIdentity, "Policy statement must contain resources."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, policy.KindIdentity, "Policy statement must contain actions."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, policy.KindIdentity, "Has prohibited field Principal"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"x"},"Action":"s3:*","Resource":"*"}]}`, policy.KindIdentity, "Has prohibited field NotPrincipal"},
		{`{"Version":"2012-10-17",`, policy.KindIdentity, "Syntax errors in policy."},
	}
	for _, c := range cases {
		_, err := ParsePolicy(c.doc, c.kind)
		var se *Error
		if !errors.As(err, &se) || se.Code != CodeMalformedPolicyDocument || se.Message != c.want {
			t.Errorf("%s: got %v, want MalformedPolicyDocument %q", c.doc, err, c.want)
		}
	}
}

// Versions made in the same second list newest first by number: v10
// before v9.
func TestPolicyVersionsListNewestFirstPastNine(t *testing.T) {
	st, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	p, err := st.CreatePolicy("P", "", doc, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 10; i++ {
		if _, err := st.CreatePolicyVersion(p.ARN, doc, true); err != nil {
			t.Fatal(err)
		}
		// Keep two: the new default and the one before it.
		if i > 2 {
			if err := st.DeletePolicyVersion(p.ARN, "v"+strconv.Itoa(i-2)); err != nil {
				t.Fatal(err)
			}
		}
	}
	vs, err := st.ListPolicyVersions(p.ARN)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.VersionID)
	}
	if got := strings.Join(ids, " "); got != "v10 v9" {
		t.Fatalf("versions %s", got)
	}
}

// A deleted role's sessions and a deleted user's sessions stop existing
// with them.
func TestDeleteTakesSessionsAlong(t *testing.T) {
	st, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	r, err := st.CreateRole("R", "", trust, "", 3600)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser("U", "")
	if err != nil {
		t.Fatal(err)
	}
	now := st.Now()
	for _, s := range []Session{
		{AccessKeyID: "ASIAROLESESSION00001", Secret: "s", Kind: SessionRole, PrincipalID: r.ID, SessionName: "x", Credential: "assume-role", Issued: now, Expires: now.Add(time.Hour)},
		{AccessKeyID: "ASIAUSERSESSION00001", Secret: "s", Kind: SessionUser, PrincipalID: u.ID, Credential: "session-token", Issued: now, Expires: now.Add(time.Hour)},
	} {
		if err := st.PutSession(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DeleteRole("R"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteUser("U"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ASIAROLESESSION00001", "ASIAUSERSESSION00001"} {
		if _, err := st.GetSession(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("session %s after the delete: %v", id, err)
		}
	}
}
