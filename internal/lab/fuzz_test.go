package lab

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"
)

func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"Action=GetCallerIdentity&Version=2011-06-15",
		"a=1&a=2&&b&=c",
		"PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D",
		"x=%zz", "x=%", "x=%4", "+=+", "Filter.member.1=User&Filter.member.2=Role",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := params{}
		err := parseForm(s, p)
		if err != nil {
			if _, ok := err.(*apiError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if len(p) > maxParams {
			t.Fatalf("%d parameters", len(p))
		}
		// Whatever parsed re-encodes and parses to the same parameters.
		v := url.Values{}
		for k, val := range p {
			v.Set(k, val)
		}
		q := params{}
		if err := parseForm(v.Encode(), q); err != nil {
			t.Fatalf("re-encoded form does not parse: %v", err)
		}
		if len(q) != len(p) {
			t.Fatalf("round trip: %d != %d parameters", len(q), len(p))
		}
		for k, val := range p {
			if q[k] != val {
				t.Fatalf("round trip of %q: %q != %q", k, q[k], val)
			}
		}
		// Agreement with net/url where both accept.
		if std, err := url.ParseQuery(s); err == nil {
			for k := range std {
				if k == "" {
					continue
				}
				if std.Get(k) != p[k] && !strings.Contains(s, ";") {
					t.Fatalf("%q: net/url says %q, parseForm %q", k, std.Get(k), p[k])
				}
			}
		}
	})
}

// FuzzSignedRequest sends arbitrary, correctly signed bodies to every
// service: the server must answer well-formed XML with a client error or
// success, never an internal error or a panic.
func FuzzSignedRequest(f *testing.F) {
	for _, s := range []string{
		gci,
		"Action=GetSessionToken&Version=2011-06-15&DurationSeconds=abc",
		"Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/mfa-role&RoleSessionName=x1&Policy=%7B",
		"Action=CreateUser&Version=2010-05-08&UserName=z&Path=/a/",
		"Action=ListUsers&Version=2010-05-08&MaxItems=1&Marker=YWxpY2U",
		"Action=PutUserPolicy&Version=2010-05-08&UserName=alice&PolicyName=p&PolicyDocument=%7B%7D",
		"Action=GetAccountAuthorizationDetails&Version=2010-05-08&Filter.member.1=Role",
		"Action=EnableMFADevice&Version=2010-05-08&UserName=alice&SerialNumber=arn:aws:iam::123456789012:mfa/x&AuthenticationCode1=123456&AuthenticationCode2=654321",
		"Action=DescribeRegions&Version=2016-11-15",
	} {
		for _, svc := range []string{"sts", "iam", "ec2"} {
			f.Add(svc, s)
		}
	}
	st, srv, a := fuzzLab(f)
	defer st()
	f.Fuzz(func(t *testing.T, service, body string) {
		switch service {
		case "sts", "iam", "ec2":
		default:
			service = "iam"
		}
		now := time.Now()
		status, resp := do(srv.Handler(), signedRequest(t, a.admin, service, body, now))
		if status >= 500 {
			t.Fatalf("status %d for %q:\n%s", status, body, resp)
		}
		if err := xml.Unmarshal([]byte(resp), new(struct{})); err != nil {
			t.Fatalf("answer is not XML: %v\n%s", err, resp)
		}
		if status != 200 && !strings.Contains(resp, "<Code>") {
			t.Fatalf("error without a code:\n%s", resp)
		}
	})
}

func fuzzLab(f *testing.F) (func(), *Server, *account) {
	st, srv, a := newFuzzServer(f)
	return func() { st.Close() }, srv, a
}
