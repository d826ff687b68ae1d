package core

import (
	"fmt"
	"strings"
)

// DidYouMean returns ` (did you mean "X"?)` for the known name closest to name, or "" when none
// is close enough to be a likely typo. Short names get less slack: "A" is not a typo of "B".
func DidYouMean(name string, known []string) string {
	if s, ok := closest(name, known); ok {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

func closest(name string, known []string) (string, bool) {
	limit := 2
	switch n := len([]rune(name)); {
	case n <= 2:
		limit = 0
	case n <= 4:
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, k := range known {
		if k == name {
			continue
		}
		// Case is ignored: "urs_1" is a typo of "URS_1" at distance 0.
		d := editDistance(strings.ToLower(name), strings.ToLower(k))
		if d < bestDist {
			best, bestDist = k, d
		}
	}
	return best, bestDist <= limit
}

// editDistance is the optimal-string-alignment distance: Levenshtein plus adjacent transpositions,
// the most common typo ("stpe_time").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		// Names this long are not typos of each other worth the quadratic cost.
		if a == b {
			return 0
		}
		return 1 << 10
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func (e *Engine) appNames() []string {
	names := make([]string, len(e.apps))
	for i, a := range e.apps {
		names[i] = a.name
	}
	return names
}
