package policysource

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Limits that keep hostile YAML (deep nesting, alias bombs, sheer size) from
// exhausting memory or the stack. YAML is read for CloudFormation templates,
// which are at most 1 MB ("Template body size in an Amazon S3 object",
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html);
// yaml.v3 builds about 300 bytes of tree per value, so MaxYAMLBytes keeps a
// dense file under a few hundred megabytes. Nesting is limited to
// policy.MaxDepth, as JSON is.
const (
	MaxYAMLBytes = 2 << 20
	maxYAMLDepth = policy.MaxDepth
	maxYAMLNodes = 1 << 20
)

// yamlConv converts a yaml.v3 tree to a policy.Node tree with positions in
// the original file.
//
// Scalars: strings, timestamps (an unquoted `Version: 2012-10-17` is a YAML
// timestamp) and binary values become NodeString with the scalar's text;
// !!int and !!float become NodeNumber with the literal text; !!bool becomes
// NodeBool "true" or "false" (what CloudFormation sends to IAM; yaml.v3
// follows YAML 1.2, so `yes`, `on` and `y` stay strings and are linted as
// such); !!null becomes NodeNull. A CloudFormation short-form intrinsic
// (!Ref X, !Sub ..., !GetAtt ...) becomes its long form ({"Ref": "X"},
// {"Fn::Sub": ...}), which resolveIntrinsics then turns into placeholder
// strings.
type yamlConv struct {
	li    *lineIndex
	nodes int
	// origins records the YAML scalar behind each string node that may hold
	// an embedded JSON document, so its positions can be traced.
	origins map[*policy.Node]*yaml.Node
}

type yamlError struct{ msg string }

func (e *yamlError) Error() string { return e.msg }

func (c *yamlConv) pos(y *yaml.Node) policy.Pos {
	if y.Line < 1 {
		return policy.Pos{}
	}
	return policy.Pos{Line: y.Line, Column: c.li.byteColumn(y.Line, y.Column)}
}

func (c *yamlConv) convert(y *yaml.Node, depth int, aliasDepth int) (*policy.Node, error) {
	if y == nil {
		return &policy.Node{Kind: policy.NodeNull}, nil
	}
	if depth > maxYAMLDepth {
		return nil, &yamlError{fmt.Sprintf("nesting deeper than %d levels, the limit for YAML input", maxYAMLDepth)}
	}
	c.nodes++
	if c.nodes > maxYAMLNodes {
		return nil, &yamlError{fmt.Sprintf("more than %d values after expanding aliases, the limit for YAML input", maxYAMLNodes)}
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &policy.Node{Kind: policy.NodeNull, Pos: c.pos(y)}, nil
		}
		return c.convert(y.Content[0], depth+1, aliasDepth)
	case yaml.AliasNode:
		if aliasDepth > 64 {
			return nil, &yamlError{"aliases nested more than 64 deep, the limit for YAML input"}
		}
		return c.convert(y.Alias, depth+1, aliasDepth+1)
	}
	if name, ok := intrinsicTag(y.Tag); ok {
		// Convert the tagged value as if untagged, then wrap it.
		inner := *y
		inner.Tag = ""
		if y.Kind == yaml.ScalarNode {
			inner.Tag = "!!str"
		}
		v, err := c.convert(&inner, depth+1, aliasDepth)
		if err != nil {
			return nil, err
		}
		p := c.pos(y)
		return &policy.Node{Kind: policy.NodeObject, Pos: p, Members: []policy.Member{{Key: name, KeyPos: p, Value: v}}}, nil
	}
	switch y.Kind {
	case yaml.MappingNode:
		n := &policy.Node{Kind: policy.NodeObject, Pos: c.pos(y)}
		n.Members = make([]policy.Member, 0, len(y.Content)/2)
		var merged []policy.Member
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			val, err := c.convert(v, depth+1, aliasDepth)
			if err != nil {
				return nil, err
			}
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				// A merge key (<<: *defaults) brings in the members of
				// a mapping or of a list of mappings; keys written
				// in this mapping win.
				srcs := []*policy.Node{val}
				if val.Kind == policy.NodeArray {
					srcs = val.Items
				}
				for _, m := range srcs {
					if m.Kind == policy.NodeObject {
						merged = append(merged, m.Members...)
					}
				}
				continue
			}
			n.Members = append(n.Members, policy.Member{Key: k.Value, KeyPos: c.pos(k), Value: val})
		}
		for _, m := range merged {
			if member(n, m.Key) == nil {
				n.Members = append(n.Members, m)
			}
		}
		return n, nil
	case yaml.SequenceNode:
		n := &policy.Node{Kind: policy.NodeArray, Pos: c.pos(y)}
		n.Items = make([]*policy.Node, 0, len(y.Content))
		for _, it := range y.Content {
			v, err := c.convert(it, depth+1, aliasDepth)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, v)
		}
		return n, nil
	case yaml.ScalarNode:
		return c.scalar(y), nil
	}
	return &policy.Node{Kind: policy.NodeNull, Pos: c.pos(y)}, nil
}

func (c *yamlConv) scalar(y *yaml.Node) *policy.Node {
	n := &policy.Node{Pos: c.pos(y)}
	switch y.ShortTag() {
	case "!!bool":
		n.Kind = policy.NodeBool
		n.Str = strings.ToLower(y.Value)
	case "!!int", "!!float":
		n.Kind = policy.NodeNumber
		n.Str = y.Value
	case "!!null":
		n.Kind = policy.NodeNull
	default:
		n.Kind = policy.NodeString
		n.Str = y.Value
		if t := strings.TrimSpace(y.Value); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") {
			if c.origins == nil {
				c.origins = make(map[*policy.Node]*yaml.Node)
			}
			c.origins[n] = y
		}
	}
	return n
}

// intrinsicTag maps a CloudFormation short-form tag to the long-form key:
// !Ref -> Ref, !Condition -> Condition, !GetAtt -> Fn::GetAtt, ...
func intrinsicTag(tag string) (string, bool) {
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") || len(tag) < 2 {
		return "", false
	}
	name := tag[1:]
	switch name {
	case "Ref", "Condition":
		return name, true
	}
	for _, r := range name {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", false
		}
	}
	return "Fn::" + name, true
}

var yamlLineRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// yamlParserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). yaml.v3 reports their line 0-based (decode.go, parser.fail adds
// one only for scanner errors), so one is added here.
var yamlParserProblems = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"did not find expected ',' or ']'":       true,
		"did not find expected ',' or '}'":       true,
		"found duplicate %YAML directive":        true,
		"found incompatible YAML document":       true,
		"found undefined tag handle":             true,
		"did not find expected <document start>": true,
		"did not find expected '-' indicator":    true,
		"did not find expected key":              true,
		"did not find expected node content":     true,
		"found duplicate %TAG directive":         true,
		"did not find expected <stream-start>":   true,
	}
})

// yamlSyntaxError converts a yaml.v3 error to a policy.ErrorList. yaml.v3
// reports a line (leaving it out for the first line; for an unclosed
// collection, the line where the collection starts) but never a column, so
// the column is that of the first non-blank character of the line.
func yamlSyntaxError(file string, li *lineIndex, err error) error {
	var list policy.ErrorList
	for _, msg := range strings.Split(err.Error(), "\n") {
		msg = strings.TrimSpace(msg)
		if msg == "" || msg == "yaml: unmarshal errors:" {
			continue
		}
		line := 1
		if m := yamlLineRe().FindStringSubmatch(msg); m != nil {
			if n, convErr := strconv.Atoi(m[1]); convErr == nil {
				line = n
			}
			msg = m[2]
			if yamlParserProblems()[msg] {
				line++
			}
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		if line > li.lineCount() {
			line = li.lineCount()
		}
		col := 1
		if text, ok := li.lineText(line); ok {
			col = len(text) - len(strings.TrimLeft(text, " \t")) + 1
		}
		if strings.Contains(msg, "exceeded max depth") {
			// yaml.v3's own guard (10000 levels) is far beyond ours.
			list = append(list, &policy.Error{File: file, Pos: policy.Pos{Line: line, Column: col}, Msg: fmt.Sprintf("nesting deeper than %d levels, the limit for YAML input", maxYAMLDepth), Limit: true})
			continue
		}
		list = append(list, &policy.Error{File: file, Pos: policy.Pos{Line: line, Column: col}, Msg: "invalid YAML: " + msg})
	}
	if len(list) == 0 {
		list = append(list, &policy.Error{File: file, Pos: policy.Pos{Line: 1, Column: 1}, Msg: "invalid YAML"})
	}
	return list
}

// parseYAML parses data as YAML (the first document) and converts it.
func parseYAML(file string, data []byte, li *lineIndex) (n *policy.Node, origins map[*policy.Node]*yaml.Node, err error) {
	defer func() {
		// yaml.v3 turns its own failures into errors; this only guards
		// against a panic escaping it on hostile input.
		if r := recover(); r != nil {
			n, origins = nil, nil
			err = policy.ErrorList{{File: file, Pos: policy.Pos{Line: 1, Column: 1}, Msg: fmt.Sprintf("invalid YAML: %v", r)}}
		}
	}()
	if len(data) > MaxYAMLBytes {
		return nil, nil, policy.ErrorList{{File: file, Msg: fmt.Sprintf("YAML input is larger than %d MiB, the limit for YAML (CloudFormation accepts templates up to 1 MB)", MaxYAMLBytes>>20), Limit: true}}
	}
	var doc yaml.Node
	if uerr := yaml.Unmarshal(data, &doc); uerr != nil {
		return nil, nil, yamlSyntaxError(file, li, uerr)
	}
	if doc.Kind == 0 {
		return nil, nil, policy.ErrorList{{File: file, Pos: policy.Pos{Line: 1, Column: 1}, Msg: "empty document: expected a YAML mapping"}}
	}
	c := &yamlConv{li: li}
	root, cerr := c.convert(&doc, 0, 0)
	if cerr != nil {
		// Every conversion error is a limit.
		return nil, nil, policy.ErrorList{{File: file, Pos: policy.Pos{Line: 1, Column: 1}, Msg: cerr.Error(), Limit: true}}
	}
	return root, c.origins, nil
}

// yamlScalarTable traces the decoded value of a YAML scalar back to the
// file (see jsonLiteralTable). It handles literal block scalars and
// one-line plain, single-quoted and double-quoted scalars; nil means the
// value cannot be traced exactly.
func yamlScalarTable(li *lineIndex, y *yaml.Node) []int {
	if y == nil || y.Line < 1 {
		return nil
	}
	v := y.Value
	switch y.Style {
	case yaml.LiteralStyle:
		return literalBlockTable(li, y)
	case yaml.FoldedStyle:
		return nil
	}
	if strings.ContainsAny(v, "\r\n") {
		return nil
	}
	start := li.lineStart(y.Line)
	if start < 0 {
		return nil
	}
	off := start + li.byteColumn(y.Line, y.Column) - 1
	data := li.data
	table := make([]int, 0, len(v)+1)
	switch y.Style {
	case yaml.SingleQuotedStyle:
		if off >= len(data) || data[off] != '\'' {
			return nil
		}
		i := off + 1
		for len(table) < len(v) {
			if i >= len(data) || data[i] == '\n' || data[i] == '\r' {
				return nil
			}
			if data[i] == '\'' {
				if i+1 < len(data) && data[i+1] == '\'' && v[len(table)] == '\'' {
					table = append(table, i)
					i += 2
					continue
				}
				return nil
			}
			if data[i] != v[len(table)] {
				return nil
			}
			table = append(table, i)
			i++
		}
		return append(table, i)
	case yaml.DoubleQuotedStyle:
		if off >= len(data) || data[off] != '"' {
			return nil
		}
		i := off + 1
		for len(table) < len(v) {
			if i >= len(data) || data[i] == '\n' || data[i] == '\r' {
				return nil
			}
			if data[i] != '\\' {
				if data[i] != v[len(table)] {
					return nil
				}
				table = append(table, i)
				i++
				continue
			}
			if i+1 >= len(data) {
				return nil
			}
			esc, n := data[i+1], 1
			next := i + 2
			switch esc {
			case 'N', '_':
				n = 2
			case 'L', 'P':
				n = 3
			case 'x', 'u', 'U':
				digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[esc]
				r, ok := hexRune(data, i+2, digits)
				if !ok {
					return nil
				}
				next = i + 2 + digits
				if n = utf8.RuneLen(r); n < 0 {
					n = 3
				}
			}
			for k := 0; k < n; k++ {
				table = append(table, i)
			}
			i = next
		}
		if len(table) != len(v) {
			return nil
		}
		return append(table, i)
	default:
		if off+len(v) > len(data) || string(data[off:off+len(v)]) != v {
			return nil
		}
		for k := 0; k <= len(v); k++ {
			table = append(table, off+k)
		}
		return table
	}
}

// literalBlockTable traces a literal block scalar (|): decoded line k is
// the file line k+1 below the indicator, with the indentation removed.
func literalBlockTable(li *lineIndex, y *yaml.Node) []int {
	v := y.Value
	table := make([]int, 0, len(v)+1)
	lines := strings.Split(v, "\n")
	for k, text := range lines {
		fileLine := y.Line + 1 + k
		if k == len(lines)-1 && text == "" {
			// After the final line break.
			if len(table) > 0 {
				table = append(table, table[len(table)-1]+1)
			} else if s := li.lineStart(fileLine); s >= 0 {
				table = append(table, s)
			} else {
				return nil
			}
			return table
		}
		raw, ok := li.lineText(fileLine)
		if !ok || !strings.HasSuffix(raw, text) {
			return nil
		}
		indent := raw[:len(raw)-len(text)]
		if strings.Trim(indent, " \t") != "" {
			return nil
		}
		start := li.lineStart(fileLine) + len(indent)
		for b := 0; b < len(text); b++ {
			table = append(table, start+b)
		}
		if k < len(lines)-1 {
			table = append(table, start+len(text)) // the line break
		}
	}
	if len(table) != len(v) {
		return nil
	}
	// End of the value: just past its last byte.
	if len(table) == 0 {
		if s := li.lineStart(y.Line + 1); s >= 0 {
			return []int{s}
		}
		return nil
	}
	return append(table, table[len(table)-1]+1)
}
