// Package sealbox seals small secrets (credentials, access keys) under a
// passphrase, for storing them in files.
//
// # Construction
//
// Seal draws a fresh random 16-byte salt and 24-byte nonce, derives a
// 32-byte key from the passphrase and the salt with scrypt (N=32768, r=8,
// p=1: the "interactive" parameters recommended by the scrypt paper and
// golang.org/x/crypto/scrypt) and encrypts the payload with NaCl secretbox
// (XSalsa20-Poly1305), which also authenticates it. The result is a Box,
// whose JSON form is
//
//	{"kdf": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": BASE64, "nonce": BASE64, "box": BASE64}
//
// (the "sealed" object of internal/credcache's encrypted entries, which
// use this package). Open accepts only boxes naming exactly these
// parameters and lengths: any other box fails with ErrParams before any
// key derivation, so a hostile file cannot make the process run scrypt
// with parameters of its choosing (for example gigabytes of memory). A
// box that does not authenticate under the passphrase (wrong passphrase,
// or any bit of the salt, nonce or box changed) fails with
// ErrWrongPassphrase. Nothing outside the box (a file name, a key name) is
// authenticated: callers that need to bind a box to its context put that
// context inside the payload and check it after Open. As with any use of
// scrypt (whose PBKDF2-HMAC step pads the passphrase with zero bytes),
// passphrases that differ only by trailing NUL bytes derive the same key.
//
// # Costs
//
// One derivation costs about 50-100 ms of CPU and 32 MiB of memory
// (128·N·r bytes). A Deriver remembers each derived key for its life,
// indexed by SHA-256(passphrase || 0 || salt), so that opening the same
// box again, or opening a box the process sealed itself, costs no second
// derivation; every Seal draws a new salt and thus derives once. The memo
// grows by one entry (64 bytes plus map overhead) per distinct (passphrase,
// salt) and is never emptied: use one Deriver per process, or per store.
//
// # Secrets
//
// No error of this package contains any byte of a passphrase, a payload
// or a box.
package sealbox

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"sync"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"
)

// The parameters of every box this package seals or opens.
const (
	scryptKDF = "scrypt"
	scryptN   = 1 << 15
	scryptR   = 8
	scryptP   = 1
	saltLen   = 16
	nonceLen  = 24
	keyLen    = 32
)

// Errors of Seal and Open. They are sentinels: match them with errors.Is.
var (
	// ErrParams: the box does not name the parameters this package uses
	// (kdf, n, r, p), or its salt, nonce or box has the wrong length.
	ErrParams = errors.New("sealbox: the sealed data's encryption parameters are not the supported ones")
	// ErrWrongPassphrase: the box does not authenticate under the
	// passphrase (wrong passphrase, or altered data).
	ErrWrongPassphrase = errors.New("sealbox: the sealed data cannot be decrypted with this passphrase (wrong passphrase or altered data)")
	// ErrNoPassphrase: the passphrase is empty.
	ErrNoPassphrase = errors.New("sealbox: no passphrase")
)

// Box is a sealed payload. Its JSON form is the stored format (see the
// package documentation); []byte fields are base64 in JSON.
type Box struct {
	KDF   string `json:"kdf"`
	N     int    `json:"n"`
	R     int    `json:"r"`
	P     int    `json:"p"`
	Salt  []byte `json:"salt"`
	Nonce []byte `json:"nonce"`
	Box   []byte `json:"box"`
}

// Check returns ErrParams unless b names this package's KDF and scrypt
// parameters and its salt, nonce and box have the right lengths (the box
// at least secretbox.Overhead bytes). It derives nothing.
func (b *Box) Check() error {
	if b == nil || b.KDF != scryptKDF || b.N != scryptN || b.R != scryptR || b.P != scryptP ||
		len(b.Salt) != saltLen || len(b.Nonce) != nonceLen || len(b.Box) < secretbox.Overhead {
		return ErrParams
	}
	return nil
}

// Deriver derives box keys from passphrases and remembers them per
// (passphrase, salt). The zero value is ready to use; a Deriver is safe
// for concurrent use and must not be copied after first use. A nil
// *Deriver derives every time and remembers nothing.
type Deriver struct {
	mu   sync.Mutex
	memo map[[sha256.Size]byte]*derivation
}

// derivation is one memo entry: concurrent callers for the same
// (passphrase, salt) wait for a single scrypt run.
type derivation struct {
	once sync.Once
	key  *[keyLen]byte
	err  error
}

// derive returns the key for passphrase and salt. The caller has checked
// that salt has saltLen bytes; the scrypt parameters are always the
// package's constants.
func (d *Deriver) derive(passphrase string, salt []byte) (*[keyLen]byte, error) {
	if d == nil {
		return scryptKey(passphrase, salt)
	}
	h := sha256.New()
	h.Write([]byte(passphrase))
	h.Write([]byte{0})
	h.Write(salt)
	var id [sha256.Size]byte
	h.Sum(id[:0])

	d.mu.Lock()
	e, ok := d.memo[id]
	if !ok {
		if d.memo == nil {
			d.memo = map[[sha256.Size]byte]*derivation{}
		}
		e = &derivation{}
		d.memo[id] = e
	}
	d.mu.Unlock()

	e.once.Do(func() { e.key, e.err = scryptKey(passphrase, salt) })
	if e.err != nil {
		// Do not remember failures: a later call tries again.
		d.mu.Lock()
		if d.memo[id] == e {
			delete(d.memo, id)
		}
		d.mu.Unlock()
		return nil, e.err
	}
	return e.key, nil
}

func scryptKey(passphrase string, salt []byte) (*[keyLen]byte, error) {
	raw, err := scrypt.Key([]byte(passphrase), salt, scryptN, scryptR, scryptP, keyLen)
	if err != nil {
		// scrypt.Key fails only for invalid parameters, which these
		// constants are not; its error names no input byte.
		return nil, err
	}
	var k [keyLen]byte
	copy(k[:], raw)
	clear(raw)
	return &k, nil
}

// Seal encrypts payload under passphrase with a fresh random salt and
// nonce. It returns ErrNoPassphrase for an empty passphrase. The payload
// is not modified; the caller may clear it afterwards.
func (d *Deriver) Seal(passphrase string, payload []byte) (*Box, error) {
	if passphrase == "" {
		return nil, ErrNoPassphrase
	}
	b := &Box{KDF: scryptKDF, N: scryptN, R: scryptR, P: scryptP, Salt: make([]byte, saltLen), Nonce: make([]byte, nonceLen)}
	if _, err := rand.Read(b.Salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(b.Nonce); err != nil {
		return nil, err
	}
	k, err := d.derive(passphrase, b.Salt)
	if err != nil {
		return nil, err
	}
	var nonce [nonceLen]byte
	copy(nonce[:], b.Nonce)
	b.Box = secretbox.Seal(nil, payload, &nonce, k)
	return b, nil
}

// Open decrypts b with passphrase. It checks b's parameters first (an
// error matching ErrParams, without deriving any key), then returns
// ErrNoPassphrase for an empty passphrase, and ErrWrongPassphrase when b
// does not authenticate. The returned payload is a new slice the caller
// owns (and should clear when done with it).
func (d *Deriver) Open(passphrase string, b *Box) ([]byte, error) {
	if err := b.Check(); err != nil {
		return nil, err
	}
	if passphrase == "" {
		return nil, ErrNoPassphrase
	}
	k, err := d.derive(passphrase, b.Salt)
	if err != nil {
		return nil, err
	}
	var nonce [nonceLen]byte
	copy(nonce[:], b.Nonce)
	payload, ok := secretbox.Open(nil, b.Box, &nonce, k)
	if !ok {
		return nil, ErrWrongPassphrase
	}
	return payload, nil
}
