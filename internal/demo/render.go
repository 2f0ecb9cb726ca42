package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the narrated table: one row per step (who, credentials,
// call, result, deciding statement) followed by why it happened.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "awsmfa demo: the seeds' story, played with the AWS SDK for Go v2 against a local lab\n")
	fmt.Fprintf(&b, "(%s, account %s, scenario %q; nothing here talks to AWS)\n\n", r.Endpoint, r.Account, r.Scenario)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tWHO\tCREDENTIALS\tCALL\tRESULT\tDECIDED BY")
	for _, s := range r.Steps {
		result := strings.ToUpper(s.Result)
		if !s.AsExpected {
			result += " (expected " + s.Expected + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.N, s.Principal, s.Credentials, s.Call, result, s.DecidedBy())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "%d. %s\n", s.N, s.Title)
		wrap(&b, s.Why, "   ", 88)
		switch {
		case s.ErrorCode != "":
			wrap(&b, s.ErrorCode+": "+s.Message, "   answer: ", 88)
		case s.Answer != "":
			wrap(&b, s.Answer, "   answer: ", 88)
		case s.Message != "":
			wrap(&b, s.Message, "   error: ", 88)
		}
		if s.Reason != "" {
			wrap(&b, s.Reason, "   lab:    ", 88)
		}
		if !s.AsExpected {
			fmt.Fprintf(&b, "   UNEXPECTED: the story expects %s, the lab answered %s.\n", s.Expected, s.Result)
		}
	}
	b.WriteString("\n")
	failed := 0
	for _, s := range r.Steps {
		if !s.AsExpected {
			failed++
		}
	}
	if failed == 0 {
		fmt.Fprintf(&b, "All %d steps behaved as the seeds describe. The fix for seed 000 is seed 004's operator:\n", len(r.Steps))
		b.WriteString(`  "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}` + "\n")
		b.WriteString("Check your own policies: awsmfa policy lint POLICY.json\n")
	} else {
		fmt.Fprintf(&b, "%d of %d steps did not behave as the story expects.\n", failed, len(r.Steps))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap writes text word-wrapped at width, the first line prefixed by
// first and the others indented to the same column.
func wrap(b *strings.Builder, text, first string, width int) {
	indent := strings.Repeat(" ", len(first))
	line := first
	empty := true
	for _, word := range strings.Fields(text) {
		if !empty && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	if !empty {
		b.WriteString(line + "\n")
	}
}
