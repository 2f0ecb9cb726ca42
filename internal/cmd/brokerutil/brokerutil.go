// Package brokerutil is the plumbing the credential commands share: the
// --profile and --mfa-token flags, loading the AWS configuration, opening
// the credential cache and building a broker.Broker whose MFA source suits
// the command (interactive, a server, or never prompting).
package brokerutil

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/keyring"
	"github.com/awsmfa/awsmfa/internal/keystore"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// Environment variables that configure the credential cache.
const (
	// EnvCacheDir overrides the cache directory (default
	// os.UserCacheDir()/awsmfa).
	EnvCacheDir = "AWSMFA_CACHE_DIR"
	// EnvCacheBackend is auto (default), keyring or file.
	EnvCacheBackend = "AWSMFA_CACHE_BACKEND"
)

// Flags are the flags every credential command has.
type Flags struct {
	Profile  string
	MFAToken string
}

// AddFlags registers --profile/-p and --mfa-token.
func AddFlags(cmd *cobra.Command, f *Flags) { AddFlagSet(cmd.Flags(), f) }

// AddFlagSet registers --profile/-p and --mfa-token in a flag set (the
// credential-process fast path parses without cobra).
func AddFlagSet(fs *pflag.FlagSet, f *Flags) {
	addProfile(fs, &f.Profile)
	fs.StringVar(&f.MFAToken, "mfa-token", "", "MFA code to use (once) instead of asking for one")
}

// AddProfileFlag registers --profile/-p alone.
func AddProfileFlag(cmd *cobra.Command, target *string) { addProfile(cmd.Flags(), target) }

func addProfile(fs *pflag.FlagSet, target *string) {
	fs.StringVarP(target, "profile", "p", "", `profile (default $AWS_PROFILE, else "default")`)
}

// Prompting says how a command may obtain MFA codes.
type Prompting int

const (
	// PromptInteractive: --mfa-token, mfa_process, the terminal, a
	// desktop dialog.
	PromptInteractive Prompting = iota
	// PromptServer, for long-running servers: --mfa-token for the first
	// code only, then mfa_process, the terminal only while the process is
	// in the terminal's foreground, a desktop dialog.
	PromptServer
	// PromptNever fails when a code is needed.
	PromptNever
)

// Factory builds what the commands need; tests replace its fields.
type Factory struct {
	IO *iostreams.IOStreams
	// Env is the environment (nil: the process's).
	Env *awsconfig.Env
	// Cache, when set, is used instead of opening one.
	Cache credcache.Cache
	// NewMFA builds the MFA source (nil: mfa.New).
	NewMFA func(mfa.Options) mfa.Source
	// Foreground reports whether the terminal may be used by a server
	// (nil: the process is in the terminal's foreground process group).
	Foreground func() bool
	Now        func() time.Time
	HTTPClient *http.Client
	// Keys, when set, is used instead of opening the key store;
	// OpenKeyring and PromptPassphrase replace the OS keychain and the
	// terminal prompt of the store's passphrase (tests).
	Keys             keystore.Store
	OpenKeyring      func(service string) (keyring.Keyring, error)
	PromptPassphrase func(newStore bool) (string, error)
}

// New returns a factory for the real process.
func New(ios *iostreams.IOStreams) *Factory { return &Factory{IO: ios} }

// AWSEnv is the environment configuration is read from.
func (f *Factory) AWSEnv() awsconfig.Env {
	if f.Env != nil {
		return *f.Env
	}
	return awsconfig.OSEnv()
}

// Getenv reads a variable of AWSEnv.
func (f *Factory) Getenv(k string) string {
	e := f.AWSEnv()
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// Clock returns the factory's clock.
func (f *Factory) Clock() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// LoadConfig reads the AWS config and credentials files.
// Profiles without keys in the files may have them in the key store.
func (f *Factory) LoadConfig() (*awsconfig.Config, error) {
	cfg, err := awsconfig.Load(f.AWSEnv())
	if cfg != nil {
		f.withKeyStore(cfg)
	}
	return cfg, err
}

// ProfileName is the --profile value, else $AWS_PROFILE, else "default".
func (f *Factory) ProfileName(flag string) string {
	if flag != "" {
		return flag
	}
	return awsconfig.SelectedProfile(f.AWSEnv())
}

// OpenCache opens the credential cache ($AWSMFA_CACHE_DIR,
// $AWSMFA_CACHE_BACKEND).
func (f *Factory) OpenCache() (credcache.Cache, error) {
	if f.Cache != nil {
		return f.Cache, nil
	}
	backend := f.Getenv(EnvCacheBackend)
	if backend == "" {
		backend = credcache.BackendAuto
	}
	c, err := credcache.Open(credcache.Options{Backend: backend, Dir: f.Getenv(EnvCacheDir)})
	if err != nil {
		if f.Getenv(EnvCacheBackend) != "" {
			err = fmt.Errorf("$%s=%q: %w", EnvCacheBackend, backend, err)
		}
		return nil, err
	}
	f.Cache = c
	return c, nil
}

// CachedCredentials opens the cache and returns it with every entry, by key
// (for status and clear).
func (f *Factory) CachedCredentials() (credcache.Cache, map[string]*credcache.Credentials, error) {
	cache, err := f.OpenCache()
	if err != nil {
		return nil, nil, err
	}
	entries, err := cache.List()
	if err != nil {
		return nil, nil, &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("cannot list the credential cache: %w", err)}
	}
	byKey := make(map[string]*credcache.Credentials, len(entries))
	for _, e := range entries {
		byKey[e.Key] = e.Credentials
	}
	return cache, byKey, nil
}

// Resolve loads the configuration, warns about what the AWS CLI would
// refuse in it (WarnConfig), and resolves the profile named by flags.
func (f *Factory) Resolve(flags Flags) (*awsconfig.Config, *awsconfig.Chain, error) {
	cfg, ch, err := f.ResolveQuietly(flags)
	if cfg != nil {
		f.WarnConfig(cfg)
	}
	return cfg, ch, err
}

// ResolveQuietly is Resolve without the warnings, for credential-process:
// the AWS CLI refuses such a file before it runs credential_process, and
// the SDKs (which accept it, as awsmfa does) would show the warning on
// every call.
func (f *Factory) ResolveQuietly(flags Flags) (*awsconfig.Config, *awsconfig.Chain, error) {
	cfg, err := f.LoadConfig()
	if err != nil {
		return nil, nil, err
	}
	ch, err := cfg.Resolve(f.ProfileName(flags.Profile))
	if err != nil {
		return cfg, nil, err
	}
	return cfg, ch, nil
}

// WarnConfig prints, on standard error, what the configuration files hold
// that the AWS SDKs and awsmfa accept but the AWS CLI refuses (a section
// or key written twice in one file).
func (f *Factory) WarnConfig(cfg *awsconfig.Config) {
	for _, w := range cfg.CLIRejects() {
		fmt.Fprintln(f.IO.ErrOut, "awsmfa: warning:", w)
	}
}

// Broker builds a broker for cfg whose MFA source uses the chain's
// mfa_process and --mfa-token as p allows. When the cache cannot be
// opened (no user cache directory) the broker works without it, after a
// warning, unless $AWSMFA_CACHE_BACKEND asked for a backend explicitly.
func (f *Factory) Broker(cfg *awsconfig.Config, ch *awsconfig.Chain, flags Flags, p Prompting) (*broker.Broker, error) {
	cache, err := f.OpenCache()
	if err != nil {
		if f.Getenv(EnvCacheBackend) != "" {
			return nil, err
		}
		fmt.Fprintf(f.IO.ErrOut, "awsmfa: warning: the credential cache cannot be used (%v); going on without it: nothing is cached, so the next run needs new credentials (and may ask for an MFA code again)\n", err)
		cache = nil
	}
	b := &broker.Broker{Config: cfg, Cache: cache, Now: f.Now, HTTPClient: f.HTTPClient, Stderr: f.IO.ErrOut, Keys: keySource{f}}
	if p != PromptNever {
		b.MFA = f.mfaSource(ch, flags, p)
	}
	return b, nil
}

func (f *Factory) mfaSource(ch *awsconfig.Chain, flags Flags, p Prompting) mfa.Source {
	newMFA := f.NewMFA
	if newMFA == nil {
		newMFA = mfa.New
	}
	process := ""
	if ch != nil {
		process = ch.MFA.Process
	}
	// Two sources, with and without the terminal: a process outside the
	// terminal's foreground (a background job, a server whose command
	// owns the terminal) must not read it (it would be stopped by
	// SIGTTIN, or steal the command's input).
	opts := mfa.Options{Process: process, TTY: mfa.DefaultTTY, ProcessTTY: mfa.DefaultTTY, Desktop: true, Stderr: f.IO.ErrOut}
	withTTY := newMFA(opts)
	opts.TTY, opts.ProcessTTY = "", ""
	noTTY := newMFA(opts)
	fg := f.Foreground
	if fg == nil {
		fg = ForegroundTTY
	}
	return &source{token: flags.MFAToken, strict: p == PromptInteractive, withTTY: withTTY, noTTY: noTTY, foreground: fg}
}

// source gives the --mfa-token code once; after that, an interactive
// command (strict) fails with mfa.ErrTokenUsed, a server asks mfa_process,
// the terminal (only while in its foreground) or a desktop dialog.
type source struct {
	mu         sync.Mutex
	token      string
	used       bool
	strict     bool
	withTTY    mfa.Source
	noTTY      mfa.Source
	foreground func() bool
}

func (s *source) Code(ctx context.Context, req mfa.Request) (string, error) {
	s.mu.Lock()
	token, used := s.token, s.used
	s.used = true
	s.mu.Unlock()
	switch {
	case token != "" && !used:
		if err := mfa.ValidateCode(token); err != nil {
			return "", fmt.Errorf("--mfa-token: %w", err)
		}
		return strings.TrimSpace(token), nil
	case token != "" && s.strict:
		return "", mfa.ErrTokenUsed
	}
	if s.foreground() {
		return s.withTTY.Code(ctx, req)
	}
	return s.noTTY.Code(ctx, req)
}

// ForegroundTTY reports whether the process has a controlling terminal and
// is in its foreground process group (on Windows: whether standard input
// is a console), that is whether it may prompt there.
func ForegroundTTY() bool { return foregroundTTY() }
