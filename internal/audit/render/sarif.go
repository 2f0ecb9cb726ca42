package render

import (
	"io"
	"os"
	"slices"
	"strings"

	"github.com/awsmfa/awsmfa/internal/audit"
	"github.com/awsmfa/awsmfa/internal/sarif"
)

// SARIF prints the findings as a SARIF 2.1.0 log (package sarif, shared
// with `policy lint`). A finding whose deciding statement was read from a
// file (offline) is located on that policy document: the file, the line
// where the document starts, and the statement's JSON path as a logical
// location. A finding without a file (read live, or about the account
// itself) has logical locations only: the deciding policy statement, then
// the principal. The principal, credential type, actions and users go into
// each result's properties.
func SARIF(w io.Writer, rep *audit.Report, opts Options) error {
	findings := sortedFindings(rep)
	ruleList, index := sarifRules(findings)
	log := sarif.NewLog(opts.ToolVersion, ruleList, len(findings))
	cwd := opts.Cwd
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	for i := range findings {
		f := &findings[i]
		text := f.Message
		if f.Fix != "" {
			text += " Fix: " + f.Fix
		}
		log.Add(sarif.Result{
			RuleID:              f.Rule,
			RuleIndex:           index[f.Rule],
			Level:               sarifLevel(f.Severity),
			Message:             sarif.Text{Text: text},
			Locations:           []sarif.Location{sarifLocation(f, cwd)},
			PartialFingerprints: map[string]string{"awsmfa/v1": sarifFingerprint(f)},
			Properties:          sarifProperties(f),
		})
	}
	return log.Write(w)
}

// sarifRules lists every audit rule, then any rule a finding names that
// this package does not describe (in order of appearance), with each
// rule's index.
func sarifRules(findings []audit.Finding) ([]sarif.Rule, map[string]int) {
	all := Rules()
	index := make(map[string]int, len(all))
	for i, r := range all {
		index[r.ID] = i
	}
	for _, f := range findings {
		if _, ok := index[f.Rule]; !ok {
			r, _ := lookupRule(f.Rule, f.Severity)
			index[f.Rule] = len(all)
			all = append(all, r)
		}
	}
	out := make([]sarif.Rule, len(all))
	for i, r := range all {
		help := r.Help
		if r.HelpURI != "" {
			help += " See " + r.HelpURI
		}
		out[i] = sarif.Rule{
			ID:                   r.ID,
			Name:                 sarif.RuleName(r.ID),
			ShortDescription:     sarif.Text{Text: r.Summary},
			FullDescription:      sarif.Text{Text: r.Help},
			Help:                 sarif.Text{Text: help},
			HelpURI:              r.HelpURI,
			DefaultConfiguration: sarif.RuleConfig{Level: sarifLevel(r.Severity), Enabled: true},
		}
	}
	return out, index
}

func sarifLevel(s audit.Severity) string {
	switch s {
	case audit.SeverityError:
		return sarif.LevelError
	case audit.SeverityWarning:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// sarifLocation places a finding on its policy document when the deciding
// statement was read from a file, and names the statement and principal.
func sarifLocation(f *audit.Finding, cwd string) sarif.Location {
	var loc sarif.Location
	d := f.Deciding
	if d != nil && d.File != "" {
		uri, base := sarif.ArtifactURI(d.File, cwd)
		loc.PhysicalLocation = &sarif.PhysicalLocation{ArtifactLocation: sarif.ArtifactLocation{URI: uri, URIBaseID: base}}
		if d.Line > 0 {
			loc.PhysicalLocation.Region = &sarif.Region{StartLine: d.Line}
		}
	}
	if d != nil {
		if name := statementName(d); name != "" {
			loc.LogicalLocations = append(loc.LogicalLocations, sarif.LogicalLocation{FullyQualifiedName: name, Kind: "object"})
		}
	}
	if f.Principal != "" {
		loc.LogicalLocations = append(loc.LogicalLocations, sarif.LogicalLocation{FullyQualifiedName: f.Principal, Kind: "resource"})
	}
	return loc
}

// statementName names a statement logically: its document's JSON path in
// the file when known ("UserDetailList[0].UserPolicyList[1].PolicyDocument"),
// else the policy, then ".Statement[Sid]" (or "[N]" for an unnamed one).
func statementName(d *audit.StatementRef) string {
	name := d.Path
	if name == "" {
		name = d.Policy
	}
	if d.Statement != "" {
		if name != "" {
			name += "."
		}
		name += "Statement[" + strings.TrimPrefix(d.Statement, "#") + "]"
	}
	return name
}

// sarifFingerprint identifies a finding across runs: rule, principal,
// credential type and deciding statement (not lines or counts).
func sarifFingerprint(f *audit.Finding) string {
	policy, stmt := "", ""
	if f.Deciding != nil {
		policy, stmt = f.Deciding.Policy, f.Deciding.Statement
	}
	return sarif.Fingerprint(f.Rule, f.Principal, string(f.Credential), policy, stmt)
}

func sarifProperties(f *audit.Finding) map[string]any {
	p := map[string]any{"principal": f.Principal}
	if f.Credential != "" {
		p["credential"] = string(f.Credential)
	}
	if n := actionCount(f); n > 0 {
		p["actionCount"] = n
		acts := slices.Clone(f.Actions)
		if acts == nil {
			acts = []string{}
		}
		p["actions"] = acts
	}
	if f.Deciding != nil {
		p["policy"] = f.Deciding.Policy
		p["statement"] = f.Deciding.Statement
	}
	if len(f.Users) > 0 {
		p["users"] = slices.Clone(f.Users)
	}
	return p
}
