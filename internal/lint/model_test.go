package lint

import (
	"fmt"
	"testing"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// TestMFAModelAgainstEvaluator checks the lint rules' model of MFA
// conditions (which kinds of request a condition holds for) against the
// policy evaluator, for every operator form the rules reason about.
func TestMFAModelAgainstEvaluator(t *testing.T) {
	var conds []string
	presentOps := []string{"Bool", "BoolIfExists", "StringEquals", "StringEqualsIfExists", "StringNotEquals", "StringNotEqualsIfExists",
		"StringEqualsIgnoreCase", "StringLike", "StringNotLike", "ForAllValues:Bool", "ForAnyValue:Bool", "ForAllValues:BoolIfExists",
		"ForAnyValue:BoolIfExists", "ForAllValues:StringEquals", "ForAnyValue:StringNotEquals"}
	for _, op := range presentOps {
		for _, v := range []string{`"true"`, `"false"`, `true`, `false`, `["true", "false"]`} {
			if op[:1] == "S" && (v == "true" || v == "false") {
				continue // String operators take strings
			}
			conds = append(conds, fmt.Sprintf(`{%q: {"aws:MultiFactorAuthPresent": %s}}`, op, v))
		}
	}
	for _, v := range []string{`"true"`, `"false"`} {
		conds = append(conds, fmt.Sprintf(`{"Null": {"aws:MultiFactorAuthPresent": %s}}`, v),
			fmt.Sprintf(`{"Null": {"aws:MultiFactorAuthAge": %s}}`, v))
	}
	for _, op := range []string{"NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "NumericEquals", "NumericNotEquals"} {
		for _, suffix := range []string{"", "IfExists"} {
			for _, set := range []string{"", "ForAllValues:", "ForAnyValue:"} {
				conds = append(conds, fmt.Sprintf(`{"%s%s%s": {"aws:MultiFactorAuthAge": "3600"}}`, set, op, suffix))
			}
		}
	}
	conds = append(conds,
		`{"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": 900}}`,
		`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}, "NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": 900}}`,
		`{"Bool": {"aws:MultiFactorAuthPresent": "false"}, "NumericGreaterThan": {"aws:MultiFactorAuthAge": 900}}`,
	)

	contexts := map[reqKind]map[string]string{
		reqKeys:     {},
		reqNoMFA:    {"aws:MultiFactorAuthPresent": "false"},
		reqFreshMFA: {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"},
		reqStaleMFA: {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "999999999"},
	}
	for _, cond := range conds {
		src := doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": ` + cond + `}`)
		d, err := policy.Parse("p.json", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		compiled, err := eval.Compile(d)
		if err != nil {
			t.Fatalf("%s: %v", cond, err)
		}
		set := &eval.PolicySet{Identity: []*eval.Policy{compiled}}
		var want reqSet
		for k := reqKind(0); k < numReqKinds; k++ {
			ctx := &eval.Context{}
			for key, v := range contexts[k] {
				ctx.SetString(key, v)
			}
			req := &eval.Request{Principal: "arn:aws:iam::123456789012:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}
			if eval.Decide(set, req) == eval.Allowed {
				want |= 1 << k
			}
		}
		a := analyzeMFA(d.Statements[0])
		if !a.known {
			t.Errorf("%s: the lint model cannot evaluate it", cond)
			continue
		}
		if a.matches != want {
			t.Errorf("%s: lint model holds for %s; evaluator for %s", cond, a.matches.describe(), want.describe())
		}
	}
}
