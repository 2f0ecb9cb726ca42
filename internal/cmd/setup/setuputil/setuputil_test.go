package setuputil

import (
	"testing"

	"github.com/awsmfa/awsmfa/internal/audit"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		arn     string
		session bool
		user    string
		cred    audit.Credential
	}{
		{"arn:aws:iam::123456789012:user/alice", false, "alice", audit.CredAccessKeys},
		{"arn:aws:iam::123456789012:user/team/ops/alice", false, "alice", audit.CredAccessKeys},
		// A user's session that reads IAM was obtained with MFA.
		{"arn:aws:iam::123456789012:user/alice", true, "alice", audit.CredSessionMFA},
		{"arn:aws-us-gov:iam::123456789012:user/bob", false, "bob", audit.CredAccessKeys},
		{"arn:aws:sts::123456789012:assumed-role/admin/alice", true, "", audit.CredSessionMFA},
		{"arn:aws:sts::123456789012:federated-user/alice", true, "", audit.CredSessionMFA},
		{"arn:aws:iam::123456789012:root", false, "", audit.CredAccessKeys},
		{"arn:aws:iam::210987654321:user/alice", false, "", audit.CredAccessKeys},
		{"not an arn", false, "", audit.CredAccessKeys},
	} {
		c := classify(tc.arn, "123456789012", tc.session)
		if c.User != tc.user || c.Cred != tc.cred || c.ARN != tc.arn {
			t.Errorf("classify(%q, %v) = %+v, want user %q cred %s", tc.arn, tc.session, c, tc.user, tc.cred)
		}
	}
}
