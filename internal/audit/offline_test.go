package audit

import (
	"bufio"
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
)

// loadOffline reads an account as `awsmfa audit --authorization-details
// --credential-report` does.
func loadOffline(t *testing.T, details, report string) *account.Account {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", details))
	if err != nil {
		t.Fatal(err)
	}
	acct, err := account.LoadAuthorizationDetails(details, data)
	if err != nil {
		t.Fatal(err)
	}
	if report != "" {
		rd, err := os.ReadFile(filepath.Join("testdata", report))
		if err != nil {
			t.Fatal(err)
		}
		if acct.Report, err = account.ParseCredentialReport(report, rd); err != nil {
			t.Fatal(err)
		}
	}
	return acct
}

// The lab's default scenario as the AWS CLI prints it
// (testdata/lab-cli.json: `aws iam get-account-authorization-details`
// against a lab seeded with it, and its credential report) gives the
// findings the scenario model gives, plus what only the real report says
// (the lab's root user has no MFA), and the deciding statements point at
// their lines in the file.
func TestOfflineLabAccount(t *testing.T) {
	acct := loadOffline(t, "lab-cli.json", "lab-report.csv")
	now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	rep, err := Run(acct, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+" "+f.Principal[strings.LastIndexByte(f.Principal, ':')+1:]+" "+string(f.Credential))
	}
	want := []string{
		"keys-act-without-mfa user/admin long-term-keys",
		"keys-act-without-mfa user/admin session-token-no-mfa",
		"keys-act-without-mfa user/alice long-term-keys",
		"mfa-policy-bool group/mfa-bool ",
		"root-without-mfa root ",
		"no-mfa-device user/admin ",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Offline, devices are not listed: the report's mfa_active tells.
	if a, ad := userResult(t, rep, "alice"), userResult(t, rep, "admin"); a.MFA != MFAActiveReport || ad.MFA != MFANone {
		t.Errorf("MFA: alice %q (want active), admin %q (want none)", a.MFA, ad.MFA)
	}

	// The same verdicts as the scenario model of the same account.
	model := runScenario(t, "default", nil)
	for _, mu := range model.Users {
		ou := userResult(t, rep, mu.Name)
		if !maps.Equal(ou.Creds, mu.Creds) {
			t.Errorf("%s: offline %v, scenario %v", mu.Name, ou.Creds, mu.Creds)
		}
	}

	lines := fileLines(t, filepath.Join("testdata", "lab-cli.json"))
	for _, f := range rep.Findings {
		d := f.Deciding
		if d == nil {
			continue
		}
		if d.File != "lab-cli.json" || d.Path == "" || d.Line < 1 || d.Line > len(lines) {
			t.Errorf("%s: deciding %+v", f.Rule, d)
			continue
		}
		// The line is the statement's opening brace or its first element;
		// its Sid is on it or within the next few lines.
		if !strings.HasPrefix(d.Statement, "#") {
			found := false
			for i := d.Line - 1; i < min(d.Line+4, len(lines)); i++ {
				if strings.Contains(lines[i], `"`+d.Statement+`"`) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: line %d of lab-cli.json is not statement %s: %q", f.Rule, d.Line, d.Statement, lines[d.Line-1])
			}
		}
	}
}

func fileLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
