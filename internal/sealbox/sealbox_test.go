package sealbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/secretbox"
)

const (
	testPass    = "correct horse"
	testPayload = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
)

// goldenBox was written by internal/credcache before this package existed
// (the "sealed" object of an entry for key "golden-key", passphrase
// testPass): boxes stored then must still open.
const goldenBox = `{"kdf": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "Fm8bql93T79kiyfPq4m8jA==", "nonce": "M0ESZ/b/M06bjQDBsBSiqu00Zd3HUCTH", "box": "tNbdvXV/f6EUVH9tTTOq5vj+4Pl7KyhigOmSB0Qa3b1U1/TNw+KOMyC+paeYWvyzHnsTYmjuAKrRo839sIs09Wn6+wI7NV3bLylsfCmfSDs8cNwO5+jRe2ok0GYsbKm1sgrKOK1FNDlOOaoJD0MVF7Z5y8zbA/gcWYhAIsxB1DmLv5tgfN0PhpSLIg0/kn4g7aZ2u21i9bSVQxo9kJiiISQcGziLiXXR1n2mtCV9BMCnSXubdMmf2yvo0ZMSzwyzDk1MYxV4kVYR2VZByf6x00aL9f/FYasKaW2QL8TaUG3MsbTdcFtuzLNTj/YWu0CUEgQVzkrIgpI2XXAHQh/pJ9pXik+fbmkWwBAoqvjwx+V2sUb+3kvwl4Gbsk36733h2aMh1GQ+sQKvrHc42tlJs8suf/joFN5Qoe4o3xAxCtvQgtQBJaGYLLqyhGZNQxioMKtPAdhPzZ3JubP5dibnT/z5qB01Y+B9/n9Cb1J0Wh0568OlB1tRtTyetNMD+pP6TLPRm5jOTjYvgXRtF1s975fzhhZxFbYRi6Duo8Ack5i1pFhJu23EwFPM1s1B6T16qWRQ/uJ2x5sQIp5gUxTGw2+veMMsNr4i"}`

// memoLen is the number of (passphrase, salt) pairs d remembers.
func (d *Deriver) memoLen() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.memo)
}

// noLeak fails when err's message contains a passphrase or the payload.
func noLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append([]string{testPass, testPayload, "wJalrXUtnFEMI"}, secrets...) {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains a secret", err)
		}
	}
}

// seal seals testPayload under testPass with d.
func seal(t *testing.T, d *Deriver) *Box {
	t.Helper()
	b, err := d.Seal(testPass, []byte(testPayload))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cloneBox(b *Box) *Box {
	c := *b
	c.Salt = slices.Clone(b.Salt)
	c.Nonce = slices.Clone(b.Nonce)
	c.Box = slices.Clone(b.Box)
	return &c
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		passphrase string
		payload    []byte
	}{
		{"secret key", testPass, []byte(testPayload)},
		{"empty payload", testPass, nil},
		{"binary payload", "pw", []byte{0, 1, 2, 0xff, 0xfe}},
		{"64 KiB payload", "pw", bytes.Repeat([]byte("x"), 64<<10)},
		{"unicode passphrase", "pässwörd 🔑", []byte(`{"k":"v"}`)},
		{"one-byte passphrase", "p", []byte("a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Deriver{}
			b, err := d.Seal(tt.passphrase, tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Check(); err != nil {
				t.Fatalf("Check of a fresh box: %v", err)
			}
			if len(b.Box) != len(tt.payload)+secretbox.Overhead {
				t.Errorf("box is %d bytes for a %d-byte payload", len(b.Box), len(tt.payload))
			}
			if len(tt.payload) >= 8 && bytes.Contains(b.Box, tt.payload) {
				t.Error("box contains the payload in the clear")
			}
			// Through JSON, with the sealing Deriver and with a new one
			// (another process).
			data, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			var decoded Box
			if err := json.Unmarshal(data, &decoded); err != nil {
				t.Fatal(err)
			}
			for _, od := range []*Deriver{d, {}, nil} {
				got, err := od.Open(tt.passphrase, &decoded)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if !bytes.Equal(got, tt.payload) {
					t.Fatalf("Open returned %d bytes, want the %d sealed", len(got), len(tt.payload))
				}
			}
		})
	}
}

// TestGolden: a box written by credcache before sealbox existed opens.
func TestGolden(t *testing.T) {
	var b Box
	if err := json.Unmarshal([]byte(goldenBox), &b); err != nil {
		t.Fatal(err)
	}
	d := &Deriver{}
	got, err := d.Open(testPass, &b)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var inner struct {
		Version     int    `json:"version"`
		Key         string `json:"key"`
		Credentials struct {
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string `json:"SecretAccessKey"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(got, &inner); err != nil {
		t.Fatalf("payload is not the entry JSON: %v", err)
	}
	if inner.Version != 1 || inner.Key != "golden-key" || inner.Credentials.AccessKeyID != "ASIAEXAMPLE123456789" || inner.Credentials.SecretAccessKey != testPayload {
		t.Errorf("payload has version %d, key %q, access key %q", inner.Version, inner.Key, inner.Credentials.AccessKeyID)
	}
	_, err = d.Open("correct horse ", &b)
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("golden box with another passphrase: %v, want ErrWrongPassphrase", err)
	}
}

// TestJSONShape: the stored form has exactly the fields credcache wrote.
func TestJSONShape(t *testing.T) {
	b := seal(t, &Deriver{})
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"box", "kdf", "n", "nonce", "p", "r", "salt"}; !slices.Equal(keys, want) {
		t.Errorf("JSON fields %v, want %v", keys, want)
	}
	if m["kdf"] != "scrypt" || m["n"] != float64(32768) || m["r"] != float64(8) || m["p"] != float64(1) {
		t.Errorf("JSON parameters %v %v %v %v", m["kdf"], m["n"], m["r"], m["p"])
	}
	var golden map[string]any
	if err := json.Unmarshal([]byte(goldenBox), &golden); err != nil {
		t.Fatal(err)
	}
	var gb Box
	if err := json.Unmarshal([]byte(goldenBox), &gb); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(&gb)
	var m2 map[string]any
	if err := json.Unmarshal(again, &m2); err != nil {
		t.Fatal(err)
	}
	for k, v := range golden {
		if m2[k] != v {
			t.Errorf("golden field %q re-encodes as %v, was %v", k, m2[k], v)
		}
	}
}

func TestWrongPassphrase(t *testing.T) {
	d := &Deriver{}
	b := seal(t, d)
	for _, pass := range []string{"correct horse ", "Correct horse", "correct hors", "battery staple", "\x00correct horse"} {
		got, err := d.Open(pass, b)
		if got != nil || !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("Open with passphrase of %d bytes: %v, %v; want ErrWrongPassphrase", len(pass), got, err)
		}
		noLeak(t, err, pass)
	}
}

func TestNoPassphrase(t *testing.T) {
	d := &Deriver{}
	if b, err := d.Seal("", []byte(testPayload)); b != nil || !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("Seal with no passphrase: %v, %v; want ErrNoPassphrase", b, err)
	}
	b := seal(t, d)
	if got, err := d.Open("", b); got != nil || !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("Open with no passphrase: %v, %v; want ErrNoPassphrase", got, err)
	}
	// The parameters are checked first.
	bad := cloneBox(b)
	bad.N = 1 << 30
	if _, err := d.Open("", bad); !errors.Is(err, ErrParams) {
		t.Errorf("Open of a foreign box with no passphrase: %v, want ErrParams", err)
	}
}

// TestParams: a box naming any other parameter is refused before any key
// is derived (the memo stays empty, and scrypt with N=2^30, which would
// need 1 TiB, is not attempted).
func TestParams(t *testing.T) {
	good := seal(t, &Deriver{})
	tests := []struct {
		name   string
		change func(b *Box)
	}{
		{"kdf empty", func(b *Box) { b.KDF = "" }},
		{"kdf argon2id", func(b *Box) { b.KDF = "argon2id" }},
		{"kdf upper case", func(b *Box) { b.KDF = "SCRYPT" }},
		{"n 2^30", func(b *Box) { b.N = 1 << 30 }},
		{"n 2^16", func(b *Box) { b.N = 1 << 16 }},
		{"n 2^14", func(b *Box) { b.N = 1 << 14 }},
		{"n 0", func(b *Box) { b.N = 0 }},
		{"n -1", func(b *Box) { b.N = -1 }},
		{"r 1", func(b *Box) { b.R = 1 }},
		{"r 1024", func(b *Box) { b.R = 1024 }},
		{"r 0", func(b *Box) { b.R = 0 }},
		{"p 2", func(b *Box) { b.P = 2 }},
		{"p 1<<20", func(b *Box) { b.P = 1 << 20 }},
		{"p 0", func(b *Box) { b.P = 0 }},
		{"no salt", func(b *Box) { b.Salt = nil }},
		{"salt 15 bytes", func(b *Box) { b.Salt = b.Salt[:15] }},
		{"salt 17 bytes", func(b *Box) { b.Salt = append(b.Salt, 0) }},
		{"salt 32 bytes", func(b *Box) { b.Salt = append(b.Salt, b.Salt...) }},
		{"no nonce", func(b *Box) { b.Nonce = nil }},
		{"nonce 23 bytes", func(b *Box) { b.Nonce = b.Nonce[:23] }},
		{"nonce 25 bytes", func(b *Box) { b.Nonce = append(b.Nonce, 0) }},
		{"no box", func(b *Box) { b.Box = nil }},
		{"box shorter than the tag", func(b *Box) { b.Box = b.Box[:secretbox.Overhead-1] }},
		{"all foreign", func(b *Box) { *b = Box{KDF: "scrypt", N: 1 << 30, R: 1 << 10, P: 1 << 10} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := cloneBox(good)
			tt.change(b)
			if err := b.Check(); !errors.Is(err, ErrParams) {
				t.Errorf("Check = %v, want ErrParams", err)
			}
			d := &Deriver{}
			start := time.Now()
			got, err := d.Open(testPass, b)
			if took := time.Since(start); took > time.Second {
				t.Errorf("Open took %v: it derived a key", took)
			}
			if got != nil || !errors.Is(err, ErrParams) {
				t.Errorf("Open = %v, %v; want ErrParams", got, err)
			}
			if n := d.memoLen(); n != 0 {
				t.Errorf("Open derived %d keys", n)
			}
			noLeak(t, err)
		})
	}
	var nilBox *Box
	if err := nilBox.Check(); !errors.Is(err, ErrParams) {
		t.Errorf("nil Check = %v, want ErrParams", err)
	}
	if _, err := (&Deriver{}).Open(testPass, nil); !errors.Is(err, ErrParams) {
		t.Errorf("Open(nil) = %v, want ErrParams", err)
	}
	// The shortest box that passes: an empty payload's tag alone.
	b := cloneBox(good)
	b.Box = b.Box[:secretbox.Overhead]
	if err := b.Check(); err != nil {
		t.Errorf("Check of a tag-only box: %v", err)
	}
}

// TestTamper: any change to the salt, nonce or box makes Open fail as a
// wrong passphrase, never return altered content.
func TestTamper(t *testing.T) {
	d := &Deriver{}
	good := seal(t, d)
	tests := []struct {
		name   string
		change func(b *Box)
	}{
		{"box first byte", func(b *Box) { b.Box[0] ^= 1 }},
		{"box last byte", func(b *Box) { b.Box[len(b.Box)-1] ^= 0x80 }},
		{"box tag byte", func(b *Box) { b.Box[secretbox.Overhead/2] ^= 1 }},
		{"box truncated", func(b *Box) { b.Box = b.Box[:len(b.Box)-1] }},
		{"box extended", func(b *Box) { b.Box = append(b.Box, 0) }},
		{"nonce first byte", func(b *Box) { b.Nonce[0] ^= 1 }},
		{"nonce last byte", func(b *Box) { b.Nonce[nonceLen-1] ^= 1 }},
		{"salt", func(b *Box) { b.Salt[3] ^= 1 }},
		{"box of another seal", func(b *Box) { b.Box = seal(t, d).Box }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := cloneBox(good)
			tt.change(b)
			got, err := d.Open(testPass, b)
			if got != nil || !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("Open = %q, %v; want ErrWrongPassphrase", got, err)
			}
			noLeak(t, err)
		})
	}
	if got, err := d.Open(testPass, good); err != nil || string(got) != testPayload {
		t.Errorf("untouched box: %v", err)
	}
}

// TestSealFresh: every Seal draws a new salt and nonce, so sealing the
// same payload twice gives unrelated boxes.
func TestSealFresh(t *testing.T) {
	d := &Deriver{}
	a, b := seal(t, d), seal(t, d)
	if bytes.Equal(a.Salt, b.Salt) {
		t.Error("two Seals share a salt")
	}
	if bytes.Equal(a.Nonce, b.Nonce) {
		t.Error("two Seals share a nonce")
	}
	if bytes.Equal(a.Box, b.Box) {
		t.Error("two Seals of one payload give the same box")
	}
	if bytes.Equal(a.Salt, make([]byte, saltLen)) || bytes.Equal(a.Nonce, make([]byte, nonceLen)) {
		t.Error("zero salt or nonce")
	}
}

// TestMemo: one derivation per (passphrase, salt), shared by Seal and
// Open and by concurrent callers.
func TestMemo(t *testing.T) {
	d := &Deriver{}
	b := seal(t, d)
	if n := d.memoLen(); n != 1 {
		t.Fatalf("after Seal: %d keys remembered, want 1", n)
	}
	k1, err := d.derive(testPass, b.Salt)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := d.Open(testPass, b); err != nil {
			t.Fatal(err)
		}
	}
	k2, _ := d.derive(testPass, b.Salt)
	if k1 != k2 || d.memoLen() != 1 {
		t.Errorf("reopening derived again (%d keys remembered)", d.memoLen())
	}
	steps := []struct {
		name string
		do   func() error
		want int
	}{
		{"second Seal (new salt)", func() error { _, err := d.Seal(testPass, []byte("x")); return err }, 2},
		{"other passphrase, same salt", func() error {
			if _, err := d.Open("other", b); !errors.Is(err, ErrWrongPassphrase) {
				return err
			}
			return nil
		}, 3},
		{"other passphrase again", func() error { _, _ = d.Open("other", b); return nil }, 3},
		{"third passphrase", func() error { _, _ = d.Open("third", b); return nil }, 4},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n := d.memoLen(); n != s.want {
			t.Errorf("%s: %d keys remembered, want %d", s.name, n, s.want)
		}
	}

	// Concurrent opens of one box on a new Deriver: one derivation, one
	// key.
	c := &Deriver{}
	var wg sync.WaitGroup
	keys := make([]*[keyLen]byte, 8)
	for i := range keys {
		wg.Go(func() {
			if got, err := c.Open(testPass, b); err != nil || string(got) != testPayload {
				t.Errorf("concurrent Open: %v", err)
			}
			keys[i], _ = c.derive(testPass, b.Salt)
		})
	}
	wg.Wait()
	if n := c.memoLen(); n != 1 {
		t.Errorf("concurrent opens: %d keys remembered, want 1", n)
	}
	for _, k := range keys[1:] {
		if k != keys[0] {
			t.Error("concurrent opens derived distinct keys")
		}
	}
}

var fuzzDeriver = &Deriver{}

// FuzzOpen: any JSON decoded into a Box opens or fails with one of the
// package's errors, never panics, never leaks the passphrase, and Open
// agrees with Check.
func FuzzOpen(f *testing.F) {
	sealed, err := json.Marshal(seal(&testing.T{}, fuzzDeriver))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(goldenBox))
	f.Add(sealed)
	f.Add([]byte(`{"kdf":"scrypt","n":1073741824,"r":8,"p":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA==","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","box":"AAAAAAAAAAAAAAAAAAAAAA=="}`))
	f.Add([]byte(`{"kdf":"scrypt","n":32768,"r":8,"p":1,"salt":"AAAA","nonce":"AAAA","box":"AAAA"}`))
	f.Add([]byte(`{"kdf":"scrypt","n":32768,"r":8,"p":1}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"n":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Box
		if err := json.Unmarshal(data, &b); err != nil {
			return
		}
		checkErr := b.Check()
		if checkErr != nil && !errors.Is(checkErr, ErrParams) {
			t.Fatalf("Check = %v", checkErr)
		}
		got, err := fuzzDeriver.Open(testPass, &b)
		switch {
		case err == nil:
			if checkErr != nil {
				t.Fatalf("Open accepted a box Check refuses: %v", checkErr)
			}
		case errors.Is(err, ErrParams):
			if checkErr == nil {
				t.Fatalf("Open = %v but Check accepts the box", err)
			}
		case errors.Is(err, ErrWrongPassphrase):
			if checkErr != nil {
				t.Fatalf("Open derived a key for a box Check refuses: %v", checkErr)
			}
		default:
			t.Fatalf("Open = %v", err)
		}
		if err != nil && got != nil {
			t.Fatalf("Open = %d bytes and %v", len(got), err)
		}
		noLeak(t, err)
		if _, err := fuzzDeriver.Open("", &b); !errors.Is(err, ErrParams) && !errors.Is(err, ErrNoPassphrase) {
			t.Fatalf("Open without passphrase = %v", err)
		}
	})
}
