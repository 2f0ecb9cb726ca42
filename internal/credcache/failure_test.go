package credcache

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestFailureLog: a recorded failure reads back for its key only, survives
// another Cache value (another process), is 0600 next to the lock files,
// and a damaged or oversized record reads as none.
func TestFailureLog(t *testing.T) {
	dir := t.TempDir()
	c := openFile(t, dir, "").(FailureLog)
	if f, err := c.LastFailure("k"); f != nil || err != nil {
		t.Fatalf("no record: %v, %v", f, err)
	}
	want := Failure{At: time.Now().UTC().Round(0), PID: 4242, Code: "mfa-code-rejected", Op: "sts:GetSessionToken",
		Profile: "p", Message: "AWS refused the MFA code", Hint: "wait"}
	if err := c.RecordFailure("k", want); err != nil {
		t.Fatal(err)
	}
	other := openFile(t, dir, "").(FailureLog)
	got, err := other.LastFailure("k")
	if err != nil || got == nil || !got.At.Equal(want.At) || got.PID != want.PID || got.Message != want.Message || got.Hint != want.Hint || got.Code != want.Code {
		t.Fatalf("LastFailure = %+v, %v; want %+v", got, err, want)
	}
	if f, _ := other.LastFailure("other"); f != nil {
		t.Errorf("another key's failure: %+v", f)
	}
	p := filepath.Join(dir, "locks", "k.failed")
	if fi, err := os.Stat(p); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("record file: %v %v", fi, err)
	}
	for name, data := range map[string][]byte{
		"garbage":     []byte("\x00{"),
		"another key": []byte(`{"version":1,"key":"x","failure":{"at":"2030-01-01T00:00:00Z","message":"m"}}`),
		"no message":  []byte(`{"version":1,"key":"k","failure":{"at":"2030-01-01T00:00:00Z"}}`),
		"version 2":   []byte(`{"version":2,"key":"k","failure":{"at":"2030-01-01T00:00:00Z","message":"m"}}`),
		"oversized":   []byte(`{"version":1,"key":"k","failure":{"at":"2030-01-01T00:00:00Z","message":"` + strings.Repeat("m", maxFailureSize) + `"}}`),
	} {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if f, err := c.LastFailure("k"); f != nil || err != nil {
			t.Errorf("%s record: %+v, %v; want none", name, f, err)
		}
	}
	if err := c.ClearFailure("k"); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearFailure("k"); err != nil {
		t.Errorf("second clear: %v", err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("record left after clear: %v", err)
	}
}

// TestIssuedRoundTrip: Issued is stored and gives the lifetime.
func TestIssuedRoundTrip(t *testing.T) {
	c := openFile(t, t.TempDir(), "")
	now := time.Now().UTC().Truncate(time.Second)
	in := sampleCreds(now.Add(15 * time.Minute))
	in.Issued = now
	if err := c.Put("k", in); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get("k")
	if err != nil || got == nil || !got.Issued.Equal(now) || got.Lifetime() != 15*time.Minute {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if (&Credentials{Expiration: now}).Lifetime() != 0 || (&Credentials{Issued: now}).Lifetime() != 0 {
		t.Error("Lifetime without both times should be 0")
	}
}
