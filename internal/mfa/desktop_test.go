package mfa

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBin is a directory of fake dialog programs recording their calls.
type fakeBin struct {
	t   *testing.T
	dir string
}

// fakeDialogs writes shell scripts named after the keys of progs; each
// appends its arguments (one per line, then "--") to NAME.args and runs
// the script body.
func fakeDialogs(t *testing.T, progs map[string]string) *fakeBin {
	t.Helper()
	dir := t.TempDir()
	for name, body := range progs {
		script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> " + filepath.Join(dir, name+".args") +
			"\necho -- >> " + filepath.Join(dir, name+".args") + "\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &fakeBin{t: t, dir: dir}
}

func (b *fakeBin) lookPath(name string) (string, error) {
	p := filepath.Join(b.dir, name)
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("not found")
	}
	return p, nil
}

func (b *fakeBin) args(name string) string {
	data, _ := os.ReadFile(filepath.Join(b.dir, name+".args"))
	return string(data)
}

func (b *fakeBin) calls(name string) int {
	return strings.Count(b.args(name), "--\n")
}

func TestDesktop(t *testing.T) {
	counter := func(dir string) string {
		// First call prints a bad code, later calls a good one.
		return "if [ -e " + dir + "/seen ]; then printf 246810; else touch " + dir + "/seen; printf 12345; fi"
	}
	tests := []struct {
		name     string
		goos     string
		display  string
		wayland  string
		progs    func(dir string) map[string]string
		want     string
		wantErr  string
		errIs    error
		used     string
		calls    int
		argsHave []string
	}{
		{name: "zenity", goos: "linux", display: ":0", progs: func(string) map[string]string {
			return map[string]string{"zenity": "echo 654321", "kdialog": "echo 111111"}
		}, want: "654321", used: "zenity", calls: 1,
			argsHave: []string{"--entry\n", "--hide-text\n", "awsmfa: MFA code needed for profile role-with-mfa\nEnter MFA code for " + serial + ":\n"}},
		{name: "kdialog when no zenity", goos: "linux", wayland: "wayland-0", progs: func(string) map[string]string {
			return map[string]string{"kdialog": "echo 111111"}
		}, want: "111111", used: "kdialog", calls: 1, argsHave: []string{"--password\n"}},
		{name: "osascript on macOS", goos: "darwin", progs: func(string) map[string]string {
			return map[string]string{"osascript": "echo 222222", "zenity": "echo 1"}
		}, want: "222222", used: "osascript", calls: 1,
			argsHave: []string{"-e\n", `with hidden answer`, `display dialog "awsmfa: MFA code needed for profile role-with-mfa\nEnter MFA code for ` + serial + `:"`}},
		{name: "no display", goos: "linux", progs: func(string) map[string]string {
			return map[string]string{"zenity": "echo 654321"}
		}, errIs: ErrNoSource, used: "zenity", calls: 0},
		{name: "cancel", goos: "linux", display: ":0", progs: func(string) map[string]string {
			return map[string]string{"zenity": "exit 1"}
		}, errIs: ErrCanceled, used: "zenity", calls: 1},
		{name: "dialog error", goos: "linux", display: ":0", progs: func(string) map[string]string {
			return map[string]string{"zenity": "echo 'cannot open display' >&2; exit 255"}
		}, wantErr: "the zenity dialog failed (exit status 255): cannot open display", used: "zenity", calls: 1},
		{name: "bad code asks again", goos: "linux", display: ":0", progs: func(dir string) map[string]string {
			return map[string]string{"zenity": counter(dir)}
		}, want: "246810", used: "zenity", calls: 2, argsHave: []string{"MFA code must be 6 digits, got 5; try again.\n"}},
		{name: "three bad codes", goos: "linux", display: ":0", progs: func(string) map[string]string {
			return map[string]string{"zenity": "echo abc"}
		}, wantErr: "no valid MFA code after 3 attempts", used: "zenity", calls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := goos
			goos = tt.goos
			t.Cleanup(func() { goos = saved })
			t.Setenv("DISPLAY", tt.display)
			t.Setenv("WAYLAND_DISPLAY", tt.wayland)
			bin := fakeDialogs(t, tt.progs(t.TempDir()))
			s := New(Options{Desktop: true, LookPath: bin.lookPath})
			code, err := s.Code(t.Context(), req)
			switch {
			case tt.errIs != nil:
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("Code = %q, %v; want %v", code, err, tt.errIs)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Code = %q, %v; want %q", code, err, tt.wantErr)
				}
			default:
				if err != nil || code != tt.want {
					t.Fatalf("Code = %q, %v; want %q", code, err, tt.want)
				}
			}
			if n := bin.calls(tt.used); n != tt.calls {
				t.Errorf("%s called %d times, want %d", tt.used, n, tt.calls)
			}
			args := bin.args(tt.used)
			for _, a := range tt.argsHave {
				if !strings.Contains(args, a) {
					t.Errorf("%s arguments %q lack %q", tt.used, args, a)
				}
			}
		})
	}
	// Desktop off: never used.
	t.Setenv("DISPLAY", ":0")
	bin := fakeDialogs(t, map[string]string{"zenity": "echo 654321"})
	if _, err := New(Options{LookPath: bin.lookPath}).Code(t.Context(), req); !errors.Is(err, ErrNoSource) {
		t.Errorf("Desktop false: %v", err)
	}
	if bin.calls("zenity") != 0 {
		t.Error("zenity used with Desktop false")
	}
}

func TestAppleScriptString(t *testing.T) {
	tests := map[string]string{
		`plain`:                         `"plain"`,
		`a "q" b`:                       `"a \"q\" b"`,
		`back\slash`:                    `"back\\slash"`,
		"two\nlines":                    `"two\nlines"`,
		`"); do shell script "rm -rf ~`: `"\"); do shell script \"rm -rf ~"`,
	}
	for in, want := range tests {
		if got := appleScriptString(in); got != want {
			t.Errorf("appleScriptString(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestDesktopWhenNoTerminal: a terminal that cannot be opened (no
// controlling terminal) falls through to the desktop dialog.
func TestDesktopWhenNoTerminal(t *testing.T) {
	t.Setenv("DISPLAY", ":1")
	saved := goos
	goos = "linux"
	t.Cleanup(func() { goos = saved })
	bin := fakeDialogs(t, map[string]string{"zenity": "echo 135790"})
	s := New(Options{TTY: filepath.Join(t.TempDir(), "no-tty"), Desktop: true, LookPath: bin.lookPath})
	code, err := s.Code(t.Context(), req)
	if err != nil || code != "135790" {
		t.Fatalf("Code = %q, %v", code, err)
	}
	if bin.calls("zenity") != 1 {
		t.Errorf("zenity calls = %d", bin.calls("zenity"))
	}
}
