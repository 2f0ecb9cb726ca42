package sigv4

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// KeyCache remembers derived signing keys, so that a verifier does not run
// the four-step HMAC chain of the key derivation
// (HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"))
// for every request. A signing key is valid for one secret, day, region
// and service; a server sees few of them at a time.
//
// Entries are keyed by the SHA-256 of the secret and the scope (each
// length-prefixed), and hold only the derived key: the secret itself is
// never stored. The cache holds at most the number of entries given to
// NewKeyCache; when full, an arbitrary entry makes room for the new one.
// A cached key is the key Verify would derive, so the cache never changes
// which signatures verify. Safe for concurrent use.
type KeyCache struct {
	mu  sync.Mutex
	max int
	m   map[[sha256.Size]byte][sha256.Size]byte
}

// DefaultKeyCacheSize bounds a KeyCache made with a size below 1.
const DefaultKeyCacheSize = 1024

// NewKeyCache returns a cache of at most max signing keys
// (DefaultKeyCacheSize if max < 1).
func NewKeyCache(max int) *KeyCache {
	if max < 1 {
		max = DefaultKeyCacheSize
	}
	return &KeyCache{max: max, m: make(map[[sha256.Size]byte][sha256.Size]byte)}
}

// Len returns the number of cached keys.
func (c *KeyCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// cacheID is SHA-256(len|secret|len|date|len|region|len|service): the
// length prefixes make the encoding unambiguous.
func cacheID(secret, date, region, service string) [sha256.Size]byte {
	var buf [256]byte
	b := buf[:0]
	for _, s := range [...]string{secret, date, region, service} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	id := sha256.Sum256(b)
	clear(buf[:]) // the secret, when it fit in buf
	return id
}

// signingKey returns the signing key of (secret, date, region, service),
// from the cache or derived (and then cached). A nil cache derives.
func (c *KeyCache) signingKey(secret, date, region, service string) []byte {
	if c == nil {
		return signingKey(secret, date, region, service)
	}
	id := cacheID(secret, date, region, service)
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k[:]
	}
	derived := signingKey(secret, date, region, service)
	copy(k[:], derived)
	c.mu.Lock()
	if _, present := c.m[id]; !present && len(c.m) >= c.max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[id] = k
	c.mu.Unlock()
	return derived
}
