package simulate

import (
	"bytes"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// ParseInput reads one simulation input strictly, with the rules of --batch
// lines (see fields.go and scan.go): field names exactly as documented
// (case-sensitive), no unknown or duplicate field (an unknown field names
// the closest valid one), a request with a well-formed action, no duplicate
// context key in any letter case, valid UTF-8, nesting up to
// policy.MaxDepth and the request limits. name names the input in errors,
// which are a policy.ErrorList of one error with the line and column.
func ParseInput(name string, data []byte) (*Input, error) {
	// Syntax first, with policy.ParseJSON's messages and limits.
	if _, err := policy.ParseJSON(name, data); err != nil {
		return nil, err
	}
	body, skipped := data, 0
	if bytes.HasPrefix(body, []byte("\uFEFF")) {
		body, skipped = body[3:], 3
	}
	bi := batchInput{ctx: &eval.Context{}, keepContext: true}
	if e := bi.decode(body); e != nil {
		return nil, policy.ErrorList{{File: name, Pos: offsetPos(data, e.off+skipped), Msg: e.msg}}
	}
	in := bi.in
	return &in, nil
}

// offsetPos converts a byte offset of data to a line and column, counting
// lines and columns as policy.ParseJSON does (a leading byte order mark is
// not a column).
func offsetPos(data []byte, off int) policy.Pos {
	if off > len(data) {
		off = len(data)
	}
	line, start := 1, 0
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		start = 3
	}
	for i := 0; i < off; i++ {
		switch data[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < off && data[i+1] == '\n' {
				i++
			}
			line, start = line+1, i+1
		}
	}
	return policy.Pos{Line: line, Column: off - start + 1}
}
