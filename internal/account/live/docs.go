package live

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// maxDocument bounds one policy document as read: the largest IAM allows
// is a role's inline policies, 10,240 characters without white space, and
// an SCP 5,120; 1 MiB leaves room for white space and escapes.
const maxDocument = 1 << 20

// document decodes and parses a policy document as the API returns it:
// URL-encoded (RFC 3986, so '+' is a plus sign, not a space) for IAM
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html),
// plain JSON for Organizations (encoded false). where names it in
// messages and findings ("GetAccountAuthorizationDetails
// UserDetailList[alice].UserPolicyList[0]").
//
// A document that does not parse as kind (AWS accepted it, but the kind's
// stricter rules, such as IAM's alphanumeric Sids, are not met by some old
// documents) is parsed with the shared grammar only and the lenience is
// returned as a note; one that does not parse at all is an error.
func document(raw *string, encoded bool, kind policy.Kind, where string) (*account.Document, string, error) {
	if raw == nil {
		return nil, "", fmt.Errorf("%s: no policy document in the answer", where)
	}
	text := *raw
	if len(text) > maxDocument {
		return nil, "", fmt.Errorf("%s: policy document of %d bytes, more than the %d this reader accepts", where, len(text), maxDocument)
	}
	if encoded {
		dec, err := url.PathUnescape(text)
		if err != nil {
			return nil, "", fmt.Errorf("%s: policy document is not URL-encoded as IAM returns it: %v", where, err)
		}
		text = dec
	}
	doc, err := policy.ParseKind(where, []byte(text), kind)
	note := ""
	if err != nil && !policy.IsLimit(err) {
		lenient, lerr := policy.ParseKind(where, []byte(text), policy.KindUnknown)
		if lerr == nil {
			doc, note, err = lenient, fmt.Sprintf("%s read leniently: %v", where, firstLine(err)), nil
		}
	}
	if err != nil {
		// The error names where as its file.
		return nil, "", err
	}
	doc.File = ""
	return &account.Document{Document: doc, Text: text, Path: where}, note, nil
}

// firstLine returns the first problem of a parse error.
func firstLine(err error) string {
	var list policy.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return list[0].Msg
	}
	return err.Error()
}
