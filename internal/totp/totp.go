// Package totp implements the one-time-password algorithms used by AWS virtual
// MFA devices: HOTP (RFC 4226) and TOTP (RFC 6238), base32 seeds in the style
// of IAM's Base32StringSeed, and otpauth:// provisioning URIs in the Google
// Authenticator Key Uri Format
// (https://github.com/google/google-authenticator/wiki/Key-Uri-Format).
//
// AWS virtual MFA devices use the defaults: HMAC-SHA1, 6 digits, 30 second
// steps, T0 = 0 (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html).
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"
)

// Algorithm is the HMAC hash function of an HOTP/TOTP generator.
type Algorithm int

// Supported algorithms (RFC 6238 section 1.2).
const (
	SHA1 Algorithm = iota
	SHA256
	SHA512
)

// String returns the algorithm name as used in otpauth:// URIs ("SHA1", ...).
func (a Algorithm) String() string {
	switch a {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case SHA512:
		return "SHA512"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

func (a Algorithm) hash() func() hash.Hash {
	switch a {
	case SHA1:
		return sha1.New
	case SHA256:
		return sha256.New
	case SHA512:
		return sha512.New
	}
	return nil
}

const (
	// SecretSize is the size in bytes of secrets made by GenerateSecret
	// (160 bits, the length RFC 4226 section 4 recommends and AWS uses).
	SecretSize = 20
	// Period is the TOTP time step X in seconds.
	Period = 30
	// Digits is the number of digits of an AWS MFA code.
	Digits = 6
	// MaxDigits is the largest digit count CodeAt supports: the dynamic
	// truncation yields a 31-bit number, which has at most 10 digits.
	MaxDigits = 10
)

// ErrEmptySecret is returned by DecodeSecret for an empty (or all-blank) seed.
var ErrEmptySecret = errors.New("totp: empty secret")

// GenerateSecret returns SecretSize random bytes from crypto/rand.
func GenerateSecret() ([]byte, error) {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("totp: generating secret: %w", err)
	}
	return b, nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// EncodeSecret returns secret as upper-case base32 (RFC 4648 alphabet) without
// padding, the form of IAM's Base32StringSeed and of otpauth:// secrets.
func EncodeSecret(secret []byte) string {
	return b32.EncodeToString(secret)
}

// DecodeSecret decodes a base32 seed. It is tolerant of lower case, spaces,
// tabs, hyphens (as authenticator apps display seeds in groups) and '='
// padding. An empty seed or one with characters outside the base32 alphabet
// is an error.
func DecodeSecret(s string) ([]byte, error) {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			sb.WriteByte(c - 'a' + 'A')
		default:
			sb.WriteByte(c)
		}
	}
	clean := strings.TrimRight(sb.String(), "=")
	if clean == "" {
		return nil, ErrEmptySecret
	}
	// Unpadded base32 groups of 8 characters can end after 2, 4, 5 or 7
	// characters; other remainders cannot come from any byte string (the
	// decoder in encoding/base32 silently accepts them).
	switch len(clean) % 8 {
	case 1, 3, 6:
		return nil, fmt.Errorf("totp: invalid base32 secret: impossible length %d", len(clean))
	}
	out, err := b32.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("totp: invalid base32 secret: %w", err)
	}
	return out, nil
}

// Counter returns the TOTP counter for t: floor(unixSeconds / 30). Times
// before the Unix epoch map to 0.
func Counter(t time.Time) uint64 {
	u := t.Unix()
	if u < 0 {
		return 0
	}
	return uint64(u) / Period
}

// Code returns the 6-digit HMAC-SHA1 TOTP code for time t (30 s step, T0 = 0).
func Code(secret []byte, t time.Time) string {
	return CodeAt(secret, Counter(t), Digits, SHA1)
}

// CodeAt returns the HOTP value (RFC 4226 section 5.3) for counter with the
// given number of digits (1..MaxDigits) and HMAC algorithm, zero-padded on the
// left. It returns "" if digits or alg is unsupported.
func CodeAt(secret []byte, counter uint64, digits int, alg Algorithm) string {
	h := alg.hash()
	if h == nil || digits < 1 || digits > MaxDigits {
		return ""
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(h, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	v := uint64(bin)
	var buf [MaxDigits]byte
	for i := digits - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[:digits])
}

// Verify checks a 6-digit code against the TOTP counters from Counter(t)-skewSteps
// to Counter(t)+skewSteps (a negative skewSteps counts as 0). Input that is not
// exactly six ASCII digits is rejected. Every candidate is compared in constant
// time and all candidates are always computed, so timing does not reveal which
// one matched. On success it returns the matching counter (callers use it to
// reject reuse of a code); if several counters match, the one closest to
// Counter(t) wins, preferring the earlier one on a tie.
func Verify(secret []byte, code string, t time.Time, skewSteps int) (counter uint64, ok bool) {
	if len(code) != Digits {
		return 0, false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0, false
		}
	}
	if skewSteps < 0 {
		skewSteps = 0
	}
	now := Counter(t)
	want := []byte(code)
	found := false
	// Candidates in order of preference: now, now-1, now+1, now-2, ...
	for d := 0; d <= skewSteps; d++ {
		for _, sign := range [2]int{-1, 1} {
			if d == 0 && sign == 1 {
				continue
			}
			var c uint64
			if sign < 0 {
				if uint64(d) > now {
					continue
				}
				c = now - uint64(d)
			} else {
				if now > ^uint64(0)-uint64(d) {
					continue
				}
				c = now + uint64(d)
			}
			got := CodeAt(secret, c, Digits, SHA1)
			if subtle.ConstantTimeCompare([]byte(got), want) == 1 && !found {
				found = true
				counter = c
			}
		}
	}
	return counter, found
}

// URI returns an otpauth://totp/ provisioning URI in the Google Authenticator
// Key Uri Format: otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&
// algorithm=SHA1&digits=6&period=30. Issuer and account are percent-encoded
// per RFC 3986 (a space becomes %20, a colon %3A). With an empty issuer the
// label is just the account and no issuer parameter is written.
func URI(issuer, account string, secret []byte) string {
	var sb strings.Builder
	sb.WriteString("otpauth://totp/")
	if issuer != "" {
		sb.WriteString(escape(issuer))
		sb.WriteByte(':')
	}
	sb.WriteString(escape(account))
	sb.WriteString("?secret=")
	sb.WriteString(EncodeSecret(secret))
	if issuer != "" {
		sb.WriteString("&issuer=")
		sb.WriteString(escape(issuer))
	}
	sb.WriteString("&algorithm=SHA1&digits=6&period=30")
	return sb.String()
}

// escape percent-encodes every byte outside RFC 3986's unreserved set.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&15])
	}
	return sb.String()
}
