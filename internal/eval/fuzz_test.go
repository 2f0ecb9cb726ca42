package eval

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// globRegexp is a reference for pattern matching: * any run, ? one
// character.
func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}

// resourceRegexp is a reference for Resource matching: within a segment *
// and ? never match ':', a * ending a segment matches anything.
func resourceRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	rs := []rune(p)
	for i, r := range rs {
		switch r {
		case '*':
			if i+1 == len(rs) || rs[i+1] == ':' {
				b.WriteString(`.*`)
			} else {
				b.WriteString(`[^:]*`)
			}
		case '?':
			b.WriteString(`[^:]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}

func validUTF8NoVars(s string) bool {
	return !strings.Contains(s, "${") && strings.ToValidUTF8(s, "") == s
}

func FuzzPatternMatch(f *testing.F) {
	for _, c := range [][2]string{{"s3:Get*", "s3:GetObject"}, {"a*b*c", "aXbYc"}, {"?*?", "ab"}, {"*a*a*a*b", strings.Repeat("a", 40)}, {"", ""}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pat, subject string) {
		if !validUTF8NoVars(pat) || !validUTF8NoVars(subject) || len(pat) > 64 {
			return
		}
		p := compilePattern(pat, true, false)
		want := globRegexp(pat).MatchString(subject)
		if got := p.match(subject, false, nil); got != want {
			t.Fatalf("match(%q, %q) = %v, want %v", pat, subject, got, want)
		}
	})
}

func FuzzResourceMatch(f *testing.F) {
	for _, c := range [][2]string{
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b"},
		{"arn:aws:s3:::*log*", "arn:aws:s3:::a:log"},
		{"arn:aws:iam::*:role/x", "arn:aws:iam::1:role/x"},
		{"*:*", "a:b:c"},
		{"a?:b", "a::b"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pat, subject string) {
		if !validUTF8NoVars(pat) || !validUTF8NoVars(subject) || len(pat) > 64 {
			return
		}
		rp := compileResource(pat, false)
		want := resourceRegexp(pat).MatchString(subject)
		if got := rp.match(subject, nil); got != want {
			t.Fatalf("resource match(%q, %q) = %v, want %v", pat, subject, got, want)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2020-01-01T00:00:00Z", "1600000000", "2020", "2020-02-29T23:59:59.999+05:30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDate(s)
		if !ok {
			return
		}
		// A parsed date survives a round trip through RFC 3339.
		back, ok := parseDate(d.UTC().Format(time.RFC3339Nano))
		if d.Year() >= 0 && d.Year() <= 9999 && (!ok || !back.Equal(d)) {
			t.Fatalf("parseDate(%q) = %v; round trip %v %v", s, d, back, ok)
		}
	})
}

// FuzzEvaluate checks that any parsable policy evaluates without panicking
// and that Decide and Evaluate agree.
func FuzzEvaluate(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}}]}`,
		userARN, "s3:GetObject", "arn:aws:s3:::b/alice/x", "aws:TagKeys", "abc")
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},"NotAction":"iam:*","NotResource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"ArnLike":{"aws:SourceArn":"arn:*:*:*:*:*"}}}]}`,
		sessionARN, "ec2:Run", "*", "aws:SourceIp", "10.1.2.3")
	f.Add(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020"},"BinaryEquals":{"k":"QUJD"},"Null":{"x":"true"}}}}`,
		"", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k", "aws:CurrentTime", "2021-01-01T00:00:00Z")
	f.Fuzz(func(t *testing.T, src, principal, action, resource, key, value string) {
		doc, err := policy.Parse("fuzz", []byte(src))
		if err != nil {
			return
		}
		p, err := Compile(doc)
		if err != nil {
			return
		}
		ctx := &Context{}
		ctx.Set(key, value, value+"x")
		ctx.SetString("aws:username", value)
		for _, kind := range []ResourceKind{ResourceGeneric, ResourceRoleTrust, ResourceKMSKey} {
			sets := []*PolicySet{
				{Identity: []*Policy{p}},
				{Resource: p, ResourceKind: kind, Boundary: p},
				{Identity: []*Policy{p}, Session: p, SCPs: [][]*Policy{{p}}, RCPs: [][]*Policy{{p}, {}}},
			}
			for _, set := range sets {
				req := &Request{Principal: principal, Action: action, Resource: resource, Context: ctx}
				d := Decide(set, req)
				r := Evaluate(set, req)
				if d != r.Decision {
					t.Fatalf("Decide %v, Evaluate %v", d, r.Decision)
				}
				if r.Reason == "" {
					t.Fatal("empty reason")
				}
			}
		}
	})
}
