package live

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// A credential report as IAM writes it: the root user with not_supported
// password columns, a user with a password and one key used, a user with
// two keys, the second inactive.
const sampleReport = `user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2019-12-18T19:10:08+00:00,not_supported,2024-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::123456789012:user/alice,2020-01-02T03:04:05+00:00,true,no_information,2020-01-02T03:05:00+00:00,N/A,false,true,2020-01-02T03:04:06+00:00,2024-06-01T00:00:00+00:00,us-east-1,ec2,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
bob,arn:aws:iam::123456789012:user/bob,2021-01-01T00:00:00+00:00,false,N/A,N/A,N/A,true,true,2021-01-01T00:00:01+00:00,N/A,N/A,N/A,false,2021-02-01T00:00:00+00:00,N/A,N/A,N/A,true,2021-01-01T00:00:00+00:00,false,N/A
`

func TestParseCredentialReport(t *testing.T) {
	rep, err := parseCredentialReport([]byte(sampleReport))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 3 {
		t.Fatalf("rows %+v", rep.Rows)
	}
	root, alice, bob := rep.Rows[0], rep.Rows[1], rep.Rows[2]
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if !root.Root() || root.PasswordEnabled || !root.MFAActive || !root.PasswordLastUsed.Equal(at("2024-05-01T10:00:00Z")) || !root.PasswordLastChanged.IsZero() {
		t.Errorf("root %+v", root)
	}
	if !alice.PasswordEnabled || !alice.PasswordLastUsed.IsZero() || !alice.PasswordLastChanged.Equal(at("2020-01-02T03:05:00Z")) ||
		alice.AccessKeys[0] != (account.AccessKeyState{Active: true, LastRotated: at("2020-01-02T03:04:06Z"), LastUsed: at("2024-06-01T00:00:00Z"), LastUsedService: "ec2", LastUsedRegion: "us-east-1"}) ||
		alice.AccessKeys[1].Active || alice.ARN != "arn:aws:iam::123456789012:user/alice" || !alice.UserCreation.Equal(at("2020-01-02T03:04:05Z")) {
		t.Errorf("alice %+v", alice)
	}
	if bob.PasswordEnabled || !bob.MFAActive || !bob.AccessKeys[0].Active || bob.AccessKeys[1].Active || !bob.AccessKeys[1].LastRotated.Equal(at("2021-02-01T00:00:00Z")) ||
		bob.AccessKeys[0].LastUsedService != "" || bob.Certs != [2]bool{true, false} {
		t.Errorf("bob %+v", bob)
	}
}

func TestParseCredentialReportErrors(t *testing.T) {
	header := strings.SplitN(sampleReport, "\n", 2)[0]
	for _, c := range []struct{ name, content, want string }{
		{"empty", "", "credential report: header: EOF"},
		{"no user column", "arn,password_enabled\n", "no user column"},
		{"bad boolean", header + "\nalice,arn:aws:iam::1:user/alice,N/A,yes" + strings.Repeat(",N/A", 18) + "\n", `line 2: password_enabled is "yes", not true or false`},
		{"bad time", header + "\nalice,arn,yesterday,false" + strings.Repeat(",N/A", 18) + "\n", `line 2: user_creation_time is "yesterday", not a time`},
		{"short line", header + "\nalice,arn\n", "wrong number of fields"},
		{"bare quote", header + "\nal\"ice" + strings.Repeat(",x", 21) + "\n", "bare \" in non-quoted-field"},
	} {
		_, err := parseCredentialReport([]byte(c.content))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// Columns in another order, and one AWS may add: read by name.
	shuffled := "mfa_active,extra,user,arn,access_key_2_active,access_key_1_active,password_enabled\ntrue,x,alice,arn:aws:iam::1:user/alice,false,true,false\n"
	rep, err := parseCredentialReport([]byte(shuffled))
	if err != nil || len(rep.Rows) != 1 || rep.Rows[0].User != "alice" || !rep.Rows[0].MFAActive || !rep.Rows[0].AccessKeys[0].Active {
		t.Fatalf("%+v %v", rep, err)
	}
}

func FuzzParseCredentialReport(f *testing.F) {
	f.Add([]byte(sampleReport))
	f.Add([]byte("user,arn,password_enabled,mfa_active,access_key_1_active,access_key_2_active\n<root_account>,arn,not_supported,true,false,false\n"))
	f.Add([]byte("user,arn\n\"a\nb\",c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := parseCredentialReport(data)
		if err != nil {
			if rep != nil {
				t.Fatal("a report and an error")
			}
			if !strings.HasPrefix(err.Error(), "credential report") {
				t.Fatalf("error does not say where: %v", err)
			}
			return
		}
		for _, row := range rep.Rows {
			for _, k := range row.AccessKeys {
				if k.LastUsedService == "N/A" || k.LastUsedRegion == "N/A" {
					t.Fatalf("placeholder kept: %+v", k)
				}
			}
		}
	})
}

func TestMFAType(t *testing.T) {
	for serial, want := range map[string]account.MFAType{
		"arn:aws:iam::123456789012:mfa/alice":                      account.MFAVirtual,
		"arn:aws-us-gov:iam::123456789012:mfa/path/alice":          account.MFAVirtual,
		"arn:aws:iam::123456789012:u2f/user/alice/yubi-ABCDEFGHIJ": account.MFAFIDO,
		"GAHT12345678":                         account.MFAHardware,
		"arn:aws:iam::123456789012:sms-mfa/x":  account.MFAUnknown,
		"arn:aws:iam::123456789012:user/alice": account.MFAUnknown,
		"arn:broken":                           account.MFAUnknown,
		"":                                     account.MFAUnknown,
	} {
		if got := mfaType(serial); got != want {
			t.Errorf("%q: %v, want %v", serial, got, want)
		}
	}
}

func TestDocument(t *testing.T) {
	const where = "GetAccountAuthorizationDetails UserDetailList[alice].UserPolicyList[0]"
	// IAM's encoding: %20 for a space, %2B for a plus sign; a literal '+'
	// (which IAM never sends unencoded) stays a plus sign.
	enc := `%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22A%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2Fa%2Bb%20c+d%22%7D%5D%7D`
	d, note, err := document(aws.String(enc), true, policy.KindIdentity, where)
	if err != nil || note != "" {
		t.Fatal(err, note)
	}
	if d.Text != `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a+b c+d"}]}` ||
		d.Path != where || d.File != "" || d.Document.File != "" || d.Statements[0].Resource.Values[0] != "arn:aws:s3:::b/a+b c+d" {
		t.Fatalf("%+v", d)
	}
	// Plain JSON (Organizations) is not decoded: %41 stays.
	d, _, err = document(aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::%41"}]}`), false, policy.KindSCP, "DescribePolicy p-1")
	if err != nil || d.Statements[0].Resource.Values[0] != "arn:aws:s3:::%41" {
		t.Fatalf("%+v %v", d, err)
	}
	// A Sid IAM would refuse today is read leniently, with a note.
	d, note, err = document(aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"old style","Effect":"Allow","Action":"*","Resource":"*"}]}`), false, policy.KindIdentity, where)
	if err != nil || d == nil || !strings.HasPrefix(note, where+" read leniently: ") {
		t.Fatalf("lenient: %v %q", err, note)
	}
	for _, c := range []struct {
		raw     *string
		encoded bool
		want    string
	}{
		{nil, true, where + ": no policy document"},
		{aws.String("%7B%ZZ"), true, "not URL-encoded"},
		{aws.String(`{"Statement":`), false, where + ":1:"},
		{aws.String(strings.Repeat(" ", maxDocument+1)), false, "more than the"},
	} {
		_, _, err := document(c.raw, c.encoded, policy.KindIdentity, where)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: want %q", err, c.want)
		}
	}
}
