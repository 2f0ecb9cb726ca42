package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// polKind says where a policy document is attached.
type polKind int

const (
	kindManaged polKind = iota
	kindUserInline
	kindGroupInline
	kindSCP
	kindTrust
)

// polRef is a compiled policy document and where it came from. Every
// document is compiled once (registry.compile) and shared by every user
// whose policy set holds it.
type polRef struct {
	id   int
	pol  *eval.Policy
	kind polKind
	// label names the policy in StatementRef.Policy: a managed policy's
	// ARN, "user/NAME/INLINE", "group/NAME/INLINE", "role/NAME/trust", or
	// the SCP's ARN (or name).
	label string
	// owner is the ARN a policy finding is about: the managed policy or
	// SCP, else the user, group or role that holds the document.
	owner string
	doc   *account.Document
	// sensitive: some decisions depend on who the user is (policy
	// variables, conditions on the principal's name, ID, ARN or tags);
	// sensStmts are the statements that make it so: the actions they
	// cover are decided for each user, the others once per policy set.
	sensitive bool
	sensStmts []resStmt
	// keys are the condition keys the document reads (lower-case,
	// including policy variables' keys), sorted.
	keys []string
	// stmts are every statement's actions.
	stmts []resStmt
	// resStmts are the statements whose resources are not just "*": the
	// ARNs they name are the resources tried for the actions they cover.
	resStmts []resStmt
}

// resStmt is what a statement contributes to resource candidates.
type resStmt struct {
	actions   []string // lower-case action patterns
	notAction bool
	resources []string // Resource or NotResource values as written
	hasVar    bool
}

// registry compiles and indexes the account's documents.
type registry struct {
	acct     *account.Account
	refs     []*polRef
	byPol    map[*eval.Policy]*polRef
	byDoc    map[*account.Document]*polRef
	managed  map[string]*account.ManagedPolicy
	groups   map[string]*account.Group
	scps     [][]*eval.Policy
	scpRefs  []*polRef
	mgmt     bool // the account is its organization's management account
	notes    []string
	noteSeen map[string]bool
}

func newRegistry(acct *account.Account) (*registry, error) {
	r := &registry{
		acct:     acct,
		byPol:    map[*eval.Policy]*polRef{},
		byDoc:    map[*account.Document]*polRef{},
		managed:  map[string]*account.ManagedPolicy{},
		groups:   map[string]*account.Group{},
		noteSeen: map[string]bool{},
	}
	for _, p := range acct.Policies {
		if p != nil {
			r.managed[p.ARN] = p
		}
	}
	for _, g := range acct.Groups {
		if g != nil {
			// Group names are unique ignoring case in IAM.
			r.groups[strings.ToLower(g.Name)] = g
		}
	}
	if err := r.compileSCPs(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *registry) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !r.noteSeen[s] {
		r.noteSeen[s] = true
		r.notes = append(r.notes, s)
	}
}

// compile compiles doc once; nil for a missing document (noted).
func (r *registry) compile(doc *account.Document, kind polKind, label, owner string) (*polRef, error) {
	if doc == nil || doc.Document == nil {
		r.note("policy %s has no document: ignored", label)
		return nil, nil
	}
	if ref, ok := r.byDoc[doc]; ok {
		return ref, nil
	}
	pol, err := eval.Compile(doc.Document)
	if err != nil {
		return nil, fmt.Errorf("policy %s%s: %w", label, where(doc), err)
	}
	pol.Name = label
	ref := &polRef{id: len(r.refs), pol: pol, kind: kind, label: label, owner: owner, doc: doc}
	analyse(ref)
	r.refs = append(r.refs, ref)
	r.byPol[pol] = ref
	r.byDoc[doc] = ref
	return ref, nil
}

// where formats a document's origin for error messages.
func where(doc *account.Document) string {
	switch {
	case doc.File != "" && doc.Line > 0 && doc.Path != "":
		return fmt.Sprintf(" (%s:%d, %s)", doc.File, doc.Line, doc.Path)
	case doc.File != "" && doc.Path != "":
		return fmt.Sprintf(" (%s, %s)", doc.File, doc.Path)
	case doc.File != "":
		return " (" + doc.File + ")"
	}
	return ""
}

// principalKeys are the condition keys whose value differs between users of
// one account (the others audit sets are the same for all of them).
func principalKey(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "aws:username", "aws:userid", "aws:principalarn":
		return true
	}
	return strings.HasPrefix(k, "aws:principaltag/")
}

// analyse fills ref.sensitive, ref.sensStmts, ref.keys and ref.resStmts
// from the document.
func analyse(ref *polRef) {
	doc := ref.doc.Document
	vars := doc.Version == policy.Version2012
	keys := map[string]bool{}
	for _, st := range doc.Statements {
		if st == nil {
			continue
		}
		rs := resStmt{notAction: st.NotAction.Present}
		acts := st.Action
		if rs.notAction {
			acts = st.NotAction
		}
		for _, a := range acts.Values {
			rs.actions = append(rs.actions, strings.ToLower(a))
		}
		sensitive := false
		for ci := range st.Conditions {
			c := &st.Conditions[ci]
			keys[strings.ToLower(c.Key)] = true
			if principalKey(c.Key) {
				sensitive = true
			}
			for _, v := range c.Values {
				if vars && strings.Contains(v.Raw, "${") {
					sensitive = true
					varKeys(v.Raw, keys)
				}
			}
		}
		res := st.Resource
		if st.NotResource.Present {
			res = st.NotResource
		}
		for _, v := range res.Values {
			if vars && strings.Contains(v, "${") {
				rs.hasVar = true
				sensitive = true
				varKeys(v, keys)
			}
			if v != "*" {
				rs.resources = append(rs.resources, v)
			}
		}
		ref.stmts = append(ref.stmts, resStmt{actions: rs.actions, notAction: rs.notAction})
		if sensitive {
			ref.sensitive = true
			ref.sensStmts = append(ref.sensStmts, resStmt{actions: rs.actions, notAction: rs.notAction})
		}
		if len(rs.resources) > 0 {
			ref.resStmts = append(ref.resStmts, rs)
		}
	}
	for k := range keys {
		ref.keys = append(ref.keys, k)
	}
	sort.Strings(ref.keys)
}

// varKeys adds the keys of the policy variables in s to keys.
func varKeys(s string, keys map[string]bool) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return
		}
		k, _, _ := strings.Cut(s[:j], ",")
		keys[strings.ToLower(strings.TrimSpace(k))] = true
		s = s[j+1:]
	}
}

// compileSCPs compiles the SCPs of every organization level, root first.
// SCPs do not apply to the management account
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
func (r *registry) compileSCPs() error {
	org := r.acct.Org
	if org == nil {
		return nil
	}
	r.mgmt = org.ManagementAccount
	for li, lvl := range org.Levels {
		var pols []*eval.Policy
		allow := false
		for _, p := range lvl.SCPs {
			label := p.ARN
			if label == "" {
				label = p.Name
			}
			if label == "" {
				label = fmt.Sprintf("scp/%s/%d", levelName(lvl, li), len(pols))
			}
			owner := p.ARN
			if owner == "" {
				owner = label
			}
			ref, err := r.compile(p.Document, kindSCP, label, owner)
			if err != nil {
				return err
			}
			if ref == nil {
				continue
			}
			pols = append(pols, ref.pol)
			r.scpRefs = append(r.scpRefs, ref)
			for _, st := range ref.doc.Statements {
				if st != nil && st.Effect == policy.Allow {
					allow = true
				}
			}
		}
		if !allow && !r.mgmt {
			r.note("organization level %s has no SCP with an Allow statement: SCPs deny every request there (attach FullAWSAccess, or pass it with --scp)", levelName(lvl, li))
		}
		r.scps = append(r.scps, pols)
	}
	return nil
}

func levelName(l account.OrgLevel, i int) string {
	switch {
	case l.Name != "" && l.ID != "":
		return l.Name + " (" + l.ID + ")"
	case l.Name != "":
		return l.Name
	case l.ID != "":
		return l.ID
	}
	return fmt.Sprintf("#%d", i)
}

// userPolicies returns the documents that apply to u: its inline and
// attached policies and those of its groups, and its permissions boundary.
// Missing managed policies and groups are noted and skipped.
func (r *registry) userPolicies(u *account.User) (identity []*polRef, boundary *polRef, err error) {
	add := func(ref *polRef) {
		if ref == nil {
			return
		}
		for _, have := range identity {
			if have == ref {
				return
			}
		}
		identity = append(identity, ref)
	}
	for _, ip := range u.Inline {
		ref, err := r.compile(ip.Document, kindUserInline, "user/"+u.Name+"/"+ip.Name, u.ARN)
		if err != nil {
			return nil, nil, err
		}
		add(ref)
	}
	for _, arn := range u.Attached {
		ref, err := r.managedRef(arn, "user "+u.Name)
		if err != nil {
			return nil, nil, err
		}
		add(ref)
	}
	for _, gname := range u.Groups {
		g := r.groups[strings.ToLower(gname)]
		if g == nil {
			r.note("group %s of user %s was not read: its policies are ignored", gname, u.Name)
			continue
		}
		for _, ip := range g.Inline {
			ref, err := r.compile(ip.Document, kindGroupInline, "group/"+g.Name+"/"+ip.Name, g.ARN)
			if err != nil {
				return nil, nil, err
			}
			add(ref)
		}
		for _, arn := range g.Attached {
			ref, err := r.managedRef(arn, "group "+g.Name)
			if err != nil {
				return nil, nil, err
			}
			add(ref)
		}
	}
	if u.Boundary != "" {
		boundary, err = r.managedRef(u.Boundary, "user "+u.Name+" (permissions boundary)")
		if err != nil {
			return nil, nil, err
		}
	}
	return identity, boundary, nil
}

func (r *registry) managedRef(arn, holder string) (*polRef, error) {
	p := r.managed[arn]
	if p == nil {
		r.note("managed policy %s attached to %s was not read: ignored", arn, holder)
		return nil, nil
	}
	return r.compile(p.Document, kindManaged, p.ARN, p.ARN)
}
