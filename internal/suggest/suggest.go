// Package suggest measures how far a mistyped name is from the valid ones,
// for "did you mean" hints (profile names, simulate input fields).
package suggest

// maxCompared bounds the work of one comparison: names longer than this
// are never close to anything a user meant to type.
const maxCompared = 256

// Distance is the optimal string alignment distance between a and b over
// bytes: insertions, deletions, substitutions and transpositions of two
// adjacent bytes each cost one. Strings longer than 256 bytes are as far
// as the longer one's length.
func Distance(a, b string) int {
	if len(a) > maxCompared || len(b) > maxCompared {
		return max(len(a), len(b))
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
