// Package render prints an audit.Report for people (text, a self-contained
// HTML page) and for programs (JSON, SARIF 2.1.0).
//
// Every renderer shows the same content in the same stable order: findings
// by severity (errors first), rule, principal, credential type and deciding
// statement; the users x credential-types matrix with users of identical
// rows grouped (the rows that act without MFA first) unless Options.All
// asks for one row per user. The report itself is never modified.
package render

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/audit"
)

// Options tune the renderers.
type Options struct {
	// All lists every user in the matrix instead of grouping users whose
	// rows are identical (text and HTML).
	All bool
	// ToolVersion is written into SARIF output.
	ToolVersion string
	// Cwd is the directory SARIF file locations are made relative to
	// ("": the process's working directory).
	Cwd string
}

// Display limits of the text report: how many user names a group's line
// shows, how many actions and users a finding lists.
const (
	groupNamesShown = 8
	actionsShown    = 10
	usersShown      = 10
)

// severityRank orders severities: errors first; an unknown severity last.
func severityRank(s audit.Severity) int {
	switch s {
	case audit.SeverityError:
		return 0
	case audit.SeverityWarning:
		return 1
	case audit.SeverityInfo:
		return 2
	}
	return 3
}

// sortedFindings returns the report's findings in the renderers' order
// (a copy; the report is not touched).
func sortedFindings(rep *audit.Report) []audit.Finding {
	fs := slices.Clone(rep.Findings)
	slices.SortStableFunc(fs, compareFindings)
	return fs
}

func compareFindings(a, b audit.Finding) int {
	return cmp.Or(
		cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Principal, b.Principal),
		cmp.Compare(a.Credential, b.Credential),
		cmp.Compare(refKey(a.Deciding), refKey(b.Deciding)),
		cmp.Compare(a.Message, b.Message),
	)
}

func refKey(r *audit.StatementRef) string {
	if r == nil {
		return ""
	}
	return r.Policy + "\x00" + r.Statement
}

// sortedUsers returns the users ordered by name, then ARN.
func sortedUsers(users []audit.UserResult) []audit.UserResult {
	us := slices.Clone(users)
	slices.SortStableFunc(us, func(a, b audit.UserResult) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ARN, b.ARN))
	})
	return us
}

// severityCount is one severity's line of the summary.
type severityCount struct {
	Severity audit.Severity
	Count    int
	// Rules are the rules with findings of this severity, most findings
	// first.
	Rules []ruleCount
}

type ruleCount struct {
	Rule  string
	Count int
}

// summarize counts findings per severity (error, warning, info always;
// an unknown severity after them when present) and per rule.
func summarize(findings []audit.Finding) []severityCount {
	out := []severityCount{{Severity: audit.SeverityError}, {Severity: audit.SeverityWarning}, {Severity: audit.SeverityInfo}}
	byRule := map[audit.Severity]map[string]int{}
	for _, f := range findings {
		i := slices.IndexFunc(out, func(s severityCount) bool { return s.Severity == f.Severity })
		if i < 0 {
			out = append(out, severityCount{Severity: f.Severity})
			i = len(out) - 1
		}
		out[i].Count++
		if byRule[f.Severity] == nil {
			byRule[f.Severity] = map[string]int{}
		}
		byRule[f.Severity][f.Rule]++
	}
	for i := range out {
		for r, n := range byRule[out[i].Severity] {
			out[i].Rules = append(out[i].Rules, ruleCount{r, n})
		}
		slices.SortFunc(out[i].Rules, func(a, b ruleCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Rule, b.Rule))
		})
	}
	return out
}

// columnLabel is the short header of a credential type's matrix column.
func columnLabel(c audit.Credential) string {
	switch c {
	case audit.CredAccessKeys:
		return "keys"
	case audit.CredConsolePassword:
		return "console"
	case audit.CredSessionNoMFA:
		return "session"
	case audit.CredSessionMFA:
		return "session+mfa"
	}
	return string(c)
}

// columnHelp says what a credential type's column means (legends).
func columnHelp(c audit.Credential) string {
	switch c {
	case audit.CredAccessKeys:
		return "long-term access keys (an active access key 1 or 2)"
	case audit.CredConsolePassword:
		return "console password, signed in without MFA"
	case audit.CredSessionNoMFA:
		return "session token from GetSessionToken without MFA (needs an access key)"
	case audit.CredSessionMFA:
		return "session token from GetSessionToken with MFA, for comparison"
	}
	return "credential type " + string(c)
}

// cellLabel is what a matrix cell shows. The MFA column is a comparison:
// there, a request that acts is "allowed" (with MFA), not a problem.
func cellLabel(c audit.Credential, v audit.Verdict) string {
	if v == "" {
		return "?"
	}
	if c == audit.CredSessionMFA && v == audit.ActsWithoutMFA {
		return "allowed"
	}
	return string(v)
}

// cellClass is the HTML class colouring a matrix cell.
func cellClass(c audit.Credential, v audit.Verdict) string {
	switch {
	case c == audit.CredSessionMFA && v == audit.ActsWithoutMFA:
		return "v-allowed"
	case v == audit.ActsWithoutMFA:
		return "v-acts"
	case v == audit.MFARequired:
		return "v-mfa"
	case v == audit.NoAccess:
		return "v-none"
	case v == audit.NotApplicable:
		return "v-na"
	}
	return "v-unknown"
}

// group is a row of the matrix: users whose rows are identical.
type group struct {
	Users    []audit.UserResult // by name
	Verdicts []audit.Verdict    // one per Report.Credentials column
	Devices  int
	MFA      string // audit.MFA* when no device is listed
	Assumed  bool
	acts     int // cells that act without MFA (the MFA column excluded)
	key      string
}

// Names returns the group's user names.
func (g *group) Names() []string {
	out := make([]string, len(g.Users))
	for i, u := range g.Users {
		out[i] = u.Name
	}
	return out
}

// Label is the group's first cell: the user's name, or "N users".
func (g *group) Label() string {
	if len(g.Users) == 1 {
		return g.Users[0].Name
	}
	return strconv.Itoa(len(g.Users)) + " users"
}

// DevicesLabel is the MFA devices cell.
func (g *group) DevicesLabel() string {
	switch {
	case g.Devices > 0:
		return strconv.Itoa(g.Devices)
	case g.MFA == audit.MFAActiveReport:
		return "yes" // the credential report says so; devices not listed
	case g.MFA == audit.MFAUnknown:
		return "?"
	}
	return "none"
}

// hasMFA orders rows: users with a device (listed or reported) after those
// without.
func (g *group) hasMFA() int {
	if g.Devices > 0 || g.MFA == audit.MFAActiveReport {
		return 1
	}
	return 0
}

// Uniform returns the verdict shared by every applicable column when
// there is one ("412 users: mfa-required everywhere"), else "".
func (g *group) Uniform(cols []audit.Credential) string {
	shared := ""
	for i, v := range g.Verdicts {
		if v == audit.NotApplicable || cols[i] == audit.CredSessionMFA {
			continue // the comparison column says how MFA sessions fare
		}
		l := cellLabel(cols[i], v)
		if shared == "" {
			shared = l
		} else if shared != l {
			return ""
		}
	}
	return shared
}

// groupUsers builds the matrix rows: users with identical rows (verdicts,
// number of MFA devices, assumed credentials) together, or one row per
// user when all is set. Rows that act without MFA come first (more such
// cells first), then rows of users without an MFA device, then larger
// groups; ties by verdicts and first name. With all, users of the same
// rank are in name order.
func groupUsers(rep *audit.Report, all bool) []*group {
	var groups []*group
	byKey := map[string]*group{}
	for _, u := range sortedUsers(rep.Users) {
		g := &group{Devices: len(u.MFADevices), MFA: u.MFA, Assumed: u.Assumed, Verdicts: make([]audit.Verdict, len(rep.Credentials))}
		var key strings.Builder
		for i, c := range rep.Credentials {
			v := u.Creds[c]
			g.Verdicts[i] = v
			if v == audit.ActsWithoutMFA && c != audit.CredSessionMFA {
				g.acts++
			}
			key.WriteString(string(v))
			key.WriteByte(0)
		}
		key.WriteString(strconv.Itoa(g.Devices))
		key.WriteString(g.MFA)
		if g.Assumed {
			key.WriteString("*")
		}
		g.key = key.String()
		if !all {
			if have := byKey[g.key]; have != nil {
				have.Users = append(have.Users, u)
				continue
			}
			byKey[g.key] = g
		}
		g.Users = []audit.UserResult{u}
		groups = append(groups, g)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		if c := cmp.Or(
			cmp.Compare(b.acts, a.acts),
			cmp.Compare(a.hasMFA(), b.hasMFA()),
		); c != 0 || all {
			return c // one row per user: by name (the users are sorted)
		}
		return cmp.Or(
			cmp.Compare(len(b.Users), len(a.Users)),
			cmp.Compare(a.key, b.key),
			cmp.Compare(a.Users[0].Name, b.Users[0].Name),
		)
	})
	return groups
}

// anyAssumed reports whether a user's credentials were assumed.
func anyAssumed(rep *audit.Report) bool {
	return slices.ContainsFunc(rep.Users, func(u audit.UserResult) bool { return u.Assumed })
}

// statementText describes a deciding statement: "policy P, statement S".
func statementText(r *audit.StatementRef) string {
	if r == nil {
		return ""
	}
	s := r.Policy
	if r.Statement != "" {
		s += ", statement " + r.Statement
	}
	return s
}

// whereText locates a deciding statement's document: "file:line, path".
func whereText(r *audit.StatementRef) string {
	if r == nil {
		return ""
	}
	var parts []string
	if r.File != "" {
		f := r.File
		if r.Line > 0 {
			f += ":" + strconv.Itoa(r.Line)
		}
		parts = append(parts, f)
	}
	if r.Path != "" {
		parts = append(parts, r.Path)
	}
	return strings.Join(parts, ", ")
}

// actionCount is how many actions a finding has in all.
func actionCount(f *audit.Finding) int {
	return max(f.ActionCount, len(f.Actions))
}

// sample returns up to n items and how many more there are beyond them
// (total counts items not listed at all).
func sample(items []string, total, n int) ([]string, int) {
	total = max(total, len(items))
	if len(items) > n {
		items = items[:n]
	}
	return items, total - len(items)
}

// plural returns "1 thing" or "N things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
