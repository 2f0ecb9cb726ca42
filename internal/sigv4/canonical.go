package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
)

// This file builds the SigV4 canonical request and string to sign exactly as
// described in "Create a signed AWS API request"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
// and checked against the aws-c-auth and botocore SigV4 test suites.

const (
	algorithm     = "AWS4-HMAC-SHA256"
	terminator    = "aws4_request"
	amzDateFormat = "20060102T150405Z"
	scopeDateFmt  = "20060102"
	// emptySHA256 is hex(SHA256("")).
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// UnsignedPayload is the X-Amz-Content-Sha256 value of requests whose
	// body is not covered by the signature.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// noEscape marks the RFC 3986 unreserved characters, the only bytes SigV4
// leaves unencoded ("URI-encode each byte ... except A-Z a-z 0-9 - _ . ~").
var noEscape = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

const upperHex = "0123456789ABCDEF"

// uriEncode appends the SigV4 URI encoding of s to b: every byte except the
// unreserved characters (and '/', when keepSlash) becomes %XX with upper-case
// hex digits.
func uriEncode(b *strings.Builder, s string, keepSlash bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if noEscape[c] || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}

func needsEncoding(s string, keepSlash bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !noEscape[c] && !(keepSlash && c == '/') {
			return true
		}
	}
	return false
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// percentDecode decodes %XX escapes. A '%' not followed by two hex digits is
// kept literally (and will be re-encoded as %25). '+' is NOT a space: SigV4
// canonicalizes query components with RFC 3986 rules, not form encoding.
func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// requestTarget returns the request path and raw query as they were sent on
// the wire. For server requests that is r.RequestURI (so the bytes the client
// signed are used, not Go's re-escaping of the decoded path); for requests
// built in-process it is derived from r.URL the way the AWS SDKs do.
func requestTarget(r *http.Request) (path, rawQuery string) {
	if uri := r.RequestURI; uri != "" && uri != "*" {
		if i := strings.Index(uri, "://"); i > 0 && !strings.Contains(uri[:i], "/") {
			// absolute-form: scheme://authority/path?query
			rest := uri[i+3:]
			if j := strings.IndexAny(rest, "/?"); j >= 0 {
				uri = rest[j:]
			} else {
				uri = ""
			}
		}
		path, rawQuery, _ = strings.Cut(uri, "?")
		if j := strings.IndexByte(rawQuery, '#'); j >= 0 {
			rawQuery = rawQuery[:j]
		}
	} else if r.URL != nil {
		if op := r.URL.Opaque; op != "" {
			op, _, _ = strings.Cut(op, "?")
			op = strings.TrimPrefix(op, "//")
			if j := strings.IndexByte(op, '/'); j >= 0 {
				path = op[j:]
			}
		} else {
			path = r.URL.EscapedPath()
		}
		rawQuery = r.URL.RawQuery
	}
	if path == "" {
		path = "/"
	}
	return path, rawQuery
}

// normalizePath removes "." and ".." segments and empty segments (duplicate
// slashes) from an absolute path, keeping a trailing slash. This is the
// normalization AWS applies for every service except Amazon S3 (see the
// aws-c-auth "*-normalized" cases and botocore's normalize-path cases).
func normalizePath(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") && strings.HasPrefix(p, "/") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	res := "/" + strings.Join(out, "/")
	if len(out) > 0 && strings.HasSuffix(p, "/") {
		res += "/"
	}
	return res
}

// canonicalURI encodes the (optionally normalized) wire path once more: the
// "double encoding" of non-S3 services, since the wire path is already encoded.
func canonicalURI(b *strings.Builder, path string, normalize bool) {
	if normalize {
		path = normalizePath(path)
	}
	uriEncode(b, path, true)
}

type queryPair struct{ k, v string }

// canonicalQuery writes the canonical query string: every parameter decoded,
// re-encoded with RFC 3986 rules, sorted by encoded name then value, joined by
// '&'; a parameter without '=' has an empty value. Parameters named in skip are
// left out (X-Amz-Signature for presigned requests).
func canonicalQuery(b *strings.Builder, rawQuery string, skip ...string) {
	if rawQuery == "" {
		return
	}
	var buf [16]queryPair
	pairs := buf[:0]
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = percentDecode(k), percentDecode(v)
		if skipped(k, skip) {
			continue
		}
		pairs = append(pairs, queryPair{encodeComponent(k), encodeComponent(v)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
}

func skipped(k string, skip []string) bool {
	for _, s := range skip {
		if k == s {
			return true
		}
	}
	return false
}

func encodeComponent(s string) string {
	if !needsEncoding(s, false) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) * 3)
	uriEncode(&b, s, false)
	return b.String()
}

// queryParams decodes the raw query into an ordered list (first value wins in
// lookups).
func queryParam(rawQuery, name string) (string, bool) {
	for part := range strings.SplitSeq(rawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		if k == name || percentDecode(k) == name {
			return percentDecode(v), true
		}
	}
	return "", false
}

// trimAll trims leading and trailing white space and collapses each run of
// spaces to one space, as the SigV4 canonical header rules require
// ("convert sequential spaces to a single space").
func trimAll(b *strings.Builder, v string) {
	v = strings.TrimSpace(v)
	prevSpace := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if prevSpace {
				continue
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
		b.WriteByte(c)
	}
}

// canonicalKeys are textproto.CanonicalMIMEHeaderKey of the headers SDKs
// sign, without its allocation per call.
var canonicalKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"content-type", "content-length", "content-md5", "x-amz-date", "date",
		"x-amz-security-token", "x-amz-content-sha256", "x-amz-target", "x-amz-user-agent", "user-agent",
		"amz-sdk-invocation-id", "amz-sdk-request", "x-amz-api-version"} {
		m[k] = textproto.CanonicalMIMEHeaderKey(k)
	}
	return m
}()

// headerValues returns the values of the named (lower-case) header in the
// order received. http.Header keys are canonicalized by net/http servers; keys
// set directly in the map with another spelling are merged after them.
func headerValues(r *http.Request, name string) []string {
	canon, ok := canonicalKeys[name]
	if !ok {
		canon = textproto.CanonicalMIMEHeaderKey(name)
	}
	vals := r.Header[canon]
	var extra []string
	for k := range r.Header {
		if k != canon && strings.EqualFold(k, name) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		merged := append([]string(nil), vals...)
		for _, k := range extra {
			merged = append(merged, r.Header[k]...)
		}
		vals = merged
	}
	return vals
}

func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if r.URL != nil {
		return r.URL.Host
	}
	return ""
}

// canonicalHeaders writes "name:value\n" for every signed header in the order
// given, followed by nothing else. Multiple values are joined with ','.
func canonicalHeaders(b *strings.Builder, r *http.Request, signed []string) {
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		switch name {
		case "host":
			trimAll(b, requestHost(r))
		default:
			vals := headerValues(r, name)
			if len(vals) == 0 && name == "content-length" && r.ContentLength > 0 {
				// Requests built in-process carry the length outside Header.
				b.WriteString(strconv.FormatInt(r.ContentLength, 10))
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte(',')
				}
				trimAll(b, v)
			}
		}
		b.WriteByte('\n')
	}
}

// canonicalRequest assembles the canonical request.
func canonicalRequest(r *http.Request, path, rawQuery string, normalize bool, signed []string, signedHeadersStr, payloadHash string, skipQuery ...string) string {
	var b strings.Builder
	b.Grow(256 + len(rawQuery) + len(path) + 64*len(signed))
	b.WriteString(r.Method)
	b.WriteByte('\n')
	canonicalURI(&b, path, normalize)
	b.WriteByte('\n')
	canonicalQuery(&b, rawQuery, skipQuery...)
	b.WriteByte('\n')
	canonicalHeaders(&b, r, signed)
	b.WriteByte('\n')
	b.WriteString(signedHeadersStr)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// stringToSign builds the SigV4 string to sign for a canonical request.
func stringToSign(amzDate, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	var b strings.Builder
	b.Grow(len(algorithm) + len(amzDate) + len(scope) + 3 + 64)
	b.WriteString(algorithm)
	b.WriteByte('\n')
	b.WriteString(amzDate)
	b.WriteByte('\n')
	b.WriteString(scope)
	b.WriteByte('\n')
	var h [64]byte
	hex.Encode(h[:], sum[:])
	b.Write(h[:])
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKey derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

// signature returns the lower-case hex signature of stringToSign.
func signature(key []byte, sts string) []byte {
	out := signatureHex(key, sts)
	return out[:]
}

// signatureHex is signature without allocating the result.
func signatureHex(key []byte, sts string) (out [2 * sha256.Size]byte) {
	mac := hmacSum(key, sts)
	hex.Encode(out[:], mac[:])
	return out
}

// hmacSum is HMAC-SHA256 (RFC 2104) of data under key: what
// crypto/hmac computes (hmac_test.go compares them), with one hash state
// and no copies of the key on the heap.
func hmacSum(key []byte, data string) (out [sha256.Size]byte) {
	var k [sha256.BlockSize]byte
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var pad [sha256.BlockSize + sha256.Size]byte
	for i := range k {
		pad[i] = k[i] ^ 0x36
	}
	h := sha256.New()
	h.Write(pad[:sha256.BlockSize])
	io.WriteString(h, data)
	h.Sum(pad[sha256.BlockSize:sha256.BlockSize])
	for i := range k {
		pad[i] = k[i] ^ 0x5c
	}
	return sha256.Sum256(pad[:])
}
