// Package configure is `awsmfa configure`: write a role/MFA profile into
// the AWS config file, keeping every other byte of it.
package configure

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	osexec "os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// setting is a flag that sets one key of the profile.
type setting struct {
	flag, key, usage, question string
	validate                   func(string) error
}

var settings = []setting{
	{"role-arn", awsconfig.KeyRoleARN, "role to assume (role_arn)", "Role to assume (role_arn), empty for none",
		awsconfig.ValidateRoleARN},
	{"source-profile", awsconfig.KeySourceProfile, "profile with the access keys that assume the role (source_profile)",
		"Profile with your access keys (source_profile)", nil},
	{"mfa-serial", awsconfig.KeyMFASerial, "MFA device ARN or hardware serial (mfa_serial)", "MFA device (mfa_serial: arn:aws:iam::ACCOUNT:mfa/NAME)",
		awsconfig.ValidateMFASerial},
	{"region", awsconfig.KeyRegion, "region", "Region", awsconfig.ValidateRegion},
	{"mfa-process", awsconfig.KeyMFAProcess, "command that prints an MFA code (mfa_process)",
		"Command that prints an MFA code (mfa_process), empty to be asked on the terminal", nil},
	{"duration", awsconfig.KeyMFASessionDuration, "MFA session duration, 15m to 36h (mfa_session_duration)",
		"MFA session duration (mfa_session_duration, 15m to 36h)", func(s string) error { _, err := awsconfig.ParseMFASessionDuration(s); return err }},
	{"duration-seconds", awsconfig.KeyDurationSeconds, "role session duration in seconds (duration_seconds)", "",
		func(s string) error { _, err := awsconfig.ParseDurationSeconds(s); return err }},
	{"external-id", awsconfig.KeyExternalID, "external ID the role requires (external_id)", "", awsconfig.ValidateExternalID},
	{"role-session-name", awsconfig.KeyRoleSessionName, "role session name (role_session_name)", "", awsconfig.ValidateRoleSessionName},
	{"mode", awsconfig.KeyMFAMode, `"session" (one code for every role) or "per-role" (awsmfa_mode)`, "",
		func(s string) error {
			if s != string(awsconfig.MFAModeSession) && s != string(awsconfig.MFAModePerRole) {
				return fmt.Errorf("%q is not session or per-role", s)
			}
			return nil
		}},
}

// Options are the command's inputs.
type Options struct {
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Profile string
	// Values are the settings given as flags, by key ("" removes the key).
	Values map[string]string
	// CLIProfile also writes a profile whose credential_process runs
	// awsmfa for Profile, for the AWS CLI and SDKs.
	CLIProfile string
	// Executable is the awsmfa command written into credential_process
	// (default: "awsmfa" when that is this program on PATH, else this
	// program's absolute path).
	Executable string
}

// NewCmdConfigure returns the command; runF replaces Run in tests.
func NewCmdConfigure(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	values := make([]string, len(settings))
	cmd := &cobra.Command{
		Use:   "configure PROFILE [flags]",
		Short: "Write a role/MFA profile into ~/.aws/config, keeping the rest of the file",
		Long: `Set the keys of PROFILE in the AWS config file ($AWS_CONFIG_FILE or
~/.aws/config) from flags, or, without flags on a terminal, by asking. Every
byte outside the lines that change is kept: comments, order, blank lines,
other profiles. A flag given an empty value removes its key. The result is
checked (the profile must resolve) before the file is replaced, atomically.

A typical MFA setup is one profile holding the access keys (in
~/.aws/credentials) with mfa_serial, and role profiles built on it:

  awsmfa configure work --role-arn arn:aws:iam::123456789012:role/Admin \
      --source-profile me --mfa-serial arn:aws:iam::123456789012:mfa/me

--cli-profile NAME also writes profile NAME with
"credential_process = awsmfa credential-process --profile PROFILE", so that
"aws --profile NAME ..." and every SDK use awsmfa (one MFA code per session
for all roles).`,
		Example: `  awsmfa configure work --role-arn arn:aws:iam::123456789012:role/Admin --source-profile me --mfa-serial arn:aws:iam::123456789012:mfa/me --cli-profile work-cli
  awsmfa configure me --mfa-serial arn:aws:iam::123456789012:mfa/me --mfa-process "ykman oath accounts code -s aws"
  awsmfa configure work`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Profile = args[0]
			o.Values = map[string]string{}
			for i, s := range settings {
				if cmd.Flags().Changed(s.flag) {
					o.Values[s.key] = strings.TrimSpace(values[i])
				}
			}
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	for i, s := range settings {
		cmd.Flags().StringVar(&values[i], s.flag, "", s.usage)
	}
	cmd.Flags().StringVar(&o.CLIProfile, "cli-profile", "", "also write this profile with credential_process = awsmfa credential-process --profile PROFILE")
	return cmd
}

// change is one key's change, for the summary.
type change struct {
	profile, key, old, new string
	had, has               bool
}

// Run writes the profile.
func Run(o *Options) error {
	f := o.Factory
	if !awsconfig.IsIdentifier(o.Profile) {
		return cmdutil.UsageError("%q is not a valid profile name: use letters, digits and _-/.%%@:+", o.Profile)
	}
	if o.CLIProfile != "" && (!awsconfig.IsIdentifier(o.CLIProfile) || o.CLIProfile == o.Profile) {
		return cmdutil.UsageError("--cli-profile %q: give another valid profile name than %q", o.CLIProfile, o.Profile)
	}
	cfg, err := f.LoadConfig()
	if err != nil {
		return err
	}
	data, err := readFile(cfg.ConfigPath)
	if err != nil {
		return err
	}
	credData, err := readFile(cfg.CredentialsPath)
	if err != nil {
		return err
	}
	values := o.Values
	if len(values) == 0 && o.CLIProfile == "" {
		if !o.IO.IsStdinTTY() {
			return cmdutil.UsageError("no settings given: pass flags (see --help), or run in a terminal to be asked")
		}
		if values, err = ask(o, cfg); err != nil {
			return err
		}
	}
	for _, s := range settings {
		if v, ok := values[s.key]; ok && v != "" && s.validate != nil {
			if err := s.validate(v); err != nil {
				var p *awsconfig.MFASerialProblem
				if errors.As(err, &p) && p.Hint() != "" {
					err = fmt.Errorf("%w; %s", err, p.Hint())
				}
				return cmdutil.UsageError("--%s: %v", s.flag, err)
			}
		}
	}
	cliValue := ""
	if o.CLIProfile != "" {
		exe := o.Executable
		if exe == "" {
			exe = executable()
		}
		cliValue = exe + " credential-process --profile " + o.Profile
	}
	// The CLI profile's region: --region, else (once the profile is
	// known, below) the region of the profile or of its source profiles.
	cliRegion := values[awsconfig.KeyRegion]
	edit := func(in []byte) ([]byte, error) {
		var set []awsconfig.KeyValue
		var del []string
		for _, s := range settings {
			if v, ok := values[s.key]; ok {
				if v == "" {
					del = append(del, s.key)
				} else {
					set = append(set, awsconfig.KeyValue{Key: s.key, Value: v})
				}
			}
		}
		out := in
		var err error
		if len(set) > 0 {
			if out, err = awsconfig.SetProfile(out, o.Profile, set); err != nil {
				return nil, err
			}
		}
		if len(del) > 0 {
			if out, err = awsconfig.DeleteKeys(out, o.Profile, del); err != nil {
				return nil, err
			}
		}
		if cliValue != "" {
			kv := []awsconfig.KeyValue{{Key: awsconfig.KeyCredentialProcess, Value: cliValue}}
			if cliRegion != "" {
				kv = append(kv, awsconfig.KeyValue{Key: awsconfig.KeyRegion, Value: cliRegion})
			}
			if out, err = awsconfig.SetProfile(out, o.CLIProfile, kv); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// Check the result before writing it.
	check := func() (*awsconfig.Config, *awsconfig.Chain, []byte, error) {
		newData, err := edit(data)
		if err != nil {
			return nil, nil, nil, annotate(err, cfg.ConfigPath)
		}
		newCfg, err := awsconfig.Parse(awsconfig.File{Kind: awsconfig.ConfigFile, Path: cfg.ConfigPath, Data: newData},
			awsconfig.File{Kind: awsconfig.CredentialsFile, Path: cfg.CredentialsPath, Data: credData})
		if err != nil {
			return nil, nil, nil, annotate(err, cfg.ConfigPath)
		}
		newCfg.Env = cfg.Env
		ch, err := newCfg.Resolve(o.Profile)
		if err != nil {
			return nil, nil, nil, &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("%s was not changed: with these settings, %w", cfg.ConfigPath, err)}
		}
		return newCfg, ch, newData, nil
	}
	newCfg, ch, newData, err := check()
	if err != nil {
		return err
	}
	if o.CLIProfile != "" && cliRegion == "" && newCfg.Profile(o.CLIProfile).Value(awsconfig.KeyRegion) == "" {
		// The AWS CLI takes the region from the profile it is given, not
		// from the profiles credential_process uses.
		if cliRegion = chainRegion(newCfg, ch); cliRegion != "" {
			if newCfg, ch, newData, err = check(); err != nil {
				return err
			}
		}
	}
	changes := diff(data, newData, o.Profile, o.CLIProfile)
	if err := awsconfig.EditFile(cfg.ConfigPath, edit); err != nil {
		return annotate(err, cfg.ConfigPath)
	}
	return summary(o, cfg, newCfg, ch, changes, credData)
}

// readFile reads a config or credentials file (up to the limit of
// awsconfig.MaxFileSize); a missing file reads as empty.
func readFile(path string) ([]byte, error) {
	data, err := awsconfig.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	case len(data) > awsconfig.MaxFileSize:
		return nil, &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("%s: larger than the %d MiB limit of AWS config and credentials files", path, awsconfig.MaxFileSize>>20)}
	}
	return data, nil
}

// chainRegion is the region of the nearest profile of the chain that sets
// one: the profile itself, then its source profiles.
func chainRegion(cfg *awsconfig.Config, ch *awsconfig.Chain) string {
	for _, p := range ch.Visited {
		if r := cfg.Profile(p).Value(awsconfig.KeyRegion); r != "" {
			return r
		}
	}
	return ""
}

func annotate(err error, path string) error {
	var ce *awsconfig.Error
	if errors.As(err, &ce) {
		if ce.File == "" {
			ce.File = path
		}
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("%s: %w", path, err)}
}

// profileValues are the profile's keys in one file's text.
func profileValues(kind awsconfig.FileKind, data []byte, profile string) map[string]string {
	c, err := awsconfig.Parse(awsconfig.File{Kind: kind, Data: data})
	if err != nil {
		return map[string]string{}
	}
	return c.Profile(profile).Map()
}

func diff(before, after []byte, profiles ...string) []change {
	var out []change
	for _, p := range profiles {
		if p == "" {
			continue
		}
		old, cur := profileValues(awsconfig.ConfigFile, before, p), profileValues(awsconfig.ConfigFile, after, p)
		keys := map[string]bool{}
		for k := range old {
			keys[k] = true
		}
		for k := range cur {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			ov, had := old[k]
			nv, has := cur[k]
			out = append(out, change{profile: p, key: k, old: ov, new: nv, had: had, has: has})
		}
	}
	return out
}

func summary(o *Options, cfg, newCfg *awsconfig.Config, ch *awsconfig.Chain, changes []change, credData []byte) error {
	w := o.IO.Out
	last := ""
	changed := 0
	for _, c := range changes {
		if c.profile != last {
			fmt.Fprintf(w, "[%s] in %s:\n", sectionName(c.profile), cfg.ConfigPath)
			last = c.profile
		}
		switch {
		case !c.had && c.has:
			fmt.Fprintf(w, "  + %s = %s\n", c.key, c.new)
			changed++
		case c.had && !c.has:
			fmt.Fprintf(w, "  - %s (was %s)\n", c.key, c.old)
			changed++
		case c.old != c.new:
			fmt.Fprintf(w, "  ~ %s = %s (was %s)\n", c.key, c.new, c.old)
			changed++
		default:
			fmt.Fprintf(w, "    %s = %s\n", c.key, c.new)
		}
	}
	if changed == 0 {
		fmt.Fprintln(w, "nothing changed")
	}
	// Keys the credentials file also sets win over the config file's.
	creds := profileValues(awsconfig.CredentialsFile, credData, o.Profile)
	for _, c := range changes {
		if v, ok := creds[c.key]; ok && c.profile == o.Profile && c.has && v != c.new {
			fmt.Fprintf(o.IO.ErrOut, "awsmfa: warning: %s also sets %s for profile %q, and its value wins over the config file's\n", cfg.CredentialsPath, c.key, o.Profile)
		}
	}
	for _, warn := range ch.Warnings {
		fmt.Fprintln(o.IO.ErrOut, "awsmfa: warning:", warn)
	}
	for _, warn := range newCfg.CLIRejects() {
		fmt.Fprintln(o.IO.ErrOut, "awsmfa: warning:", warn)
	}
	if warn := shortSessionWarning(ch); warn != "" {
		fmt.Fprintln(o.IO.ErrOut, "awsmfa: warning:", warn)
	}
	if o.CLIProfile != "" && newCfg.Profile(o.CLIProfile).Value(awsconfig.KeyRegion) == "" {
		fmt.Fprintf(o.IO.ErrOut, "awsmfa: warning: profile %q has no region, and no profile of %q's chain sets one: the AWS CLI will need --region or AWS_REGION (set one with --region)\n", o.CLIProfile, o.Profile)
	}
	fmt.Fprintf(w, "\nProfile %q: %s\n", ch.Profile, describeChain(ch))
	switch {
	case ch.MFA.Mode == awsconfig.MFAModeSession && ch.MFA.Serial != "":
		var shared []string
		key, _ := ch.MFASessionKey()
		for _, g := range newCfg.MFAGroups() {
			if g.Key == key {
				shared = g.Profiles
			}
		}
		fmt.Fprintf(w, "MFA: one code for %s per %s MFA session, shared by %s.\n", ch.MFA.Serial, broker.FormatDuration(ch.MFA.SessionDuration), strings.Join(shared, ", "))
	case ch.NeedsMFA():
		fmt.Fprintln(w, "MFA: a code with each AssumeRole (per-role mode).")
		if ch.MFA.ModeNote != "" {
			fmt.Fprintln(w, "  ("+ch.MFA.ModeNote+")")
		}
	default:
		fmt.Fprintln(w, "MFA: none configured (set --mfa-serial to use MFA).")
	}
	fmt.Fprintf(w, "\nTry: awsmfa exec --profile %s -- aws sts get-caller-identity\n", ch.Profile)
	if o.CLIProfile != "" {
		fmt.Fprintf(w, "     aws --profile %s sts get-caller-identity\n", o.CLIProfile)
	}
	return nil
}

// shortSessionWarning warns when the profile's credentials live less
// than the margin the AWS CLI wants left on credential_process
// credentials: they are then served from the cache only until half their
// lifetime is left (broker.Margin), and the AWS CLI asks again sooner.
func shortSessionWarning(ch *awsconfig.Chain) string {
	var lifetime time.Duration
	what := ""
	switch {
	case len(ch.Steps) > 0:
		s := ch.Steps[len(ch.Steps)-1]
		lifetime = s.Duration()
		what = fmt.Sprintf("duration_seconds %d of profile %q", s.DurationSeconds, s.Profile)
	case ch.MFA.Mode == awsconfig.MFAModeSession && ch.MFA.Serial != "":
		lifetime = ch.MFA.SessionDuration
		what = fmt.Sprintf("mfa_session_duration %s", broker.FormatDuration(lifetime))
	}
	if lifetime <= 0 || lifetime >= broker.CLIMinRemaining {
		return ""
	}
	return fmt.Sprintf("%s gives credentials of %s, less than the %s the AWS CLI wants left on credential_process credentials: awsmfa serves them from its cache until %s are left, then gets new ones, so the AWS CLI asks again sooner; %s or more avoids that",
		what, exactDuration(lifetime), exactDuration(broker.CLIMinRemaining), exactDuration(broker.Margin(broker.CLIMinRemaining, lifetime)), exactDuration(broker.CLIMinRemaining))
}

// exactDuration is broker.FormatDuration, with the seconds when there are
// some ("7m30s").
func exactDuration(d time.Duration) string {
	if d%time.Minute != 0 {
		return d.Round(time.Second).String()
	}
	return broker.FormatDuration(d)
}

func sectionName(p string) string {
	if p == "default" {
		return "default"
	}
	return "profile " + p
}

// executable is how credential_process should run this program.
func executable() string {
	self, err := os.Executable()
	if err != nil {
		return "awsmfa"
	}
	if r, err := filepath.EvalSymlinks(self); err == nil {
		self = r
	}
	if onPath, err := osexec.LookPath("awsmfa"); err == nil {
		if r, err := filepath.EvalSymlinks(onPath); err == nil && r == self {
			return "awsmfa"
		}
	}
	if strings.ContainsAny(self, " \t'\"") {
		return `"` + strings.ReplaceAll(self, `"`, `\"`) + `"`
	}
	return self
}

// ask asks for the main settings on the terminal, offering the current
// values as defaults; it returns the keys whose answers differ.
func ask(o *Options, cfg *awsconfig.Config) (map[string]string, error) {
	in := bufio.NewReaderSize(o.IO.In, maxAnswer)
	cur := cfg.Profile(o.Profile)
	out := map[string]string{}
	question := func(s setting, def string) (string, error) {
		if def != "" {
			fmt.Fprintf(o.IO.ErrOut, "%s [%s]: ", s.question, def)
		} else {
			fmt.Fprintf(o.IO.ErrOut, "%s: ", s.question)
		}
		for tries := 0; ; tries++ {
			line, err := readAnswer(in)
			if err != nil {
				return "", err
			}
			v := strings.TrimSpace(line)
			if v == "" {
				v = def
			}
			if v == "" || s.validate == nil {
				return v, nil
			}
			if verr := s.validate(v); verr == nil {
				return v, nil
			} else if tries == 2 {
				return "", cmdutil.UsageError("%s: %v", s.key, verr)
			} else {
				fmt.Fprintf(o.IO.ErrOut, "  %v\n%s: ", verr, s.question)
			}
		}
	}
	byKey := map[string]setting{}
	for _, s := range settings {
		byKey[s.key] = s
	}
	record := func(key, v string) {
		if old, _ := cur.Get(key); v != "" && v != old {
			out[key] = v
		}
	}
	role, err := question(byKey[awsconfig.KeyRoleARN], cur.Value(awsconfig.KeyRoleARN))
	if err != nil {
		return nil, err
	}
	record(awsconfig.KeyRoleARN, role)
	source := ""
	if role != "" {
		def := cur.Value(awsconfig.KeySourceProfile)
		if def == "" {
			def = guessSource(cfg, o.Profile)
		}
		if source, err = question(byKey[awsconfig.KeySourceProfile], def); err != nil {
			return nil, err
		}
		record(awsconfig.KeySourceProfile, source)
	}
	serialDef := cur.Value(awsconfig.KeyMFASerial)
	if serialDef == "" && source != "" {
		serialDef = cfg.Profile(source).Value(awsconfig.KeyMFASerial)
	}
	serial, err := question(byKey[awsconfig.KeyMFASerial], serialDef)
	if err != nil {
		return nil, err
	}
	record(awsconfig.KeyMFASerial, serial)
	for _, key := range []string{awsconfig.KeyRegion, awsconfig.KeyMFAProcess} {
		v, err := question(byKey[key], cur.Value(key))
		if err != nil {
			return nil, err
		}
		record(key, v)
	}
	return out, nil
}

// maxAnswer is the longest answer read from standard input (reading stops
// there: an endless line is an error, not an endless read).
const maxAnswer = 4096

// readAnswer reads one line of at most maxAnswer bytes.
func readAnswer(in *bufio.Reader) (string, error) {
	line, err := in.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", cmdutil.UsageError("answer longer than the %d-byte limit of an answer", maxAnswer)
	case err != nil && (err != io.EOF || len(line) == 0):
		return "", cmdutil.UsageError("no answer: %v", err)
	}
	return string(line), nil
}

// guessSource is the first other profile with long-term access keys.
func guessSource(cfg *awsconfig.Config, self string) string {
	for _, name := range cfg.ProfileNames() {
		if name == self {
			continue
		}
		if id, ok := cfg.Profile(name).Get(awsconfig.KeyAccessKeyID); ok && strings.HasPrefix(id, "AKIA") {
			return name
		}
	}
	return ""
}

// describeChain says in words where the profile's credentials come from.
func describeChain(ch *awsconfig.Chain) string {
	var b strings.Builder
	switch ch.Base.Kind {
	case awsconfig.BaseStatic:
		fmt.Fprintf(&b, "access keys of profile %q", ch.Base.Profile)
	default:
		fmt.Fprintf(&b, "%s of profile %q", ch.Base.Kind, ch.Base.Profile)
	}
	if ch.MFA.Mode == awsconfig.MFAModeSession && ch.MFA.Serial != "" {
		b.WriteString(" -> MFA session")
	}
	for _, s := range ch.Steps {
		fmt.Fprintf(&b, " -> role %s", s.RoleARN)
		if s.Profile != ch.Profile {
			fmt.Fprintf(&b, " (profile %q)", s.Profile)
		}
	}
	return b.String()
}
