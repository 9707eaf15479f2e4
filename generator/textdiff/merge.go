package textdiff

import (
	"slices"
	"strings"
)

// Labels name the three versions in conflict markers.
type Labels struct {
	Ours, Base, Theirs string
}

// Merge merges the changes from base to ours and from base to theirs, line
// by line, as diff3 -m and git merge-file do. Where only one side changed a
// region, its version is taken. Where both changed it differently, the
// region becomes a conflict:
//
//	<<<<<<< Ours
//	our lines
//	||||||| Base
//	base lines
//	=======
//	their lines
//	>>>>>>> Theirs
//
// Merge returns the merged text and the number of conflicts.
func Merge(base, ours, theirs []byte, labels Labels) ([]byte, int) {
	b, o, t := splitLines(base), splitLines(ours), splitLines(theirs)
	ib, io := intern(b, o)
	_, it := intern(b, t)
	toOurs := baseIndex(len(b), matches(ib, io))
	toTheirs := baseIndex(len(b), matches(ib, it))

	var out strings.Builder
	conflicts := 0
	i, j, k := 0, 0, 0 // the next line of base, ours and theirs
	for i < len(b) || j < len(o) || k < len(t) {
		// A base line that both sides kept, where both are, is stable.
		if i < len(b) && toOurs[i] == j && toTheirs[i] == k {
			out.WriteString(b[i])
			i, j, k = i+1, j+1, k+1
			continue
		}

		// Otherwise the three versions differ up to the next base line
		// that both sides kept, or to their ends.
		next := i
		for next < len(b) && (toOurs[next] < 0 || toTheirs[next] < 0) {
			next++
		}
		nextOurs, nextTheirs := len(o), len(t)
		if next < len(b) {
			nextOurs, nextTheirs = toOurs[next], toTheirs[next]
		}
		baseLines, ourLines, theirLines := b[i:next], o[j:nextOurs], t[k:nextTheirs]

		switch {
		case slices.Equal(ourLines, baseLines):
			writeLines(&out, theirLines, false)
		case slices.Equal(theirLines, baseLines), slices.Equal(ourLines, theirLines):
			writeLines(&out, ourLines, false)
		default:
			conflicts++
			out.WriteString("<<<<<<< " + labels.Ours + "\n")
			writeLines(&out, ourLines, true)
			out.WriteString("||||||| " + labels.Base + "\n")
			writeLines(&out, baseLines, true)
			out.WriteString("=======\n")
			writeLines(&out, theirLines, true)
			out.WriteString(">>>>>>> " + labels.Theirs + "\n")
		}
		i, j, k = next, nextOurs, nextTheirs
	}
	return []byte(out.String()), conflicts
}

// baseIndex maps each base line to the line it matches on the other side,
// or -1.
func baseIndex(n int, pairs []match) []int {
	index := make([]int, n)
	for i := range index {
		index[i] = -1
	}
	for _, p := range pairs {
		index[p.A] = p.B
	}
	return index
}

// writeLines writes lines. Inside a conflict, a last line without a newline
// gets one, so that the next marker starts a line of its own.
func writeLines(out *strings.Builder, lines []string, inConflict bool) {
	for _, line := range lines {
		out.WriteString(line)
		if inConflict && !strings.HasSuffix(line, "\n") {
			out.WriteByte('\n')
		}
	}
}
