package audit

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/eval"
)

// candidates returns the resources to try for an action: "*" and the
// resources of the statements that cover it.
func (p *profile) candidates(lowerAction string, buf []string) []string {
	buf = append(buf[:0], "*")
	for i := range p.res {
		ms := &p.res[i]
		if !ms.st.covers(lowerAction) {
			continue
		}
	next:
		for _, r := range ms.resources {
			for _, have := range buf {
				if have == r {
					continue next
				}
			}
			buf = append(buf, r)
		}
	}
	return buf
}

// worker holds one goroutine's reusable request state.
type worker struct {
	ctx    [numCreds]eval.Context
	set    eval.PolicySet
	ids    []*eval.Policy
	refIDs []int
	key    []byte
	// subs caches the subset memos of profile subsOf.
	subsOf *profile
	subs   []subsetRef
	req    eval.Request
	cands  []string
	n      int64 // decisions made
}

// parallel runs fn(i) for i in [0,n) on the configured workers.
func (a *auditor) parallel(n int, fn func(w *worker, i int)) {
	workers := a.opts.Workers
	if workers > n {
		workers = n
	}
	if workers < 1 {
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{}
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				fn(w, i)
			}
			a.decisions.Add(w.n)
		}()
	}
	wg.Wait()
}

// decideAll makes the bulk decisions: every profile for every credential
// type and bulk action, then what is particular to each user (per-user
// actions, role assumption).
func (a *auditor) decideAll() {
	total := len(a.users)
	counts := make([]int, len(a.profiles))
	index := map[*profile]int{}
	for i, p := range a.profiles {
		index[p] = i
	}
	for _, us := range a.users {
		counts[index[us.prof]]++
	}
	// Progress counts half a user when its profile is decided and the
	// other half when the user is.
	a.parallel(len(a.profiles), func(w *worker, i int) {
		a.decideProfile(w, a.profiles[i])
		a.progress(counts[i], total)
	})
	a.parallel(len(a.users), func(w *worker, i int) {
		a.decideUser(w, a.users[i])
		a.progress(1, total)
	})
	if a.opts.Progress != nil {
		a.progMu.Lock()
		a.opts.Progress(total, total)
		a.progMu.Unlock()
	}
}

// progress adds half-user units and reports every hundred users decided;
// calls are serialised.
func (a *auditor) progress(halves, total int) {
	if a.opts.Progress == nil {
		return
	}
	a.progMu.Lock()
	defer a.progMu.Unlock()
	before := a.progHalves / 2
	a.progHalves += halves
	if now := min(a.progHalves/2, total); now/100 != before/100 && now < total {
		a.opts.Progress(now, total)
	}
}

func (a *auditor) decideProfile(w *worker, p *profile) {
	for c := range numCreds {
		p.allowed[c] = make([]uint64, a.words)
	}
	if len(p.identity) == 0 {
		// No identity-based policy: nothing is allowed (resource-based
		// policies are not part of the model).
		return
	}
	a.decideBits(w, p, p.rep, nil, &p.allowed)
	if !p.assumeSens {
		a.decideAssume(w, p.rep, p, rolesShared, &p.assume)
	}
}

// decideBits decides the bulk actions (all, or those marked in only) for u
// under p's policies, setting out's bits, credential class by class.
//
// A decision depends only on the identity documents that cover the action
// (plus the boundary and the SCPs, the same for the profile), so shared
// decisions are memoised across profiles by that subset: users who differ
// by a policy about S3 share every other action's decisions.
func (a *auditor) decideBits(w *worker, p *profile, u *account.User, only []uint64, out *[numCreds][]uint64) {
	for c := range numCreds {
		if p.class[c] == c {
			fillContext(&w.ctx[c], u, a.acct.ID, a.rows[c], "", a.now)
		}
	}
	w.req.Principal = u.ARN
	for bit, ai := range a.bulk {
		word, m := bit/64, uint64(1)<<uint(bit%64)
		if only != nil && only[word]&m == 0 {
			continue
		}
		// Only the identity documents that cover the action can allow or
		// deny it; without any, nothing allows it.
		var cover uint64 // bit i: p.identity[i] (the first 64)
		covered := false
		for i, cov := range p.covers {
			if cov[word]&m != 0 {
				covered = true
				if i < 64 {
					cover |= 1 << uint(i)
				}
			}
		}
		if !covered {
			setBits(out, word, m, 0)
			continue
		}
		var sm *subsetMemo
		if only == nil && (p.sens == nil || p.sens[word]&m == 0) && len(p.identity) <= 64 {
			sm = a.subset(w, p, cover)
			if v := sm.bulk[bit].Load(); v != 0 {
				setBits(out, word, m, uint8(v))
				continue
			}
		}
		w.subsetSet(p, cover)
		lower := a.lower[ai]
		if u == p.rep {
			w.cands = p.candidates(lower, w.cands)
		} else {
			w.cands = p.candidatesFor(u, a.acct.ID, lower, w.cands)
		}
		w.req.Action = a.actions[ai]
		var res uint8 // bit c: allowed with credentials of type c
		for c := range numCreds {
			if p.class[c] != c || !a.classPossible(p, c, bit) {
				continue
			}
			w.req.Context = &w.ctx[c]
			for _, r := range w.cands {
				w.req.Resource = r
				w.n++
				if eval.Decide(&w.set, &w.req) == eval.Allowed {
					for d := range numCreds {
						if p.class[d] == c && a.mask[d][word]&m != 0 {
							res |= 1 << uint(d)
						}
					}
					break
				}
			}
		}
		if sm != nil {
			sm.bulk[bit].Store(memoKnown | int32(res))
		}
		setBits(out, word, m, res)
	}
}

func setBits(out *[numCreds][]uint64, word int, m uint64, res uint8) {
	for d := range numCreds {
		if res&(1<<uint(d)) != 0 {
			out[d][word] |= m
		} else {
			out[d][word] &^= m
		}
	}
}

// subsetSet sets w.set to p's policy set with only the identity documents
// marked in cover (the documents of p.identity, one bit each; all when p
// has more than 64).
func (w *worker) subsetSet(p *profile, cover uint64) {
	w.set = p.set
	if len(p.identity) > 64 {
		return
	}
	w.ids = w.ids[:0]
	for i, pol := range p.set.Identity {
		if cover&(1<<uint(i)) != 0 {
			w.ids = append(w.ids, pol)
		}
	}
	w.set.Identity = w.ids
}

// memoKnown marks a memo slot as decided; the low bits are the decision
// per credential type.
const memoKnown = 0x100

// subsetMemo holds the shared decisions of one subset of documents (with
// one permissions boundary): per bulk action, and per role for
// sts:AssumeRole.
type subsetMemo struct {
	bulk  []atomic.Int32
	roles []atomic.Int32
}

// memoTable interns document subsets.
type memoTable struct {
	mu      sync.Mutex
	byKey   map[string]*subsetMemo
	entries int
}

// subset returns the memo of the documents of p marked in cover, from the
// worker's cache for p or the table.
func (a *auditor) subset(w *worker, p *profile, cover uint64) *subsetMemo {
	if w.subsOf != p {
		w.subsOf, w.subs = p, w.subs[:0]
	}
	for i := range w.subs {
		if w.subs[i].cover == cover {
			return w.subs[i].sm
		}
	}
	w.refIDs = w.refIDs[:0]
	for i, ref := range p.identity {
		if cover&(1<<uint(i)) != 0 {
			w.refIDs = append(w.refIDs, ref.id)
		}
	}
	slices.Sort(w.refIDs)
	k := w.key[:0]
	if p.boundary != nil {
		k = binary.AppendUvarint(k, uint64(p.boundary.id)+1)
	} else {
		k = binary.AppendUvarint(k, 0)
	}
	for _, id := range w.refIDs {
		k = binary.AppendUvarint(k, uint64(id))
	}
	w.key = k
	t := &a.memo
	t.mu.Lock()
	sm := t.byKey[string(k)]
	if sm == nil {
		if t.byKey == nil {
			t.byKey = map[string]*subsetMemo{}
		}
		sm = &subsetMemo{bulk: make([]atomic.Int32, len(a.bulk)), roles: make([]atomic.Int32, len(a.roles))}
		t.byKey[string(k)] = sm
		t.entries++
	}
	t.mu.Unlock()
	w.subs = append(w.subs, subsetRef{cover: cover, sm: sm})
	return sm
}

type subsetRef struct {
	cover uint64
	sm    *subsetMemo
}

// classPossible reports whether some credential type of class c can call
// the bulk action at all.
func (a *auditor) classPossible(p *profile, c credIdx, bit int) bool {
	for d := range numCreds {
		if p.class[d] == c && a.mask[d][bit/64]&(1<<uint(bit%64)) != 0 {
			return true
		}
	}
	return false
}

// candidatesFor is candidates with the resources materialised for u.
func (p *profile) candidatesFor(u *account.User, acctID, lowerAction string, buf []string) []string {
	buf = append(buf[:0], "*")
	for i := range p.res {
		ms := &p.res[i]
		if !ms.st.covers(lowerAction) {
			continue
		}
	next:
		for j, r := range ms.resources {
			if ms.st.hasVar {
				r = materialise(ms.st.resources[j], u, acctID)
			}
			for _, have := range buf {
				if have == r {
					continue next
				}
			}
			buf = append(buf, r)
		}
	}
	return buf
}

// decideUser decides what is particular to us: the profile's per-user
// actions, and role assumption.
func (a *auditor) decideUser(w *worker, us *userState) {
	p := us.prof
	if p.sens != nil && us.u != p.rep && len(p.identity) > 0 {
		for c := range numCreds {
			us.own[c] = append([]uint64(nil), p.allowed[c]...)
		}
		a.decideBits(w, p, us.u, p.sens, &us.own)
	}
	if !p.assumeSens {
		for c := range numCreds {
			// Shared, read-only: the full slice expression makes an
			// append copy.
			us.assume[c] = p.assume[c][:len(p.assume[c]):len(p.assume[c])]
		}
	}
	mode := rolesOwn
	if p.assumeSens {
		mode = rolesAll
	}
	a.decideAssume(w, us.u, p, mode, &us.assume)
}

// assumeSet is the policy set for u assuming role ri.
func (a *auditor) assumeSet(p *profile, ri *roleInfo) eval.PolicySet {
	set := p.set
	set.Resource = ri.trust.pol
	set.ResourceKind = eval.ResourceRoleTrust
	return set
}

// roleSel selects the roles decideAssume decides.
type roleSel int

const (
	rolesAll    roleSel = iota
	rolesShared         // trust policies that admit every user of the account alike
	rolesOwn            // the others
)

// decideAssume decides sts:AssumeRole for u on each selected role whose
// trust policy might admit it, appending the roles admitted to out: role
// assumption counts only when the trust policy admits the request too.
// Shared roles are decided once per profile (unless a statement about
// sts:AssumeRole depends on the user), the others per user.
func (a *auditor) decideAssume(w *worker, u *account.User, p *profile, sel roleSel, out *[numCreds][]int) {
	filled := false
	var sm *subsetMemo
	if sel == rolesShared && len(p.identity) <= 64 {
		// Shared roles decide alike for every set with the same documents
		// covering sts:AssumeRole.
		sm = a.subset(w, p, p.assumeCover)
	}
	for ri, role := range a.roles {
		if sel == rolesShared && !role.shared || sel == rolesOwn && role.shared {
			continue
		}
		if !role.mayAdmit(u, a.acct.ID) {
			continue
		}
		var res int32
		if sm != nil {
			res = sm.roles[ri].Load()
		}
		if res == 0 {
			if !filled {
				for c := range numCreds {
					fillContext(&w.ctx[c], u, a.acct.ID, a.rows[c], "sts:AssumeRole", a.now)
				}
				filled = true
			}
			res = memoKnown
			set := a.assumeSet(p, role)
			w.req = eval.Request{Principal: u.ARN, Action: "sts:AssumeRole", Resource: role.r.ARN}
			for c := range numCreds {
				w.req.Context = &w.ctx[c]
				w.n++
				if eval.Decide(&set, &w.req) == eval.Allowed {
					res |= 1 << uint(c)
				}
			}
			if sm != nil {
				sm.roles[ri].Store(res)
			}
		}
		for c := range numCreds {
			if res&(1<<uint(c)) != 0 {
				out[c] = append(out[c], ri)
			}
		}
	}
}

// bits returns the bulk decisions of us for c.
func (us *userState) bits(c credIdx) []uint64 {
	if us.own[c] != nil {
		return us.own[c]
	}
	return us.prof.allowed[c]
}

// count returns how many actions beyond self-service us may call with
// credentials of type c.
func (a *auditor) count(us *userState, c credIdx) int {
	n := a.bulkCount(us, c)
	if len(us.assume[c]) > 0 {
		n++
	}
	return n
}

func (a *auditor) bulkCount(us *userState, c credIdx) int {
	n := 0
	for _, w := range us.bits(c) {
		n += bits.OnesCount64(w)
	}
	return n
}

// firstActions lists the first n actions (sorted, ignoring case) us may
// call with c: the bulk actions in the set's order, with sts:AssumeRole in
// its place when a role admits us.
func (a *auditor) firstActions(us *userState, c credIdx, n int) []string {
	b := us.bits(c)
	assume := len(us.assume[c]) > 0
	var out []string
	for bit, ai := range a.bulk {
		if len(out) >= n {
			return out
		}
		if b[bit/64]&(1<<uint(bit%64)) == 0 {
			continue
		}
		if assume && a.lower[ai] > "sts:assumerole" {
			out = append(out, "sts:AssumeRole")
			assume = false
			if len(out) >= n {
				return out
			}
		}
		out = append(out, a.actions[ai])
	}
	if assume && len(out) < n {
		out = append(out, "sts:AssumeRole")
	}
	return out
}

// gated reports whether MFA gives us access it does not have with c: some
// action (or role) allowed with an MFA session token but not with c.
func (a *auditor) gated(us *userState, c credIdx) bool {
	m, o := us.bits(cSessionMFA), us.bits(c)
	for i := range m {
		if m[i]&^o[i] != 0 {
			return true
		}
	}
	return len(us.assume[cSessionMFA]) > len(us.assume[c])
}
