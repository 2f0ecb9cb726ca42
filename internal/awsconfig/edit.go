package awsconfig

import (
	"fmt"
	"sort"
	"strings"
)

// KeyValue is one key to set in a profile.
type KeyValue struct {
	Key   string
	Value string
}

// textEdit replaces data[start:end] with text.
type textEdit struct {
	start, end int
	text       string
}

func applyEdits(data string, edits []textEdit) string {
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end < edits[j].end
	})
	var b strings.Builder
	pos := 0
	for _, e := range edits {
		b.WriteString(data[pos:e.start])
		b.WriteString(e.text)
		pos = e.end
	}
	b.WriteString(data[pos:])
	return b.String()
}

// lineEnding is the terminator of the file's first terminated line, "\n"
// when there is none.
func (pf *parsedFile) lineEnding() string {
	for _, l := range pf.lines {
		if l.terminated(pf.data) {
			return pf.data[l.end:l.next]
		}
	}
	return "\n"
}

// endsWithNewline reports whether the file ends with a line terminator.
func endsWithNewline(data string) bool { return strings.HasSuffix(data, "\n") }

// checkValue rejects values the file format cannot hold on one line.
func checkValue(key, v string) error {
	switch {
	case strings.ContainsAny(v, "\r\n"):
		return fmt.Errorf("value of %s contains a line break", key)
	case v != trimWS(v):
		return fmt.Errorf("value of %s begins or ends with a space or tab, which the SDKs strip", key)
	case prepareLine("k = "+v, true) != trimWS("k = "+v):
		return fmt.Errorf("value of %s contains \" #\" or \" ;\", which the SDKs read as the start of a comment", key)
	}
	return nil
}

func checkEditArgs(name string, keys []string) error {
	if !IsIdentifier(name) {
		return &Error{Code: CodeEdit, Profile: name,
			Msg: "invalid profile name: use letters, digits and _-/.%@:+ (no spaces, brackets, comment signs or line breaks)"}
	}
	for _, k := range keys {
		if !IsIdentifier(k) {
			return &Error{Code: CodeEdit, Profile: name, Key: k, Msg: "invalid key: use letters, digits and _-/.%@:+"}
		}
	}
	return nil
}

// SetProfile sets keys of profile name in the config-file text data and
// returns the new text. Every byte outside the lines it changes is kept:
// comments, blank lines, order, other sections, line endings (CRLF files
// stay CRLF), a missing final newline.
//
//   - An existing key is updated in place where it is effective (its last
//     occurrence among the profile's sections): the value is replaced and
//     the key's spelling, spacing and inline comment are kept; continuation
//     or sub-property lines of the old value are removed.
//   - New keys are appended, in the order given, after the last property of
//     the profile's last section (so comments and blank lines that precede
//     the next section stay with it).
//   - A missing profile is appended at the end of the file as
//     "[profile NAME]" ("[default]" for default), after a blank line.
//
// Keys are lower-cased (the SDKs ignore key case). Names and keys must be
// identifiers (IsIdentifier); values must fit on one line, without leading
// or trailing blanks and without " #" or " ;" (comment starts). data must
// parse (a file the SDKs reject is not edited).
func SetProfile(data []byte, name string, kv []KeyValue) ([]byte, error) {
	keys := make([]string, 0, len(kv))
	want := map[string]string{}
	var order []string
	for _, p := range kv {
		k := strings.ToLower(p.Key)
		keys = append(keys, k)
		if err := checkValue(k, p.Value); err != nil {
			return nil, &Error{Code: CodeEdit, Profile: name, Key: k, Msg: err.Error()}
		}
		if _, seen := want[k]; !seen {
			order = append(order, k)
		}
		want[k] = p.Value
	}
	if err := checkEditArgs(name, keys); err != nil {
		return nil, err
	}
	pf, perr := parseProfileText("", string(data))
	if perr != nil {
		perr.Msg = "the file does not parse, so it is not edited: " + perr.Msg
		return nil, perr
	}
	src := pf.data
	eol := pf.lineEnding()
	secs := pf.profileSections(ConfigFile, name)
	var edits []textEdit
	deleted := map[int]bool{}

	if len(secs) == 0 {
		var b strings.Builder
		if src != "" {
			if !endsWithNewline(src) {
				b.WriteString(eol)
			}
			if last := pf.lines[len(pf.lines)-1]; trimWS(src[last.start:last.end]) != "" || !endsWithNewline(src) {
				b.WriteString(eol)
			}
		}
		if name == defaultProfile {
			b.WriteString("[default]")
		} else {
			b.WriteString("[profile " + name + "]")
		}
		for _, k := range order {
			b.WriteString(eol)
			b.WriteString(propertyLine(k, want[k]))
		}
		if src == "" || endsWithNewline(src) {
			b.WriteString(eol)
		}
		edits = append(edits, textEdit{len(src), len(src), b.String()})
	} else {
		// Update existing keys at their last occurrence.
		last := map[string]*rawProperty{}
		for _, s := range secs {
			for _, p := range s.props {
				if _, ok := want[p.key]; ok {
					last[p.key] = p
				}
			}
		}
		var missing []string
		for _, k := range order {
			p := last[k]
			if p == nil {
				missing = append(missing, k)
				continue
			}
			edits = append(edits, valueEdit(src, p, want[k]))
			for _, ci := range p.conts {
				l := pf.lines[ci]
				edits = append(edits, textEdit{l.start, l.next, ""})
				deleted[ci] = true
			}
		}
		// Append new keys after the last kept line of the last section's
		// last property (or after its header).
		if len(missing) > 0 {
			s := secs[len(secs)-1]
			anchor := s.header
			for _, p := range s.props {
				for _, li := range append([]int{p.line}, p.conts...) {
					if !deleted[li] && li > anchor {
						anchor = li
					}
				}
			}
			l := pf.lines[anchor]
			var b strings.Builder
			terminated := l.terminated(src)
			if !terminated {
				b.WriteString(eol)
			}
			for i, k := range missing {
				b.WriteString(propertyLine(k, want[k]))
				if terminated || i < len(missing)-1 {
					b.WriteString(eol)
				}
			}
			edits = append(edits, textEdit{l.next, l.next, b.String()})
		}
	}
	out := keepFinalNewline(src, applyEdits(src, edits))
	if err := verifyEdit(out, name, want, nil); err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// DeleteKeys removes keys (every occurrence, with their continuation lines)
// from profile name in the config-file text data, keeping every other byte.
// A profile that does not exist, or keys it does not have, leave data as
// is. The section header stays even when the profile becomes empty.
func DeleteKeys(data []byte, name string, keys []string) ([]byte, error) {
	return DeleteKeysIn(ConfigFile, data, name, keys)
}

// DeleteKeysIn is DeleteKeys for a file of kind: in the credentials file
// a profile's section is [NAME] (awsmfa keys import removes the access
// keys from there).
func DeleteKeysIn(kind FileKind, data []byte, name string, keys []string) ([]byte, error) {
	drop := map[string]bool{}
	var lower []string
	for _, k := range keys {
		drop[strings.ToLower(k)] = true
		lower = append(lower, strings.ToLower(k))
	}
	if err := checkEditArgs(name, lower); err != nil {
		return nil, err
	}
	pf, perr := parseProfileText("", string(data))
	if perr != nil {
		perr.Msg = "the file does not parse, so it is not edited: " + perr.Msg
		return nil, perr
	}
	var edits []textEdit
	for _, s := range pf.profileSections(kind, name) {
		for _, p := range s.props {
			if !drop[p.key] {
				continue
			}
			for _, li := range append([]int{p.line}, p.conts...) {
				l := pf.lines[li]
				edits = append(edits, textEdit{l.start, l.next, ""})
			}
		}
	}
	if len(edits) == 0 {
		return append([]byte(nil), data...), nil
	}
	out := keepFinalNewline(pf.data, applyEdits(pf.data, edits))
	if err := verifyEditIn(kind, out, name, nil, lower); err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// propertyLine formats a new property.
func propertyLine(k, v string) string {
	if v == "" {
		return k + " ="
	}
	return k + " = " + v
}

// valueEdit replaces the value of p, keeping key, spacing and comment.
func valueEdit(src string, p *rawProperty, v string) textEdit {
	if p.valEnd > p.valStart {
		return textEdit{p.valStart, p.valEnd, v}
	}
	if v == "" {
		return textEdit{p.valStart, p.valStart, ""}
	}
	// The old value is empty: replace the blanks after '=' by one space (none
	// for a compact "key=" line) and the value, keeping one blank before an
	// inline comment.
	pos, end := p.eq+1, p.eq+1
	for end < p.lineEnd && isWS(src[end]) {
		end++
	}
	text := " " + v
	if p.keyEnd == p.eq {
		text = v
	}
	if end < p.lineEnd {
		text += " "
	}
	return textEdit{pos, end, text}
}

// keepFinalNewline makes out end without a newline when src did (and was
// not empty), so an edit does not add a final newline the user lacked. This
// only happens when the edit removed the file's last line; blank lines left
// at the end of the file (all inside the edited section) go with it, since
// a file cannot end with an empty unterminated line.
func keepFinalNewline(src, out string) string {
	if src == "" || endsWithNewline(src) {
		return out
	}
	for endsWithNewline(out) {
		out = strings.TrimSuffix(strings.TrimSuffix(out, "\n"), "\r")
		i := strings.LastIndexByte(out, '\n')
		if trimWS(strings.TrimSuffix(out[i+1:], "\r")) != "" {
			break
		}
		out = out[:i+1]
	}
	return out
}

// verifyEdit re-parses an edited text and checks the profile has the wanted
// values and none of the dropped keys.
func verifyEdit(out, name string, want map[string]string, dropped []string) error {
	return verifyEditIn(ConfigFile, out, name, want, dropped)
}

func verifyEditIn(kind FileKind, out, name string, want map[string]string, dropped []string) error {
	c, err := Parse(File{Kind: kind, Data: []byte(out)})
	if err != nil {
		return &Error{Code: CodeEdit, Profile: name, Msg: "internal error: the edited file does not parse: " + err.Error()}
	}
	p := c.Profile(name)
	for k, v := range want {
		if got, ok := p.Get(k); !ok || got != v {
			return &Error{Code: CodeEdit, Profile: name, Key: k, Msg: "internal error: the edited file does not hold the new value"}
		}
	}
	for _, k := range dropped {
		if _, ok := p.Get(k); ok {
			return &Error{Code: CodeEdit, Profile: name, Key: k, Msg: "internal error: the key is still set after deletion"}
		}
	}
	return nil
}
