package eval

import "strings"

// Context holds the condition keys of a request. Key names are
// case-insensitive ("Key names are case-insensitive. For example,
// aws:CurrentTime is equivalent to AWS:currenttime",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html);
// values are case-sensitive strings. A key may carry several values
// (multivalued keys such as aws:TagKeys); a key set with no values is
// treated as absent.
//
// A Context is meant to be reused: Reset keeps its storage, so filling and
// evaluating the same Context again does not allocate once keys repeat.
// The zero Context is empty and ready to use. A Context is not safe for
// concurrent modification.
type Context struct {
	entries []ctxEntry
	n       int
	// lower caches the lower-case form of key spellings seen before.
	lower map[string]string
	// budget, when positive, bounds the wildcard-matching work of the
	// evaluations that use this Context (see SetMatchBudget); work is what
	// they have spent.
	budget, work int64
}

// SetMatchBudget bounds the wildcard-matching work of the evaluations that
// use c from now on to about n steps (a step compares a pattern token with
// the text, after a wildcard had to give back a character); 0 removes the
// bound. Matching a pattern against a string can cost the product of their
// lengths, so a hostile input of many patterns and long values could
// otherwise run for hours. Once the budget is spent every further wildcard
// match fails, and MatchBudgetExceeded reports it: the decision must then
// be discarded. Setting the budget resets the work spent.
func (c *Context) SetMatchBudget(n int64) {
	c.budget, c.work = n, 0
}

// MatchBudgetExceeded reports whether the evaluations since SetMatchBudget
// needed more matching work than the budget.
func (c *Context) MatchBudgetExceeded() bool {
	return c.budget > 0 && c.work > c.budget
}

// charge spends n steps of the budget and reports whether any is left.
func (c *Context) charge(n int) bool {
	if c.budget <= 0 {
		return true
	}
	c.work += int64(n)
	return c.work <= c.budget
}

type ctxEntry struct {
	key  string // lower-case
	vals []string
}

// Reset removes every key, keeping storage for reuse.
func (c *Context) Reset() {
	for i := 0; i < c.n; i++ {
		c.entries[i].vals = c.entries[i].vals[:0]
	}
	c.n = 0
}

// Len returns the number of keys.
func (c *Context) Len() int { return c.n }

func (c *Context) lowerKey(key string) string {
	if !hasUpperASCII(key) {
		return key
	}
	if l, ok := c.lower[key]; ok {
		return l
	}
	l := strings.ToLower(key)
	if c.lower == nil {
		c.lower = make(map[string]string)
	}
	if len(c.lower) > 4096 {
		clear(c.lower)
	}
	// A copy: the caller's key may point into memory it reuses (the
	// batch decoder's line buffer), which must not become a map key.
	c.lower[strings.Clone(key)] = l
	return l
}

func hasUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			return true
		}
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func (c *Context) find(lower string) int {
	for i := 0; i < c.n; i++ {
		if c.entries[i].key == lower {
			return i
		}
	}
	return -1
}

// slot returns the entry for key, creating it (empty) when absent.
func (c *Context) slot(key string) *ctxEntry {
	return c.slotLower(c.lowerKey(key))
}

// slotLower is slot for a lower-cased key.
func (c *Context) slotLower(l string) *ctxEntry {
	if i := c.find(l); i >= 0 {
		return &c.entries[i]
	}
	if c.n < len(c.entries) {
		e := &c.entries[c.n]
		e.key = l
		e.vals = e.vals[:0]
		c.n++
		return e
	}
	c.entries = append(c.entries, ctxEntry{key: l})
	c.n++
	return &c.entries[c.n-1]
}

// Set replaces the values of key.
func (c *Context) Set(key string, values ...string) {
	e := c.slot(key)
	e.vals = append(e.vals[:0], values...)
}

// SetString replaces the values of key with the single value v. Unlike Set
// it never allocates a variadic slice.
func (c *Context) SetString(key, v string) {
	e := c.slot(key)
	e.vals = append(e.vals[:0], v)
}

// Add appends a value to key.
func (c *Context) Add(key, v string) {
	e := c.slot(key)
	e.vals = append(e.vals, v)
}

// The methods below ending in Lower take a key already lower-cased with
// strings.ToLower (the form Context keeps), for callers that keep the
// lower-case spelling of the keys they see; otherwise they are the methods
// of the same name without Lower.

// SetStringLower is SetString for a lower-cased key.
func (c *Context) SetStringLower(lower, v string) {
	e := c.slotLower(lower)
	e.vals = append(e.vals[:0], v)
}

// SetLower is Set, without values, for a lower-cased key.
func (c *Context) SetLower(lower string) {
	e := c.slotLower(lower)
	e.vals = e.vals[:0]
}

// AddLower is Add for a lower-cased key.
func (c *Context) AddLower(lower, v string) {
	e := c.slotLower(lower)
	e.vals = append(e.vals, v)
}

// DeleteLower is Delete for a lower-cased key.
func (c *Context) DeleteLower(lower string) {
	c.deleteLower(lower)
}

// Delete removes key.
func (c *Context) Delete(key string) {
	c.deleteLower(c.lowerKey(key))
}

func (c *Context) deleteLower(l string) {
	i := c.find(l)
	if i < 0 {
		return
	}
	last := c.n - 1
	c.entries[i], c.entries[last] = c.entries[last], c.entries[i]
	c.entries[last].vals = c.entries[last].vals[:0]
	c.n--
}

// Lookup returns the values of key (any case). ok is false when the key is
// absent or has no values.
func (c *Context) Lookup(key string) (values []string, ok bool) {
	if c == nil {
		return nil, false
	}
	return c.lookupLower(c.lowerKey(key))
}

func (c *Context) lookupLower(lower string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	i := c.find(lower)
	if i < 0 || len(c.entries[i].vals) == 0 {
		return nil, false
	}
	return c.entries[i].vals, true
}

// Keys returns the lower-cased key names, in insertion order except after
// Delete.
func (c *Context) Keys() []string {
	keys := make([]string, 0, c.n)
	for i := 0; i < c.n; i++ {
		keys = append(keys, c.entries[i].key)
	}
	return keys
}

// variable implements resolver: a variable resolves only from a key with
// exactly one value.
func (c *Context) variable(lower string) (string, bool) {
	vals, ok := c.lookupLower(lower)
	if !ok || len(vals) != 1 {
		return "", false
	}
	return vals[0], true
}
