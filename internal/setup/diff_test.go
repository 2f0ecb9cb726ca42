package setup

import (
	"reflect"
	"strings"
	"testing"
)

func TestLineDiff(t *testing.T) {
	for _, tc := range []struct {
		old, new string
		want     []string
	}{
		{"a\nb\nc\n", "a\nb\nc\n", []string{"  a", "  b", "  c"}},
		{"a\nb\nc\n", "a\nx\nc\n", []string{"  a", "- b", "+ x", "  c"}},
		{"", "a\n", []string{"+ a"}},
		{"a\n", "", []string{"- a"}},
		{"a\nb\n", "b\nc\n", []string{"- a", "  b", "+ c"}},
	} {
		if got := lineDiff(tc.old, tc.new); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("lineDiff(%q, %q) = %q, want %q", tc.old, tc.new, got, tc.want)
		}
	}
}

func TestLineDiffBounded(t *testing.T) {
	old := strings.Repeat("a\n", 3000)
	new := strings.Repeat("b\n", 3000)
	got := lineDiff(old, new)
	if len(got) != 6000 || got[0] != "- a" || got[5999] != "+ b" {
		t.Errorf("bounded diff: %d lines, first %q", len(got), got[0])
	}
}

func TestContextDiff(t *testing.T) {
	diff := []string{"  1", "  2", "  3", "  4", "- 5", "+ 6", "  7", "  8", "  9", "  10", "  11", "  12", "  13", "+ 14"}
	want := []string{"  ...", "  2", "  3", "  4", "- 5", "+ 6", "  7", "  8", "  9", "  ...", "  11", "  12", "  13", "+ 14"}
	if got := contextDiff(diff, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("contextDiff = %q\nwant %q", got, want)
	}
	if got := contextDiff([]string{"  a", "  b"}, 3); !reflect.DeepEqual(got, []string{"  ..."}) {
		t.Errorf("no change: %q", got)
	}
}
