package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	rtAKID   = "AKIAIOSFODNN7EXAMPLE"
	rtSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	rtToken  = "IQoJb3JpZ2luX2VjEMv//////////wEaCXVzLWVhc3QtMSJGMEQCIG+token/with+plus=="
)

func rtVerifier(now time.Time) *Verifier {
	return &Verifier{
		Now: func() time.Time { return now },
		Secret: func(id string) (string, error) {
			if id == rtAKID {
				return rtSecret, nil
			}
			return "", ErrUnknownAccessKey
		},
	}
}

const pathChars = "abcXYZ019-._~ !$&'()*+,;=:@%\"<>[]^`{|}é☃"

func randString(rng *rand.Rand, alphabet []rune, min, max int) string {
	n := min + rng.IntN(max-min+1)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

// randPath returns a path without dot segments or empty segments (the SDK
// does not normalize, and neither do clients talking to AWS).
func randPath(rng *rand.Rand) string {
	alphabet := []rune(pathChars)
	n := rng.IntN(4)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte('/')
		for {
			seg := randString(rng, alphabet, 1, 8)
			if seg != "." && seg != ".." {
				b.WriteString(seg)
				break
			}
		}
	}
	if n == 0 || rng.IntN(3) == 0 {
		b.WriteByte('/')
	}
	return b.String()
}

func randQuery(rng *rand.Rand) url.Values {
	alphabet := []rune("aZ09-_.~ +&=/?%é")
	q := url.Values{}
	for i, n := 0, rng.IntN(4); i < n; i++ {
		k := randString(rng, alphabet, 1, 6)
		for j, m := 0, 1+rng.IntN(2); j < m; j++ {
			q.Add(k, randString(rng, alphabet, 0, 6))
		}
	}
	return q
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// wireRoundTrip serializes a client request (with its body) and parses it
// as a net/http server would.
func wireRoundTrip(t testing.TB, req *http.Request, body []byte) *http.Request {
	t.Helper()
	clone := req.Clone(context.Background())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.ContentLength = int64(len(body))
	var buf bytes.Buffer
	if err := clone.Write(&buf); err != nil {
		t.Fatalf("writing request: %v", err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("reading request: %v", err)
	}
	got, err := io.ReadAll(sr.Body)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("body did not survive the round trip: %v", err)
	}
	return sr
}

func TestRoundTripSDKSigner(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	signer := v4.NewSigner()
	signTime := time.Date(2024, 2, 29, 23, 59, 30, 0, time.UTC)
	for i := 0; i < 400; i++ {
		withToken := i%2 == 1
		method := "GET"
		var body []byte
		if i%3 != 0 {
			method = "POST"
			body = []byte("Action=GetCallerIdentity&Version=2011-06-15&x=" + url.QueryEscape(randString(rng, []rune(pathChars), 0, 40)))
		}
		u := &url.URL{Scheme: "http", Host: "127.0.0.1:8123", Path: randPath(rng), RawQuery: randQuery(rng).Encode()}
		req, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil {
			t.Fatalf("NewRequest: %v", err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		}
		if rng.IntN(2) == 0 {
			req.Header.Set("X-Custom-Spaces", "  a   b  c ")
			req.Header.Add("X-Custom-Spaces", "second")
		}
		creds := aws.Credentials{AccessKeyID: rtAKID, SecretAccessKey: rtSecret}
		if withToken {
			creds.SessionToken = rtToken
		}
		presign := i%4 == 3
		v := rtVerifier(signTime.Add(time.Duration(rng.IntN(600)) * time.Second))
		var check *http.Request
		if presign {
			q := req.URL.Query()
			q.Set("X-Amz-Expires", "900")
			req.URL.RawQuery = q.Encode()
			signed, hdr, err := signer.PresignHTTP(context.Background(), creds, req, sha256Hex(body), "sts", "us-east-1", signTime)
			if err != nil {
				t.Fatalf("PresignHTTP: %v", err)
			}
			check, err = http.NewRequest(method, signed, bytes.NewReader(body))
			if err != nil {
				t.Fatalf("NewRequest(presigned): %v", err)
			}
			check.Header = req.Header.Clone()
			for k, vs := range hdr {
				if k != "Host" {
					check.Header[k] = vs
				}
			}
		} else {
			if err := signer.SignHTTP(context.Background(), creds, req, sha256Hex(body), "sts", "us-east-1", signTime); err != nil {
				t.Fatalf("SignHTTP: %v", err)
			}
			check = req
		}
		for _, variant := range []string{"in-process", "wire"} {
			r := check
			if variant == "wire" {
				r = wireRoundTrip(t, check, body)
			}
			res, err := v.Verify(r, body)
			if err != nil {
				t.Fatalf("case %d (%s %s, presign=%v, token=%v, %s): %v", i, method, check.URL.String(), presign, withToken, variant, err)
			}
			if res.Presigned != presign || res.AccessKeyID != rtAKID || res.Service != "sts" || res.Region != "us-east-1" || !res.SignedAt.Equal(signTime) {
				t.Fatalf("case %d: result %+v", i, res)
			}
			if (res.SessionToken == rtToken) != withToken || (!withToken && res.SessionToken != "") {
				t.Fatalf("case %d: session token not returned correctly (len %d)", i, len(res.SessionToken))
			}
			// A different body must not verify.
			if _, err := v.Verify(r, append(append([]byte(nil), body...), 'x')); err == nil {
				t.Fatalf("case %d (%s): modified body verified", i, variant)
			}
		}
	}
}
