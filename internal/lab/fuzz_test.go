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
		"Action=GetAccountSummary&Version=2010-05-08",
		"Action=CreateLoginProfile&Version=2010-05-08&UserName=bob&Password=Aa1-aaaaa&PasswordResetRequired=true",
		"Action=GetLoginProfile&Version=2010-05-08&UserName=bob",
		"Action=ListAttachedGroupPolicies&Version=2010-05-08&GroupName=bool-group&PathPrefix=/a/&MaxItems=1",
		"Action=ListRolePolicies&Version=2010-05-08&RoleName=mfa-role&Marker=V29yaw",
		"Action=CreatePolicyVersion&Version=2010-05-08&PolicyArn=arn:aws:iam::123456789012:policy/P&PolicyDocument=%7B%7D&SetAsDefault=maybe",
		"Action=DeletePolicyVersion&Version=2010-05-08&PolicyArn=arn:aws:iam::123456789012:policy/P&VersionId=v1",
		"Action=ListPolicies&Version=2010-05-08&Scope=Local&OnlyAttached=true&PathPrefix=/a/",
		"Action=DeleteUser&Version=2010-05-08&UserName=bob",
		"Action=DeleteGroup&Version=2010-05-08&GroupName=bool-group",
		"Action=GetGroup&Version=2010-05-08&GroupName=bool-group&MaxItems=1",
		"Action=UntagUser&Version=2010-05-08&UserName=alice&TagKeys.member.1=a&TagKeys.member.3=b",
		"Action=TagRole&Version=2010-05-08&RoleName=mfa-role&Tags.member.1.Key=k&Tags.member.1.Value=v",
		"Action=UpdateRole&Version=2010-05-08&RoleName=mfa-role&MaxSessionDuration=99999999999999999999",
		"Action=GetRolePolicy&Version=2010-05-08&RoleName=mfa-role&PolicyName=Work",
		"Action=DeleteVirtualMFADevice&Version=2010-05-08&SerialNumber=arn:aws:iam::123456789012:mfa/alice",
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

func FuzzTagsParam(f *testing.F) {
	for _, s := range []string{
		"Tags.member.1.Key=team&Tags.member.1.Value=blue",
		"Tags.member.1.Key=a&Tags.member.1.Value=&Tags.member.2.Key=A&Tags.member.2.Value=x",
		"Tags.member.3.Key=c&Tags.member.3.Value=", "Tags.member.0.Key=a", "Tags.member.99999999999999999999.Key=a",
		"Tags.member.-1.Key=a", "Tags.member.1.Key=%FF&Tags.member.1.Value=v",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := params{}
		if parseForm(s, p) != nil {
			return
		}
		tags, err := tagsParam(p)
		if err != nil {
			if _, ok := toAPIError(err); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		// Every Tags parameter is in the result: nothing dropped.
		n := 0
		for k := range p {
			if strings.HasPrefix(k, tagsPrefix) {
				n++
			}
		}
		if n != 2*len(tags) {
			t.Fatalf("%d Tags parameters, %d tags", n, len(tags))
		}
	})
}

func FuzzDescribeRegionsParams(f *testing.F) {
	for _, s := range []string{
		"Action=DescribeRegions&Version=2016-11-15",
		"Action=DescribeRegions&Version=2016-11-15&AllRegions=true&RegionName.1=us-east-1&RegionName.2=af-south-1",
		"Action=DescribeRegions&Version=2016-11-15&Filter.1.Name=region-name&Filter.1.Value.1=eu-*&Filter.2.Name=opt-in-status&Filter.2.Value.1=%5B",
		"Action=DescribeRegions&Version=2016-11-15&RegionName.2=us-east-1", "Action=DescribeRegions&DryRun=TRUE",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := params{}
		if parseForm(s, p) != nil {
			return
		}
		in, err := parseDescribeRegions(p)
		if err != nil {
			if _, ok := toAPIError(err); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		regions := in.regions()
		if len(regions) > len(ec2Regions()) {
			t.Fatalf("%d regions", len(regions))
		}
		if err := xml.Unmarshal([]byte("<r>"+regionInfoXML(regions)+"</r>"), new(struct{})); err != nil {
			t.Fatalf("regionInfo does not parse: %v", err)
		}
	})
}
