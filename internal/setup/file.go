// Package setup turns a declarative setup file (which groups require MFA,
// which roles admit which users only with MFA) into the IAM resources
// awsmfa manages, and plans the calls that bring an account there: create,
// update (a new default policy version, a new trust policy) or no change,
// in dependency order, never touching a resource awsmfa did not create.
//
// The package decides; it calls nothing. The command loads the file (Load),
// reads the account (internal/account/live), builds the desired state
// (Build), asks MakePlan (or Destroy) for the steps, and makes them with
// Apply through a Caller over the IAM API.
package setup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/awsmfa/awsmfa/internal/bytesize"
	"github.com/awsmfa/awsmfa/internal/suggest"
)

// MaxFileSize bounds a setup file: a setup of thousands of groups and roles
// is far smaller.
const MaxFileSize = 1 << 20

// Limits of the file's values, from the IAM API reference: CreateGroup
// (GroupName 1..128), CreateRole (RoleName 1..64, MaxSessionDuration
// 3600..43200), CreateUser (UserName 1..64), all of pattern [\w+=,.@-]+.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
const (
	MinSessionDuration = 3600
	MaxSessionDuration = 43200
	maxGroupName       = 128
	maxRoleName        = 64
	maxUserName        = 64
	// maxEntries bounds each list (groups, roles, users of a group, ...).
	maxEntries = 10000
)

var (
	iamNameRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })
	policyARNRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/([\x21-\x7e]*/)?[\w+=,.@-]{1,128}$`)
	})
)

// File is a parsed setup file.
type File struct {
	// Name is the file's name for messages.
	Name    string
	Version int
	Groups  []Group
	Roles   []Role
}

// Group is one group of the setup file.
type Group struct {
	Name  string
	Users []string
	// RequireMFA attaches awsmfa's require-MFA policy (policygen's
	// self-manage-mfa: self-service allows, then the BoolIfExists deny).
	RequireMFA bool
	// MaxMFAAge, when positive, also denies sessions whose MFA is older
	// (seconds).
	MaxMFAAge int
	// Line is the line of the group's entry.
	Line int
}

// Role is one role of the setup file.
type Role struct {
	Name string
	// RequireMFA makes the trust policy admit the trusted users only with
	// MFA.
	RequireMFA      bool
	TrustedUsers    []string
	ManagedPolicies []string
	// MaxSessionDuration is in seconds; 3600 (IAM's default) when the file
	// does not set it.
	MaxSessionDuration int
	Line               int
}

// Load reads and parses the setup file at path, reading at most
// MaxFileSize+1 bytes.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads a setup file, YAML or JSON. Errors name the file, the line
// and the key; unknown keys get the closest valid key.
func Parse(name string, data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %s", name, bytesize.Format(MaxFileSize))
	}
	root, err := decodeOne(name, data)
	if err != nil {
		return nil, err
	}
	p := &parser{file: name}
	f := p.file1(root)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return f, nil
}

// decodeOne decodes exactly one YAML document.
func decodeOne(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file (want version: 1, groups and roles)", name)
		}
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		if err != nil {
			return nil, fmt.Errorf("%s: after the first document: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return nil, fmt.Errorf("%s:%d: a second document; a setup file holds one", name, line)
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return nil, fmt.Errorf("%s: empty file (want version: 1, groups and roles)", name)
}

// maxErrors bounds the errors one file reports.
const maxErrors = 20

type parser struct {
	file string
	errs []error
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		if len(p.errs) == maxErrors {
			p.errs = append(p.errs, fmt.Errorf("%s: too many errors; stopped", p.file))
		}
		return
	}
	p.errs = append(p.errs, fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

var (
	topKeys   = []string{"version", "groups", "roles"}
	groupKeys = []string{"name", "users", "requireMfa", "maxMfaAgeSeconds"}
	roleKeys  = []string{"name", "requireMfa", "trustedUsers", "managedPolicies", "maxSessionDuration"}
)

// members checks that n is a mapping with only known, unique keys and
// returns its values by key.
func (p *parser) members(n *yaml.Node, what string, known []string) map[string]*yaml.Node {
	if n.Kind == yaml.AliasNode {
		p.errorf(n, "%s: aliases (*name) are not accepted", what)
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping of keys (%s), not %s", what, strings.Join(known, ", "), describe(n))
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: keys must be plain names", what)
			continue
		}
		if !slices.Contains(known, k.Value) {
			p.errorf(k, "%s: unknown key %q%s", what, k.Value, hint(k.Value, known))
			continue
		}
		if _, dup := out[k.Value]; dup {
			p.errorf(k, "%s: key %q given twice", what, k.Value)
			continue
		}
		out[k.Value] = v
	}
	return out
}

// hint names the closest known key, when one is close.
func hint(got string, known []string) string {
	best, bestD := "", 0
	for _, k := range known {
		d := suggest.Distance(strings.ToLower(got), strings.ToLower(k))
		if best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" && bestD <= max(2, len(best)/3) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return fmt.Sprintf(" (known: %s)", strings.Join(known, ", "))
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!str":
			return fmt.Sprintf("the string %q", truncate(n.Value))
		}
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "nothing"
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func (p *parser) file1(root *yaml.Node) *File {
	f := &File{Name: p.file}
	m := p.members(root, "setup file", topKeys)
	if m == nil {
		return f
	}
	if v, ok := m["version"]; !ok {
		p.errorf(root, "setup file: missing key \"version\" (version: 1)")
	} else if n, ok := p.integer(v, "version"); ok {
		if n != 1 {
			p.errorf(v, "version: %d is not supported (only 1)", n)
		}
		f.Version = n
	}
	if v, ok := m["groups"]; ok {
		for _, item := range p.list(v, "groups") {
			if g, ok := p.group(item); ok {
				f.Groups = append(f.Groups, g)
			}
		}
	}
	if v, ok := m["roles"]; ok {
		for _, item := range p.list(v, "roles") {
			if r, ok := p.role(item); ok {
				f.Roles = append(f.Roles, r)
			}
		}
	}
	p.uniqueNames(f)
	return f
}

func (p *parser) list(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list, not %s", what, describe(n))
		return nil
	}
	if len(n.Content) > maxEntries {
		p.errorf(n, "%s: more than %d entries", what, maxEntries)
		return nil
	}
	return n.Content
}

func (p *parser) integer(n *yaml.Node, what string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.errorf(n, "%s must be a whole number, not %s", what, describe(n))
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 32)
	if err != nil {
		p.errorf(n, "%s: %q is not a whole number in range", what, truncate(n.Value))
		return 0, false
	}
	return int(v), true
}

func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.errorf(n, "%s must be true or false, not %s", what, describe(n))
		return false, false
	}
	switch n.Value {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	p.errorf(n, "%s must be true or false, not %q", what, n.Value)
	return false, false
}

func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.errorf(n, "%s must be a string, not %s (quote it)", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// iamName checks a user, group or role name against IAM's pattern and
// length.
func (p *parser) iamName(n *yaml.Node, what string, maxLen int) (string, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return "", false
	}
	if len(s) == 0 || len(s) > maxLen || !iamNameRe().MatchString(s) {
		p.errorf(n, "%s %q is not a valid IAM name (1 to %d letters, digits and +=,.@_-)", what, truncate(s), maxLen)
		return "", false
	}
	return s, true
}

// names reads a list of IAM names, refusing duplicates.
func (p *parser) names(n *yaml.Node, what string, valid func(*yaml.Node, string) (string, bool)) []string {
	var out []string
	seen := map[string]bool{}
	for _, item := range p.list(n, what) {
		s, ok := valid(item, what)
		if !ok {
			continue
		}
		if seen[s] {
			p.errorf(item, "%s: %q listed twice", what, s)
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func (p *parser) userName(n *yaml.Node, what string) (string, bool) {
	return p.iamName(n, what+" entry", maxUserName)
}

func (p *parser) policyARN(n *yaml.Node, what string) (string, bool) {
	s, ok := p.str(n, what+" entry")
	if !ok {
		return "", false
	}
	if !policyARNRe().MatchString(s) {
		p.errorf(n, "%s: %q is not a managed policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)", what, truncate(s))
		return "", false
	}
	return s, true
}

func (p *parser) group(n *yaml.Node) (Group, bool) {
	g := Group{Line: n.Line}
	m := p.members(n, "group", groupKeys)
	if m == nil {
		return g, false
	}
	ok := true
	if v, has := m["name"]; !has {
		p.errorf(n, "group: missing key \"name\"")
		ok = false
	} else if g.Name, has = p.iamName(v, "group name", maxGroupName); !has {
		ok = false
	}
	if v, has := m["users"]; has {
		g.Users = p.names(v, "users", p.userName)
	}
	if v, has := m["requireMfa"]; has {
		g.RequireMFA, _ = p.boolean(v, "requireMfa")
	}
	if v, has := m["maxMfaAgeSeconds"]; has {
		if age, isInt := p.integer(v, "maxMfaAgeSeconds"); isInt {
			switch {
			case age <= 0:
				p.errorf(v, "maxMfaAgeSeconds must be a positive number of seconds, not %d", age)
			case !g.RequireMFA:
				p.errorf(v, "maxMfaAgeSeconds applies only with requireMfa: true")
			default:
				g.MaxMFAAge = age
			}
		}
	}
	return g, ok
}

func (p *parser) role(n *yaml.Node) (Role, bool) {
	r := Role{Line: n.Line, MaxSessionDuration: MinSessionDuration}
	m := p.members(n, "role", roleKeys)
	if m == nil {
		return r, false
	}
	ok := true
	if v, has := m["name"]; !has {
		p.errorf(n, "role: missing key \"name\"")
		ok = false
	} else if r.Name, has = p.iamName(v, "role name", maxRoleName); !has {
		ok = false
	}
	if v, has := m["requireMfa"]; has {
		r.RequireMFA, _ = p.boolean(v, "requireMfa")
	}
	if v, has := m["trustedUsers"]; has {
		r.TrustedUsers = p.names(v, "trustedUsers", p.userName)
	}
	if len(r.TrustedUsers) == 0 && ok {
		p.errorf(n, "role %s: trustedUsers must name at least one user (nobody could assume it)", r.Name)
	}
	if v, has := m["managedPolicies"]; has {
		r.ManagedPolicies = p.names(v, "managedPolicies", p.policyARN)
	}
	if v, has := m["maxSessionDuration"]; has {
		if d, isInt := p.integer(v, "maxSessionDuration"); isInt {
			if d < MinSessionDuration || d > MaxSessionDuration {
				p.errorf(v, "maxSessionDuration must be between %d and %d seconds, not %d", MinSessionDuration, MaxSessionDuration, d)
			} else {
				r.MaxSessionDuration = d
			}
		}
	}
	return r, ok
}

// uniqueNames refuses two groups or two roles of the same name. IAM names
// are case-insensitive for uniqueness ("Admins" and "admins" cannot both
// exist), so the comparison is too.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
func (p *parser) uniqueNames(f *File) {
	seen := map[string]int{}
	for _, g := range f.Groups {
		k := strings.ToLower(g.Name)
		if line, dup := seen[k]; dup {
			p.errs = append(p.errs, fmt.Errorf("%s:%d: group %q is already defined on line %d", p.file, g.Line, g.Name, line))
			continue
		}
		seen[k] = g.Line
	}
	seen = map[string]int{}
	for _, r := range f.Roles {
		k := strings.ToLower(r.Name)
		if line, dup := seen[k]; dup {
			p.errs = append(p.errs, fmt.Errorf("%s:%d: role %q is already defined on line %d", p.file, r.Line, r.Name, line))
			continue
		}
		seen[k] = r.Line
	}
}
