package policy

import (
	"strings"
	"testing"
)

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name string
		want Operator
		ok   bool
	}{
		{"StringEquals", Operator{Base: "StringEquals"}, true},
		{"BoolIfExists", Operator{Base: "Bool", IfExists: true}, true},
		{"ForAnyValue:StringLikeIfExists", Operator{Base: "StringLike", Set: ForAnyValue, IfExists: true}, true},
		{"ForAllValues:ArnNotLike", Operator{Base: "ArnNotLike", Set: ForAllValues}, true},
		{"Null", Operator{Base: "Null"}, true},
		{"ForAllValues:Null", Operator{Base: "Null", Set: ForAllValues}, true},
		{"ForAnyValue:Null", Operator{Base: "Null", Set: ForAnyValue}, true},
		{"NotIpAddressIfExists", Operator{Base: "NotIpAddress", IfExists: true}, true},
		{"NullIfExists", Operator{}, false},
		{"ForAnyValue:NullIfExists", Operator{}, false},
		{"stringequals", Operator{}, false},
		{"BOOL", Operator{}, false},
		{"forallvalues:StringEquals", Operator{}, false},
		{"BoolIfExist", Operator{}, false},
		{"", Operator{}, false},
		{"IfExists", Operator{}, false},
		{"ForAllValues:", Operator{}, false},
		{"ForAllValues:ForAnyValue:StringEquals", Operator{}, false},
		{"StringEqualsIfExistsIfExists", Operator{}, false},
		{"StringEquals ", Operator{}, false},
		{"ForAllValues StringEquals", Operator{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseOperator(tt.name)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseOperator(%q) = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.name {
			t.Errorf("ParseOperator(%q).String() = %q", tt.name, got.String())
		}
	}
}

func TestParseOperatorAllCombinations(t *testing.T) {
	n := 0
	for _, base := range BaseOperators {
		for _, set := range []string{"", "ForAllValues:", "ForAnyValue:"} {
			for _, suffix := range []string{"", "IfExists"} {
				name := set + base + suffix
				op, ok := ParseOperator(name)
				wantOK := !(base == "Null" && suffix != "")
				if ok != wantOK {
					t.Errorf("ParseOperator(%q) ok = %v", name, ok)
					continue
				}
				if !ok {
					continue
				}
				n++
				if op.Base != base || op.IfExists != (suffix != "") || op.Set.String()+optColon(op.Set) != set || op.String() != name || !op.IsValid() {
					t.Errorf("ParseOperator(%q) = %+v", name, op)
				}
				// Any change of case makes the name invalid.
				if _, ok := ParseOperator(strings.ToLower(name)); ok {
					t.Errorf("lowercase %q accepted", name)
				}
				if s, ok := SuggestOperator(strings.ToLower(name)); !ok || s != name {
					t.Errorf("SuggestOperator(%q) = %q, %v", strings.ToLower(name), s, ok)
				}
			}
		}
	}
	if want := (len(BaseOperators)-1)*6 + 3; n != want {
		t.Errorf("%d operators, want %d", n, want)
	}
	if (Operator{}).IsValid() || (Operator{Base: "Null", IfExists: true}).IsValid() {
		t.Error("invalid operator reported valid")
	}
}

func optColon(s SetOperator) string {
	if s == SetNone {
		return ""
	}
	return ":"
}

func TestOperatorProblem(t *testing.T) {
	tests := []struct{ name, want string }{
		{"BoolIfExist", `unknown condition operator "BoolIfExist"`},
		{"boolIfExists", `did you mean "BoolIfExists"?`},
		{"NullIfExists", "IfExists cannot be added to Null"},
		{"nullifexists", "IfExists cannot be added to Null"},
		{"ForEachValue:StringEquals", "the only set qualifiers are ForAllValues: and ForAnyValue:"},
	}
	for _, tt := range tests {
		if got := operatorProblem(tt.name); !strings.Contains(got, tt.want) {
			t.Errorf("operatorProblem(%q) = %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
}
