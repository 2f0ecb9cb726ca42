package sigv4

import (
	"bufio"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fuzzVerifier never fails its key lookup except for unknown keys, so every
// failure must be an *Error.
func fuzzVerifier() *Verifier {
	return &Verifier{
		Now: func() time.Time { return t0 },
		Secret: func(id string) (string, error) {
			if id == rtAKID || id == suiteAKID {
				return rtSecret, nil
			}
			return "", ErrUnknownAccessKey
		},
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000", "20240229T235930Z")
	f.Add("AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;, Signature=", "Thu, 29 Feb 2024 23:59:30 GMT")
	f.Add("AWS AKID:sig=", "")
	f.Add(",,, ==== Credential==/=/=/=/= SignedHeaders=host;HOST Signature", "20240229T235930")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f", "99999999T999999Z")
	f.Fuzz(func(t *testing.T, authz, date string) {
		req := &http.Request{
			Method:     "POST",
			RequestURI: "/",
			URL:        &url.URL{Path: "/"},
			Host:       "127.0.0.1",
			Header:     http.Header{"Authorization": {authz}, "X-Amz-Date": {date}},
		}
		res, err := fuzzVerifier().Verify(req, stsBody)
		if err == nil {
			if res == nil {
				t.Fatal("nil result without error")
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Code == "" || e.Status == 0 {
			t.Fatalf("unexpected error %#v", err)
		}
	})
}

// FuzzVerify feeds arbitrary requests (method, request target, header block
// and body) to Verify, both as raw server requests and after net/http's
// parser accepted them.
func FuzzVerify(f *testing.F) {
	f.Add("GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
		"Host: example.amazonaws.com", "")
	f.Add("POST", "/", "Host: 127.0.0.1\nX-Amz-Date: 20240229T235930Z\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00\nContent-Type: application/x-www-form-urlencoded", string(stsBody))
	f.Add("GET", "//a/../b/%zz?X-Amz-Expires=-1&X-Amz-Algorithm", "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD", "x")
	f.Add("PUT", "http://h?X-Amz-Signature=&&=&", "Authorization:\nDate: Mon, 02 Jan 2006 15:04:05 GMT", "")
	f.Fuzz(func(t *testing.T, method, target, headers, body string) {
		h := http.Header{}
		for line := range strings.SplitSeq(headers, "\n") {
			k, v, _ := strings.Cut(line, ":")
			h[k] = append(h[k], v)
		}
		req := &http.Request{Method: method, RequestURI: target, Header: h, Host: h.Get("Host")}
		if u, err := url.ParseRequestURI(target); err == nil {
			req.URL = u
		}
		check := func(r *http.Request) {
			res, err := fuzzVerifier().Verify(r, []byte(body))
			if err == nil {
				if res == nil || res.AccessKeyID == "" {
					t.Fatalf("bad result %+v", res)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("unexpected error %#v", err)
			}
		}
		check(req)
		// Without RequestURI (a request built in-process).
		req2 := *req
		req2.RequestURI = ""
		check(&req2)
		// Through the real parser, when it accepts the input.
		wire := method + " " + target + " HTTP/1.1\r\n" + strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n\r\n"
		if sr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire))); err == nil {
			check(sr)
		}
	})
}

func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/", "", "//a//", "/a/./b/../c/", "/..", "a/b", "/%2e/."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n := normalizePath(p)
		if !strings.HasPrefix(n, "/") || strings.Contains(n, "//") {
			t.Fatalf("normalizePath(%q) = %q", p, n)
		}
		for _, seg := range strings.Split(n, "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("normalizePath(%q) = %q keeps a dot segment", p, n)
			}
		}
		if normalizePath(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", p, n, normalizePath(n))
		}
	})
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "a=%zz&%E1%88%B4=x", "&&=&=a&b", "a+b=c d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		var a, b strings.Builder
		canonicalQuery(&a, q)
		canonicalQuery(&b, a.String())
		if a.String() != b.String() {
			t.Fatalf("not idempotent: %q -> %q -> %q", q, a.String(), b.String())
		}
		for i := 0; i < len(a.String()); i++ {
			c := a.String()[i]
			if !noEscape[c] && c != '%' && c != '&' && c != '=' {
				t.Fatalf("unencoded byte %q in %q", c, a.String())
			}
		}
	})
}
