package eval

import (
	"reflect"
	"testing"

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
