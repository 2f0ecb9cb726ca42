package lab

import (
	"net/http"
	"strconv"
	"strings"
)

// params holds a request's query-protocol parameters (first value of each
// name).
type params map[string]string

func (p params) get(name string) string { return p[name] }

func (p params) has(name string) bool {
	_, ok := p[name]
	return ok
}

// hasAny reports whether the request has the parameter name or any member
// of it (name.member.1, name.1.Key, ...).
func (p params) hasAny(name string) bool {
	if p.has(name) {
		return true
	}
	for k := range p {
		if len(k) > len(name) && k[len(name)] == '.' && k[:len(name)] == name {
			return true
		}
	}
	return false
}

// maxParams bounds the number of parameters of one request.
const maxParams = 512

func errMalformed(msg string) *apiError {
	return errSender(http.StatusBadRequest, "MalformedQueryString", "The query string contains a syntax error: "+msg)
}

// parseForm parses an application/x-www-form-urlencoded string (a POST
// body or a URL query): name=value pairs separated by '&', '+' for a space
// and %XX escapes. An invalid escape is an error; empty pairs are skipped;
// the first value of a repeated name wins. into may already hold
// parameters (from the URL), which the body does not override.
func parseForm(s string, into params) error {
	for s != "" {
		var pair string
		if i := strings.IndexByte(s, '&'); i >= 0 {
			pair, s = s[:i], s[i+1:]
		} else {
			pair, s = s, ""
		}
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		k, ok := unescape(name)
		if !ok {
			return errMalformed("invalid escape in parameter name")
		}
		v, ok := unescape(value)
		if !ok {
			return errMalformed("invalid escape in the value of " + strconv.Quote(truncate(k, 64)))
		}
		if k == "" {
			return errMalformed("empty parameter name")
		}
		if _, dup := into[k]; dup {
			continue
		}
		if len(into) >= maxParams {
			return errMalformed("too many parameters")
		}
		into[k] = v
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescape decodes '+' and %XX; it returns false for a malformed escape.
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", false
			}
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

// presignParams are the query parameters of query-string (presigned)
// authentication; they are not API parameters.
var presignParams = map[string]bool{
	"X-Amz-Algorithm": true, "X-Amz-Credential": true, "X-Amz-Date": true, "X-Amz-Expires": true,
	"X-Amz-SignedHeaders": true, "X-Amz-Signature": true, "X-Amz-Security-Token": true,
}

// requestParams collects the parameters of r: the URL query (minus
// authentication parameters) and, for POST, the form-encoded body.
func requestParams(r *http.Request, body []byte) (params, error) {
	p := make(params, 8)
	if r.URL.RawQuery != "" {
		if err := parseForm(r.URL.RawQuery, p); err != nil {
			return nil, err
		}
		for k := range presignParams {
			delete(p, k)
		}
	}
	if len(body) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, _ := strings.Cut(ct, ";")
			if !strings.EqualFold(strings.TrimSpace(mt), "application/x-www-form-urlencoded") {
				return nil, errSender(http.StatusBadRequest, "MalformedQueryString",
					"The request body must be application/x-www-form-urlencoded (AWS query protocol), not "+strconv.Quote(truncate(mt, 64)))
			}
		}
		// Body parameters come after the URL's, which therefore win on a
		// repeated name; query-protocol clients never send both.
		if err := parseForm(string(body), p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// memberList returns prefix.member.1, prefix.member.2, ... until the first
// missing index.
func (p params) memberList(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[prefix+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v)
	}
}
