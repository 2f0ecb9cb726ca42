package root

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// BenchmarkCredentialProcessHit is the work of one credential_process
// cache hit inside the process (configuration, one cache entry, the JSON),
// without the process start and package initialisation that
// scripts/bench-startup.sh measures.
func BenchmarkCredentialProcessHit(b *testing.B) {
	dir := b.TempDir()
	cfgPath, credPath := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for p, text := range map[string]string{
		cfgPath:  "[profile bob]\nregion = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\nendpoint_url = http://127.0.0.1:9\n",
		credPath: "[bob]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
	} {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	b.Setenv("AWS_CONFIG_FILE", cfgPath)
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", credPath)
	b.Setenv("AWSMFA_CACHE_BACKEND", "file")
	b.Setenv("AWSMFA_CACHE_DIR", filepath.Join(dir, "cache"))
	cfg, err := awsconfig.Load(awsconfig.OSEnv())
	if err != nil {
		b.Fatal(err)
	}
	ch, err := cfg.Resolve("bob")
	if err != nil {
		b.Fatal(err)
	}
	key, _ := ch.MFASessionKey()
	c, err := credcache.Open(credcache.Options{Backend: "file", Dir: filepath.Join(dir, "cache")})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Put(key, &credcache.Credentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", SessionToken: "tok", Expiration: time.Now().Add(12 * time.Hour), MFA: true, Kind: "session"}); err != nil {
		b.Fatal(err)
	}
	ios, _, out, errOut := iostreams.Test()
	if code := Main(ios, []string{"credential-process", "--profile", "bob"}); code != 0 {
		b.Fatalf("exit %d: %s", code, errOut.String())
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out.Reset()
		Main(ios, []string{"credential-process", "--profile", "bob"})
	}
}
