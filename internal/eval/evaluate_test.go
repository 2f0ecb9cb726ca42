package eval

import (
	"strings"
	"testing"
)

const (
	otherAcct   = "444455556666"
	roleARN     = "arn:aws:iam::111122223333:role/app"
	sessionARN  = "arn:aws:sts::111122223333:assumed-role/app/sess1"
	rootARN     = "arn:aws:iam::111122223333:root"
	otherUser   = "arn:aws:iam::444455556666:user/carol"
	fedUserARN  = "arn:aws:sts::111122223333:federated-user/dave"
	bucketObj   = "arn:aws:s3:::bucket/key"
	allowAll    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	allowS3Get  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	allowEC2    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
	denyS3      = `{"Version":"2012-10-17","Statement":[{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	resAllowFmt = `{"Version":"2012-10-17","Statement":[{"Sid":"R","Effect":"Allow","Principal":{"AWS":"%s"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
)

func resAllow(t *testing.T, principal string) *Policy {
	return mustPolicy(t, "resource", strings.Replace(resAllowFmt, "%s", principal, 1))
}

type evalCase struct {
	name string
	set  func(t *testing.T) *PolicySet
	req  Request
	want Decision
	// reason, when set, must occur in Result.Reason.
	reason string
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := c.set(t)
			req := c.req
			if req.Action == "" {
				req.Action = "s3:GetObject"
			}
			if req.Resource == "" {
				req.Resource = bucketObj
			}
			got := Decide(set, &req)
			r := Evaluate(set, &req)
			if got != c.want || r.Decision != c.want {
				t.Fatalf("Decide = %v, Evaluate = %v (%s), want %v", got, r.Decision, r.Reason, c.want)
			}
			if c.reason != "" && !strings.Contains(r.Reason, c.reason) {
				t.Errorf("reason %q does not contain %q", r.Reason, c.reason)
			}
			switch r.Decision {
			case ExplicitDeny:
				if len(r.Deciding) == 0 {
					t.Errorf("explicit deny without deciding statements")
				}
				for _, m := range r.Deciding {
					if m.Effect != "Deny" {
						t.Errorf("deciding statement %+v is not a Deny", m)
					}
				}
			case ImplicitDeny:
				if len(r.Deciding) != 0 {
					t.Errorf("implicit deny with deciding statements %+v", r.Deciding)
				}
			}
		})
	}
}

func ids(t *testing.T, srcs ...string) []*Policy {
	var out []*Policy
	for i, s := range srcs {
		out = append(out, mustPolicy(t, "identity"+string(rune('0'+i)), s))
	}
	return out
}

func TestEvaluationOrder(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "identity allow", set: func(t *testing.T) *PolicySet { return &PolicySet{Identity: ids(t, allowS3Get)} },
			req: Request{Principal: userARN}, want: Allowed},
		{name: "nothing allows", set: func(t *testing.T) *PolicySet { return &PolicySet{Identity: ids(t, allowEC2)} },
			req: Request{Principal: userARN}, want: ImplicitDeny},
		{name: "no policies", set: func(t *testing.T) *PolicySet { return &PolicySet{} },
			req: Request{Principal: userARN}, want: ImplicitDeny},
		{name: "deny beats allow across policies", set: func(t *testing.T) *PolicySet { return &PolicySet{Identity: ids(t, allowAll, denyS3)} },
			req: Request{Principal: userARN}, want: ExplicitDeny, reason: `"NoS3"`},
		{name: "boundary does not allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Boundary: mustPolicy(t, "pb", allowEC2)}
		}, req: Request{Principal: userARN}, want: ImplicitDeny, reason: "permissions boundary"},
		{name: "boundary allows", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowS3Get), Boundary: mustPolicy(t, "pb", allowAll)}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "boundary alone grants nothing", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Boundary: mustPolicy(t, "pb", allowAll)}
		}, req: Request{Principal: userARN}, want: ImplicitDeny},
		{name: "boundary deny", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Boundary: mustPolicy(t, "pb", denyS3)}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "session policy does not allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Session: mustPolicy(t, "sp", allowEC2)}
		}, req: Request{Principal: sessionARN}, want: ImplicitDeny, reason: "session policy"},
		{name: "session policy allows", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Session: mustPolicy(t, "sp", allowS3Get)}
		}, req: Request{Principal: sessionARN}, want: Allowed},
		{name: "session policy deny", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Session: mustPolicy(t, "sp", denyS3)}
		}, req: Request{Principal: sessionARN}, want: ExplicitDeny},
		{name: "federated user without session policy", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll)}
		}, req: Request{Principal: fedUserARN}, want: ImplicitDeny, reason: "GetFederationToken"},
		{name: "federated user with session policy", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Session: mustPolicy(t, "sp", allowAll)}
		}, req: Request{Principal: fedUserARN}, want: Allowed},
		{name: "SCP every level must allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), SCPs: [][]*Policy{{mustPolicy(t, "full", allowAll)}, {mustPolicy(t, "ec2only", allowEC2)}}}
		}, req: Request{Principal: userARN}, want: ImplicitDeny, reason: "organization level 1"},
		{name: "SCP levels all allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), SCPs: [][]*Policy{{mustPolicy(t, "full", allowAll)}, {mustPolicy(t, "ec2", allowEC2), mustPolicy(t, "s3", allowS3Get)}}}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "SCP deny", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), SCPs: [][]*Policy{{mustPolicy(t, "full", allowAll), mustPolicy(t, "deny", denyS3)}}}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "SCP limits the root user", set: func(t *testing.T) *PolicySet {
			return &PolicySet{SCPs: [][]*Policy{{mustPolicy(t, "ec2", allowEC2)}}}
		}, req: Request{Principal: rootARN}, want: ImplicitDeny},
		{name: "SCP exempt (management account)", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), SCPs: [][]*Policy{{mustPolicy(t, "deny", denyS3)}}, SCPExempt: true}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "SCPs do not apply to service principals", set: func(t *testing.T) *PolicySet {
			return &PolicySet{
				Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/*"}]}`),
				SCPs:     [][]*Policy{{mustPolicy(t, "deny", denyS3)}},
			}
		}, req: Request{Principal: "logging.s3.amazonaws.com", Action: "s3:PutObject"}, want: Allowed},
		{name: "RCP level without allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), RCPs: [][]*Policy{{mustPolicy(t, "rcpfull", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)}, {}}}
		}, req: Request{Principal: userARN}, want: ImplicitDeny, reason: "resource control policies"},
		{name: "RCP deny applies to service principals", set: func(t *testing.T) *PolicySet {
			return &PolicySet{
				Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/*"}]}`),
				RCPs: [][]*Policy{{mustPolicy(t, "rcp", `{"Version":"2012-10-17","Statement":[
					{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
					{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}`)}},
			}
		}, req: Request{Principal: "logging.s3.amazonaws.com", Action: "s3:PutObject"}, want: ExplicitDeny},
		{name: "resource policy deny", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}]}`)}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "resource deny naming the account denies its users", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}]}`)}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "GetCallerIdentity cannot be denied", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)}
		}, req: Request{Principal: userARN, Action: "sts:GetCallerIdentity", Resource: "*"}, want: Allowed},
		{name: "GetSessionToken cannot be denied", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)}
		}, req: Request{Principal: userARN, Action: "sts:GetSessionToken", Resource: "*"}, want: Allowed},
		{name: "GetSessionToken needs long-term credentials", set: func(t *testing.T) *PolicySet { return &PolicySet{Identity: ids(t, allowAll)} },
			req: Request{Principal: sessionARN, Action: "sts:GetSessionToken", Resource: "*"}, want: ImplicitDeny, reason: "session credentials"},
	})
}

func TestResourcePolicySameAccount(t *testing.T) {
	ec2Boundary := func(t *testing.T) *Policy { return mustPolicy(t, "pb", allowEC2) }
	runEvalCases(t, []evalCase{
		{name: "user ARN named, no identity policy", set: func(t *testing.T) *PolicySet { return &PolicySet{Resource: resAllow(t, userARN)} },
			req: Request{Principal: userARN}, want: Allowed, reason: "names the caller directly"},
		{name: "user ARN named, boundary does not allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, userARN), Boundary: ec2Boundary(t)}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "user ARN with path and other case", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, "arn:aws:iam::111122223333:user/division/Alice")}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "other user named", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, "arn:aws:iam::111122223333:user/bob")}
		},
			req: Request{Principal: userARN}, want: ImplicitDeny},
		{name: "role ARN named, session caller", set: func(t *testing.T) *PolicySet { return &PolicySet{Resource: resAllow(t, roleARN)} },
			req: Request{Principal: sessionARN}, want: Allowed, reason: "names the caller's role"},
		{name: "role ARN named, boundary does not allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, roleARN), Boundary: ec2Boundary(t)}
		}, req: Request{Principal: sessionARN}, want: ImplicitDeny},
		{name: "role ARN named, session policy does not allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, roleARN), Session: mustPolicy(t, "sp", allowEC2)}
		}, req: Request{Principal: sessionARN}, want: ImplicitDeny},
		{name: "role ARN named, boundary allows, no identity", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, roleARN), Boundary: mustPolicy(t, "pb", allowAll)}
		}, req: Request{Principal: sessionARN}, want: Allowed},
		{name: "session ARN named, boundary does not allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, sessionARN), Boundary: ec2Boundary(t), Session: mustPolicy(t, "sp", allowEC2)}
		}, req: Request{Principal: sessionARN}, want: Allowed},
		{name: "other session of the role", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, "arn:aws:sts::111122223333:assumed-role/app/other")}
		}, req: Request{Principal: sessionARN}, want: ImplicitDeny},
		{name: "account root named, no identity policy", set: func(t *testing.T) *PolicySet { return &PolicySet{Resource: resAllow(t, rootARN)} },
			req: Request{Principal: userARN}, want: ImplicitDeny},
		{name: "account ID named, identity allows", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, acct), Identity: ids(t, allowS3Get)}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "wildcard principal", set: func(t *testing.T) *PolicySet { return &PolicySet{Resource: resAllow(t, "*")} },
			req: Request{Principal: userARN}, want: Allowed},
		{name: "anonymous caller and wildcard", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`)}
		}, req: Request{Principal: ""}, want: Allowed},
		{name: "anonymous caller, account principal", set: func(t *testing.T) *PolicySet { return &PolicySet{Resource: resAllow(t, acct)} },
			req: Request{Principal: "anonymous"}, want: ImplicitDeny},
		{name: "identity allows, resource policy silent", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, "arn:aws:iam::111122223333:user/bob"), Identity: ids(t, allowS3Get)}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "partial wildcard principal matches nothing", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, "arn:aws:iam::111122223333:user/*")}
		}, req: Request{Principal: userARN}, want: ImplicitDeny},
		{name: "root user, no policies", set: func(t *testing.T) *PolicySet { return &PolicySet{} },
			req: Request{Principal: rootARN}, want: Allowed, reason: "root user"},
		{name: "root user, resource deny", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)}
		}, req: Request{Principal: rootARN}, want: ExplicitDeny},
		{name: "service principal named", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/*"}]}`)}
		}, req: Request{Principal: "cloudtrail.amazonaws.com", Action: "s3:PutObject"}, want: Allowed},
		{name: "service principal not named", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll), Resource: mustPolicy(t, "rp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::bucket/*"}]}`)}
		}, req: Request{Principal: "config.amazonaws.com", Action: "s3:PutObject"}, want: ImplicitDeny},
	})
}

func TestCrossAccount(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "resource allows, identity does not", set: func(t *testing.T) *PolicySet { return &PolicySet{Resource: resAllow(t, otherUser)} },
			req: Request{Principal: otherUser, ResourceAccount: acct}, want: ImplicitDeny, reason: "both sides"},
		{name: "both allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, otherUser), Identity: ids(t, allowS3Get)}
		}, req: Request{Principal: otherUser, ResourceAccount: acct}, want: Allowed},
		{name: "resource names the account", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, "arn:aws:iam::444455556666:root"), Identity: ids(t, allowS3Get)}
		}, req: Request{Principal: otherUser, ResourceAccount: acct}, want: Allowed},
		{name: "identity allows, no resource policy", set: func(t *testing.T) *PolicySet { return &PolicySet{Identity: ids(t, allowAll)} },
			req: Request{Principal: otherUser, ResourceAccount: acct}, want: ImplicitDeny, reason: "cross-account"},
		{name: "account from the resource ARN", set: func(t *testing.T) *PolicySet { return &PolicySet{Identity: ids(t, allowAll)} },
			req: Request{Principal: userARN, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:444455556666:q"}, want: ImplicitDeny},
		{name: "boundary still limits cross-account", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, otherUser), Identity: ids(t, allowS3Get), Boundary: mustPolicy(t, "pb", allowEC2)}
		}, req: Request{Principal: otherUser, ResourceAccount: acct}, want: ImplicitDeny},
		{name: "resource names other account only", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: resAllow(t, "999999999999"), Identity: ids(t, allowS3Get)}
		}, req: Request{Principal: otherUser, ResourceAccount: acct}, want: ImplicitDeny},
	})
}

const (
	assumeRole  = "sts:AssumeRole"
	targetRole  = "arn:aws:iam::111122223333:role/target"
	trustFmt    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"sts:AssumeRole"}]}`
	allowAssume = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/target"}]}`
)

func trust(t *testing.T, principal string) *Policy {
	return mustPolicy(t, "trust", strings.Replace(trustFmt, "%s", principal, 1))
}

func TestRoleTrust(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "trust names the user, no identity policy", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: trust(t, userARN), ResourceKind: ResourceRoleTrust}
		}, req: Request{Principal: userARN, Action: assumeRole, Resource: targetRole}, want: Allowed},
		{name: "trust names the account, no identity policy", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: trust(t, rootARN), ResourceKind: ResourceRoleTrust}
		}, req: Request{Principal: userARN, Action: assumeRole, Resource: targetRole}, want: ImplicitDeny, reason: "identity-based policies must allow"},
		{name: "trust names the account, identity allows", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: trust(t, rootARN), ResourceKind: ResourceRoleTrust, Identity: ids(t, allowAssume)}
		}, req: Request{Principal: userARN, Action: assumeRole, Resource: targetRole}, want: Allowed},
		{name: "identity allows, trust silent", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: trust(t, "arn:aws:iam::111122223333:user/bob"), ResourceKind: ResourceRoleTrust, Identity: ids(t, allowAssume)}
		}, req: Request{Principal: userARN, Action: assumeRole, Resource: targetRole}, want: ImplicitDeny, reason: "trust policy does not allow"},
		{name: "no trust policy given", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceRoleTrust, Identity: ids(t, allowAssume)}
		}, req: Request{Principal: userARN, Action: assumeRole, Resource: targetRole}, want: ImplicitDeny, reason: "no trust policy"},
		{name: "cross-account trust names the account", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: trust(t, otherAcct), ResourceKind: ResourceRoleTrust, Identity: ids(t, allowAssume)}
		}, req: Request{Principal: otherUser, Action: assumeRole, Resource: targetRole}, want: Allowed},
		{name: "cross-account trust, no identity", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: trust(t, otherUser), ResourceKind: ResourceRoleTrust}
		}, req: Request{Principal: otherUser, Action: assumeRole, Resource: targetRole}, want: ImplicitDeny},
		{name: "trust with MFA condition, MFA present", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceRoleTrust, Resource: mustPolicy(t, "trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:multifactorAuthPresent":true}}}]}`)}
		}, req: Request{Principal: userARN, Action: assumeRole, Resource: targetRole, Context: ctxOf(kv("aws:MultiFactorAuthPresent", "true"))}, want: Allowed},
		{name: "trust with MFA condition, long-term keys", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceRoleTrust, Resource: mustPolicy(t, "trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:multifactorAuthPresent":true}}}]}`)}
		}, req: Request{Principal: userARN, Action: assumeRole, Resource: targetRole}, want: ImplicitDeny, reason: "aws:multifactorAuthPresent"},
		{name: "root cannot assume roles", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: trust(t, rootARN), ResourceKind: ResourceRoleTrust}
		}, req: Request{Principal: rootARN, Action: assumeRole, Resource: targetRole}, want: ImplicitDeny, reason: "root"},
	})
}

const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func keyPolicy(t *testing.T, principal string) *Policy {
	return mustPolicy(t, "key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+principal+`"},"Action":"kms:*","Resource":"*"}]}`)
}

func TestKMSKeyPolicy(t *testing.T) {
	allowKMS := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`
	runEvalCases(t, []evalCase{
		{name: "identity alone is not enough", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceKMSKey, Identity: ids(t, allowKMS)}
		},
			req: Request{Principal: userARN, Action: "kms:Decrypt", Resource: keyARN}, want: ImplicitDeny, reason: "key policy"},
		{name: "key policy trusts the account and identity allows", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceKMSKey, Resource: keyPolicy(t, rootARN), Identity: ids(t, allowKMS)}
		}, req: Request{Principal: userARN, Action: "kms:Decrypt", Resource: keyARN}, want: Allowed},
		{name: "key policy trusts the account, no identity", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceKMSKey, Resource: keyPolicy(t, rootARN)}
		}, req: Request{Principal: userARN, Action: "kms:Decrypt", Resource: keyARN}, want: ImplicitDeny},
		{name: "key policy names the user", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceKMSKey, Resource: keyPolicy(t, userARN)}
		}, req: Request{Principal: userARN, Action: "kms:Decrypt", Resource: keyARN}, want: Allowed},
		{name: "key policy names another user", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceKMSKey, Resource: keyPolicy(t, "arn:aws:iam::111122223333:user/bob"), Identity: ids(t, allowKMS)}
		}, req: Request{Principal: userARN, Action: "kms:Decrypt", Resource: keyARN}, want: ImplicitDeny},
		{name: "root needs the key policy too", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceKMSKey, Resource: keyPolicy(t, "arn:aws:iam::111122223333:user/bob")}
		}, req: Request{Principal: rootARN, Action: "kms:Decrypt", Resource: keyARN}, want: ImplicitDeny},
		{name: "root allowed by the default key policy", set: func(t *testing.T) *PolicySet {
			return &PolicySet{ResourceKind: ResourceKMSKey, Resource: keyPolicy(t, rootARN)}
		}, req: Request{Principal: rootARN, Action: "kms:Decrypt", Resource: keyARN}, want: Allowed},
	})
}

func TestNotElements(t *testing.T) {
	notPrincipalDeny := func(list string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},
		{"Effect":"Deny","NotPrincipal":{"AWS":[` + list + `]},"Action":"s3:*","Resource":"arn:aws:s3:::bucket/*"}]}`
	}
	runEvalCases(t, []evalCase{
		{name: "NotPrincipal listing only the user still denies it", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", notPrincipalDeny(`"`+userARN+`"`))}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "NotPrincipal listing user and account exempts", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", notPrincipalDeny(`"`+userARN+`","`+rootARN+`"`))}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "NotPrincipal for a session needs session, role and account", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", notPrincipalDeny(`"`+roleARN+`","`+rootARN+`"`))}
		}, req: Request{Principal: sessionARN}, want: ExplicitDeny},
		{name: "NotPrincipal listing session, role and account exempts", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", notPrincipalDeny(`"`+sessionARN+`","`+roleARN+`","`+rootARN+`"`))}
		}, req: Request{Principal: sessionARN}, want: Allowed},
		{name: "NotPrincipal Deny always denies callers with a boundary", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Resource: mustPolicy(t, "rp", notPrincipalDeny(`"`+userARN+`","`+rootARN+`"`)), Boundary: mustPolicy(t, "pb", allowAll)}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "NotAction deny: action outside the list", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*"}]}`)}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "NotAction deny: action in the list", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","s3:Get*"],"Resource":"*"}]}`)}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "NotAction allow", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`)}
		}, req: Request{Principal: userARN}, want: Allowed},
		{name: "NotResource deny outside", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::other/*"}]}`)}
		}, req: Request{Principal: userARN}, want: ExplicitDeny},
		{name: "NotResource deny inside", set: func(t *testing.T) *PolicySet {
			return &PolicySet{Identity: ids(t, allowAll, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::bucket/*"}]}`)}
		}, req: Request{Principal: userARN}, want: Allowed},
	})
}

func TestActionAndResourceMatching(t *testing.T) {
	act := func(pattern, action string) bool {
		src := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + pattern + `","Resource":"*"}]}`
		set := &PolicySet{Identity: []*Policy{mustPolicy(t, "a", src)}}
		return Decide(set, &Request{Principal: userARN, Action: action, Resource: "*"}) == Allowed
	}
	actions := []struct {
		pattern, action string
		want            bool
	}{
		{"s3:GetObject", "s3:GetObject", true},
		{"s3:getobject", "S3:GETOBJECT", true},
		{"s3:Get*", "s3:GetObjectAcl", true},
		{"s3:Get*", "s3:PutObject", false},
		{"s3:?etObject", "s3:GetObject", true},
		{"s3:?etObject", "s3:etObject", false},
		{"iam:*AccessKey*", "iam:CreateAccessKey", true},
		{"*", "anything:AtAll", true},
		{"s3:*", "s3express:CreateSession", false},
	}
	for _, c := range actions {
		if got := act(c.pattern, c.action); got != c.want {
			t.Errorf("action %q vs %q: got %v, want %v", c.pattern, c.action, got, c.want)
		}
	}
	res := func(pattern, resource string, ctx *Context) bool {
		src := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"` + pattern + `"}]}`
		set := &PolicySet{Identity: []*Policy{mustPolicy(t, "r", src)}}
		// ResourceAccount keeps every case within one account.
		return Decide(set, &Request{Principal: userARN, Action: "s3:GetObject", Resource: resource, ResourceAccount: acct, Context: ctx}) == Allowed
	}
	withUser := ctxOf(kv("aws:username", "alice"))
	resources := []struct {
		pattern, resource string
		ctx               *Context
		want              bool
	}{
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", nil, true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b", nil, true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", nil, false},
		{"arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-logs", nil, true},
		{"arn:aws:s3:::*log*", "arn:aws:s3:::my-logs", nil, true},
		{"arn:aws:s3:::*log*", "arn:aws:s3:::a:log", nil, false},
		{"arn:aws:iam::*:role/x", "arn:aws:iam::123456789012:role/x", nil, true},
		{"arn:aws:iam::*:role/x", "arn:aws:iam::123456789012:role/y", nil, false},
		{"arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", nil, false},
		{"arn:aws:s3:::b?cket/k", "arn:aws:s3:::bucket/k", nil, true},
		{"arn:aws:dynamodb:*:*:table/t", "arn:aws:dynamodb:us-east-1:1:table/t", nil, true},
		{"arn:aws:*", "arn:aws:s3:::bucket/k", nil, true},
		{"*", "*", nil, true},
		{"arn:aws:s3:::*", "*", nil, false},
		{"arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/alice/x", withUser, true},
		{"arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/bob/x", withUser, false},
		{"arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/alice/x", nil, false},
		{"arn:aws:logs:*:*:log-group:app:*", "arn:aws:logs:us-east-1:1:log-group:app:log-stream:s", nil, true},
		{"arn:aws:logs:us-east-1:1:log-group:a*:log-stream:s", "arn:aws:logs:us-east-1:1:log-group:abc:log-stream:s", nil, true},
	}
	for _, c := range resources {
		if got := res(c.pattern, c.resource, c.ctx); got != c.want {
			t.Errorf("resource %q vs %q: got %v, want %v", c.pattern, c.resource, got, c.want)
		}
	}
}

func TestResourcePatternManyColons(t *testing.T) {
	// More than 64 segments takes the slice path.
	subject := "arn:aws:s3:::bucket/" + strings.Repeat("a:", 80) + "end"
	rp := compileResource("arn:aws:s3:::bucket/*", true)
	if !rp.match(subject, nil) {
		t.Fatal("tail star must cross colons")
	}
	rp = compileResource("arn:aws:s3:::bucket/a:*:end", true)
	if !rp.match(subject, nil) {
		t.Fatal("segment star then literal")
	}
	rp = compileResource("arn:aws:s3:::bucket/a:b*:end", true)
	if rp.match(subject, nil) {
		t.Fatal("unexpected match")
	}
}

func TestEvaluateExplainsMFA(t *testing.T) {
	// The seed lesson: a Deny with Bool aws:MultiFactorAuthPresent=false
	// does not apply to long-term access keys.
	deny := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyNoMFA","Effect":"Deny","NotAction":"sts:GetSessionToken","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	set := &PolicySet{Identity: ids(t, allowAll, deny)}
	r := Evaluate(set, &Request{Principal: userARN, Action: "ec2:TerminateInstances", Resource: "*"})
	if r.Decision != Allowed {
		t.Fatalf("decision %v", r.Decision)
	}
	if len(r.NearMisses) != 1 || r.NearMisses[0].Sid != "DenyNoMFA" {
		t.Fatalf("near misses %+v", r.NearMisses)
	}
	c := r.NearMisses[0].Conditions[0]
	if c.Matched || c.Present || !strings.Contains(c.Why, "absent") || !strings.Contains(c.Why, "long-term access keys") {
		t.Errorf("trace %+v", c)
	}
	if !strings.Contains(r.Reason, "DenyNoMFA") {
		t.Errorf("reason %q does not mention the near-miss Deny", r.Reason)
	}
	if len(r.Deciding) != 1 || r.Deciding[0].Layer != LayerIdentity || r.Deciding[0].PolicyIndex != 0 {
		t.Errorf("deciding %+v", r.Deciding)
	}
}

func TestContextReuse(t *testing.T) {
	var c Context
	c.Set("AWS:SourceIp", "1.2.3.4")
	c.Add("aws:TagKeys", "a")
	c.Add("aws:tagkeys", "b")
	if v, ok := c.Lookup("aws:sourceip"); !ok || v[0] != "1.2.3.4" {
		t.Fatal(v, ok)
	}
	if v, _ := c.Lookup("AWS:TAGKEYS"); len(v) != 2 {
		t.Fatal(v)
	}
	c.Delete("aws:TagKeys")
	if _, ok := c.Lookup("aws:tagkeys"); ok {
		t.Fatal("deleted key present")
	}
	c.Reset()
	if c.Len() != 0 {
		t.Fatal("reset")
	}
	c.Set("k")
	if _, ok := c.Lookup("k"); ok {
		t.Fatal("a key without values is absent")
	}
	allocs := testing.AllocsPerRun(100, func() {
		c.Reset()
		c.SetString("aws:SourceIp", "1.2.3.4")
		c.SetString("aws:MultiFactorAuthPresent", "true")
		c.Add("aws:TagKeys", "x")
	})
	if allocs != 0 {
		t.Errorf("reusing a Context allocates %v times", allocs)
	}
}

func TestParsePrincipal(t *testing.T) {
	cases := map[string]PrincipalKind{
		"":                                  PrincipalAnonymous,
		rootARN:                             PrincipalRoot,
		userARN:                             PrincipalUser,
		roleARN:                             PrincipalRole,
		sessionARN:                          PrincipalRoleSession,
		fedUserARN:                          PrincipalFederatedUser,
		"s3.amazonaws.com":                  PrincipalService,
		"accounts.google.com":               PrincipalFederatedProvider,
		"arn:aws:iam::1:saml-provider/okta": PrincipalFederatedProvider,
		strings.Repeat("ab", 32):            PrincipalCanonicalUser,
		"AIDAEXAMPLE":                       PrincipalUnknown,
		"arn:aws:sts::1:assumed-role/x":     PrincipalUnknown,
	}
	for s, want := range cases {
		if got := ParsePrincipal(s).Kind; got != want {
			t.Errorf("ParsePrincipal(%q) = %v, want %v", s, got, want)
		}
	}
}

// A match budget bounds the wildcard work of an evaluation; without one,
// and within it, decisions are unchanged.
func TestMatchBudget(t *testing.T) {
	// Every pattern fails only after its first star gave back each
	// character of the value: about len(value) steps per pattern.
	pats := make([]string, 200)
	for i := range pats {
		pats[i] = `"a*zq` + strings.Repeat("x", i%5) + `*b"`
	}
	pol := mustPolicy(t, "identity", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/t":[`+strings.Join(pats, ",")+`]}}}]}`)
	set := &PolicySet{Identity: []*Policy{pol}}
	ctx := &Context{}
	ctx.SetString("aws:PrincipalTag/t", strings.Repeat("a", 2000))
	req := Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: "*", Context: ctx}

	if d := Decide(set, &req); d != ImplicitDeny || ctx.MatchBudgetExceeded() {
		t.Fatalf("no budget: %v, exceeded %v", d, ctx.MatchBudgetExceeded())
	}
	ctx.SetMatchBudget(10_000_000)
	if d := Decide(set, &req); d != ImplicitDeny || ctx.MatchBudgetExceeded() {
		t.Fatalf("within the budget: %v, exceeded %v", d, ctx.MatchBudgetExceeded())
	}
	ctx.SetMatchBudget(10_000)
	Evaluate(set, &req)
	if !ctx.MatchBudgetExceeded() {
		t.Fatal("budget of 10,000 steps not exceeded")
	}
	// Resetting the budget resets the work spent.
	ctx.SetMatchBudget(10_000_000)
	if d := Decide(set, &req); d != ImplicitDeny || ctx.MatchBudgetExceeded() {
		t.Fatalf("after reset: %v, exceeded %v", d, ctx.MatchBudgetExceeded())
	}
	// A trailing star matches the rest of the value at once: giving back
	// 2,000 characters one by one would spend more than the budget.
	allow := mustPolicy(t, "identity", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::bucket/*"}]}`)
	ctx.SetMatchBudget(1000)
	req.Action, req.Resource = "s3:GetObject", "arn:aws:s3:::bucket/"+strings.Repeat("k", 2000)
	if d := Decide(&PolicySet{Identity: []*Policy{allow}}, &req); d != Allowed || ctx.MatchBudgetExceeded() {
		t.Fatalf("trailing star: %v, exceeded %v", d, ctx.MatchBudgetExceeded())
	}
}
