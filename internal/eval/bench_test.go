package eval

import "testing"

// benchPolicy is a typical 10-statement identity policy: the AWS "manage
// your own credentials, require MFA" example plus service statements with
// conditions.
const benchPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowViewAccountInfo", "Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], "Resource": "*"},
    {"Sid": "AllowManageOwnPasswords", "Effect": "Allow", "Action": ["iam:ChangePassword", "iam:GetUser"], "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "AllowManageOwnAccessKeys", "Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"], "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow", "Action": "iam:CreateVirtualMFADevice", "Resource": "arn:aws:iam::*:mfa/*"},
    {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow", "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"], "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "AllowS3ReadWithMFA", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"],
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}},
    {"Sid": "AllowEC2InRegions", "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}, "ForAllValues:StringLike": {"aws:TagKeys": ["team*", "env"]}}},
    {"Sid": "DenyOutsideCorporateNetwork", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}, "Bool": {"aws:ViaAWSService": "false"}}},
    {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
     "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
     "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    {"Sid": "DenyOldSessions", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:00Z"}}}
  ]
}`

func benchSetup(b *testing.B) (*PolicySet, *Request) {
	set := &PolicySet{Identity: []*Policy{mustPolicy(b, "bench", benchPolicy)}}
	ctx := &Context{}
	ctx.SetString("aws:username", "alice")
	ctx.SetString("aws:MultiFactorAuthPresent", "true")
	ctx.SetString("aws:MultiFactorAuthAge", "120")
	ctx.SetString("aws:SourceIp", "203.0.113.7")
	ctx.SetString("aws:ViaAWSService", "false")
	ctx.SetString("aws:TokenIssueTime", "2024-05-01T10:00:00Z")
	ctx.SetString("aws:RequestedRegion", "eu-west-1")
	req := &Request{Principal: userARN, Action: "s3:GetObject", Resource: "arn:aws:s3:::example-bucket/report.csv", Context: ctx}
	return set, req
}

func TestBenchPolicyDecision(t *testing.T) {
	set := &PolicySet{Identity: []*Policy{mustPolicy(t, "bench", benchPolicy)}}
	_, req := benchSetup(&testing.B{})
	if d := Decide(set, req); d != Allowed {
		t.Fatalf("decision %v: %s", d, Evaluate(set, req).Reason)
	}
	allocs := testing.AllocsPerRun(200, func() { Decide(set, req) })
	if allocs != 0 {
		t.Errorf("Decide allocates %v times per call", allocs)
	}
}

func BenchmarkDecide(b *testing.B) {
	set, req := benchSetup(b)
	if Decide(set, req) != Allowed {
		b.Fatal("unexpected decision")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Decide(set, req)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	set, req := benchSetup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Evaluate(set, req)
	}
}
