package lab

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// xmlHard are values whose escaping differs between naive encoders and
// encoding/xml: the special characters, white space that must be
// escaped, control characters and invalid UTF-8 (both become U+FFFD),
// non-characters, non-ASCII text and a CDATA terminator.
var xmlHard = []string{
	"",
	"alice",
	`<script>&"quotes"'apos'</script>`,
	"tab\tnew\nline\rcr",
	"nul\x00bell\x07esc\x1bunit\x1f",
	"del\x7f",
	"é☃😀 Zürich",
	"bad\xff\xfeutf8\xc3",
	"\xed\xa0\x80surrogate",
	"literal \uFFFD and \uFFFE\uFFFF",
	"\U0010FFFF\U00010000",
	"a]]>b",
	"&amp; already escaped",
	"%7B%22Version%22%3A%222012-10-17%22%7D",
}

// xmlHandResults builds one value of every hand-encoded result type with
// s in every string field.
func xmlHandResults(s string, n int) map[string]any {
	tags := list[tagXML]{}
	for i := 0; i < n; i++ {
		tags = append(tags, tagXML{Key: s, Value: s + s})
	}
	user := userXML{Path: s, UserName: s, UserId: s, Arn: s, CreateDate: s, Tags: tags}
	users := list[userXML]{}
	roles := list[roleXML]{}
	for i := 0; i < n; i++ {
		users = append(users, userXML{Path: s, UserName: s, UserId: s, Arn: s, CreateDate: s})
		roles = append(roles, roleXML{Path: s, RoleName: s, RoleId: s, Arn: s, CreateDate: s, AssumeRolePolicyDocument: s, Description: s, MaxSessionDuration: 3600 * i})
	}
	size := len(s)
	role := roleXML{Path: s, RoleName: s, RoleId: s, Arn: s, CreateDate: s, AssumeRolePolicyDocument: s, Description: s,
		MaxSessionDuration: -n, RoleLastUsed: &roleLastUsedXML{LastUsedDate: s, Region: s}, Tags: tags}
	creds := credentialsXML{AccessKeyId: s, SecretAccessKey: s, SessionToken: s, Expiration: s}
	return map[string]any{
		"GetCallerIdentity":    getCallerIdentityResult{Arn: s, UserId: s, Account: s},
		"GetSessionToken":      getSessionTokenResult{Credentials: creds},
		"AssumeRole":           assumeRoleResult{Credentials: creds, AssumedRoleUser: assumedRoleUserXML{AssumedRoleId: s, Arn: s}, PackedPolicySize: &size, SourceIdentity: s},
		"AssumeRoleNoOptional": assumeRoleResult{Credentials: creds, AssumedRoleUser: assumedRoleUserXML{AssumedRoleId: s, Arn: s}},
		"ListUsers":            listUsersResult{Users: users, pageInfo: pageInfo{IsTruncated: n%2 == 1, Marker: s}},
		"ListUsersNil":         listUsersResult{},
		"GetUser":              getUserResult{User: user},
		"GetUserRoot":          getUserResult{User: userXML{UserId: s, Arn: s, CreateDate: s}},
		"CreateUser":           createUserResult{User: user},
		"ListRoles":            listRolesResult{Roles: roles, pageInfo: pageInfo{Marker: s}},
		"GetRole":              getRoleResult{Role: role},
		"GetRoleNeverUsed":     getRoleResult{Role: roleXML{Path: s, RoleName: s, RoleLastUsed: &roleLastUsedXML{}}},
		"CreateRole":           createRoleResult{Role: roleXML{Path: s, RoleName: s, Tags: tags}},
		"Empty":                createRoleResult{},
	}
}

func compareEncoders(t *testing.T, action string, result any) {
	t.Helper()
	if _, ok := result.(xmlFields); !ok {
		t.Fatalf("%s: %T is not encoded by hand", action, result)
	}
	want, err := appendResult(nil, serviceIAM, action, "req-1", result, false)
	if err != nil {
		t.Fatalf("%s: encoding/xml: %v", action, err)
	}
	got, err := appendResult(nil, serviceIAM, action, "req-1", result, true)
	if err != nil {
		t.Fatalf("%s: by hand: %v", action, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s (%T): by hand\n%s\nencoding/xml\n%s", action, result, got, want)
	}
}

// The hand-written encoder writes the bytes encoding/xml writes, for
// every hand-encoded type and hard value, with 0 to 2 list items.
func TestXMLEncoderMatchesEncodingXML(t *testing.T) {
	for _, s := range xmlHard {
		for n := 0; n <= 2; n++ {
			for action, result := range xmlHandResults(s, n) {
				compareEncoders(t, action, result)
			}
		}
	}
}

func TestXMLEscapeMatchesEncodingXML(t *testing.T) {
	for _, s := range xmlHard {
		var want bytes.Buffer
		enc := xml.NewEncoder(&want)
		if err := enc.EncodeElement(s, xml.StartElement{Name: xml.Name{Local: "v"}}); err != nil {
			t.Fatal(err)
		}
		_ = enc.Flush()
		got := "<v>" + string(xmlEscape(nil, s)) + "</v>"
		if got != want.String() {
			t.Errorf("%q: got %q, encoding/xml %q", s, got, want.String())
		}
	}
}

// Results not encoded by hand still go through encoding/xml, including
// those that embed pageInfo.
func TestXMLEncoderFallback(t *testing.T) {
	tests := []any{
		listAccessKeysResult{AccessKeyMetadata: list[accessKeyMetadataXML]{{UserName: "a<b", AccessKeyId: "AKIA", Status: "Active"}}, pageInfo: pageInfo{IsTruncated: true, Marker: "m"}},
		listPolicyNamesResult{PolicyNames: list[string]{"p&q"}},
	}
	for _, r := range tests {
		if _, ok := r.(xmlFields); ok {
			t.Errorf("%T is encoded by hand but has no test", r)
		}
		got, err := appendResult(nil, serviceIAM, "X", "req-1", r, true)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := appendResult(nil, serviceIAM, "X", "req-1", r, false)
		if !bytes.Equal(got, want) || !bytes.Contains(got, []byte("<member>")) {
			t.Errorf("%T:\n%s", r, got)
		}
	}
}

func FuzzXMLEncoder(f *testing.F) {
	for _, s := range xmlHard {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, n uint8) {
		for action, result := range xmlHandResults(s, int(n%4)) {
			compareEncoders(t, action, result)
		}
	})
}

func BenchmarkXMLListUsers(b *testing.B) {
	r := xmlHandResults("alice", 3)["ListUsers"]
	for _, mode := range []struct {
		name   string
		byHand bool
	}{{"hand", true}, {"encoding-xml", false}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = appendResult(buf[:0], serviceIAM, "ListUsers", "req-1", r, mode.byHand); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
