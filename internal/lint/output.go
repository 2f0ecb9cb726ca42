package lint

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/sarif"
)

// WriteText prints findings for people, one per block:
//
//	file:line:col: severity rule: message
//	    in: path (statement Sid)
//	    fix: ...
func WriteText(w io.Writer, findings []Finding) error {
	bw := bufio.NewWriter(w)
	for _, f := range findings {
		bw.WriteString(location(f))
		fmt.Fprintf(bw, ": %s %s: %s\n", f.Severity, f.Rule, f.Message)
		if f.Path != "" || f.Statement != "" {
			bw.WriteString("    in: ")
			switch {
			case f.Path != "" && f.Statement != "":
				fmt.Fprintf(bw, "%s, statement %s\n", f.Path, f.Statement)
			case f.Path != "":
				fmt.Fprintf(bw, "%s\n", f.Path)
			default:
				fmt.Fprintf(bw, "statement %s\n", f.Statement)
			}
		}
		if f.Fix != "" {
			fmt.Fprintf(bw, "    fix: %s\n", f.Fix)
		}
	}
	return bw.Flush()
}

func location(f Finding) string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
		if f.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(f.Column))
		}
	}
	return b.String()
}

// WriteJSON prints {"findings": [...]}; the list is never null.
func WriteJSON(w io.Writer, findings []Finding) error {
	if findings == nil {
		findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Findings []Finding `json:"findings"`
	}{findings})
}

// InformationURI is the tool's home page in SARIF output.
const InformationURI = sarif.InformationURI

// WriteSARIF prints findings as a SARIF 2.1.0 log with one run (package
// sarif). Every rule is listed in tool.driver.rules (results refer to them
// by index). Paths are written relative to %SRCROOT% (the current
// directory); a file outside it gets an absolute file URI. Columns count
// bytes, which equals unicodeCodePoints for ASCII lines.
func WriteSARIF(w io.Writer, findings []Finding, toolVersion string) error {
	all := Rules()
	rules := make([]sarif.Rule, len(all))
	for i, r := range all {
		rules[i] = sarif.Rule{
			ID:                   r.ID,
			Name:                 sarif.RuleName(r.ID),
			ShortDescription:     sarif.Text{Text: r.Summary},
			FullDescription:      sarif.Text{Text: r.Help},
			Help:                 sarif.Text{Text: r.Help + " See " + r.HelpURI},
			HelpURI:              r.HelpURI,
			DefaultConfiguration: sarif.RuleConfig{Level: r.Severity.sarifLevel(), Enabled: !r.Optional},
		}
	}
	log := sarif.NewLog(toolVersion, rules, len(findings))
	cwd, _ := os.Getwd()
	for _, f := range findings {
		idx, ok := ruleIndex[f.Rule]
		if !ok {
			return fmt.Errorf("finding with unknown rule %q", f.Rule)
		}
		text := f.Message
		if f.Fix != "" {
			text += " Fix: " + f.Fix
		}
		uri, base := sarif.ArtifactURI(f.File, cwd)
		loc := sarif.Location{PhysicalLocation: &sarif.PhysicalLocation{ArtifactLocation: sarif.ArtifactLocation{URI: uri, URIBaseID: base}}}
		if f.Line > 0 {
			loc.PhysicalLocation.Region = &sarif.Region{StartLine: f.Line, StartColumn: f.Column}
		}
		if f.Path != "" || f.Statement != "" {
			name := f.Path
			if f.Statement != "" {
				if name != "" {
					name += "."
				}
				name += "Statement[" + f.Statement + "]"
			}
			loc.LogicalLocations = []sarif.LogicalLocation{{FullyQualifiedName: name, Kind: "object"}}
		}
		log.Add(sarif.Result{
			RuleID: f.Rule, RuleIndex: idx, Level: f.Severity.sarifLevel(),
			Message:             sarif.Text{Text: text},
			Locations:           []sarif.Location{loc},
			PartialFingerprints: map[string]string{"awsmfa/v1": fingerprint(f)},
		})
	}
	return log.Write(w)
}

// fingerprint identifies a finding across runs independently of line
// numbers: the rule, file, policy path, statement and message.
func fingerprint(f Finding) string {
	return sarif.Fingerprint(f.Rule, f.File, f.Path, f.Statement, f.Message)
}
