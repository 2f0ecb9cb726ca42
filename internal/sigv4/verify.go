// Package sigv4 verifies AWS Signature Version 4 requests on the server side:
// header authentication (Authorization: AWS4-HMAC-SHA256 ...) and query
// ("presigned") authentication (X-Amz-Algorithm, X-Amz-Credential, ...).
//
// The canonical request follows "Create a signed AWS API request"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)
// and "Elements of an AWS API request signature"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html); it is
// tested against the aws-c-auth and botocore SigV4 suites and against requests
// signed by the AWS SDK for Go v2. Error codes and messages are those of the
// query-protocol services (STS, IAM): see Error.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSkew is the clock skew AWS tolerates for header-signed requests.
const DefaultMaxSkew = 15 * time.Minute

// MaxPresignExpires is the largest X-Amz-Expires value (seven days).
const MaxPresignExpires = 604800

// ErrUnknownAccessKey is returned by Verifier.Secret for an access key id
// that does not exist; Verify turns it into InvalidClientTokenId.
var ErrUnknownAccessKey = errors.New("sigv4: unknown access key id")

// Error codes returned in Error.Code.
const (
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
)

// Messages used by STS/IAM.
const (
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgInvalidToken = "The security token included in the request is invalid."
	msgMissingAuth  = "Request is missing Authentication Token"
)

// Error is an authentication failure in the form AWS reports it: Code is the
// AWS error code, Message the AWS message and Status the HTTP status code.
// Messages never contain the secret key or the session token.
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func incomplete(format string, args ...any) *Error {
	return &Error{Code: CodeIncompleteSignature, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func mismatch(msg string) *Error {
	return &Error{Code: CodeSignatureDoesNotMatch, Message: msg, Status: http.StatusForbidden}
}

// Verifier checks SigV4 signatures. The zero value plus Secret is usable.
type Verifier struct {
	// Now returns the server time; default time.Now.
	Now func() time.Time
	// MaxSkew is the tolerated difference between the signing time and Now
	// for header-signed requests (and the "not yet current" limit of
	// presigned ones); default DefaultMaxSkew (15 min).
	MaxSkew time.Duration
	// Secret returns the secret access key of an access key id, or an error
	// wrapping ErrUnknownAccessKey if the key does not exist. Other errors are
	// returned from Verify unchanged (wrapped), as internal failures.
	Secret func(accessKeyID string) (secret string, err error)

	// Extensions beyond the fixed API:

	// Services, if non-empty, lists the service names accepted in the
	// credential scope (e.g. "sts", "iam"); others are rejected with
	// SignatureDoesNotMatch "Credential should be scoped to correct service".
	Services []string
	// DisablePathNormalization turns off removal of dot segments and
	// duplicate slashes from the path (Amazon S3's rule). AWS normalizes for
	// every other service, which is the default here.
	DisablePathNormalization bool
	// AllowUnsignedPayload accepts X-Amz-Content-Sha256: UNSIGNED-PAYLOAD.
	// Off by default: for query-protocol services the action is in the body,
	// so the body must be covered by the signature.
	AllowUnsignedPayload bool
	// Keys, if set, caches derived signing keys across requests (see
	// KeyCache); nil derives the key for every request.
	Keys *KeyCache
}

// Result describes a request whose signature verified.
type Result struct {
	AccessKeyID string
	Region      string
	Service     string
	// SessionToken is X-Amz-Security-Token (header or query) or "". It is not
	// checked here: the caller must check it belongs to AccessKeyID.
	SessionToken string
	SignedAt     time.Time
	// SignedHeaders lists the signed header names (lower case).
	SignedHeaders []string
	Presigned     bool
}

// authParams is what either form of authentication carries.
type authParams struct {
	credential    string
	signedHeaders string
	signature     string
	amzDate       string // the timestamp string as sent
	dateSource    string // header or query parameter the date came from
	expires       string // presigned only
	presigned     bool
}

// Verify authenticates r, whose body the caller has already read into body.
// It returns a *Error for every authentication failure and another error only
// when Secret fails for a reason other than ErrUnknownAccessKey.
func (v *Verifier) Verify(r *http.Request, body []byte) (*Result, error) {
	if r == nil {
		return nil, &Error{Code: CodeMissingAuthenticationToken, Message: msgMissingAuth, Status: http.StatusForbidden}
	}
	path, rawQuery := requestTarget(r)
	authz := r.Header.Get("Authorization")
	_, hasQueryAlg := queryParam(rawQuery, "X-Amz-Algorithm")
	_, hasQueryCred := queryParam(rawQuery, "X-Amz-Credential")
	_, hasQuerySig := queryParam(rawQuery, "X-Amz-Signature")
	queryAuth := hasQueryAlg || hasQueryCred || hasQuerySig

	var p authParams
	switch {
	case authz != "" && queryAuth:
		return nil, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	case authz != "":
		var err *Error
		if p, err = parseAuthorization(r, authz); err != nil {
			return nil, err
		}
	case queryAuth:
		var err *Error
		if p, err = parseQueryAuth(rawQuery); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{Code: CodeMissingAuthenticationToken, Message: msgMissingAuth, Status: http.StatusForbidden}
	}

	signedAt, amzDate, err := parseAmzDate(p.amzDate)
	if err != nil {
		return nil, err
	}

	// Credential scope: AKID/YYYYMMDD/REGION/SERVICE/aws4_request.
	var parts [5]string
	if !splitCredential(p.credential, &parts) {
		return nil, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", p.credential)
	}
	akid, scopeDate, region, service, term := parts[0], parts[1], parts[2], parts[3], parts[4]
	if akid == "" {
		return nil, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", p.credential)
	}
	if term != terminator {
		return nil, mismatch(fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", term))
	}
	if want := scopeDateOf(signedAt, amzDate); scopeDate != want {
		return nil, mismatch(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", scopeDate, want, p.amzDate))
	}
	if region == "" {
		return nil, mismatch("Credential should be scoped to a valid region, not ''. ")
	}
	if len(v.Services) > 0 && !contains(v.Services, service) {
		return nil, mismatch(fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", v.Services[0]))
	}

	signed, serr := parseSignedHeaders(p.signedHeaders)
	if serr != nil {
		return nil, serr
	}
	if !contains(signed, "host") {
		return nil, incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	// The canonical-request rules require host, and the x-amz-date (or
	// date) header carrying the signing time, among the signed headers
	// (https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html;
	// curl's SigV4 signer follows the same rule). Without it the signing time
	// could be replaced to escape the skew check.
	if !p.presigned && !contains(signed, p.dateSource) {
		return nil, incomplete("'%s' must be a 'SignedHeader' in the AWS Authorization.", headerDisplayName(p.dateSource))
	}

	if err := v.checkTime(p, signedAt); err != nil {
		return nil, err
	}

	if v.Secret == nil {
		return nil, errors.New("sigv4: Verifier.Secret is nil")
	}
	secret, serr2 := v.Secret(akid)
	if serr2 != nil {
		if errors.Is(serr2, ErrUnknownAccessKey) {
			return nil, &Error{Code: CodeInvalidClientTokenID, Message: msgInvalidToken, Status: http.StatusForbidden}
		}
		return nil, fmt.Errorf("sigv4: looking up access key: %w", serr2)
	}

	payloadHash, perr := v.payloadHash(r, rawQuery, p.presigned, body)
	if perr != nil {
		return nil, perr
	}

	scope := scopeDate + "/" + region + "/" + service + "/" + terminator
	key := v.Keys.signingKey(secret, scopeDate, region, service)
	normalize := !v.DisablePathNormalization
	given := []byte(p.signature)

	var token string
	if p.presigned {
		token, _ = queryParam(rawQuery, "X-Amz-Security-Token")
		if token == "" {
			token = r.Header.Get("X-Amz-Security-Token")
		}
	} else {
		token = r.Header.Get("X-Amz-Security-Token")
		if token == "" {
			token, _ = queryParam(rawQuery, "X-Amz-Security-Token")
		}
	}

	var skip []string
	if p.presigned {
		skip = []string{"X-Amz-Signature"}
	}
	creq := canonicalRequest(r, path, rawQuery, normalize, signed, p.signedHeaders, payloadHash, skip...)
	sig := signatureHex(key, stringToSign(amzDate, scope, creq))
	ok := hmac.Equal(sig[:], given)
	if !ok && p.presigned {
		if _, inQuery := queryParam(rawQuery, "X-Amz-Security-Token"); inQuery {
			// Some services have the token added after signing ("For other
			// services, you add the X-Amz-Security-Token parameter at the end,
			// after you calculate the signature." — botocore suite
			// post-sts-token/readme.txt; aws-c-auth post-sts-header-after).
			creq = canonicalRequest(r, path, rawQuery, normalize, signed, p.signedHeaders, payloadHash, "X-Amz-Signature", "X-Amz-Security-Token")
			sig = signatureHex(key, stringToSign(amzDate, scope, creq))
			ok = hmac.Equal(sig[:], given)
		}
	}
	if !ok {
		return nil, mismatch(msgSignatureMismatch)
	}
	return &Result{
		AccessKeyID:   akid,
		Region:        region,
		Service:       service,
		SessionToken:  token,
		SignedAt:      signedAt,
		SignedHeaders: signed,
		Presigned:     p.presigned,
	}, nil
}

// splitCredential splits AKID/DATE/REGION/SERVICE/TERM: exactly five
// slash-separated elements (strings.Split's count).
func splitCredential(s string, parts *[5]string) bool {
	if strings.Count(s, "/") != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		j := strings.IndexByte(s, '/')
		parts[i], s = s[:j], s[j+1:]
	}
	parts[4] = s
	return true
}

// scopeDateOf is signedAt.Format(scopeDateFmt): the first eight
// characters of the ISO 8601 basic timestamp parseAmzDate returned.
func scopeDateOf(signedAt time.Time, amzDate string) string {
	if len(amzDate) == len(amzDateFormat) && amzDate[8] == 'T' {
		return amzDate[:8]
	}
	return signedAt.Format(scopeDateFmt)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func headerDisplayName(lower string) string {
	switch lower {
	case "x-amz-date":
		return "X-Amz-Date"
	case "date":
		return "Date"
	}
	return lower
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
// and finds the request date (X-Amz-Date header, else Date header).
func parseAuthorization(r *http.Request, authz string) (authParams, *Error) {
	var p authParams
	// The elements after the algorithm are separated by commas and/or white
	// space; AWS reports a stray token such as the "/20150620/..." of
	// "Credential=AKID /20150620/..." as "'/20150620/...' not a valid
	// key=value pair (missing equal-sign) in Authorization header: '...'."
	// (https://github.com/aws/aws-sdk-go/issues/289).
	var alg string
	rest := authz
	first := true
	var seen [3]bool // Credential, SignedHeaders, Signature
	for {
		comp, more := nextAuthField(&rest)
		if !more {
			break
		}
		if first {
			alg, first = comp, false
			continue
		}
		k, val, ok := strings.Cut(comp, "=")
		if !ok {
			return p, incomplete("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", comp, authz)
		}
		switch k {
		case "Credential":
			if !seen[0] {
				seen[0], p.credential = true, val
			}
		case "SignedHeaders":
			if !seen[1] {
				seen[1], p.signedHeaders = true, val
			}
		case "Signature":
			if !seen[2] {
				seen[2], p.signature = true, val
			}
		}
	}
	if xd := r.Header.Get("X-Amz-Date"); xd != "" {
		p.amzDate, p.dateSource = xd, "x-amz-date"
	} else if d := r.Header.Get("Date"); d != "" {
		p.amzDate, p.dateSource = d, "date"
	}
	// AWS lists every missing element, then echoes the header:
	// "Authorization header requires 'Credential' parameter. Authorization
	// header requires 'Signature' parameter. ... Authorization=..."
	var msg strings.Builder
	if !seen[0] {
		msg.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if !seen[2] {
		msg.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !seen[1] {
		msg.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if p.amzDate == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=")
		msg.WriteString(authz)
		return p, incomplete("%s", msg.String())
	}
	if alg != algorithm {
		return p, incomplete("Unsupported AWS 'algorithm': '%s'", alg)
	}
	return p, nil
}

// nextAuthField returns the next field of *rest separated by commas,
// spaces and tabs (strings.FieldsFunc's fields, one at a time), and false
// when there is none.
func nextAuthField(rest *string) (string, bool) {
	s := strings.TrimLeft(*rest, ", \t")
	if s == "" {
		*rest = ""
		return "", false
	}
	end := strings.IndexAny(s, ", \t")
	if end < 0 {
		end = len(s)
	}
	*rest = s[end:]
	return s[:end], true
}

// parseQueryAuth reads the X-Amz-* parameters of a presigned request.
func parseQueryAuth(rawQuery string) (authParams, *Error) {
	p := authParams{presigned: true, dateSource: "X-Amz-Date"}
	get := func(name string) (string, bool) { return queryParam(rawQuery, name) }
	alg, ok := get("X-Amz-Algorithm")
	if !ok {
		return p, incomplete("AWS query-string parameters must include 'X-Amz-Algorithm'. Re-examine the query-string parameters.")
	}
	for _, name := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if _, ok := get(name); !ok {
			return p, incomplete("AWS query-string parameters must include '%s'. Re-examine the query-string parameters.", name)
		}
	}
	if alg != algorithm {
		return p, incomplete("Unsupported AWS 'algorithm': '%s'", alg)
	}
	p.credential, _ = get("X-Amz-Credential")
	p.signature, _ = get("X-Amz-Signature")
	p.signedHeaders, _ = get("X-Amz-SignedHeaders")
	p.amzDate, _ = get("X-Amz-Date")
	p.expires, _ = get("X-Amz-Expires")
	return p, nil
}

// parseSignedHeaders splits "a;b;c". Names must be non-empty and lower case;
// the string itself is used verbatim in the canonical request.
func parseSignedHeaders(s string) ([]string, *Error) {
	if s == "" {
		return nil, incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	out := strings.Split(s, ";")
	for _, h := range out {
		if h == "" || strings.ToLower(h) != h || strings.ContainsAny(h, " \t:") {
			return nil, incomplete("Invalid SignedHeaders '%s': header names must be lower case and separated by ';'.", s)
		}
	}
	return out, nil
}

// parseAmzDate accepts the ISO 8601 basic format (X-Amz-Date) and, for the
// Date header, also the HTTP date formats. It returns the time and the
// ISO 8601 basic string used in the string to sign.
func parseAmzDate(s string) (time.Time, string, *Error) {
	if t, err := time.Parse(amzDateFormat, s); err == nil {
		return t, s, nil
	}
	if t, err := http.ParseTime(s); err == nil {
		t = t.UTC()
		return t, t.Format(amzDateFormat), nil
	}
	return time.Time{}, "", incomplete("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", s)
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now().UTC()
	}
	return time.Now().UTC()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

// fmtDur renders a skew the way AWS does in these messages ("15 min").
func fmtDur(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec"
}

// checkTime enforces the clock-skew window. STS answers a stale header-signed
// request with SignatureDoesNotMatch "Signature expired: 20220127T001427Z is
// now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)"
// (https://github.com/aws/aws-cli/issues/6676) and one from the future with
// "Signature not yet current: X is still later than Y (Z + 15 min.)".
// Presigned requests are valid from X-Amz-Date until X-Amz-Expires seconds
// later (1..604800); after that the same "Signature expired" message names
// the expiry window.
func (v *Verifier) checkTime(p authParams, signedAt time.Time) *Error {
	now := v.now().Truncate(time.Second)
	skew := v.maxSkew()
	f := func(t time.Time) string { return t.UTC().Format(amzDateFormat) }
	window := skew
	if p.presigned && p.expires != "" {
		n, err := strconv.ParseInt(p.expires, 10, 64)
		switch {
		case err != nil && strings.HasPrefix(strings.TrimSpace(p.expires), "-"):
			return incomplete("X-Amz-Expires must be non-negative")
		case err != nil:
			return incomplete("X-Amz-Expires should be a number")
		case n < 0:
			return incomplete("X-Amz-Expires must be non-negative")
		case n == 0:
			return incomplete("X-Amz-Expires must be a positive number of seconds")
		case n > MaxPresignExpires:
			return incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		window = time.Duration(n) * time.Second
	}
	if earliest := now.Add(-window); signedAt.Before(earliest) {
		return mismatch(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)", f(signedAt), f(earliest), f(now), fmtDur(window)))
	}
	if latest := now.Add(skew); signedAt.After(latest) {
		return mismatch(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s.)", f(signedAt), f(latest), f(now), fmtDur(skew)))
	}
	return nil
}

// payloadHash returns the hash that goes into the canonical request: the
// SHA-256 of body. If X-Amz-Content-Sha256 is present (header, or query
// parameter of a presigned request) it must equal that hash, unless it is
// UNSIGNED-PAYLOAD and AllowUnsignedPayload is set.
func (v *Verifier) payloadHash(r *http.Request, rawQuery string, presigned bool, body []byte) (string, *Error) {
	sum := sha256.Sum256(body)
	computed := hex.EncodeToString(sum[:])
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	if claimed == "" && presigned {
		claimed, _ = queryParam(rawQuery, "X-Amz-Content-Sha256")
	}
	switch {
	case claimed == "":
		return computed, nil
	case claimed == UnsignedPayload && v.AllowUnsignedPayload:
		return UnsignedPayload, nil
	case strings.EqualFold(claimed, computed):
		return claimed, nil
	}
	// A body that does not match its declared hash (or a payload the
	// service does not accept unsigned) cannot match the signature.
	return "", mismatch(msgSignatureMismatch)
}
