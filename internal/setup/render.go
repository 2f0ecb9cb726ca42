package setup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

var actionSymbol = map[Action]string{Create: "+", Update: "~", Delete: "-"}

// Text renders the plan for people, as terraform does: one line per
// change with its symbol (+ create, ~ update, - delete) and IAM call, the
// document a create sends, the diff of an update, and the counts.
// Unchanged resources are only counted.
func (p *Plan) Text() []byte {
	var b bytes.Buffer
	add, change, destroy, unchanged := p.Counts()
	if add+change+destroy == 0 {
		fmt.Fprintf(&b, "No changes. The account matches the setup file (%d unchanged).\n", unchanged)
		return b.Bytes()
	}
	b.WriteString("awsmfa will perform the following actions:\n")
	for _, s := range p.Steps {
		if s.Action == NoChange {
			continue
		}
		fmt.Fprintf(&b, "\n  %s %s (%s)\n", actionSymbol[s.Action], s.Summary, s.Call)
		writeDetails(&b, s)
	}
	fmt.Fprintf(&b, "\nPlan: %d to add, %d to change, %d to destroy, %d unchanged.\n", add, change, destroy, unchanged)
	return b.Bytes()
}

func writeDetails(b *bytes.Buffer, s Step) {
	if s.MaxSessionDuration > 0 && s.Call == "CreateRole" {
		fmt.Fprintf(b, "      max session duration: %d seconds\n", s.MaxSessionDuration)
	}
	switch {
	case len(s.Diff) > 0:
		for _, l := range contextDiff(s.Diff, diffContext) {
			fmt.Fprintf(b, "      %s\n", l)
		}
	case s.Document != "":
		for _, l := range splitLines(s.Document) {
			fmt.Fprintf(b, "      + %s\n", l)
		}
	}
}

type jsonPlan struct {
	FormatVersion int         `json:"format_version"`
	Steps         []Step      `json:"steps"`
	Summary       jsonSummary `json:"summary"`
}

type jsonSummary struct {
	Add       int  `json:"add"`
	Change    int  `json:"change"`
	Destroy   int  `json:"destroy"`
	Unchanged int  `json:"unchanged"`
	Changes   bool `json:"changes"`
}

// JSON renders the plan for programs: every step in order (unchanged ones
// too, action "no-op") and the counts.
func (p *Plan) JSON() ([]byte, error) { return p.JSONWithSafety(nil) }

// diffContext is how many unchanged lines the text plan shows around a
// change, as diff -u does.
const diffContext = 3

// contextDiff keeps the changed lines of a diff and n unchanged lines
// around each, with "  ..." where lines were left out.
func contextDiff(diff []string, n int) []string {
	keep := make([]bool, len(diff))
	for i, l := range diff {
		if l[0] != ' ' {
			for j := max(0, i-n); j <= min(len(diff)-1, i+n); j++ {
				keep[j] = true
			}
		}
	}
	var out []string
	skipped := false
	for i, l := range diff {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped {
			out = append(out, "  ...")
			skipped = false
		}
		out = append(out, l)
	}
	if skipped {
		out = append(out, "  ...")
	}
	return out
}

// Text renders whose access the plan changes, as the audit decides it
// before and after: one row per user and credential type whose verdict
// changes, then the users who have no MFA device yet.
func (s *Safety) Text() []byte {
	var b bytes.Buffer
	if len(s.Impacts) == 0 {
		b.WriteString("Access: no user's access changes (awsmfa audit before and after the plan).\n")
	} else {
		b.WriteString("Access that changes (awsmfa audit before and after the plan):\n")
		wUser, wCred := len("USER"), len("CREDENTIALS")
		for _, im := range s.Impacts {
			wUser, wCred = max(wUser, len(im.User)), max(wCred, len(im.Credential))
		}
		fmt.Fprintf(&b, "  %-*s  %-*s  %s\n", wUser, "USER", wCred, "CREDENTIALS", "BEFORE -> AFTER")
		for _, im := range s.Impacts {
			fmt.Fprintf(&b, "  %-*s  %-*s  %s -> %s\n", wUser, im.User, wCred, im.Credential, im.Before, im.After)
		}
	}
	if len(s.NoDevice) > 0 {
		fmt.Fprintf(&b, "No MFA device yet: %s. Until they enroll one (awsmfa mfa enroll), they keep only MFA self-service.\n", strings.Join(s.NoDevice, ", "))
	}
	if s.Lockout != "" {
		fmt.Fprintf(&b, "Lockout: %s.\n", s.Lockout)
	}
	return b.Bytes()
}

// JSONWithSafety renders the plan for programs (as JSON) with its safety
// report under "safety".
func (p *Plan) JSONWithSafety(s *Safety) ([]byte, error) {
	steps := p.Steps
	if steps == nil {
		steps = []Step{}
	}
	add, change, destroy, unchanged := p.Counts()
	out, err := json.MarshalIndent(struct {
		jsonPlan
		Safety *Safety `json:"safety,omitempty"`
	}{jsonPlan{FormatVersion: 1, Steps: steps, Summary: jsonSummary{add, change, destroy, unchanged, add+change+destroy > 0}}, s}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
