package lab

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/scenario/seed"
)

// InitOptions are the inputs of `awsmfa lab init`.
type InitOptions struct {
	IO       *iostreams.IOStreams
	Scenario string
	Dir      string
	State    string
	Endpoint string
	Force    bool
	List     bool
	Output   string
}

// NewCmdInit returns `awsmfa lab init`; runF replaces RunInit in tests.
func NewCmdInit(ios *iostreams.IOStreams, runF func(*InitOptions) error) *cobra.Command {
	o := &InitOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Seed a lab account from a scenario and write an AWS config directory for it",
		Long: `Create a lab account from a scenario (users with access keys and virtual MFA
devices, groups, managed and inline policies, roles) in the state file, and
write an AWS config directory that points the AWS CLI, boto3 and the SDKs at
the lab:

  config, credentials  one profile per user, one per role profile (role_arn,
                       source_profile, mfa_serial); mode 0600
  lab-mfa.json         the MFA devices' base32 seeds (oathtool --totp -b SEED)
  env.sh               exports AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
                       AWS_DATA_PATH and AWS_ENDPOINT_URL
  endpoint             the lab URL
  data/                endpoint rule sets for AWS_DATA_PATH: the AWS CLI v2
                       before 2.13 ignores --endpoint-url for the AssumeRole
                       of an mfa_serial profile; these send it to the lab

Scenarios (--list shows them): the seeds' setups, seed-000-bool,
seed-004-boolifexists and seed-002-role-mfa, and "default", all three in one
account.

init refuses a state that already holds an account and a non-empty
directory; --force replaces both (stop "awsmfa lab serve" first), but never a
directory whose config or credentials were not written by awsmfa.`,
		Example: `  awsmfa lab init
  awsmfa lab init --scenario seed-000-bool --dir ./lab-aws --state ./lab.sqlite
  awsmfa lab init --list`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(o.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return RunInit(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Scenario, "scenario", scenario.DefaultName, "scenario to seed (see --list)")
	f.StringVar(&o.Dir, "dir", "", "AWS config directory to write (default $XDG_CONFIG_HOME/awsmfa/lab)")
	f.StringVar(&o.State, "state", "", "state file (default $XDG_STATE_HOME/awsmfa/lab.sqlite)")
	f.StringVar(&o.Endpoint, "endpoint", "http://"+lab.DefaultAddr, "lab URL the profiles point at (as served by awsmfa lab serve --addr)")
	f.BoolVar(&o.Force, "force", false, "replace an existing lab state and config directory")
	f.BoolVar(&o.List, "list", false, "list the scenarios and exit")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	_ = cmd.RegisterFlagCompletionFunc("scenario", cobra.FixedCompletions(scenario.Names(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// DefaultConfigDir is the config directory without --dir:
// $XDG_CONFIG_HOME/awsmfa/lab, else ~/.config/awsmfa/lab.
func DefaultConfigDir() (string, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "awsmfa", "lab"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot locate the home directory for the default config directory; use --dir")
	}
	return filepath.Join(home, ".config", "awsmfa", "lab"), nil
}

// initResult is what init did, for --output json (no secrets).
type initResult struct {
	Scenario string       `json:"scenario"`
	Account  string       `json:"account"`
	State    string       `json:"state"`
	Dir      string       `json:"dir"`
	Endpoint string       `json:"endpoint"`
	Files    []string     `json:"files"`
	Users    []initUser   `json:"users"`
	Roles    []initRole   `json:"roles"`
	Commands []initTryCmd `json:"commands"`
}

type initUser struct {
	Name        string `json:"name"`
	ARN         string `json:"arn"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	MFASerial   string `json:"mfaSerial,omitempty"`
}

type initRole struct {
	Name     string   `json:"name"`
	ARN      string   `json:"arn"`
	Profiles []string `json:"profiles,omitempty"`
}

type initTryCmd struct {
	Command string `json:"command"`
	Comment string `json:"comment,omitempty"`
}

// RunInit seeds the state and writes the config directory.
func RunInit(o *InitOptions) error {
	if o.List {
		return listScenarios(o)
	}
	sc, err := scenario.Load(o.Scenario)
	if err != nil {
		return cmdutil.UsageError("--scenario: %v", err)
	}
	if err := scenario.ValidateEndpoint(o.Endpoint); err != nil {
		return cmdutil.UsageError("--endpoint: %v", err)
	}
	failed := func(err error) error { return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err} }
	dir := o.Dir
	if dir == "" {
		if dir, err = DefaultConfigDir(); err != nil {
			return cmdutil.UsageError("%v", err)
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return failed(err)
	}
	statePath := o.State
	if statePath == "" {
		if statePath, err = lab.DefaultStatePath(); err != nil {
			return cmdutil.UsageError("%v", err)
		}
	}
	if statePath, err = filepath.Abs(statePath); err != nil {
		return failed(err)
	}
	// Check both destinations before changing either.
	if err := scenario.CheckConfigDir(dir, o.Force); err != nil {
		return failed(err)
	}
	if err := checkState(o.IO, statePath, o.Force); err != nil {
		return failed(err)
	}
	if o.Force {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if err := os.Remove(statePath + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return failed(err)
			}
		}
	}
	st, err := openStore(o.IO, statePath)
	if err != nil {
		return failed(err)
	}
	defer st.Close()
	applied, err := seed.Apply(st, sc)
	if err != nil {
		return failed(fmt.Errorf("seeding %s: %w", statePath, err))
	}
	files, err := scenario.WriteConfigDir(dir, applied, scenario.WriteOptions{Endpoint: o.Endpoint, State: statePath, Force: o.Force})
	if err != nil {
		return failed(fmt.Errorf("writing %s: %w", dir, err))
	}
	res := describeInit(applied, sc.Try, statePath, dir, strings.TrimSuffix(o.Endpoint, "/"), files)
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, res)
	}
	return writeInitText(o.IO.Out, res)
}

// checkState refuses a state file that already holds an account's entities
// unless force is set.
func checkState(ios *iostreams.IOStreams, path string, force bool) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	st, err := openStore(ios, path)
	if err != nil {
		if force {
			return nil
		}
		return fmt.Errorf("%s is not a lab state (%v); use another --state", path, err)
	}
	defer st.Close()
	users, err := st.ListUsers("/")
	if err != nil {
		return err
	}
	roles, err := st.ListRoles("/")
	if err != nil {
		return err
	}
	if (len(users) > 0 || len(roles) > 0) && !force {
		return fmt.Errorf("the lab state %s already holds an account (%d users, %d roles); use --force to replace it (stop awsmfa lab serve first) or another --state", path, len(users), len(roles))
	}
	return nil
}

func listScenarios(o *InitOptions) error {
	type entry struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	var list []entry
	for _, n := range scenario.Names() {
		sc, err := scenario.Load(n)
		if err != nil {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
		}
		list = append(list, entry{n, sc.Description})
	}
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, list)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 0, 2, ' ', 0)
	for _, e := range list {
		fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Description)
	}
	return tw.Flush()
}

func describeInit(a *scenario.Applied, try []scenario.Try, state, dir, endpoint string, files []string) initResult {
	res := initResult{Scenario: a.Scenario, Account: a.Account, State: state, Dir: dir, Endpoint: endpoint, Files: files,
		Users: []initUser{}, Roles: []initRole{}}
	for _, u := range a.Users {
		iu := initUser{Name: u.Name, ARN: u.ARN, MFASerial: u.MFASerial}
		if len(u.AccessKeys) > 0 {
			iu.AccessKeyID = u.AccessKeys[0].ID
		}
		res.Users = append(res.Users, iu)
	}
	for _, r := range a.Roles {
		ir := initRole{Name: r.Name, ARN: r.ARN}
		for _, p := range r.Profiles {
			ir.Profiles = append(ir.Profiles, p.Name)
		}
		res.Roles = append(res.Roles, ir)
	}
	q := shellQuote
	add := func(cmd, comment string) { res.Commands = append(res.Commands, initTryCmd{cmd, comment}) }
	serve := "awsmfa lab serve --state " + q(state)
	if host, ok := strings.CutPrefix(endpoint, "http://"); ok && host != lab.DefaultAddr {
		serve += " --addr " + host
	}
	add(serve+" &", "start the lab (here in the background, or in another terminal)")
	add("export AWS_CONFIG_FILE="+q(filepath.Join(dir, scenario.ConfigFile))+
		" AWS_SHARED_CREDENTIALS_FILE="+q(filepath.Join(dir, scenario.CredentialsFile))+
		" AWS_DATA_PATH="+q(filepath.Join(dir, scenario.DataDir)),
		"use the lab's profiles (same as: . "+q(filepath.Join(dir, scenario.EnvFile))+"); AWS_DATA_PATH sends the AWS CLI's own AssumeRole to the lab")
	// The user whose MFA device a profile uses: the user itself, or a role
	// profile's source user.
	profileUser := map[string]scenario.AppliedUser{}
	for _, u := range a.Users {
		profileUser[u.Name] = u
	}
	for _, r := range a.Roles {
		for _, p := range r.Profiles {
			if u, ok := a.User(p.SourceUser); ok {
				profileUser[p.Name] = u
			}
		}
	}
	for _, t := range try {
		u := profileUser[t.Profile]
		expand := func(s string) string {
			codeCmd := "awsmfa lab totp --state " + q(state) + " --serial " + u.MFASerial
			return strings.NewReplacer("{mfa_serial}", u.MFASerial, "{mfa_code}", "$("+codeCmd+")", "{mfa_code_cmd}", codeCmd).Replace(s)
		}
		add("aws --endpoint-url "+endpoint+" --profile "+t.Profile+" "+expand(t.Args), expand(t.Expect))
	}
	if len(try) == 0 {
		for _, u := range a.Users {
			if len(u.AccessKeys) > 0 {
				add("aws --endpoint-url "+endpoint+" --profile "+u.Name+" sts get-caller-identity", "")
			}
		}
	}
	return res
}

func writeInitText(w io.Writer, res initResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Seeded lab account %s with scenario %q in %s.\n", res.Account, res.Scenario, res.State)
	var users []string
	for _, u := range res.Users {
		s := u.Name
		if u.MFASerial != "" {
			s += " (MFA device " + u.MFASerial + ")"
		}
		users = append(users, s)
	}
	fmt.Fprintf(&b, "Users: %s\n", strings.Join(users, ", "))
	for _, r := range res.Roles {
		fmt.Fprintf(&b, "Role: %s (profiles: %s)\n", r.ARN, strings.Join(r.Profiles, ", "))
	}
	fmt.Fprintf(&b, "\nWrote (mode 0600) for endpoint %s:\n", res.Endpoint)
	for _, f := range res.Files {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	b.WriteString("\nTry it (AWS CLI v2):\n")
	for _, c := range res.Commands {
		if c.Comment != "" {
			fmt.Fprintf(&b, "  # %s\n", c.Comment)
		}
		fmt.Fprintf(&b, "  %s\n", c.Command)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shellQuote quotes s for a POSIX shell when needed.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._:-+=@,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
