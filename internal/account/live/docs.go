package live

import (
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
// UserDetailList[alice].UserPolicyList[0]"). IAM's documents are parsed
// with the grammar every kind shares (policy.KindUnknown), as the offline
// loader does: IAM validated them when they were written, under rules that
// changed over time, so an old but accepted document does not stop a read.
func document(raw *string, encoded bool, kind policy.Kind, where string) (*account.Document, error) {
	if raw == nil {
		return nil, fmt.Errorf("%s: no policy document in the answer", where)
	}
	text := *raw
	if len(text) > maxDocument {
		return nil, fmt.Errorf("%s: policy document of %d bytes, more than the %d this reader accepts", where, len(text), maxDocument)
	}
	if encoded {
		dec, err := url.PathUnescape(text)
		if err != nil {
			return nil, fmt.Errorf("%s: policy document is not URL-encoded as IAM returns it: %v", where, err)
		}
		text = dec
	}
	doc, err := policy.ParseKind(where, []byte(text), kind)
	if err != nil {
		// The error names where as its file.
		return nil, err
	}
	doc.File = ""
	return &account.Document{Document: doc, Text: text, Path: where}, nil
}
