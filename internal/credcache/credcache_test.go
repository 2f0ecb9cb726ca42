package credcache

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

func TestRemaining(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		c    *Credentials
		want time.Duration
	}{
		{"nil", nil, 0},
		{"future", &Credentials{Expiration: now.Add(90 * time.Minute)}, 90 * time.Minute},
		{"past", &Credentials{Expiration: now.Add(-time.Second)}, -time.Second},
		{"exactly now", &Credentials{Expiration: now}, 0},
		{"other zone", &Credentials{Expiration: now.Add(time.Hour).In(time.FixedZone("x", 3600))}, time.Hour},
		{"no expiration", &Credentials{AccessKeyID: "AKIA"}, time.Duration(1<<63 - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Remaining(now); got != tt.want {
				t.Errorf("Remaining = %v, want %v", got, tt.want)
			}
		})
	}
	c := &Credentials{Expiration: now.Add(10 * time.Minute)}
	if !c.Expired(now, 15*time.Minute) || c.Expired(now, 5*time.Minute) {
		t.Error("Expired margin wrong")
	}
	var nilC *Credentials
	if !nilC.Expired(now, 0) {
		t.Error("nil credentials should count as expired")
	}
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	c := sampleCreds(time.Now().Add(time.Hour))
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("got", "creds", c, "value", *c)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("got", "creds", c)
	outs := map[string]string{
		"%v":   fmt.Sprintf("%v", c),
		"%+v":  fmt.Sprintf("%+v", c),
		"%#v":  fmt.Sprintf("%#v", c),
		"%s":   fmt.Sprintf("%s", *c),
		"%v*":  fmt.Sprintf("%v", *c),
		"%#v*": fmt.Sprintf("%#v", *c),
		"slog": logBuf.String(),
	}
	for k, s := range outs {
		noSecret(t, k, s)
		if !strings.Contains(s, c.AccessKeyID) {
			t.Errorf("%s should show the access key id (not secret): %q", k, s)
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	exp := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	keys := []string{
		"0123456789abcdef0123456789abcdef", // MFASessionKey form
		"profile-role",
		"Admin",
		"admin",
		"role/with/slashes",
		"..",
		"con",
		"ünïcödé profile",
		strings.Repeat("x", 300),
	}
	for _, pass := range []string{"", "correct horse battery staple"} {
		t.Run(fmt.Sprintf("passphrase=%v", pass != ""), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "cache")
			c := openFile(t, dir, pass)
			for i, k := range keys {
				cr := sampleCreds(exp.Add(time.Duration(i) * time.Minute))
				cr.SourceKey = "src-" + k
				if err := c.Put(k, cr); err != nil {
					t.Fatalf("Put(%q): %v", k, err)
				}
			}
			for i, k := range keys {
				got, err := c.Get(k)
				if err != nil {
					t.Fatalf("Get(%q): %v", k, err)
				}
				want := sampleCreds(exp.Add(time.Duration(i) * time.Minute))
				want.SourceKey = "src-" + k
				if !sameCreds(got, want) {
					t.Errorf("Get(%q) = %v, want %v", k, got, want)
				}
			}
			// A second Open (another process) reads the same entries.
			c2 := openFile(t, dir, pass)
			list, err := c2.List()
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(keys) {
				t.Fatalf("List has %d entries, want %d", len(list), len(keys))
			}
			for i := 1; i < len(list); i++ {
				if list[i-1].Key >= list[i].Key {
					t.Errorf("List not sorted: %q before %q", list[i-1].Key, list[i].Key)
				}
			}
			// Files: 0600 in a 0700 directory, no temp files left,
			// and no secret in clear when encrypted.
			if runtime.GOOS != "windows" {
				if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
					t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
				}
			}
			des, _ := os.ReadDir(dir)
			n := 0
			for _, de := range des {
				if de.IsDir() {
					continue
				}
				n++
				if strings.HasPrefix(de.Name(), ".") {
					t.Errorf("temporary file left: %s", de.Name())
				}
				fi, _ := de.Info()
				if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
					t.Errorf("%s mode %v, want 0600", de.Name(), fi.Mode().Perm())
				}
				data, _ := os.ReadFile(filepath.Join(dir, de.Name()))
				if pass != "" {
					noSecret(t, "encrypted file "+de.Name(), string(data))
					if bytes.Contains(data, []byte("ASIAEXAMPLE")) {
						t.Errorf("encrypted file shows the access key id")
					}
				} else if !bytes.Contains(data, []byte(`"version": 1`)) {
					t.Errorf("file lacks the version field: %s", data)
				}
			}
			if n != len(keys) {
				t.Errorf("%d files for %d keys", n, len(keys))
			}
			for _, k := range keys {
				if err := c.Delete(k); err != nil {
					t.Fatalf("Delete(%q): %v", k, err)
				}
				if got, err := c.Get(k); got != nil || err != nil {
					t.Errorf("after Delete, Get(%q) = %v, %v", k, got, err)
				}
			}
			if err := c.Delete("never-there"); err != nil {
				t.Errorf("Delete of a missing entry: %v", err)
			}
		})
	}
}

func TestPutOverwritesAndTightensMode(t *testing.T) {
	dir := t.TempDir()
	c := openFile(t, dir, "")
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := c.Put("k", sampleCreds(exp)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "k.json")
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	newer := sampleCreds(exp.Add(time.Hour))
	newer.AccessKeyID = "ASIANEWER"
	if err := c.Put("k", newer); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get("k")
	if err != nil || !sameCreds(got, newer) {
		t.Fatalf("Get = %v, %v", got, err)
	}
	if fi, _ := os.Stat(p); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Put = %v, want 0600", fi.Mode().Perm())
	}
}

func TestGetAbsent(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	os.WriteFile(file, []byte("x"), 0o600)
	for _, dir := range []string{filepath.Join(base, "missing"), base, filepath.Join(file, "sub")} {
		c := openFile(t, dir, "")
		got, err := c.Get("k")
		if got != nil || err != nil {
			t.Errorf("Get in %s = %v, %v; want nil, nil", dir, got, err)
		}
		list, err := c.List()
		if len(list) != 0 || err != nil {
			t.Errorf("List in %s = %v, %v", dir, list, err)
		}
	}
	c := openFile(t, base, "")
	if _, err := c.Get(""); err == nil {
		t.Error("Get(\"\") should fail")
	}
	if err := c.Put("", sampleCreds(time.Now())); err == nil {
		t.Error("Put(\"\") should fail")
	}
	if err := c.Put("k", nil); err == nil {
		t.Error("Put(nil) should fail")
	}
}

// TestCorruptedEntries: every damaged entry is reported (an ErrCorrupt
// error naming the file and what is wrong, no panic, no content) and the
// next Put replaces it.
func TestCorruptedEntries(t *testing.T) {
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	good, err := encodeEntry("k", sampleCreds(exp), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	sealedGood, err := encodeEntry("k", sampleCreds(exp), "pw", &keyDeriver{})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := encodeEntry("other", sampleCreds(exp), "", nil)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, reasonEmpty},
		{"truncated", good[:len(good)/2], reasonNotJSON},
		{"one byte short", good[:len(good)-2], reasonNotJSON},
		{"garbage", []byte("\x00\xff\xfe not json"), reasonNotJSON},
		{"json null", []byte("null"), reasonNotJSON},
		{"json array", []byte("[1,2,3]"), reasonNotJSON},
		{"wrong types", []byte(`{"version":"1","key":5}`), reasonNotJSON},
		{"foreign version", bytes.Replace(good, []byte(`"version": 1`), []byte(`"version": 2`), 1), "entry version 2, this one reads 1"},
		{"version 0", bytes.Replace(good, []byte(`"version": 1`), []byte(`"version": 0`), 1), reasonNotJSON},
		{"another key", other, reasonOtherKey},
		{"no secret", bytes.Replace(good, []byte(`"SecretAccessKey": "`+testSecret+`"`), []byte(`"SecretAccessKey": ""`), 1), reasonNoKeys},
		{"no credentials", []byte(`{"version":1,"key":"k"}`), reasonNoKeys},
		{"trailing data", append(append([]byte{}, good...), []byte(`{"version":1}`)...), reasonTrailing},
		{"both sealed and plain", bytes.Replace(sealedGood, []byte(`"sealed"`), []byte(`"credentials":{"AccessKeyId":"A","SecretAccessKey":"B"},"sealed"`), 1), reasonBoth},
		{"sealed with other params", bytes.Replace(sealedGood, []byte(`"n": 32768`), []byte(`"n": 1073741824`), 1), reasonSealedParams},
		{"sealed short salt", []byte(`{"version":1,"key":"k","sealed":{"kdf":"scrypt","n":32768,"r":8,"p":1,"salt":"AAAA","nonce":"AAAA","box":"AAAA"}}`), reasonSealedParams},
		{"huge", append([]byte(`{"version":1,"key":"k","x":"`), bytes.Repeat([]byte("a"), maxEntrySize+10)...), "larger than the 1 MiB limit"},
		{"10 MB", bytes.Repeat([]byte(" "), 10<<20), "larger than the 1 MiB limit"},
		{"1M-deep nesting", append(bytes.Repeat([]byte("["), 1_000_000), bytes.Repeat([]byte("]"), 1_000_000)...), "larger than the 1 MiB limit"},
		{"nesting deep within the limit", bytes.Repeat([]byte("["), 1_000_000), reasonNotJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "k.json"), tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			c := openFile(t, dir, "")
			start := time.Now()
			got, err := c.Get("k")
			if got != nil || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Get = %v, %v; want nil and ErrCorrupt", got, err)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("Get took %v", took)
			}
			for _, w := range []string{filepath.Join(dir, "k.json"), tt.want, "replace it"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			noSecret(t, "error", err.Error())
			list, err := c.List()
			if err != nil || len(list) != 0 {
				t.Errorf("List = %v, %v; want empty", list, err)
			}
			want := sampleCreds(exp)
			if err := c.Put("k", want); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Get("k"); err != nil || !sameCreds(got, want) {
				t.Errorf("after Put, Get = %v, %v", got, err)
			}
		})
	}
	t.Run("directory in the way", func(t *testing.T) {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "k.json"), 0o700)
		c := openFile(t, dir, "")
		got, err := c.Get("k")
		if got != nil {
			t.Fatalf("Get = %v", got)
		}
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "k.json")) {
			t.Errorf("error should name the path: %v", err)
		}
	})
}

func TestPassphrase(t *testing.T) {
	dir := t.TempDir()
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	enc := openFile(t, dir, "right")
	if err := enc.Put("sess", sampleCreds(exp)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pass    string
		env     string
		wantErr string
	}{
		{"wrong passphrase", "wrong", "", "wrong AWSMFA_CACHE_PASSPHRASE?"},
		{"no passphrase", "", "", "AWSMFA_CACHE_PASSPHRASE is not set"},
		{"right from env", "", "right", ""},
		{"right from options", "right", "wrong", ""},
		{"wrong from env", "", "nope", "wrong AWSMFA_CACHE_PASSPHRASE?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(PassphraseEnv, tt.env)
			c := openFile(t, dir, tt.pass)
			got, err := c.Get("sess")
			if tt.wantErr == "" {
				if err != nil || !sameCreds(got, sampleCreds(exp)) {
					t.Fatalf("Get = %v, %v", got, err)
				}
				return
			}
			if got != nil || err == nil {
				t.Fatalf("Get = %v, %v; want an error", got, err)
			}
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), `"sess"`) {
				t.Errorf("error = %v", err)
			}
			noSecret(t, "error", err.Error())
			if list, err := c.List(); err != nil || len(list) != 0 {
				t.Errorf("List = %v, %v; unreadable entries are skipped", list, err)
			}
		})
	}
	// A Put with another passphrase replaces the entry.
	t.Setenv(PassphraseEnv, "")
	other := openFile(t, dir, "new")
	if err := other.Put("sess", sampleCreds(exp.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if got, err := other.Get("sess"); err != nil || !sameCreds(got, sampleCreds(exp.Add(time.Hour))) {
		t.Fatalf("Get after re-Put = %v, %v", got, err)
	}
	if _, err := enc.Get("sess"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("old passphrase should not open the new entry: %v", err)
	}
	// Plain entries are read with a passphrase set.
	plain := openFile(t, dir, "")
	plain.Put("plain", sampleCreds(exp))
	if got, err := other.Get("plain"); err != nil || got == nil {
		t.Errorf("plain entry with passphrase set: %v, %v", got, err)
	}
}

func TestSealedTamper(t *testing.T) {
	kd := &keyDeriver{}
	exp := time.Now().Add(time.Hour).UTC()
	data, err := encodeEntry("k", sampleCreds(exp), "pw", kd)
	if err != nil {
		t.Fatal(err)
	}
	// Flip one byte of the box: the entry no longer opens.
	var env envelope
	if err := jsonUnmarshal(data, &env); err != nil {
		t.Fatal(err)
	}
	env.Sealed.Box[len(env.Sealed.Box)-1] ^= 1
	bad := jsonMarshal(t, env)
	if _, st, _ := decodeEntry(bad, "k", "pw", kd); st != entryLocked {
		t.Errorf("tampered box: status %v, want entryLocked", st)
	}
	// Moving a sealed entry to another key is refused (the key is also
	// inside the box).
	env.Sealed.Box[len(env.Sealed.Box)-1] ^= 1
	env.Key = "other"
	moved := jsonMarshal(t, env)
	if _, st, _ := decodeEntry(moved, "other", "pw", kd); st != entryInvalid {
		t.Errorf("moved entry: status %v, want entryInvalid", st)
	}
}

func TestUnwritableDir(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		dir  string
	}{
		// Fail even as root (tests run as root, where chmod does not stop writes).
		{"parent is a file", filepath.Join(file, "cache")},
		{"dir is a file", file},
	}
	if runtime.GOOS == "linux" {
		cases = append(cases, struct{ name, dir string }{"under /proc", "/proc/awsmfa-test/cache"})
	}
	if os.Geteuid() != 0 && runtime.GOOS != "windows" {
		ro := filepath.Join(base, "ro")
		os.Mkdir(ro, 0o700)
		os.Chmod(ro, 0o500)
		t.Cleanup(func() { os.Chmod(ro, 0o700) })
		cases = append(cases, struct{ name, dir string }{"read-only dir (chmod 0500)", ro})
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			c := openFile(t, tt.dir, "")
			err := c.Put("k", sampleCreds(time.Now().Add(time.Hour)))
			if err == nil {
				t.Fatal("Put succeeded")
			}
			if !strings.Contains(err.Error(), tt.dir) || !strings.Contains(err.Error(), "credential cache directory") {
				t.Errorf("Put error should name the directory %s: %v", tt.dir, err)
			}
			noSecret(t, "Put error", err.Error())
			_, err = c.Lock(t.Context(), "k")
			if err == nil || !strings.Contains(err.Error(), tt.dir) {
				t.Errorf("Lock error should name the directory: %v", err)
			}
		})
	}
}

// TestConcurrentReadersSeeWholeEntries: while one goroutine rewrites an
// entry, readers only ever see a complete old or new entry.
func TestConcurrentReadersSeeWholeEntries(t *testing.T) {
	dir := t.TempDir()
	c := openFile(t, dir, "")
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := c.Put("k", sampleCreds(exp)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad sync.Map
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := c.Get("k")
				if err != nil || got == nil || got.SecretAccessKey != testSecret {
					bad.Store("x", fmt.Sprint(err, got == nil))
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		cr := sampleCreds(exp.Add(time.Duration(i) * time.Second))
		if err := c.Put("k", cr); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	bad.Range(func(k, v any) bool {
		t.Errorf("a reader saw a partial or missing entry: %v", v)
		return false
	})
}

func TestFileName(t *testing.T) {
	tests := []struct {
		key      string
		verbatim bool
	}{
		{"0123456789abcdef0123456789abcdef", true},
		{"profile-a_b.c", true},
		{"Admin", false},
		{"a/b", false},
		{`a\b`, false},
		{"a:b", false},
		{".hidden", false},
		{"trailingdot.", false},
		{"con", false},
		{"nul.txt", false},
		{"com1", false},
		{"lpt9.x", false},
		{"com", true},
		{"console", true},
		{"a b", false},
		{"", false},
		{strings.Repeat("a", 100), true},
		{strings.Repeat("a", 101), false},
		{"é", false},
		{"x~y", false},
	}
	for _, tt := range tests {
		n := fileName(tt.key)
		if (n == tt.key) != tt.verbatim {
			t.Errorf("fileName(%q) = %q, verbatim want %v", tt.key, n, tt.verbatim)
		}
		checkFileName(t, tt.key, n)
	}
	// Distinct keys, distinct names, also case-insensitively.
	seen := map[string]string{}
	for _, k := range []string{"admin", "Admin", "ADMIN", "a/b", "a_b", "a:b", "a b", "con", "Con", "x", "X"} {
		n := strings.ToLower(fileName(k))
		if prev, ok := seen[n]; ok {
			t.Errorf("keys %q and %q share the file name %q", prev, k, n)
		}
		seen[n] = k
	}
}

func checkFileName(t *testing.T, key, n string) {
	t.Helper()
	if n == "" || len(n) > 200 || n[0] == '.' || n[len(n)-1] == '.' {
		t.Errorf("fileName(%q) = %q: bad shape", key, n)
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-~", c) >= 0) {
			t.Errorf("fileName(%q) = %q: unsafe byte %q", key, n, c)
		}
	}
}

func TestOpenBackends(t *testing.T) {
	saved := openKeyringFunc
	t.Cleanup(func() { openKeyringFunc = saved })
	failing := func(string) (keyring.Keyring, error) { return nil, keyring.ErrNoAvailImpl }
	var gotService string
	working := func(s string) (keyring.Keyring, error) { gotService = s; return keyring.NewArrayKeyring(nil), nil }
	tests := []struct {
		name    string
		opener  func(string) (keyring.Keyring, error)
		opt     Options
		want    string // "file", "keyring" or "error"
		service string
	}{
		{"auto without keychain", failing, Options{Backend: "auto"}, "file", ""},
		{"default without keychain", failing, Options{}, "file", ""},
		{"auto with keychain", working, Options{}, "keyring", "awsmfa"},
		{"keyring with custom service", working, Options{Backend: "keyring", KeyringService: "svc"}, "keyring", "svc"},
		{"keyring without keychain", failing, Options{Backend: "keyring"}, "error", ""},
		{"file despite keychain", working, Options{Backend: "file"}, "file", ""},
		{"unknown backend", working, Options{Backend: "pass"}, "error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			openKeyringFunc = tt.opener
			gotService = ""
			tt.opt.Dir = t.TempDir()
			c, err := Open(tt.opt)
			switch tt.want {
			case "error":
				if err == nil {
					t.Fatalf("Open = %T, want an error", c)
				}
				return
			case "file":
				if _, ok := c.(*fileCache); !ok || err != nil {
					t.Fatalf("Open = %T, %v; want the file backend", c, err)
				}
			case "keyring":
				if _, ok := c.(*keyringCache); !ok || err != nil {
					t.Fatalf("Open = %T, %v; want the keyring backend", c, err)
				}
				if gotService != tt.service {
					t.Errorf("service %q, want %q", gotService, tt.service)
				}
			}
		})
	}
	// A keychain whose probe fails counts as unusable.
	openKeyringFunc = func(string) (keyring.Keyring, error) { return brokenKeyring{keyring.NewArrayKeyring(nil)}, nil }
	if c, err := Open(Options{Dir: t.TempDir()}); err != nil || fmt.Sprintf("%T", c) != "*credcache.fileCache" {
		t.Errorf("auto with a broken keychain = %T, %v", c, err)
	}
	if _, err := Open(Options{Backend: "keyring", Dir: t.TempDir()}); err == nil {
		t.Error("keyring with a broken keychain should fail")
	}
}

// TestRealKeyringAutoFallsBack uses the real keyring module: without a
// D-Bus session bus (CI), auto must give the file backend quickly.
func TestRealKeyringAutoFallsBack(t *testing.T) {
	if runtime.GOOS != "linux" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		t.Skip("needs Linux without a D-Bus session")
	}
	start := time.Now()
	c, err := Open(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*fileCache); !ok {
		t.Errorf("auto without a session bus = %T, want the file backend", c)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("Open took %v", d)
	}
}

type brokenKeyring struct{ *keyring.ArrayKeyring }

func (brokenKeyring) Get(string) (keyring.Item, error) { return keyring.Item{}, errors.New("locked") }

func TestKeyringBackend(t *testing.T) {
	kr := keyring.NewArrayKeyring(nil)
	dir := t.TempDir()
	c := &keyringCache{kr: kr, locks: &lockDir{dir: filepath.Join(dir, "locks")}, prefix: "awsmfa:"}
	// Another application's items in the same collection are ignored.
	kr.Set(keyring.Item{Key: "a", Data: []byte("other app")})
	kr.Set(keyring.Item{Key: "chrome safe storage", Data: []byte("x")})
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if got, err := c.Get("k"); got != nil || err != nil {
		t.Fatalf("Get on empty = %v, %v", got, err)
	}
	for _, k := range []string{"b", "a", "0123abc"} {
		if err := c.Put(k, sampleCreds(exp)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Get("a")
	if err != nil || !sameCreds(got, sampleCreds(exp)) {
		t.Fatalf("Get = %v, %v", got, err)
	}
	it, _ := kr.Get("awsmfa:a")
	if it.Label == "" || !bytes.Contains(it.Data, []byte(`"version": 1`)) {
		t.Errorf("item = label %q", it.Label)
	}
	// Corrupted item data is reported and skipped by List.
	kr.Set(keyring.Item{Key: "awsmfa:b", Data: []byte("{garbage")})
	if got, err := c.Get("b"); got != nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), `"b" in the OS keychain`) {
		t.Errorf("corrupted item: %v, %v", got, err)
	}
	list, err := c.List()
	if err != nil || len(list) != 2 || list[0].Key != "0123abc" || list[1].Key != "a" {
		t.Errorf("List = %v, %v", list, err)
	}
	if err := c.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("a"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if got, _ := c.Get("a"); got != nil {
		t.Error("Get after Delete")
	}
	if it, err := kr.Get("a"); err != nil || string(it.Data) != "other app" {
		t.Errorf("another application's item was touched: %q %v", it.Data, err)
	}
	// Locks live in the cache directory.
	unlock, err := c.Lock(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "locks", "a.lock")); err != nil {
		t.Errorf("lock file: %v", err)
	}
	unlock()
}
