package textdiff

// match pairs line A of the old text with an equal line B of the new one.
type match struct{ A, B int }

// matches returns a longest common subsequence of a and b as pairs of
// indexes, in increasing order of both. It uses Myers' O(ND) algorithm with
// the linear-space refinement: each step finds the middle of an optimal
// edit path by searching from both ends, then splits the problem there.
func matches(a, b []int) []match {
	var out []match
	var diff func(a0, a1, b0, b1 int)
	diff = func(a0, a1, b0, b1 int) {
		// Common lines at both ends are matched without a search.
		for a0 < a1 && b0 < b1 && a[a0] == b[b0] {
			out = append(out, match{a0, b0})
			a0++
			b0++
		}
		var suffix int
		for a0 < a1-suffix && b0 < b1-suffix && a[a1-1-suffix] == b[b1-1-suffix] {
			suffix++
		}
		if a0 < a1-suffix && b0 < b1-suffix {
			x, y, ok := middle(a[a0:a1-suffix], b[b0:b1-suffix])
			if ok {
				diff(a0, a0+x, b0, b0+y)
				diff(a0+x, a1-suffix, b0+y, b1-suffix)
			}
		}
		for i := suffix; i > 0; i-- {
			out = append(out, match{a1 - i, b1 - i})
		}
	}
	diff(0, len(a), 0, len(b))
	return out
}

// middle returns a point (x, y) on an optimal edit path from the start of a
// and b to their ends, strictly between the two ends so that splitting
// there makes progress. a and b are non-empty and differ in their first and
// last elements. ok is false when no such point exists, which happens only
// when a and b have no element in common.
func middle(a, b []int) (x, y int, ok bool) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	offset := maxD + 1
	// forward[k] is the furthest x reached on diagonal k = x - y from the
	// start; backward[k] the furthest distance reached from the end on
	// diagonal k of the reversed texts. -1 marks a diagonal not reached.
	forward := make([]int, 2*offset+1)
	backward := make([]int, 2*offset+1)
	for i := range forward {
		forward[i] = -1
		backward[i] = -1
	}
	forward[offset+1] = 0
	backward[offset+1] = 0

	delta := n - m
	// When delta is odd, the paths can first meet on a forward step, when
	// even, on a backward step.
	odd := delta%2 != 0
	// Diagonals whose path ran past an end are trimmed from later steps.
	var fStart, fEnd, bStart, bEnd int

	for d := 0; d < maxD; d++ {
		for k := -d + fStart; k <= d-fEnd; k += 2 {
			i := offset + k
			var fx int
			if k == -d || (k != d && forward[i-1] < forward[i+1]) {
				fx = forward[i+1]
			} else {
				fx = forward[i-1] + 1
			}
			fy := fx - k
			for fx < n && fy < m && a[fx] == b[fy] {
				fx++
				fy++
			}
			forward[i] = fx
			switch {
			case fx > n:
				fEnd += 2
			case fy > m:
				fStart += 2
			case odd:
				j := offset + delta - k
				if j >= 0 && j < len(backward) && backward[j] != -1 && fx >= n-backward[j] {
					return fx, fy, true
				}
			}
		}

		for k := -d + bStart; k <= d-bEnd; k += 2 {
			i := offset + k
			var bx int
			if k == -d || (k != d && backward[i-1] < backward[i+1]) {
				bx = backward[i+1]
			} else {
				bx = backward[i-1] + 1
			}
			by := bx - k
			for bx < n && by < m && a[n-1-bx] == b[m-1-by] {
				bx++
				by++
			}
			backward[i] = bx
			switch {
			case bx > n:
				bEnd += 2
			case by > m:
				bStart += 2
			case !odd:
				j := offset + delta - k
				if j >= 0 && j < len(forward) && forward[j] != -1 {
					fx := forward[j]
					fy := fx - (delta - k)
					if fx >= n-bx {
						return fx, fy, true
					}
				}
			}
		}
	}
	return 0, 0, false
}
