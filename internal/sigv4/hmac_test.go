package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func refHMAC(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// hmacSum computes crypto/hmac's HMAC-SHA256 for keys shorter than,
// equal to and longer than the block size, and the RFC 4231 vectors.
func TestHMACSumMatchesCryptoHMAC(t *testing.T) {
	tests := []struct {
		key  []byte
		data string
		want string // hex, "" to compare with crypto/hmac only
	}{
		// RFC 4231 test cases 1, 2 and 6.
		{[]byte(strings.Repeat("\x0b", 20)), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{[]byte("Jefe"), "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		{[]byte(strings.Repeat("\xaa", 131)), "Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
		{nil, "", ""},
		{[]byte(strings.Repeat("k", 63)), "data", ""},
		{[]byte(strings.Repeat("k", 64)), "data", ""},
		{[]byte(strings.Repeat("k", 65)), strings.Repeat("long data ", 100), ""},
		{[]byte("AWS4" + rtSecret), "20240229", ""},
	}
	for _, tt := range tests {
		got := hmacSum(tt.key, tt.data)
		if ref := refHMAC(tt.key, tt.data); hex.EncodeToString(got[:]) != hex.EncodeToString(ref) {
			t.Errorf("key %d bytes, data %q: %x, crypto/hmac %x", len(tt.key), tt.data, got, ref)
		}
		if tt.want != "" && hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("key %d bytes, data %q: %x, want %s", len(tt.key), tt.data, got, tt.want)
		}
		sig := signatureHex(tt.key, tt.data)
		if string(sig[:]) != hex.EncodeToString(refHMAC(tt.key, tt.data)) {
			t.Errorf("signatureHex differs for key %d bytes", len(tt.key))
		}
	}
}

func FuzzHMACSum(f *testing.F) {
	f.Add([]byte("key"), "data")
	f.Add([]byte(strings.Repeat("x", 100)), "")
	f.Fuzz(func(t *testing.T, key []byte, data string) {
		got := hmacSum(key, data)
		if !hmac.Equal(got[:], refHMAC(key, data)) {
			t.Fatalf("hmacSum(%x, %q) differs from crypto/hmac", key, data)
		}
	})
}
