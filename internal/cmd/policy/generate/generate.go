// Package generate is `awsmfa policy generate`.
package generate

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/policygen"
)

// Options are the command's inputs.
type Options struct {
	IO         *iostreams.IOStreams
	Template   string
	MaxMFAAge  int
	Principals []string
	Format     string
	Name       string
	Partition  string
}

// NewCmdGenerate returns the command; runF replaces Run in tests.
func NewCmdGenerate(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios}
	cmd := &cobra.Command{
		Use:   "generate " + strings.Join(policygen.Templates, "|"),
		Short: "Generate an IAM policy that requires MFA correctly",
		Long: `Generate an IAM policy that requires MFA and that long-term access keys cannot
slip past. Every generated policy passes 'awsmfa policy lint' with no findings.

Templates:
  deny-without-mfa   identity policy: deny everything except enrolling an MFA
                     device and getting an MFA session, unless MFA was used
                     (BoolIfExists, so requests signed with access keys are denied)
  self-manage-mfa    identity policy: let users enrol and manage their own MFA
                     device, plus the deny above
  trust-require-mfa  role trust policy: only the given principals, only with MFA`,
		Example: `  awsmfa policy generate deny-without-mfa
  awsmfa policy generate deny-without-mfa --max-mfa-age 43200 --format terraform
  awsmfa policy generate trust-require-mfa --principal arn:aws:iam::123456789012:user/anika --format cloudformation`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: policygen.Templates,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Template = args[0]
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.MaxMFAAge, "max-mfa-age", 0, "also require the MFA sign-in to be at most this many seconds old")
	f.StringArrayVar(&o.Principals, "principal", nil, "principal a trust policy admits: IAM user/role ARN, root ARN or account id (repeatable)")
	f.StringVar(&o.Format, "format", policygen.FormatJSON, "output format: json, terraform or cloudformation")
	f.StringVar(&o.Name, "name", "", "policy or role name for terraform/cloudformation (default: from the template)")
	f.StringVar(&o.Partition, "partition", "aws", "ARN partition (aws, aws-cn, aws-us-gov)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(policygen.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run generates the policy and prints it to stdout.
func Run(o *Options) error {
	doc, err := policygen.Generate(policygen.Options{
		Template:   o.Template,
		MaxMFAAge:  o.MaxMFAAge,
		Principals: o.Principals,
		Partition:  o.Partition,
	})
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	name := o.Name
	if name == "" {
		name = defaultName(o.Template)
	}
	out, err := policygen.Render(doc, policygen.Kind(o.Template), o.Format, name)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	_, err = o.IO.Out.Write(out)
	if err == nil && len(out) > 0 && out[len(out)-1] != '\n' {
		_, err = fmt.Fprintln(o.IO.Out)
	}
	return err
}

func defaultName(template string) string {
	switch template {
	case policygen.DenyWithoutMFA:
		return "DenyWithoutMFA"
	case policygen.SelfManageMFA:
		return "SelfManageMFA"
	default:
		return "RequireMFARole"
	}
}
