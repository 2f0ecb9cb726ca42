package simulate

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/awsmfa/awsmfa/internal/suggest"
)

// The input's field names, exactly as they must be written. Field names are
// case-sensitive, like the elements of a policy (IAM answers "Unknown field
// statement" for a lowercase element): a field written in another case is an
// unknown field, reported with the right spelling. Condition keys in
// request.context are not field names: they match case-insensitively, as in
// AWS, and two spellings of one key are an error.
var (
	inputFields   = []string{"request", "identityPolicies", "resourcePolicy", "permissionsBoundary", "serviceControlPolicies", "resourceControlPolicies", "sessionPolicy"}
	requestFields = []string{"principal", "action", "resource", "resourceAccount", "context"}
)

// Indexes into inputFields and requestFields.
const (
	fieldRequest = iota
	fieldIdentityPolicies
	fieldResourcePolicy
	fieldPermissionsBoundary
	fieldServiceControlPolicies
	fieldResourceControlPolicies
	fieldSessionPolicy
)

const (
	fieldPrincipal = iota
	fieldAction
	fieldResource
	fieldResourceAccount
	fieldContext
)

// Limits of one request, which bound the time an input can take (pattern
// matching costs up to the product of a pattern's and a string's lengths).
// AWS's own request parameters are smaller: SimulatePrincipalPolicy takes
// resource ARNs of at most 2,048 characters and context key names of at most
// 256 (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html),
// and a request carries a few hundred condition keys at most (up to 50 tags
// each of the request, the resource and the principal, and the global
// keys), a multivalued key a few dozen values (aws:TagKeys: at most 50 tags
// per request in most services).
const (
	// MaxRequestString limits every string of the request: principal,
	// action, resource, resourceAccount, context keys and values.
	MaxRequestString = 2048
	// MaxContextKeys limits the keys of request.context.
	MaxContextKeys = 1000
	// MaxContextValues limits the values of one context key.
	MaxContextValues = 100
)

// lookupField returns the index of key in fields, or -1.
func lookupField(fields []string, key string) int {
	for i, f := range fields {
		if f == key {
			return i
		}
	}
	return -1
}

// unknownFieldMessage words the error for key, which is not a field of the
// object it is in (the input itself when inRequest is false, else request).
func unknownFieldMessage(key string, inRequest bool) string {
	fields, other, where := inputFields, requestFields, ""
	if inRequest {
		fields, other, where = requestFields, inputFields, ` in "request"`
	}
	msg := fmt.Sprintf("unknown field %s%s", strconv.Quote(key), where)
	for _, f := range fields {
		if strings.EqualFold(f, key) {
			return fmt.Sprintf("%s: field names are case-sensitive; did you mean %s?", msg, strconv.Quote(f))
		}
	}
	for _, f := range other {
		if strings.EqualFold(f, key) {
			if inRequest {
				return fmt.Sprintf("%s: %s belongs at the top level of the input, beside \"request\"", msg, strconv.Quote(f))
			}
			return fmt.Sprintf("%s: %s belongs inside \"request\"", msg, strconv.Quote(f))
		}
	}
	if best := closestField(key, fields); best != "" {
		return fmt.Sprintf("%s; did you mean %s?", msg, strconv.Quote(best))
	}
	return fmt.Sprintf("%s (the fields are %s)", msg, strings.Join(fields, ", "))
}

// closestField returns the field nearest to key by edit distance (case
// ignored), or "" when none is close: at most 2 edits, or a third of the
// field's length for long names.
func closestField(key string, fields []string) string {
	k := strings.ToLower(key)
	best, bestDist := "", -1
	for _, f := range fields {
		d := suggest.Distance(k, strings.ToLower(f))
		if limit := max(2, len(f)/3); d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = f, d
		}
	}
	return best
}

func duplicateFieldMessage(key string, inRequest bool) string {
	if inRequest {
		return fmt.Sprintf("duplicate field %s in \"request\"", strconv.Quote(key))
	}
	return fmt.Sprintf("duplicate field %s", strconv.Quote(key))
}

const missingRequestMessage = `missing field "request": every input needs {"request": {"action": "service:Action", ...}}`

// actionProblem checks request.action as lint checks a policy's actions:
// service:action, with a service prefix of letters, digits and hyphens, a
// non-empty action name and no white space (AWS matches no action with it).
// present is false when the field was absent or null. It runs on every
// --batch line, so the common case (a plain ASCII action) costs one pass
// over the bytes and no allocation.
func actionProblem(action string, present bool) string {
	if !present {
		return `request.action is missing (for example "s3:GetObject")`
	}
	if action == "" {
		return `request.action is empty (for example "s3:GetObject")`
	}
	colon := -1
	for i := 0; i < len(action); i++ {
		c := action[i]
		switch {
		case c == ':' && colon < 0:
			colon = i
		case c <= ' ' || c >= 0x7f:
			return actionProblemSlow(action)
		case colon < 0 && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'):
			return actionProblemSlow(action)
		}
	}
	if colon <= 0 || colon == len(action)-1 {
		return actionProblemSlow(action)
	}
	return ""
}

// actionProblemSlow words the problem of an action that failed the fast
// check (or has non-ASCII characters, which may be white space).
func actionProblemSlow(action string) string {
	q := strconv.Quote(action)
	if strings.IndexFunc(action, unicode.IsSpace) >= 0 {
		return fmt.Sprintf("request.action %s contains white space, so it names no action", q)
	}
	prefix, name, ok := strings.Cut(action, ":")
	switch {
	case !ok:
		return fmt.Sprintf("request.action %s has no service prefix: write service:action, such as %s", q, strconv.Quote("s3:"+action))
	case !validServicePrefix(prefix):
		return fmt.Sprintf("request.action %s: %s is not a service prefix (letters, digits and hyphens)", q, strconv.Quote(prefix))
	case name == "":
		return fmt.Sprintf("request.action %s has no action name after the colon", q)
	}
	return ""
}

func validServicePrefix(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// stringTooLong words the error for a request string longer than
// MaxRequestString bytes.
func stringTooLong(what string, n int) string {
	return fmt.Sprintf("%s is %d bytes long: the limit is %d bytes", what, n, MaxRequestString)
}
