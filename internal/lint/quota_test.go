package lint

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// sized returns a policy whose compact JSON (encoding/json's Compact, not
// this package's counter) is exactly n characters, padding a resource ARN.
func sized(t *testing.T, kind string, n int) string {
	t.Helper()
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	tail := `"}]}`
	switch kind {
	case "trust":
		head = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/`
		tail = `"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	case "rcp":
		head = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	}
	pad := n - len(head) - len(tail)
	if pad < 1 {
		t.Fatalf("%d is too small", n)
	}
	p := head + strings.Repeat("b", pad) + tail
	var c bytes.Buffer
	if err := json.Compact(&c, []byte(p)); err != nil || c.Len() != n {
		t.Fatalf("sized(%d): %d, %v", n, c.Len(), err)
	}
	return p
}

// spaced pretty-prints a policy and adds extra blank characters after it:
// more characters as written, the same without white space.
func spaced(p string, extra int) string {
	var b bytes.Buffer
	_ = json.Indent(&b, []byte(p), "", "    ")
	return b.String() + "\n" + strings.Repeat(" ", extra)
}

func sizeFindings(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == RulePolicySize {
			out = append(out, f)
		}
	}
	return out
}

func TestPolicySizeQuotas(t *testing.T) {
	cases := []struct {
		name   string
		kind   string // --kind
		policy func(t *testing.T) string
		sev    Severity // 0: no finding
		msg    string
	}{
		{"managed at the quota", "managed", func(t *testing.T) string { return sized(t, "", 6144) }, 0, ""},
		{"managed over the quota", "managed", func(t *testing.T) string { return sized(t, "", 6145) }, SeverityError,
			"The policy is 6,145 characters long without white space (IAM does not count it); AWS allows at most 6,144 for a managed policy, so saving it fails (LimitExceeded)."},
		{"managed, white space not counted", "managed", func(t *testing.T) string { return spaced(sized(t, "", 6144), 1000) }, 0, ""},
		{"boundary is a managed policy", "boundary", func(t *testing.T) string { return sized(t, "", 6145) }, SeverityError, "for a managed policy"},
		{"inline user", "inline-user", func(t *testing.T) string { return sized(t, "", 2049) }, SeverityError,
			"This inline policy alone is 2,049 characters long without white space (IAM does not count it); AWS allows at most 2,048 for the inline policies of a user, so saving it fails (LimitExceeded)."},
		{"inline user at the quota", "inline-user", func(t *testing.T) string { return sized(t, "", 2048) }, 0, ""},
		{"inline group", "inline-group", func(t *testing.T) string { return sized(t, "", 5121) }, SeverityError, "at most 5,120 for the inline policies of a group"},
		{"inline role", "inline-role", func(t *testing.T) string { return sized(t, "", 10241) }, SeverityError, "at most 10,240 for the inline policies of a role"},
		{"inline role fits", "inline-role", func(t *testing.T) string { return sized(t, "", 10240) }, 0, ""},
		{"trust over the default quota", "trust", func(t *testing.T) string { return sized(t, "trust", 2049) }, SeverityWarning,
			`The policy is 2,049 characters long without white space (IAM does not count it); a role trust policy (the default quota, adjustable in Service Quotas as "Role trust policy length") holds at most 2,048.`},
		{"trust at the default quota", "trust", func(t *testing.T) string { return sized(t, "trust", 2048) }, 0, ""},
		{"SCP at the quota", "scp", func(t *testing.T) string { return sized(t, "", 5120) }, 0, ""},
		{"SCP over the quota", "scp", func(t *testing.T) string { return sized(t, "", 5121) }, SeverityError,
			"The policy is 5,121 characters long as written, white space included (it counts unless the console saved the policy); AWS allows at most 5,120 for a service control policy, so saving it fails (LimitExceeded)."},
		{"SCP over the quota only with white space", "scp", func(t *testing.T) string { return spaced(sized(t, "", 4000), 2000) }, SeverityWarning, "Without white space it is 4,000 characters and fits."},
		{"RCP", "rcp", func(t *testing.T) string { return sized(t, "rcp", 5121) }, SeverityError, "AWS allows at most 5,120 for a resource control policy"},
		{"RCP white space counts", "rcp", func(t *testing.T) string { return spaced(sized(t, "rcp", 5000), 500) }, SeverityWarning, "Without white space it is 5,000 characters and fits."},
		{"session", "session", func(t *testing.T) string { return sized(t, "", 2049) }, SeverityError, "AWS allows at most 2,048 for a session policy"},
		{"identity of unknown store, too big for managed", "", func(t *testing.T) string { return sized(t, "", 6145) }, SeverityWarning,
			"The policy is 6,145 characters long without white space (IAM does not count it); a managed policy holds at most 6,144: it fits only inline in a role."},
		{"identity of unknown store, too big for anything", "", func(t *testing.T) string { return sized(t, "", 10241) }, SeverityError,
			"AWS allows at most 10,240 for any identity-based policy"},
		{"resource policies are not checked", "resource", func(t *testing.T) string {
			return strings.Replace(sized(t, "rcp", 30000), `"Effect":"Deny"`, `"Effect":"Allow"`, 1)
		}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts Options
			if c.kind != "" {
				k, st, ok := ParseKind(c.kind)
				if !ok {
					t.Fatalf("kind %q", c.kind)
				}
				opts.Kind, opts.Store = k, st
			}
			fs, err := LintFile("p.json", []byte(c.policy(t)), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := sizeFindings(fs)
			if c.sev == 0 {
				if len(got) != 0 {
					t.Fatalf("findings %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != c.sev || !strings.Contains(got[0].Message, c.msg) || got[0].Line != 1 || got[0].Column != 1 {
				t.Fatalf("findings %+v\nwant %v %q at 1:1", got, c.sev, c.msg)
			}
			if got[0].Fix == "" {
				t.Error("no fix")
			}
		})
	}
}

// The kind comes from the template: a user's inline policies share one
// quota, reported at the policy that crosses it.
func TestPolicySizeFromContext(t *testing.T) {
	p1500, p1000 := sized(t, "", 1500), sized(t, "", 1000)
	tpl := `{"Resources": {
  "Alice": {"Type": "AWS::IAM::User", "Properties": {"Policies": [
    {"PolicyName": "a", "PolicyDocument": ` + p1500 + `},
    {"PolicyName": "b", "PolicyDocument": ` + p1000 + `}]}},
  "Ops": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [
    {"PolicyName": "a", "PolicyDocument": ` + p1500 + `},
    {"PolicyName": "b", "PolicyDocument": ` + p1000 + `}]}},
  "Big": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": ` + sized(t, "", 7000) + `}}}}`
	fs, err := LintFile("t.json", []byte(tpl), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := sizeFindings(fs)
	if len(got) != 2 {
		t.Fatalf("findings %+v", got)
	}
	want := []struct {
		line int
		path string
		msg  string
	}{
		{4, "Resources.Alice.Properties.Policies[1].PolicyDocument", "The inline policies of Resources.Alice total 2,500 characters without white space with this one (the 2nd); IAM allows at most 2,048 for all the inline policies of a user, so saving it fails (LimitExceeded)."},
		{8, "Resources.Big.Properties.PolicyDocument", "The policy is 7,000 characters long without white space (IAM does not count it); AWS allows at most 6,144 for a managed policy"},
	}
	for i, w := range want {
		if got[i].Line != w.line || got[i].Path != w.path || !strings.Contains(got[i].Message, w.msg) || got[i].Severity != SeverityError {
			t.Errorf("finding %d: %+v\nwant line %d %s %q", i, got[i], w.line, w.path, w.msg)
		}
	}
	// --disable turns the aggregate check off too.
	fs, _ = LintFile("t.json", []byte(tpl), Options{Disable: []string{RulePolicySize}})
	if len(sizeFindings(fs)) != 0 {
		t.Errorf("disabled rule reported")
	}
}

// The counter agrees with encoding/json's compact form for objects in
// templates (no text), including escapes and white space inside strings.
func TestMeasureNode(t *testing.T) {
	for _, p := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/t": "a \"quoted\" value\\with\tescapes"}, "Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"n": 12.5}}}]}`,
		`{"a": null, "b": [], "c": {}, "d": ["x", 1, false]}`,
	} {
		n, err := policy.ParseJSON("", []byte(p))
		if err != nil {
			t.Fatal(err)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, []byte(p)); err != nil {
			t.Fatal(err)
		}
		size := measure(policysource.Source{Node: n})
		if size.written != c.Len() {
			t.Errorf("written %d, compact JSON %d: %s", size.written, c.Len(), c.String())
		}
		if want := c.Len() - strings.Count(c.String(), " "); size.compact != want {
			t.Errorf("without white space %d, want %d", size.compact, want)
		}
	}
}

func TestParseKind(t *testing.T) {
	for _, c := range []struct {
		in    string
		kind  policy.Kind
		store policysource.Store
		ok    bool
	}{
		{"managed", policy.KindIdentity, policysource.StoreManaged, true},
		{"Inline-Role", policy.KindIdentity, policysource.StoreInlineRole, true},
		{"scp", policy.KindSCP, policysource.StoreUnknown, true},
		{"identity", policy.KindIdentity, policysource.StoreUnknown, true},
		{"unknown", policy.KindUnknown, policysource.StoreUnknown, false},
		{"inline", policy.KindUnknown, policysource.StoreUnknown, false},
	} {
		k, st, ok := ParseKind(c.in)
		if k != c.kind || st != c.store || ok != c.ok {
			t.Errorf("%s: %v %v %v", c.in, k, st, ok)
		}
	}
	if got := commas(1234567); got != "1,234,567" {
		t.Errorf("commas: %s", got)
	}
	if got := ordinal(2) + ordinal(11) + ordinal(23); got != "2nd11th23rd" {
		t.Errorf("ordinal: %s", got)
	}
}
