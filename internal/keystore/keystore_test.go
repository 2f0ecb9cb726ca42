package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

const (
	testID     = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func pass(p string) func(bool) (string, error) { return func(bool) (string, error) { return p, nil } }

func entry(profile string) *Entry {
	return &Entry{Profile: profile, AccessKeyID: testID, SecretAccessKey: testSecret, Added: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
}

// stores returns one store of each backend, empty.
func stores(t *testing.T) map[string]Store {
	t.Helper()
	file, err := Open(Options{Backend: BackendFile, Dir: filepath.Join(t.TempDir(), "keys"), Passphrase: pass("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	kr, err := Open(Options{Backend: BackendKeyring, OpenKeyring: func(string) (keyring.Keyring, error) { return keyring.NewArrayKeyring(nil), nil }})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Store{"file": file, "keyring": kr}
}

func TestRoundTrip(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			if e, err := s.Get("bob"); e != nil || err != nil {
				t.Fatalf("empty store Get: %v %v", e, err)
			}
			if _, ok, err := s.Lookup("bob"); ok || err != nil {
				t.Fatalf("empty store Lookup: %v %v", ok, err)
			}
			e := entry("bob")
			e.Rotation = &Rotation{Started: e.Added, NewAccessKeyID: "AKIAI44QH8DHBEXAMPLE", NewSecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}
			if err := s.Put(e); err != nil {
				t.Fatal(err)
			}
			if err := s.Put(entry("team/ops:admin")); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get("bob")
			if err != nil || got.AccessKeyID != testID || got.SecretAccessKey != testSecret || !got.Added.Equal(e.Added) || got.Rotation == nil ||
				got.Rotation.NewSecretAccessKey != e.Rotation.NewSecretAccessKey {
				t.Fatalf("Get: %+v %v", got, err)
			}
			if id, ok, err := s.Lookup("team/ops:admin"); id != testID || !ok || err != nil {
				t.Errorf("Lookup: %q %v %v", id, ok, err)
			}
			list, err := s.List()
			if err != nil || len(list) != 2 || list[0].Profile != "bob" || !list[0].Rotating || list[1].Profile != "team/ops:admin" || list[1].Rotating {
				t.Errorf("List: %+v %v", list, err)
			}
			if err := s.Delete("bob"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete("bob"); err != nil {
				t.Errorf("second Delete: %v", err)
			}
			if e, err := s.Get("bob"); e != nil || err != nil {
				t.Errorf("after Delete: %v %v", e, err)
			}
		})
	}
}

func TestPutRefusesInvalidEntries(t *testing.T) {
	for name, s := range stores(t) {
		for _, tc := range []struct {
			e    *Entry
			want string
		}{
			{&Entry{AccessKeyID: testID, SecretAccessKey: testSecret}, "empty profile"},
			{&Entry{Profile: "p", AccessKeyID: "akia-lower", SecretAccessKey: testSecret}, "not an access key ID"},
			{&Entry{Profile: "p", AccessKeyID: testID, SecretAccessKey: "short"}, "40 characters"},
			{&Entry{Profile: strings.Repeat("p", 300), AccessKeyID: testID, SecretAccessKey: testSecret}, "longer than 256"},
			{&Entry{Profile: "../../outside", AccessKeyID: testID, SecretAccessKey: testSecret}, "path segment"},
			{&Entry{Profile: "team/./x", AccessKeyID: testID, SecretAccessKey: testSecret}, "path segment"},
		} {
			err := s.Put(tc.e)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), testSecret) {
				t.Errorf("%s: Put(%+v) = %v, want %q", name, tc.e.Profile, err, tc.want)
			}
		}
	}
}

// TestFileEncrypted: the file holds no secret in plain text, is 0600 in a
// 0700 directory; the wrong passphrase opens nothing and cannot add a
// second passphrase; no passphrase at all is ErrNoPassphrase; Lookup and
// List need none.
func TestFileEncrypted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	s, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass("correct horse")})
	if err := s.Put(entry("bob")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), testSecret) || !strings.Contains(string(data), testID) {
		t.Fatalf("file content:\n%s", data)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "keys.json"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %o", path, fi.Mode(), err, want)
		}
	}

	wrong, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass("battery staple")})
	if _, err := wrong.Get("bob"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase Get: %v", err)
	}
	if err := wrong.Put(entry("alice")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase Put: %v", err)
	}
	none, _ := Open(Options{Backend: BackendFile, Dir: dir})
	if _, err := none.Get("bob"); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("no passphrase: %v", err)
	}
	if id, ok, err := none.Lookup("bob"); id != testID || !ok || err != nil {
		t.Errorf("Lookup without passphrase: %q %v %v", id, ok, err)
	}
	if l, err := none.List(); err != nil || len(l) != 1 {
		t.Errorf("List without passphrase: %v %v", l, err)
	}
	// A box moved to another profile's entry does not open there.
	var doc storeDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc.Keys["mallory"] = doc.Keys["bob"]
	moved, _ := json.Marshal(doc)
	if err := os.WriteFile(filepath.Join(dir, "keys.json"), moved, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("mallory"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("moved box: %v", err)
	}
}

// TestFileCorrupt: a damaged store is named, never shown.
func TestFileCorrupt(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"truncated", `{"version":1,"keys":{"bob":{"accessKeyId":"` + testID, "not a key store file"},
		{"other version", `{"version":2,"keys":{}}`, "version 2"},
		{"no box", `{"version":1,"keys":{"bob":{"accessKeyId":"` + testID + `"}}}`, `profile "bob" is incomplete`},
		{"unknown field", `{"version":1,"keys":{},"secret":"` + testSecret + `"}`, "not a key store file"},
		{"trailing", `{"version":1,"keys":{}} {}`, "not a key store file"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "keys.json"), []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		s, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass("x")})
		_, _, err := s.Lookup("bob")
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), testSecret) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestFileConcurrentPuts: parallel writers (goroutines here; processes
// share the same lock file) lose no entry.
func TestFileConcurrentPuts(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass("p")})
			if err := s.Put(entry(fmt.Sprintf("p%d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass("p")})
	if l, err := s.List(); err != nil || len(l) != 8 {
		t.Errorf("entries after concurrent Puts: %d %v", len(l), err)
	}
}

// TestPassphraseAskedOnce: the prompt runs once per store, told whether
// the store is new; a refused passphrase is asked again next time.
func TestPassphraseAskedOnce(t *testing.T) {
	dir := t.TempDir()
	var asks []bool
	answer := "p"
	s, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: func(newStore bool) (string, error) { asks = append(asks, newStore); return answer, nil }})
	if err := s.Put(entry("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(entry("b")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("a"); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(asks) != "[true]" {
		t.Errorf("asks %v", asks)
	}
	s2, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: func(newStore bool) (string, error) { asks = append(asks, newStore); return answer, nil }})
	answer = "wrong"
	if _, err := s2.Get("a"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatal(err)
	}
	answer = "p"
	if _, err := s2.Get("a"); err != nil {
		t.Fatalf("second try: %v", err)
	}
	if fmt.Sprint(asks) != "[true false false]" {
		t.Errorf("asks %v", asks)
	}
}

func TestOpenBackends(t *testing.T) {
	failing := func(string) (keyring.Keyring, error) { return nil, errors.New("no D-Bus session") }
	s, err := Open(Options{Backend: BackendAuto, Dir: t.TempDir(), OpenKeyring: failing})
	if err != nil || !strings.HasPrefix(s.Where(), "encrypted file ") {
		t.Errorf("auto without a keychain: %v %v", s, err)
	}
	if _, err := Open(Options{Backend: BackendKeyring, OpenKeyring: failing}); err == nil || !strings.Contains(err.Error(), "no usable OS keychain") {
		t.Errorf("keyring without a keychain: %v", err)
	}
	if _, err := Open(Options{Backend: "vault"}); err == nil || !strings.Contains(err.Error(), `unknown key store backend "vault"`) {
		t.Errorf("unknown backend: %v", err)
	}
}

func TestValidShapes(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{{testID, true}, {"ASIAIOSFODNN7EXAMPLE", true}, {"AKIA", false}, {"akiaiosfodnn7example", false}, {"AKIA IOSFODNN7EXAMPLE", false}} {
		if ValidAccessKeyID(tc.id) != tc.want {
			t.Errorf("ValidAccessKeyID(%q) != %v", tc.id, tc.want)
		}
	}
	for _, tc := range []struct {
		s    string
		want bool
	}{{testSecret, true}, {testSecret[:39], false}, {testSecret[:39] + "!", false}} {
		if ValidSecret(tc.s) != tc.want {
			t.Errorf("ValidSecret(%q) != %v", tc.s, tc.want)
		}
	}
}

// FuzzFileStore: any file content is read without panicking, within the
// size limit, and never echoed in errors.
func FuzzFileStore(f *testing.F) {
	f.Add([]byte(`{"version":1,"keys":{}}`))
	f.Add([]byte(`{"version":1,"keys":{"bob":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","added":"2026-12-07T10:00:00Z","sealed":{"kdf":"scrypt","n":32768,"r":8,"p":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA==","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","box":"AAAAAAAAAAAAAAAAAAAAAA=="}}}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "keys.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s := &fileStore{dir: dir, passphrase: pass("p")}
		_, _ = s.List()
		_, _, _ = s.Lookup("bob")
		if _, err := s.Get("bob"); err != nil && len(data) > 20 && strings.Contains(err.Error(), string(data)) {
			t.Errorf("error echoes the file: %v", err)
		}
	})
}

func TestStringRedacts(t *testing.T) {
	e := entry("bob")
	e.Rotation = &Rotation{NewAccessKeyID: "AKIAI44QH8DHBEXAMPLE", NewSecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}
	for _, s := range []string{fmt.Sprint(e), fmt.Sprintf("%+v", e), fmt.Sprintf("%v", e.Rotation)} {
		if strings.Contains(s, testSecret) || strings.Contains(s, e.Rotation.NewSecretAccessKey) || !strings.Contains(s, "<redacted>") {
			t.Errorf("%s", s)
		}
	}
}

// fakePass is a pass(1) stand-in with pass's command line and layout
// (NAME.gpg files under PASSWORD_STORE_DIR), storing plain text: the
// test exercises keyring's pass backend, not gpg.
const fakePass = `#!/bin/sh
set -e
dir="$PASSWORD_STORE_DIR"
case "$1" in
show) cat "$dir/$2.gpg" ;;
insert) name="$4"; mkdir -p "$(dirname "$dir/$name")"; cat > "$dir/$name.gpg" ;;
rm) rm -f "$dir/$3.gpg" ;;
*) echo "fake pass: unsupported $*" >&2; exit 1 ;;
esac
`

func TestPassBackend(t *testing.T) {
	dir := t.TempDir()
	cmd := filepath.Join(dir, "pass")
	if err := os.WriteFile(cmd, []byte(fakePass), 0o700); err != nil {
		t.Fatal(err)
	}
	storeDir := filepath.Join(dir, "password-store")
	s, err := Open(Options{Backend: BackendPass, PassDir: storeDir, PassCommand: cmd})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Where(), "pass password store") {
		t.Errorf("Where %q", s.Where())
	}
	if err := s.Put(entry("bob")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(storeDir, "awsmfa-keys", "awsmfa-keys:bob.gpg")); err != nil {
		t.Errorf("pass layout: %v", err)
	}
	e, err := s.Get("bob")
	if err != nil || e == nil || e.SecretAccessKey != testSecret {
		t.Fatalf("Get: %v %v", e, err)
	}
	if l, err := s.List(); err != nil || len(l) != 1 || l[0].Profile != "bob" {
		t.Errorf("List: %v %v", l, err)
	}
	if err := s.Delete("bob"); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Get("bob"); e != nil || err != nil {
		t.Errorf("after Delete: %v %v", e, err)
	}
	if _, err := Open(Options{Backend: BackendPass, PassCommand: filepath.Join(dir, "no-such-pass")}); err == nil || !strings.Contains(err.Error(), "pass") {
		t.Errorf("missing pass: %v", err)
	}
}

// TestAutoKeepsFileStore: "auto" uses an existing file store even when a
// keychain answers, and the keychain when there is none.
func TestAutoKeepsFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	kr := keyring.NewArrayKeyring(nil)
	openKR := func(string) (keyring.Keyring, error) { return kr, nil }
	s, err := Open(Options{Backend: BackendAuto, Dir: dir, Passphrase: pass("correct horse"), OpenKeyring: openKR})
	if err != nil || !strings.HasPrefix(s.Where(), "OS keychain") {
		t.Fatalf("auto without a file store: %v %v", s, err)
	}
	fs, _ := Open(Options{Backend: BackendFile, Dir: dir, Passphrase: pass("correct horse")})
	if err := fs.Put(entry("bob")); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Options{Backend: BackendAuto, Dir: dir, Passphrase: pass("correct horse"), OpenKeyring: openKR})
	if err != nil || !strings.HasPrefix(s.Where(), "encrypted file") {
		t.Fatalf("auto with a file store: %v %v", s, err)
	}
	if id, ok, err := s.Lookup("bob"); !ok || err != nil || id != testID {
		t.Errorf("Lookup: %q %v %v", id, ok, err)
	}
}
