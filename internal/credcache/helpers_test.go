package credcache

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const (
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
	testToken  = "FwoGZXIvYXdzEXAMPLESESSIONTOKENxxxxxxxxxxxxxxxxxxxxxxxx"
)

func sampleCreds(exp time.Time) *Credentials {
	return &Credentials{
		AccessKeyID:     "ASIAEXAMPLE123456789",
		SecretAccessKey: testSecret,
		SessionToken:    testToken,
		Expiration:      exp,
		AccountID:       "123456789012",
		PrincipalARN:    "arn:aws:iam::123456789012:user/alice",
		MFA:             true,
		MFAAuthTime:     exp.Add(-12 * time.Hour),
		Kind:            KindSessionToken,
		SourceKey:       "",
	}
}

// noSecret fails when s contains a secret of sampleCreds.
func noSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range []string{testSecret, testToken, "wJalrXUtnFEMI", "FwoGZXIvYXdz"} {
		if strings.Contains(s, sec) {
			t.Errorf("%s leaks a secret: %q", what, s)
		}
	}
}

func openFile(t *testing.T, dir, pass string) Cache {
	t.Helper()
	c, err := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sameCreds(a, b *Credentials) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.AccessKeyID == b.AccessKeyID && a.SecretAccessKey == b.SecretAccessKey &&
		a.SessionToken == b.SessionToken && a.Expiration.Equal(b.Expiration) &&
		a.AccountID == b.AccountID && a.PrincipalARN == b.PrincipalARN && a.MFA == b.MFA &&
		a.MFAAuthTime.Equal(b.MFAAuthTime) && a.Kind == b.Kind && a.SourceKey == b.SourceKey
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func jsonMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
