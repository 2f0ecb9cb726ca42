package audit

import (
	"strings"

	"github.com/awsmfa/awsmfa/internal/account"
)

// wildMatch reports whether s matches pattern, where * matches any run of
// characters and ? one character. Both are compared as given (callers
// lower-case action names). The greedy algorithm with one backtrack point
// runs in O(len(pattern)*len(s)) at worst.
func wildMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// covers reports whether the statement's Action (or NotAction) covers the
// lower-case action.
func (rs *resStmt) covers(lowerAction string) bool {
	m := false
	for _, a := range rs.actions {
		if wildMatch(a, lowerAction) {
			m = true
			break
		}
	}
	return m != rs.notAction
}

// materialise turns a Resource value into a request resource to try: policy
// variables take the user's values, and an ARN whose account is "*" gets the
// audited account's ID. Wildcards stay: a * in the request resource is
// matched by the policy's own * (so "arn:aws:s3:::b/*" tries everything in
// bucket b at once), and patterns that name something narrower do not
// match it.
func materialise(v string, u *account.User, acctID string) string {
	if strings.Contains(v, "${") {
		v = substituteVars(v, u, acctID)
	}
	if !strings.HasPrefix(v, "arn:") {
		return v
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) == 6 && parts[4] == "*" && acctID != "" {
		parts[4] = acctID
		return strings.Join(parts, ":")
	}
	return v
}

// substituteVars replaces ${key} and ${key, 'default'} with the user's
// values for the keys audit sets; unknown keys take their default, or stay
// as written (then they match nothing, as an unresolved variable does).
func substituteVars(v string, u *account.User, acctID string) string {
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			b.WriteString(v)
			return b.String()
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			b.WriteString(v)
			return b.String()
		}
		b.WriteString(v[:i])
		inner := v[i+2 : i+j]
		key, def, hasDef := strings.Cut(inner, ",")
		key = strings.TrimSpace(key)
		if val, ok := userValue(key, u, acctID); ok {
			b.WriteString(val)
		} else if hasDef {
			b.WriteString(strings.Trim(strings.TrimSpace(def), "'"))
		} else {
			b.WriteString(v[i : i+j+1])
		}
		v = v[i+j+1:]
	}
}

func userValue(key string, u *account.User, acctID string) (string, bool) {
	switch strings.ToLower(key) {
	case "aws:username":
		return u.Name, true
	case "aws:userid":
		return u.ID, u.ID != ""
	case "aws:principalarn":
		return u.ARN, true
	case "aws:principalaccount":
		return acctID, true
	case "*", "?", "$":
		return key, true
	}
	if t, ok := strings.CutPrefix(strings.ToLower(key), "aws:principaltag/"); ok {
		for _, tag := range u.Tags {
			if strings.EqualFold(tag.Key, t) {
				return tag.Value, true
			}
		}
	}
	return "", false
}
