package simulate

// A seeded generator of random simulate Inputs for differential testing
// against an independent IAM engine (see oracle_test.go).
//
// Every generated input is meant to be valid for AWS and for the oracle:
// real actions with resource ARNs of the right type, context keys that the
// action accepts (the oracle silently drops any other key), values of the
// key's type, condition operators that suit the key's type, dates compared
// in one format, no wildcards in an ARN's resource-type prefix, and policy
// variables only in the resource part of an ARN and in String/Arn
// conditions.
//
// Case i of seed s is a pure function of (s, i): rgCase(s, i) regenerates it
// alone, which is how a reported mismatch is reproduced.

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
)

const (
	rgAcctA = "111122223333" // the principal's home account in most cases
	rgAcctB = "444455556666" // another account
)

// rgKeyType is the type of a condition key, which decides the operators and
// values that suit it.
type rgKeyType int

const (
	rgString rgKeyType = iota
	rgARN
	rgNumeric
	rgDateISO   // ISO 8601 dates, in the request and in policies
	rgDateEpoch // epoch seconds, in the request and in policies
	rgBool
	rgIP
	rgList   // multivalued string key
	rgBinary // base64 string compared with BinaryEquals
)

// rgKey is a condition key with a pool of values. Policy values are drawn
// from the same pool (or patterns built from it) so that conditions match
// about as often as not.
type rgKey struct {
	name string
	typ  rgKeyType
	pool []string
}

// Global condition keys that any action accepts. Principal-derived keys
// (aws:PrincipalArn, aws:username, ...) are set from the principal.
var rgGlobalKeys = []rgKey{
	{"aws:MultiFactorAuthPresent", rgBool, []string{"true", "false"}},
	{"aws:SecureTransport", rgBool, []string{"true", "false"}},
	{"aws:ViaAWSService", rgBool, []string{"true", "false"}},
	{"aws:MultiFactorAuthAge", rgNumeric, []string{"0", "30", "900", "3600", "3600.5", "86400"}},
	{"aws:CurrentTime", rgDateISO, []string{"2024-01-01T00:00:00Z", "2024-06-15T12:00:00Z", "2024-06-15T14:00:00+02:00", "2024-06-15T12:00:00.250Z", "2025-01-01T00:00:00Z"}},
	{"aws:EpochTime", rgDateEpoch, []string{"1704067200", "1718452800", "1735689600"}},
	{"aws:TokenIssueTime", rgDateISO, []string{"2024-06-15T11:00:00Z", "2024-06-15T12:00:00Z", "2024-06-16"}},
	{"aws:SourceIp", rgIP, []string{"203.0.113.7", "198.51.100.20", "10.1.2.3", "2001:db8::1", "2001:db8:1::5"}},
	{"aws:PrincipalTag/team", rgString, []string{"dev", "ops", "Dev"}},
	{"aws:RequestTag/env", rgString, []string{"dev", "prod", "Prod", "test"}},
	{"aws:TagKeys", rgList, []string{"env", "team", "owner", "Env"}},
	{"aws:PrincipalOrgID", rgString, []string{"o-abc123", "o-zzz999"}},
	{"aws:PrincipalOrgPaths", rgList, []string{"o-abc123/r-ab12/ou-ab12-11111111/", "o-abc123/r-ab12/ou-ab12-22222222/", "o-zzz999/r-zz99/"}},
	{"aws:SourceArn", rgARN, []string{"arn:aws:sns:us-east-1:111122223333:alerts", "arn:aws:s3:::bucket-a", "arn:aws:lambda:us-west-2:444455556666:function:resize"}},
	{"aws:SourceAccount", rgString, []string{rgAcctA, rgAcctB}},
	{"aws:RequestedRegion", rgString, []string{"us-east-1", "eu-west-1", "us-west-2"}},
	{"aws:CalledVia", rgList, []string{"cloudformation.amazonaws.com", "athena.amazonaws.com"}},
	// "*", "?" and "$" in a value are written ${*}, ${?} and ${$} in
	// policies that must match them literally.
	{"aws:UserAgent", rgString, []string{"aws-cli/2.15.0 Python/3.11", "Boto3/1.34.0", "console.amazonaws.com", "agent*v1?$x"}},
	{"aws:SourceVpce", rgString, []string{"vpce-1a2b3c4d", "vpce-9z8y7x6w"}},
	{"aws:RequestTag/blob", rgBinary, []string{"aGVsbG8=", "d29ybGQ=", "QUJD"}},
}

// Keys that only some resources accept (the oracle drops aws:ResourceTag for
// S3 buckets without ABAC).
var rgResourceTagKey = rgKey{"aws:ResourceTag/project", rgString, []string{"dev", "apollo", "ops"}}

// rgAction is an action the generator requests, with resource ARNs of the
// type the action takes and the service-specific keys it accepts.
type rgAction struct {
	name         string
	weight       int
	wildcardOnly bool     // the action takes no resource: the request resource is "*"
	resources    []string // request resource ARNs
	resPolicy    bool     // the resource type has resource-based policies
	trust        bool     // the resource policy is a role trust policy (no Resource element)
	keys         []rgKey  // service-specific keys
	resourceTags bool     // accepts aws:ResourceTag/...
	siblings     []string // other actions of the service
}

var rgS3Objects = []string{"arn:aws:s3:::bucket-a/home/alice/notes.txt", "arn:aws:s3:::bucket-a/public/index.html", "arn:aws:s3:::bucket-b/data/2024/report.csv"}
var rgS3Common = []rgKey{
	{"s3:TlsVersion", rgNumeric, []string{"1.2", "1.3"}},
	{"s3:authType", rgString, []string{"REST-HEADER", "REST-QUERY-STRING"}},
	{"s3:signatureAge", rgNumeric, []string{"1000", "600000"}},
}

var rgActions = []rgAction{
	{name: "s3:GetObject", weight: 10, resources: rgS3Objects, resPolicy: true,
		keys:     append([]rgKey{{"s3:ExistingObjectTag/classification", rgString, []string{"public", "secret"}}}, rgS3Common...),
		siblings: []string{"s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetObjectAcl"}},
	{name: "s3:PutObject", weight: 6, resources: rgS3Objects, resPolicy: true,
		keys: append([]rgKey{
			{"s3:x-amz-acl", rgString, []string{"private", "public-read", "bucket-owner-full-control"}},
			{"s3:x-amz-server-side-encryption", rgString, []string{"AES256", "aws:kms"}},
			{"s3:RequestObjectTagKeys", rgList, []string{"env", "team", "owner"}},
		}, rgS3Common...),
		siblings: []string{"s3:GetObject", "s3:ListBucket", "s3:DeleteObject"}},
	{name: "s3:ListBucket", weight: 6, resources: []string{"arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b"}, resPolicy: true,
		keys: append([]rgKey{
			{"s3:prefix", rgString, []string{"home/alice/", "home/bob/", "public/", ""}},
			{"s3:max-keys", rgNumeric, []string{"10", "100", "1000"}},
			{"s3:delimiter", rgString, []string{"/", "-"}},
		}, rgS3Common...),
		siblings: []string{"s3:GetObject", "s3:PutObject", "s3:ListAllMyBuckets"}},
	{name: "s3:DeleteObject", weight: 3, resources: rgS3Objects, resPolicy: true, keys: rgS3Common,
		siblings: []string{"s3:GetObject", "s3:PutObject"}},
	{name: "iam:ListUsers", weight: 6, wildcardOnly: true,
		siblings: []string{"iam:GetUser", "iam:ListRoles", "iam:CreateAccessKey"}},
	{name: "iam:GetUser", weight: 4, resources: []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/division/bob"},
		siblings: []string{"iam:ListUsers", "iam:CreateAccessKey", "iam:DeleteUser"}},
	{name: "iam:CreateAccessKey", weight: 3, resources: []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/division/bob"},
		siblings: []string{"iam:ListUsers", "iam:GetUser", "iam:DeleteAccessKey"}},
	{name: "iam:DeactivateMFADevice", weight: 3, resources: []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/division/bob"},
		siblings: []string{"iam:EnableMFADevice", "iam:ListMFADevices", "iam:GetUser"}},
	{name: "iam:PassRole", weight: 3, resources: []string{"arn:aws:iam::111122223333:role/Deployer", "arn:aws:iam::111122223333:role/service/Worker"},
		keys:     []rgKey{{"iam:PassedToService", rgString, []string{"ec2.amazonaws.com", "lambda.amazonaws.com"}}},
		siblings: []string{"iam:GetRole", "iam:CreateRole"}},
	{name: "sts:AssumeRole", weight: 6, resources: []string{"arn:aws:iam::111122223333:role/Deployer", "arn:aws:iam::444455556666:role/Auditor"}, resPolicy: true, trust: true,
		keys: []rgKey{
			{"sts:ExternalId", rgString, []string{"ext-123", "ext-999"}},
			{"sts:RoleSessionName", rgString, []string{"alice", "bob-session"}},
			{"sts:TransitiveTagKeys", rgList, []string{"env", "team"}},
		},
		siblings: []string{"sts:TagSession", "sts:AssumeRoleWithSAML", "sts:GetSessionToken"}},
	{name: "sts:GetSessionToken", weight: 2, wildcardOnly: true,
		siblings: []string{"sts:AssumeRole", "sts:GetFederationToken"}},
	{name: "sts:GetCallerIdentity", weight: 1, wildcardOnly: true,
		siblings: []string{"sts:AssumeRole", "sts:GetSessionToken"}},
	{name: "ec2:DescribeRegions", weight: 4, wildcardOnly: true,
		keys:     []rgKey{{"ec2:Region", rgString, []string{"us-east-1", "eu-west-1"}}},
		siblings: []string{"ec2:DescribeInstances", "ec2:TerminateInstances", "ec2:RunInstances"}},
	{name: "ec2:TerminateInstances", weight: 4, resources: []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0", "arn:aws:ec2:eu-west-1:111122223333:instance/i-0fedcba9876543210"},
		keys: []rgKey{
			{"ec2:Region", rgString, []string{"us-east-1", "eu-west-1"}},
			{"ec2:InstanceType", rgString, []string{"t3.micro", "m5.large"}},
		},
		resourceTags: true,
		siblings:     []string{"ec2:StopInstances", "ec2:DescribeInstances", "ec2:RunInstances"}},
	{name: "kms:Decrypt", weight: 3, resources: []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, resPolicy: true,
		keys: []rgKey{
			{"kms:EncryptionContextKeys", rgList, []string{"project", "tenant"}},
			{"kms:ViaService", rgString, []string{"s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"}},
			{"kms:CallerAccount", rgString, []string{rgAcctA, rgAcctB}},
		},
		siblings: []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"}},
	{name: "sqs:SendMessage", weight: 3, resources: []string{"arn:aws:sqs:us-east-1:111122223333:orders", "arn:aws:sqs:eu-west-1:444455556666:audit"}, resPolicy: true,
		siblings: []string{"sqs:ReceiveMessage", "sqs:DeleteMessage"}},
	{name: "dynamodb:GetItem", weight: 3, resources: []string{"arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "arn:aws:dynamodb:us-east-1:111122223333:table/dev"}, resPolicy: true,
		keys: []rgKey{
			{"dynamodb:LeadingKeys", rgList, []string{"alice", "bob", "AIDAEXAMPLEALICE"}},
			{"dynamodb:Attributes", rgList, []string{"id", "name", "secret"}},
		},
		resourceTags: true,
		siblings:     []string{"dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan"}},
	{name: "secretsmanager:GetSecretValue", weight: 3, resources: []string{"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"}, resPolicy: true,
		keys:         []rgKey{{"secretsmanager:VersionStage", rgString, []string{"AWSCURRENT", "AWSPREVIOUS"}}},
		resourceTags: true,
		siblings:     []string{"secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue"}},
	{name: "lambda:InvokeFunction", weight: 3, resources: []string{"arn:aws:lambda:us-east-1:111122223333:function:resize", "arn:aws:lambda:us-west-2:444455556666:function:report"}, resPolicy: true,
		siblings: []string{"lambda:GetFunction", "lambda:UpdateFunctionCode"}},
	{name: "sns:Publish", weight: 3, resources: []string{"arn:aws:sns:us-east-1:111122223333:alerts"}, resPolicy: true,
		siblings: []string{"sns:Subscribe", "sns:GetTopicAttributes"}},
}

// Services whose actions resource control policies may name.
var rgRCPServices = map[string]bool{"s3": true, "sts": true, "sqs": true, "kms": true, "secretsmanager": true, "dynamodb": true}

// Actions from other services, for statements that should not match.
var rgForeignActions = []string{"ec2:StartInstances", "s3:GetBucketPolicy", "iam:DeleteRole", "sqs:CreateQueue", "kms:Encrypt", "logs:PutLogEvents", "dynamodb:DeleteTable"}

// rgPrincipal is a caller.
type rgPrincipal struct {
	arn     string
	account string
	// kind is "user", "session" (assumed role), "federated", "root",
	// "service" (an AWS service principal) or "anonymous".
	kind     string
	roleARN  string // the role of a session
	userName string // IAM user name (users only)
	userID   string
	ptype    string // aws:PrincipalType
}

var rgPrincipals = []rgPrincipal{
	{arn: "arn:aws:iam::111122223333:user/alice", account: rgAcctA, kind: "user", userName: "alice", userID: "AIDAEXAMPLEALICE", ptype: "User"},
	{arn: "arn:aws:iam::111122223333:user/division/bob", account: rgAcctA, kind: "user", userName: "bob", userID: "AIDAEXAMPLEBOB", ptype: "User"},
	{arn: "arn:aws:sts::111122223333:assumed-role/Deployer/alice-session", account: rgAcctA, kind: "session", roleARN: "arn:aws:iam::111122223333:role/Deployer", userID: "AROAEXAMPLEDEPLOY:alice-session", ptype: "AssumedRole"},
	{arn: "arn:aws:sts::111122223333:federated-user/carol", account: rgAcctA, kind: "federated", userID: "111122223333:carol", ptype: "FederatedUser"},
	{arn: "arn:aws:iam::444455556666:user/mallory", account: rgAcctB, kind: "user", userName: "mallory", userID: "AIDAEXAMPLEMALLORY", ptype: "User"},
	{arn: "arn:aws:sts::444455556666:assumed-role/Auditor/audit-1", account: rgAcctB, kind: "session", roleARN: "arn:aws:iam::444455556666:role/Auditor", userID: "AROAEXAMPLEAUDIT:audit-1", ptype: "AssumedRole"},
	{arn: "arn:aws:iam::111122223333:root", account: rgAcctA, kind: "root", userID: rgAcctA, ptype: "Account"},
	{arn: "sns.amazonaws.com", kind: "service"},
	{arn: "anonymous", kind: "anonymous"},
}

// rgGen generates one case.
type rgGen struct {
	r      *rand.Rand
	act    *rgAction
	prin   rgPrincipal
	res    string
	resAcc string         // the account that owns the resource
	keys   []rgKey        // keys the action accepts
	ctx    map[string]any // canonical key name -> value (present keys only)
	// ctxName maps a canonical key name to the (case-varied) name used in the request.
	ctxName map[string]string
}

// rgCaseSeed derives the seed of case i from the run seed (splitmix64).
func rgCaseSeed(seed int64, i int) int64 {
	z := uint64(seed) + uint64(i+1)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return int64(z ^ (z >> 31))
}

// rgCase generates case i of the run with the given seed.
func rgCase(seed int64, i int) *Input {
	g := &rgGen{r: rand.New(rand.NewSource(rgCaseSeed(seed, i)))}
	return g.input()
}

// rgCases generates n cases.
func rgCases(seed int64, n int) []*Input {
	out := make([]*Input, n)
	for i := range out {
		out[i] = rgCase(seed, i)
	}
	return out
}

func (g *rgGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *rgGen) pick(xs []string) string { return xs[g.r.Intn(len(xs))] }

// varyCase changes the case of some letters (for names AWS matches
// case-insensitively).
func (g *rgGen) varyCase(s string) string {
	switch g.r.Intn(4) {
	case 0:
		return strings.ToLower(s)
	case 1:
		return strings.ToUpper(s)
	case 2:
		b := []byte(s)
		for i, c := range b {
			if g.chance(0.3) {
				if c >= 'a' && c <= 'z' {
					b[i] = c - 32
				} else if c >= 'A' && c <= 'Z' {
					b[i] = c + 32
				}
			}
		}
		return string(b)
	}
	return s
}

func (g *rgGen) input() *Input {
	total := 0
	for _, a := range rgActions {
		total += a.weight
	}
	n := g.r.Intn(total)
	for i := range rgActions {
		if n < rgActions[i].weight {
			g.act = &rgActions[i]
			break
		}
		n -= rgActions[i].weight
	}
	// Callers from the resource's usual account are more common.
	for {
		g.prin = rgPrincipals[g.weighted([]int{5, 3, 5, 3, 2, 2, 1, 1, 1})]
		if g.callerFits() {
			break
		}
	}
	if g.act.wildcardOnly {
		g.res = "*"
	} else {
		g.res = g.pick(g.act.resources)
	}
	in := &Input{}
	in.Request.Principal = g.prin.arn
	in.Request.Action = g.act.name
	if g.chance(0.15) {
		in.Request.Action = g.varyActionCase(g.act.name)
	}
	in.Request.Resource = g.res
	// The owning account: from the ARN, else (S3, "*") chosen here.
	g.resAcc = rgARNAccount(g.res)
	if g.resAcc == "" {
		if g.chance(0.25) {
			g.resAcc = rgAcctB
		} else {
			g.resAcc = rgAcctA
		}
		if g.resAcc != g.prin.account || g.prin.account == "" || g.chance(0.5) {
			in.Request.ResourceAccount = g.resAcc
		}
	}
	g.buildContext(&in.Request)

	// Identity policies (the root user and non-IAM callers have none).
	nid := g.weighted([]int{12, 50, 28, 10})
	if g.prin.kind == "root" || !g.iam() {
		nid = 0
	}
	for i := 0; i < nid; i++ {
		in.IdentityPolicies = append(in.IdentityPolicies, g.policy("identity", 1+g.r.Intn(3)))
	}
	// Cross-account requests need a resource policy to have a chance. Every
	// role has a trust policy, so sts:AssumeRole always gets one (without
	// one, Run denies while iam-simulate does not check trust at all).
	if g.act.resPolicy && (g.act.trust || !g.iam() || g.chance(0.45) || (g.resAcc != g.prin.account && g.chance(0.8))) {
		in.ResourcePolicy = g.policy("resource", 1+g.r.Intn(3))
	}
	if (g.prin.kind == "user" || g.prin.kind == "session") && g.chance(0.2) {
		in.PermissionsBoundary = g.policy("boundary", 1+g.r.Intn(2))
	}
	// SCPs limit the IAM principals of member accounts (root included).
	if g.iam() && g.chance(0.3) {
		levels := 1 + g.r.Intn(3)
		for l := 0; l < levels; l++ {
			var level []json.RawMessage
			if g.chance(0.8) {
				level = append(level, rgJSON(rgFullAccess()))
			}
			if len(level) == 0 || g.chance(0.45) {
				level = append(level, g.policy("scp", 1+g.r.Intn(2)))
			}
			in.ServiceControlPolicies = append(in.ServiceControlPolicies, level)
		}
	}
	if g.chance(0.2) {
		// AWS attaches RCPFullAWSAccess to every level and it cannot be
		// detached; Run takes each level's policies as given, so list it.
		levels := 1 + g.r.Intn(2)
		for l := 0; l < levels; l++ {
			level := []json.RawMessage{rgJSON(rgRCPFullAWSAccess())}
			if g.chance(0.7) {
				level = append(level, g.policy("rcp", 1+g.r.Intn(2)))
			}
			in.ResourceControlPolicies = append(in.ResourceControlPolicies, level)
		}
	}
	// A federated user session without a session policy has no permissions
	// (GetFederationToken), so federated callers mostly carry one.
	if (g.prin.kind == "session" && g.chance(0.3)) || (g.prin.kind == "federated" && g.chance(0.85)) {
		in.SessionPolicy = g.policy("session", 1+g.r.Intn(2))
	}
	return in
}

// callerFits reports whether the caller can make the chosen request.
func (g *rgGen) callerFits() bool {
	switch g.prin.kind {
	case "service", "anonymous":
		// Only a resource-based policy can grant them anything.
		return g.act.resPolicy && !(g.prin.kind == "anonymous" && g.act.trust)
	case "root":
		// STS refuses: "Roles may not be assumed by root accounts."
		return g.act.name != "sts:AssumeRole"
	}
	// STS refuses GetSessionToken with session credentials ("Cannot call
	// GetSessionToken with session credentials").
	return g.act.name != "sts:GetSessionToken" || g.prin.kind == "user"
}

// iam reports whether the caller is an IAM identity of an account, which
// identity-based policies, boundaries and SCPs apply to.
func (g *rgGen) iam() bool {
	return g.prin.kind != "service" && g.prin.kind != "anonymous"
}

func (g *rgGen) weighted(w []int) int {
	t := 0
	for _, x := range w {
		t += x
	}
	n := g.r.Intn(t)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// varyActionCase varies the case of an action name (not the service prefix).
func (g *rgGen) varyActionCase(a string) string {
	svc, name, _ := strings.Cut(a, ":")
	return svc + ":" + g.varyCase(name)
}

func rgARNAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func rgFullAccess() map[string]any {
	return map[string]any{
		"Version":   "2012-10-17",
		"Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}},
	}
}

// rgRCPFullAWSAccess is AWS's RCPFullAWSAccess
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html#example-rcp-full-aws-access).
func rgRCPFullAWSAccess() map[string]any {
	return map[string]any{
		"Version":   "2012-10-17",
		"Statement": []any{map[string]any{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}},
	}
}

func rgJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps, slices, strings, numbers and bools are marshalled
	}
	return b
}

// buildContext sets the request context: the principal's own keys always,
// the others at random.
func (g *rgGen) buildContext(req *Request) {
	g.ctx = map[string]any{}
	g.ctxName = map[string]string{}
	g.keys = append([]rgKey{}, rgGlobalKeys...)
	g.keys = append(g.keys, g.act.keys...)
	if g.act.resourceTags {
		g.keys = append(g.keys, rgResourceTagKey)
	}
	switch g.prin.kind {
	case "service":
		g.set("aws:PrincipalIsAWSService", true)
		g.set("aws:PrincipalServiceName", g.prin.arn)
	case "anonymous":
	default:
		principalArn := g.prin.arn
		if g.prin.kind == "session" {
			principalArn = g.prin.roleARN
		}
		g.set("aws:PrincipalArn", principalArn)
		g.set("aws:PrincipalAccount", g.prin.account)
		g.set("aws:PrincipalType", g.prin.ptype)
		g.set("aws:userid", g.prin.userID)
		if g.prin.userName != "" {
			g.set("aws:username", g.prin.userName)
		}
	}
	for _, k := range g.keys {
		if !g.chance(0.45) {
			continue
		}
		g.set(k.name, g.requestValue(k))
	}
	if len(g.ctx) == 0 {
		return
	}
	req.Context = map[string]json.RawMessage{}
	for k, v := range g.ctx {
		req.Context[g.ctxName[k]] = rgJSON(v)
	}
}

func (g *rgGen) set(name string, v any) {
	g.ctx[name] = v
	if g.chance(0.2) {
		g.ctxName[name] = g.varyCase(name)
	} else {
		g.ctxName[name] = name
	}
}

// requestValue draws a request value of the key's type, sometimes written as
// a JSON bool or number.
func (g *rgGen) requestValue(k rgKey) any {
	switch k.typ {
	case rgList:
		n := g.weighted([]int{1, 4, 3, 1})
		var vs []string
		seen := map[string]bool{}
		for i := 0; i < n; i++ {
			v := g.pick(k.pool)
			if !seen[v] {
				seen[v] = true
				vs = append(vs, v)
			}
		}
		if vs == nil {
			vs = []string{}
		}
		return vs
	case rgBool:
		v := g.pick(k.pool)
		if g.chance(0.5) {
			return v == "true"
		}
		return v
	case rgNumeric:
		v := g.pick(k.pool)
		if g.chance(0.5) {
			return json.Number(v)
		}
		return v
	case rgDateEpoch:
		v := g.pick(k.pool)
		if g.chance(0.5) {
			return json.Number(v)
		}
		return v
	}
	return g.pick(k.pool)
}

// policy generates one policy document of the given layer.
func (g *rgGen) policy(layer string, nstmt int) json.RawMessage {
	var stmts []any
	for i := 0; i < nstmt; i++ {
		s := g.statement(layer)
		if g.chance(0.3) {
			s["Sid"] = fmt.Sprintf("Stmt%d", i) // unique and alphanumeric, as IAM requires
		}
		stmts = append(stmts, s)
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": stmts}
	// Some policies use the old language version, or none (which defaults
	// to it): policy variables are literal text there. RCPs require
	// 2012-10-17.
	if layer != "rcp" {
		switch g.weighted([]int{90, 5, 5}) {
		case 1:
			doc["Version"] = "2008-10-17"
		case 2:
			delete(doc, "Version")
		}
	}
	if g.chance(0.1) {
		doc["Id"] = fmt.Sprintf("%s-policy", layer)
	}
	return rgJSON(doc)
}

func (g *rgGen) statement(layer string) map[string]any {
	s := map[string]any{}
	effect := "Allow"
	switch layer {
	case "identity":
		if g.chance(0.12) {
			effect = "Deny"
		}
	case "resource", "session", "boundary":
		if g.chance(0.15) {
			effect = "Deny"
		}
	case "scp":
		if g.chance(0.35) {
			effect = "Deny"
		}
	case "rcp":
		effect = "Deny"
	}
	s["Effect"] = effect

	// Principal (resource policies and RCPs).
	switch layer {
	case "resource":
		// NotPrincipal is not allowed in trust policies.
		if effect == "Deny" && !g.act.trust && g.chance(0.1) {
			s["NotPrincipal"] = g.principalElement(true)
		} else {
			s["Principal"] = g.principalElement(false)
		}
	case "rcp":
		s["Principal"] = "*"
	}

	// Action.
	if layer == "rcp" {
		s["Action"] = g.rcpActions()
	} else if g.chance(0.15) {
		s["NotAction"] = g.notActions()
	} else {
		s["Action"] = g.actions()
	}

	// Resource.
	if !(layer == "resource" && g.act.trust) {
		if layer != "rcp" && g.chance(0.1) {
			s["NotResource"] = g.notResources(effect)
		} else {
			s["Resource"] = g.resources(layer)
		}
	}

	// Condition.
	pCond := 0.5
	if layer == "rcp" {
		pCond = 0.8
	}
	if g.chance(pCond) {
		if c := g.condition(1+g.weighted([]int{6, 3, 1}), effect); len(c) > 0 {
			s["Condition"] = c
		}
	}
	return s
}

// oneOrList writes a single value as a string or a one-element list.
func (g *rgGen) oneOrList(vs []string) any {
	if len(vs) == 1 && g.chance(0.6) {
		return vs[0]
	}
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// actions builds an Action element that matches the request about 3 times in 4.
func (g *rgGen) actions() any {
	var vs []string
	if g.chance(0.85) {
		vs = append(vs, g.matchingAction())
	}
	for n := g.weighted([]int{5, 3, 1}); n > 0 || len(vs) == 0; n-- {
		vs = append(vs, g.otherAction())
	}
	g.r.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
	return g.oneOrList(vs)
}

// notActions builds a NotAction element that excludes the request action
// about one time in three.
func (g *rgGen) notActions() any {
	var vs []string
	if g.chance(0.35) {
		vs = append(vs, g.matchingAction())
	}
	for n := g.weighted([]int{4, 3}); n >= 0 || len(vs) == 0; n-- {
		vs = append(vs, g.otherAction())
	}
	return g.oneOrList(vs)
}

// matchingAction returns a pattern that matches the request action.
func (g *rgGen) matchingAction() string {
	svc, name, _ := strings.Cut(g.act.name, ":")
	switch g.r.Intn(8) {
	case 0:
		return "*"
	case 1:
		return svc + ":*"
	case 2:
		return svc + ":" + name[:1+g.r.Intn(len(name)-1)] + "*"
	case 3:
		return svc + ":*" + name[g.r.Intn(len(name)):]
	case 4:
		i := g.r.Intn(len(name))
		return svc + ":" + name[:i] + "?" + name[i+1:]
	case 5:
		return svc + ":" + g.varyCase(name)
	default:
		return g.act.name
	}
}

// otherAction returns an action (or pattern) that does not match the request.
func (g *rgGen) otherAction() string {
	if g.chance(0.6) {
		return g.pick(g.act.siblings)
	}
	return g.pick(rgForeignActions)
}

// rcpActions names actions of RCP-capable services, never "*".
func (g *rgGen) rcpActions() any {
	svc, _, _ := strings.Cut(g.act.name, ":")
	var vs []string
	if rgRCPServices[svc] && g.chance(0.8) {
		if g.chance(0.5) {
			vs = append(vs, svc+":*")
		} else {
			vs = append(vs, g.act.name)
		}
	}
	if len(vs) == 0 || g.chance(0.4) {
		vs = append(vs, g.pick([]string{"s3:*", "sqs:*", "kms:*", "sts:AssumeRole", "secretsmanager:*", "dynamodb:GetItem", "s3:PutObject"}))
	}
	return g.oneOrList(vs)
}

// resources builds a Resource element that matches the request about 3 times in 4.
func (g *rgGen) resources(layer string) any {
	var vs []string
	if g.chance(0.85) {
		vs = append(vs, g.matchingResource(layer))
	}
	if len(vs) == 0 || g.chance(0.3) {
		vs = append(vs, g.otherResource())
	}
	g.r.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
	return g.oneOrList(vs)
}

// notResources builds a NotResource element.
func (g *rgGen) notResources(effect string) any {
	var vs []string
	if g.chance(0.4) {
		if g.res == "*" {
			vs = append(vs, "*")
		} else {
			vs = append(vs, g.resourcePattern(g.res, effect == "Deny"))
		}
	}
	if len(vs) == 0 || g.chance(0.5) {
		vs = append(vs, g.otherResource())
	}
	return g.oneOrList(vs)
}

// matchingResource returns "*", the resource, or a pattern (perhaps with a
// policy variable) that may match it.
func (g *rgGen) matchingResource(layer string) string {
	if g.res == "*" || g.chance(0.3) {
		return "*"
	}
	if layer != "rcp" && layer != "scp" && g.chance(0.15) {
		if v := g.variableResource(); v != "" {
			return v
		}
	}
	return g.resourcePattern(g.res, false)
}

// resourcePattern writes wildcards into an ARN without touching its
// resource-type prefix (e.g. "user/" or "function:").
func (g *rgGen) resourcePattern(arn string, exactOnly bool) string {
	if exactOnly || g.chance(0.3) {
		return arn
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	prefixLen := rgResourceTypePrefixLen(parts)
	id := parts[5][prefixLen:]
	if prefixLen > 0 && g.chance(0.04) {
		// A wildcard in the resource type itself ("*/*", "us*/alice"),
		// which iam-simulate does not match (a known divergence).
		parts[5] = g.pick([]string{"*/*", "*", "*" + parts[5][prefixLen-1:], parts[5][:1] + "*" + parts[5][prefixLen-1:]})
		return strings.Join(parts, ":")
	}
	switch g.r.Intn(5) {
	case 0: // wildcard the region and/or account
		if parts[3] != "" {
			parts[3] = "*"
		}
		if parts[4] != "" && g.chance(0.5) {
			parts[4] = "*"
		}
	case 1: // trailing *
		if len(id) > 0 {
			cut := g.r.Intn(len(id))
			id = id[:cut] + "*"
		}
	case 2: // ? for one character
		if len(id) > 0 {
			i := g.r.Intn(len(id))
			id = id[:i] + "?" + id[i+1:]
		}
	case 3: // * in the middle
		if len(id) > 2 {
			i := 1 + g.r.Intn(len(id)-2)
			j := i + g.r.Intn(len(id)-i)
			id = id[:i] + "*" + id[j:]
		}
	case 4: // a whole-resource wildcard after the type
		id = "*"
	}
	parts[5] = parts[5][:prefixLen] + id
	return strings.Join(parts, ":")
}

// rgResourceTypePrefixLen is the length of the resource-type prefix of an
// ARN's resource part ("user/" in "user/alice", "function:" in
// "function:resize"; none for S3, SQS and SNS).
func rgResourceTypePrefixLen(parts []string) int {
	if parts[2] == "s3" {
		return 0
	}
	res := parts[5]
	i := strings.IndexAny(res, "/:")
	if i < 0 {
		return 0
	}
	return i + 1
}

// variableResource returns a resource pattern with a policy variable, or "".
func (g *rgGen) variableResource() string {
	parts := strings.SplitN(g.res, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	v := g.policyVariable(false)
	switch parts[2] {
	case "s3":
		bucket, _, _ := strings.Cut(parts[5], "/")
		if strings.Contains(parts[5], "/") {
			return "arn:aws:s3:::" + bucket + "/home/" + v + "/*"
		}
		return ""
	case "iam":
		p := rgResourceTypePrefixLen(parts)
		return strings.Join(parts[:5], ":") + ":" + parts[5][:p] + g.pick([]string{"", "division/", "*"}) + v
	case "dynamodb":
		return strings.Join(parts[:5], ":") + ":table/" + v
	}
	return ""
}

// otherResource returns a resource that does not match the request.
func (g *rgGen) otherResource() string {
	pool := []string{
		"arn:aws:s3:::other-bucket/*",
		"arn:aws:s3:::bucket-c",
		"arn:aws:iam::111122223333:user/zed",
		"arn:aws:iam::444455556666:role/*",
		"arn:aws:ec2:*:*:volume/*",
		"arn:aws:sqs:us-east-1:111122223333:other",
		"arn:aws:dynamodb:us-east-1:111122223333:table/Other",
		"arn:aws:kms:us-east-1:444455556666:key/*",
	}
	for i := 0; i < 5; i++ {
		p := g.pick(pool)
		if p != g.res {
			return p
		}
	}
	return pool[0]
}

// principalElement builds a resource-policy Principal (or NotPrincipal)
// value that names the caller about half of the time.
func (g *rgGen) principalElement(not bool) any {
	if !not && g.chance(0.2) {
		if g.chance(0.5) {
			return "*"
		}
		return map[string]any{"AWS": "*"}
	}
	var aws []string
	if g.iam() && g.chance(0.6) {
		aws = append(aws, g.callerPrincipal())
	}
	if len(aws) == 0 || g.chance(0.4) {
		aws = append(aws, g.pick([]string{
			"arn:aws:iam::444455556666:root",
			"arn:aws:iam::111122223333:user/zed",
			"arn:aws:iam::111122223333:role/Other",
			"999988887777",
		}))
	}
	el := map[string]any{"AWS": g.oneOrList(aws)}
	switch {
	case g.prin.kind == "service" && g.chance(0.7):
		el["Service"] = g.oneOrList([]string{g.prin.arn})
	case g.chance(0.1):
		el["Service"] = g.pick([]string{"lambda.amazonaws.com", "ec2.amazonaws.com"})
	}
	return el
}

// callerPrincipal returns a principal value that covers the caller: its
// ARN, its role (for sessions) or its account.
func (g *rgGen) callerPrincipal() string {
	switch g.r.Intn(4) {
	case 0:
		return "arn:aws:iam::" + g.prin.account + ":root"
	case 1:
		return g.prin.account
	case 2:
		if g.prin.kind == "session" {
			return g.prin.roleARN
		}
	}
	return g.prin.arn
}

// condition builds a Condition element with up to n operator/key entries.
func (g *rgGen) condition(n int, effect string) map[string]any {
	cond := map[string]any{}
	for i := 0; i < n; i++ {
		op, key, val, ok := g.conditionEntry()
		if !ok {
			continue
		}
		m, _ := cond[op].(map[string]any)
		if m == nil {
			m = map[string]any{}
			cond[op] = m
		}
		if _, dup := m[key]; dup {
			continue
		}
		// Keys under one operator must differ case-insensitively too.
		clash := false
		for k := range m {
			if strings.EqualFold(k, key) {
				clash = true
			}
		}
		if clash {
			continue
		}
		m[key] = val
	}
	return cond
}

// conditionKeyChoice picks a key for a condition: mostly one the action
// accepts, sometimes a principal-derived key.
func (g *rgGen) conditionKeyChoice() rgKey {
	if g.chance(0.15) {
		return g.pick2([]rgKey{
			{"aws:PrincipalArn", rgARN, []string{g.prin.arn, g.prin.roleARN, "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::444455556666:user/mallory"}},
			{"aws:PrincipalAccount", rgString, []string{rgAcctA, rgAcctB}},
			{"aws:username", rgString, []string{"alice", "bob", "Alice"}},
			{"aws:PrincipalType", rgString, []string{"User", "AssumedRole", "FederatedUser"}},
			{"aws:userid", rgString, []string{"AIDAEXAMPLEALICE", "AROAEXAMPLEDEPLOY:*", "*:carol"}},
		})
	}
	// Service keys of actions the request is not for are absent, which is
	// a case worth covering too (rarely: such a key never matches).
	if g.chance(0.05) {
		a := rgActions[g.r.Intn(len(rgActions))]
		if len(a.keys) > 0 {
			return a.keys[g.r.Intn(len(a.keys))]
		}
	}
	return g.keys[g.r.Intn(len(g.keys))]
}

func (g *rgGen) pick2(ks []rgKey) rgKey {
	k := ks[g.r.Intn(len(ks))]
	// Drop empty pool entries (roleARN of non-sessions).
	var pool []string
	for _, v := range k.pool {
		if v != "" && (k.typ != rgARN || strings.HasPrefix(v, "arn:")) {
			pool = append(pool, v)
		}
	}
	k.pool = pool
	return k
}

// conditionEntry builds one operator, key and value.
func (g *rgGen) conditionEntry() (op, key string, val any, ok bool) {
	k := g.conditionKeyChoice()
	key = k.name
	if g.chance(0.25) {
		key = g.varyCase(key)
	}
	// Null works on every key.
	if g.chance(0.08) {
		v := g.pick([]string{"true", "false"})
		if g.chance(0.4) {
			return "Null", key, v == "true", true
		}
		return "Null", key, v, true
	}
	base, negated := g.operatorFor(k)
	op = base
	set := ""
	switch {
	case k.typ == rgList:
		// Without a set operator, a multivalued key whose request value is
		// a one-element list is that value for Run and matches nothing for
		// iam-simulate ("Set operator is required for a multi-value key");
		// AWS documents only that "multivalued context keys require a
		// condition set operator", so that combination is left out.
		w := []int{45, 45, 10}
		if l, ok := g.ctx[k.name].([]string); ok && len(l) == 1 {
			w[2] = 0
		}
		switch g.weighted(w) {
		case 0:
			set = "ForAllValues:"
		case 1:
			set = "ForAnyValue:"
		}
	case k.typ == rgString || k.typ == rgARN:
		if g.chance(0.06) {
			set = g.pick([]string{"ForAllValues:", "ForAnyValue:"})
		}
	}
	if base != "BinaryEquals" && g.chance(0.25) {
		op += "IfExists"
	}
	op = set + op
	nvals := 1 + g.weighted([]int{6, 3, 1})
	var vals []any
	for i := 0; i < nvals; i++ {
		vals = append(vals, g.policyValue(k, base, negated))
	}
	if len(vals) == 1 && g.chance(0.7) {
		return op, key, vals[0], true
	}
	return op, key, vals, true
}

// operatorFor picks a base operator that suits the key's type.
func (g *rgGen) operatorFor(k rgKey) (op string, negated bool) {
	strOps := []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"}
	switch k.typ {
	case rgString, rgList:
		op = g.pick(strOps)
	case rgARN:
		if g.chance(0.7) {
			op = g.pick([]string{"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"})
		} else {
			op = g.pick(strOps)
		}
	case rgNumeric:
		op = g.pick([]string{"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"})
	case rgDateISO, rgDateEpoch:
		op = g.pick([]string{"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"})
	case rgBool:
		op = "Bool"
	case rgIP:
		op = g.pick([]string{"IpAddress", "NotIpAddress"})
	case rgBinary:
		if g.chance(0.5) {
			op = "BinaryEquals"
		} else {
			op = g.pick(strOps)
		}
	}
	negated = strings.Contains(op, "Not")
	return op, negated
}

// policyValue draws one policy value for the operator.
func (g *rgGen) policyValue(k rgKey, op string, negated bool) any {
	switch k.typ {
	case rgBool:
		v := g.pick(k.pool)
		if g.chance(0.4) {
			return v == "true"
		}
		return v
	case rgNumeric:
		v := g.pick(append([]string{"60", "3599", "1.25", "1000", "3600.0", "-5"}, k.pool...))
		if g.chance(0.3) && !strings.Contains(v, ".") {
			return json.Number(v)
		}
		return v
	case rgDateISO:
		return g.pick(append([]string{"2024-06-15T12:00:00Z", "2024-03-01T00:00:00Z", "2024-06-15T13:00:00+01:00"}, k.pool...))
	case rgDateEpoch:
		v := g.pick(append([]string{"1718452800", "1710000000"}, k.pool...))
		if g.chance(0.3) {
			return json.Number(v)
		}
		return v
	case rgIP:
		// No "0.0.0.0/0": iam-simulate 0.1.173 computes the /0 mask as
		// -1 << 32, which is -1 in JavaScript, so it treats /0 like /32.
		return g.pick([]string{"203.0.113.0/24", "198.51.100.0/22", "10.0.0.0/8", "203.0.113.7/32", "192.0.2.0/24", "2001:db8::/32", "2001:db8:1::/48", "128.0.0.0/1"})
	}
	// String-like keys.
	base := g.pick(k.pool)
	if k.typ == rgARN && strings.HasPrefix(op, "Arn") {
		if op == "ArnLike" || op == "ArnNotLike" {
			return g.arnPattern(base)
		}
		return base
	}
	if op == "BinaryEquals" {
		return base
	}
	// Policy variables in positive operators, or in negated ones when the
	// variable resolves (a default or a present key).
	if g.chance(0.1) {
		v := g.policyVariable(negated)
		if strings.Contains(op, "Like") && g.chance(0.5) {
			return "*" + v + "*"
		}
		return v
	}
	switch {
	case strings.Contains(op, "Like"):
		return g.likePattern(base)
	case strings.Contains(op, "IgnoreCase"):
		return g.escapeSpecial(g.varyCase(base))
	}
	return g.escapeSpecial(base)
}

// escapeSpecial writes "*", "?" and "$" as ${*}, ${?} and ${$} (mostly;
// outside StringLike they are literal either way).
func (g *rgGen) escapeSpecial(v string) string {
	if !strings.ContainsAny(v, "*?$") || g.chance(0.3) {
		return v
	}
	var b strings.Builder
	for _, c := range v {
		if c == '*' || c == '?' || c == '$' {
			b.WriteString("${" + string(c) + "}")
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// likePattern turns a value into a StringLike pattern that may match it.
// The value's own "*", "?" and "$" are escaped as ${*}, ${?} and ${$}.
func (g *rgGen) likePattern(v string) string {
	if v == "" {
		return g.pick([]string{"*", ""})
	}
	var tok []string
	for _, c := range v {
		switch c {
		case '*', '?', '$':
			tok = append(tok, "${"+string(c)+"}")
		default:
			tok = append(tok, string(c))
		}
	}
	join := func(t []string) string { return strings.Join(t, "") }
	switch g.r.Intn(5) {
	case 0:
		return join(tok[:g.r.Intn(len(tok))]) + "*"
	case 1:
		return "*" + join(tok[g.r.Intn(len(tok)):])
	case 2:
		i := g.r.Intn(len(tok))
		return join(tok[:i]) + "?" + join(tok[i+1:])
	case 3:
		return "*"
	}
	return join(tok)
}

// arnPattern writes wildcards into ARN segments.
func (g *rgGen) arnPattern(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	for i := 3; i <= 4; i++ {
		if g.chance(0.4) {
			parts[i] = "*"
		}
	}
	if g.chance(0.6) {
		p := rgResourceTypePrefixLen(parts)
		id := parts[5][p:]
		if len(id) > 0 {
			id = id[:g.r.Intn(len(id))] + "*"
		}
		parts[5] = parts[5][:p] + id
	}
	return strings.Join(parts, ":")
}

// policyVariable returns a ${...} reference to a single-valued key. When
// mustResolve is set, it picks one that is present or has a default.
func (g *rgGen) policyVariable(mustResolve bool) string {
	names := []string{"aws:username", "aws:PrincipalTag/team", "aws:userid", "aws:PrincipalAccount", "aws:RequestTag/env"}
	name := g.pick(names)
	_, present := g.ctx[name]
	if (mustResolve && !present) || g.chance(0.2) {
		return "${" + g.varyVarCase(name) + ", '" + g.pick([]string{"dev", "alice", "none"}) + "'}"
	}
	return "${" + g.varyVarCase(name) + "}"
}

func (g *rgGen) varyVarCase(name string) string {
	if g.chance(0.2) {
		return g.varyCase(name)
	}
	return name
}

// rgPolicyKinds lists an Input's policies with the kind each is parsed as.
func rgPolicyKinds(in *Input) (docs []json.RawMessage, kinds []policy.Kind) {
	add := func(d json.RawMessage, k policy.Kind) {
		if len(d) > 0 {
			docs = append(docs, d)
			kinds = append(kinds, k)
		}
	}
	for _, d := range in.IdentityPolicies {
		add(d, policy.KindIdentity)
	}
	resKind := policy.KindResource
	if strings.EqualFold(in.Request.Action, "sts:AssumeRole") {
		resKind = policy.KindTrust
	}
	add(in.ResourcePolicy, resKind)
	add(in.PermissionsBoundary, policy.KindBoundary)
	for _, level := range in.ServiceControlPolicies {
		for _, d := range level {
			add(d, policy.KindSCP)
		}
	}
	for _, level := range in.ResourceControlPolicies {
		for _, d := range level {
			add(d, policy.KindRCP)
		}
	}
	add(in.SessionPolicy, policy.KindSession)
	return docs, kinds
}

// TestRandgenValid checks that the generator is deterministic and that every
// policy it writes is valid for its kind by our own parser (the oracle checks
// them again with its validator in TestDifferentialIAMSimulate).
func TestRandgenValid(t *testing.T) {
	const seed, n = 7, 2000
	a, b := rgCases(seed, n), rgCases(seed, n)
	for i := range a {
		ja, jb := rgJSON(a[i]), rgJSON(b[i])
		if string(ja) != string(jb) {
			t.Fatalf("case %d differs between two generations:\n%s\n%s", i, ja, jb)
		}
		if string(rgJSON(rgCase(seed, i))) != string(ja) {
			t.Fatalf("rgCase(%d, %d) differs from rgCases", seed, i)
		}
		docs, kinds := rgPolicyKinds(a[i])
		for j, d := range docs {
			if _, err := policy.ParseKind("case", d, kinds[j]); err != nil {
				t.Errorf("case %d: %s policy invalid: %v\n%s", i, kinds[j], err, d)
			}
		}
		if a[i].Request.Principal == "" || a[i].Request.Action == "" || a[i].Request.Resource == "" {
			t.Errorf("case %d: incomplete request %+v", i, a[i].Request)
		}
	}
	if string(rgJSON(rgCase(seed+1, 0))) == string(rgJSON(rgCase(seed, 0))) {
		t.Errorf("different seeds generated the same case")
	}
}
