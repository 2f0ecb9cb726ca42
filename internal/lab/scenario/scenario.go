// Package scenario describes lab accounts as data (embedded YAML files under
// scenarios/), applies them to a lab store, and writes an AWS config
// directory (config, credentials, endpoint rule sets, MFA seeds) that points
// the AWS CLI, boto3 and the AWS SDKs at the lab.
//
// A scenario lists customer managed policies, groups (inline and attached
// policies), users (groups, policies, access keys, a virtual MFA device),
// and roles (trust policy, maximum session duration, policies, and the AWS
// CLI role profiles that use them). A scenario may include others; the
// union must not define one name twice with different content.
package scenario

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/awsmfa/awsmfa/internal/policy"
)

//go:embed scenarios/*.yaml
var files embed.FS

// DefaultName is the scenario used when none is named.
const DefaultName = "default"

// DefaultAccount and DefaultRegion apply when a scenario names neither.
const (
	DefaultAccount = "123456789012"
	DefaultRegion  = "us-east-1"
)

// Scenario is one account's setup.
type Scenario struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description"`
	Account     string   `yaml:"account" json:"account"`
	Region      string   `yaml:"region" json:"region"`
	Include     []string `yaml:"include,omitempty" json:"include,omitempty"`

	Policies []ManagedPolicy `yaml:"policies,omitempty" json:"policies,omitempty"`
	Groups   []Group         `yaml:"groups,omitempty" json:"groups,omitempty"`
	Users    []User          `yaml:"users,omitempty" json:"users,omitempty"`
	Roles    []Role          `yaml:"roles,omitempty" json:"roles,omitempty"`

	// Try lists AWS CLI commands that show what the scenario is about,
	// printed by `awsmfa lab init`.
	Try []Try `yaml:"try,omitempty" json:"try,omitempty"`
}

// Try is one suggested AWS CLI command: `aws --profile PROFILE ARGS`.
// Args and Expect may use {mfa_serial} (the serial number of the device of
// the profile's user), {mfa_code} (a shell substitution printing its current
// code) and {mfa_code_cmd} (that command).
type Try struct {
	Profile string `yaml:"profile" json:"profile"`
	Args    string `yaml:"args" json:"args"`
	Expect  string `yaml:"expect" json:"expect"`
}

// ManagedPolicy is a customer managed policy (its default version is
// Document).
type ManagedPolicy struct {
	Name        string `yaml:"name" json:"name"`
	Path        string `yaml:"path,omitempty" json:"path,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Document    string `yaml:"document" json:"document"`
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name     string `yaml:"name" json:"name"`
	Document string `yaml:"document" json:"document"`
}

// Group is an IAM group.
type Group struct {
	Name            string         `yaml:"name" json:"name"`
	Path            string         `yaml:"path,omitempty" json:"path,omitempty"`
	ManagedPolicies []string       `yaml:"managed_policies,omitempty" json:"managed_policies,omitempty"`
	InlinePolicies  []InlinePolicy `yaml:"inline_policies,omitempty" json:"inline_policies,omitempty"`
}

// User is an IAM user. AccessKeys long-term access keys are created for it
// (0 to 2, as IAM allows); MFADevice gives it an enabled virtual MFA device
// named after the user (arn:aws:iam::ACCOUNT:mfa/NAME).
type User struct {
	Name            string         `yaml:"name" json:"name"`
	Path            string         `yaml:"path,omitempty" json:"path,omitempty"`
	Groups          []string       `yaml:"groups,omitempty" json:"groups,omitempty"`
	ManagedPolicies []string       `yaml:"managed_policies,omitempty" json:"managed_policies,omitempty"`
	InlinePolicies  []InlinePolicy `yaml:"inline_policies,omitempty" json:"inline_policies,omitempty"`
	AccessKeys      int            `yaml:"access_keys" json:"access_keys"`
	MFADevice       bool           `yaml:"mfa_device" json:"mfa_device"`
}

// Role is an IAM role.
type Role struct {
	Name               string         `yaml:"name" json:"name"`
	Path               string         `yaml:"path,omitempty" json:"path,omitempty"`
	Description        string         `yaml:"description,omitempty" json:"description,omitempty"`
	TrustPolicy        string         `yaml:"trust_policy" json:"trust_policy"`
	MaxSessionDuration int            `yaml:"max_session_duration,omitempty" json:"max_session_duration,omitempty"`
	ManagedPolicies    []string       `yaml:"managed_policies,omitempty" json:"managed_policies,omitempty"`
	InlinePolicies     []InlinePolicy `yaml:"inline_policies,omitempty" json:"inline_policies,omitempty"`
	Profiles           []RoleProfile  `yaml:"profiles,omitempty" json:"profiles,omitempty"`
}

// RoleProfile is an AWS CLI profile that assumes the role with the access
// keys of SourceUser, with mfa_serial set to that user's MFA device when MFA
// is true.
type RoleProfile struct {
	Name       string `yaml:"name" json:"name"`
	SourceUser string `yaml:"source_user" json:"source_user"`
	MFA        bool   `yaml:"mfa,omitempty" json:"mfa,omitempty"`
}

// Names lists the embedded scenarios, sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, "scenarios")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Load returns the named embedded scenario with its includes merged in,
// validated.
func Load(name string) (*Scenario, error) {
	if name == "" {
		name = DefaultName
	}
	s, err := load(name, nil)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	return s, nil
}

// ErrUnknown is returned by Load for a name with no embedded scenario.
var ErrUnknown = errors.New("unknown scenario")

func load(name string, stack []string) (*Scenario, error) {
	for _, n := range stack {
		if n == name {
			return nil, fmt.Errorf("scenario include cycle: %s -> %s", strings.Join(stack, " -> "), name)
		}
	}
	if !validName().MatchString(name) {
		return nil, fmt.Errorf("%w %q (have %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	data, err := files.ReadFile(path.Join("scenarios", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("%w %q (have %s)", ErrUnknown, name, strings.Join(Names(), ", "))
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	if s.Name != name {
		return nil, fmt.Errorf("scenario file %s.yaml names itself %q", name, s.Name)
	}
	if len(s.Include) == 0 {
		return s, nil
	}
	// Included entities come first, in include order, then the file's own.
	out := &Scenario{Name: s.Name, Description: s.Description, Account: s.Account, Region: s.Region}
	for _, inc := range s.Include {
		sub, err := load(inc, append(stack, name))
		if err != nil {
			return nil, err
		}
		if err := out.merge(sub); err != nil {
			return nil, fmt.Errorf("scenario %s including %s: %w", name, inc, err)
		}
	}
	own := *s
	own.Include = nil
	if err := out.merge(&own); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	return out, nil
}

var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`) })

// Parse decodes one scenario file (YAML; JSON is YAML too). Unknown fields
// are errors. Account and region default to DefaultAccount, DefaultRegion.
func Parse(data []byte) (*Scenario, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if s.Account == "" {
		s.Account = DefaultAccount
	}
	if s.Region == "" {
		s.Region = DefaultRegion
	}
	return &s, nil
}

// merge adds other's entities to s. An entity defined in both must be
// identical; account and region must agree.
func (s *Scenario) merge(o *Scenario) error {
	if o.Account != s.Account {
		return fmt.Errorf("account %s differs from %s", o.Account, s.Account)
	}
	if o.Region != s.Region {
		return fmt.Errorf("region %s differs from %s", o.Region, s.Region)
	}
	var err error
	if s.Policies, err = mergeList(s.Policies, o.Policies, "policy", func(p ManagedPolicy) string { return p.Name }); err != nil {
		return err
	}
	if s.Groups, err = mergeList(s.Groups, o.Groups, "group", func(g Group) string { return g.Name }); err != nil {
		return err
	}
	if s.Users, err = mergeList(s.Users, o.Users, "user", func(u User) string { return u.Name }); err != nil {
		return err
	}
	if s.Roles, err = mergeList(s.Roles, o.Roles, "role", func(r Role) string { return r.Name }); err != nil {
		return err
	}
	for _, t := range o.Try {
		if !slices.Contains(s.Try, t) {
			s.Try = append(s.Try, t)
		}
	}
	return nil
}

func mergeList[T any](dst, src []T, kind string, key func(T) string) ([]T, error) {
	index := map[string]int{}
	for i, v := range dst {
		index[strings.ToLower(key(v))] = i
	}
	for _, v := range src {
		if i, ok := index[strings.ToLower(key(v))]; ok {
			if !reflect.DeepEqual(dst[i], v) {
				return nil, fmt.Errorf("%s %q is defined twice, differently", kind, key(v))
			}
			continue
		}
		index[strings.ToLower(key(v))] = len(dst)
		dst = append(dst, v)
	}
	return dst, nil
}

var (
	accountRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })
	regionRe  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`) })
	// IAM names: users/groups/roles [\w+=,.@-]{1,64|128}, policies 1-128.
	iamNameRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })
	iamPathRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/([\x21-\x7e]*/)?$`) })
	profileRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.@+-]+$`) })
	maxNameLens = map[string]int{"user": 64, "group": 128, "role": 64, "policy": 128, "inline policy": 128}
)

// Validate checks names, references and policy documents.
func (s *Scenario) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !accountRe().MatchString(s.Account) {
		add("account %q is not 12 digits", s.Account)
	}
	if !regionRe().MatchString(s.Region) {
		add("region %q is not a region name", s.Region)
	}
	if len(s.Include) > 0 {
		add("include must be resolved by Load")
	}
	checkName := func(kind, name string) {
		if name == "" || len(name) > maxNameLens[kind] || !iamNameRe().MatchString(name) {
			add("%s name %q is not a valid IAM name", kind, name)
		}
	}
	checkPath := func(kind, name, p string) {
		if p != "" && (len(p) > 512 || !iamPathRe().MatchString(p)) {
			add("%s %s: path %q must begin and end with /", kind, name, p)
		}
	}
	checkDoc := func(what, doc string, trust bool) {
		kind := policy.KindIdentity
		if trust {
			kind = policy.KindTrust
		}
		if _, err := policy.ParseKind(what, []byte(doc), kind); err != nil {
			add("%s: %v", what, err)
		}
	}
	seen := map[string]bool{}
	unique := func(kind, name string) {
		k := kind + "\x00" + strings.ToLower(name)
		if seen[k] {
			add("%s %q defined twice", kind, name)
		}
		seen[k] = true
	}
	policies := map[string]bool{}
	for _, p := range s.Policies {
		checkName("policy", p.Name)
		checkPath("policy", p.Name, p.Path)
		unique("policy", p.Name)
		policies[p.Name] = true
		checkDoc("policy "+p.Name, p.Document, false)
	}
	checkAttached := func(owner string, names []string) {
		dup := map[string]bool{}
		for _, n := range names {
			if !policies[n] && !strings.HasPrefix(n, "arn:aws:iam::aws:policy/") {
				add("%s: managed policy %q is not defined in the scenario", owner, n)
			}
			if dup[n] {
				add("%s: managed policy %q attached twice", owner, n)
			}
			dup[n] = true
		}
		if len(names) > 10 {
			add("%s: more than 10 managed policies attached", owner)
		}
	}
	checkInline := func(owner string, ps []InlinePolicy) {
		dup := map[string]bool{}
		for _, p := range ps {
			checkName("inline policy", p.Name)
			if dup[p.Name] {
				add("%s: inline policy %q defined twice", owner, p.Name)
			}
			dup[p.Name] = true
			checkDoc(owner+" inline policy "+p.Name, p.Document, false)
		}
	}
	groups := map[string]bool{}
	for _, g := range s.Groups {
		checkName("group", g.Name)
		checkPath("group", g.Name, g.Path)
		unique("group", g.Name)
		groups[g.Name] = true
		checkAttached("group "+g.Name, g.ManagedPolicies)
		checkInline("group "+g.Name, g.InlinePolicies)
	}
	users := map[string]User{}
	profiles := map[string]bool{}
	for _, u := range s.Users {
		checkName("user", u.Name)
		checkPath("user", u.Name, u.Path)
		unique("user", u.Name)
		users[u.Name] = u
		profiles[u.Name] = true
		for _, g := range u.Groups {
			if !groups[g] {
				add("user %s: group %q is not defined in the scenario", u.Name, g)
			}
		}
		checkAttached("user "+u.Name, u.ManagedPolicies)
		checkInline("user "+u.Name, u.InlinePolicies)
		if u.AccessKeys < 0 || u.AccessKeys > 2 {
			add("user %s: access_keys %d is not 0, 1 or 2 (IAM allows two per user)", u.Name, u.AccessKeys)
		}
		if !profileRe().MatchString(u.Name) {
			add("user %s: name cannot be an AWS CLI profile name", u.Name)
		}
	}
	for _, r := range s.Roles {
		checkName("role", r.Name)
		checkPath("role", r.Name, r.Path)
		unique("role", r.Name)
		checkDoc("role "+r.Name+" trust policy", r.TrustPolicy, true)
		checkAttached("role "+r.Name, r.ManagedPolicies)
		checkInline("role "+r.Name, r.InlinePolicies)
		// MaxSessionDuration: 3600..43200 seconds.
		// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
		if r.MaxSessionDuration != 0 && (r.MaxSessionDuration < 3600 || r.MaxSessionDuration > 43200) {
			add("role %s: max_session_duration %d is outside 3600..43200", r.Name, r.MaxSessionDuration)
		}
		for _, p := range r.Profiles {
			if !profileRe().MatchString(p.Name) || p.Name == "default" {
				add("role %s: profile name %q is not usable", r.Name, p.Name)
			}
			if profiles[p.Name] {
				add("role %s: profile %q defined twice (user names are profiles too)", r.Name, p.Name)
			}
			profiles[p.Name] = true
			u, ok := users[p.SourceUser]
			switch {
			case !ok:
				add("role %s profile %s: source_user %q is not defined", r.Name, p.Name, p.SourceUser)
			case u.AccessKeys == 0:
				add("role %s profile %s: source_user %q has no access keys", r.Name, p.Name, p.SourceUser)
			case p.MFA && !u.MFADevice:
				add("role %s profile %s: source_user %q has no MFA device", r.Name, p.Name, p.SourceUser)
			}
		}
	}
	for i, t := range s.Try {
		if !profiles[t.Profile] {
			add("try %d: profile %q is not a user or role profile of the scenario", i+1, t.Profile)
		}
		if strings.TrimSpace(t.Args) == "" || strings.ContainsAny(t.Args, "`$;|&<>\n") {
			add("try %d: args %q must be plain AWS CLI arguments", i+1, t.Args)
		}
	}
	return errors.Join(errs...)
}

// JSON renders the scenario (with includes merged) as indented JSON, for
// `awsmfa lab init --scenario NAME --dry-run` style listings and tests.
func (s *Scenario) JSON() ([]byte, error) {
	return json.MarshalIndent(s, "", "  ")
}

// UserARN, RoleARN, GroupARN, PolicyARN and MFASerial build the ARNs of the
// scenario's entities (paths included).
func (s *Scenario) UserARN(name string) string {
	return "arn:aws:iam::" + s.Account + ":user" + pathOf(s.userPath(name)) + name
}

// RoleARN is the ARN of the named role.
func (s *Scenario) RoleARN(name string) string {
	for _, r := range s.Roles {
		if r.Name == name {
			return "arn:aws:iam::" + s.Account + ":role" + pathOf(r.Path) + name
		}
	}
	return "arn:aws:iam::" + s.Account + ":role/" + name
}

// PolicyARN is the ARN of a customer managed policy of the scenario, or name
// itself when it already is an ARN (AWS managed policies).
func (s *Scenario) PolicyARN(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	for _, p := range s.Policies {
		if p.Name == name {
			return "arn:aws:iam::" + s.Account + ":policy" + pathOf(p.Path) + name
		}
	}
	return "arn:aws:iam::" + s.Account + ":policy/" + name
}

// MFASerial is the serial number (ARN) of the user's virtual MFA device.
func (s *Scenario) MFASerial(user string) string {
	return "arn:aws:iam::" + s.Account + ":mfa/" + user
}

func (s *Scenario) userPath(name string) string {
	for _, u := range s.Users {
		if u.Name == name {
			return u.Path
		}
	}
	return ""
}

func pathOf(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
