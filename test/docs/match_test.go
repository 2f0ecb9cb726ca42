package docs

import (
	"strings"
	"testing"
)

func TestMatchLines(t *testing.T) {
	cases := []struct {
		name      string
		want, got string
		ok        bool
	}{
		{"same", "a b\nc", "a b\nc", true},
		{"whitespace runs", "NAME  CACHED\nx     1m left", "NAME CACHED\nx 59m left", true},
		{"times and ids", "ASIACW6T63ZOVEQ3XHBH\t2026-11-26T15:06:37+00:00", "ASIAZZZZZZZZZZZZZZZZ\t2027-01-02T03:04:05+00:00", true},
		{"ellipsis line", "first\n...\nlast", "first\nx\ny\nlast", true},
		{"ellipsis line, zero lines", "first\n...\nlast", "first\nlast", true},
		{"ellipsis in a line", "error: the key ... is absent", "error: the key aws:X is absent", true},
		{"ellipsis at the end", "absent from the request ...", "absent from the request", true},
		{"different word", "ALLOWED", "DENIED", false},
		{"missing line", "a\nb", "a", false},
		{"extra line", "a", "a\nb", false},
		{"number vs word", "0 regions", "no regions", false},
	}
	for _, c := range cases {
		if got := matchLines(strings.Split(c.want, "\n"), strings.Split(c.got, "\n")); got != c.ok {
			t.Errorf("%s: matchLines = %v, want %v", c.name, got, c.ok)
		}
	}
}

func TestParseReadme(t *testing.T) {
	text := "intro\n<!-- readme-test: echo setup -->\n```console\n$ echo a \\\n  b\na b\n$ false\n$ echo $?\n1\n```\n\n```console\n$ true\n```\n"
	blocks, err := parseReadme(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || blocks[0].setup != " echo setup " || blocks[1].setup != "" {
		t.Fatalf("blocks = %+v", blocks)
	}
	ex := blocks[0].examples
	if len(ex) != 3 || ex[0].command != "echo a \\\n  b" || strings.Join(ex[0].want, "|") != "a b" || ex[2].want[0] != "1" {
		t.Fatalf("examples = %+v", ex)
	}
	if _, err := parseReadme("```console\noutput first\n```\n"); err == nil {
		t.Error("output before a command was accepted")
	}
}
