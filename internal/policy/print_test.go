package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// stripPos returns a deep copy of d with every position cleared, so that
// documents can be compared structurally.
func stripPos(d *Document) *Document {
	if d == nil {
		return nil
	}
	c := *d
	c.File = ""
	c.Pos, c.VersionPos, c.IDPos, c.StatementPos = Pos{}, Pos{}, Pos{}, Pos{}
	c.Statements = nil
	for _, s := range d.Statements {
		sc := *s
		sc.Pos, sc.SidPos, sc.EffectPos = Pos{}, Pos{}, Pos{}
		// Presence of Condition is kept as a flag through the position.
		if s.ConditionPos.IsValid() {
			sc.ConditionPos = Pos{Line: 1, Column: 1}
		}
		sc.Principal = stripPrincipal(s.Principal)
		sc.NotPrincipal = stripPrincipal(s.NotPrincipal)
		sc.Action = stripList(s.Action)
		sc.NotAction = stripList(s.NotAction)
		sc.Resource = stripList(s.Resource)
		sc.NotResource = stripList(s.NotResource)
		sc.Conditions = nil
		for _, cond := range s.Conditions {
			cond.OperatorPos, cond.KeyPos = Pos{}, Pos{}
			vals := make([]Value, len(cond.Values))
			for i, v := range cond.Values {
				v.Pos = Pos{}
				vals[i] = v
			}
			cond.Values = vals
			sc.Conditions = append(sc.Conditions, cond)
		}
		c.Statements = append(c.Statements, &sc)
	}
	return &c
}

func stripPrincipal(p *Principal) *Principal {
	if p == nil {
		return nil
	}
	c := *p
	c.Pos = Pos{}
	c.Entries = nil
	for _, e := range p.Entries {
		e.Pos = Pos{}
		e.Values = stripList(e.Values)
		c.Entries = append(c.Entries, e)
	}
	return &c
}

func stripList(l StringList) StringList {
	l.Pos = Pos{}
	l.ValuePos = nil
	if len(l.Values) == 0 {
		l.Values = nil
	}
	return l
}

func fixtureFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return files
}

// checkRoundTrip asserts Parse(Format(d)) == d structurally and that Format
// is idempotent.
func checkRoundTrip(t testing.TB, name string, d *Document) {
	t.Helper()
	out := Format(d)
	if !json.Valid(out) {
		t.Fatalf("%s: Format produced invalid JSON:\n%s", name, out)
	}
	d2, err := Parse(name+"(formatted)", out)
	if err != nil {
		t.Fatalf("%s: formatted document does not parse: %v\n%s", name, err, out)
	}
	if a, b := stripPos(d), stripPos(d2); !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: round trip changed the document\nbefore: %s\nafter:  %s\nformatted:\n%s", name, dump(a), dump(b), out)
	}
	if out2 := Format(d2); !bytes.Equal(out, out2) {
		t.Fatalf("%s: Format is not idempotent:\n%s\n---\n%s", name, out, out2)
	}
}

func dump(v any) string {
	b, _ := json.Marshal(struct{ V any }{v})
	return string(b)
}

func TestRoundTripFixtures(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(f, data)
			if err != nil {
				t.Fatalf("fixture does not parse: %v", err)
			}
			checkRoundTrip(t, f, d)
		})
	}
}

func TestFormatShapes(t *testing.T) {
	src := `{"Statement":{"Effect":"Deny","NotAction":"sts:GetSessionToken","Resource":["*"],` +
		`"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":false},"NumericLessThan":{"aws:MultiFactorAuthAge":["3600",60]}}},` +
		`"Id":"x","Version":"2012-10-17"}`
	d, err := Parse("shapes.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "Version": "2012-10-17",
    "Id": "x",
    "Statement": {
        "Effect": "Deny",
        "NotAction": "sts:GetSessionToken",
        "Resource": [
            "*"
        ],
        "Condition": {
            "BoolIfExists": {
                "aws:MultiFactorAuthPresent": false
            },
            "NumericLessThan": {
                "aws:MultiFactorAuthAge": [
                    "3600",
                    60
                ]
            }
        }
    }
}
`
	if got := string(Format(d)); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatElementOrder(t *testing.T) {
	src := `{"Statement":[{"Condition":{"Null":{"k":"true"}},"NotResource":"r","Action":"a","Principal":"*","Effect":"Allow","Sid":"S"}],"Version":"2008-10-17"}`
	d, err := Parse("order.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := string(Format(d))
	order := []string{`"Version"`, `"Statement"`, `"Sid"`, `"Effect"`, `"Principal"`, `"Action"`, `"NotResource"`, `"Condition"`}
	last := -1
	for _, k := range order {
		i := strings.Index(out, k)
		if i <= last {
			t.Fatalf("%s out of order in:\n%s", k, out)
		}
		last = i
	}
}

func TestFormatEscapes(t *testing.T) {
	d := &Document{
		Version: Version2012,
		Statements: []*Statement{{
			Sid:      "a\"b\\c\n\t\x01é\xff",
			HasSid:   true,
			Effect:   Allow,
			Action:   StringList{Values: []string{"s3:*"}, Present: true, Single: true},
			Resource: StringList{Values: []string{"*"}, Present: true},
			Conditions: []Condition{
				{Op: Operator{Base: "NumericEquals"}, Key: "k", Values: []Value{{Raw: "1e5", Kind: KindNumber}, {Raw: "oops", Kind: KindNumber}, {Raw: "yes", Kind: KindBool}}},
			},
		}},
	}
	out := Format(d)
	if !json.Valid(out) {
		t.Fatalf("invalid JSON:\n%s", out)
	}
	for _, want := range []string{`"a\"b\\c\n\t\u0001é` + "\ufffd\"", `"NumericEquals"`, "1e5,", `"oops"`, `"yes"`, `"Action": "s3:*"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

func TestMarshalJSON(t *testing.T) {
	d, err := Parse("m.json", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		Policy *Document `json:"policy"`
	}{d})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}
