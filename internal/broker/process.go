package broker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/bytesize"
	"github.com/awsmfa/awsmfa/internal/credcache"
)

// ProcessOutput is the JSON a credential_process prints (Version 1), as the
// SDKs read it
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
type ProcessOutput struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken,omitempty"`
	// Expiration is RFC 3339; omitted for credentials that do not expire.
	Expiration string `json:"Expiration,omitempty"`
	AccountID  string `json:"AccountId,omitempty"`
}

// NewProcessOutput formats credentials as a credential_process answer.
func NewProcessOutput(c *credcache.Credentials) ProcessOutput {
	out := ProcessOutput{Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, AccountID: c.AccountID}
	if !c.Expiration.IsZero() {
		out.Expiration = c.Expiration.UTC().Format(time.RFC3339)
	}
	return out
}

// ParseProcessOutput reads a credential_process answer as the SDKs do:
// Version must be 1, AccessKeyId and SecretAccessKey present, Expiration
// (optional) RFC 3339 and not past at now.
func ParseProcessOutput(data []byte, now time.Time) (*credcache.Credentials, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("the output is not a JSON object: %v", err)
	}
	var out ProcessOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("the output has a field of the wrong type: %v", err)
	}
	if _, ok := raw["Version"]; !ok {
		return nil, errors.New(`the output has no "Version" (it must be 1)`)
	}
	if out.Version != 1 {
		return nil, fmt.Errorf(`the output has "Version": %d; only version 1 is supported`, out.Version)
	}
	if out.AccessKeyID == "" {
		return nil, errors.New(`the output has no "AccessKeyId"`)
	}
	if out.SecretAccessKey == "" {
		return nil, errors.New(`the output has no "SecretAccessKey"`)
	}
	c := &credcache.Credentials{AccessKeyID: out.AccessKeyID, SecretAccessKey: out.SecretAccessKey,
		SessionToken: out.SessionToken, AccountID: out.AccountID, Kind: KindProcess}
	if out.Expiration != "" {
		t, err := time.Parse(time.RFC3339, out.Expiration)
		if err != nil {
			return nil, fmt.Errorf(`"Expiration" %q is not an RFC 3339 time`, out.Expiration)
		}
		if !t.After(now) {
			return nil, fmt.Errorf("the credentials expired at %s", t.UTC().Format(time.RFC3339))
		}
		c.Expiration = t.UTC()
	}
	return c, nil
}

// EnvProfileStack lists, comma-separated, the profiles whose credentials an
// awsmfa process is getting through a credential_process; a nested
// `awsmfa credential-process` for one of them is a loop.
const EnvProfileStack = "AWSMFA_PROFILE_STACK"

// MaxProcessOutput is the most a credential_process may print: reading
// stops one byte past it and the process is stopped (an endless stream is
// an error at once, not a wait for the timeout).
const MaxProcessOutput = 1 << 20

// processWaitDelay bounds the wait for a credential_process's output pipes
// once it has ended or been stopped (a grandchild may hold them open).
const processWaitDelay = time.Second

// runProcess runs the base's credential_process and parses its answer.
func (r *run) runProcess(ctx context.Context) (*credcache.Credentials, error) {
	b := r.b
	cmdline := r.ch.Base.CredentialProcess
	fail := func(msg string, err error) error {
		return &Error{Code: CodeProcess, Profile: r.ch.Base.Profile, Op: "credential_process", Err: err,
			Msg: fmt.Sprintf("credential_process %q (%s) %s", cmdline, r.ch.Base.At, msg)}
	}
	timeout := b.ProcessTimeout
	if timeout <= 0 {
		timeout = defaultProcessTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errProcessTimeout)
	defer cancel()
	// The process is killed when ctx ends: the timeout, the caller's
	// cancellation, or too much output (stop).
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd.exe", "/C", cmdline)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", cmdline)
	}
	stack := b.getenv(EnvProfileStack)
	for _, p := range r.ch.Visited {
		if stack != "" {
			stack += ","
		}
		stack += p
	}
	cmd.Env = append(os.Environ(), EnvProfileStack+"="+stack)
	cmd.Stdin = os.Stdin
	if b.Stderr != nil {
		cmd.Stderr = b.Stderr
	}
	cmd.WaitDelay = processWaitDelay
	stdout := &limitedBuffer{max: MaxProcessOutput, onOverflow: func() { stop(errProcessOverflow) }}
	cmd.Stdout = stdout
	err := cmd.Run()
	switch cause := context.Cause(ctx); {
	case cause == errProcessOverflow:
		return nil, fail(fmt.Sprintf("printed more than the %s limit of credential_process output, so it was stopped", bytesize.Format(MaxProcessOutput)), nil)
	case cause == errProcessTimeout:
		return nil, fail(fmt.Sprintf("did not finish within %s", timeout), context.DeadlineExceeded)
	case ctx.Err() != nil:
		return nil, fail("was cancelled", ctx.Err())
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fail(fmt.Sprintf("failed (%v)", ee.ProcessState), err)
		}
		return nil, fail("could not be run: "+err.Error(), err)
	}
	c, err := ParseProcessOutput(stdout.Bytes(), b.now())
	if err != nil {
		return nil, fail("printed unusable credentials: "+err.Error(), err)
	}
	if c.AccountID == "" {
		c.AccountID = r.ch.Base.AccountID
	}
	return c, nil
}

var (
	errProcessTimeout  = errors.New("credential_process timed out")
	errProcessOverflow = errors.New("credential_process printed too much")
)

// limitedBuffer keeps up to max bytes; past them it calls onOverflow once
// and discards the rest. The buffer is a named field, not embedded: an
// embedded bytes.Buffer would lend its ReadFrom to io.Copy, which would
// then read everything, bypassing Write and the limit.
type limitedBuffer struct {
	buf        bytes.Buffer
	max        int
	overflow   bool
	onOverflow func()
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.overflow {
		return len(p), nil
	}
	if l.buf.Len()+len(p) > l.max {
		l.overflow = true
		if l.onOverflow != nil {
			l.onOverflow()
		}
		return len(p), nil
	}
	return l.buf.Write(p)
}

// Bytes returns what was kept.
func (l *limitedBuffer) Bytes() []byte { return l.buf.Bytes() }

var _ io.Writer = (*limitedBuffer)(nil)

// CheckLoop refuses a chain whose base credential_process runs
// `awsmfa credential-process` for one of the chain's own profiles (which
// would run itself forever), and a profile that an outer awsmfa is already
// resolving (EnvProfileStack).
func CheckLoop(ch *awsconfig.Chain, getenv func(string) string) error {
	if stack := getenv(EnvProfileStack); stack != "" {
		for _, p := range strings.Split(stack, ",") {
			if p == ch.Profile {
				return &Error{Code: CodeLoop, Profile: ch.Profile, Op: "credential_process",
					Msg:  fmt.Sprintf("credential_process loop: awsmfa is already getting credentials for profile %q (profiles being resolved: %s)", p, stack),
					Hint: "a credential_process = awsmfa credential-process --profile X must name a profile with the keys or role, not one whose credentials come from that same credential_process"}
			}
		}
	}
	if ch.Base.Kind != awsconfig.BaseCredentialProcess {
		return nil
	}
	target, ok := awsmfaProcessProfile(ch.Base.CredentialProcess, getenv)
	if !ok {
		return nil
	}
	for _, v := range ch.Visited {
		if v == target {
			return &Error{Code: CodeLoop, Profile: ch.Base.Profile, Op: "credential_process",
				Msg: fmt.Sprintf("credential_process loop: %s (%s) runs awsmfa for profile %q, whose credentials come from this same credential_process (chain %s)",
					ch.Base.CredentialProcess, ch.Base.At, target, strings.Join(ch.Visited, " -> ")),
				Hint: "point --profile at the profile holding the access keys and the role settings (role_arn, mfa_serial), not at the one with credential_process"}
		}
	}
	return nil
}

// awsmfaProcessProfile recognizes "awsmfa credential-process [--profile P]"
// and returns P (the selected profile when --profile is absent).
func awsmfaProcessProfile(cmdline string, getenv func(string) string) (string, bool) {
	args := SplitCommand(cmdline)
	if len(args) < 2 {
		return "", false
	}
	name := strings.TrimSuffix(strings.ToLower(filepath.Base(strings.ReplaceAll(args[0], `\`, "/"))), ".exe")
	if name != "awsmfa" {
		if exe, err := os.Executable(); err != nil || !strings.EqualFold(filepath.Base(args[0]), filepath.Base(exe)) {
			return "", false
		}
	}
	sub := false
	profile := ""
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "credential-process":
			sub = true
		case a == "--profile" || a == "-p":
			if i+1 < len(args) {
				profile = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--profile="):
			profile = strings.TrimPrefix(a, "--profile=")
		}
	}
	if !sub {
		return "", false
	}
	if profile == "" {
		profile = getenv(awsconfig.EnvProfile)
		if profile == "" {
			profile = "default"
		}
	}
	return profile, true
}

// SplitCommand splits a command line into words the way a POSIX shell
// would for simple commands: blanks separate words, single quotes keep
// everything, double quotes keep everything but \" \\ \$ \`, and a
// backslash outside quotes escapes the next character.
func SplitCommand(s string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				cur.WriteString(s[i+1:])
				i = len(s)
			} else {
				cur.WriteString(s[i+1 : i+1+j])
				i += j + 1
			}
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
		case c == '\\' && i+1 < len(s):
			inWord = true
			i++
			cur.WriteByte(s[i])
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
