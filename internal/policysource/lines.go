package policysource

import (
	"sort"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// lineIndex converts between byte offsets and 1-based line/column positions
// of one file. Lines end at "\n", "\r\n" or a lone "\r", as in
// policy.ParseJSON; columns count bytes. A leading UTF-8 byte order mark is
// not part of the first line's columns (ParseJSON skips it the same way).
//
// The index is built on first use (a plain policy file never needs it) at
// its exact size, four bytes per line: files are at most a few tens of
// megabytes (lint.MaxInputBytes), so offsets fit in 32 bits.
type lineIndex struct {
	data   []byte
	starts []int32
	built  bool
}

func newLineIndex(data []byte) *lineIndex {
	return &lineIndex{data: data}
}

// build fills starts, once.
func (li *lineIndex) build() {
	if li.built {
		return
	}
	li.built = true
	data := li.data
	n := 1
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			n++
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			n++
		}
	}
	li.starts = make([]int32, 1, n)
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		li.starts[0] = 3
	}
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			li.starts = append(li.starts, int32(i+1))
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			li.starts = append(li.starts, int32(i+1))
		}
	}
}

// lineCount is the number of lines (a file always has at least one).
func (li *lineIndex) lineCount() int {
	li.build()
	return len(li.starts)
}

// lineStart returns the offset of the first byte of line (1-based), or -1.
func (li *lineIndex) lineStart(line int) int {
	li.build()
	if line < 1 || line > len(li.starts) {
		return -1
	}
	return int(li.starts[line-1])
}

// lineText returns line (1-based) without its terminator.
func (li *lineIndex) lineText(line int) (string, bool) {
	start := li.lineStart(line)
	if start < 0 {
		return "", false
	}
	end := len(li.data)
	if line < len(li.starts) {
		end = int(li.starts[line])
	}
	if end < start {
		end = start
	}
	for end > start && (li.data[end-1] == '\n' || li.data[end-1] == '\r') {
		end--
	}
	return string(li.data[start:end]), true
}

// offset converts a position to a byte offset, or -1 when the position is
// not in the file.
func (li *lineIndex) offset(p policy.Pos) int {
	start := li.lineStart(p.Line)
	if start < 0 || p.Column < 1 {
		return -1
	}
	off := start + p.Column - 1
	if off > len(li.data) {
		return -1
	}
	return off
}

// pos converts a byte offset to a position (clamped to the file).
func (li *lineIndex) pos(off int) policy.Pos {
	if off < 0 {
		off = 0
	}
	if off > len(li.data) {
		off = len(li.data)
	}
	li.build()
	i := sort.Search(len(li.starts), func(i int) bool { return int(li.starts[i]) > off }) - 1
	if i < 0 {
		i = 0
	}
	col := off - int(li.starts[i]) + 1
	if col < 1 {
		col = 1
	}
	return policy.Pos{Line: i + 1, Column: col}
}

// byteColumn converts a 1-based column counted in characters (as yaml.v3
// reports it) on line to a 1-based column counted in bytes.
func (li *lineIndex) byteColumn(line, runeCol int) int {
	text, ok := li.lineText(line)
	if !ok || runeCol < 1 {
		return runeCol
	}
	off := 0
	for n := 1; n < runeCol; n++ {
		if off >= len(text) {
			// Past the end of the line: count the rest as single bytes.
			return off + 1 + (runeCol - n)
		}
		_, size := utf8.DecodeRuneInString(text[off:])
		off += size
	}
	return off + 1
}
