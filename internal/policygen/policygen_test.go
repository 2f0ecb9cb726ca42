package policygen

import (
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
)

func TestGenerateParsesBackUnderItsKind(t *testing.T) {
	cases := []Options{
		{Template: DenyWithoutMFA},
		{Template: DenyWithoutMFA, MaxMFAAge: 3600},
		{Template: SelfManageMFA},
		{Template: SelfManageMFA, MaxMFAAge: 900, Partition: "aws-us-gov"},
		{Template: TrustRequireMFA, Principals: []string{"arn:aws:iam::123456789012:user/anika"}},
		{Template: TrustRequireMFA, Principals: []string{"123456789012", "arn:aws:iam::210987654321:role/ci"}, MaxMFAAge: 3600},
	}
	for _, o := range cases {
		doc, err := Generate(o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		js := policy.Format(doc)
		back, err := policy.ParseKind("gen.json", js, Kind(o.Template))
		if err != nil {
			t.Fatalf("%+v: generated policy does not parse as %v: %v\n%s", o, Kind(o.Template), err, js)
		}
		if got := string(policy.Format(back)); got != string(js) {
			t.Errorf("%+v: round trip differs:\n%s\nvs\n%s", o, got, js)
		}
	}
}

func TestGenerateContent(t *testing.T) {
	doc, err := Generate(Options{Template: DenyWithoutMFA, MaxMFAAge: 600})
	if err != nil {
		t.Fatal(err)
	}
	js := string(policy.Format(doc))
	for _, want := range []string{`"BoolIfExists"`, `"aws:MultiFactorAuthPresent": "false"`, `"NumericGreaterThanIfExists"`, `"aws:MultiFactorAuthAge": "600"`, `"sts:GetSessionToken"`, `"iam:EnableMFADevice"`} {
		if !strings.Contains(js, want) {
			t.Errorf("deny-without-mfa lacks %s:\n%s", want, js)
		}
	}
	if strings.Contains(js, `"Bool":`) {
		t.Errorf("deny-without-mfa must not use Bool (long-term keys walk through):\n%s", js)
	}

	doc, err = Generate(Options{Template: TrustRequireMFA, Principals: []string{"123456789012"}, MaxMFAAge: 3600})
	if err != nil {
		t.Fatal(err)
	}
	js = string(policy.Format(doc))
	for _, want := range []string{`"arn:aws:iam::123456789012:root"`, `"Bool"`, `"aws:MultiFactorAuthPresent": "true"`, `"NumericLessThan"`} {
		if !strings.Contains(js, want) {
			t.Errorf("trust-require-mfa lacks %s:\n%s", want, js)
		}
	}
	if strings.Contains(js, "IfExists") {
		t.Errorf("an Allow must not use IfExists on MFA keys (admits long-term keys):\n%s", js)
	}
}

func TestGenerateErrors(t *testing.T) {
	cases := []struct {
		o    Options
		want string
	}{
		{Options{Template: "nope"}, "unknown template"},
		{Options{Template: TrustRequireMFA}, "needs at least one --principal"},
		{Options{Template: TrustRequireMFA, Principals: []string{"anika"}}, `"anika" is not an account id`},
		{Options{Template: TrustRequireMFA, Principals: []string{"arn:aws:iam::12345:user/x"}}, "is not an account id"},
		{Options{Template: DenyWithoutMFA, Principals: []string{"123456789012"}}, "applies only to trust-require-mfa"},
		{Options{Template: DenyWithoutMFA, MaxMFAAge: -1}, "positive number"},
	}
	for _, c := range cases {
		_, err := Generate(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.o, err, c.want)
		}
	}
}

func TestRenderTerraformEscapesPolicyVariables(t *testing.T) {
	doc, err := Generate(Options{Template: SelfManageMFA})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Render(doc, policy.KindIdentity, FormatTerraform, "SelfManageMFA")
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		`resource "aws_iam_policy" "self_manage_mfa" {`,
		`policy = jsonencode({`,
		`"arn:aws:iam::*:user/$${aws:username}"`,
		`"aws:MultiFactorAuthPresent" = "true"`,
		`Version = "2012-10-17"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("terraform output lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, `/${aws:username}`) {
		t.Errorf("unescaped policy variable would be interpolated by Terraform:\n%s", s)
	}
	if strings.Count(s, "{") != strings.Count(s, "}") || strings.Count(s, "[") != strings.Count(s, "]") {
		t.Errorf("unbalanced HCL:\n%s", s)
	}
}

func TestRenderTrustFormats(t *testing.T) {
	doc, err := Generate(Options{Template: TrustRequireMFA, Principals: []string{"arn:aws:iam::123456789012:user/anika"}})
	if err != nil {
		t.Fatal(err)
	}
	tf, err := Render(doc, policy.KindTrust, FormatTerraform, "cli-role")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(tf), `resource "aws_iam_role" "cli_role"`) || !strings.Contains(string(tf), "assume_role_policy = jsonencode(") {
		t.Errorf("terraform trust output:\n%s", tf)
	}
	cfn, err := Render(doc, policy.KindTrust, FormatCloudFormation, "cli-role")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Type: AWS::IAM::Role", "AssumeRolePolicyDocument:", `Version: "2012-10-17"`, `aws:MultiFactorAuthPresent: "true"`, "CliRole:"} {
		if !strings.Contains(string(cfn), want) {
			t.Errorf("cloudformation lacks %q:\n%s", want, cfn)
		}
	}
	if _, err := Render(doc, policy.KindTrust, "xml", "x"); err == nil {
		t.Error("unknown format accepted")
	}
}
