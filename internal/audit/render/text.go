package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/audit"
)

// Text prints the report for people: the account and what was assumed, a
// summary line per severity, the users x credential-types matrix (users
// with identical rows grouped unless opts.All), then every finding with
// its deciding statement and fix.
func Text(w io.Writer, rep *audit.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	findings := sortedFindings(rep)
	textHeader(bw, rep)
	textSummary(bw, findings)
	textMatrix(bw, rep, opts.All)
	textFindings(bw, findings)
	return bw.Flush()
}

func textHeader(w *bufio.Writer, rep *audit.Report) {
	fmt.Fprintf(w, "Account %s", orUnknown(rep.Account))
	if rep.Source != "" {
		fmt.Fprintf(w, " (%s)", oneLine(rep.Source))
	}
	w.WriteString("\n")
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", oneLine(n))
	}
	w.WriteString("\n")
}

// textSummary prints one line per severity:
//
//	errors     3  keys-act-without-mfa 2, console-without-mfa 1
func textSummary(w *bufio.Writer, findings []audit.Finding) {
	for _, s := range summarize(findings) {
		label := string(s.Severity) + "s"
		if s.Severity == audit.SeverityInfo {
			label = "info"
		}
		line := fmt.Sprintf("%-9s %d", label+":", s.Count)
		if len(s.Rules) > 0 {
			parts := make([]string, len(s.Rules))
			for i, r := range s.Rules {
				parts[i] = fmt.Sprintf("%s %d", oneLine(r.Rule), r.Count)
			}
			line += "  " + strings.Join(parts, ", ")
		}
		w.WriteString(line + "\n")
	}
	w.WriteString("\n")
}

// textMatrix prints the users x credential-types table. A group of users
// shows "N users" and, on the next line, their names (the first few).
func textMatrix(w *bufio.Writer, rep *audit.Report, all bool) {
	groups := groupUsers(rep, all)
	fmt.Fprintf(w, "USERS x CREDENTIAL TYPES: %s", plural(len(rep.Users), "user", "users"))
	if !all && len(groups) < len(rep.Users) {
		fmt.Fprintf(w, " in %s of identical rows (--all lists every user)", plural(len(groups), "group", "groups"))
	}
	w.WriteString("\n")
	if len(rep.Users) == 0 {
		w.WriteString("  (no IAM users)\n\n")
		return
	}
	header := []string{"USER", "MFA"}
	for _, c := range rep.Credentials {
		header = append(header, strings.ToUpper(columnLabel(c)))
	}
	rows := [][]string{header}
	for _, g := range groups {
		label := oneLine(g.Label())
		if g.Assumed {
			label += " *"
		}
		row := []string{label, g.DevicesLabel()}
		for i, v := range g.Verdicts {
			row = append(row, cellLabel(rep.Credentials[i], v))
		}
		rows = append(rows, row)
	}
	widths := columnWidths(rows)
	writeRow(w, rows[0], widths)
	for i, g := range groups {
		writeRow(w, rows[i+1], widths)
		if len(g.Users) > 1 {
			names, more := sample(g.Names(), 0, groupNamesShown)
			line := "    " + oneLine(strings.Join(names, ", "))
			if more > 0 {
				line += fmt.Sprintf(" and %d more", more)
			}
			if u := g.Uniform(rep.Credentials); u != "" {
				line += " (" + u + " everywhere)"
			}
			w.WriteString(line + "\n")
		}
	}
	w.WriteString("\n")
	for _, c := range rep.Credentials {
		fmt.Fprintf(w, "  %-*s %s\n", widestLabel(rep.Credentials), strings.ToUpper(columnLabel(c)), columnHelp(c))
	}
	w.WriteString("  acts-without-mfa: something beyond MFA self-service is allowed without MFA; mfa-required: nothing is;\n")
	w.WriteString("  no-access: nothing is allowed at all; n/a: the user has no such credential; allowed: works with MFA\n")
	if anyAssumed(rep) {
		w.WriteString("  * no credential report: the user's access keys and console password are assumed\n")
	}
	w.WriteString("\n")
}

func widestLabel(cols []audit.Credential) int {
	n := 0
	for _, c := range cols {
		n = max(n, len(columnLabel(c)))
	}
	return n
}

func columnWidths(rows [][]string) []int {
	var widths []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	return widths
}

func writeRow(w *bufio.Writer, cells []string, widths []int) {
	var b strings.Builder
	b.WriteString("  ")
	for i, c := range cells {
		b.WriteString(c)
		if i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
		}
	}
	w.WriteString(b.String() + "\n")
}

// textFindings prints each finding:
//
//	error keys-act-without-mfa: arn:aws:iam::123456789012:user/alice (long-term-keys)
//	    message
//	    actions (213): a, b, ... and 203 more
//	    decided by: policy P, statement S (file:line, path)
//	    users: ...
//	    fix: ...
func textFindings(w *bufio.Writer, findings []audit.Finding) {
	if len(findings) == 0 {
		w.WriteString("FINDINGS: none\n")
		return
	}
	fmt.Fprintf(w, "FINDINGS: %d\n", len(findings))
	for i := range findings {
		f := &findings[i]
		w.WriteString("\n")
		fmt.Fprintf(w, "%s %s: %s", f.Severity, oneLine(f.Rule), oneLine(f.Principal))
		if f.Credential != "" {
			fmt.Fprintf(w, " (%s)", oneLine(string(f.Credential)))
		}
		w.WriteString("\n")
		if f.Message != "" {
			fmt.Fprintf(w, "    %s\n", oneLine(f.Message))
		}
		if n := actionCount(f); n > 0 {
			acts, more := sample(f.Actions, n, actionsShown)
			fmt.Fprintf(w, "    actions (%d): %s", n, oneLine(strings.Join(acts, ", ")))
			if more > 0 {
				fmt.Fprintf(w, " and %d more", more)
			}
			w.WriteString("\n")
		}
		if f.Deciding != nil {
			fmt.Fprintf(w, "    decided by: %s", oneLine(statementText(f.Deciding)))
			if where := whereText(f.Deciding); where != "" {
				fmt.Fprintf(w, " (%s)", oneLine(where))
			}
			w.WriteString("\n")
		}
		if len(f.Users) > 0 {
			users, more := sample(f.Users, 0, usersShown)
			fmt.Fprintf(w, "    users (%d): %s", len(f.Users), oneLine(strings.Join(users, ", ")))
			if more > 0 {
				fmt.Fprintf(w, " and %d more", more)
			}
			w.WriteString("\n")
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "    fix: %s\n", oneLine(f.Fix))
		}
	}
}

// oneLine keeps a value on its line: control characters (a newline in a
// policy name read from a file, an escape sequence) are shown escaped, so
// input cannot forge report lines or drive the terminal.
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return oneLine(s)
}
