package audit

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
)

// Options shape an audit. The zero Options audits every credential type
// against the built-in action set, now, with 90-day staleness.
type Options struct {
	// Actions is the action set policy wildcards are matched against
	// (--actions FILE, see ParseActions); nil means DefaultActions. The
	// literal actions of the account's policies are always added.
	Actions []string
	// StaleDays is the age after which an unused access key is reported
	// (stale-access-key); 0 means DefaultStaleDays.
	StaleDays int
	// Now is the time the audit runs at (request times, key ages); zero
	// means time.Now().
	Now time.Time
	// Credentials are the matrix columns, in order; nil means all
	// (AllCredentials). Findings are reported for these types only.
	Credentials []Credential
	// Workers bounds the goroutines deciding; 0 means GOMAXPROCS.
	Workers int
	// Sample is how many actions a finding lists (ActionCount has them
	// all); 0 means DefaultSample.
	Sample int
	// Progress, when set, is called now and then with the number of
	// users decided so far and the total, never concurrently.
	Progress func(decided, total int)
}

// Defaults of Options.
const (
	DefaultStaleDays = 90
	DefaultSample    = 10
)

// NoReportNote is the note a report carries when the credential report was
// not read.
const NoReportNote = "no credential report: every user is assumed to have active access keys and a console password"

// auditor holds one run's state.
type auditor struct {
	acct    *account.Account
	opts    Options
	now     time.Time
	part    string
	rows    [numCreds]credctx.Row
	reg     *registry
	actions []string // the action set, canonical spelling, sorted
	lower   []string // lower-case, same order
	bulk    []int    // indexes of actions decided per policy set
	words   int
	// mask marks, per credential type, the bulk actions it can call at
	// all (credIdx.possible).
	mask [numCreds][]uint64
	// sensBits caches each document's per-user actions, and coverBits
	// the bulk actions some statement of the document covers.
	sensBits  map[*polRef][]uint64
	coverBits map[*polRef][]uint64

	users    []*userState
	profiles []*profile
	roles    []*roleInfo
	// attached maps each identity document to the users it applies to.
	attached map[*polRef][]*userState

	memo       memoTable
	decisions  atomic.Int64
	progMu     sync.Mutex
	progHalves int
}

// userState is one user and what was decided for it.
type userState struct {
	u     *account.User
	facts userFacts
	prof  *profile
	// own holds the user's decisions when the profile has actions decided
	// per user (nil: the profile's).
	own [numCreds][]uint64
	// assume lists, per credential type, the roles (indexes into
	// auditor.roles) the user can assume with it.
	assume [numCreds][]int
}

// profile is a distinct policy set: users with the same documents share
// one, and its decisions. Actions covered by a statement that depends on
// who asks (a policy variable, a condition on the principal) are decided
// again for each user (userState.own).
type profile struct {
	identity []*polRef
	boundary *polRef
	set      eval.PolicySet
	rep      *account.User // the user whose context the shared decisions use
	// res are the resource statements of the set with their resources
	// materialised for rep.
	res []matStmt
	// sens marks the bulk actions decided per user; nil when none.
	sens []uint64
	// covers holds, for each identity document, the bulk actions one of
	// its statements covers: a request is decided against only the
	// documents that cover its action (the others cannot change the
	// decision).
	covers [][]uint64
	// assumeSens: a user-dependent statement covers sts:AssumeRole, so
	// every role is decided per user; else assume holds the shared roles
	// the profile's users can assume, per credential type.
	assumeSens bool
	assume     [numCreds][]int
	// assumeCover marks the identity documents (bit i: p.identity[i])
	// with a statement covering sts:AssumeRole.
	assumeCover uint64
	// class maps each credential type to the first type whose request
	// context the set's documents cannot tell apart from it: those share
	// decisions.
	class [numCreds]credIdx
	// allowed holds, per credential type, a bit per bulk action: allowed
	// on some resource.
	allowed [numCreds][]uint64
	// expl caches the explanation of the bulk decisions per credential
	// type, for the users that share the profile's decisions.
	explMu sync.Mutex
	expl   [numCreds]*explanation
}

type matStmt struct {
	st        *resStmt
	resources []string
}

// roleInfo is a role users might assume.
type roleInfo struct {
	r     *account.Role
	trust *polRef
	// principals are the lower-cased AWS principal values its trust
	// policy's Allow statements name.
	principals []string
	// shared: the trust policy admits every user of the account alike (it
	// names the account or "*", and no condition depends on the user), so
	// users with the same policies get the same answer.
	shared bool
}

// Run audits acct.
//
// For every user and credential type (long-term keys, console password
// without MFA, session token without and with MFA) it decides, with the
// evaluator (internal/eval) and the credential type's request context
// (internal/credctx), which actions of the action set the user may call on
// "*" or on a resource its policies name. MFA self-service actions
// (SelfServiceActions) never count; sts:AssumeRole counts for a role only
// when the role's trust policy admits the request too; the SCPs of
// acct.Org apply unless the account is the management account.
//
// Decisions are shared where they cannot differ: users with the same
// documents share them, except for actions a statement with a policy
// variable or a condition on the principal covers; a decision is
// memoised by the documents that cover its action; credential types whose
// context the documents cannot tell apart share one. Findings are then
// explained with eval.Evaluate.
//
// Limits: resource-based policies other than trust policies are not read,
// and request keys that depend on the request itself (source IP, region,
// request tags) are absent from the context, so conditions on them see a
// missing key.
func Run(acct *account.Account, opts Options) (*Report, error) {
	a, err := newAuditor(acct, opts)
	if err != nil {
		return nil, err
	}
	if err := a.prepare(); err != nil {
		return nil, err
	}
	a.decideAll()
	return a.report(), nil
}

func newAuditor(acct *account.Account, opts Options) (*auditor, error) {
	if acct == nil {
		return nil, errors.New("audit: no account")
	}
	if opts.StaleDays < 0 {
		return nil, fmt.Errorf("--stale-days must be zero or more, not %d", opts.StaleDays)
	}
	if opts.StaleDays == 0 {
		opts.StaleDays = DefaultStaleDays
	}
	if opts.Sample <= 0 {
		opts.Sample = DefaultSample
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Credentials == nil {
		opts.Credentials = AllCredentials()
	}
	seen := map[Credential]bool{}
	for _, c := range opts.Credentials {
		if _, ok := credIndex(c); !ok {
			return nil, fmt.Errorf("unknown credential type %q (known: %s)", c, joinCreds(AllCredentials()))
		}
		if seen[c] {
			return nil, fmt.Errorf("credential type %q given twice", c)
		}
		seen[c] = true
	}
	if opts.Actions == nil {
		opts.Actions = DefaultActions()
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	rows, err := credRows()
	if err != nil {
		return nil, err
	}
	part := acct.Partition
	if part == "" {
		part = "aws"
	}
	return &auditor{acct: acct, opts: opts, now: now, part: part, rows: rows, attached: map[*polRef][]*userState{}}, nil
}

func joinCreds(cs []Credential) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// prepare compiles the documents, groups users into profiles, and builds
// the action set.
func (a *auditor) prepare() error {
	reg, err := newRegistry(a.acct)
	if err != nil {
		return err
	}
	a.reg = reg
	if err := a.prepareUsers(); err != nil {
		return err
	}
	if err := a.prepareRoles(); err != nil {
		return err
	}
	if err := a.buildActions(); err != nil {
		return err
	}
	a.sensBits = map[*polRef][]uint64{}
	a.coverBits = map[*polRef][]uint64{}
	for _, p := range a.profiles {
		a.materialiseProfile(p)
		a.classifyProfile(p)
	}
	return nil
}

func (a *auditor) prepareUsers() error {
	rows := map[string]*account.CredentialRow{}
	if rep := a.acct.Report; rep != nil {
		for i := range rep.Rows {
			r := &rep.Rows[i]
			if !r.Root() {
				rows[r.User] = r
			}
		}
	}
	users := make([]*account.User, 0, len(a.acct.Users))
	for _, u := range a.acct.Users {
		if u != nil {
			users = append(users, u)
		}
	}
	sort.SliceStable(users, func(i, j int) bool { return users[i].Name < users[j].Name })
	byKey := map[string]*profile{}
	var key strings.Builder
	missing := 0
	for _, u := range users {
		if u.ARN == "" {
			cp := *u
			path := cp.Path
			if path == "" {
				path = "/"
			}
			cp.ARN = "arn:" + a.part + ":iam::" + a.acct.ID + ":user" + path + cp.Name
			u = &cp
		}
		var row *account.CredentialRow
		if a.acct.Report != nil {
			row = rows[u.Name]
			if row == nil {
				missing++
			}
		}
		us := &userState{u: u, facts: factsOf(u, row)}
		identity, boundary, err := a.reg.userPolicies(u)
		if err != nil {
			return err
		}
		for _, ref := range identity {
			a.attached[ref] = append(a.attached[ref], us)
		}
		key.Reset()
		ids := make([]int, len(identity))
		for i, ref := range identity {
			ids[i] = ref.id
		}
		sort.Ints(ids)
		for _, id := range ids {
			fmt.Fprintf(&key, "%d,", id)
		}
		if boundary != nil {
			fmt.Fprintf(&key, "b%d", boundary.id)
		}
		p := byKey[key.String()]
		if p == nil {
			p = &profile{identity: identity, boundary: boundary, rep: u}
			p.set = eval.PolicySet{SCPs: a.reg.scps, SCPExempt: a.reg.mgmt}
			for _, ref := range identity {
				p.set.Identity = append(p.set.Identity, ref.pol)
			}
			if boundary != nil {
				p.set.Boundary = boundary.pol
			}
			byKey[key.String()] = p
			a.profiles = append(a.profiles, p)
		}
		us.prof = p
		a.users = append(a.users, us)
	}
	if missing > 0 {
		a.reg.note("%d users are not in the credential report (created after it?): their access keys and password are assumed", missing)
	}
	return nil
}

// prepareRoles compiles the trust policies of the roles IAM users might
// assume (service-linked roles only a service assumes).
func (a *auditor) prepareRoles() error {
	for _, r := range a.acct.Roles {
		if r == nil || r.ServiceLinked() || r.Trust == nil {
			continue
		}
		arn := r.ARN
		if arn == "" {
			path := r.Path
			if path == "" {
				path = "/"
			}
			arn = "arn:" + a.part + ":iam::" + a.acct.ID + ":role" + path + r.Name
		}
		ref, err := a.reg.compile(r.Trust, kindTrust, "role/"+r.Name+"/trust", arn)
		if err != nil {
			return err
		}
		if ref == nil {
			continue
		}
		ri := &roleInfo{r: r, trust: ref}
		for _, st := range ref.doc.Statements {
			if st == nil || st.Principal == nil || st.Effect != "Allow" {
				continue
			}
			if st.Principal.Wildcard {
				ri.principals = append(ri.principals, "*")
			}
			for _, e := range st.Principal.Entries {
				if e.Type != "AWS" {
					continue
				}
				for _, v := range e.Values.Values {
					ri.principals = append(ri.principals, strings.ToLower(v))
				}
			}
		}
		ri.shared = !ref.sensitive
		for _, v := range ri.principals {
			if v != "*" && v != a.acct.ID && v != "arn:"+a.part+":iam::"+a.acct.ID+":root" {
				ri.shared = false
			}
		}
		if len(ri.principals) > 0 {
			if ri.r.ARN == "" {
				cp := *r
				cp.ARN = arn
				ri.r = &cp
			}
			a.roles = append(a.roles, ri)
		}
	}
	return nil
}

// mayAdmit reports whether the role's trust policy could admit u: it names
// u, its account, or uses a wildcard. Only then is the assumption decided
// (by the evaluator, with the trust policy as a role trust policy).
func (ri *roleInfo) mayAdmit(u *account.User, acctID string) bool {
	name := "/" + strings.ToLower(u.Name)
	arn := strings.ToLower(u.ARN)
	for _, v := range ri.principals {
		switch {
		case strings.ContainsAny(v, "*?"), v == acctID, v == arn, strings.HasSuffix(v, name):
			return true
		case strings.HasSuffix(v, ":root") && strings.Contains(v, ":"+acctID+":"):
			return true
		}
	}
	return false
}

// maxActionSet bounds the action set (memory is a bit per action, user
// set and credential type).
const maxActionSet = 2 * MaxActions

// buildActions builds the action set: Options.Actions plus every literal
// action the account's documents name.
func (a *auditor) buildActions() error {
	byLower := map[string]string{}
	add := func(s string) {
		l := strings.ToLower(s)
		if _, ok := byLower[l]; !ok {
			byLower[l] = s
		}
	}
	for _, s := range a.opts.Actions {
		add(s)
	}
	for _, ref := range a.reg.refs {
		for _, st := range ref.doc.Statements {
			if st == nil {
				continue
			}
			for _, v := range append(append([]string(nil), st.Action.Values...), st.NotAction.Values...) {
				if checkActionName(v) == nil {
					add(v)
				}
			}
		}
	}
	if len(byLower) > maxActionSet {
		return fmt.Errorf("the action set and the account's policies name %d distinct actions, more than %d", len(byLower), maxActionSet)
	}
	a.lower = make([]string, 0, len(byLower))
	for l := range byLower {
		a.lower = append(a.lower, l)
	}
	sort.Strings(a.lower)
	a.actions = make([]string, len(a.lower))
	for i, l := range a.lower {
		a.actions[i] = byLower[l]
		// Self-service actions never count; role assumption is decided
		// with each role's trust policy (decideAssume).
		if selfService()[l] || l == "sts:assumerole" {
			continue
		}
		a.bulk = append(a.bulk, i)
	}
	a.words = (len(a.bulk) + 63) / 64
	for c := range numCreds {
		a.mask[c] = make([]uint64, a.words)
		for bit, ai := range a.bulk {
			if c.possible(a.lower[ai]) {
				a.mask[c][bit/64] |= 1 << uint(bit%64)
			}
		}
	}
	return nil
}

// classifyProfile computes the profile's per-user actions and credential
// classes.
func (a *auditor) classifyProfile(p *profile) {
	refs := append(append([]*polRef(nil), p.identity...), a.reg.scpRefs...)
	if p.boundary != nil {
		refs = append(refs, p.boundary)
	}
	keys := map[string]bool{}
	for _, ref := range refs {
		for _, k := range ref.keys {
			keys[k] = true
		}
		if !ref.sensitive {
			continue
		}
		for i := range ref.sensStmts {
			if ref.sensStmts[i].covers("sts:assumerole") {
				p.assumeSens = true
			}
		}
		bits := a.sensBitsOf(ref)
		if p.sens == nil {
			p.sens = make([]uint64, a.words)
		}
		for i := range bits {
			p.sens[i] |= bits[i]
		}
	}
	for i, ref := range p.identity {
		p.covers = append(p.covers, a.coverBitsOf(ref))
		for j := range ref.stmts {
			if i < 64 && ref.stmts[j].covers("sts:assumerole") {
				p.assumeCover |= 1 << uint(i)
			}
		}
	}
	if p.sens != nil && isZero(p.sens) {
		p.sens = nil
	}
	var sigs [numCreds]string
	for c := range numCreds {
		var b strings.Builder
		for _, k := range a.rows[c].Keys {
			if !keys[strings.ToLower(k.Name)] {
				continue
			}
			fmt.Fprintf(&b, "%s=%t:%s;", k.Name, k.Present, k.Value)
		}
		sigs[c] = b.String()
		p.class[c] = c
		for d := range c {
			if sigs[d] == sigs[c] {
				p.class[c] = d
				break
			}
		}
	}
}

// sensBitsOf returns the bulk actions a document's user-dependent
// statements cover.
func (a *auditor) sensBitsOf(ref *polRef) []uint64 {
	if bits, ok := a.sensBits[ref]; ok {
		return bits
	}
	bits := make([]uint64, a.words)
	for bit, ai := range a.bulk {
		for i := range ref.sensStmts {
			if ref.sensStmts[i].covers(a.lower[ai]) {
				bits[bit/64] |= 1 << uint(bit%64)
				break
			}
		}
	}
	a.sensBits[ref] = bits
	return bits
}

// coverBitsOf returns the bulk actions some statement of ref covers.
func (a *auditor) coverBitsOf(ref *polRef) []uint64 {
	if bits, ok := a.coverBits[ref]; ok {
		return bits
	}
	bits := make([]uint64, a.words)
	for bit, ai := range a.bulk {
		for i := range ref.stmts {
			if ref.stmts[i].covers(a.lower[ai]) {
				bits[bit/64] |= 1 << uint(bit%64)
				break
			}
		}
	}
	a.coverBits[ref] = bits
	return bits
}

func isZero(bits []uint64) bool {
	for _, w := range bits {
		if w != 0 {
			return false
		}
	}
	return true
}

func (a *auditor) materialiseProfile(p *profile) {
	add := func(ref *polRef) {
		for i := range ref.resStmts {
			st := &ref.resStmts[i]
			ms := matStmt{st: st}
			for _, v := range st.resources {
				ms.resources = append(ms.resources, materialise(v, p.rep, a.acct.ID))
			}
			p.res = append(p.res, ms)
		}
	}
	for _, ref := range p.identity {
		add(ref)
	}
	if p.boundary != nil {
		add(p.boundary)
	}
	for _, ref := range a.reg.scpRefs {
		add(ref)
	}
}
