package lab

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/sigv4"
)

// keyEntry is a cached access key: a long-term key (valid while the store
// generation is unchanged) or a session (immutable).
type keyEntry struct {
	secret     string
	key        *store.AccessKey
	sess       *store.Session
	sessPolicy *eval.Policy
	gen        uint64
	// touched is the unix time the key's last use was last written.
	touched atomic.Int64
}

// identity is a cached user or role with its compiled identity policies.
type identity struct {
	gen      uint64
	user     store.User
	role     store.Role
	policies []*eval.Policy
	// trust is a role's compiled trust policy.
	trust *eval.Policy
}

// cache holds what authentication and authorization derive from the
// store, invalidated by the store generation.
type cache struct {
	mu     sync.RWMutex
	keys   map[string]*keyEntry
	idents map[string]*identity
	// users is every user, ordered by name, as of usersGen.
	users    []store.User
	usersGen uint64
	// usersXML are users as ListUsers lists them (same order).
	usersXML []userXML
}

const maxCachedKeys = 1 << 16

func (c *cache) init() {
	c.keys = make(map[string]*keyEntry)
	c.idents = make(map[string]*identity)
}

func (c *cache) key(id string) *keyEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.keys[id]
}

func (c *cache) putKey(id string, e *keyEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= maxCachedKeys {
		clear(c.keys)
	}
	c.keys[id] = e
}

func (c *cache) ident(k string) *identity {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.idents[k]
}

func (c *cache) putIdent(k string, id *identity) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.idents) >= maxCachedKeys {
		clear(c.idents)
	}
	c.idents[k] = id
}

// allUsers returns every user ordered by name (cached per generation).
func (s *Server) allUsers() ([]store.User, error) {
	users, _, err := s.allUsersXML()
	return users, err
}

// allUsersXML returns every user ordered by name and, in the same order,
// each as ListUsers lists it (cached per generation; read only).
func (s *Server) allUsersXML() ([]store.User, []userXML, error) {
	gen := s.st.Generation()
	s.cache.mu.RLock()
	users, xs, ok := s.cache.users, s.cache.usersXML, s.cache.usersGen == gen && s.cache.users != nil
	s.cache.mu.RUnlock()
	if ok {
		return users, xs, nil
	}
	users, err := s.st.ListUsers("")
	if err != nil {
		return nil, nil, err
	}
	if users == nil {
		users = []store.User{}
	}
	xs = make([]userXML, len(users))
	for i, u := range users {
		xs[i] = toUserXML(u)
	}
	s.cache.mu.Lock()
	s.cache.users, s.cache.usersXML, s.cache.usersGen = users, xs, gen
	s.cache.mu.Unlock()
	return users, xs, nil
}

// lookupKey finds the secret of an access key id, for the SigV4 verifier.
func (s *Server) lookupKey(id string) (*keyEntry, error) {
	gen := s.st.Generation()
	if e := s.cache.key(id); e != nil && (e.sess != nil || e.gen == gen) {
		return e, nil
	}
	if strings.HasPrefix(id, store.PrefixTempAccessKey) {
		sess, err := s.st.GetSession(id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, sigv4.ErrUnknownAccessKey
		}
		if err != nil {
			return nil, err
		}
		e := &keyEntry{secret: sess.Secret, sess: &sess}
		if sess.SessionPolicy != "" {
			if e.sessPolicy, err = compilePolicy("session policy", sess.SessionPolicy, policy.KindSession); err != nil {
				return nil, err
			}
		}
		s.cache.putKey(id, e)
		return e, nil
	}
	k, err := s.st.LookupAccessKey(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, sigv4.ErrUnknownAccessKey
	}
	if err != nil {
		return nil, err
	}
	e := &keyEntry{secret: k.Secret, key: &k, gen: gen}
	e.touched.Store(k.LastUsed.Unix())
	s.cache.putKey(id, e)
	return e, nil
}

func compilePolicy(name, doc string, kind policy.Kind) (*eval.Policy, error) {
	d, err := policy.ParseKind(name, []byte(doc), kind)
	if err != nil {
		return nil, fmt.Errorf("lab: stored policy %s: %w", name, err)
	}
	p, err := eval.Compile(d)
	if err != nil {
		return nil, fmt.Errorf("lab: stored policy %s: %w", name, err)
	}
	p.Name = name
	return p, nil
}

func compileAll(docs []store.NamedDocument) ([]*eval.Policy, error) {
	out := make([]*eval.Policy, 0, len(docs))
	for _, d := range docs {
		p, err := compilePolicy(d.Name, d.Document, policy.KindIdentity)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// userIdentity returns the user with the unique id and its policies.
func (s *Server) userIdentity(userID string) (*identity, error) {
	gen := s.st.Generation()
	k := "user:" + userID
	if id := s.cache.ident(k); id != nil && id.gen == gen {
		return id, nil
	}
	u, err := s.st.GetUserByID(userID)
	if err != nil {
		return nil, err
	}
	docs, err := s.st.UserIdentityPolicies(u.Name)
	if err != nil {
		return nil, err
	}
	pols, err := compileAll(docs)
	if err != nil {
		return nil, err
	}
	id := &identity{gen: gen, user: u, policies: pols}
	s.cache.putIdent(k, id)
	return id, nil
}

// roleIdentity returns the role with the unique id and its policies.
func (s *Server) roleIdentity(roleID string) (*identity, error) {
	gen := s.st.Generation()
	k := "role:" + roleID
	if id := s.cache.ident(k); id != nil && id.gen == gen {
		return id, nil
	}
	r, err := s.st.GetRoleByID(roleID)
	if err != nil {
		return nil, err
	}
	docs, err := s.st.RoleIdentityPolicies(r.Name)
	if err != nil {
		return nil, err
	}
	pols, err := compileAll(docs)
	if err != nil {
		return nil, err
	}
	trust, err := compilePolicy("trust policy of role/"+r.Name, r.TrustPolicy, policy.KindTrust)
	if err != nil {
		return nil, err
	}
	id := &identity{gen: gen, role: r, policies: pols, trust: trust}
	s.cache.putIdent(k, id)
	return id, nil
}
