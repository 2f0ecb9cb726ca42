// Package simulate is `awsmfa policy simulate`.
package simulate

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	sim "github.com/awsmfa/awsmfa/internal/simulate"
)

// Options are the command's inputs.
type Options struct {
	IO              *iostreams.IOStreams
	File            string
	Batch           bool
	Jobs            int
	Matrix          bool
	Credentials     []string
	Actions         []string
	Output          string
	ListCredentials bool
}

// NewCmdSimulate returns the command; runF replaces Run in tests.
func NewCmdSimulate(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios}
	cmd := &cobra.Command{
		Use:   "simulate [FILE]",
		Short: "Decide whether AWS would allow a request, and say which statement decided",
		Long: `Evaluate a request against every policy layer that applies to it, exactly as
AWS does, and explain the decision: which statement of which policy decided,
and why each condition matched or not (including "did not match because the
key is missing").

FILE (or standard input) holds one JSON document:

  {"request": {"principal": ARN, "action": "svc:Name", "resource": ARN or "*",
               "context": {"aws:MultiFactorAuthPresent": "true", ...}},
   "identityPolicies": [policy, ...], "resourcePolicy": policy,
   "permissionsBoundary": policy, "sessionPolicy": policy,
   "serviceControlPolicies": [[policy, ...], ...],   (one list per org level, root first)
   "resourceControlPolicies": [[policy, ...], ...]}

Field names are case-sensitive and checked: an unknown or misspelt field, a
field given twice, a request without a service:Action, or one context key in
two spellings is an error naming the file, line and column (and the field
meant). Context keys match policies case-insensitively, as in AWS. An input
is at most 4 MiB.

Decisions are named as in IAM's SimulatePrincipalPolicy: allowed,
explicitDeny, implicitDeny.

--credential TYPE sets the request's MFA keys (aws:MultiFactorAuthPresent,
aws:MultiFactorAuthAge, aws:PrincipalType, aws:TokenIssueTime) as that kind
of credential would; --list-credentials shows the types and their sources.
--matrix answers once per credential type (all of them, or those given with
--credential) and per --action, so you see at a glance that long-term access
keys get through a "Bool" policy.

--batch reads JSON Lines, one simulation per line, and writes one answer per
line; blank lines are skipped; a bad line is answered {"error": ..., "line": N}
and the batch goes on; a line longer than 4 MiB stops it (exit 2).

Exit status: 0 allowed (or --matrix/--batch answered), 1 denied, 2 bad input.`,
		Example: `  awsmfa policy simulate request.json
  awsmfa policy simulate --credential long-term-keys request.json
  awsmfa policy simulate --matrix --action s3:ListAllMyBuckets --action iam:ListUsers request.json
  awsmfa policy simulate --batch < requests.jsonl > answers.jsonl`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.File = args[0]
			}
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Batch, "batch", false, "read JSON Lines, answer one line per line")
	f.IntVar(&o.Jobs, "jobs", 1, "with --batch, answer lines on this many cores (answers stay in input order)")
	f.BoolVar(&o.Matrix, "matrix", false, "answer once per credential type and action")
	f.StringArrayVar(&o.Credentials, "credential", nil, "credential type whose MFA context to use (repeatable with --matrix)")
	f.StringArrayVar(&o.Actions, "action", nil, "action to simulate with --matrix (repeatable; default: the request's)")
	f.BoolVar(&o.ListCredentials, "list-credentials", false, "list the credential types, their MFA keys and sources, and exit")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	_ = cmd.RegisterFlagCompletionFunc("credential", cobra.FixedCompletions(credctx.Names(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run performs the simulation(s) and prints the answer.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if o.ListCredentials {
		return listCredentials(o)
	}
	var creds []credctx.Row
	for _, name := range o.Credentials {
		row, ok := credctx.Lookup(name)
		if !ok {
			return cmdutil.UsageError("--credential: unknown credential type %q (known: %s)", name, strings.Join(credctx.Names(), ", "))
		}
		creds = append(creds, row)
	}
	switch {
	case o.Jobs < 1 || o.Jobs > maxJobs:
		return cmdutil.UsageError("--jobs must be between 1 and %d", maxJobs)
	case o.Jobs > 1 && !o.Batch:
		return cmdutil.UsageError("--jobs needs --batch")
	case o.Batch && (o.Matrix || len(creds) > 0 || len(o.Actions) > 0):
		return cmdutil.UsageError("--batch cannot be combined with --matrix, --credential or --action: put the context in each line")
	case !o.Matrix && len(creds) > 1:
		return cmdutil.UsageError("--credential given %d times: use --matrix to compare credential types", len(creds))
	case !o.Matrix && len(o.Actions) > 0:
		return cmdutil.UsageError("--action applies to --matrix; put the action in the request")
	}

	if o.Batch {
		return runBatch(o)
	}

	data, name, err := cmdutil.ReadInputLimit(o.File, o.IO.In, sim.MaxInputBytes, "policy simulate input")
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	in, err := sim.ParseInput(name, data)
	if err != nil {
		if strings.Contains(err.Error(), "after the top-level value") {
			err = fmt.Errorf("%w (one input per file; use --batch for JSON Lines)", err)
		}
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	loc := sim.NewLocator(data)

	if o.Matrix {
		if len(creds) == 0 {
			creds = credctx.All()
		}
		rows, err := sim.Matrix(in, o.Actions, creds)
		if err != nil {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("%s: %w", name, err)}
		}
		loc.RelocateRows(rows)
		if o.Output == cmdutil.OutputJSON {
			return writeJSON(o.IO.Out, map[string]any{"rows": rows})
		}
		return writeMatrix(o.IO.Out, rows)
	}

	if len(creds) == 1 {
		if in.Request.Context == nil {
			in.Request.Context = map[string]json.RawMessage{}
		}
		creds[0].ApplyFor(in.Request.Context, in.Request.Action, nowFunc())
	}
	out, err := sim.Run(in)
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("%s: %w", name, err)}
	}
	loc.Relocate(out)
	if o.Output == cmdutil.OutputJSON {
		err = writeJSON(o.IO.Out, out)
	} else {
		err = writeText(o.IO.Out, name, out)
	}
	if err != nil {
		return err
	}
	if out.Decision != sim.Allowed {
		return cmdutil.Findings()
	}
	return nil
}

// maxJobs bounds --jobs; batchGCPercent is the GC target during --batch.
const (
	maxJobs        = 256
	batchGCPercent = 400
)

// runBatch answers JSON Lines from the file or standard input, streaming:
// only one line (at most sim.MaxLineBytes) is held in memory.
func runBatch(o *Options) error {
	in, name := o.IO.In, "<stdin>"
	if o.File != "" && o.File != "-" {
		f, err := os.Open(o.File)
		if err != nil {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
		}
		defer f.Close()
		in, name = f, o.File
	}
	// A batch whose lines bring new policies allocates much short-lived
	// garbage and keeps little: a larger heap goal trades a few hundred MB
	// at most for far fewer collections. GOGC, when set, wins.
	opts := sim.BatchOptions{Name: name, Jobs: o.Jobs}
	if os.Getenv("GOGC") == "" {
		prev, changed := 0, false
		opts.OnChurn = func() { prev, changed = debug.SetGCPercent(batchGCPercent), true }
		defer func() {
			if changed {
				debug.SetGCPercent(prev)
			}
		}()
	}
	if err := sim.RunBatch(in, o.IO.Out, opts); err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func statementLabel(ms *sim.MatchedStatement) string {
	name := layerField(ms) + " statement "
	if ms.Sid != "" {
		name += fmt.Sprintf("%q", ms.Sid)
	} else {
		name += fmt.Sprintf("#%d", ms.Statement)
	}
	return name
}

// layerField names the policy as the input does: identityPolicies[1].
func layerField(ms *sim.MatchedStatement) string {
	switch ms.Layer {
	case "identity":
		return "identityPolicies[" + ms.Policy + "]"
	case "scp", "rcp":
		field := "serviceControlPolicies"
		if ms.Layer == "rcp" {
			field = "resourceControlPolicies"
		}
		lvl, idx, _ := strings.Cut(ms.Policy, "/")
		return field + "[" + lvl + "][" + idx + "]"
	case "resource":
		return "resourcePolicy"
	case "session":
		return "sessionPolicy"
	}
	return ms.Layer
}

func writeText(w io.Writer, file string, out *sim.Output) error {
	bw := &errWriter{w: w}
	bw.printf("%s\n", out.Decision)
	bw.printf("  %s\n", out.Reason)
	section := func(title string, list []sim.MatchedStatement) {
		if len(list) == 0 {
			return
		}
		bw.printf("%s:\n", title)
		for i := range list {
			ms := &list[i]
			bw.printf("  %s (%s) at %s:%d:%d\n", statementLabel(ms), ms.Effect, file, ms.Line, ms.Column)
			for _, c := range ms.Conditions {
				mark := "no "
				if c.Matched {
					mark = "yes"
				}
				bw.printf("    [%s] %s %s %s: %s\n", mark, c.Operator, c.Key, quoteList(c.Values), c.Why)
			}
		}
	}
	section("Deciding statements", out.MatchedStatements)
	section("Statements that did not apply", out.NearMisses)
	if len(out.Layers) > 0 {
		bw.printf("Layers:\n")
		for _, l := range out.Layers {
			if l.Note != "" {
				bw.printf("  %-20s %s (%s)\n", l.Layer, l.Decision, l.Note)
			} else {
				bw.printf("  %-20s %s\n", l.Layer, l.Decision)
			}
		}
	}
	return bw.err
}

func writeMatrix(w io.Writer, rows []sim.MatrixRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CREDENTIAL\tACTION\tDECISION\tDECIDED BY\tNOTE")
	for _, r := range rows {
		by := "-"
		if r.Statement != nil {
			by = shortLabel(r.Statement)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Credential, r.Action, r.Decision, by, escapeNote(r.NearMiss))
	}
	return tw.Flush()
}

// escapeNote points out a Deny that did not apply only because a condition
// key was absent from the request: the seed lesson.
func escapeNote(nm *sim.MatchedStatement) string {
	if nm == nil || nm.Effect != "Deny" {
		return ""
	}
	for _, c := range nm.Conditions {
		if !c.Matched && !c.Present {
			return "Deny " + shortLabel(nm) + " skipped: " + c.Key + " absent"
		}
	}
	return ""
}

func shortLabel(ms *sim.MatchedStatement) string {
	if ms.Sid != "" {
		return fmt.Sprintf("%s %q", layerField(ms), ms.Sid)
	}
	return fmt.Sprintf("%s #%d", layerField(ms), ms.Statement)
}

func listCredentials(o *Options) error {
	rows := credctx.All()
	if o.Output == cmdutil.OutputJSON {
		return writeJSON(o.IO.Out, rows)
	}
	bw := &errWriter{w: o.IO.Out}
	for _, r := range rows {
		bw.printf("%s\n  %s\n", r.Name, r.Description)
		for _, k := range r.Keys {
			switch {
			case !k.Present:
				bw.printf("    %-28s absent\n", k.Name)
			case k.Value != "":
				bw.printf("    %-28s %q\n", k.Name, k.Value)
			default:
				bw.printf("    %-28s present (value from the request)\n", k.Name)
			}
		}
		seen := map[string]bool{}
		for _, s := range r.Sources {
			if !seen[s.URL] {
				seen[s.URL] = true
				bw.printf("    source: %s\n", s.URL)
			}
		}
	}
	return bw.err
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// nowFunc is the clock used for aws:TokenIssueTime (replaced in tests).
var nowFunc = time.Now
