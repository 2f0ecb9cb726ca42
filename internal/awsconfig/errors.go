package awsconfig

import (
	"fmt"
	"sort"
	"strings"

	"github.com/awsmfa/awsmfa/internal/suggest"
)

// ErrorCode classifies an *Error for programs; the message is for people.
type ErrorCode string

// Error codes.
const (
	CodeRead                  ErrorCode = "read"              // a file exists but cannot be read
	CodeTooLarge              ErrorCode = "too-large"         // a file is larger than MaxFileSize
	CodeParse                 ErrorCode = "parse"             // a file is not valid profile-file syntax
	CodeNoProfiles            ErrorCode = "no-profiles"       // neither file defines a profile
	CodeProfileNotFound       ErrorCode = "profile-not-found" // the requested profile does not exist
	CodeSourceProfileNotFound ErrorCode = "source-profile-not-found"
	CodeNoSource              ErrorCode = "no-source"    // role_arn without source_profile or credential_source
	CodeBothSources           ErrorCode = "both-sources" // source_profile and credential_source together
	CodeCycle                 ErrorCode = "cycle"        // source_profile chain loops
	CodeNoCredentials         ErrorCode = "no-credentials"
	CodePartialCredentials    ErrorCode = "partial-credentials"
	CodeKeyStore              ErrorCode = "key-store"
	CodeWebIdentity           ErrorCode = "web-identity"
	CodeSSO                   ErrorCode = "sso"
	CodeCredentialSource      ErrorCode = "credential-source"
	CodeRoleARN               ErrorCode = "role-arn"
	CodeMFASerial             ErrorCode = "mfa-serial"
	CodeMFASerialIsUser       ErrorCode = "mfa-serial-user-arn"
	CodeDuration              ErrorCode = "duration"
	CodeInvalidValue          ErrorCode = "invalid-value"
	CodeEndpoint              ErrorCode = "endpoint"
	CodeContainer             ErrorCode = "container-credentials"
	CodeEdit                  ErrorCode = "edit"
)

// Error is a configuration problem, located as precisely as possible: the
// file and line, the profile and the key. Messages never contain secret
// values.
type Error struct {
	Code    ErrorCode
	File    string
	Line    int
	Profile string
	Key     string
	Msg     string
	// Hint says how to fix it, when there is something to say.
	Hint string
	// Cycle is the source_profile loop for CodeCycle, first profile
	// repeated at the end ("a", "b", "a").
	Cycle []string
	// Suggestions are existing names close to a missing one.
	Suggestions []string
}

func (e *Error) Error() string {
	var b strings.Builder
	if l := (Location{e.File, e.Line}).String(); l != "" {
		b.WriteString(l)
		b.WriteString(": ")
	}
	if e.Profile != "" {
		fmt.Fprintf(&b, "profile %q: ", e.Profile)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Msg)
	if len(e.Suggestions) > 0 {
		b.WriteString(" (did you mean ")
		for i, s := range e.Suggestions {
			if i > 0 {
				if i == len(e.Suggestions)-1 {
					b.WriteString(" or ")
				} else {
					b.WriteString(", ")
				}
			}
			fmt.Fprintf(&b, "%q", s)
		}
		b.WriteString("?)")
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// at fills the location of e from a property.
func (e *Error) at(p Property) *Error {
	e.File, e.Line = p.File, p.Line
	return e
}

// closeNames returns up to max names similar to want: same name ignoring
// case, a prefix or suffix of each other, or a small edit distance.
func closeNames(want string, names []string, max int) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	lw := strings.ToLower(want)
	for _, n := range names {
		if n == want {
			continue
		}
		ln := strings.ToLower(n)
		d := suggest.Distance(lw, ln)
		limit := 2
		if len(want) <= 3 {
			limit = 1
		}
		related := len(lw) >= 3 && len(ln) >= 3 && (strings.Contains(ln, lw) || strings.Contains(lw, ln))
		switch {
		case ln == lw:
			d = 0
		case related:
			d = min(d, 2)
		case d <= limit || (len(want) > 8 && d <= len(want)/4):
		default:
			continue
		}
		cs = append(cs, cand{n, d})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for i := 0; i < len(cs) && i < max; i++ {
		out = append(out, cs[i].name)
	}
	return out
}
