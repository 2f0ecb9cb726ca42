package render

import (
	"encoding/json"
	"io"

	"github.com/awsmfa/awsmfa/internal/audit"
)

// JSON prints the report as indented JSON in the shape of
// `awsmfa audit --output json`:
//
//	{"account", "users": [{"arn", "name", "mfaDevices", "credentials": {type: verdict}}],
//	 "findings": [{"rule", "severity", "principal", "credential", "actions",
//	               "decidingStatement", "message", "fix"}], ...}
//
// Users are ordered by name, findings as in the other formats; lists are
// never null.
func JSON(w io.Writer, rep *audit.Report) error {
	out := *rep
	out.Users = sortedUsers(rep.Users)
	for i := range out.Users {
		u := &out.Users[i]
		if u.MFADevices == nil {
			u.MFADevices = []string{}
		}
		if u.Creds == nil {
			u.Creds = map[audit.Credential]audit.Verdict{}
		}
	}
	out.Findings = sortedFindings(rep)
	if out.Users == nil {
		out.Users = []audit.UserResult{}
	}
	if out.Findings == nil {
		out.Findings = []audit.Finding{}
	}
	if out.Credentials == nil {
		out.Credentials = []audit.Credential{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&out)
}
