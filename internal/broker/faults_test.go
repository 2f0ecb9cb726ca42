package broker

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/broker/brokertest"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// fileBroker is a broker on its own file cache in dir (another process,
// as far as the cache is concerned) with the lab's clock.
func fileBroker(t *testing.T, l *brokertest.Lab, dir, passphrase string) (*Broker, *brokertest.FakeMFA, *brokertest.SyncBuffer) {
	t.Helper()
	cache, err := credcache.Open(credcache.Options{Backend: credcache.BackendFile, Dir: dir, Passphrase: passphrase})
	if err != nil {
		t.Fatal(err)
	}
	return newBroker(l, cache)
}

// TestFailureSharedWithWaiters: brokers that began while another held the
// lock and failed (a wrong code) fail with the same error without asking
// for a code or calling STS; a broker that begins after the failure tries
// again and succeeds.
func TestFailureSharedWithWaiters(t *testing.T) {
	l := brokertest.StartLabClock(t, lab.Lifetimes{}, brokertest.NewRunningClock())
	dir := t.TempDir()
	const n = 10
	var prompts atomic.Int32
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		b, f, _ := fileBroker(t, l, dir, "")
		f.Delay = 300 * time.Millisecond // a person typing: the others queue
		f.Override = func(mfa.Request) (string, error) { prompts.Add(1); return "000000", nil }
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, errs[i] = b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
		}(i)
	}
	gst := l.Stat("sts:GetSessionToken")
	close(start)
	wg.Wait()
	if got := prompts.Load(); got != 1 {
		t.Errorf("codes asked %d, want 1", got)
	}
	if got := l.Stat("sts:GetSessionToken") - gst; got != 1 {
		t.Errorf("GetSessionToken called %d times, want 1", got)
	}
	shared := 0
	for i, err := range errs {
		wantCode(t, err, CodeMFACodeRejected, "AWS refused the MFA code")
		if err.Error() != errs[0].Error() {
			t.Errorf("error %d differs:\n%v\n%v", i, err, errs[0])
		}
		if errors.Is(err, ErrSharedFailure) {
			shared++
		}
	}
	if shared != n-1 {
		t.Errorf("%d errors shared, want %d", shared, n-1)
	}

	// The user retries with a good code: not refused.
	b, f, _ := fileBroker(t, l, dir, "")
	if _, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining}); err != nil {
		t.Fatalf("retry after the failure: %v", err)
	}
	if f.Calls() != 1 {
		t.Errorf("retry asked %d codes, want 1", f.Calls())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "locks", "*.failed")); len(m) != 0 {
		t.Errorf("failure records left after success: %v", m)
	}
}

// TestFailureOfOneRunNotShared: a failure that belongs to the run that
// met it (no way to ask for a code, prompting off) is not imposed on the
// runs waiting behind it: they ask for themselves.
func TestFailureOfOneRunNotShared(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  GetOptions
		fail func(mfa.Request) (string, error)
	}{
		{"no MFA source", GetOptions{}, func(mfa.Request) (string, error) { return "", mfa.ErrNoSource }},
		{"prompting off", GetOptions{NoPrompt: true}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := brokertest.StartLabClock(t, lab.Lifetimes{}, brokertest.NewRunningClock())
			dir := t.TempDir()
			first, f1, _ := fileBroker(t, l, dir, "")
			f1.Delay = 300 * time.Millisecond
			f1.Override = c.fail
			second, f2, _ := fileBroker(t, l, dir, "")
			var wg sync.WaitGroup
			var err1, err2 error
			wg.Add(2)
			go func() { defer wg.Done(); _, err1 = first.Get(ctx, "role-with-mfa", c.opt) }()
			time.Sleep(100 * time.Millisecond) // the first holds the lock
			go func() { defer wg.Done(); _, err2 = second.Get(ctx, "role-with-mfa", GetOptions{}) }()
			wg.Wait()
			if err1 == nil {
				t.Fatal("the first run should fail")
			}
			if err2 != nil || f2.Calls() != 1 {
				t.Fatalf("the waiting run: %v, codes %d; want success with its own code", err2, f2.Calls())
			}
		})
	}
}

// TestMFAProcessFailureShared: mfa_process failing is shared (the same
// command would fail for every waiter, each making the user wait for it).
func TestMFAProcessFailureShared(t *testing.T) {
	err := &Error{Code: CodeMFASource, Op: "MFA code", Err: &mfa.ProcessError{Msg: "mfa_process failed"}}
	if !shareable(ctx, err) {
		t.Error("an mfa_process failure should be shared")
	}
	if shareable(ctx, &Error{Code: CodeMFASource, Op: "MFA code", Err: mfa.ErrCanceled}) {
		t.Error("a cancelled prompt should not be shared")
	}
	if shareable(ctx, &Error{Code: CodeUnreachable, Op: "sts:GetSessionToken", Err: context.Canceled}) {
		t.Error("a cancelled STS call should not be shared")
	}
	if !shareable(ctx, &Error{Code: CodeUnreachable, Op: "sts:GetSessionToken", Err: errors.New("connection refused")}) {
		t.Error("an unreachable STS should be shared")
	}
}

// TestShortSessionsCachedAcrossProcesses: role sessions shorter than the
// consumer's margin (duration_seconds = 900 against the AWS CLI's 16
// minutes) are served from the cache by other processes until half of
// their lifetime is left, instead of being assumed again on every call.
func TestShortSessionsCachedAcrossProcesses(t *testing.T) {
	l := startLab(t, lab.Lifetimes{AssumeRole: 15 * time.Minute})
	cache := brokertest.NewMemCache()
	a, _, _ := newBroker(l, cache)
	c1, err := a.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if c1.Lifetime() != 15*time.Minute {
		t.Fatalf("lifetime %s, issued %v", c1.Lifetime(), c1.Issued)
	}
	ch, err := l.Config().Resolve("role-with-mfa")
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := newBroker(l, cache) // another process
	if hit := b.Cached(ch, CLIMinRemaining); hit == nil || hit.AccessKeyID != c1.AccessKeyID {
		t.Fatalf("a fresh 15-minute session is not a cache hit for another process: %v", hit)
	}
	l.Clock.Advance(7 * time.Minute)
	if hit := b.Cached(ch, CLIMinRemaining); hit == nil {
		t.Fatal("8 of 15 minutes left: should still be served")
	}
	l.Clock.Advance(time.Minute)
	if hit := b.Cached(ch, CLIMinRemaining); hit != nil {
		t.Fatal("7 of 15 minutes left: should be refreshed")
	}
	if c, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining}); err != nil || c.AccessKeyID == c1.AccessKeyID || l.Stat(arOK) != 2 {
		t.Fatalf("refresh: %v (AssumeRole %d)", err, l.Stat(arOK))
	}
	for _, tc := range []struct{ need, lifetime, want time.Duration }{
		{16 * time.Minute, time.Hour, 16 * time.Minute},
		{16 * time.Minute, 15 * time.Minute, 7*time.Minute + 30*time.Second},
		{16 * time.Minute, 0, 16 * time.Minute},
		{time.Minute, 15 * time.Minute, time.Minute},
	} {
		if got := Margin(tc.need, tc.lifetime); got != tc.want {
			t.Errorf("Margin(%s, %s) = %s, want %s", tc.need, tc.lifetime, got, tc.want)
		}
	}
}

// TestUnusableEntryReportedOnce: an entry that does not decrypt, or is
// garbage, is reported once (saying it will be replaced), not at each of
// the two reads a refresh makes, and then replaced.
func TestUnusableEntryReportedOnce(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	dir := t.TempDir()
	writer, _, _ := fileBroker(t, l, dir, "first passphrase")
	if _, err := writer.Get(ctx, "anika", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(entries) != 1 {
		t.Fatalf("entries %v, want the MFA session's", entries)
	}

	l.Clock.Advance(time.Minute)
	reader, _, stderr := fileBroker(t, l, dir, "another passphrase")
	if _, err := reader.Get(ctx, "anika", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stderr.String(), "cannot be decrypted"); n != 1 || !strings.Contains(stderr.String(), "overwrite it") {
		t.Errorf("undecryptable entry reported %d times, want once saying it is overwritten:\n%s", n, stderr)
	}

	if err := os.WriteFile(entries[0], []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.Clock.Advance(time.Minute)
	again, _, stderr := fileBroker(t, l, dir, "another passphrase")
	if _, err := again.Get(ctx, "anika", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stderr.String(), entries[0]); n != 1 || !strings.Contains(stderr.String(), "replace it") {
		t.Errorf("garbage entry reported %d times, want once naming the file:\n%s", n, stderr)
	}
	if _, err := again.Get(ctx, "anika", GetOptions{}); err != nil || strings.Count(stderr.String(), "warning") != 1 {
		t.Errorf("replaced entry: %v\n%s", err, stderr)
	}
}

// TestCredentialProcessOutputLimit: a credential_process printing an
// endless stream, 10 MB, or 1M-deep JSON is answered within seconds with
// an error naming the profile, the file and the limit (or the JSON
// problem), never read to the end or into memory.
func TestCredentialProcessOutputLimit(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	l.WriteConfig(`
[profile endless]
credential_process = yes
[profile ten-mb]
credential_process = head -c 10485760 /dev/zero
[profile endless-grandchild]
credential_process = sh -c 'yes | cat'
[profile deep]
credential_process = sh -c "head -c 1000000 /dev/zero | tr '\000' '['"
`)
	for _, c := range []struct{ profile, want string }{
		{"endless", "1 MiB limit of credential_process output"},
		{"ten-mb", "1 MiB limit of credential_process output"},
		{"endless-grandchild", "1 MiB limit of credential_process output"},
		{"deep", "not a JSON object"},
	} {
		t.Run(c.profile, func(t *testing.T) {
			b, _, _ := newBroker(l, nil)
			start := time.Now()
			_, err := b.Get(ctx, c.profile, GetOptions{})
			wantCode(t, err, CodeProcess, c.want, `profile "`+c.profile+`"`, l.ConfigPath)
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

// TestLimitedBufferIsNoReaderFrom: io.Copy must go through Write (an
// embedded bytes.Buffer once lent its ReadFrom and read an endless
// credential_process into memory).
func TestLimitedBufferIsNoReaderFrom(t *testing.T) {
	if _, ok := any(&limitedBuffer{}).(io.ReaderFrom); ok {
		t.Fatal("limitedBuffer is an io.ReaderFrom: io.Copy would bypass its limit")
	}
}

// TestTokenFileLimit: the container authorization token file is read up
// to its limit (/dev/zero is an error, not an endless read).
func TestTokenFileLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	start := time.Now()
	_, err := readTokenFile("/dev/zero")
	if err == nil || !strings.Contains(err.Error(), "16 KiB limit") || !strings.Contains(err.Error(), "/dev/zero") || time.Since(start) > 2*time.Second {
		t.Fatalf("readTokenFile(/dev/zero) = %v", err)
	}
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(" tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if tok, err := readTokenFile(p); err != nil || tok != "tok" {
		t.Fatalf("readTokenFile = %q, %v", tok, err)
	}
}
