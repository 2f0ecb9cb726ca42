package policygen

import (
	"testing"

	"github.com/awsmfa/awsmfa/internal/lint"
	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// Every generated policy, in every format lint can read, has no findings at
// all (optional rules included).
func TestGeneratedPoliciesPassLint(t *testing.T) {
	var optional []string
	for _, r := range lint.Rules() {
		if r.Optional {
			optional = append(optional, r.ID)
		}
	}
	cases := []Options{
		{Template: DenyWithoutMFA},
		{Template: DenyWithoutMFA, MaxMFAAge: 3600},
		{Template: SelfManageMFA},
		{Template: SelfManageMFA, MaxMFAAge: 43200},
		{Template: TrustRequireMFA, Principals: []string{"arn:aws:iam::123456789012:user/anika"}},
		{Template: TrustRequireMFA, Principals: []string{"123456789012"}, MaxMFAAge: 3600},
	}
	for _, o := range cases {
		doc, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{FormatJSON, FormatCloudFormation} {
			out, err := Render(doc, Kind(o.Template), format, "Generated")
			if err != nil {
				t.Fatal(err)
			}
			name := "generated.json"
			if format == FormatCloudFormation {
				name = "generated.yaml"
			}
			srcs, err := policysource.Extract(name, out, policy.KindUnknown)
			if err != nil || len(srcs) != 1 || srcs[0].Kind != Kind(o.Template) {
				t.Fatalf("%+v %s: extracted %d policies (err %v); want one of kind %v", o, format, len(srcs), err, Kind(o.Template))
			}
			findings, err := lint.LintFile(name, out, lint.Options{Enable: optional})
			if err != nil {
				t.Fatalf("%+v %s: %v", o, format, err)
			}
			for _, f := range findings {
				t.Errorf("%+v %s: finding %s at %d:%d: %s\n%s", o, format, f.Rule, f.Line, f.Column, f.Message, out)
			}
		}
	}
}
