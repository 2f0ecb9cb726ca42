// Package lint is `awsmfa policy lint`.
package lint

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/examples"
	"github.com/awsmfa/awsmfa/internal/cmd/version"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	linter "github.com/awsmfa/awsmfa/internal/lint"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Options are the command's inputs.
type Options struct {
	IO        *iostreams.IOStreams
	Files     []string
	Format    string
	FailOn    string
	Kind      string
	Disable   []string
	Enable    []string
	ListRules bool
	// Examples is read when no file is named (the embedded seed policies).
	Examples fs.FS
}

var formats = []string{"text", "json", "sarif"}

// NewCmdLint returns the command; runF replaces Run in tests.
func NewCmdLint(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Examples: examples.FS}
	var output string
	cmd := &cobra.Command{
		Use:   "lint [FILE...]",
		Short: "Find MFA mistakes and errors in IAM policies",
		Long: `Lint IAM policies for the mistakes that silently leave the AWS CLI open, and
for general validity errors. FILE may be a policy JSON file, a CloudFormation
template (JSON or YAML), a Terraform plan ('terraform show -json'), or AWS CLI
output that holds policies; '-' reads standard input. Policies embedded in
templates and plans are linted in place, with their own line numbers.

With no FILE, lints the bundled seed policies (one broken, two correct).

Exit status: 0 when no finding is at or above --fail-on, 1 otherwise, 2 for
usage errors, unreadable files and input beyond a limit (a file of more than
64 MiB, 2 MiB of YAML, nesting deeper than 256 levels).`,
		Example: `  awsmfa policy lint policy.json
  awsmfa policy lint --format sarif template.yaml > awsmfa.sarif
  terraform show -json plan.out | awsmfa policy lint -
  awsmfa policy lint --list-rules`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			if cmd.Flags().Changed("output") {
				if cmd.Flags().Changed("format") && output != o.Format {
					return cmdutil.UsageError("--output and --format disagree")
				}
				o.Format = output
			}
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "text", "output format: text, json or sarif")
	f.StringVarP(&output, "output", "o", "text", "same as --format")
	f.StringVar(&o.FailOn, "fail-on", "warning", "lowest severity that makes the exit status 1: error, warning, info or none")
	f.StringVar(&o.Kind, "kind", "", "treat every policy as this kind: identity, managed, inline-user, inline-group, inline-role, resource, trust, boundary, scp, rcp, session (default: from context)")
	f.StringSliceVar(&o.Disable, "disable", nil, "rule ids not to run (comma-separated or repeated)")
	f.StringSliceVar(&o.Enable, "enable", nil, "optional rule ids to run")
	f.BoolVar(&o.ListRules, "list-rules", false, "list the rules and exit")
	for _, name := range []string{"format", "output"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	}
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"error", "warning", "info", "none"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions(linter.KindNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run lints the files and prints the findings.
func Run(o *Options) error {
	if o.Format != "text" && o.Format != "json" && o.Format != "sarif" {
		return cmdutil.UsageError("--format: %q is not one of %s", o.Format, strings.Join(formats, ", "))
	}
	failOn, failNone := linter.Severity(0), o.FailOn == "none"
	if !failNone {
		s, err := linter.ParseSeverity(o.FailOn)
		if err != nil {
			return cmdutil.UsageError("--fail-on: %v", err)
		}
		failOn = s
	}
	opts := linter.Options{Disable: o.Disable, Enable: o.Enable}
	for _, id := range append(append([]string(nil), o.Disable...), o.Enable...) {
		if _, ok := linter.LookupRule(id); !ok {
			return cmdutil.UsageError("unknown rule %q (see --list-rules)", id)
		}
	}
	if o.Kind != "" {
		k, store, ok := linter.ParseKind(o.Kind)
		if !ok {
			return cmdutil.UsageError("--kind: unknown policy kind %q (known: %s)", o.Kind, strings.Join(linter.KindNames(), ", "))
		}
		opts.Kind, opts.Store = k, store
	}
	if o.ListRules {
		return listRules(o)
	}

	inputs, err := o.inputs()
	if err != nil {
		return err
	}
	var findings []linter.Finding
	for _, in := range inputs {
		fs, err := linter.LintFile(in.name, in.data, opts)
		if err != nil {
			if !policy.IsLimit(err) {
				// Limit errors name the file, line and column themselves.
				err = fmt.Errorf("%s: %w", in.name, err)
			}
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
		}
		findings = append(findings, fs...)
	}
	linter.SortFindings(findings)

	switch o.Format {
	case "json":
		err = linter.WriteJSON(o.IO.Out, findings)
	case "sarif":
		err = linter.WriteSARIF(o.IO.Out, findings, version.String())
	default:
		err = linter.WriteText(o.IO.Out, findings)
		if err == nil {
			summary(o, len(inputs), findings)
		}
	}
	if err != nil {
		return err
	}
	if !failNone && linter.Count(findings, failOn) > 0 {
		return cmdutil.Findings()
	}
	return nil
}

type input struct {
	name string
	data []byte
}

func (o *Options) inputs() ([]input, error) {
	if len(o.Files) == 0 {
		names, err := fs.Glob(o.Examples, "*.json")
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		fmt.Fprintf(o.IO.ErrOut, "No files given: linting the bundled seed policies (%s).\n", strings.Join(names, ", "))
		var out []input
		for _, n := range names {
			b, err := fs.ReadFile(o.Examples, n)
			if err != nil {
				return nil, err
			}
			out = append(out, input{name: path.Join("examples", n), data: b})
		}
		return out, nil
	}
	var out []input
	stdinUsed := false
	for _, f := range o.Files {
		if f == "-" {
			if stdinUsed {
				return nil, cmdutil.UsageError("standard input ('-') named twice")
			}
			stdinUsed = true
		}
		b, name, err := cmdutil.ReadInputLimit(f, o.IO.In, linter.MaxInputBytes, "policy lint input")
		if err != nil {
			return nil, &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
		}
		out = append(out, input{name: name, data: b})
	}
	return out, nil
}

func summary(o *Options, files int, findings []linter.Finding) {
	if len(findings) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "%d file(s) checked: no findings.\n", files)
		return
	}
	by := map[linter.Severity]int{}
	for _, f := range findings {
		by[f.Severity]++
	}
	fmt.Fprintf(o.IO.ErrOut, "%d file(s) checked: %d finding(s) (%d error, %d warning, %d info).\n",
		files, len(findings), by[linter.SeverityError], by[linter.SeverityWarning], by[linter.SeverityInfo])
}

func listRules(o *Options) error {
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tSUMMARY")
	for _, r := range linter.Rules() {
		sum := r.Summary
		if r.Optional {
			sum += " (optional: --enable " + r.ID + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, sum)
	}
	return tw.Flush()
}
