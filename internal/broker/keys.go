package broker

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
)

// Keys are the cache keys of a chain's credentials.
type Keys struct {
	// Session is the MFA session's key (Chain.MFASessionKey); "" when the
	// chain uses no MFA session.
	Session string
	// Steps[i] holds the credentials obtained by the chain's i-th
	// AssumeRole. The key depends on the configuration up to that role
	// (STS endpoint, base credentials' identity, MFA mode and device, and
	// each role's ARN, external ID, session name, mfa_serial and duration),
	// never on a profile name, so profiles that share a prefix of their
	// chains share its cached credentials, and editing a profile makes its
	// old entries unreachable.
	Steps []string
}

// Final is the key of the chain's own credentials: the last role's, else
// the MFA session's; "" when they are not cached (static keys, a
// credential_process or credential source used directly).
func (k Keys) Final() string {
	if n := len(k.Steps); n > 0 {
		return k.Steps[n-1]
	}
	return k.Session
}

// KeysFor computes the cache keys of a resolved chain.
func KeysFor(ch *awsconfig.Chain) Keys {
	var k Keys
	session := false
	if key, ok := ch.MFASessionKey(); ok {
		k.Session, session = key, true
	}
	var b strings.Builder
	field := func(s string) {
		b.WriteString(s)
		b.WriteByte(0)
	}
	field("awsmfa-creds-v1")
	field(ch.STSEndpoint)
	field(baseFingerprint(&ch.Base))
	if session {
		field("session")
		field(k.Session)
	} else {
		field("direct")
	}
	for _, s := range ch.Steps {
		field("role")
		field(s.RoleARN)
		field(s.ExternalID)
		field(s.RoleSessionName)
		if !session {
			field(s.MFASerial)
		}
		field(strconv.Itoa(s.DurationSeconds))
		field(s.CredentialSource)
		h := sha256.Sum256([]byte(b.String()))
		k.Steps = append(k.Steps, hex.EncodeToString(h[:16]))
	}
	return k
}

// baseFingerprint identifies the base credentials without secrets.
func baseFingerprint(b *awsconfig.Base) string {
	parts := []string{string(b.Kind)}
	switch b.Kind {
	case awsconfig.BaseStatic:
		parts = append(parts, b.AccessKeyID)
		if b.SessionToken != "" {
			// A different session token is a different session; only a
			// hash of it enters the key.
			h := sha256.Sum256([]byte(b.SessionToken))
			parts = append(parts, hex.EncodeToString(h[:8]))
		}
	case awsconfig.BaseCredentialProcess:
		parts = append(parts, b.CredentialProcess)
	case awsconfig.BaseCredentialSource:
		parts = append(parts, b.CredentialSource, b.Profile)
	case awsconfig.BaseWebIdentity:
		parts = append(parts, b.RoleARN, b.WebIdentityTokenFile, b.RoleSessionName)
	case awsconfig.BaseSSO:
		parts = append(parts, b.SSOStartURL, b.SSOAccountID, b.SSORoleName, b.SSOSession)
	case awsconfig.BaseLoginSession:
		parts = append(parts, b.LoginSession)
	}
	return strings.Join(parts, "\x01")
}
