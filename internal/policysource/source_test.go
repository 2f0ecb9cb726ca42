package policysource

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// posOf returns the position of the n-th (0-based) occurrence of needle in
// data, counting lines and byte columns like the JSON parser.
func posOf(t *testing.T, data []byte, needle string, n int) policy.Pos {
	t.Helper()
	off := -1
	from := 0
	for i := 0; i <= n; i++ {
		j := strings.Index(string(data[from:]), needle)
		if j < 0 {
			t.Fatalf("needle %q (#%d) not in file", needle, n)
		}
		off = from + j
		from = off + 1
	}
	return newLineIndex(data).pos(off)
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// statement returns statement i of a policy node.
func statement(n *policy.Node, i int) *policy.Node {
	st := member(n, "Statement")
	if st != nil && st.Kind == policy.NodeArray {
		if i < len(st.Items) {
			return st.Items[i]
		}
		return nil
	}
	if i == 0 {
		return st
	}
	return nil
}

// keyPos returns the position of key in object n.
func keyPos(n *policy.Node, key string) policy.Pos {
	if n == nil {
		return policy.Pos{}
	}
	for _, m := range n.Members {
		if m.Key == key {
			return m.KeyPos
		}
	}
	return policy.Pos{}
}

type wantSource struct {
	path   string
	kind   policy.Kind
	approx bool
	// The key "Effect" of statement stmt must be at the occurrence
	// effectN of effectNeedle in the file.
	stmt         int
	effectNeedle string
	effectN      int
}

func TestExtractFormats(t *testing.T) {
	tests := []struct {
		file   string
		format string
		want   []wantSource
	}{
		{"template.yaml", FormatCloudFormation, []wantSource{
			{"Resources.AdminGroup.Properties.Policies[0].PolicyDocument", policy.KindIdentity, false, 0, "Effect: Deny", 0},
			{"Resources.AdminGroup.Properties.Policies[1].PolicyDocument", policy.KindIdentity, false, 1, "Effect: Allow\n                  Action: s3:ListBucket", 0},
			{"Resources.CliRole.Properties.AssumeRolePolicyDocument", policy.KindTrust, false, 0, "Effect: Allow\n            Principal", 0},
			{"Resources.CliRole.Properties.Policies[0].PolicyDocument", policy.KindIdentity, false, 0, `"Effect": "Deny"`, 0},
			{"Resources.CliRole.Properties.Policies[1].PolicyDocument", policy.KindIdentity, false, 0, `"Effect": "Allow", "Action": "s3:*"`, 0},
			{"Resources.BucketPolicy.Properties.PolicyDocument", policy.KindResource, false, 0, "Effect: Deny\n            Principal", 0},
			{"Resources.OrgScp.Properties.Content", policy.KindSCP, false, 0, "Effect: Deny\n            NotAction: sts", 0},
			{"Resources.Key.Properties.KeyPolicy", policy.KindResource, false, 0, "Effect: Allow\n            Principal: {AWS", 0},
		}},
		{"template.json", FormatCloudFormation, []wantSource{
			{"Resources.MfaPolicy.Properties.PolicyDocument", policy.KindIdentity, false, 0, `"Effect": "Deny"`, 0},
			{"Resources.QueuePolicy.Properties.PolicyDocument", policy.KindResource, false, 0, `\"Effect\"`, 0},
			{"Resources.Role.Properties.AssumeRolePolicyDocument", policy.KindTrust, false, 0, `"Effect": "Allow",
            "Principal"`, 0},
			{"Resources.Role.Properties.Policies[0].PolicyDocument", policy.KindIdentity, false, 0, `"Effect": "Allow", "Action": "ec2`, 0},
		}},
		{"plan.json", FormatTerraform, []wantSource{
			{"planned_values.root_module.resources[0].values.policy", policy.KindIdentity, false, 0, `\"Effect\"`, 0},
			{"planned_values.root_module.resources[1].values.assume_role_policy", policy.KindTrust, false, 0, `\"Effect\"`, 1},
			{"planned_values.root_module.resources[1].values.inline_policy[0].policy", policy.KindIdentity, false, 0, `\"Effect\"`, 2},
			{"planned_values.root_module.child_modules[0].resources[0].values.content", policy.KindSCP, false, 0, `\"Effect\"`, 3},
			{"prior_state.values.root_module.resources[0].values.json", policy.KindIdentity, false, 0, `\"Effect\"`, 6},
		}},
		{"plan-oneline.json", FormatTerraform, []wantSource{
			{"planned_values.root_module.resources[0].values.policy", policy.KindIdentity, false, 0, `\"Effect\"`, 0},
			{"planned_values.root_module.resources[1].values.assume_role_policy", policy.KindTrust, false, 0, `\"Effect\"`, 1},
			{"planned_values.root_module.resources[1].values.inline_policy[0].policy", policy.KindIdentity, false, 0, `\"Effect\"`, 2},
			{"planned_values.root_module.child_modules[0].resources[0].values.content", policy.KindSCP, false, 0, `\"Effect\"`, 3},
			{"prior_state.values.root_module.resources[0].values.json", policy.KindIdentity, false, 0, `\"Effect\"`, 6},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			srcs, err := Extract(tt.file, data, policy.KindUnknown)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) != len(tt.want) {
				for _, s := range srcs {
					t.Logf("got %s", s.Path)
				}
				t.Fatalf("got %d sources, want %d", len(srcs), len(tt.want))
			}
			for i, w := range tt.want {
				s := srcs[i]
				if s.Path != w.path || s.Kind != w.kind || s.Approximate != w.approx || s.Format != tt.format || s.File != tt.file {
					t.Errorf("source %d = {%s %v approx=%v %s %s}, want {%s %v approx=%v %s}", i, s.Path, s.Kind, s.Approximate, s.Format, s.File, w.path, w.kind, w.approx, tt.format)
					continue
				}
				if s.Err != nil || s.Node == nil {
					t.Errorf("%s: err %v", s.Path, s.Err)
					continue
				}
				if _, err := policy.FromNodeKind(tt.file, s.Node, s.Kind); err != nil {
					t.Errorf("%s: does not build: %v", s.Path, err)
				}
				got := keyPos(statement(s.Node, w.stmt), "Effect")
				want := posOf(t, data, w.effectNeedle, w.effectN)
				if got != want {
					t.Errorf("%s: Effect of statement %d at %v, want %v", s.Path, w.stmt, got, want)
				}
			}
		})
	}
}

// TestYAMLScalars checks how YAML scalars and intrinsics become nodes.
func TestYAMLScalars(t *testing.T) {
	data := readFixture(t, "template.yaml")
	srcs, err := Extract("template.yaml", data, policy.KindUnknown)
	if err != nil {
		t.Fatal(err)
	}
	find := func(path string) *policy.Node {
		for _, s := range srcs {
			if s.Path == path {
				return s.Node
			}
		}
		t.Fatalf("no source %s", path)
		return nil
	}
	group0 := find("Resources.AdminGroup.Properties.Policies[0].PolicyDocument")
	if v := member(group0, "Version"); v == nil || v.Kind != policy.NodeString || v.Str != "2012-10-17" {
		t.Errorf("unquoted YAML Version = %+v, want string 2012-10-17", v)
	}
	cond := member(member(statement(group0, 0), "Condition"), "Bool")
	if v := member(cond, "aws:MultiFactorAuthPresent"); v == nil || v.Kind != policy.NodeString || v.Str != "false" {
		t.Errorf("quoted false = %+v", v)
	}
	group1 := find("Resources.AdminGroup.Properties.Policies[1].PolicyDocument")
	if got := member(statement(group1, 0), "Resource"); got == nil || got.Str != "arn:${Ref:AWS::Partition}:s3:::${Ref:BucketName}/*" {
		t.Errorf("!Sub resource = %+v", got)
	}
	if got := member(statement(group1, 1), "Resource"); got == nil || got.Str != "${Fn::GetAtt:Bucket.Arn}" {
		t.Errorf("!If branch resource = %+v", got)
	}
	if st := member(group1, "Statement"); len(st.Items) != 2 {
		t.Errorf("statements after !If = %d, want 2", len(st.Items))
	}
	trust := find("Resources.CliRole.Properties.AssumeRolePolicyDocument")
	v := member(member(member(statement(trust, 0), "Condition"), "BoolIfExists"), "aws:MultiFactorAuthPresent")
	if v == nil || v.Kind != policy.NodeBool || v.Str != "true" {
		t.Errorf("YAML boolean = %+v", v)
	}
	bucket := find("Resources.BucketPolicy.Properties.PolicyDocument")
	res := member(statement(bucket, 0), "Resource")
	if res == nil || len(res.Items) != 2 || res.Items[0].Str != "${Fn::GetAtt:Bucket.Arn}" || res.Items[1].Str != "${Fn::GetAtt:Bucket.Arn}/*" {
		t.Errorf("!GetAtt/!Join resources = %+v", res)
	}
	if got := res.Items[1].Pos; got != posOf(t, data, `!Join ["", [!GetAtt`, 0) {
		t.Errorf("!Join at %v", got)
	}
}

func TestYAMLScalarKinds(t *testing.T) {
	src := "Statement:\n  Effect: Allow\n  Condition:\n    Bool: {aws:SecureTransport: yes}\n    NumericLessThan: {aws:MultiFactorAuthAge: 3600}\n    Null: {aws:TokenIssueTime: ~}\n    StringEquals: {aws:userid: 'it''s', x: True, y: 1.5e3}\n"
	srcs, err := Extract("p.yaml", []byte(src), policy.KindUnknown)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("%v %v", srcs, err)
	}
	cond := member(member(srcs[0].Node, "Statement"), "Condition")
	tests := []struct {
		op, key string
		kind    policy.NodeKind
		str     string
	}{
		{"Bool", "aws:SecureTransport", policy.NodeString, "yes"},
		{"NumericLessThan", "aws:MultiFactorAuthAge", policy.NodeNumber, "3600"},
		{"Null", "aws:TokenIssueTime", policy.NodeNull, ""},
		{"StringEquals", "aws:userid", policy.NodeString, "it's"},
		{"StringEquals", "x", policy.NodeBool, "true"},
		{"StringEquals", "y", policy.NodeNumber, "1.5e3"},
	}
	for _, tt := range tests {
		v := member(member(cond, tt.op), tt.key)
		if v == nil || v.Kind != tt.kind || v.Str != tt.str {
			t.Errorf("%s %s = %+v, want %v %q", tt.op, tt.key, v, tt.kind, tt.str)
		}
	}
}

// TestYAMLColumnsNonASCII: yaml.v3 counts columns in characters; positions
// must count bytes.
func TestYAMLColumnsNonASCII(t *testing.T) {
	src := "Statement: {Sid: \"é\", Effect: Allow}\n"
	srcs, err := Extract("p.yaml", []byte(src), policy.KindUnknown)
	if err != nil {
		t.Fatal(err)
	}
	got := keyPos(member(srcs[0].Node, "Statement"), "Effect")
	want := posOf(t, []byte(src), "Effect", 0)
	if got != want {
		t.Errorf("Effect at %v, want %v", got, want)
	}
}

func TestEmbeddedPositions(t *testing.T) {
	tests := []struct {
		name, file, src string
		needle          string // where the key "Effect" must be
		approx          bool
	}{
		{"json escapes", "t.json", `{"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": "{\n\"Statement\": {\"Sid\": \"\u00e9\\u00e9\", \"Effect\": \"Allow\"}}"}}}}`, `\"Effect\"`, false},
		{"yaml double quoted", "t.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: \"{\\\"Sid\\\": \\\"\\x41\\\", \\\"Statement\\\": {\\\"Effect\\\": \\\"Allow\\\"}}\"\n", `\"Effect\"`, false},
		{"yaml single quoted", "t.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: '{\"Sid\": \"it''s\", \"Statement\": {\"Effect\": \"Allow\"}}'\n", `"Effect"`, false},
		{"yaml literal keep", "t.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: |+\n\n        {\"Statement\":\n          {\"Effect\": \"Allow\"}}\n\n", `"Effect"`, false},
		{"yaml folded", "t.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: >\n        {\"Statement\":\n          {\"Effect\": \"Allow\"}}\n", `>`, true},
		{"yaml sub", "t.yaml", "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: !Sub '{\"Statement\": {\"Effect\": \"Allow\", \"Resource\": \"arn:aws:s3:::${B}\"}}'\n", `!Sub`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, err := Extract(tt.file, []byte(tt.src), policy.KindUnknown)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) != 1 || srcs[0].Node == nil {
				t.Fatalf("sources %+v", srcs)
			}
			if srcs[0].Approximate != tt.approx {
				t.Errorf("approximate = %v", srcs[0].Approximate)
			}
			got := keyPos(member(srcs[0].Node, "Statement"), "Effect")
			if want := posOf(t, []byte(tt.src), tt.needle, 0); got != want {
				t.Errorf("Effect at %v, want %v", got, want)
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name, file, src string
		want            string // error text
	}{
		{"json", "p.json", "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}", "p.json:3:24: invalid JSON: trailing comma before '}'"},
		{"json empty", "p.json", "", "p.json:1:1: invalid JSON: empty document: expected a JSON value"},
		{"yaml", "t.yaml", "Resources:\n  X: [1,\n  Y: 2\n", "t.yaml:2:3: invalid YAML: did not find expected ',' or ']'"},
		{"yaml key", "t.yaml", "x: 1\ny: 2\n  z: 3\n", "t.yaml:3:3: invalid YAML: mapping values are not allowed in this context"},
		{"yaml first line", "t.yaml", "a: b: c\n", "t.yaml:1:1: invalid YAML: mapping values are not allowed in this context"},
		{"yaml empty", "t.yaml", "", "t.yaml:1:1: empty document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Extract(tt.file, []byte(tt.src), policy.KindUnknown)
			if err == nil {
				t.Fatal("no error")
			}
			var list policy.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want prefix %q", err, tt.want)
			}
		})
	}
}

// TestEmbeddedInvalidJSON: a policy string that is not JSON is reported on
// its source, at the exact place in the file.
func TestEmbeddedInvalidJSON(t *testing.T) {
	src := `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [` +
		`{"address": "aws_iam_policy.p", "type": "aws_iam_policy", "values": {"policy": "{\"Statement\": [1,]}"}}]}}}`
	srcs, err := Extract("plan.json", []byte(src), policy.KindUnknown)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].Err == nil || srcs[0].Node != nil {
		t.Fatalf("sources %+v", srcs)
	}
	var list policy.ErrorList
	if !errors.As(srcs[0].Err, &list) {
		t.Fatalf("%T", srcs[0].Err)
	}
	want := posOf(t, []byte(src), `]}"}}]`, 0)
	if list[0].Pos != want || list[0].File != "plan.json" {
		t.Errorf("error %v at %v, want %v", list[0], list[0].Pos, want)
	}
}

func TestTerraformDedupAndSkips(t *testing.T) {
	data := readFixture(t, "plan.json")
	srcs, err := Extract("plan.json", data, policy.KindUnknown)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		switch {
		case strings.HasPrefix(s.Path, "resource_changes"):
			t.Errorf("%s duplicates planned_values", s.Path)
		case strings.Contains(s.Path, "minified_json"):
			t.Errorf("%s duplicates json", s.Path)
		case strings.Contains(s.Path, "resources[1].values.content"):
			t.Errorf("%s: tag policies are not IAM policies", s.Path)
		}
	}
	// A policy only in resource_changes is found there.
	src := `{"format_version":"1.2","resource_changes":[{"address":"aws_iam_policy.p","type":"aws_iam_policy","change":{"actions":["update"],"after":{"policy":"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}"}}}]}`
	srcs, err = Extract("plan.json", []byte(src), policy.KindUnknown)
	if err != nil || len(srcs) != 1 || srcs[0].Path != "resource_changes[0].change.after.policy" || srcs[0].Kind != policy.KindIdentity {
		t.Errorf("resource_changes only: %+v %v", srcs, err)
	}
}

func TestGuessKind(t *testing.T) {
	tests := []struct {
		name string
		src  string
		hint policy.Kind
		want policy.Kind
	}{
		{"identity", `{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}}`, policy.KindUnknown, policy.KindIdentity},
		{"trust", `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}`, policy.KindUnknown, policy.KindTrust},
		{"trust saml", `{"Statement": {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/x"}, "Action": "sts:AssumeRoleWithSAML"}}`, policy.KindUnknown, policy.KindTrust},
		{"resource", `{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}`, policy.KindUnknown, policy.KindResource},
		{"hint wins", `{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}`, policy.KindSCP, policy.KindSCP},
		{"not an object", `[1]`, policy.KindUnknown, policy.KindIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, err := Extract("p.json", []byte(tt.src), tt.hint)
			if err != nil || len(srcs) != 1 {
				t.Fatalf("%+v %v", srcs, err)
			}
			if srcs[0].Kind != tt.want || srcs[0].Format != FormatPolicy || srcs[0].Path != "" {
				t.Errorf("got %v %s %q, want %v", srcs[0].Kind, srcs[0].Format, srcs[0].Path, tt.want)
			}
		})
	}
}

func TestAWSCLI(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		paths []string
		kinds []policy.Kind
	}{
		{"get-policy-version", `{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": []}, "VersionId": "v1", "IsDefaultVersion": true}}`,
			[]string{"PolicyVersion.Document"}, []policy.Kind{policy.KindIdentity}},
		{"get-role", `{"Role": {"RoleName": "r", "AssumeRolePolicyDocument": {"Statement": []}}}`,
			[]string{"Role.AssumeRolePolicyDocument"}, []policy.Kind{policy.KindTrust}},
		{"get-user-policy", `{"UserName": "u", "PolicyName": "p", "PolicyDocument": "%7B%22Statement%22%3A%5B%5D%7D"}`,
			[]string{"PolicyDocument"}, []policy.Kind{policy.KindIdentity}},
		{"authorization details", `{"UserDetailList": [{"UserName": "u", "UserPolicyList": [{"PolicyName": "a", "PolicyDocument": {"Statement": []}}]}],
			"RoleDetailList": [{"RoleName": "r", "AssumeRolePolicyDocument": {"Statement": []}, "RolePolicyList": []}],
			"Policies": [{"PolicyName": "m", "PolicyVersionList": [{"Document": {"Statement": []}, "IsDefaultVersion": false}, {"Document": {"Statement": []}, "IsDefaultVersion": true}]}]}`,
			[]string{"UserDetailList[0].UserPolicyList[0].PolicyDocument", "RoleDetailList[0].AssumeRolePolicyDocument", "Policies[0].PolicyVersionList[1].Document"},
			[]policy.Kind{policy.KindIdentity, policy.KindTrust, policy.KindIdentity}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, err := Extract("out.json", []byte(tt.src), policy.KindUnknown)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) != len(tt.paths) {
				t.Fatalf("got %d sources: %+v", len(srcs), srcs)
			}
			for i := range srcs {
				if srcs[i].Path != tt.paths[i] || srcs[i].Kind != tt.kinds[i] || srcs[i].Format != FormatAWSCLI || srcs[i].Node == nil {
					t.Errorf("source %d = %s %v %s err=%v", i, srcs[i].Path, srcs[i].Kind, srcs[i].Format, srcs[i].Err)
				}
			}
		})
	}
}

func TestIntrinsics(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // resolved Resource
	}{
		{"ref", "!Ref Bucket", "${Ref:Bucket}"},
		{"getatt list", "!GetAtt [Bucket, Arn]", "${Fn::GetAtt:Bucket.Arn}"},
		{"sub vars", "!Sub [\"arn:aws:s3:::${B}/${!Literal}/${X.Arn}\", {B: !Ref Name}]", "arn:aws:s3:::${Ref:Name}/${Literal}/${Fn::GetAtt:X.Arn}"},
		{"join", "!Join [\":\", [arn, aws, s3, \"\", \"\", !Ref B]]", "arn:aws:s3:::${Ref:B}"},
		{"select", "!Select [1, [a, b, c]]", "b"},
		{"if else", "!If [C, !Ref AWS::NoValue, other]", "other"},
		{"import", "!ImportValue SharedBucketArn", "${Fn::ImportValue:SharedBucketArn}"},
		{"long form", "{\"Fn::Join\": [\"\", [\"arn:aws:s3:::\", {\"Ref\": \"B\"}]]}", "arn:aws:s3:::${Ref:B}"},
		{"unknown", "!FindInMap [M, K, V]", "${Fn::FindInMap}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          Effect: Allow\n          Action: s3:*\n          Resource: " + tt.yaml + "\n"
			srcs, err := Extract("t.yaml", []byte(src), policy.KindUnknown)
			if err != nil || len(srcs) != 1 {
				t.Fatalf("%+v %v", srcs, err)
			}
			got := member(member(srcs[0].Node, "Statement"), "Resource")
			if got == nil || got.Kind != policy.NodeString || got.Str != tt.want {
				t.Errorf("Resource = %+v, want %q", got, tt.want)
			}
			if got != nil && got.Str != "b" && got.Str != "other" && !IsPlaceholder(got.Str) {
				t.Errorf("%q is not recognised as a placeholder", got.Str)
			}
		})
	}
}

func TestYAMLAnchorsAndMergeKeys(t *testing.T) {
	src := "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n" +
		"          - &base {Effect: Deny, Action: \"*\", Resource: \"*\"}\n" +
		"          - <<: *base\n            Effect: Allow\n"
	srcs, err := Extract("t.yaml", []byte(src), policy.KindUnknown)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("%+v %v", srcs, err)
	}
	s1 := statement(srcs[0].Node, 1)
	if e, _ := stringMember(s1, "Effect"); e != "Allow" {
		t.Errorf("explicit key lost to the merge: Effect %q", e)
	}
	if a, _ := stringMember(s1, "Action"); a != "*" {
		t.Errorf("merged Action %q", a)
	}
	if len(s1.Members) != 3 {
		t.Errorf("members %+v", s1.Members)
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, err := Extract("bomb.yaml", []byte(b.String()), policy.KindUnknown)
	if err == nil {
		t.Fatal("alias bomb accepted")
	}
	if !policy.IsLimit(err) || !strings.Contains(err.Error(), "the limit for YAML input") {
		t.Errorf("alias bomb: %v", err)
	}
}

// Input beyond a limit is refused with a limit error (policy.IsLimit) that
// names the file and the limit, quickly and without exhausting the stack.
func TestExtractLimits(t *testing.T) {
	deepBlock := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat(" ", i) + "k:\n")
		}
		return b.String() + strings.Repeat(" ", n) + "v\n"
	}
	cases := []struct {
		name, file, data, want string
	}{
		{"JSON nesting", "p.json", strings.Repeat("[", 1_000_000), "p.json:1:257: nesting deeper than 256 levels, the limit for JSON input"},
		{"JSON objects nesting", "p.json", strings.Repeat(`{"a":`, 300), "p.json:1:1281: nesting deeper than 256 levels, the limit for JSON input"},
		{"YAML flow nesting, a million levels", "t.yaml", strings.Repeat("[", 1_000_000), "t.yaml:1:1: nesting deeper than 256 levels, the limit for YAML input"},
		{"YAML flow nesting", "t.yaml", "a: " + strings.Repeat("[", 300) + strings.Repeat("]", 300), "t.yaml:1:1: nesting deeper than 256 levels, the limit for YAML input"},
		{"YAML block nesting", "t.yaml", deepBlock(300), "t.yaml:1:1: nesting deeper than 256 levels, the limit for YAML input"},
		{"YAML size", "t.yaml", "a: " + strings.Repeat("x", MaxYAMLBytes), "t.yaml: YAML input is larger than 2 MiB, the limit for YAML (CloudFormation accepts templates up to 1 MB)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Extract(c.file, []byte(c.data), policy.KindUnknown)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v\nwant %s", err, c.want)
			}
			if !policy.IsLimit(err) {
				t.Errorf("%v is not a limit error", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// Within the limits, nothing is refused.
	ok := "a: " + strings.Repeat("[", 200) + strings.Repeat("]", 200)
	if _, err := Extract("t.yaml", []byte(ok), policy.KindUnknown); err != nil {
		t.Errorf("200 levels: %v", err)
	}
}

// A policy embedded in a string is parsed with the same limits, and the
// error is a limit error too.
func TestEmbeddedLimits(t *testing.T) {
	plan := `{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"aws_iam_policy.p","type":"aws_iam_policy","values":{"policy":"` + strings.Repeat("[", 300) + `"}}]}}}`
	srcs, err := Extract("plan.json", []byte(plan), policy.KindUnknown)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("%v %+v", err, srcs)
	}
	if !policy.IsLimit(srcs[0].Err) || !strings.Contains(srcs[0].Err.Error(), "nesting deeper than 256 levels") {
		t.Errorf("embedded: %v", srcs[0].Err)
	}
}

func FuzzExtract(f *testing.F) {
	for _, name := range []string{"template.yaml", "template.json", "plan.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, data)
	}
	f.Add("p.json", []byte(`{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}`))
	f.Add("p.yaml", []byte("Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: |\n        {\"a\": 1}\n"))
	f.Add("p.yaml", []byte("a: !Sub [x, {y: !Ref z}]\nb: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		srcs, err := Extract(name, data, policy.KindUnknown)
		if err != nil {
			return
		}
		lines := newLineIndex(data).lineCount()
		for _, s := range srcs {
			if (s.Node == nil) == (s.Err == nil) {
				t.Fatalf("source %s: node %v, err %v", s.Path, s.Node != nil, s.Err)
			}
			checkPositions(t, s.Node, lines)
			if s.Node != nil {
				_, _ = policy.FromNodeKind(name, s.Node, s.Kind)
			}
		}
	})
}

func checkPositions(t *testing.T, n *policy.Node, lines int) {
	if n == nil {
		return
	}
	if n.Pos.Line > lines {
		t.Fatalf("position %v beyond the %d lines of the file", n.Pos, lines)
	}
	for _, m := range n.Members {
		checkPositions(t, m.Value, lines)
	}
	for _, it := range n.Items {
		checkPositions(t, it, lines)
	}
}

func TestEmbeddedSurrogatesAndCRLF(t *testing.T) {
	src := "{\r\n  \"format_version\": \"1.2\",\r\n  \"planned_values\": {\"root_module\": {\"resources\": [\r\n" +
		`    {"address": "aws_iam_policy.p", "type": "aws_iam_policy", "values": {"policy": "{\"Sid\": \"\ud83d\ude00\u00e9\\t\", \"Statement\": {\"Effect\": \"Allow\"}}"}}` +
		"\r\n  ]}}\r\n}\r\n"
	srcs, err := Extract("plan.json", []byte(src), policy.KindUnknown)
	if err != nil || len(srcs) != 1 || srcs[0].Node == nil || srcs[0].Approximate {
		t.Fatalf("%+v %v", srcs, err)
	}
	got := keyPos(member(srcs[0].Node, "Statement"), "Effect")
	if want := posOf(t, []byte(src), `\"Effect\"`, 0); got != want {
		t.Errorf("Effect at %v, want %v", got, want)
	}
	if sid, _ := stringMember(srcs[0].Node, "Sid"); sid != "😀é\t" {
		t.Errorf("Sid %q", sid)
	}
}

func TestOrganizationsKinds(t *testing.T) {
	tests := []struct {
		typ, content string
		want         policy.Kind
		found        bool
	}{
		{"SERVICE_CONTROL_POLICY", `{Statement: {Effect: Deny, Action: "*", Resource: "*"}}`, policy.KindSCP, true},
		{"RESOURCE_CONTROL_POLICY", `{Statement: {Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*"}}`, policy.KindRCP, true},
		{"!Ref PolicyType", `{Statement: {Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*"}}`, policy.KindRCP, true},
		{"!Ref PolicyType", `{Statement: {Effect: Deny, Action: "*", Resource: "*"}}`, policy.KindSCP, true},
		{"BACKUP_POLICY", `{plans: {}}`, 0, false},
	}
	for _, tt := range tests {
		src := "Resources:\n  P:\n    Type: AWS::Organizations::Policy\n    Properties:\n      Type: " + tt.typ + "\n      Content: " + tt.content + "\n"
		srcs, err := Extract("t.yaml", []byte(src), policy.KindUnknown)
		if err != nil {
			t.Fatal(err)
		}
		if !tt.found {
			if len(srcs) != 0 {
				t.Errorf("%s: %+v", tt.typ, srcs)
			}
			continue
		}
		if len(srcs) != 1 || srcs[0].Kind != tt.want || srcs[0].Path != "Resources.P.Properties.Content" {
			t.Errorf("%s: %+v", tt.typ, srcs)
		}
	}
}

func TestJoinKey(t *testing.T) {
	tests := []struct{ path, key, want string }{
		{"", "Resources", "Resources"},
		{"Resources", "My-Role_1", "Resources.My-Role_1"},
		{"values", "a.b", `values["a.b"]`},
		{"values", "with space", `values["with space"]`},
	}
	for _, tt := range tests {
		if got := joinKey(tt.path, tt.key); got != tt.want {
			t.Errorf("joinKey(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
		}
	}
}

// Each policy says how IAM stores it and with which entity's inline
// policies it is counted, when its context tells.
func TestStoreAndEntity(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	type want struct {
		path   string
		kind   policy.Kind
		store  Store
		entity string
		text   bool
	}
	cases := []struct {
		name, file, data string
		want             []want
	}{
		{"CloudFormation", "t.json", `{"Resources": {
			"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ` + trust + `, "Policies": [{"PolicyName": "a", "PolicyDocument": ` + doc + `}, {"PolicyName": "b", "PolicyDocument": ` + strconv.Quote(doc) + `}]}},
			"U": {"Type": "AWS::IAM::User", "Properties": {"Policies": [{"PolicyName": "a", "PolicyDocument": ` + doc + `}]}},
			"G": {"Type": "AWS::IAM::Group", "Properties": {"Policies": [{"PolicyName": "a", "PolicyDocument": ` + doc + `}]}},
			"M": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": ` + doc + `}},
			"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Groups": ["g"], "Roles": ["r"], "PolicyDocument": ` + doc + `}},
			"RP": {"Type": "AWS::IAM::RolePolicy", "Properties": {"PolicyDocument": ` + doc + `}}}}`, []want{
			{"Resources.R.Properties.AssumeRolePolicyDocument", policy.KindTrust, StoreUnknown, "", false},
			{"Resources.R.Properties.Policies[0].PolicyDocument", policy.KindIdentity, StoreInlineRole, "Resources.R", false},
			{"Resources.R.Properties.Policies[1].PolicyDocument", policy.KindIdentity, StoreInlineRole, "Resources.R", true},
			{"Resources.U.Properties.Policies[0].PolicyDocument", policy.KindIdentity, StoreInlineUser, "Resources.U", false},
			{"Resources.G.Properties.Policies[0].PolicyDocument", policy.KindIdentity, StoreInlineGroup, "Resources.G", false},
			{"Resources.M.Properties.PolicyDocument", policy.KindIdentity, StoreManaged, "", false},
			{"Resources.P.Properties.PolicyDocument", policy.KindIdentity, StoreInlineGroup, "", false},
			{"Resources.RP.Properties.PolicyDocument", policy.KindIdentity, StoreInlineRole, "", false},
		}},
		{"Terraform", "plan.json", `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
			{"address": "aws_iam_role.r", "type": "aws_iam_role", "values": {"assume_role_policy": ` + strconv.Quote(trust) + `, "inline_policy": [{"name": "a", "policy": ` + strconv.Quote(doc) + `}]}},
			{"address": "aws_iam_policy.m", "type": "aws_iam_policy", "values": {"policy": ` + strconv.Quote(doc) + `}},
			{"address": "aws_iam_user_policy.u", "type": "aws_iam_user_policy", "values": {"policy": ` + strconv.Quote(doc) + `}}]}}}`, []want{
			{"planned_values.root_module.resources[0].values.assume_role_policy", policy.KindTrust, StoreUnknown, "", true},
			{"planned_values.root_module.resources[0].values.inline_policy[0].policy", policy.KindIdentity, StoreInlineRole, "aws_iam_role.r", true},
			{"planned_values.root_module.resources[1].values.policy", policy.KindIdentity, StoreManaged, "", true},
			{"planned_values.root_module.resources[2].values.policy", policy.KindIdentity, StoreInlineUser, "", true},
		}},
		{"AWS CLI get-role-policy", "out.json", `{"RoleName": "r", "PolicyName": "p", "PolicyDocument": ` + doc + `}`, []want{
			{"PolicyDocument", policy.KindIdentity, StoreInlineRole, "RoleName r", false},
		}},
		{"AWS CLI authorization details", "out.json", `{"UserDetailList": [{"UserName": "u", "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": ` + doc + `}]}],
			"Policies": [{"PolicyVersionList": [{"IsDefaultVersion": true, "Document": ` + doc + `}]}]}`, []want{
			{"UserDetailList[0].UserPolicyList[0].PolicyDocument", policy.KindIdentity, StoreInlineUser, "UserDetailList[0]", false},
			{"Policies[0].PolicyVersionList[0].Document", policy.KindIdentity, StoreManaged, "", false},
		}},
		{"plain file", "p.json", "\uFEFF" + doc, []want{{"", policy.KindIdentity, StoreUnknown, "", true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srcs, err := Extract(c.file, []byte(c.data), policy.KindUnknown)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) != len(c.want) {
				t.Fatalf("%d sources, want %d", len(srcs), len(c.want))
			}
			for i, w := range c.want {
				s := srcs[i]
				if s.Path != w.path || s.Kind != w.kind || s.Store != w.store || s.Entity != w.entity || (s.Text != "") != w.text {
					t.Errorf("source %d: %s %v %v %q text %q\nwant %+v", i, s.Path, s.Kind, s.Store, s.Entity, s.Text, w)
				}
			}
		})
	}
	// The text of a plain file is the file without its byte order mark.
	srcs, _ := Extract("p.json", []byte("\uFEFF"+doc), policy.KindUnknown)
	if srcs[0].Text != doc {
		t.Errorf("text %q", srcs[0].Text)
	}
}
