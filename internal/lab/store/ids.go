package store

import (
	"crypto/rand"
	"encoding/base64"
)

// Unique id prefixes IAM uses
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes).
const (
	PrefixUser          = "AIDA"
	PrefixGroup         = "AGPA"
	PrefixRole          = "AROA"
	PrefixPolicy        = "ANPA"
	PrefixAccessKey     = "AKIA"
	PrefixTempAccessKey = "ASIA"
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// randomID returns prefix followed by n random characters of IAM's id
// alphabet (upper-case letters and digits 2-7).
func randomID(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return prefix + string(b)
}

// newEntityID returns a 21-character unique id (AIDA..., AROA...).
func newEntityID(prefix string) string { return randomID(prefix, 17) }

// NewAccessKeyID returns a 20-character access key id with the given
// prefix (AKIA for long-term keys, ASIA for temporary ones).
func NewAccessKeyID(prefix string) string { return randomID(prefix, 16) }

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// NewSecretAccessKey returns a 40-character secret access key.
func NewSecretAccessKey() string {
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	for i := range b {
		b[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(b)
}

// NewSessionToken returns a random session token (base64 of 192 random
// bytes, the size class of real STS tokens).
func NewSessionToken() string {
	b := make([]byte, 192)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}
