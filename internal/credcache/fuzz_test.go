package credcache

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var fuzzKD = &keyDeriver{}

// FuzzDecodeEntry: any file content decodes without panicking; through
// the file backend it reads as valid credentials, or as an ErrUnreadable
// or ErrCorrupt error that leaks nothing, and a later Put replaces it.
func FuzzDecodeEntry(f *testing.F) {
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	plain, _ := encodeEntry("k", sampleCreds(exp), "", nil)
	sealedE, _ := encodeEntry("k", sampleCreds(exp), "pw", fuzzKD)
	f.Add(plain)
	f.Add(sealedE)
	f.Add([]byte(`{"version":1,"key":"k","credentials":{"AccessKeyId":"A","SecretAccessKey":"B","Expiration":"x"}}`))
	f.Add([]byte(`{"version":1,"key":"k","sealed":{"kdf":"scrypt","n":32768,"r":8,"p":1}}`))
	f.Add([]byte(`{"version":1e400}`))
	f.Add([]byte{})
	dir := f.TempDir()
	c := &fileCache{dir: dir, pass: "pw", kd: fuzzKD, locks: &lockDir{dir: filepath.Join(dir, "locks")}}
	// Puts go through a plain cache (an encrypted Put runs scrypt with a
	// fresh salt each time); c still reads plain entries.
	w := &fileCache{dir: dir, kd: fuzzKD, locks: c.locks}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pass := range []string{"", "pw"} {
			creds, st, reason := decodeEntry(data, "k", pass, fuzzKD)
			if (st == entryOK) != (creds != nil) {
				t.Fatalf("status %v with creds %v", st, creds)
			}
			if st == entryOK && (creds.AccessKeyID == "" || creds.SecretAccessKey == "") {
				t.Fatal("accepted credentials without keys")
			}
			if st != entryOK && reason == "" {
				t.Fatalf("status %v without a reason", st)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "k.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get("k")
		if err != nil {
			if !errors.Is(err, ErrUnreadable) && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Get error %v", err)
			}
			noSecret(t, "error", err.Error())
		}
		if got != nil && (got.AccessKeyID == "" || got.SecretAccessKey == "") {
			t.Fatal("Get accepted credentials without keys")
		}
		if _, err := c.List(); err != nil {
			t.Fatal(err)
		}
		want := sampleCreds(exp)
		if err := w.Put("k", want); err != nil {
			t.Fatal(err)
		}
		if got, err := c.Get("k"); err != nil || !sameCreds(got, want) {
			t.Fatalf("after Put: %v, %v", got, err)
		}
	})
}

// FuzzFileName: every key maps to a safe file name.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"a", "Admin", "con", "a/b", "..", "", "x~y", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" {
			return
		}
		n := fileName(key)
		checkFileName(t, key, n)
		if safeName(key) != (n == key) {
			t.Fatalf("fileName(%q) = %q", key, n)
		}
	})
}
