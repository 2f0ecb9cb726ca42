package lab

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/totp"
)

func TestServeUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		o    ServeOptions
		want string
	}{
		{"bad log format", ServeOptions{Log: "xml", Ephemeral: true, Addr: "127.0.0.1:0"}, "--log"},
		{"ephemeral and state", ServeOptions{Log: "text", Ephemeral: true, State: "x.sqlite", Addr: "127.0.0.1:0"}, "cannot be combined"},
		{"non-loopback address", ServeOptions{Log: "text", Ephemeral: true, Addr: "0.0.0.0:0"}, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			tt.o.IO = ios
			err := RunServe(&tt.o)
			if cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestServeAndShutdown(t *testing.T) {
	ios, _, _, stderr := iostreams.Test()
	state := filepath.Join(t.TempDir(), "sub", "lab.sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	var url string
	done := make(chan error, 1)
	go func() {
		done <- RunServe(&ServeOptions{IO: ios, Addr: "127.0.0.1:0", State: state, Log: "json", Context: ctx, Ready: func(u string) {
			url = u
			resp, err := http.Post(u+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 403 || !strings.Contains(string(body), "MissingAuthenticationToken") {
					t.Errorf("unsigned request: %d %s", resp.StatusCode, body)
				}
			} else {
				t.Error(err)
			}
			cancel()
		}})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	out := stderr.String()
	port := url[strings.LastIndexByte(url, ':')+1:]
	for _, want := range []string{"endpoint: " + url + "\n", "port: " + port + "\n", "state: " + state, "account: 123456789012", `"action":"sts:GetCallerIdentity"`, "shutting down"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	// The state file was created and can be reopened.
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

func TestTOTP(t *testing.T) {
	state := filepath.Join(t.TempDir(), "lab.sqlite")
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateVirtualMFADevice("alice", "/team/")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name   string
		o      TOTPOptions
		out    string
		exit   int
		errMsg string
	}{
		{"by serial", TOTPOptions{Serial: d.Serial, State: state}, totp.Code(d.Seed, now) + "\n", 0, ""},
		{"by name", TOTPOptions{Serial: "alice", State: state}, totp.Code(d.Seed, now) + "\n", 0, ""},
		{"unknown serial", TOTPOptions{Serial: "arn:aws:iam::123456789012:mfa/nobody", State: state}, "", 2, "doesn't exist"},
		{"no serial", TOTPOptions{State: state}, "", 2, "--serial is required"},
		{"no state", TOTPOptions{Serial: d.Serial, State: filepath.Join(t.TempDir(), "none.sqlite")}, "", 2, "no lab state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, stdout, _ := iostreams.Test()
			tt.o.IO = ios
			tt.o.Now = func() time.Time { return now }
			err := RunTOTP(&tt.o)
			if got := cmdutil.ExitCode(err); got != tt.exit {
				t.Fatalf("exit %d (%v), want %d", got, err, tt.exit)
			}
			if tt.errMsg != "" && !strings.Contains(err.Error(), tt.errMsg) {
				t.Fatalf("error %v, want %q", err, tt.errMsg)
			}
			if stdout.String() != tt.out {
				t.Fatalf("output %q, want %q", stdout.String(), tt.out)
			}
		})
	}
}

// A state file others could read (an older awsmfa, a copy) is made 0600
// by any lab command, which says so on stderr.
func TestWideStateIsTightenedWithAWarning(t *testing.T) {
	state := filepath.Join(t.TempDir(), "lab.sqlite")
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateVirtualMFADevice("alice", ""); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Chmod(state, 0o644); err != nil {
		t.Fatal(err)
	}
	ios, _, stdout, stderr := iostreams.Test()
	if err := RunTOTP(&TOTPOptions{IO: ios, Serial: "alice", State: state}); err != nil {
		t.Fatal(err)
	}
	if len(stdout.String()) != 7 {
		t.Errorf("stdout %q", stdout.String())
	}
	if want := "warning: " + state + " was readable by others (mode 0644); changed it to 0600"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	fi, err := os.Stat(state)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
}

func TestCommandTree(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdLab(ios)
	got := map[string]bool{}
	for _, c := range cmd.Commands() {
		got[c.Name()] = true
	}
	if !got["serve"] || !got["totp"] {
		t.Fatalf("subcommands %v", got)
	}
	var serveOpts *ServeOptions
	serve := NewCmdServe(ios, func(o *ServeOptions) error { serveOpts = o; return nil })
	serve.SetArgs([]string{"--addr", "127.0.0.1:0", "--ephemeral", "--log", "json"})
	if err := serve.Execute(); err != nil {
		t.Fatal(err)
	}
	if serveOpts.Addr != "127.0.0.1:0" || !serveOpts.Ephemeral || serveOpts.Log != "json" {
		t.Fatalf("options %+v", serveOpts)
	}
}
