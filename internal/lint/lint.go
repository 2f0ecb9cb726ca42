package lint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// MaxInputBytes is the largest file lint reads: CloudFormation templates
// are at most 1 MB (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
// but Terraform plans (`terraform show -json`) and AWS CLI
// get-account-authorization-details output of large accounts run to tens of
// megabytes.
const MaxInputBytes = 64 << 20

// Options select rules and the policy kind.
type Options struct {
	// Disable lists rule IDs not to run.
	Disable []string
	// Enable lists optional rules to run (see Rule.Optional).
	Enable []string
	// Kind, when not KindUnknown, is used for every policy instead of the
	// kind found from the policy's context.
	Kind policy.Kind
	// Store, when not StoreUnknown, is used for every identity-based
	// policy instead of the store found from its context (it decides the
	// size quota).
	Store policysource.Store
}

// ParseKind reads a --kind value: a policy kind (identity, resource,
// trust, boundary, scp, rcp, session) or how an identity-based policy is
// stored (managed, inline-user, inline-group, inline-role), which decides
// its size quota.
func ParseKind(s string) (policy.Kind, policysource.Store, bool) {
	for _, st := range []policysource.Store{policysource.StoreManaged, policysource.StoreInlineUser, policysource.StoreInlineGroup, policysource.StoreInlineRole} {
		if strings.EqualFold(s, st.String()) {
			return policy.KindIdentity, st, true
		}
	}
	k, ok := policy.ParseKindName(s)
	if !ok || k == policy.KindUnknown {
		return policy.KindUnknown, policysource.StoreUnknown, false
	}
	return k, policysource.StoreUnknown, true
}

// KindNames lists the values ParseKind accepts.
func KindNames() []string {
	return []string{"identity", "managed", "inline-user", "inline-group", "inline-role", "resource", "trust", "boundary", "scp", "rcp", "session"}
}

func (o *Options) enabled(id string) bool {
	for _, d := range o.Disable {
		if d == id {
			return false
		}
	}
	r, ok := LookupRule(id)
	if !ok {
		return false
	}
	if !r.Optional {
		return true
	}
	for _, e := range o.Enable {
		if e == id {
			return true
		}
	}
	return false
}

// Lint checks one policy. src says where the policy was found (file, path,
// kind); doc is the policy built from src.Node. doc may be a partial
// document built despite errors: every rule only looks at what is there.
// Findings come back sorted (SortFindings).
func Lint(src policysource.Source, doc *policy.Document, opts Options) []Finding {
	if doc == nil {
		return nil
	}
	kind := src.Kind
	if opts.Kind != policy.KindUnknown {
		kind = opts.Kind
	}
	l := &linter{src: src, doc: doc, kind: kind, opts: &opts}
	l.run()
	l.noteDropped()
	SortFindings(l.out)
	return l.out
}

// LintFile finds every policy in a file (see policysource.Extract), builds
// each one and lints it. A file that is not valid JSON or YAML, and every
// error of the policy builder, become "invalid-policy" findings at the
// position of the error. The error result is for failures that are not
// about the policies: input beyond a limit (policy.IsLimit: nesting deeper
// than policy.MaxDepth, more than policy.MaxValues values, YAML beyond
// policysource.MaxYAMLBytes), which is refused rather than linted.
func LintFile(file string, data []byte, opts Options) ([]Finding, error) {
	srcs, err := policysource.Extract(file, data, opts.Kind)
	if err != nil {
		var list policy.ErrorList
		if errors.As(err, &list) && !policy.IsLimit(err) {
			out := invalidFindings(list, policysource.Source{File: file}, opts)
			SortFindings(out)
			return out, nil
		}
		return nil, err
	}
	for _, src := range srcs {
		if policy.IsLimit(src.Err) {
			return nil, src.Err
		}
	}
	var out []Finding
	sizes := make([]policySize, len(srcs))
	for i, src := range srcs {
		out = append(out, LintSource(src, opts)...)
		if src.Node != nil {
			sizes[i] = measure(src)
		}
	}
	out = append(out, checkEntitySizes(srcs, sizes, opts)...)
	SortFindings(out)
	return out, nil
}

// LintSource builds and lints one extracted policy.
func LintSource(src policysource.Source, opts Options) []Finding {
	if src.Err != nil {
		var list policy.ErrorList
		if errors.As(src.Err, &list) {
			return invalidFindings(list, src, opts)
		}
		return invalidFindings(policy.ErrorList{{File: src.File, Msg: src.Err.Error()}}, src, opts)
	}
	kind := src.Kind
	if opts.Kind != policy.KindUnknown {
		kind = opts.Kind
	}
	doc, err := policy.FromNodeKind(src.File, src.Node, kind)
	var out []Finding
	if err != nil {
		var list policy.ErrorList
		if !errors.As(err, &list) {
			list = policy.ErrorList{{File: src.File, Msg: err.Error()}}
		}
		out = invalidFindings(list, src, opts)
	}
	out = append(out, Lint(src, doc, opts)...)
	SortFindings(out)
	return out
}

func invalidFindings(list policy.ErrorList, src policysource.Source, opts Options) []Finding {
	if !opts.enabled(RuleInvalidPolicy) {
		return nil
	}
	out := make([]Finding, 0, len(list))
	for _, e := range list {
		file := e.File
		if file == "" {
			file = src.File
		}
		out = append(out, Finding{
			Rule:     RuleInvalidPolicy,
			Severity: SeverityError,
			Message:  e.Msg,
			Fix:      "Correct the document: AWS rejects a policy with this error (MalformedPolicyDocument), and no other check can be trusted until it is fixed.",
			File:     file,
			Line:     e.Pos.Line,
			Column:   e.Pos.Column,
			Path:     src.Path,
		})
	}
	return out
}

// linter holds the state of one Lint call.
type linter struct {
	src  policysource.Source
	doc  *policy.Document
	kind policy.Kind
	opts *Options
	out  []Finding
	// mfa holds the MFA analysis of each statement.
	mfa []mfaAnalysis
	// dropped counts findings beyond MaxFindingsPerPolicy; first is the
	// first of them.
	dropped int
	first   Finding
	// peers are the Deny statements denyUnionExcept considers.
	peers     []int
	peersDone bool
}

// MaxFindingsPerPolicy is the most findings Lint reports for one policy;
// one more finding says how many were left out. A real policy has a few;
// a hostile one (a million invalid actions) could otherwise produce one per
// value.
const MaxFindingsPerPolicy = 200

// noteDropped adds the finding that says how many were left out.
func (l *linter) noteDropped() {
	if l.dropped == 0 {
		return
	}
	f := l.first
	f.Message = fmt.Sprintf("%d more findings in this policy are not reported (at most %d per policy); the first was: %s", l.dropped, MaxFindingsPerPolicy, f.Message)
	l.out = append(l.out, f)
}

func (l *linter) run() {
	l.mfa = make([]mfaAnalysis, len(l.doc.Statements))
	for i, s := range l.doc.Statements {
		if s != nil {
			l.mfa[i] = analyzeMFA(s)
		}
	}
	l.checkMFA()
	l.checkEnrollment()
	l.checkTrust()
	l.checkSCP()
	l.checkConditionTypes()
	l.checkVersion()
	l.checkActionsAndResources()
	l.checkSize()
}

// report adds a finding. sev 0 means the rule's default severity; s may be
// nil for findings about the whole document. pos falls back to the
// statement's, then the document's position.
func (l *linter) report(rule string, sev Severity, pos policy.Pos, s *policy.Statement, msg, fix string) {
	if !l.opts.enabled(rule) {
		return
	}
	if sev == 0 {
		r, _ := LookupRule(rule)
		sev = r.Severity
	}
	if !pos.IsValid() && s != nil {
		pos = s.Pos
	}
	if !pos.IsValid() {
		pos = l.doc.Pos
	}
	f := Finding{
		Rule: rule, Severity: sev, Message: msg, Fix: fix,
		File: l.src.File, Line: pos.Line, Column: pos.Column, Path: l.src.Path,
	}
	if f.File == "" {
		f.File = l.doc.File
	}
	if s != nil {
		f.Statement = s.Label()
	}
	if len(l.out) >= MaxFindingsPerPolicy {
		if l.dropped == 0 {
			l.first = f
		}
		l.dropped++
		return
	}
	l.out = append(l.out, f)
}
