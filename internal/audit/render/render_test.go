package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/audit"
)

func TestGroupUsers(t *testing.T) {
	const (
		acts = audit.ActsWithoutMFA
		req  = audit.MFARequired
		none = audit.NoAccess
		na   = audit.NotApplicable
	)
	assumed := row("asm", 1, req, req, req, acts)
	assumed.Assumed = true
	tests := []struct {
		name  string
		users []audit.UserResult
		all   bool
		want  []string // each group: its names joined by ","
	}{
		{"identical rows share a group", []audit.UserResult{
			row("b", 1, req, req, req, acts), row("a", 1, req, req, req, acts), row("c", 1, req, na, req, acts),
		}, false, []string{"a,b", "c"}},
		{"acting rows first, more acting cells first", []audit.UserResult{
			row("many1", 1, req, req, req, acts), row("many2", 1, req, req, req, acts), row("many3", 1, req, req, req, acts),
			row("one", 1, acts, req, req, acts), row("two", 1, acts, acts, acts, acts),
		}, false, []string{"two", "one", "many1,many2,many3"}},
		{"the MFA column does not count as acting", []audit.UserResult{
			row("x", 1, req, req, req, acts), row("y", 1, acts, req, req, none),
		}, false, []string{"y", "x"}},
		{"users without a device before larger groups", []audit.UserResult{
			row("d1", 1, req, req, req, acts), row("d2", 1, req, req, req, acts), row("nodev", 0, req, req, req, acts),
		}, false, []string{"nodev", "d1,d2"}},
		{"device count and assumed credentials split groups", []audit.UserResult{
			row("one", 1, req, req, req, acts), row("two", 2, req, req, req, acts), assumed,
		}, false, []string{"one", "asm", "two"}},
		{"--all: one row per user, by rank then name", []audit.UserResult{
			row("b", 1, req, req, req, acts), row("a", 1, req, req, req, acts), row("z", 1, acts, req, req, acts), row("c", 1, req, na, req, acts),
		}, true, []string{"z", "a", "b", "c"}},
		{"no users", nil, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &audit.Report{Credentials: allCreds, Users: tt.users}
			var got []string
			for _, g := range groupUsers(rep, tt.all) {
				got = append(got, strings.Join(g.Names(), ","))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGroupUniform(t *testing.T) {
	tests := []struct {
		u    audit.UserResult
		want string
	}{
		{row("a", 1, audit.MFARequired, audit.MFARequired, audit.MFARequired, audit.ActsWithoutMFA), "mfa-required"},
		{row("b", 1, audit.MFARequired, audit.NotApplicable, audit.MFARequired, audit.ActsWithoutMFA), "mfa-required"},
		{row("c", 1, audit.MFARequired, audit.ActsWithoutMFA, audit.MFARequired, audit.ActsWithoutMFA), ""},
		{row("d", 1, audit.NotApplicable, audit.NotApplicable, audit.NotApplicable, audit.NotApplicable), ""},
	}
	for _, tt := range tests {
		g := groupUsers(&audit.Report{Credentials: allCreds, Users: []audit.UserResult{tt.u}}, false)[0]
		if got := g.Uniform(allCreds); got != tt.want {
			t.Errorf("%s: Uniform = %q, want %q", tt.u.Name, got, tt.want)
		}
	}
}

// TestManyUsersStayReadable: 5,000 users in a few kinds of rows make a
// text matrix of a few lines, not 5,000; --all lists them all.
func TestManyUsersStayReadable(t *testing.T) {
	rep := &audit.Report{Account: acct, Credentials: allCreds}
	for i := range 5000 {
		u := row(fmt.Sprintf("user%04d", i), 1, audit.MFARequired, audit.MFARequired, audit.MFARequired, audit.ActsWithoutMFA)
		switch {
		case i%1000 == 7:
			u = row(fmt.Sprintf("user%04d", i), 1, audit.ActsWithoutMFA, audit.MFARequired, audit.ActsWithoutMFA, audit.ActsWithoutMFA)
		case i%3 == 0:
			u.Creds[audit.CredConsolePassword] = audit.NotApplicable
		}
		rep.Users = append(rep.Users, u)
	}
	var grouped, all bytes.Buffer
	if err := Text(&grouped, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&all, rep, Options{All: true}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(grouped.String(), "\n"); n > 40 {
		t.Errorf("grouped report of 5,000 users has %d lines:\n%s", n, grouped.String())
	}
	for _, want := range []string{"5000 users in 3 groups", "\n  5 users     1    acts-without-mfa", "\n    user0007, user1007, user2007, user3007, user4007\n",
		"\n  3329 users  1    mfa-required", "and 3321 more (mfa-required everywhere)"} {
		if !strings.Contains(grouped.String(), want) {
			t.Errorf("grouped report lacks %q:\n%s", want, grouped.String())
		}
	}
	// The acting group comes first.
	if i, j := strings.Index(grouped.String(), "acts-without-mfa  mfa-required"), strings.Index(grouped.String(), "mfa-required      mfa-required"); i < 0 || j < 0 || i > j {
		t.Errorf("acting rows are not first:\n%s", grouped.String())
	}
	if n := strings.Count(all.String(), "\n  user"); n != 5000 {
		t.Errorf("--all lists %d users, want 5000", n)
	}
}

func TestSummarize(t *testing.T) {
	fs := []audit.Finding{
		{Rule: "b", Severity: audit.SeverityError}, {Rule: "a", Severity: audit.SeverityError}, {Rule: "b", Severity: audit.SeverityError},
		{Rule: "c", Severity: audit.SeverityInfo}, {Rule: "d", Severity: "odd"},
	}
	got := summarize(fs)
	want := []severityCount{
		{audit.SeverityError, 3, []ruleCount{{"b", 2}, {"a", 1}}},
		{audit.SeverityWarning, 0, nil},
		{audit.SeverityInfo, 1, []ruleCount{{"c", 1}}},
		{"odd", 1, []ruleCount{{"d", 1}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summarize = %+v\nwant %+v", got, want)
	}
}

func TestFindingOrder(t *testing.T) {
	rep := sampleReport()
	var rules []string
	for _, f := range sortedFindings(rep) {
		rules = append(rules, string(f.Severity)+" "+f.Rule)
	}
	want := []string{"error console-without-mfa", "error keys-act-without-mfa", "error mfa-policy-bool",
		"warning no-mfa-device", "warning role-trust-without-mfa", "info stale-access-key"}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("order %q, want %q", rules, want)
	}
}

// TestRenderersLeaveReportAlone: rendering sorts copies, never the
// caller's report.
func TestRenderersLeaveReportAlone(t *testing.T) {
	rep := sampleReport()
	before := sampleReport()
	for name, r := range renderers() {
		if err := r(&bytes.Buffer{}, rep); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(rep, before) {
			t.Fatalf("%s modified the report", name)
		}
	}
}

func renderers() map[string]func(*bytes.Buffer, *audit.Report) error {
	return map[string]func(*bytes.Buffer, *audit.Report) error{
		"text":  func(b *bytes.Buffer, r *audit.Report) error { return Text(b, r, Options{}) },
		"all":   func(b *bytes.Buffer, r *audit.Report) error { return Text(b, r, Options{All: true}) },
		"json":  func(b *bytes.Buffer, r *audit.Report) error { return JSON(b, r) },
		"sarif": func(b *bytes.Buffer, r *audit.Report) error { return SARIF(b, r, Options{}) },
		"html":  func(b *bytes.Buffer, r *audit.Report) error { return HTML(b, r, Options{}) },
	}
}

// TestEmptyReport: an account without users or findings renders in every
// format.
func TestEmptyReport(t *testing.T) {
	for name, r := range renderers() {
		var b bytes.Buffer
		if err := r(&b, &audit.Report{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b.Len() == 0 {
			t.Errorf("%s: no output", name)
		}
	}
	var b bytes.Buffer
	if err := Text(&b, &audit.Report{Account: acct}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"errors:   0", "(no IAM users)", "FINDINGS: none"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("empty text report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Account string `json:"account"`
		Users   []map[string]json.RawMessage
		Finding []map[string]json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Account != acct || len(got.Users) != 16 || len(got.Finding) != 6 {
		t.Fatalf("account %q, %d users, %d findings", got.Account, len(got.Users), len(got.Finding))
	}
	for _, k := range []string{"arn", "name", "mfaDevices", "credentials"} {
		if _, ok := got.Users[0][k]; !ok {
			t.Errorf("user lacks %q: %v", k, got.Users[0])
		}
	}
	if string(got.Users[0]["name"]) != `"alice"` {
		t.Errorf("users not by name: first is %s", got.Users[0]["name"])
	}
	var creds map[string]string
	if err := json.Unmarshal(got.Users[0]["credentials"], &creds); err != nil || creds["long-term-keys"] != "acts-without-mfa" {
		t.Errorf("alice's credentials %s (%v)", got.Users[0]["credentials"], err)
	}
	// keys-act-without-mfa is the second finding (errors, by rule).
	f := got.Finding[1]
	for _, k := range []string{"rule", "severity", "principal", "credential", "actions", "decidingStatement", "message", "fix"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, f)
		}
	}

	// Empty lists are [], never null.
	b.Reset()
	if err := JSON(&b, &audit.Report{Credentials: allCreds, Users: []audit.UserResult{{Name: "x"}}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"findings": []`, `"mfaDevices": []`, `"credentials": {}`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b.String())
		}
	}
}

func TestSARIFLocations(t *testing.T) {
	rep := sampleReport()
	rep.Findings = append(rep.Findings, audit.Finding{Rule: "future-rule", Severity: audit.SeverityWarning, Principal: userARN("x"), Message: "m"})
	var b bytes.Buffer
	if err := SARIF(&b, rep, Options{ToolVersion: "v", Cwd: "/w"}); err != nil {
		t.Fatal(err)
	}
	type logical struct{ FullyQualifiedName, Kind string }
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           *struct{ StartLine int }
					}
					LogicalLocations []logical
				}
				Properties map[string]any
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(rules)+1 || run.Tool.Driver.Rules[len(rules)].ID != "future-rule" {
		t.Errorf("rules: %+v", run.Tool.Driver.Rules)
	}
	byRule := map[string]int{}
	for i, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d is %s, not %s", i, r.RuleIndex, run.Tool.Driver.Rules[r.RuleIndex].ID, r.RuleID)
		}
		if len(r.Locations) != 1 {
			t.Fatalf("result %d: %d locations", i, len(r.Locations))
		}
		byRule[r.RuleID] = i
	}
	// Offline: on the policy document, with the statement's path.
	keys := run.Results[byRule[audit.RuleKeysActWithoutMFA]]
	loc := keys.Locations[0]
	if loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI != "testdata/auth.json" ||
		loc.PhysicalLocation.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.PhysicalLocation.Region == nil || loc.PhysicalLocation.Region.StartLine != 57 {
		t.Errorf("keys finding physical location %+v", loc.PhysicalLocation)
	}
	wantLogical := []logical{{"Policies[1].PolicyVersionList[0].Document.Statement[BlockMostAccessUnlessSignedInWithMFA]", "object"}, {userARN("alice"), "resource"}}
	if !reflect.DeepEqual(loc.LogicalLocations, wantLogical) {
		t.Errorf("keys finding logical locations %+v", loc.LogicalLocations)
	}
	if keys.Level != "error" || keys.Properties["actionCount"] != float64(213) || keys.Properties["credential"] != "long-term-keys" {
		t.Errorf("keys finding level %s properties %v", keys.Level, keys.Properties)
	}
	// Live (no file): logical locations only.
	trust := run.Results[byRule[audit.RuleRoleTrustWithoutMFA]].Locations[0]
	if trust.PhysicalLocation != nil {
		t.Errorf("a finding without a file has a physical location %+v", trust.PhysicalLocation)
	}
	wantLogical = []logical{{"role/deploy/trust.Statement[0]", "object"}, {"arn:aws:iam::123456789012:role/deploy", "resource"}}
	if !reflect.DeepEqual(trust.LogicalLocations, wantLogical) {
		t.Errorf("trust finding logical locations %+v", trust.LogicalLocations)
	}
	// No deciding statement: the principal alone.
	stale := run.Results[byRule[audit.RuleStaleAccessKey]]
	if stale.Level != "note" || len(stale.Locations[0].LogicalLocations) != 1 || stale.Locations[0].PhysicalLocation != nil {
		t.Errorf("stale finding %+v", stale)
	}
}

func TestRulesDescribed(t *testing.T) {
	ids := []string{audit.RuleKeysActWithoutMFA, audit.RuleConsoleWithoutMFA, audit.RuleNoMFADevice, audit.RuleRoleTrustWithoutMFA,
		audit.RuleRootWithoutMFA, audit.RuleRootAccessKeys, audit.RuleMFAPolicyBool, audit.RuleMFALockout,
		audit.RuleSCPManagementAccount, audit.RuleStaleAccessKey}
	for _, id := range ids {
		r, ok := lookupRule(id, "")
		if !ok || r.Summary == "" || r.Help == "" || !strings.HasPrefix(r.HelpURI, "https://docs.aws.amazon.com/") || r.Severity == "" {
			t.Errorf("rule %s: %+v", id, r)
		}
	}
	if len(Rules()) != len(ids) {
		t.Errorf("%d rules described, %d defined", len(Rules()), len(ids))
	}
}

// TestTextKeepsLines: control characters from the account (a newline in
// a source name, an escape sequence in a note) cannot forge report lines
// or reach the terminal.
func TestTextKeepsLines(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape character in text output:\n%q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "forged line") || strings.HasPrefix(line, "line two") {
			t.Errorf("input forged a line: %q", line)
		}
	}
	for _, want := range []string{`a\x0aforged line`, `\x1b[31mred`, `line one\x0aline two <b>`} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := map[string]string{
		"plain ARN: arn:aws:iam::1:user/a": "plain ARN: arn:aws:iam::1:user/a",
		"tab\there":                        `tab\x09here`,
		"del\x7f":                          `del\x7f`,
		"c1\u0085":                         `c1\x85`,
		"bad\xffbyte":                      `bad\ufffdbyte`,
		"naïve ☃":                          "naïve ☃",
	}
	for in, want := range tests {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHTMLEscapes: markup in names, policies, Sids and messages is text
// in the page, never elements or attributes.
func TestHTMLEscapes(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img", `"onmouseover="`, "<b>1</b>", "<i>note</i>", `href="javascript`, "</code><script>"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML output contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;b&gt;1&lt;/b&gt;", "&lt;a&gt;:b"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML output lacks %q", want)
		}
	}
}

// TestHTMLSelfContained: nothing in the page is fetched: no scripts,
// stylesheets, images or frames, and a policy that forbids loading any.
func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, sampleReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "@import", "url("} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML output contains %q", bad)
		}
	}
	if !strings.Contains(out, `content="default-src 'none'; style-src 'unsafe-inline'"`) {
		t.Error("no Content-Security-Policy forbidding network loads")
	}
}

func TestDevicesLabel(t *testing.T) {
	cases := []struct {
		devices int
		mfa     string
		want    string
	}{
		{2, audit.MFADevicesListed, "2"},
		{0, audit.MFADevicesListed, "none"},
		{0, audit.MFAActiveReport, "yes"},
		{0, audit.MFANone, "none"},
		{0, audit.MFAUnknown, "?"},
	}
	for _, c := range cases {
		g := &group{Devices: c.devices, MFA: c.mfa}
		if got := g.DevicesLabel(); got != c.want {
			t.Errorf("DevicesLabel(%d, %q) = %q, want %q", c.devices, c.mfa, got, c.want)
		}
	}
}
