// Package policysource finds the IAM policies in a file: a policy document
// on its own, a CloudFormation template (JSON or YAML), a Terraform plan or
// state in JSON (`terraform show -json`), or the JSON output of the AWS CLI
// commands that return policies (get-policy-version, get-role,
// get-role-policy and friends, get-account-authorization-details).
//
// Every policy comes back as a policy.Node whose positions are in the file
// the user wrote, with the kind of policy guessed from where it was found,
// so that one builder (policy.FromNodeKind) and one linter report problems
// at the right line.
package policysource

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Source is one policy found in a file.
type Source struct {
	// File is the file name given to Extract.
	File string
	// Path locates the policy within the file, such as
	// "Resources.AdminGroup.Properties.Policies[0].PolicyDocument" or
	// "planned_values.root_module.resources[3].values.policy". It is empty
	// when the whole file is the policy.
	Path string
	// Kind is the kind of policy, from its context (KindUnknown when the
	// context does not tell and the content gives no hint).
	Kind policy.Kind
	// Format names the kind of file: FormatPolicy, FormatCloudFormation,
	// FormatTerraform or FormatAWSCLI.
	Format string
	// Node is the policy document, with positions in File. It is nil when
	// Err is set.
	Node *policy.Node
	// Err is set when the policy is a string that is not valid JSON; it is a
	// policy.ErrorList with positions in File.
	Err error
	// Approximate is true when the policy was embedded in a string whose
	// text cannot be traced back to the file exactly: every position inside
	// Node is then the position of that string.
	Approximate bool
	// Store says how IAM stores an identity-based policy (managed, or inline
	// in a user, group or role), when the context tells; it decides the
	// size quota.
	Store Store
	// Entity names the user, group or role whose inline policies this one
	// is listed with in the same resource (CloudFormation Policies,
	// Terraform inline_policy, an AWS CLI detail list entry), such as
	// "Resources.AdminRole": IAM limits the total size of an entity's
	// inline policies. Empty when unknown.
	Entity string
	// Text is the policy as written, when it is written as text: the whole
	// file, or the string it was embedded in. Empty for a policy written as
	// an object inside a template (whose text AWS gets from the tool that
	// deploys it).
	Text string
}

// Store is how IAM stores an identity-based policy.
type Store int

const (
	StoreUnknown Store = iota
	// StoreManaged is a managed policy (also used as a permissions
	// boundary).
	StoreManaged
	// StoreInlineUser, StoreInlineGroup and StoreInlineRole are inline
	// policies embedded in a user, group or role.
	StoreInlineUser
	StoreInlineGroup
	StoreInlineRole
)

func (s Store) String() string {
	switch s {
	case StoreManaged:
		return "managed"
	case StoreInlineUser:
		return "inline-user"
	case StoreInlineGroup:
		return "inline-group"
	case StoreInlineRole:
		return "inline-role"
	}
	return "unknown"
}

// File formats.
const (
	FormatPolicy         = "policy"
	FormatCloudFormation = "cloudformation"
	FormatTerraform      = "terraform"
	FormatAWSCLI         = "aws-cli"
)

// Extract returns every policy in data, in file order. kindHint is the kind
// to use when the file's context does not decide it (a plain policy file, a
// Terraform aws_iam_policy_document data source); KindUnknown lets Extract
// guess from the content: a statement with a Principal and an
// sts:AssumeRole* action makes a trust policy, any other Principal a
// resource policy, no Principal an identity policy.
//
// A file that is not valid JSON or YAML is an error (a policy.ErrorList
// with the file, line and column). A file that parses but holds no policy
// that Extract recognises returns no sources and no error, except that a
// plain file is always returned as one source (which the policy builder then
// reports on).
func Extract(file string, data []byte, kindHint policy.Kind) (srcs []Source, err error) {
	defer func() {
		if r := recover(); r != nil {
			srcs = nil
			err = policy.ErrorList{{File: file, Msg: fmt.Sprintf("internal error reading policies: %v", r)}}
		}
	}()
	x := &extractor{file: file, data: data, li: newLineIndex(data), hint: kindHint}
	var root *policy.Node
	if isJSON(file, data) {
		root, err = policy.ParseJSON(file, data)
		x.json = true
	} else {
		root, x.origins, err = parseYAML(file, data, x.li)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case isCloudFormation(root):
		x.format = FormatCloudFormation
		x.cloudFormation(root)
	case isTerraform(root):
		x.format = FormatTerraform
		x.terraform(root)
	case isAWSCLI(root):
		x.format = FormatAWSCLI
		x.awsCLI(root)
	default:
		x.format = FormatPolicy
		src := Source{File: file, Kind: kindHint, Format: FormatPolicy, Node: root, Text: string(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}))}
		if src.Kind == policy.KindUnknown {
			src.Kind = GuessKind(root)
		}
		x.out = append(x.out, src)
	}
	return x.out, nil
}

// isJSON decides between the JSON and YAML readers: .yaml/.yml files are
// YAML, and otherwise a file whose first character opens a JSON value is
// JSON (so a broken JSON file gets a JSON error, not a YAML one).
func isJSON(file string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml":
		return false
	}
	d := bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	d = bytes.TrimLeft(d, " \t\r\n")
	return len(d) == 0 || d[0] == '{' || d[0] == '[' || d[0] == '"'
}

type extractor struct {
	file    string
	data    []byte
	li      *lineIndex
	hint    policy.Kind
	json    bool
	format  string
	origins map[*policy.Node]*yaml.Node
	out     []Source
	// seen deduplicates policies found more than once (a Terraform
	// resource in planned_values and in resource_changes).
	seen map[string]bool
}

// where says where a policy is kept: its kind and, for identity-based
// policies, how IAM stores it and with which entity's inline policies.
type where struct {
	kind   policy.Kind
	store  Store
	entity string
}

// add records the policy held by n (an object, or a string holding JSON).
// guess asks for the kind to be guessed from the content when kind is
// KindUnknown.
func (x *extractor) add(path string, n *policy.Node, w where, guess bool) {
	x.addKeyed(path, "", n, w, guess)
}

// addKeyed is add with a deduplication key: a policy whose key and content
// were already added is skipped.
func (x *extractor) addKeyed(path, key string, n *policy.Node, w where, guess bool) {
	if n == nil {
		return
	}
	kind := w.kind
	src := Source{File: x.file, Path: path, Kind: kind, Format: x.format, Store: w.store, Entity: w.entity}
	if n.Kind == policy.NodeString {
		if key != "" {
			k := key + "\x00" + n.Str
			if x.seen[k] {
				return
			}
			if x.seen == nil {
				x.seen = map[string]bool{}
			}
			x.seen[k] = true
		}
		node, approx, err := x.embedded(n)
		src.Node, src.Err, src.Approximate = node, err, approx
		src.Text = n.Str
	} else {
		src.Node = n
	}
	if guess && src.Kind == policy.KindUnknown && src.Node != nil {
		src.Kind = GuessKind(src.Node)
	}
	x.out = append(x.out, src)
}

// embedded parses a string that holds a JSON policy.
func (x *extractor) embedded(n *policy.Node) (*policy.Node, bool, error) {
	s := n.Str
	var m offsetMapper
	if y, ok := x.origins[n]; ok {
		if t := yamlScalarTable(x.li, y); t != nil {
			m = exactMapper(x.li, t)
		}
	} else if x.json {
		if t := jsonLiteralTable(x.data, x.li.offset(n.Pos), s); t != nil {
			m = exactMapper(x.li, t)
		}
	}
	approx := m == nil
	if approx {
		m = fixedMapper(n.Pos)
	}
	if dec, ok := DecodeURLPolicy(s); ok {
		s, m, approx = dec, fixedMapper(n.Pos), true
	}
	node, err := parseEmbedded(x.file, s, m)
	return node, approx, err
}

// DecodeURLPolicy decodes a policy document the IAM API returned
// URL-encoded (RFC 3986: "%7B%22Version%22..."; IAM keeps the document as
// it was written, so it may start with encoded white space such as "%0A").
// It reports false, and returns s unchanged, when s is not such a document.
func DecodeURLPolicy(s string) (string, bool) {
	t := strings.TrimSpace(s)
	rest := t
	for len(rest) >= 3 && rest[0] == '%' {
		switch strings.ToUpper(rest[1:3]) {
		case "20", "09", "0A", "0D":
			rest = rest[3:]
			continue
		}
		break
	}
	if !strings.HasPrefix(rest, "%7B") && !strings.HasPrefix(rest, "%7b") {
		return s, false
	}
	dec, err := urlDecode(t)
	if err != nil {
		return s, false
	}
	return dec, true
}

// ParseStringPolicy parses the policy document held by the JSON string n,
// a node of the tree policy.ParseJSON(file, data) returned: plain JSON text
// gets exact positions in data, a URL-encoded document (as the IAM API
// returns them) the position of the string itself (approximate is then
// true). text is the document's JSON text (decoded). err is a
// policy.ErrorList with positions in data when the text is not JSON.
func ParseStringPolicy(file string, data []byte, n *policy.Node) (doc *policy.Node, text string, approximate bool, err error) {
	if n == nil || n.Kind != policy.NodeString {
		return nil, "", false, policy.ErrorList{{File: file, Msg: "internal error: ParseStringPolicy needs a string node"}}
	}
	x := &extractor{file: file, data: data, li: newLineIndex(data), json: true}
	text, _ = DecodeURLPolicy(n.Str)
	doc, approximate, err = x.embedded(n)
	return doc, text, approximate, err
}

// urlDecode decodes %XX escapes (and nothing else: '+' stays '+').
func urlDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape")
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", err
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// member returns the value of the first member of object n named key.
func member(n *policy.Node, key string) *policy.Node {
	if n == nil || n.Kind != policy.NodeObject {
		return nil
	}
	for i := range n.Members {
		if n.Members[i].Key == key {
			return n.Members[i].Value
		}
	}
	return nil
}

func stringMember(n *policy.Node, key string) (string, bool) {
	v := member(n, key)
	if v == nil || v.Kind != policy.NodeString {
		return "", false
	}
	return v.Str, true
}

var plainKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_:\-/]+$`) })

// joinKey appends an object key to a path.
func joinKey(path, key string) string {
	if !plainKey().MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func joinIndex(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// GuessKind guesses a policy's kind from its content: a statement with a
// Principal (or NotPrincipal) and an sts:AssumeRole* action makes a trust
// policy, any other Principal a resource policy, and no Principal an
// identity policy.
func GuessKind(doc *policy.Node) policy.Kind {
	st := member(doc, "Statement")
	if st == nil {
		return policy.KindIdentity
	}
	stmts := []*policy.Node{st}
	if st.Kind == policy.NodeArray {
		stmts = st.Items
	}
	principal, assume := false, false
	for _, s := range stmts {
		if member(s, "Principal") == nil && member(s, "NotPrincipal") == nil {
			continue
		}
		principal = true
		a := member(s, "Action")
		actions := []*policy.Node{a}
		if a != nil && a.Kind == policy.NodeArray {
			actions = a.Items
		}
		for _, v := range actions {
			if v != nil && v.Kind == policy.NodeString && isAssumeRoleAction(v.Str) {
				assume = true
			}
		}
	}
	switch {
	case assume:
		return policy.KindTrust
	case principal:
		return policy.KindResource
	}
	return policy.KindIdentity
}

// isAssumeRoleAction reports whether an action names one of the STS
// actions a role trust policy grants.
func isAssumeRoleAction(a string) bool {
	a = strings.ToLower(a)
	return strings.HasPrefix(a, "sts:assumerole") || a == "sts:tagsession" || a == "sts:setsourceidentity" || a == "sts:setcontext"
}
