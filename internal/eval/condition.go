package eval

import (
	"cmp"
	"strings"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Condition semantics, all from the IAM User Guide:
//
//   - Several values for one key are ORed; several keys, and several
//     operators, are ANDed
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
//     A negated operator with several values is a NOR: it matches when the
//     request value matches none of them.
//   - A missing key makes a condition false, except for negated operators
//     (true), ...IfExists (true) and Null.
//   - ForAllValues is true when every request value matches some policy
//     value, and also "if there are no context keys in the request" or the
//     key "resolve[s] to an empty data set (for example, an empty string)";
//     ForAnyValue is true when at least one request value matches, and false
//     for a missing key or an empty data set
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
//     For a negated base operator the per-value test is the negation, so
//     ForAllValues:StringNotEquals means "no request value is listed" and
//     ForAnyValue:StringNotEquals "some request value is not listed".
//     A set operator applies its base operator to each request value, so
//     IfExists (part of the base operator) never sees a missing key: with a
//     missing key ForAnyValue:...IfExists is false and ForAllValues:...IfExists
//     true, as without IfExists. The documentation states the missing-key
//     results of ForAnyValue/ForAllValues without an IfExists exception, and
//     both independent engines we compared agree (PMapper's
//     local_policy_simulation.py, https://github.com/nccgroup/PMapper, and
//     @cloud-copilot/iam-simulate's forAnyValueMatch).
//   - A key with several values used without a set operator matches nothing,
//     for negated operators too: "Multivalued context keys require a
//     condition set operator". (Observed: StringEquals on aws:CalledVia with
//     two services in the chain denies; ForAnyValue:StringEquals allows,
//     https://github.com/boogy/iam-policy-validator/pull/161.) A list with a
//     single value is that value.
//   - A request value that does not parse for the operator's type (a number,
//     date, IP address, Bool or ARN) matches no policy value, and the
//     condition is false for the negated operators too: the comparison
//     cannot be made. A policy value that does not parse matches nothing.

// condOutcome is the result of one condition with the reason, for traces.
type condOutcome struct {
	matched bool
	present bool
	why     whyCode
}

type whyCode uint8

const (
	whyCompared        whyCode = iota // compared values
	whyMissingFalse                   // key missing -> false
	whyMissingNegated                 // key missing, negated operator -> true
	whyMissingIfExists                // key missing, IfExists -> true
	whyMissingForAll                  // key missing, ForAllValues -> true
	whyMissingForAny                  // key missing, ForAnyValue -> false
	whyMultiNoSet                     // several values, no set operator
	whyNullCheck                      // Null operator
	whyUnparsable                     // request value does not parse
	whyEmptySetForAll                 // empty data set, ForAllValues -> true
	whyEmptySetForAny                 // empty data set, ForAnyValue -> false
)

// evalCond evaluates one condition against ctx.
func evalCond(c *ccond, ctx *Context) condOutcome {
	vals, present := ctx.lookupLower(c.key)
	if c.op == opNull {
		// "Use a Null condition operator to check if a condition key is
		// absent at the time of authorization. In the policy statement, use
		// either true (the key doesn't exist — it is null) or false (the key
		// exists and its value is not null)."
		for i := range c.vals {
			v := &c.vals[i]
			if v.ok && v.b == !present {
				return condOutcome{matched: true, present: present, why: whyNullCheck}
			}
		}
		return condOutcome{matched: false, present: present, why: whyNullCheck}
	}
	neg := c.op.negated()
	switch c.set {
	case policy.ForAnyValue:
		if !present {
			return condOutcome{matched: false, why: whyMissingForAny}
		}
		if emptyDataSet(vals) {
			return condOutcome{matched: false, present: true, why: whyEmptySetForAny}
		}
		for _, rv := range vals {
			if m, ok := matchValue(c, rv, ctx); ok && m {
				return condOutcome{matched: true, present: true}
			}
		}
		return condOutcome{matched: false, present: true}
	case policy.ForAllValues:
		if !present {
			return condOutcome{matched: true, why: whyMissingForAll}
		}
		if emptyDataSet(vals) {
			return condOutcome{matched: true, present: true, why: whyEmptySetForAll}
		}
		for _, rv := range vals {
			if m, ok := matchValue(c, rv, ctx); !ok || !m {
				return condOutcome{matched: false, present: true}
			}
		}
		return condOutcome{matched: true, present: true}
	}
	if !present {
		switch {
		case c.ifExists:
			return condOutcome{matched: true, why: whyMissingIfExists}
		case neg:
			return condOutcome{matched: true, why: whyMissingNegated}
		}
		return condOutcome{matched: false, why: whyMissingFalse}
	}
	if len(vals) > 1 {
		return condOutcome{matched: false, present: true, why: whyMultiNoSet}
	}
	m, ok := matchValue(c, vals[0], ctx)
	if !ok {
		return condOutcome{matched: false, present: true, why: whyUnparsable}
	}
	return condOutcome{matched: m, present: true}
}

func emptyDataSet(vals []string) bool {
	return len(vals) == 0 || len(vals) == 1 && vals[0] == ""
}

// matchValue tests one request value against the condition's values,
// applying negation. ok is false when the request value does not parse for
// the operator's type.
func matchValue(c *ccond, rv string, ctx *Context) (matched, ok bool) {
	pos, ok := positiveMatch(c, rv, ctx)
	if !ok {
		return false, false
	}
	if c.op.negated() {
		return !pos, true
	}
	return pos, true
}

// orderMatch reports whether a comparison result (-1, 0, +1 for request
// value against policy value) satisfies a Numeric or Date operator; the
// negated operators use their positive form here.
func orderMatch(op opcode, c int) bool {
	switch op {
	case opNumericEquals, opNumericNotEquals, opDateEquals, opDateNotEquals:
		return c == 0
	case opNumericLessThan, opDateLessThan:
		return c < 0
	case opNumericLessThanEquals, opDateLessThanEquals:
		return c <= 0
	case opNumericGreaterThan, opDateGreaterThan:
		return c > 0
	case opNumericGreaterThanEquals, opDateGreaterThanEquals:
		return c >= 0
	}
	return false
}

// positiveMatch reports whether rv matches any policy value under the
// positive form of the operator.
func positiveMatch(c *ccond, rv string, ctx *Context) (bool, bool) {
	switch c.op.family() {
	case famString:
		fold := c.op == opStringEqualsIgnoreCase || c.op == opStringNotEqualsIgnoreCase
		for i := range c.vals {
			if c.vals[i].pat.match(rv, fold, ctx) {
				return true, true
			}
		}
		return false, true
	case famNumeric:
		x, ok := parseNumber(rv)
		if !ok {
			return false, false
		}
		for i := range c.vals {
			if v := &c.vals[i]; v.ok && orderMatch(c.op, cmp.Compare(x, v.num)) {
				return true, true
			}
		}
		return false, true
	case famDate:
		t, ok := parseDate(rv)
		if !ok {
			return false, false
		}
		for i := range c.vals {
			if v := &c.vals[i]; v.ok && orderMatch(c.op, t.Compare(v.date)) {
				return true, true
			}
		}
		return false, true
	case famBool:
		b, ok := parseBool(rv)
		if !ok {
			return false, false
		}
		for i := range c.vals {
			v := &c.vals[i]
			pb, pok := v.b, v.ok
			if v.pat.hasVar {
				s, rok := v.pat.resolve(ctx)
				if !rok {
					continue
				}
				pb, pok = parseBool(s)
			}
			if pok && pb == b {
				return true, true
			}
		}
		return false, true
	case famBinary:
		for i := range c.vals {
			v := &c.vals[i]
			if v.ok && binaryEqual(rv, v.bin) {
				return true, true
			}
		}
		return false, true
	case famIP:
		q, ok := parsePrefix(rv)
		if !ok {
			return false, false
		}
		for i := range c.vals {
			v := &c.vals[i]
			if v.ok && prefixContains(v.prefix, q) {
				return true, true
			}
		}
		return false, true
	case famArn:
		var parts [6]string
		if !splitARN6(rv, &parts) {
			return false, false
		}
		for i := range c.vals {
			v := &c.vals[i]
			if !v.ok {
				continue
			}
			m := true
			for k := 0; k < 6 && m; k++ {
				m = v.arn[k].match(parts[k], false, ctx)
			}
			if m {
				return true, true
			}
		}
		return false, true
	}
	return false, true
}

// splitARN6 splits an ARN into its six colon-separated components; the last
// keeps further colons.
func splitARN6(s string, parts *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		parts[i] = s[:j]
		s = s[j+1:]
	}
	parts[5] = s
	return true
}
