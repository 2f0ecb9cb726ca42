package awsconfig

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the literal, line-level parser of the profile-file format. It
// mirrors smithy-rs (aws-runtime/src/env_config/parse.rs), the reference
// implementation of the SDKs' shared "profile file" specification, rule for
// rule; normalisation (prefixes, identifiers, [default] handling, merging)
// happens afterwards in normalize.go. Unlike smithy-rs it also keeps the byte
// position of every line, key and value, which the editor (edit.go) needs to
// change a file without touching the bytes around the change.

// lineKind classifies one line of a profile file.
type lineKind uint8

const (
	lineBlank        lineKind = iota // only spaces and tabs
	lineComment                      // starts with '#' or ';' (in column 0)
	lineSection                      // starts with '['
	lineProperty                     // "key = value"
	lineContinuation                 // starts with a space or tab
)

// line is one line of the input. start/end delimit its content without the
// terminator; next is where the following line starts (end+1 for "\n",
// end+2 for "\r\n", end at the end of the input without a final newline).
type line struct {
	num        int // 1-based line number
	start, end int
	next       int
	kind       lineKind
}

// terminated reports whether the line ends with "\n" (or "\r\n").
func (l line) terminated(data string) bool { return l.next > l.end && data[l.next-1] == '\n' }

// rawProperty is a property as written in one section occurrence.
type rawProperty struct {
	key   string // lower-cased, not yet validated as an identifier
	value string // continuation lines joined with "\n"
	line  int    // index in parsedFile.lines of the "key = value" line
	conts []int  // indexes of its continuation lines
	// Byte offsets (absolute) in the property line: the key as written,
	// the '=' sign, and the value before any inline comment.
	keyStart, keyEnd int
	eq               int
	valStart, valEnd int
	lineEnd          int
}

// rawSection is one "[...]" occurrence and the properties that follow it.
type rawSection struct {
	name   string // text between the brackets, comments removed, not trimmed
	header int    // index of the header line
	end    int    // index of the first line after the section
	props  []*rawProperty
}

// parsedFile is the literal parse of one file.
type parsedFile struct {
	path     string
	data     string
	lines    []line
	sections []*rawSection
}

// Characters the specification treats as whitespace and as comment starts.
// Note: only space and tab; "\v", "\f" and non-ASCII spaces are ordinary
// characters for line classification.
func isWS(c byte) bool      { return c == ' ' || c == '\t' }
func isComment(c byte) bool { return c == '#' || c == ';' }

func trimWS(s string) string {
	i, j := 0, len(s)
	for i < j && isWS(s[i]) {
		i++
	}
	for j > i && isWS(s[j-1]) {
		j--
	}
	return s[i:j]
}

// splitLines splits data like Rust's str::lines: on "\n", removing one "\r"
// before it. A final "\r" without "\n" is removed too (Rust keeps it; Java's
// reader treats a lone CR as a line end): a value can therefore never end in
// CR, which keeps parse(format(x)) == x possible.
func splitLines(data string) []line {
	var out []line
	pos, num := 0, 0
	for pos < len(data) {
		num++
		i := strings.IndexByte(data[pos:], '\n')
		var l line
		if i < 0 {
			l = line{num: num, start: pos, end: len(data), next: len(data)}
		} else {
			l = line{num: num, start: pos, end: pos + i, next: pos + i + 1}
		}
		if l.end > l.start && data[l.end-1] == '\r' {
			l.end--
		}
		out = append(out, l)
		pos = l.next
	}
	return out
}

// parseError is a syntax error at a line; converted to *Error by callers.
type parseError struct {
	line int
	msg  string
}

// parseProfileText parses one file. It fails like smithy-rs does: a property
// before any section, a section header without ']', a property line without
// '=', an empty key, a continuation with no property to continue, or an
// invalid sub-property line.
func parseProfileText(path, data string) (*parsedFile, *Error) {
	if !utf8.ValidString(data) {
		// smithy-rs logs a warning and uses an empty file; a CLI that
		// silently ignores the user's config file is worse, so fail.
		return nil, &Error{Code: CodeParse, File: path, Msg: "file is not valid UTF-8 text"}
	}
	pf := &parsedFile{path: path, data: data, lines: splitLines(data)}
	var cur *rawSection
	var prop *rawProperty
	isSub := false
	fail := func(l line, msg string) *Error {
		return &Error{Code: CodeParse, File: path, Line: l.num, Msg: msg}
	}
	for i := range pf.lines {
		l := &pf.lines[i]
		text := data[l.start:l.end]
		switch {
		case trimWS(text) == "":
			l.kind = lineBlank
			continue
		case isComment(text[0]):
			l.kind = lineComment
			continue
		case text[0] == '[':
			l.kind = lineSection
			p := prepareLine(text, false)
			if !strings.HasSuffix(p, "]") || len(p) < 2 {
				return nil, fail(*l, "Profile definition must end with ']'")
			}
			if cur != nil {
				cur.end = i
			}
			cur = &rawSection{name: p[1 : len(p)-1], header: i}
			pf.sections = append(pf.sections, cur)
			prop = nil
			isSub = false
		case isWS(text[0]):
			l.kind = lineContinuation
			if cur == nil {
				return nil, fail(*l, "Expected a profile definition, found a continuation line")
			}
			if prop == nil {
				return nil, fail(*l, "Expected a property definition, found continuation")
			}
			if isSub {
				if _, _, msg := parsePropertyLine(text); msg != "" {
					return nil, fail(*l, subPropertyMessage(msg))
				}
			}
			prop.value += "\n" + trimWS(text)
			prop.conts = append(prop.conts, i)
		default:
			l.kind = lineProperty
			if cur == nil {
				return nil, fail(*l, "Expected a profile definition before this property")
			}
			k, v, msg := parsePropertyLine(text)
			if msg != "" {
				return nil, fail(*l, msg)
			}
			rp := &rawProperty{key: strings.ToLower(k), value: v, line: i}
			rp.locate(data, *l)
			cur.props = append(cur.props, rp)
			prop = rp
			isSub = v == ""
		}
	}
	if cur != nil {
		cur.end = len(pf.lines)
	}
	return pf, nil
}

// Messages of property-line errors (the wording of smithy-rs).
const (
	msgNoEquals = "Expected an '=' sign defining a property"
	msgNoName   = "Property did not have a name"
)

func subPropertyMessage(msg string) string {
	switch msg {
	case msgNoEquals:
		return "Expected an '=' sign defining a sub-property"
	case msgNoName:
		return "Sub-property did not have a name"
	}
	return msg
}

// parsePropertyLine splits "key = value # comment" into its trimmed key and
// value. The key keeps its case here (callers lower-case it).
func parsePropertyLine(text string) (key, value, errMsg string) {
	p := prepareLine(text, true)
	eq := strings.IndexByte(p, '=')
	if eq < 0 {
		return "", "", msgNoEquals
	}
	key, value = trimWS(p[:eq]), trimWS(p[eq+1:])
	if key == "" {
		return "", "", msgNoName
	}
	return key, value, ""
}

// locate records the byte offsets of key, '=' and value of a property line
// whose content is l; parsePropertyLine has already accepted it.
func (rp *rawProperty) locate(data string, l line) {
	text := data[l.start:l.end]
	lead := len(text) - len(strings.TrimLeft(text, " \t"))
	p := prepareLine(text, true) // begins at offset lead
	eq := strings.IndexByte(p, '=')
	k := p[:eq]
	rp.lineEnd = l.end
	rp.keyStart = l.start + lead
	rp.keyEnd = rp.keyStart + len(strings.TrimRight(k, " \t"))
	rp.eq = l.start + lead + eq
	after := p[eq+1:]
	vs := len(after) - len(strings.TrimLeft(after, " \t"))
	rp.valStart = rp.eq + 1 + vs
	rp.valEnd = rp.eq + 1 + len(strings.TrimRight(after, " \t"))
	if rp.valEnd < rp.valStart {
		rp.valEnd = rp.valStart
	}
}

// prepareLine trims spaces and tabs and removes a trailing comment. In
// property lines a comment character only starts a comment when preceded by
// whitespace ("a = b#c" keeps "b#c"); in section headers any '#' or ';' does.
// "Whitespace" before a comment is Unicode whitespace, as in smithy-rs.
func prepareLine(text string, commentsNeedWhitespace bool) string {
	s := trimWS(text)
	prevWS := false
	for i, r := range s {
		if (r == '#' || r == ';') && (prevWS || !commentsNeedWhitespace) {
			return trimWS(s[:i])
		}
		prevWS = unicode.IsSpace(r)
	}
	return s
}
