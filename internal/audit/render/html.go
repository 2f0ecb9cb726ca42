package render

import (
	_ "embed"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/awsmfa/awsmfa/internal/audit"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlTemplate is parsed once, on first use (not at every awsmfa start); html/template escapes every value by its
// context (text, attribute, URL).
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(htmlSource))
})

// HTML prints the report as one self-contained page: inline CSS, no
// script, no request to the network (a Content-Security-Policy forbids
// any). The matrix is a coloured table with a legend (groups of identical
// rows fold their names into a <details> element unless opts.All), then
// every finding with its deciding statement and fix. It reads well on a
// 1366x768 laptop screen.
func HTML(w io.Writer, rep *audit.Report, opts Options) error {
	return htmlTemplate().Execute(w, htmlModel(rep, opts))
}

// The page's data, prepared so the template only loops and prints.
type htmlPage struct {
	Account, Source, Version string
	Notes                    []string
	Summary                  []htmlSeverity
	Users                    int
	Grouped                  bool
	Columns                  []htmlColumn
	Groups                   []htmlGroup
	Legend                   []htmlCell
	Assumed                  bool
	Findings                 []htmlFinding
}

type htmlSeverity struct {
	Severity, Label string
	Count           int
	Rules           []ruleCount
}

type htmlColumn struct{ Name, Label, Help string }

type htmlGroup struct {
	Label, ARN, Devices, Names, Uniform string
	Count                               int
	Acts                                bool
	Assumed                             bool
	Cells                               []htmlCell
}

type htmlCell struct{ Label, Class, Title string }

type htmlFinding struct {
	ID, Severity, Rule, Principal, Credential, Message, Fix string
	HelpURI                                                 string
	Actions                                                 []string
	ActionCount, MoreActions                                int
	Deciding                                                *audit.StatementRef
	Where                                                   string
	Users                                                   []string
}

func htmlModel(rep *audit.Report, opts Options) htmlPage {
	findings := sortedFindings(rep)
	page := htmlPage{
		Account: rep.Account, Source: rep.Source, Version: opts.ToolVersion,
		Notes: rep.Notes, Users: len(rep.Users), Assumed: anyAssumed(rep),
		Legend: []htmlCell{
			{string(audit.ActsWithoutMFA), "v-acts", "something beyond MFA self-service is allowed without MFA"},
			{string(audit.MFARequired), "v-mfa", "nothing beyond MFA self-service is allowed without MFA"},
			{string(audit.NoAccess), "v-none", "nothing is allowed with these credentials"},
			{string(audit.NotApplicable), "v-na", "the user has no such credential"},
			{"allowed", "v-allowed", "with MFA (comparison column): something is allowed"},
		},
	}
	for _, s := range summarize(findings) {
		label := string(s.Severity) + "s"
		if s.Severity == audit.SeverityInfo {
			label = "info"
		}
		page.Summary = append(page.Summary, htmlSeverity{Severity: string(s.Severity), Label: label, Count: s.Count, Rules: s.Rules})
	}
	for _, c := range rep.Credentials {
		page.Columns = append(page.Columns, htmlColumn{Name: string(c), Label: columnLabel(c), Help: columnHelp(c)})
	}
	groups := groupUsers(rep, opts.All)
	page.Grouped = len(groups) < len(rep.Users)
	for _, g := range groups {
		page.Groups = append(page.Groups, htmlGroupOf(g, rep.Credentials))
	}
	for i := range findings {
		page.Findings = append(page.Findings, htmlFindingOf(i, &findings[i]))
	}
	return page
}

func htmlGroupOf(g *group, cols []audit.Credential) htmlGroup {
	hg := htmlGroup{
		Label: g.Label(), Devices: g.DevicesLabel(), Count: len(g.Users),
		Acts: g.acts > 0, Assumed: g.Assumed, Uniform: g.Uniform(cols),
	}
	if len(g.Users) == 1 {
		hg.ARN = g.Users[0].ARN
	} else {
		hg.Names = strings.Join(g.Names(), ", ")
	}
	for i, v := range g.Verdicts {
		hg.Cells = append(hg.Cells, htmlCell{Label: cellLabel(cols[i], v), Class: cellClass(cols[i], v), Title: string(cols[i]) + ": " + string(v)})
	}
	return hg
}

func htmlFindingOf(i int, f *audit.Finding) htmlFinding {
	r, _ := lookupRule(f.Rule, f.Severity)
	hf := htmlFinding{
		ID: "finding-" + strconv.Itoa(i+1), Severity: string(f.Severity), Rule: f.Rule,
		Principal: f.Principal, Credential: string(f.Credential), Message: f.Message, Fix: f.Fix,
		HelpURI: r.HelpURI, Actions: f.Actions, ActionCount: actionCount(f),
		Deciding: f.Deciding, Where: whereText(f.Deciding), Users: f.Users,
	}
	hf.MoreActions = hf.ActionCount - len(f.Actions)
	return hf
}
