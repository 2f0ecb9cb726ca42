package eval

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/awsmfa/awsmfa/internal/policy"
)

func TestOpcodeOf(t *testing.T) {
	for _, base := range policy.BaseOperators {
		got, ok := opcodeOf(base)
		if want := opcodes[base]; !ok || got != want {
			t.Errorf("opcodeOf(%q) = %v, %v; want %v", base, got, ok, want)
		}
	}
	for _, bad := range []string{"", "stringequals", "StringEqualsIfExists", "Nul"} {
		if _, ok := opcodeOf(bad); ok {
			t.Errorf("opcodeOf(%q) succeeded", bad)
		}
	}
}

// TestCompileIntoMatchesCompile compiles documents of different sizes one
// after the other into one reused Policy and checks that each answers as
// a freshly compiled one.
func TestCompileIntoMatchesCompile(t *testing.T) {
	docs := []string{
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::bucket/*","arn:aws:s3:::bucket"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringLike":{"aws:userid":["AID*","x"]}}},{"Effect":"Deny","NotAction":"s3:GetObject","NotResource":"arn:aws:s3:::${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`,
		allowS3Get,
		denyS3,
		`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket/${aws:username}","Condition":{"NumericLessThan":{"s3:max-keys":"10"},"StringEquals":{"aws:username":"alice"}}}}`,
		allowAll,
	}
	reqs := []Request{
		{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: bucketObj},
		{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:PutObject", Resource: "arn:aws:s3:::bucket/alice"},
		{Principal: "arn:aws:iam::111122223333:user/bob", Action: "ec2:RunInstances", Resource: "*"},
	}
	ctx := &Context{}
	ctx.SetString("aws:MultiFactorAuthPresent", "true")
	ctx.SetString("aws:username", "alice")
	ctx.SetString("aws:SourceIp", "10.1.2.3")
	ctx.SetString("s3:max-keys", "5")
	var c Compiler
	var reused Policy
	for round := 0; round < 2; round++ {
		for i, src := range docs {
			doc, err := policy.ParseKind("doc", []byte(src), policy.KindIdentity)
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := Compile(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CompileInto(&reused, doc); err != nil {
				t.Fatal(err)
			}
			for _, r := range reqs {
				r.Context = ctx
				want := Evaluate(&PolicySet{Identity: []*Policy{fresh}}, &r)
				got := Evaluate(&PolicySet{Identity: []*Policy{&reused}}, &r)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("doc %d, %s on %s: reused policy answers\n%+v\nwant\n%+v", i, r.Action, r.Resource, got, want)
				}
			}
		}
	}
}

// TestEvaluateScratchMatchesEvaluate evaluates requests one after the
// other with EvaluateScratch and checks each result against Evaluate's
// (nil and empty lists are the same here).
func TestEvaluateScratchMatchesEvaluate(t *testing.T) {
	srcs := []string{
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringLike":{"aws:userid":["AID*","x"]}}},{"Effect":"Deny","Action":"s3:Delete*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`,
		allowEC2,
		denyS3,
	}
	var ids []*Policy
	for _, src := range srcs {
		doc, err := policy.ParseKind("doc", []byte(src), policy.KindIdentity)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, MustCompile(doc))
	}
	ctx := &Context{}
	ctx.SetString("aws:MultiFactorAuthPresent", "true")
	ctx.Set("aws:userid", "AIDA1", "AIDA2")
	var ev Evaluator
	for round := 0; round < 3; round++ {
		for k := range ids {
			set := &PolicySet{Identity: ids[:k+1]}
			for i, action := range []string{"s3:GetObject", "s3:DeleteObject", "ec2:RunInstances", "iam:GetUser", "s3:GetObject", "s3:DeleteObject"} {
				r := Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: action, Resource: bucketObj, Context: ctx}
				if i >= 4 {
					// The keys absent: other explanations.
					r.Context = &Context{}
				}
				want := normalize(Evaluate(set, &r))
				got := normalize(ev.EvaluateScratch(set, &r))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s with %d policies:\n got %+v\nwant %+v", action, k+1, got, want)
				}
			}
		}
	}
}

// normalize makes empty lists nil, deeply.
func normalize(r Result) Result {
	ms := func(in []Match) []Match {
		if len(in) == 0 {
			return nil
		}
		out := append([]Match(nil), in...)
		for i := range out {
			if len(out[i].Conditions) == 0 {
				out[i].Conditions = nil
			}
			out[i].Conditions = append([]ConditionTrace(nil), out[i].Conditions...)
			for j := range out[i].Conditions {
				c := &out[i].Conditions[j]
				if len(c.Values) == 0 {
					c.Values = nil
				}
				if len(c.RequestValues) == 0 {
					c.RequestValues = nil
				}
			}
		}
		return out
	}
	r.Deciding, r.NearMisses = ms(r.Deciding), ms(r.NearMisses)
	if len(r.Layers) == 0 {
		r.Layers = nil
	}
	return r
}

// TestContextLowerMethods checks the *Lower methods against the methods
// that lower-case the key themselves.
func TestContextLowerMethods(t *testing.T) {
	type op struct {
		kind string // set, add, setString, delete
		key  string
		v    string
	}
	ops := []op{
		{"setString", "aws:SourceIp", "10.0.0.1"},
		{"set", "aws:TagKeys", ""},
		{"add", "AWS:TagKeys", "a"},
		{"add", "aws:tagkeys", "b"},
		{"setString", "Aws:SourceIP", "10.0.0.2"},
		{"setString", "s3:prefix", "x"},
		{"delete", "S3:Prefix", ""},
		{"add", "aws:CalledVia", "athena.amazonaws.com"},
	}
	var a, b Context
	for _, o := range ops {
		lower := strings.ToLower(o.key)
		switch o.kind {
		case "set":
			a.Set(o.key)
			b.SetLower(lower)
		case "add":
			a.Add(o.key, o.v)
			b.AddLower(lower, o.v)
		case "setString":
			a.SetString(o.key, o.v)
			b.SetStringLower(lower, o.v)
		case "delete":
			a.Delete(o.key)
			b.DeleteLower(lower)
		}
		if !reflect.DeepEqual(a.Keys(), b.Keys()) {
			t.Fatalf("after %+v: keys %v, want %v", o, b.Keys(), a.Keys())
		}
		for _, k := range a.Keys() {
			av, aok := a.Lookup(k)
			bv, bok := b.Lookup(k)
			if aok != bok || !reflect.DeepEqual(av, bv) {
				t.Fatalf("after %+v: %s = %v %v, want %v %v", o, k, bv, bok, av, aok)
			}
		}
	}
}

// TestContextKeyMemoOwnsItsKeys: a key given in memory the caller reuses
// (as the batch decoder's line buffer is) must not become the lower-case
// memo's map key.
func TestContextKeyMemoOwnsItsKeys(t *testing.T) {
	buf := []byte("aws:SourceIp")
	var c Context
	c.SetString(unsafe.String(&buf[0], len(buf)), "10.0.0.1")
	copy(buf, "aws:SourceVp") // the caller's memory, reused
	for k, l := range c.lower {
		if strings.ToLower(k) != l {
			t.Fatalf("memo maps %q to %q: its key changed with the caller's memory", k, l)
		}
	}
	if v, ok := c.Lookup("aws:SourceIp"); !ok || len(v) != 1 || v[0] != "10.0.0.1" {
		t.Fatalf("aws:SourceIp = %v %v", v, ok)
	}
}
