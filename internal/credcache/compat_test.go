package credcache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sealedV1 is an encrypted entry for key "golden-key" (passphrase
// "correct horse") written by awsmfa before the sealing moved to
// internal/sealbox: files written then must still be read.
const sealedV1 = `{
  "version": 1,
  "key": "golden-key",
  "sealed": {
    "kdf": "scrypt",
    "n": 32768,
    "r": 8,
    "p": 1,
    "salt": "Fm8bql93T79kiyfPq4m8jA==",
    "nonce": "M0ESZ/b/M06bjQDBsBSiqu00Zd3HUCTH",
    "box": "tNbdvXV/f6EUVH9tTTOq5vj+4Pl7KyhigOmSB0Qa3b1U1/TNw+KOMyC+paeYWvyzHnsTYmjuAKrRo839sIs09Wn6+wI7NV3bLylsfCmfSDs8cNwO5+jRe2ok0GYsbKm1sgrKOK1FNDlOOaoJD0MVF7Z5y8zbA/gcWYhAIsxB1DmLv5tgfN0PhpSLIg0/kn4g7aZ2u21i9bSVQxo9kJiiISQcGziLiXXR1n2mtCV9BMCnSXubdMmf2yvo0ZMSzwyzDk1MYxV4kVYR2VZByf6x00aL9f/FYasKaW2QL8TaUG3MsbTdcFtuzLNTj/YWu0CUEgQVzkrIgpI2XXAHQh/pJ9pXik+fbmkWwBAoqvjwx+V2sUb+3kvwl4Gbsk36733h2aMh1GQ+sQKvrHc42tlJs8suf/joFN5Qoe4o3xAxCtvQgtQBJaGYLLqyhGZNQxioMKtPAdhPzZ3JubP5dibnT/z5qB01Y+B9/n9Cb1J0Wh0568OlB1tRtTyetNMD+pP6TLPRm5jOTjYvgXRtF1s975fzhhZxFbYRi6Duo8Ack5i1pFhJu23EwFPM1s1B6T16qWRQ/uJ2x5sQIp5gUxTGw2+veMMsNr4i"
  }
}`

func TestSealedEntryCompat(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	want := sampleCreds(exp)
	want.Issued = exp.Add(-time.Hour)
	tests := []struct {
		name       string
		passphrase string
		wantErr    error
		reason     string
	}{
		{"right passphrase", "correct horse", nil, ""},
		{"wrong passphrase", "correct horse!", ErrUnreadable, "wrong " + PassphraseEnv + "?"},
		{"no passphrase", "", ErrUnreadable, PassphraseEnv + " is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "golden-key.json"), []byte(sealedV1), 0o600); err != nil {
				t.Fatal(err)
			}
			c := &fileCache{dir: dir, pass: tt.passphrase, kd: &keyDeriver{}, locks: &lockDir{dir: filepath.Join(dir, "locks")}}
			got, err := c.Get("golden-key")
			if tt.wantErr == nil {
				if err != nil || !sameCreds(got, want) || !got.Issued.Equal(want.Issued) {
					t.Fatalf("Get = %v, %v; want the stored credentials", got, err)
				}
				return
			}
			if got != nil || !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("Get = %v, %v; want %v saying %q", got, err, tt.wantErr, tt.reason)
			}
			noSecret(t, "error", err.Error())
		})
	}
}
