package brokerutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// recorder is an MFA source that says which one answered.
type recorder struct{ name string }

func (r recorder) Code(ctx context.Context, req mfa.Request) (string, error) {
	return r.name, nil
}

func TestMFASources(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var built []mfa.Options
	fg := true
	f := &Factory{IO: ios, Foreground: func() bool { return fg },
		NewMFA: func(o mfa.Options) mfa.Source {
			built = append(built, o)
			name := "tty"
			if o.TTY == "" {
				name = "notty"
			}
			return recorder{name}
		}}
	ch := &awsconfig.Chain{MFA: awsconfig.MFAConfig{Process: "ykman oath accounts code -s aws"}}

	// Both modes: mfa_process, the terminal when in the foreground, a
	// desktop dialog; the token first.
	for _, p := range []Prompting{PromptInteractive, PromptServer} {
		built = nil
		fg = true
		s := f.mfaSource(ch, Flags{MFAToken: " 654321 "}, p)
		if len(built) != 2 || built[0].Token != "" || built[1].Token != "" || built[0].TTY != mfa.DefaultTTY || built[1].TTY != "" ||
			built[0].ProcessTTY != mfa.DefaultTTY || built[1].ProcessTTY != "" ||
			built[0].Process != ch.MFA.Process || !built[0].Desktop || !built[1].Desktop {
			t.Fatalf("%+v", built)
		}
		want := []string{"654321", "tty", "notty"}
		for i, w := range want {
			if i == 2 {
				fg = false
			}
			got, err := s.Code(context.Background(), mfa.Request{})
			if p == PromptInteractive && i > 0 {
				// The command was given a code: it does not ask for more.
				if !errors.Is(err, mfa.ErrTokenUsed) {
					t.Fatalf("interactive call %d: %q %v", i, got, err)
				}
				continue
			}
			if err != nil || got != w {
				t.Fatalf("%v call %d: %q %v, want %q", p, i, got, err, w)
			}
		}
	}
	// Without a token, the terminal is used only in the foreground.
	fg = false
	if got, _ := f.mfaSource(ch, Flags{}, PromptInteractive).Code(context.Background(), mfa.Request{}); got != "notty" {
		t.Fatalf("background: %q", got)
	}
	bad := f.mfaSource(ch, Flags{MFAToken: "12a456"}, PromptServer)
	if _, err := bad.Code(context.Background(), mfa.Request{}); err == nil || !strings.Contains(err.Error(), "--mfa-token") {
		t.Fatalf("%v", err)
	}
}

func TestBrokerPrompting(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &Factory{IO: ios, Cache: nil}
	dir := t.TempDir()
	env := awsconfig.MapEnv(map[string]string{EnvCacheDir: dir, EnvCacheBackend: "file", "AWS_PROFILE": "p"}, "linux")
	f.Env = &env
	b, err := f.Broker(&awsconfig.Config{}, nil, Flags{}, PromptNever)
	if err != nil {
		t.Fatal(err)
	}
	if b.MFA != nil {
		t.Error("PromptNever built an MFA source")
	}
	if err := b.Cache.Put("k", &credcache.Credentials{AccessKeyID: "A", SecretAccessKey: "s"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) == 0 {
		t.Errorf("the cache is not in %s", dir)
	}
	if f.ProfileName("") != "p" || f.ProfileName("q") != "q" {
		t.Error("ProfileName")
	}
	env2 := awsconfig.MapEnv(map[string]string{EnvCacheBackend: "carrier-pigeon"}, "linux")
	f2 := &Factory{IO: ios, Env: &env2}
	if _, err := f2.OpenCache(); err == nil || !strings.Contains(err.Error(), "carrier-pigeon") {
		t.Fatalf("%v", err)
	}
	if _, _, err := f2.Resolve(Flags{Profile: "x"}); err == nil {
		t.Fatal("resolved without files")
	} else {
		var ce *awsconfig.Error
		if !errors.As(err, &ce) {
			t.Fatalf("%T %v", err, err)
		}
	}
}

// TestConfigWarnings: Resolve prints what the AWS CLI would refuse in the
// files (a section written twice); ResolveQuietly (credential-process)
// does not; both resolve the merged profile as the SDKs do.
func TestConfigWarnings(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgPath, []byte("[profile p]\naws_access_key_id = AKIAEXAMPLE\n[profile p]\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := awsconfig.MapEnv(map[string]string{"AWS_CONFIG_FILE": cfgPath, "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none")}, "linux")
	for _, quiet := range []bool{false, true} {
		ios, _, _, stderr := iostreams.Test()
		f := &Factory{IO: ios, Env: &env}
		resolve := f.Resolve
		if quiet {
			resolve = f.ResolveQuietly
		}
		_, ch, err := resolve(Flags{Profile: "p"})
		if err != nil || ch.Base.AccessKeyID != "AKIAEXAMPLE" {
			t.Fatalf("quiet %v: %v", quiet, err)
		}
		warned := strings.Contains(stderr.String(), cfgPath+":3: section [profile p] is written again here")
		if warned == quiet {
			t.Errorf("quiet %v: stderr %q", quiet, stderr.String())
		}
	}
}

// TestBrokerWithoutCacheDirectory: no user cache directory (no HOME, no
// XDG_CACHE_HOME) is a warning and an uncached broker, not a failure;
// an explicit backend that cannot be opened stays an error.
func TestBrokerWithoutCacheDirectory(t *testing.T) {
	if _, err := os.UserCacheDir(); err == nil && os.Getenv("HOME") != "" {
		t.Setenv("HOME", "")
		t.Setenv("XDG_CACHE_HOME", "")
		if _, err := os.UserCacheDir(); err == nil {
			t.Skip("this platform always has a user cache directory")
		}
	}
	ios, _, _, stderr := iostreams.Test()
	env := awsconfig.MapEnv(map[string]string{}, "linux")
	f := &Factory{IO: ios, Env: &env}
	b, err := f.Broker(&awsconfig.Config{}, nil, Flags{}, PromptNever)
	if err != nil || b.Cache != nil || !strings.Contains(stderr.String(), "going on without it") {
		t.Fatalf("Broker = %v, %v; stderr %q", b, err, stderr.String())
	}
}
