package setup

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
)

func exampleFile() *File {
	return &File{
		Version: 1,
		Groups:  []Group{{Name: "mfa-required", Users: []string{"alice", "bob"}, RequireMFA: true, MaxMFAAge: 43200, Line: 3}},
		Roles: []Role{{Name: "cli-role", RequireMFA: true, TrustedUsers: []string{"alice"},
			ManagedPolicies: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}, MaxSessionDuration: 43200, Line: 8}},
	}
}

func TestParseExamples(t *testing.T) {
	for _, tc := range []struct {
		file                string
		groupLine, roleLine int
	}{{"testdata/example.yaml", 3, 8}, {"testdata/example.json", 4, 7}} {
		data, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(tc.file, data)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		want := exampleFile()
		want.Name = tc.file
		want.Groups[0].Line, want.Roles[0].Line = tc.groupLine, tc.roleLine
		if !reflect.DeepEqual(f, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.file, f, want)
		}
	}
}

func TestLoad(t *testing.T) {
	f, err := Load("testdata/example.yaml")
	if err != nil || len(f.Groups) != 1 || f.Name != "testdata/example.yaml" {
		t.Fatalf("Load: %+v, %v", f, err)
	}
	if _, err := Load("testdata/missing.yaml"); err == nil || !strings.Contains(err.Error(), "testdata/missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
	big := t.TempDir() + "/big.yaml"
	if err := os.WriteFile(big, []byte("version: 1\n#"+strings.Repeat("x", 2*MaxFileSize)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("big file: %v", err)
	}
}

func TestParseDefaults(t *testing.T) {
	f, err := Parse("s.yaml", []byte("version: 1\nroles:\n  - name: r\n    trustedUsers: [a]\ngroups: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Roles) != 1 || f.Roles[0].MaxSessionDuration != 3600 || f.Roles[0].RequireMFA {
		t.Errorf("defaults: %+v", f.Roles)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // substrings of the error
	}{
		{"empty", "", []string{"s.yaml: empty file"}},
		{"comment only", "# nothing\n", []string{"s.yaml: empty file"}},
		{"not a mapping", "- a\n", []string{"s.yaml:1:1: setup file must be a mapping"}},
		{"missing version", "groups: []\n", []string{"s.yaml:1:1: setup file: missing key \"version\""}},
		{"bad version", "version: 2\n", []string{"s.yaml:1:10: version: 2 is not supported"}},
		{"version string", "version: \"1\"\n", []string{"version must be a whole number, not the string \"1\""}},
		{"unknown top key", "version: 1\ngrups: []\n", []string{"s.yaml:2:1: setup file: unknown key \"grups\" (did you mean \"groups\"?)"}},
		{"unknown group key", "version: 1\ngroups:\n  - name: g\n    requireMFA: true\n", []string{"s.yaml:4:5: group: unknown key \"requireMFA\" (did you mean \"requireMfa\"?)"}},
		{"unknown far key", "version: 1\ngroups:\n  - name: g\n    colour: red\n", []string{"unknown key \"colour\" (known: name, users, requireMfa, maxMfaAgeSeconds)"}},
		{"unknown role key", "version: 1\nroles:\n  - name: r\n    trustedUsers: [a]\n    maxSesionDuration: 7200\n", []string{"s.yaml:5:5: role: unknown key \"maxSesionDuration\" (did you mean \"maxSessionDuration\"?)"}},
		{"duplicate key", "version: 1\nversion: 1\n", []string{"s.yaml:2:1: setup file: key \"version\" given twice"}},
		{"second document", "version: 1\n---\nversion: 1\n", []string{"s.yaml:3: a second document"}},
		{"syntax", "version: [1\n", []string{"s.yaml: "}},
		{"alias", "version: 1\ngroups:\n  - &g {name: g}\n  - *g\n", []string{"s.yaml:4:5: group: aliases"}},
		{"missing name", "version: 1\ngroups:\n  - users: [a]\n", []string{"s.yaml:3:5: group: missing key \"name\""}},
		{"bad group name", "version: 1\ngroups:\n  - name: \"a b\"\n", []string{"s.yaml:3:11: group name \"a b\" is not a valid IAM name"}},
		{"long role name", "version: 1\nroles:\n  - name: " + strings.Repeat("r", 65) + "\n    trustedUsers: [a]\n", []string{"role name", "1 to 64"}},
		{"numeric user", "version: 1\ngroups:\n  - name: g\n    users: [123]\n", []string{"s.yaml:4:13: users entry must be a string, not a number (quote it)"}},
		{"duplicate user", "version: 1\ngroups:\n  - name: g\n    users: [a, b, a]\n", []string{"s.yaml:4:19: users: \"a\" listed twice"}},
		{"users not list", "version: 1\ngroups:\n  - name: g\n    users: a\n", []string{"users must be a list, not the string \"a\""}},
		{"requireMfa string", "version: 1\ngroups:\n  - name: g\n    requireMfa: \"yes\"\n", []string{"requireMfa must be true or false"}},
		{"age zero", "version: 1\ngroups:\n  - name: g\n    requireMfa: true\n    maxMfaAgeSeconds: 0\n", []string{"s.yaml:5:23: maxMfaAgeSeconds must be a positive number"}},
		{"age without mfa", "version: 1\ngroups:\n  - name: g\n    maxMfaAgeSeconds: 60\n", []string{"maxMfaAgeSeconds applies only with requireMfa: true"}},
		{"age huge", "version: 1\ngroups:\n  - name: g\n    requireMfa: true\n    maxMfaAgeSeconds: 99999999999999\n", []string{"is not a whole number in range"}},
		{"session short", "version: 1\nroles:\n  - name: r\n    trustedUsers: [a]\n    maxSessionDuration: 900\n", []string{"s.yaml:5:25: maxSessionDuration must be between 3600 and 43200 seconds, not 900"}},
		{"session long", "version: 1\nroles:\n  - name: r\n    trustedUsers: [a]\n    maxSessionDuration: 43201\n", []string{"not 43201"}},
		{"no trusted users", "version: 1\nroles:\n  - name: r\n", []string{"s.yaml:3:5: role r: trustedUsers must name at least one user"}},
		{"bad policy arn", "version: 1\nroles:\n  - name: r\n    trustedUsers: [a]\n    managedPolicies: [PowerUserAccess]\n", []string{"s.yaml:5:23: managedPolicies: \"PowerUserAccess\" is not a managed policy ARN"}},
		{"duplicate group", "version: 1\ngroups:\n  - name: g\n  - name: G\n", []string{"s.yaml:4: group \"G\" is already defined on line 3"}},
		{"duplicate role", "version: 1\nroles:\n  - {name: r, trustedUsers: [a]}\n  - {name: r, trustedUsers: [a]}\n", []string{"s.yaml:4: role \"r\" is already defined on line 3"}},
		{"json unknown key", "{\"version\": 1,\n \"roles\": [{\"name\": \"r\", \"trustedUser\": [\"a\"]}]}\n", []string{"s.yaml:2:26: role: unknown key \"trustedUser\" (did you mean \"trustedUsers\"?)"}},
		{"too large", "version: 1\n#" + strings.Repeat("x", MaxFileSize), []string{"s.yaml: larger than 1 MiB"}},
		{"many errors", "version: 1\ngroups:\n" + strings.Repeat("  - {nme: g}\n", 50), []string{"too many errors; stopped"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.in))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not contain %q", err, w)
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/example.yaml", "testdata/example.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("version: 1\ngroups:\n  - &a {name: g}\n  - *a\n"))
	f.Add([]byte("version: 1\nroles: [{name: r, trustedUsers: [a], maxSessionDuration: 0x1000}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if file.Version != 1 {
			t.Fatalf("accepted version %d", file.Version)
		}
		for _, r := range file.Roles {
			if r.MaxSessionDuration < MinSessionDuration || r.MaxSessionDuration > MaxSessionDuration || len(r.TrustedUsers) == 0 {
				t.Fatalf("accepted role %+v", r)
			}
		}
		for _, g := range file.Groups {
			if g.MaxMFAAge < 0 || (g.MaxMFAAge > 0 && !g.RequireMFA) {
				t.Fatalf("accepted group %+v", g)
			}
		}
		planAccepted(t, file)
	})
}

// planAccepted checks that an accepted file builds and plans against an
// account holding its users: every group and role is created.
func planAccepted(t *testing.T, file *File) {
	d, err := Build(file, "123456789012", "aws")
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	a := &account.Account{ID: "123456789012"}
	seen := map[string]bool{}
	addUser := func(name string) {
		if !seen[name] {
			seen[name] = true
			a.Users = append(a.Users, &account.User{Name: name})
		}
	}
	for _, g := range file.Groups {
		for _, u := range g.Users {
			addUser(u)
		}
	}
	for _, r := range file.Roles {
		for _, u := range r.TrustedUsers {
			addUser(u)
		}
	}
	p, err := MakePlan(d, a)
	if err != nil {
		if strings.Contains(err.Error(), "): managed policy arn:") && !strings.Contains(err.Error(), "user") {
			return // a role names a customer managed policy the empty account cannot attach
		}
		t.Fatalf("MakePlan: %v", err)
	}
	add, change, destroy, _ := p.Counts()
	if add != countCreates(d) || change != 0 || destroy != 0 {
		t.Fatalf("plan on an empty account: %d/%d/%d, want %d creates", add, change, destroy, countCreates(d))
	}
	if _, err := p.JSON(); err != nil {
		t.Fatal(err)
	}
	p.Text()
}

// countCreates is the number of create steps an empty account needs.
func countCreates(d *Desired) int {
	n := len(d.Policies) + len(d.Groups) + len(d.Roles)
	for _, g := range d.Groups {
		n += len(g.Members) + len(g.Attached)
	}
	for _, r := range d.Roles {
		n += len(r.Attached)
	}
	for _, p := range d.Policies {
		n += len(p.Users)
	}
	return n
}
