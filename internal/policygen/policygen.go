// Package policygen generates IAM policies that require MFA correctly: a deny
// that long-term access keys cannot slip past, a self-service MFA policy, and
// a role trust policy that demands MFA. Each generated policy passes
// `awsmfa policy lint` with no findings (tested).
package policygen

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Templates that Generate knows, in the order shown by --help.
const (
	DenyWithoutMFA  = "deny-without-mfa"
	SelfManageMFA   = "self-manage-mfa"
	TrustRequireMFA = "trust-require-mfa"
)

// Templates lists the template names.
var Templates = []string{DenyWithoutMFA, SelfManageMFA, TrustRequireMFA}

// Options select and shape a generated policy.
type Options struct {
	Template string
	// MaxMFAAge, when positive, also requires the MFA authentication to be at
	// most this many seconds old (aws:MultiFactorAuthAge).
	MaxMFAAge int
	// Principals are the AWS principals a trust policy admits (IAM user or
	// role ARNs, account root ARNs or 12-digit account ids).
	Principals []string
	// Partition is the ARN partition ("aws" unless set).
	Partition string
}

// Kind returns the policy kind a template produces.
func Kind(template string) policy.Kind {
	if template == TrustRequireMFA {
		return policy.KindTrust
	}
	return policy.KindIdentity
}

// mfaBootstrapActions are the actions a user without an MFA session still
// needs: to see and enrol their own virtual MFA device, to change an initial
// console password, and to trade their keys and a code for an MFA session.
// From the IAM User Guide examples "IAM: Allows IAM users to self-manage an
// MFA device" and "Allows MFA-authenticated IAM users to manage their own
// credentials"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html).
var mfaBootstrapActions = []string{
	"iam:ChangePassword",
	"iam:CreateVirtualMFADevice",
	"iam:EnableMFADevice",
	"iam:GetAccountPasswordPolicy",
	"iam:GetMFADevice",
	"iam:GetUser",
	"iam:ListMFADevices",
	"iam:ListUsers",
	"iam:ListVirtualMFADevices",
	"iam:ResyncMFADevice",
	"sts:GetSessionToken",
}

// MFABootstrapActions returns a copy of the actions the generated policies
// leave open without MFA (audit counts them as self-service).
func MFABootstrapActions() []string { return append([]string(nil), mfaBootstrapActions...) }

var (
	accountIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	principalRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:[a-z-]+:(iam|sts)::[0-9]{12}:(root|user/.+|role/.+|assumed-role/.+)$`)
	})
)

// Generate builds the policy a template describes.
func Generate(o Options) (*policy.Document, error) {
	if o.MaxMFAAge < 0 {
		return nil, fmt.Errorf("--max-mfa-age must be a positive number of seconds, not %d", o.MaxMFAAge)
	}
	part := o.Partition
	if part == "" {
		part = "aws"
	}
	var sts []*policy.Statement
	switch o.Template {
	case DenyWithoutMFA:
		if len(o.Principals) > 0 {
			return nil, fmt.Errorf("--principal applies only to %s", TrustRequireMFA)
		}
		sts = denyWithoutMFA(o.MaxMFAAge)
	case SelfManageMFA:
		if len(o.Principals) > 0 {
			return nil, fmt.Errorf("--principal applies only to %s", TrustRequireMFA)
		}
		sts = append(selfManage(part), denyWithoutMFA(o.MaxMFAAge)...)
	case TrustRequireMFA:
		if len(o.Principals) == 0 {
			return nil, fmt.Errorf("%s needs at least one --principal (an IAM user or role ARN, or an account id)", TrustRequireMFA)
		}
		ps := make([]string, 0, len(o.Principals))
		for _, p := range o.Principals {
			switch {
			case accountIDRe().MatchString(p):
				ps = append(ps, fmt.Sprintf("arn:%s:iam::%s:root", part, p))
			case principalRe().MatchString(p):
				ps = append(ps, p)
			default:
				return nil, fmt.Errorf("--principal %q is not an account id or an IAM user, role or root ARN", p)
			}
		}
		sts = trustRequireMFA(ps, o.MaxMFAAge)
	default:
		return nil, fmt.Errorf("unknown template %q (known: %s, %s, %s)", o.Template, DenyWithoutMFA, SelfManageMFA, TrustRequireMFA)
	}
	for i, s := range sts {
		s.Index = i
	}
	return &policy.Document{Version: "2012-10-17", Statements: sts}, nil
}

func list(values ...string) policy.StringList {
	return policy.StringList{Values: values, Present: true, Single: len(values) == 1}
}

func cond(op, key string, values ...string) policy.Condition {
	o, ok := policy.ParseOperator(op)
	if !ok {
		panic("policygen: bad operator " + op) // programming error: operators below are constants
	}
	c := policy.Condition{Operator: op, Op: o, Key: key, ValuesSingle: len(values) == 1}
	for _, v := range values {
		c.Values = append(c.Values, policy.Value{Raw: v, Kind: policy.KindString})
	}
	return c
}

// denyWithoutMFA is the deny that long-term access keys cannot slip past:
// BoolIfExists treats an absent aws:MultiFactorAuthPresent (every request
// signed with long-term keys) as "false". aws:ViaAWSService keeps calls that
// AWS services make on the user's behalf working.
func denyWithoutMFA(maxAge int) []*policy.Statement {
	actions := append([]string(nil), mfaBootstrapActions...)
	sort.Strings(actions)
	out := []*policy.Statement{{
		Sid:       "BlockMostAccessUnlessSignedInWithMFA",
		HasSid:    true,
		Effect:    policy.Deny,
		NotAction: list(actions...),
		Resource:  list("*"),
		Conditions: []policy.Condition{
			cond("BoolIfExists", "aws:MultiFactorAuthPresent", "false"),
			cond("BoolIfExists", "aws:ViaAWSService", "false"),
		},
	}}
	if maxAge > 0 {
		out = append(out, &policy.Statement{
			Sid:       "BlockMostAccessWhenMFAIsOlderThan" + strconv.Itoa(maxAge) + "Seconds",
			HasSid:    true,
			Effect:    policy.Deny,
			NotAction: list(actions...),
			Resource:  list("*"),
			Conditions: []policy.Condition{
				// IfExists: an absent age (long-term keys, sessions without
				// MFA) counts as too old.
				cond("NumericGreaterThanIfExists", "aws:MultiFactorAuthAge", strconv.Itoa(maxAge)),
				cond("BoolIfExists", "aws:ViaAWSService", "false"),
			},
		})
	}
	return out
}

func selfManage(part string) []*policy.Statement {
	self := "arn:" + part + ":iam::*:user/${aws:username}"
	return []*policy.Statement{
		{Sid: "AllowListActions", HasSid: true, Effect: policy.Allow,
			Action: list("iam:ListUsers", "iam:ListVirtualMFADevices"), Resource: list("*")},
		{Sid: "AllowUserToCreateVirtualMFADevice", HasSid: true, Effect: policy.Allow,
			Action: list("iam:CreateVirtualMFADevice"), Resource: list("arn:" + part + ":iam::*:mfa/*")},
		{Sid: "AllowUserToManageTheirOwnMFA", HasSid: true, Effect: policy.Allow,
			Action:   list("iam:EnableMFADevice", "iam:GetMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ResyncMFADevice"),
			Resource: list(self)},
		{Sid: "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA", HasSid: true, Effect: policy.Allow,
			Action: list("iam:DeactivateMFADevice"), Resource: list(self),
			Conditions: []policy.Condition{cond("Bool", "aws:MultiFactorAuthPresent", "true")}},
	}
}

// trustRequireMFA admits the principals only with MFA. Bool (not IfExists) in
// an Allow is right: an absent key does not match, so nothing is admitted
// without MFA.
func trustRequireMFA(principals []string, maxAge int) []*policy.Statement {
	conds := []policy.Condition{cond("Bool", "aws:MultiFactorAuthPresent", "true")}
	if maxAge > 0 {
		conds = append(conds, cond("NumericLessThan", "aws:MultiFactorAuthAge", strconv.Itoa(maxAge)))
	}
	return []*policy.Statement{{
		Sid:    "AllowAssumeRoleOnlyWithMFA",
		HasSid: true,
		Effect: policy.Allow,
		Principal: &policy.Principal{Entries: []policy.PrincipalEntry{
			{Type: "AWS", Values: list(principals...)},
		}},
		Action:     list("sts:AssumeRole"),
		Conditions: conds,
	}}
}
