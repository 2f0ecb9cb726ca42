package eval

import (
	"encoding/json"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
)

const (
	acct    = "111122223333"
	userARN = "arn:aws:iam::111122223333:user/alice"
)

func mustDoc(t testing.TB, name, src string) *policy.Document {
	t.Helper()
	d, err := policy.Parse(name, []byte(src))
	if err != nil {
		t.Fatalf("parse %s: %v\n%s", name, err, src)
	}
	return d
}

func mustPolicy(t testing.TB, name, src string) *Policy {
	t.Helper()
	p, err := Compile(mustDoc(t, name, src))
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return p
}

func ctxOf(kv map[string][]string) *Context {
	c := &Context{}
	for k, v := range kv {
		c.Set(k, v...)
	}
	return c
}

// condAllows builds an identity policy allowing everything under one
// condition and reports whether the request is allowed, that is whether the
// condition matched.
func condAllows(t *testing.T, version, op, key string, values any, ctx map[string][]string) bool {
	t.Helper()
	vals, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	ver := ""
	if version != "" {
		ver = `"Version":"` + version + `",`
	}
	src := `{` + ver + `"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"` + op + `":{"` + key + `":` + string(vals) + `}}}]}`
	set := &PolicySet{Identity: []*Policy{mustPolicy(t, "cond", src)}}
	req := &Request{Principal: userARN, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctxOf(ctx)}
	d := Decide(set, req)
	// Evaluate must agree with Decide.
	if r := Evaluate(set, req); r.Decision != d {
		t.Fatalf("Evaluate %v != Decide %v for %s", r.Decision, d, src)
	}
	return d == Allowed
}

type condCase struct {
	name    string
	version string // default 2012-10-17
	op, key string
	values  any
	ctx     map[string][]string
	want    bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.version
			if v == "" {
				v = policy.Version2012
			}
			if v == "none" {
				v = ""
			}
			if got := condAllows(t, v, c.op, c.key, c.values, c.ctx); got != c.want {
				t.Errorf("%s %s %v with %v: got %v, want %v", c.op, c.key, c.values, c.ctx, got, c.want)
			}
		})
	}
}

func kv(k string, v ...string) map[string][]string { return map[string][]string{k: v} }

func TestStringOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "equals", op: "StringEquals", key: "s3:prefix", values: "home/", ctx: kv("s3:prefix", "home/"), want: true},
		{name: "equals case-sensitive", op: "StringEquals", key: "s3:prefix", values: "Home/", ctx: kv("s3:prefix", "home/"), want: false},
		{name: "equals OR of values", op: "StringEquals", key: "s3:prefix", values: []string{"a", "b"}, ctx: kv("s3:prefix", "b"), want: true},
		{name: "equals no wildcard", op: "StringEquals", key: "k", values: "a*", ctx: kv("k", "abc"), want: false},
		{name: "equals literal star", op: "StringEquals", key: "k", values: "a*", ctx: kv("k", "a*"), want: true},
		{name: "equals missing key", op: "StringEquals", key: "k", values: "a", ctx: nil, want: false},
		{name: "equals empty string", op: "StringEquals", key: "s3:prefix", values: "", ctx: kv("s3:prefix", ""), want: true},
		{name: "not equals", op: "StringNotEquals", key: "k", values: []string{"a", "b"}, ctx: kv("k", "c"), want: true},
		{name: "not equals is NOR", op: "StringNotEquals", key: "k", values: []string{"a", "b"}, ctx: kv("k", "b"), want: false},
		{name: "not equals missing key is true", op: "StringNotEquals", key: "k", values: "a", ctx: nil, want: true},
		{name: "ignore case", op: "StringEqualsIgnoreCase", key: "k", values: "ABC", ctx: kv("k", "abc"), want: true},
		{name: "not equals ignore case", op: "StringNotEqualsIgnoreCase", key: "k", values: "ABC", ctx: kv("k", "abc"), want: false},
		{name: "not equals ignore case other", op: "StringNotEqualsIgnoreCase", key: "k", values: "ABC", ctx: kv("k", "abd"), want: true},
		{name: "like star", op: "StringLike", key: "k", values: "home/*", ctx: kv("k", "home/bob/x"), want: true},
		{name: "like question", op: "StringLike", key: "k", values: "t?.micro", ctx: kv("k", "t2.micro"), want: true},
		{name: "like question needs one char", op: "StringLike", key: "k", values: "t?.micro", ctx: kv("k", "t.micro"), want: false},
		{name: "like case-sensitive", op: "StringLike", key: "k", values: "T*", ctx: kv("k", "t2"), want: false},
		{name: "like empty matches empty", op: "StringLike", key: "k", values: []string{"", "home/"}, ctx: kv("k", ""), want: true},
		{name: "not like", op: "StringNotLike", key: "k", values: "a*", ctx: kv("k", "ba"), want: true},
		{name: "not like missing key", op: "StringNotLike", key: "k", values: "a*", ctx: nil, want: true},
		{name: "IfExists missing", op: "StringEqualsIfExists", key: "ec2:InstanceType", values: "t2.micro", ctx: nil, want: true},
		{name: "IfExists present mismatch", op: "StringEqualsIfExists", key: "ec2:InstanceType", values: "t2.micro", ctx: kv("ec2:InstanceType", "m5.large"), want: false},
		{name: "LikeIfExists present match", op: "StringLikeIfExists", key: "ec2:InstanceType", values: []string{"t1.*", "t2.*"}, ctx: kv("ec2:InstanceType", "t2.nano"), want: true},
		{name: "NotEqualsIfExists missing", op: "StringNotEqualsIfExists", key: "k", values: "a", ctx: nil, want: true},
		{name: "case-insensitive key name", op: "StringEquals", key: "aws:PrincipalTag/Team", values: "red", ctx: kv("AWS:principaltag/team", "red"), want: true},
		{name: "values are case-sensitive", op: "StringEquals", key: "aws:PrincipalTag/Team", values: "red", ctx: kv("aws:principaltag/team", "Red"), want: false},
	})
}

func TestNumericOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "equals", op: "NumericEquals", key: "s3:max-keys", values: "10", ctx: kv("s3:max-keys", "10"), want: true},
		{name: "equals decimal", op: "NumericEquals", key: "k", values: "1.50", ctx: kv("k", "1.5"), want: true},
		{name: "less than", op: "NumericLessThan", key: "k", values: "10", ctx: kv("k", "9"), want: true},
		{name: "less than equal value", op: "NumericLessThan", key: "k", values: "10", ctx: kv("k", "10"), want: false},
		{name: "less than equals", op: "NumericLessThanEquals", key: "k", values: "10", ctx: kv("k", "10"), want: true},
		{name: "greater than", op: "NumericGreaterThan", key: "aws:MultiFactorAuthAge", values: "3600", ctx: kv("aws:MultiFactorAuthAge", "3601"), want: true},
		{name: "greater than equals", op: "NumericGreaterThanEquals", key: "k", values: "5", ctx: kv("k", "4"), want: false},
		{name: "not equals", op: "NumericNotEquals", key: "k", values: []string{"1", "2"}, ctx: kv("k", "3"), want: true},
		{name: "not equals listed", op: "NumericNotEquals", key: "k", values: []string{"1", "2"}, ctx: kv("k", "2"), want: false},
		{name: "not equals missing key", op: "NumericNotEquals", key: "k", values: "1", ctx: nil, want: true},
		{name: "missing key", op: "NumericLessThan", key: "aws:MultiFactorAuthAge", values: "3600", ctx: nil, want: false},
		{name: "IfExists missing key", op: "NumericLessThanIfExists", key: "aws:MultiFactorAuthAge", values: "3600", ctx: nil, want: true},
		{name: "request not a number", op: "NumericLessThan", key: "k", values: "10", ctx: kv("k", "abc"), want: false},
		{name: "request not a number, negated", op: "NumericNotEquals", key: "k", values: "10", ctx: kv("k", "abc"), want: false},
		{name: "policy value not a number", op: "NumericEquals", key: "k", values: []string{"x", "3"}, ctx: kv("k", "3"), want: true},
		{name: "JSON number value", op: "NumericEquals", key: "k", values: 3, ctx: kv("k", "3"), want: true},
	})
}

func TestDateOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "greater than", op: "DateGreaterThan", key: "aws:TokenIssueTime", values: "2020-01-01T00:00:01Z", ctx: kv("aws:TokenIssueTime", "2021-05-01T10:00:00Z"), want: true},
		{name: "less than", op: "DateLessThan", key: "aws:CurrentTime", values: "2020-01-01T00:00:00Z", ctx: kv("aws:CurrentTime", "2021-05-01T10:00:00Z"), want: false},
		{name: "epoch request", op: "DateGreaterThan", key: "aws:EpochTime", values: "2020-01-01T00:00:00Z", ctx: kv("aws:EpochTime", "1600000000"), want: true},
		{name: "epoch policy", op: "DateLessThan", key: "aws:CurrentTime", values: "1600000000", ctx: kv("aws:CurrentTime", "2020-09-13T12:26:39Z"), want: true},
		{name: "equals across offsets", op: "DateEquals", key: "k", values: "2020-01-01T01:00:00+01:00", ctx: kv("k", "2020-01-01T00:00:00Z"), want: true},
		{name: "date only", op: "DateGreaterThanEquals", key: "k", values: "2020-01-01", ctx: kv("k", "2020-01-01T00:00:00Z"), want: true},
		{name: "fraction", op: "DateLessThan", key: "k", values: "2020-01-01T00:00:00.5Z", ctx: kv("k", "2020-01-01T00:00:00Z"), want: true},
		{name: "less than equals", op: "DateLessThanEquals", key: "k", values: "2020-01-01T00:00:00Z", ctx: kv("k", "2020-01-01T00:00:00Z"), want: true},
		{name: "not equals", op: "DateNotEquals", key: "k", values: "2020-01-01T00:00:00Z", ctx: kv("k", "2020-01-02T00:00:00Z"), want: true},
		{name: "not equals missing key", op: "DateNotEquals", key: "k", values: "2020-01-01T00:00:00Z", ctx: nil, want: true},
		{name: "bad request date", op: "DateGreaterThan", key: "k", values: "2020-01-01T00:00:00Z", ctx: kv("k", "yesterday"), want: false},
		{name: "bad request date, negated", op: "DateNotEquals", key: "k", values: "2020-01-01T00:00:00Z", ctx: kv("k", "yesterday"), want: false},
		{name: "missing key", op: "DateGreaterThan", key: "aws:TokenIssueTime", values: "2020-01-01T00:00:00Z", ctx: nil, want: false},
	})
}

func TestBoolBinaryNullOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "bool true", op: "Bool", key: "aws:SecureTransport", values: "true", ctx: kv("aws:SecureTransport", "true"), want: true},
		{name: "bool case-insensitive", op: "Bool", key: "aws:SecureTransport", values: "True", ctx: kv("aws:SecureTransport", "TRUE"), want: true},
		{name: "bool JSON boolean", op: "Bool", key: "aws:SecureTransport", values: true, ctx: kv("aws:SecureTransport", "true"), want: true},
		{name: "bool mismatch", op: "Bool", key: "aws:SecureTransport", values: "false", ctx: kv("aws:SecureTransport", "true"), want: false},
		{name: "bool request not a bool", op: "Bool", key: "aws:SecureTransport", values: "true", ctx: kv("aws:SecureTransport", "yes"), want: false},
		{name: "bool missing", op: "Bool", key: "aws:MultiFactorAuthPresent", values: "false", ctx: nil, want: false},
		{name: "BoolIfExists missing", op: "BoolIfExists", key: "aws:MultiFactorAuthPresent", values: "false", ctx: nil, want: true},
		{name: "BoolIfExists present", op: "BoolIfExists", key: "aws:MultiFactorAuthPresent", values: "false", ctx: kv("aws:MultiFactorAuthPresent", "true"), want: false},
		{name: "bool variable", op: "Bool", key: "k", values: "${aws:x}", ctx: map[string][]string{"k": {"true"}, "aws:x": {"true"}}, want: true},
		{name: "binary equal", op: "BinaryEquals", key: "k", values: "QmluYXJ5VmFsdWVJbkJhc2U2NA==", ctx: kv("k", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="), want: true},
		{name: "binary differs", op: "BinaryEquals", key: "k", values: "QmluYXJ5VmFsdWVJbkJhc2U2NA==", ctx: kv("k", "QUJD"), want: false},
		{name: "binary missing", op: "BinaryEquals", key: "k", values: "QUJD", ctx: nil, want: false},
		{name: "null true missing", op: "Null", key: "aws:TokenIssueTime", values: "true", ctx: nil, want: true},
		{name: "null true present", op: "Null", key: "aws:TokenIssueTime", values: "true", ctx: kv("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), want: false},
		{name: "null false present", op: "Null", key: "aws:TokenIssueTime", values: "false", ctx: kv("aws:TokenIssueTime", "2020-01-01T00:00:00Z"), want: true},
		{name: "null false missing", op: "Null", key: "aws:TokenIssueTime", values: "false", ctx: nil, want: false},
		{name: "null JSON boolean", op: "Null", key: "k", values: true, ctx: nil, want: true},
	})
}

func TestIPAndArnOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "ip in range", op: "IpAddress", key: "aws:SourceIp", values: "203.0.113.0/24", ctx: kv("aws:SourceIp", "203.0.113.5"), want: true},
		{name: "ip outside", op: "IpAddress", key: "aws:SourceIp", values: "203.0.113.0/24", ctx: kv("aws:SourceIp", "198.51.100.1"), want: false},
		{name: "ip default /32", op: "IpAddress", key: "aws:SourceIp", values: "203.0.113.5", ctx: kv("aws:SourceIp", "203.0.113.5"), want: true},
		{name: "ip default /32 other", op: "IpAddress", key: "aws:SourceIp", values: "203.0.113.5", ctx: kv("aws:SourceIp", "203.0.113.6"), want: false},
		{name: "ipv6", op: "IpAddress", key: "aws:SourceIp", values: []string{"203.0.113.0/24", "2001:DB8:1234:5678::/64"}, ctx: kv("aws:SourceIp", "2001:db8:1234:5678::1"), want: true},
		{name: "v4 does not match v6 range", op: "IpAddress", key: "aws:SourceIp", values: "2001:DB8::/32", ctx: kv("aws:SourceIp", "203.0.113.1"), want: false},
		{name: "not ip", op: "NotIpAddress", key: "aws:SourceIp", values: "203.0.113.0/24", ctx: kv("aws:SourceIp", "198.51.100.1"), want: true},
		{name: "not ip inside", op: "NotIpAddress", key: "aws:SourceIp", values: "203.0.113.0/24", ctx: kv("aws:SourceIp", "203.0.113.9"), want: false},
		{name: "not ip missing key", op: "NotIpAddress", key: "aws:SourceIp", values: "203.0.113.0/24", ctx: nil, want: true},
		{name: "ip request invalid", op: "IpAddress", key: "aws:SourceIp", values: "0.0.0.0/0", ctx: kv("aws:SourceIp", "not-an-ip"), want: false},
		{name: "ip request invalid, negated", op: "NotIpAddress", key: "aws:SourceIp", values: "10.0.0.0/8", ctx: kv("aws:SourceIp", "not-an-ip"), want: false},
		// The documented ArnLike/StringLike difference.
		{name: "arnlike per component", op: "ArnLike", key: "aws:SourceArn", values: "arn:aws:someservice:*:111122223333:finance/*",
			ctx: kv("aws:SourceArn", "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"), want: false},
		{name: "stringlike spans colons", op: "StringLike", key: "aws:SourceArn", values: "arn:aws:someservice:*:111122223333:finance/*",
			ctx: kv("aws:SourceArn", "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"), want: true},
		{name: "arnlike match", op: "ArnLike", key: "aws:SourceArn", values: "arn:aws:sns:*:111122223333:topic-*", ctx: kv("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic-a"), want: true},
		{name: "arnequals takes wildcards", op: "ArnEquals", key: "aws:SourceArn", values: "arn:aws:sns:*:111122223333:topic-*", ctx: kv("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic-a"), want: true},
		{name: "arn resource part keeps colons", op: "ArnLike", key: "aws:SourceArn", values: "arn:aws:logs:*:*:log-group:app:*", ctx: kv("aws:SourceArn", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:x"), want: true},
		{name: "arn case-sensitive", op: "ArnLike", key: "aws:PrincipalArn", values: "arn:aws:iam::111122223333:role/Admin", ctx: kv("aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin"), want: false},
		{name: "arn not like", op: "ArnNotLike", key: "aws:PrincipalArn", values: "arn:aws:iam::*:role/Admin*", ctx: kv("aws:PrincipalArn", "arn:aws:iam::111122223333:user/bob"), want: true},
		{name: "arn not like missing", op: "ArnNotLike", key: "aws:PrincipalArn", values: "arn:aws:iam::*:role/Admin*", ctx: nil, want: true},
		{name: "arn request not an arn", op: "ArnLike", key: "aws:SourceArn", values: "arn:aws:*:*:*:*", ctx: kv("aws:SourceArn", "nope"), want: false},
		{name: "arn request not an arn, negated", op: "ArnNotEquals", key: "aws:SourceArn", values: "arn:aws:*:*:*:*", ctx: kv("aws:SourceArn", "nope"), want: false},
	})
}

func TestSetOperators(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "all: every value listed", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: []string{"a", "b"}, ctx: kv("aws:TagKeys", "a", "b"), want: true},
		{name: "all: one value not listed", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: []string{"a", "b"}, ctx: kv("aws:TagKeys", "a", "c"), want: false},
		{name: "all: missing key", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: nil, want: true},
		{name: "all: empty set", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys"), want: true},
		{name: "all: empty string", op: "ForAllValues:StringEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys", ""), want: true},
		{name: "all: like", op: "ForAllValues:StringLike", key: "dynamodb:requestedAttributes", values: []string{"PostDateTime", "Message", "Tags"}, ctx: kv("dynamodb:requestedAttributes", "PostDateTime", "UserName"), want: false},
		{name: "any: one matches", op: "ForAnyValue:StringLike", key: "dynamodb:requestedAttributes", values: []string{"ID", "PostDateTime"}, ctx: kv("dynamodb:requestedAttributes", "UserName", "Message", "PostDateTime"), want: true},
		{name: "any: none matches", op: "ForAnyValue:StringLike", key: "dynamodb:requestedAttributes", values: []string{"ID", "PostDateTime"}, ctx: kv("dynamodb:requestedAttributes", "UserName"), want: false},
		{name: "any: missing key", op: "ForAnyValue:StringEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: nil, want: false},
		{name: "any: empty set", op: "ForAnyValue:StringEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys"), want: false},
		{name: "any: empty string", op: "ForAnyValue:StringEquals", key: "aws:TagKeys", values: []string{""}, ctx: kv("aws:TagKeys", ""), want: false},
		{name: "any IfExists: missing key is still false", op: "ForAnyValue:StringEqualsIfExists", key: "aws:TagKeys", values: []string{"a"}, ctx: nil, want: false},
		{name: "any IfExists: present", op: "ForAnyValue:StringEqualsIfExists", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys", "b", "a"), want: true},
		{name: "all IfExists: missing key", op: "ForAllValues:StringNotLikeIfExists", key: "aws:TagKeys", values: []string{"a*"}, ctx: nil, want: true},
		{name: "all negated: none listed", op: "ForAllValues:StringNotEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys", "b", "c"), want: true},
		{name: "all negated: one listed", op: "ForAllValues:StringNotEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys", "a", "b"), want: false},
		{name: "all negated: missing key", op: "ForAllValues:StringNotEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: nil, want: true},
		{name: "any negated: one unlisted", op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys", "a", "b"), want: true},
		{name: "any negated: all listed", op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: kv("aws:TagKeys", "a"), want: false},
		{name: "any negated: missing key", op: "ForAnyValue:StringNotEquals", key: "aws:TagKeys", values: []string{"a"}, ctx: nil, want: false},
		{name: "all numeric", op: "ForAllValues:NumericLessThan", key: "k", values: "10", ctx: kv("k", "1", "9"), want: true},
		{name: "all numeric, one unparsable", op: "ForAllValues:NumericLessThan", key: "k", values: "10", ctx: kv("k", "1", "x"), want: false},
		{name: "any arn", op: "ForAnyValue:ArnLike", key: "k", values: "arn:aws:iam::*:role/x", ctx: kv("k", "nope", "arn:aws:iam::1:role/x"), want: true},
		// Multivalued keys without a set operator.
		{name: "multivalued without set operator", op: "StringEquals", key: "aws:CalledVia", values: "athena.amazonaws.com", ctx: kv("aws:CalledVia", "athena.amazonaws.com", "glue.amazonaws.com"), want: false},
		{name: "multivalued without set operator, negated", op: "StringNotEquals", key: "aws:CalledVia", values: "x", ctx: kv("aws:CalledVia", "athena.amazonaws.com", "glue.amazonaws.com"), want: false},
		{name: "single-element list is the value", op: "StringEquals", key: "aws:CalledVia", values: "athena.amazonaws.com", ctx: kv("aws:CalledVia", "athena.amazonaws.com"), want: true},
		{name: "single-valued key with set operator", op: "ForAnyValue:StringEquals", key: "aws:username", values: "bob", ctx: kv("aws:username", "bob"), want: true},
	})
}

func TestPolicyVariablesInConditions(t *testing.T) {
	runCondCases(t, []condCase{
		{name: "variable resolves", op: "StringEquals", key: "aws:PrincipalTag/owner", values: "${aws:username}", ctx: map[string][]string{"aws:PrincipalTag/owner": {"bob"}, "aws:username": {"bob"}}, want: true},
		{name: "variable differs", op: "StringEquals", key: "aws:PrincipalTag/owner", values: "${aws:username}", ctx: map[string][]string{"aws:PrincipalTag/owner": {"bob"}, "aws:username": {"eve"}}, want: false},
		{name: "variable key case-insensitive", op: "StringEquals", key: "k", values: "${AWS:UserName}", ctx: map[string][]string{"k": {"bob"}, "aws:username": {"bob"}}, want: true},
		{name: "variable inside like", op: "StringLike", key: "s3:prefix", values: "home/${aws:username}/*", ctx: map[string][]string{"s3:prefix": {"home/bob/docs"}, "aws:username": {"bob"}}, want: true},
		{name: "variable value is literal", op: "StringLike", key: "s3:prefix", values: "home/${aws:username}", ctx: map[string][]string{"s3:prefix": {"home/bob"}, "aws:username": {"*"}}, want: false},
		{name: "old version: literal", version: policy.Version2008, op: "StringEquals", key: "k", values: "${aws:username}", ctx: map[string][]string{"k": {"bob"}, "aws:username": {"bob"}}, want: false},
		{name: "old version: literal text matches", version: policy.Version2008, op: "StringEquals", key: "k", values: "${aws:username}", ctx: kv("k", "${aws:username}"), want: true},
		{name: "no version: literal", version: "none", op: "StringEquals", key: "k", values: "${aws:username}", ctx: map[string][]string{"k": {"bob"}, "aws:username": {"bob"}}, want: false},
		{name: "default used", op: "StringEquals", key: "k", values: "${aws:PrincipalTag/team, 'company-wide'}", ctx: kv("k", "company-wide"), want: true},
		{name: "default not used when present", op: "StringEquals", key: "k", values: "${aws:PrincipalTag/team, 'company-wide'}", ctx: map[string][]string{"k": {"company-wide"}, "aws:PrincipalTag/team": {"red"}}, want: false},
		{name: "escaped star is literal", op: "StringLike", key: "k", values: "a${*}", ctx: kv("k", "a*"), want: true},
		{name: "escaped star is not a wildcard", op: "StringLike", key: "k", values: "a${*}", ctx: kv("k", "ab"), want: false},
		{name: "escaped question and dollar", op: "StringEquals", key: "k", values: "${?}${$}", ctx: kv("k", "?$"), want: true},
		{name: "unresolved matches nothing", op: "StringEquals", key: "k", values: "${aws:username}", ctx: kv("k", ""), want: false},
		{name: "unresolved, other value still matches", op: "StringEquals", key: "k", values: []string{"${aws:username}", "x"}, ctx: kv("k", "x"), want: true},
		{name: "unresolved in negated operator", op: "StringNotEquals", key: "k", values: "${aws:username}", ctx: kv("k", "x"), want: true},
		{name: "multivalued key is no variable", op: "StringEquals", key: "k", values: "${aws:TagKeys}", ctx: map[string][]string{"k": {"a"}, "aws:TagKeys": {"a", "b"}}, want: false},
		{name: "arn variable", op: "ArnEquals", key: "aws:SourceArn", values: "arn:aws:iam::${aws:PrincipalAccount}:role/x", ctx: map[string][]string{"aws:SourceArn": {"arn:aws:iam::111122223333:role/x"}, "aws:PrincipalAccount": {"111122223333"}}, want: true},
		{name: "variables not in numeric", op: "NumericEquals", key: "k", values: "${aws:x}", ctx: map[string][]string{"k": {"1"}, "aws:x": {"1"}}, want: false},
	})
}

func TestMultipleConditionsAreANDed(t *testing.T) {
	src := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
		"StringEquals":{"aws:username":"bob","aws:PrincipalTag/team":["red","blue"]},
		"Bool":{"aws:SecureTransport":"true"}}}]}`
	set := &PolicySet{Identity: []*Policy{mustPolicy(t, "and", src)}}
	cases := []struct {
		ctx  map[string][]string
		want Decision
	}{
		{map[string][]string{"aws:username": {"bob"}, "aws:PrincipalTag/team": {"blue"}, "aws:SecureTransport": {"true"}}, Allowed},
		{map[string][]string{"aws:username": {"bob"}, "aws:PrincipalTag/team": {"green"}, "aws:SecureTransport": {"true"}}, ImplicitDeny},
		{map[string][]string{"aws:username": {"bob"}, "aws:PrincipalTag/team": {"red"}, "aws:SecureTransport": {"false"}}, ImplicitDeny},
		{map[string][]string{"aws:PrincipalTag/team": {"red"}, "aws:SecureTransport": {"true"}}, ImplicitDeny},
	}
	for i, c := range cases {
		req := &Request{Principal: userARN, Action: "s3:GetObject", Resource: "*", Context: ctxOf(c.ctx)}
		if got := Decide(set, req); got != c.want {
			t.Errorf("case %d: got %v, want %v", i, got, c.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	good := map[string]int64{
		"2020":                      1577836800,
		"2020-02":                   1580515200,
		"2020-02-29":                1582934400,
		"2020-01-01T00:00Z":         1577836800,
		"2020-01-01T00:00:00Z":      1577836800,
		"2020-01-01T00:00:00.123Z":  1577836800,
		"2020-01-01T02:00:00+02:00": 1577836800,
		"2019-12-31T22:00:00-02:00": 1577836800,
		"2020-01-01T00:00:00":       1577836800,
		"1577836800":                1577836800,
		"0":                         0,
	}
	for s, want := range good {
		got, ok := parseDate(s)
		if !ok || got.Unix() != want {
			t.Errorf("parseDate(%q) = %v, %v; want %d", s, got.Unix(), ok, want)
		}
	}
	for _, s := range []string{"", "-", "2019-02-29", "2020-13-01", "2020-01-01T25:00Z", "2020-01-01X", "2020-01-01T00:00:00+5", "yesterday", "2020-1-1"} {
		if _, ok := parseDate(s); ok {
			t.Errorf("parseDate(%q) accepted", s)
		}
	}
}
