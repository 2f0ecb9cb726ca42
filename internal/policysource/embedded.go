package policysource

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// A policy is often stored as a JSON document inside a string: in Terraform
// plans (every policy attribute is a string), in CloudFormation templates
// (PolicyDocument: '{"Version": ...}' or a YAML block scalar) and in AWS CLI
// output. The string is parsed on its own, and every position in the
// resulting tree is moved to where that text sits in the file.
//
// Positions are exact when the string's bytes can be traced back to the
// file: JSON string literals (escapes included), YAML literal block scalars
// (|) and YAML quoted or plain scalars written on one line. For anything
// else (folded block scalars, quoted scalars spanning lines, strings built by
// Fn::Sub or Fn::Join, URL-encoded documents) every position inside the
// policy is the position of the string itself, and Source.Approximate is set.

// offsetMapper maps a byte offset in a decoded string to a file position.
type offsetMapper func(off int) policy.Pos

// exactMapper maps through a table of file offsets, one per decoded byte plus
// one for the end of the string.
func exactMapper(li *lineIndex, table []int) offsetMapper {
	return func(off int) policy.Pos {
		if off < 0 {
			off = 0
		}
		if off >= len(table) {
			off = len(table) - 1
		}
		return li.pos(table[off])
	}
}

// fixedMapper maps every offset to one position.
func fixedMapper(p policy.Pos) offsetMapper {
	return func(int) policy.Pos { return p }
}

// parseEmbedded parses s as a JSON policy and moves every position (in the
// tree or in the parse error) to the file through m.
func parseEmbedded(file, s string, m offsetMapper) (*policy.Node, error) {
	data := []byte(s)
	n, err := policy.ParseJSON(file, data)
	starts := jsonLineStarts(data)
	conv := func(p policy.Pos) policy.Pos {
		if !p.IsValid() {
			return p
		}
		off := 0
		if p.Line-1 < len(starts) {
			off = starts[p.Line-1] + p.Column - 1
		} else {
			off = len(data)
		}
		if off > len(data) {
			off = len(data)
		}
		return m(off)
	}
	if err != nil {
		var list policy.ErrorList
		if errors.As(err, &list) {
			out := make(policy.ErrorList, len(list))
			for i, e := range list {
				out[i] = &policy.Error{File: file, Pos: conv(e.Pos), Msg: e.Msg, Limit: e.Limit}
			}
			return nil, out
		}
		return nil, err
	}
	remapTree(n, conv)
	return n, nil
}

// jsonLineStarts returns the offset of each line of data the way
// policy.ParseJSON counts lines (a leading byte order mark is skipped).
func jsonLineStarts(data []byte) []int {
	starts := []int{0}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		starts[0] = 3
	}
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			starts = append(starts, i+1)
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		}
	}
	return starts
}

// remapTree rewrites every position in the tree rooted at n.
func remapTree(n *policy.Node, conv func(policy.Pos) policy.Pos) {
	if n == nil {
		return
	}
	n.Pos = conv(n.Pos)
	for i := range n.Members {
		n.Members[i].KeyPos = conv(n.Members[i].KeyPos)
		remapTree(n.Members[i].Value, conv)
	}
	for _, it := range n.Items {
		remapTree(it, conv)
	}
}

// jsonLiteralTable traces the JSON string literal whose opening quote is at
// file offset quote back to the file: entry i is the file offset of the
// text that decoded to byte i. It returns nil when the literal does not
// decode to want (which only happens if the caller pointed at the wrong
// place).
func jsonLiteralTable(data []byte, quote int, want string) []int {
	if quote < 0 || quote >= len(data) || data[quote] != '"' {
		return nil
	}
	table := make([]int, 0, len(want)+1)
	i := quote + 1
	for i < len(data) && data[i] != '"' {
		if data[i] != '\\' {
			if len(table) >= len(want) || data[i] != want[len(table)] {
				return nil
			}
			table = append(table, i)
			i++
			continue
		}
		if i+1 >= len(data) {
			return nil
		}
		start := i
		n := 1
		switch data[i+1] {
		case 'u':
			r, ok := hexRune(data, i+2, 4)
			if !ok {
				return nil
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
					if r2, ok2 := hexRune(data, i+2, 4); ok2 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							r = dec
							i += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			n = utf8.RuneLen(r)
			if n < 0 {
				n = 3
			}
		default:
			i += 2
		}
		for k := 0; k < n; k++ {
			table = append(table, start)
		}
	}
	if i >= len(data) || len(table) != len(want) {
		return nil
	}
	table = append(table, i)
	return table
}

func hexRune(d []byte, i, n int) (rune, bool) {
	if i+n > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+n] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
