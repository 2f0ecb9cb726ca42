package live

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

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
	d, err := document(aws.String(enc), true, policy.KindUnknown, where)
	if err != nil {
		t.Fatal(err)
	}
	if d.Text != `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a+b c+d"}]}` ||
		d.Path != where || d.File != "" || d.Document.File != "" || d.Statements[0].Resource.Values[0] != "arn:aws:s3:::b/a+b c+d" {
		t.Fatalf("%+v", d)
	}
	// Plain JSON (Organizations) is not decoded: %41 stays.
	d, err = document(aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::%41"}]}`), false, policy.KindSCP, "DescribePolicy p-1")
	if err != nil || d.Statements[0].Resource.Values[0] != "arn:aws:s3:::%41" {
		t.Fatalf("%+v %v", d, err)
	}
	// A Sid IAM would refuse today, in a document it stored long ago.
	if _, err := document(aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"old style","Effect":"Allow","Action":"*","Resource":"*"}]}`), false, policy.KindUnknown, where); err != nil {
		t.Fatalf("old Sid: %v", err)
	}
	for _, c := range []struct {
		raw     *string
		encoded bool
		want    string
	}{
		{nil, true, where + ": no policy document"},
		{aws.String("%7B%ZZ"), true, "not URL-encoded"},
		{aws.String(`{"Statement":`), false, where + ":1:"},
		{aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`), false, "Principal"},
		{aws.String(strings.Repeat(" ", maxDocument+1)), false, "more than the"},
	} {
		_, err := document(c.raw, c.encoded, policy.KindSCP, where)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: want %q", err, c.want)
		}
	}
}
