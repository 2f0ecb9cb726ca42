package account

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// elem is one entity of the file (a user, group, role or managed policy),
// parsed on its own: positions in its tree count from the start of data,
// which is at base in the file.
type elem struct {
	l    *loader
	data []byte
	base policy.Pos
	// starts are the offsets in data where its lines start, computed on
	// first use (only to cut a document's text out).
	starts []int
}

// at returns the place of n for messages.
func (e *elem) at(n *policy.Node, path string) at {
	return at{pos: shift(n.Pos, e.base), path: path}
}

// get returns the value of member key of object n, or nil when it is
// absent or null.
func (e *elem) get(n *policy.Node, key string) *policy.Node {
	for i := range n.Members {
		if n.Members[i].Key == key {
			v := n.Members[i].Value
			if v.Kind == policy.NodeNull {
				return nil
			}
			return v
		}
	}
	return nil
}

// typed returns member key of n when it has the JSON type want, and
// reports a problem when it has another; nil when absent.
func (e *elem) typed(n *policy.Node, path, key string, want policy.NodeKind, what string) *policy.Node {
	v := e.get(n, key)
	if v == nil {
		return nil
	}
	if v.Kind != want {
		e.l.problem(e.at(v, path+"."+key), "must be %s, not %s", what, article(v.Kind))
		return nil
	}
	return v
}

// str returns string member key of n ("" when absent; required reports a
// problem then).
func (e *elem) str(n *policy.Node, path, key string, required bool) string {
	v := e.typed(n, path, key, policy.NodeString, "a string")
	if v == nil {
		if required && e.get(n, key) == nil {
			e.l.problem(e.at(n, path), "missing %s", key)
		}
		return ""
	}
	if required && v.Str == "" {
		e.l.problem(e.at(v, path+"."+key), "must not be empty")
	}
	return v.Str
}

// flag returns boolean member key of n (false when absent).
func (e *elem) flag(n *policy.Node, path, key string) bool {
	v := e.typed(n, path, key, policy.NodeBool, "true or false")
	return v != nil && v.Str == "true"
}

// num returns integer member key of n (0 when absent).
func (e *elem) num(n *policy.Node, path, key string) int {
	v := e.typed(n, path, key, policy.NodeNumber, "a number")
	if v == nil {
		return 0
	}
	i, err := strconv.Atoi(v.Str)
	if err != nil || i < 0 {
		e.l.problem(e.at(v, path+"."+key), "must be a whole number from 0, not %s", truncateForMessage(v.Str))
		return 0
	}
	return i
}

// when returns timestamp member key of n (zero when absent): a string in
// one of timeLayouts or a number of seconds since 1970.
func (e *elem) when(n *policy.Node, path, key string) time.Time {
	v := e.get(n, key)
	if v == nil {
		return time.Time{}
	}
	var t time.Time
	ok := false
	switch v.Kind {
	case policy.NodeString:
		t, ok = parseTime(v.Str)
	case policy.NodeNumber:
		t, ok = parseEpoch(v.Str)
	}
	if !ok {
		e.l.problem(e.at(v, path+"."+key), "%s is not a date and time (expected ISO 8601 such as 2019-12-18T19:10:08Z or 2019-12-18 19:10:08+00:00)",
			truncateForMessage(nodeText(v)))
	}
	return t
}

// items returns the entries of list member key of n (nil when absent).
func (e *elem) items(n *policy.Node, path, key string) []*policy.Node {
	v := e.typed(n, path, key, policy.NodeArray, "a list")
	if v == nil {
		return nil
	}
	return v.Items
}

// objects returns the entries of list member key of n that are objects,
// reporting the others, each with its path.
func (e *elem) objects(n *policy.Node, path, key string) ([]*policy.Node, []string) {
	var objs []*policy.Node
	var paths []string
	for i, it := range e.items(n, path, key) {
		p := path + "." + key + "[" + strconv.Itoa(i) + "]"
		if it.Kind != policy.NodeObject {
			e.l.problem(e.at(it, p), "must be an object, not %s", article(it.Kind))
			continue
		}
		objs = append(objs, it)
		paths = append(paths, p)
	}
	return objs, paths
}

// nodeText is a scalar's text for messages.
func nodeText(v *policy.Node) string {
	switch v.Kind {
	case policy.NodeString:
		return strconv.Quote(v.Str)
	case policy.NodeNumber, policy.NodeBool:
		return v.Str
	}
	return article(v.Kind)
}

// document reads the policy document n (an object as the AWS CLI prints
// it, or a string: URL-encoded as the IAM API returns it, or JSON text)
// at path, as a policy of the given kind.
func (e *elem) document(n *policy.Node, path string, kind policy.Kind) *Document {
	a := e.at(n, path)
	var text string
	switch n.Kind {
	case policy.NodeObject:
		text = e.text(n)
		remapTree(n, e.base)
	case policy.NodeString:
		// Parse the string literal on its own (an entity may hold many):
		// positions count from the literal, which is at a.pos.
		lit := e.literal(n)
		doc, t, _, err := policysource.ParseStringPolicy(e.l.file, lit, &policy.Node{Kind: policy.NodeString, Str: n.Str, Pos: policy.Pos{Line: 1, Column: 1}})
		if err != nil {
			e.docErrors(err, at{a.pos, path}, "policy document is not valid JSON: ")
			return nil
		}
		remapTree(doc, a.pos)
		n, text = doc, t
	default:
		e.l.problem(a, "must be a policy document (a JSON object, or a string holding one), not %s", article(n.Kind))
		return nil
	}
	d, err := policy.FromNodeKind(e.l.file, n, kind)
	if err != nil {
		// The tree is in file positions already.
		var list policy.ErrorList
		if errors.As(err, &list) {
			for _, pe := range list {
				e.l.problem(at{pe.Pos, path}, "%s", pe.Msg)
			}
		}
		return nil
	}
	return &Document{Document: d, Text: text, File: e.l.file, Path: path, Line: a.pos.Line}
}

// docErrors reports the errors of a document parsed from the string
// literal at a, whose positions count from the literal.
func (e *elem) docErrors(err error, a at, prefix string) {
	var list policy.ErrorList
	if !errors.As(err, &list) {
		e.l.problem(a, "%s%v", prefix, err)
		return
	}
	for _, pe := range list {
		e.l.problem(at{shift(pe.Pos, a.pos), a.path}, "%s%s", prefix, pe.Msg)
	}
}

// offset returns the offset in data of a position in the entity's tree,
// or -1.
func (e *elem) offset(p policy.Pos) int {
	if e.starts == nil {
		// A byte order mark is not part of the first line's columns
		// (policy.ParseJSON skips it).
		e.starts = append(e.starts, len(e.data)-len(trimBOM(e.data)))
		for i := 0; i < len(e.data); i++ {
			switch e.data[i] {
			case '\n':
				e.starts = append(e.starts, i+1)
			case '\r':
				if i+1 < len(e.data) && e.data[i+1] == '\n' {
					i++
				}
				e.starts = append(e.starts, i+1)
			}
		}
	}
	if p.Line < 1 || p.Line > len(e.starts) {
		return -1
	}
	off := e.starts[p.Line-1] + p.Column - 1
	if off < 0 || off >= len(e.data) {
		return -1
	}
	return off
}

// value returns the bytes of the value n as written in the file, or nil.
func (e *elem) value(n *policy.Node) []byte {
	off := e.offset(n.Pos)
	if off < 0 {
		return nil
	}
	sc := &scanner{file: e.l.file, data: e.data, i: off, line: 1}
	v, err := sc.skipValue()
	if err != nil {
		return nil
	}
	return v
}

// text returns the JSON text of the object n as written in the file.
func (e *elem) text(n *policy.Node) string { return string(e.value(n)) }

// literal returns the string literal n as written in the file (quotes
// included). It cannot fail for a node of the entity's tree; should it,
// the literal is written anew, which loses only exact positions.
func (e *elem) literal(n *policy.Node) []byte {
	if v := e.value(n); len(v) >= 2 && v[0] == '"' {
		return v
	}
	lit, _ := json.Marshal(n.Str)
	return lit
}

// remapTree moves every position in the tree rooted at n from the entity
// that starts at base to the file.
func remapTree(n *policy.Node, base policy.Pos) {
	if n == nil {
		return
	}
	n.Pos = shift(n.Pos, base)
	for i := range n.Members {
		n.Members[i].KeyPos = shift(n.Members[i].KeyPos, base)
		remapTree(n.Members[i].Value, base)
	}
	for _, it := range n.Items {
		remapTree(it, base)
	}
}
