// Package lint finds mistakes in IAM policies, above all the ones that make
// an MFA requirement silently fail: a Deny on
// "Bool": {"aws:MultiFactorAuthPresent": "false"} never matches a request
// signed with long-term access keys, because that key is absent from such
// requests, so the AWS CLI with an access key walks through.
//
// Lint checks one parsed policy; LintFile finds every policy in a file
// (policy JSON, CloudFormation JSON/YAML, Terraform plan JSON, AWS CLI
// output), reports what the parser rejects as "invalid-policy" findings and
// lints the rest. Findings carry the file, line and column, a message that
// says what goes wrong for which requests, and a concrete fix. WriteText,
// WriteJSON and WriteSARIF print them.
package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity orders findings: SeverityError > SeverityWarning > SeverityInfo.
type Severity int

const (
	SeverityInfo Severity = iota + 1
	SeverityWarning
	SeverityError
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// ParseSeverity parses "error", "warning" or "info" (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return SeverityError, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "info", "note":
		return SeverityInfo, nil
	}
	return 0, fmt.Errorf("unknown severity %q (use error, warning or info)", s)
}

// MarshalText writes the severity's name, so JSON has "error", not 3.
func (s Severity) MarshalText() ([]byte, error) {
	switch s {
	case SeverityInfo, SeverityWarning, SeverityError:
		return []byte(s.String()), nil
	}
	return nil, fmt.Errorf("invalid severity %d", int(s))
}

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// sarifLevel is the SARIF result level for the severity.
func (s Severity) sarifLevel() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "note"
}

// Finding is one problem found in a policy.
type Finding struct {
	// Rule is the rule's ID, such as "mfa-deny-misses-long-term-keys".
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Message says what is wrong and for which requests.
	Message string `json:"message"`
	// Fix says how to correct it, usually with a replacement snippet.
	Fix  string `json:"fix"`
	File string `json:"file"`
	// Line and Column are 1-based (Column counts bytes); 0 when unknown.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Path locates the policy within the file (empty when the file is the
	// policy), such as "Resources.AdminGroup.Properties.Policies[0].PolicyDocument".
	Path string `json:"path"`
	// Statement is the statement's Sid, or "#i" for the i-th (0-based)
	// statement without a Sid; empty for findings about the document.
	Statement string `json:"statement"`
}

// SortFindings sorts findings by file, line, column and rule, keeping the
// order of findings that compare equal.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
		)
	})
}

// Count returns how many findings have at least the given severity.
func Count(fs []Finding, min Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= min {
			n++
		}
	}
	return n
}
