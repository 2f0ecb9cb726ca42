package lint

import (
	"fmt"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// benchPolicies generates n distinct policies mixing the MFA patterns the
// rules look at (correct and broken), about five statements each.
func benchPolicies(n int) [][]byte {
	conds := []string{
		`{"Bool": {"aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}}`,
		`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`,
		`{"Null": {"aws:MultiFactorAuthPresent": "true"}}`,
		`{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}`,
		`{"ForAnyValue:StringEquals": {"aws:PrincipalType": "User"}, "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`,
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowRead%[1]d", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::bucket-%[1]d", "arn:aws:s3:::bucket-%[1]d/*"]},
    {"Sid": "AllowOwnUser", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListMFADevices", "iam:EnableMFADevice"], "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "AllowWithMFA", "Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"NumericLessThan%[2]s": {"aws:MultiFactorAuthAge": "%[3]d"}}},
    {"Sid": "DenyWithoutMFA", "Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*", "Condition": %[4]s},
    {"Sid": "DenyRegions", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}, "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
  ]
}`, i, []string{"", "IfExists"}[i%2], 900+i%3600, conds[i%len(conds)]))
	}
	return out
}

// BenchmarkLint10000 lints 10,000 policy files per iteration: parse, build
// and every rule, as LintFile does.
func BenchmarkLint10000(b *testing.B) {
	files := benchPolicies(10000)
	var bytes int64
	for _, f := range files {
		bytes += int64(len(f))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	findings := 0
	for b.Loop() {
		findings = 0
		for _, f := range files {
			fs, err := LintFile("p.json", f, Options{})
			if err != nil {
				b.Fatal(err)
			}
			findings += len(fs)
		}
	}
	if findings == 0 {
		b.Fatal("no findings: the benchmark policies are meant to trigger rules")
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "policies/s")
}

// BenchmarkLintOnly10000 measures the rules alone on 10,000 built policies.
func BenchmarkLintOnly10000(b *testing.B) {
	files := benchPolicies(10000)
	type built struct {
		src policysource.Source
		doc *policy.Document
	}
	docs := make([]built, len(files))
	for i, f := range files {
		n, err := policy.ParseJSON("p.json", f)
		if err != nil {
			b.Fatal(err)
		}
		src := policysource.Source{File: "p.json", Kind: policy.KindIdentity, Node: n}
		d, err := policy.FromNodeKind("p.json", n, src.Kind)
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = built{src, d}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			Lint(d.src, d.doc, Options{})
		}
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "policies/s")
}
