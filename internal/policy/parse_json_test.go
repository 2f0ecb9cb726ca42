package policy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// render prints a Node tree compactly with every position, for comparing
// against expectations.
func render(n *Node) string {
	var b strings.Builder
	var walk func(n *Node)
	walk = func(n *Node) {
		b.WriteString(n.Pos.String())
		b.WriteByte('=')
		switch n.Kind {
		case NodeObject:
			b.WriteByte('{')
			for i, m := range n.Members {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(m.KeyPos.String())
				b.WriteString(quote(m.Key))
				b.WriteByte(':')
				walk(m.Value)
			}
			b.WriteByte('}')
		case NodeArray:
			b.WriteByte('[')
			for i, it := range n.Items {
				if i > 0 {
					b.WriteByte(',')
				}
				walk(it)
			}
			b.WriteByte(']')
		case NodeString:
			b.WriteString(quote(n.Str))
		case NodeNull:
			b.WriteString("null")
		default:
			b.WriteString(n.Kind.String())
			b.WriteByte('(')
			b.WriteString(n.Str)
			b.WriteByte(')')
		}
	}
	walk(n)
	return b.String()
}

func TestParseJSONValid(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"string", `"a"`, `1:1="a"`},
		{"leading space", "  \n\t \"a\"", `2:3="a"`},
		{"true", `true`, `1:1=boolean(true)`},
		{"false", ` false `, `1:2=boolean(false)`},
		{"null", `null`, `1:1=null`},
		{"int", `0`, `1:1=number(0)`},
		{"negative zero", `-0`, `1:1=number(-0)`},
		{"number forms", `[1, -12, 1.5, 1e5, 1E+5, 2.5e-3, -0.0]`,
			`1:1=[1:2=number(1),1:5=number(-12),1:10=number(1.5),1:15=number(1e5),1:20=number(1E+5),1:26=number(2.5e-3),1:34=number(-0.0)]`},
		{"empty object", `{}`, `1:1={}`},
		{"empty array", `[ ]`, `1:1=[]`},
		{"object positions", "{\n  \"a\": 1,\n  \"b\" :[true, null]\n}",
			`1:1={2:3"a":2:8=number(1),3:3"b":3:8=[3:9=boolean(true),3:15=null]}`},
		{"duplicate keys preserved", `{"a":1,"a":2}`, `1:1={1:2"a":1:6=number(1),1:8"a":1:12=number(2)}`},
		{"escapes", `"\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC"`, `1:1="\"\\/\b\f\n\r\tAé€"`},
		{"surrogate pair", `"\ud83d\ude00"`, `1:1="😀"`},
		{"lone surrogate", `"\ud800x"`, "1:1=\"\ufffdx\""},
		{"lone low surrogate", `"\udc00"`, "1:1=\"\ufffd\""},
		{"surrogate then non-surrogate escape", `"\ud800\u0041"`, "1:1=\"\ufffdA\""},
		{"utf8 raw", `"é€😀"`, `1:1="é€😀"`},
		{"column counts bytes", `["é", 1]`, `1:1=[1:2="é",1:8=number(1)]`},
		// The byte order mark is skipped and not counted in columns.
		{"bom", "\uFEFF{\"a\":\"b\"}", `1:1={1:2"a":1:6="b"}`},
		{"crlf lines", "[\r\n1,\r\n2]", `1:1=[2:1=number(1),3:1=number(2)]`},
		{"cr lines", "[\r1]", `1:1=[2:1=number(1)]`},
		{"trailing whitespace", "{} \n\n", `1:1={}`},
		{"del char allowed", "\"\x7f\"", "1:1=\"\\x7f\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseJSON("t.json", []byte(tt.in))
			if err != nil {
				t.Fatalf("ParseJSON(%q): %v", tt.in, err)
			}
			if got := render(n); got != tt.want {
				t.Errorf("ParseJSON(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if !strings.HasPrefix(tt.in, "\uFEFF") && !json.Valid([]byte(tt.in)) {
				t.Errorf("test input %q is not valid per encoding/json", tt.in)
			}
		})
	}
}

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name, in string
		pos      string // "line:col"
		msg      string // substring of the message
	}{
		{"empty", ``, "1:1", "empty document"},
		{"only spaces", "  \n ", "2:2", "empty document"},
		{"only bom", "\uFEFF", "1:1", "empty document"},
		{"trailing comma object", `{"a":1,}`, "1:8", "trailing comma before '}'"},
		{"trailing comma array", "[1,\n 2,\n]", "3:1", "trailing comma before ']'"},
		{"double comma", `[1,,2]`, "1:4", "unexpected ','"},
		{"leading comma", `[,1]`, "1:2", "unexpected ','"},
		{"missing comma", `[1 2]`, "1:4", "expected ',' or ']'"},
		{"missing comma object", `{"a":1 "b":2}`, "1:8", "expected ',' or '}'"},
		{"missing colon", `{"a" 1}`, "1:6", `after object key "a": expected ':'`},
		{"line comment", "{\n// hi\n}", "2:1", "comments are not allowed"},
		{"block comment", `[1 /* x */]`, "1:4", "comments are not allowed"},
		{"comment value", `[/* x */ 1]`, "1:2", "comments are not allowed"},
		{"NaN", `[NaN]`, "1:2", "JSON has no NaN or Infinity"},
		{"Infinity", `{"a": -Infinity}`, "1:7", "JSON has no NaN or Infinity"},
		{"plus number", `+1`, "1:1", `invalid number "+1"`},
		{"leading zero", `01`, "1:1", "leading zeros"},
		{"dot number", `.5`, "1:1", `invalid number ".5"`},
		{"trailing dot", `1.`, "1:3", "digit after the decimal point"},
		{"bad exponent", `1e`, "1:3", "digit in the exponent"},
		{"minus alone", `-`, "1:2", "digit after '-'"},
		{"hex number", `0x10`, "1:2", "after the top-level value"},
		{"True", `True`, "1:1", `JSON literals are lowercase (true)`},
		{"truncated literal", `[tru]`, "1:2", `invalid literal "tru"`},
		{"literal with suffix", `nullx`, "1:1", `invalid literal "nullx"`},
		{"unquoted string", `{"a": Allow}`, "1:7", "strings must be in double quotes"},
		{"unquoted key", `{Effect: "Allow"}`, "1:2", "object keys must be double-quoted strings"},
		{"single quotes", `['a']`, "1:2", "single-quoted strings"},
		{"single quoted key", `{'a': 1}`, "1:2", "single-quoted keys"},
		{"bad escape", `"a\x"`, "1:3", `invalid escape "\\x"`},
		{"short unicode escape", `"\u12"`, "1:2", `\u must be followed by four hex digits`},
		{"newline in string", "{\"a\": \"x\ny\"}", "1:9", "control character U+000A in string"},
		{"tab in string", "\"a\tb\"", "1:3", "control character U+0009"},
		{"nul in string", "\"a\x00\"", "1:3", "control character U+0000"},
		{"invalid utf8 in string", "{\"a\":\n \"ab\xffc\"}", "2:5", "invalid UTF-8 byte 0xff in string"},
		{"overlong utf8", "\"\xc0\xaf\"", "1:2", "invalid UTF-8 byte 0xc0"},
		{"encoded surrogate utf8", "\"\xed\xa0\x80\"", "1:2", "invalid UTF-8 byte 0xed"},
		{"invalid utf8 outside", "[1,\xfe]", "1:4", "invalid UTF-8 byte 0xfe"},
		{"unicode outside", "[\u00a0]", "1:2", "U+00A0"},
		{"unterminated string", `"abc`, "1:5", "end of input in string"},
		{"unterminated escaped string", `"a\n`, "1:5", "end of input in string"},
		{"unterminated escape", `"a\`, "1:4", "end of input in string escape"},
		{"unterminated object", `{"a":1`, "1:7", "expected ',' or '}'"},
		{"unterminated object after comma", `{"a":1,`, "1:8", "expected a string key"},
		{"unterminated array", `[1`, "1:3", "expected ',' or ']'"},
		{"missing value", `{"a":}`, "1:6", "expected a value"},
		{"missing value eof", `{"a":`, "1:6", "expected a value"},
		{"trailing garbage", `{} x`, "1:4", "after the top-level value"},
		{"two values", "{}\n{}", "2:1", "after the top-level value"},
		{"bom in middle", "{}\uFEFF", "1:3", "byte order mark"},
		{"close bracket", `]`, "1:1", `unexpected ']'`},
		{"mismatched", `[1}`, "1:3", "in array: expected ',' or ']'"},
		{"control char outside", "[\x01]", "1:2", "control character U+0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseJSON("bad.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("ParseJSON(%q) = %s, want error", tt.in, render(n))
			}
			if n != nil {
				t.Errorf("ParseJSON returned a node with an error")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) != 1 {
				t.Fatalf("error %T %v is not an ErrorList of one", err, err)
			}
			e := list[0]
			if e.File != "bad.json" || e.Pos.String() != tt.pos || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("ParseJSON(%q) error\n got %s\nwant bad.json:%s: ...%s...", tt.in, e, tt.pos, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "bad.json:"+tt.pos+": invalid JSON: ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestParseJSONDepthLimit(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := ParseJSON("", []byte(ok)); err != nil {
		t.Errorf("depth %d rejected: %v", MaxDepth, err)
	}
	for _, c := range []struct{ name, in, pos string }{
		{"arrays", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "1:257"},
		{"objects", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), "1:1281"},
		// Far deeper input must fail cleanly, not exhaust the stack.
		{"a million levels", strings.Repeat("[", 1_000_000), "1:257"},
	} {
		_, err := ParseJSON("deep.json", []byte(c.in))
		if err == nil || err.Error() != "deep.json:"+c.pos+": nesting deeper than 256 levels, the limit for JSON input" {
			t.Errorf("%s: %v", c.name, err)
		}
		if !IsLimit(err) {
			t.Errorf("%s: %v is not a limit error", c.name, err)
		}
	}
	if _, err := ParseJSON("", []byte("[")); IsLimit(err) {
		t.Errorf("a syntax error is a limit error: %v", err)
	}
}

func TestParseJSONValueLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two million values")
	}
	exact := "[" + strings.Repeat("0,", MaxValues-2) + "0]"
	if _, err := ParseJSON("", []byte(exact)); err != nil {
		t.Fatalf("%d values rejected: %v", MaxValues, err)
	}
	over := "[" + strings.Repeat("0,", MaxValues-1) + "0]"
	_, err := ParseJSON("many.json", []byte(over))
	if err == nil || !IsLimit(err) || !strings.Contains(err.Error(), "many.json:1:") || !strings.Contains(err.Error(), "more than 2097152 values, the limit for one JSON document") {
		t.Fatalf("err %v", err)
	}
}

func TestErrorFormatting(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "p.json", Pos: Pos{3, 7}, Msg: "bad"}, "p.json:3:7: bad"},
		{Error{File: "p.json", Msg: "bad"}, "p.json: bad"},
		{Error{Pos: Pos{3, 7}, Msg: "bad"}, "3:7: bad"},
		{Error{Pos: Pos{Line: 3}, Msg: "bad"}, "3: bad"},
		{Error{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	l := ErrorList{&tests[0].e, &tests[1].e}
	if got, want := l.Error(), "p.json:3:7: bad\np.json: bad"; got != want {
		t.Errorf("ErrorList.Error() = %q, want %q", got, want)
	}
	if ErrorList(nil).Err() != nil {
		t.Error("empty ErrorList.Err() is not nil")
	}
	var target *Error
	if !errors.As(error(l), &target) || target != &tests[0].e {
		t.Error("errors.As does not find the first *Error")
	}
}
