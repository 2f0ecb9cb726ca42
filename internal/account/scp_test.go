package account

import (
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
)

func scpFile(t *testing.T, name string) SCPFile {
	return SCPFile{Name: name, Data: readFixture(t, name)}
}

func TestLoadSCPs(t *testing.T) {
	org, err := LoadSCPs([]SCPFile{scpFile(t, "scp-full-aws-access.json"), scpFile(t, "scp-level-list.json"), scpFile(t, "scp-describe-policy.json")})
	if err != nil {
		t.Fatal(err)
	}
	if org.ManagementAccount || len(org.Levels) != 3 {
		t.Fatalf("%+v", org)
	}
	root := org.Levels[0]
	if root.Name != "scp-full-aws-access.json" || len(root.SCPs) != 1 || len(root.RCPs) != 0 {
		t.Fatalf("root %+v", root)
	}
	full := root.SCPs[0]
	if full.Name != "scp-full-aws-access.json" || full.Document.Path != "" || full.Document.Line != 1 ||
		!strings.HasPrefix(full.Document.Text, "{\n    \"Version\"") || full.Document.Statements[0].Action.Values[0] != "*" {
		t.Errorf("FullAWSAccess %+v", full.Document)
	}

	ou := org.Levels[1]
	if len(ou.SCPs) != 2 || len(ou.RCPs) != 1 {
		t.Fatalf("OU level %+v", ou)
	}
	if s := ou.SCPs[0]; s.ID != "p-FullAWSAccess" || s.Name != "FullAWSAccess" || !strings.HasPrefix(s.ARN, "arn:aws:organizations::aws:policy/") ||
		s.Document.Path != "[0].Policy.Content" || s.Document.Line != 12 {
		t.Errorf("describe-policy in a list %+v %s %d", s, s.Document.Path, s.Document.Line)
	}
	if s := ou.SCPs[1]; s.Name != "scp-level-list.json[1]" || s.Document.Path != "[1]" || s.Document.Line != 15 ||
		!strings.HasPrefix(s.Document.Text, "{\n        \"Version\"") || s.Document.Statements[0].Sid != "DenyAllWithoutMFA" {
		t.Errorf("document in a list %+v %q", s, s.Document.Text)
	}
	if r := ou.RCPs[0]; r.Name != "EnforceSecureTransport" || r.Document.Statements[0].Principal == nil {
		t.Errorf("RCP %+v", r)
	}

	// The Content string is plain JSON text: positions are exact, on the
	// line of the string.
	acct := org.Levels[2].SCPs[0]
	d := acct.Document
	if acct.Name != "RequireMFA" || acct.ID != "p-examplepolicyid111" || d.Path != "Policy.Content" || d.Line != 11 ||
		d.Statements[0].Conditions[0].Operator != "BoolIfExists" || !strings.HasPrefix(d.Text, "{\n  \"Version\": \"2012-10-17\",") {
		t.Errorf("describe-policy %+v", acct)
	}
	line := strings.Split(string(readFixture(t, "scp-describe-policy.json")), "\n")[10]
	col := strings.Index(line, `\"BoolIfExists\"`) + 1
	if got := d.Statements[0].Conditions[0].OperatorPos; got != (policy.Pos{Line: 11, Column: col}) {
		t.Errorf("operator at %v, want 11:%d", got, col)
	}
}

func TestLoadSCPsNone(t *testing.T) {
	org, err := LoadSCPs(nil)
	if org != nil || err != nil {
		t.Errorf("%v %v", org, err)
	}
}

func TestParseSCPLevelErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
		limit          bool
	}{
		{"not JSON", "Version: 2012-10-17", "s.json:1:1: invalid JSON", false},
		{"scalar", `"x"`, "s.json:1:1: expected an SCP document or the output of aws organizations describe-policy, not a string", false},
		{"empty list", `[]`, "s.json:1:1: empty list", false},
		{"neither", `{"Policies": []}`, "s.json:1:1: expected an SCP document (with a Statement) or the output of aws organizations describe-policy", false},
		{"SCP with a Principal", `{"Statement": {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}}`, "s.json:1:", false},
		{"invalid Content", `{"Policy": {"Content": "{\"Statement\": "}}`, "s.json:1:41: Policy.Content: policy document is not valid JSON: invalid JSON: unexpected end of input", false},
		{"tag policy", string(readFixture(t, "scp-tag-policy.json")), "s.json:8:21: Policy.PolicySummary.Type: CostCenterTags is a TAG_POLICY, not a service or resource control policy", false},
		{"RCP without Principal", `{"Policy": {"PolicySummary": {"Type": "RESOURCE_CONTROL_POLICY"}, "Content": "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}"}}`,
			"Policy.Content:", false},
		{"list entry", `[{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, 7]`, "s.json:1:70: [1]: expected an SCP document", false},
		{"too deep", strings.Repeat("[", 1000) + strings.Repeat("]", 1000), "s.json:1:", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lvl, err := ParseSCPLevel("s.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error: %+v", lvl)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if policy.IsLimit(err) != tt.limit {
				t.Errorf("IsLimit = %v", !tt.limit)
			}
		})
	}
	_, err := ParseSCPLevel("big.json", make([]byte, MaxSCPFileBytes+1))
	if err == nil || !policy.IsLimit(err) {
		t.Errorf("size limit: %v", err)
	}
}

// Every file's errors are reported, each with its name.
func TestLoadSCPsErrorsOfEveryFile(t *testing.T) {
	_, err := LoadSCPs([]SCPFile{{Name: "a.json", Data: []byte(`{}`)}, scpFile(t, "scp-full-aws-access.json"), {Name: "b.json", Data: []byte(`[`)}})
	if err == nil || !strings.Contains(err.Error(), "a.json:1:1:") || !strings.Contains(err.Error(), "b.json:1:2:") {
		t.Errorf("error %v", err)
	}
}
