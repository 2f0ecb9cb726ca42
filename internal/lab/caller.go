package lab

import (
	"fmt"
	"time"

	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// Caller kinds.
const (
	kindRoot = iota
	kindUser
	kindRole
)

// caller is the authenticated principal of a request.
type caller struct {
	kind    int
	account string
	// arn is the request principal: the user or root ARN, or the
	// assumed-role session ARN.
	arn string
	// principalARN is aws:PrincipalArn: the role ARN for a role session.
	principalARN string
	// userID is aws:userid: the user's unique id, the account id for root,
	// ROLEID:SESSION for a role session.
	userID   string
	userName string
	// uniqueID is the user's or role's unique id.
	uniqueID    string
	roleName    string
	sessionName string

	accessKeyID string
	key         *store.AccessKey
	sess        *store.Session
	row         credctx.Row
	ident       *identity
	sessPolicy  *eval.Policy
}

// longTerm reports whether the caller signed with a long-term access key.
func (c *caller) longTerm() bool { return c.sess == nil }

// mfaTime is when MFA was verified for the caller's context (zero: none).
func (c *caller) mfaTime() time.Time {
	if c.sess == nil {
		return time.Time{}
	}
	return c.sess.MFATime
}

// identityPolicies returns the caller's compiled identity-based policies.
func (c *caller) identityPolicies() []*eval.Policy {
	if c.ident == nil {
		return nil
	}
	return c.ident.policies
}

// credctx rows by credential type.
var (
	rowLongTerm     = mustRow("long-term-keys")
	rowSession      = mustRow("session-token")
	rowSessionMFA   = mustRow("session-token-mfa")
	rowAssumeRole   = mustRow("assume-role")
	rowAssumeMFA    = mustRow("assume-role-mfa")
	rowRoleFromMFA  = mustRow("role-from-mfa-session")
	credentialTypes = map[string]credctx.Row{}
)

func mustRow(name string) credctx.Row {
	r, ok := credctx.Lookup(name)
	if !ok {
		panic("lab: internal/credctx has no row " + name)
	}
	credentialTypes[name] = r
	return r
}

func (s *Server) callerFor(e *keyEntry, accessKeyID string) (*caller, error) {
	acct := s.st.AccountID()
	c := &caller{account: acct, accessKeyID: accessKeyID, key: e.key, sess: e.sess, sessPolicy: e.sessPolicy, row: rowLongTerm}
	kind, principal := store.SessionUser, ""
	if e.key != nil {
		if e.key.Root() {
			kind = store.SessionRoot
		} else {
			principal = e.key.UserID
		}
	} else {
		kind, principal = e.sess.Kind, e.sess.PrincipalID
		row, ok := credentialTypes[e.sess.Credential]
		if !ok {
			return nil, fmt.Errorf("lab: session has unknown credential type %q", e.sess.Credential)
		}
		c.row = row
	}
	switch kind {
	case store.SessionRoot:
		c.kind = kindRoot
		c.arn = s.st.RootARN()
		c.principalARN = c.arn
		c.userID = acct
	case store.SessionUser:
		id, err := s.userIdentity(principal)
		if err != nil {
			return nil, err
		}
		c.kind = kindUser
		c.ident = id
		c.arn, c.principalARN = id.user.ARN, id.user.ARN
		c.userID, c.uniqueID, c.userName = id.user.ID, id.user.ID, id.user.Name
	case store.SessionRole:
		id, err := s.roleIdentity(principal)
		if err != nil {
			return nil, err
		}
		c.kind = kindRole
		c.ident = id
		c.roleName, c.sessionName = id.role.Name, e.sess.SessionName
		c.arn = "arn:aws:sts::" + acct + ":assumed-role/" + id.role.Name + "/" + e.sess.SessionName
		c.principalARN = id.role.ARN
		c.uniqueID = id.role.ID
		c.userID = id.role.ID + ":" + e.sess.SessionName
	default:
		return nil, fmt.Errorf("lab: unknown session kind %q", kind)
	}
	return c, nil
}

// credentialRestrictions applies what a credential type cannot do
// regardless of policies.
func (s *Server) credentialRestrictions(rq *request) error {
	c := rq.caller
	if c.sess == nil || c.sess.Kind == store.SessionRole {
		return nil
	}
	// GetSessionToken credentials obtained without MFA cannot call IAM.
	if c.row.Name == rowSession.Name && rq.service == serviceIAM {
		rq.note = "GetSessionToken credentials without MFA cannot call IAM"
		return invalidToken(msgIAMNeedsMFA)
	}
	return nil
}
