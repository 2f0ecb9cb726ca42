package suggest

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	long := strings.Repeat("a", 300)
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"", "abc", 3},
		{"permissionBoundary", "permissionsBoundary", 1},
		{"reqeust", "request", 1}, // a transposition is one edit
		{"kitten", "sitting", 3},
		{"prod", "dev", 4},
		{long, long, 300}, // beyond the bound: never close
		{long, "a", 300},
	}
	for _, c := range cases {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%.20q, %.20q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance is not symmetric for %.20q, %.20q", c.a, c.b)
		}
	}
}
