package policy

import "strings"

// Condition operator names are case-sensitive in AWS: IAM rejects
// "stringEquals" with "MalformedPolicyDocument: Invalid Condition type :
// stringEquals" (seen on CreateRole, see
// https://github.com/ministryofjustice/modernisation-platform-environments/pull/8893).
// ParseOperator therefore matches exactly; SuggestOperator offers the
// canonical spelling for messages.
//
// The grammar is [ForAllValues:|ForAnyValue:]<base>[IfExists]
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
// "You can add IfExists to the end of any condition operator name except the
// Null condition", so NullIfExists is not an operator. ForAllValues:Null and
// ForAnyValue:Null are accepted: IAM's policy simulator accepts them
// (PMapper's test_null_condition_handling,
// "Validated against the Simulator API",
// https://github.com/nccgroup/PMapper/blob/master/tests/test_local_querying.py).

const (
	prefixForAllValues = "ForAllValues:"
	prefixForAnyValue  = "ForAnyValue:"
	suffixIfExists     = "IfExists"
)

// operators maps every valid operator name to its parsed form.
var operators = func() map[string]Operator {
	m := make(map[string]Operator, len(BaseOperators)*6)
	for _, base := range BaseOperators {
		for _, set := range []SetOperator{SetNone, ForAllValues, ForAnyValue} {
			for _, ifExists := range []bool{false, true} {
				if ifExists && base == "Null" {
					continue
				}
				op := Operator{Base: base, Set: set, IfExists: ifExists}
				m[op.String()] = op
			}
		}
	}
	return m
}()

// ParseOperator parses a condition operator name such as "StringEquals",
// "BoolIfExists" or "ForAnyValue:StringLikeIfExists". Names are
// case-sensitive, as in AWS. "NullIfExists" (with or without a set prefix) is
// not an operator.
func ParseOperator(name string) (Operator, bool) {
	op, ok := operators[name]
	return op, ok
}

// String returns the operator's canonical name, such as
// "ForAnyValue:StringLikeIfExists".
func (o Operator) String() string {
	var b strings.Builder
	b.Grow(len(prefixForAllValues) + len(o.Base) + len(suffixIfExists))
	switch o.Set {
	case ForAllValues:
		b.WriteString(prefixForAllValues)
	case ForAnyValue:
		b.WriteString(prefixForAnyValue)
	}
	b.WriteString(o.Base)
	if o.IfExists {
		b.WriteString(suffixIfExists)
	}
	return b.String()
}

// IsValid reports whether the operator is one AWS accepts.
func (o Operator) IsValid() bool {
	_, ok := operators[o.String()]
	return ok && o.Base != ""
}

// operatorProblem explains why name is not an operator, for error messages.
func operatorProblem(name string) string {
	if suggestion, ok := SuggestOperator(name); ok {
		return "unknown condition operator " + quote(name) + " (did you mean " + quote(suggestion) + "? operator names are case-sensitive)"
	}
	rest := name
	set := ""
	for _, p := range []string{prefixForAllValues, prefixForAnyValue} {
		if strings.HasPrefix(rest, p) {
			rest = rest[len(p):]
			set = p
			break
		}
	}
	if set == "" {
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			return "unknown condition operator " + quote(name) + ": the only set qualifiers are ForAllValues: and ForAnyValue:"
		}
	}
	if strings.EqualFold(rest, "Null"+suffixIfExists) {
		return "invalid condition operator " + quote(name) + ": IfExists cannot be added to Null (Null already tests whether the key exists)"
	}
	return "unknown condition operator " + quote(name)
}

// SuggestOperator returns the canonical spelling of an operator name that
// differs from a valid one only in letter case (and whose case therefore
// makes AWS reject it).
func SuggestOperator(name string) (string, bool) {
	if _, ok := operators[name]; ok {
		return "", false
	}
	for canonical := range operators {
		if strings.EqualFold(canonical, name) {
			if strings.EqualFold(name, "Null"+suffixIfExists) {
				return "", false
			}
			return canonical, true
		}
	}
	return "", false
}
