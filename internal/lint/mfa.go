package lint

import (
	"math"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// The MFA rules reason about four kinds of request, which differ only in
// the two MFA condition keys
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
//
//   - long-term access keys: neither aws:MultiFactorAuthPresent nor
//     aws:MultiFactorAuthAge is in the request context ("The key is not
//     present in AWS CLI, AWS API, or AWS SDK requests that are made using
//     access keys");
//   - temporary credentials obtained without MFA (GetSessionToken or
//     AssumeRole without a token code, console sign-in without MFA, role
//     sessions of workloads): MultiFactorAuthPresent is "false" and
//     MultiFactorAuthAge is absent (it "is present only if MFA is present");
//   - temporary credentials obtained with MFA just now: "true" and a small
//     age;
//   - temporary credentials obtained with MFA long ago: "true" and an age
//     larger than any limit a policy sets.
//
// A statement's MFA conditions are evaluated for each kind of request, with
// AWS's rules for absent keys: a plain operator is false, a negated operator
// (StringNotEquals...) and IfExists are true, ForAllValues is true and
// ForAnyValue false (with or without IfExists), Null tests presence
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
// All other conditions are assumed to match: the MFA rules ask which kinds of
// request a statement can possibly apply to.

type reqKind int

const (
	reqKeys reqKind = iota
	reqNoMFA
	reqFreshMFA
	reqStaleMFA
	numReqKinds
)

// reqSet is a set of request kinds.
type reqSet uint8

func setOf(ks ...reqKind) reqSet {
	var s reqSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

func (s reqSet) has(k reqKind) bool { return s&(1<<k) != 0 }

const allReqs = reqSet(1<<numReqKinds - 1)

var reqNames = [...]string{
	reqKeys:     "requests signed with long-term access keys",
	reqNoMFA:    "temporary credentials obtained without MFA",
	reqFreshMFA: "requests with a recent MFA sign-in",
	reqStaleMFA: "requests with an old MFA sign-in",
}

// describe lists the kinds in s for a message.
func (s reqSet) describe() string {
	var parts []string
	for k := reqKind(0); k < numReqKinds; k++ {
		if s.has(k) {
			parts = append(parts, reqNames[k])
		}
	}
	switch len(parts) {
	case 0:
		return "no request"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

const (
	keyMFAPresent = "aws:multifactorauthpresent"
	keyMFAAge     = "aws:multifactorauthage"
)

func isMFAKey(key string) bool {
	k := strings.ToLower(key)
	return k == keyMFAPresent || k == keyMFAAge
}

// staleAge stands for an MFA sign-in older than any limit.
var staleAge = math.Inf(1)

// requestValue returns the value of an MFA key for a kind of request.
func requestValue(key string, k reqKind) (string, float64, bool) {
	switch strings.ToLower(key) {
	case keyMFAPresent:
		switch k {
		case reqNoMFA:
			return "false", 0, true
		case reqFreshMFA, reqStaleMFA:
			return "true", 0, true
		}
	case keyMFAAge:
		switch k {
		case reqFreshMFA:
			return "0", 0, true
		case reqStaleMFA:
			return "", staleAge, true
		}
	}
	return "", 0, false
}

// mfaCond is one condition on an MFA key.
type mfaCond struct {
	c *policy.Condition
	// matches is the set of request kinds for which the condition holds.
	matches reqSet
}

// mfaAnalysis is what the MFA model says about one statement.
type mfaAnalysis struct {
	conds []mfaCond
	// matches is the set of request kinds the statement can apply to (the
	// intersection over its MFA conditions); meaningful only when known.
	matches reqSet
	// known is false when some MFA condition cannot be evaluated (a value
	// that is a CloudFormation placeholder, or an operator that does not
	// fit the key, which condition-operator-key-type reports).
	known bool
}

// tests reports whether the statement has any condition on an MFA key.
func (a *mfaAnalysis) tests() bool { return len(a.conds) > 0 }

func analyzeMFA(s *policy.Statement) mfaAnalysis {
	a := mfaAnalysis{matches: allReqs, known: true}
	for i := range s.Conditions {
		c := &s.Conditions[i]
		if !isMFAKey(c.Key) {
			continue
		}
		m, ok := evalMFACondition(c)
		a.conds = append(a.conds, mfaCond{c: c, matches: m})
		if !ok {
			a.known = false
			continue
		}
		a.matches &= m
	}
	return a
}

// evalMFACondition returns the request kinds for which c (a condition on an
// MFA key) holds, or false when it cannot be told.
func evalMFACondition(c *policy.Condition) (reqSet, bool) {
	if !c.Op.IsValid() {
		return 0, false
	}
	for _, v := range c.Values {
		if policysource.IsPlaceholder(v.Raw) {
			return 0, false
		}
	}
	var set reqSet
	for k := reqKind(0); k < numReqKinds; k++ {
		m, ok := condHolds(c, k)
		if !ok {
			return 0, false
		}
		if m {
			set |= 1 << k
		}
	}
	return set, true
}

// condHolds evaluates c for a kind of request.
func condHolds(c *policy.Condition, k reqKind) (bool, bool) {
	s, num, present := requestValue(c.Key, k)
	base := c.Op.Base
	if base == "Null" {
		// "true" matches an absent key, "false" a present one; the
		// values are ORed.
		any := false
		for _, v := range c.Values {
			switch strings.ToLower(v.Raw) {
			case "true":
				any = any || !present
			case "false":
				any = any || present
			}
		}
		return any, true
	}
	negated := isNegated(base)
	if !present {
		// A set operator applies its base operator (IfExists included) to
		// each request value, so with no value ForAllValues is true and
		// ForAnyValue false whatever the base operator
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html;
		// internal/eval/condition.go cites the engines that agree).
		switch c.Op.Set {
		case policy.ForAllValues:
			return true, true
		case policy.ForAnyValue:
			return false, true
		}
		return c.Op.IfExists || negated, true
	}
	isAge := strings.EqualFold(c.Key, keyMFAAge)
	matchOne := func(pv string) (bool, bool) {
		switch {
		case base == "Bool":
			if isAge {
				return false, false
			}
			return strings.EqualFold(strings.TrimSpace(pv), s) && strings.TrimSpace(pv) == pv, true
		case strings.HasPrefix(base, "String"):
			rv := s
			if isAge {
				rv = ageText(num, s)
			}
			switch base {
			case "StringEquals", "StringNotEquals":
				return rv == pv, true
			case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
				return strings.EqualFold(rv, pv), true
			default: // StringLike, StringNotLike
				return globMatch(pv, rv, false), true
			}
		case strings.HasPrefix(base, "Numeric"):
			if !isAge {
				return false, false
			}
			n, err := strconv.ParseFloat(strings.TrimSpace(pv), 64)
			if err != nil || strings.TrimSpace(pv) != pv {
				return false, true // an invalid value never matches
			}
			switch base {
			case "NumericEquals", "NumericNotEquals":
				return num == n, true
			case "NumericLessThan":
				return num < n, true
			case "NumericLessThanEquals":
				return num <= n, true
			case "NumericGreaterThan":
				return num > n, true
			case "NumericGreaterThanEquals":
				return num >= n, true
			}
		}
		// Date, IP address, ARN and binary operators: not meaningful on
		// MFA keys (condition-operator-key-type reports them).
		return false, false
	}
	any := false
	for _, v := range c.Values {
		m, ok := matchOne(v.Raw)
		if !ok {
			return false, false
		}
		any = any || m
	}
	if negated {
		return !any, true
	}
	return any, true
}

func ageText(num float64, s string) string {
	if math.IsInf(num, 1) {
		return "999999999"
	}
	if s != "" {
		return s
	}
	return strconv.FormatFloat(num, 'f', -1, 64)
}

// isNegated reports whether a base operator is a negated one, which is true
// for an absent key.
func isNegated(base string) bool {
	switch base {
	case "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
		"NumericNotEquals", "DateNotEquals", "ArnNotEquals", "ArnNotLike", "NotIpAddress":
		return true
	}
	return false
}

// globMatch matches s against a pattern with * (any run) and ? (any one
// byte), ASCII case-insensitively when fold is set. It does not allocate.
func globMatch(pattern, s string, fold bool) bool {
	eq := func(a, b byte) bool {
		if a == b {
			return true
		}
		if !fold {
			return false
		}
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			starP, starI = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || eq(pattern[p], s[i])):
			p++
			i++
		case starP >= 0:
			p = starP + 1
			starI++
			i = starI
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
