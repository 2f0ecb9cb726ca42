package sigv4

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestKeyCacheDerivesTheSameKeys(t *testing.T) {
	c := NewKeyCache(8)
	tests := []struct{ secret, date, region, service string }{
		{rtSecret, "20240229", "us-east-1", "sts"},
		{rtSecret, "20240229", "us-east-1", "iam"},
		{rtSecret, "20240301", "us-east-1", "sts"},
		{rtSecret, "20240229", "eu-west-1", "sts"},
		{"other", "20240229", "us-east-1", "sts"},
		{"", "20240229", "us-east-1", "sts"},
	}
	for _, tt := range tests {
		want := signingKey(tt.secret, tt.date, tt.region, tt.service)
		for i := 0; i < 2; i++ { // derived, then cached
			if got := c.signingKey(tt.secret, tt.date, tt.region, tt.service); !bytes.Equal(got, want) {
				t.Errorf("%v (round %d): key differs from the derived one", tt, i)
			}
		}
	}
	if c.Len() != len(tests) {
		t.Errorf("Len = %d, want %d", c.Len(), len(tests))
	}
	var nilCache *KeyCache
	if got := nilCache.signingKey(rtSecret, "20240229", "us-east-1", "sts"); !bytes.Equal(got, signingKey(rtSecret, "20240229", "us-east-1", "sts")) {
		t.Error("nil cache: wrong key")
	}
}

func TestKeyCacheIDIsUnambiguous(t *testing.T) {
	tests := []struct{ a, b [4]string }{
		{[4]string{"ab", "c", "r", "s"}, [4]string{"a", "bc", "r", "s"}},
		{[4]string{"s", "d", "r", "x"}, [4]string{"s", "d", "rx", ""}},
		{[4]string{"", "", "", "a"}, [4]string{"a", "", "", ""}},
	}
	for _, tt := range tests {
		if cacheID(tt.a[0], tt.a[1], tt.a[2], tt.a[3]) == cacheID(tt.b[0], tt.b[1], tt.b[2], tt.b[3]) {
			t.Errorf("%q and %q share a cache id", tt.a, tt.b)
		}
	}
}

func TestKeyCacheIsBounded(t *testing.T) {
	tests := []struct{ max, inserts, want int }{
		{1, 5, 1},
		{4, 3, 3},
		{4, 100, 4},
		{0, DefaultKeyCacheSize + 10, DefaultKeyCacheSize},
	}
	for _, tt := range tests {
		c := NewKeyCache(tt.max)
		for i := 0; i < tt.inserts; i++ {
			secret := fmt.Sprintf("secret-%d", i)
			if got := c.signingKey(secret, "20240229", "us-east-1", "sts"); !bytes.Equal(got, signingKey(secret, "20240229", "us-east-1", "sts")) {
				t.Fatalf("max %d: key %d differs", tt.max, i)
			}
		}
		if c.Len() != tt.want {
			t.Errorf("max %d after %d keys: Len = %d, want %d", tt.max, tt.inserts, c.Len(), tt.want)
		}
	}
}

// A cached key never lets a wrong signature, or a signature made with
// another secret, verify.
func TestVerifyWithKeyCache(t *testing.T) {
	secret := rtSecret
	v := rtVerifier(t0)
	v.Keys = NewKeyCache(4)
	v.Secret = func(id string) (string, error) {
		if id == rtAKID {
			return secret, nil
		}
		return "", ErrUnknownAccessKey
	}
	tamper := func(r *http.Request) *http.Request {
		a := r.Header.Get("Authorization")
		last := a[len(a)-1]
		r.Header.Set("Authorization", a[:len(a)-1]+string(flipHex(last)))
		return r
	}
	tests := []struct {
		name     string
		secret   string // the secret the server has for rtAKID
		req      func() *http.Request
		body     []byte
		wantCode string // "" for success
	}{
		{"valid, key derived", rtSecret, func() *http.Request { return sdkSigned(t, t0, "", nil) }, stsBody, ""},
		{"valid, key cached", rtSecret, func() *http.Request { return sdkSigned(t, t0, "", nil) }, stsBody, ""},
		{"tampered signature, key cached", rtSecret, func() *http.Request { return tamper(sdkSigned(t, t0, "", nil)) }, stsBody, CodeSignatureDoesNotMatch},
		{"other body, key cached", rtSecret, func() *http.Request { return sdkSigned(t, t0, "", nil) }, []byte("Action=GetCallerIdentity&Version=2011-06-15"), CodeSignatureDoesNotMatch},
		{"secret rotated on the server", "rotated", func() *http.Request { return sdkSigned(t, t0, "", nil) }, stsBody, CodeSignatureDoesNotMatch},
		{"next day, cached key of the day before", rtSecret, func() *http.Request { return sdkSigned(t, t0.Add(time.Minute), "", nil) }, stsBody, ""},
		{"presigned, cached", rtSecret, func() *http.Request { return sdkPresigned(t, t0, "900") }, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret = tt.secret
			v.Now = func() time.Time { return t0.Add(time.Minute) }
			_, err := v.Verify(tt.req(), tt.body)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			if e := asError(t, err); e.Code != tt.wantCode {
				t.Fatalf("code %s, want %s", e.Code, tt.wantCode)
			}
		})
	}
	if n := v.Keys.Len(); n < 1 || n > 4 {
		t.Errorf("cache holds %d keys", n)
	}
}

func BenchmarkVerifyKeyCache(b *testing.B) {
	req := sdkSigned(b, t0, "", func(r *http.Request) {
		r.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/sts#1.52.0")
	})
	server := wireRoundTrip(b, req, stsBody)
	v := rtVerifier(t0)
	v.Keys = NewKeyCache(0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(server, stsBody); err != nil {
			b.Fatal(err)
		}
	}
}
