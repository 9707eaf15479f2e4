package textdiff

import (
	"fmt"
	"strings"
)

// context is the number of unchanged lines shown around each change, as in
// diff -u and git diff.
const context = 3

// opKind is the kind of edit on one line: kept, deleted or inserted.
type opKind byte

const (
	opEqual  opKind = ' '
	opDelete opKind = '-'
	opInsert opKind = '+'
)

// op is one line of an edit script. a and b are the line's indexes in the
// old and new text. For an insertion, a is the index of the old line that
// follows it, and for a deletion, b is the index of the new line that
// follows it.
type op struct {
	kind opKind
	a, b int
}

// script returns the edit script that turns a into b, with deletions
// before insertions wherever both replace the same lines.
func script(a, b []string) []op {
	ia, ib := intern(a, b)
	var ops []op
	i, j := 0, 0
	for _, mt := range append(matches(ia, ib), match{len(a), len(b)}) {
		for ; i < mt.A; i++ {
			ops = append(ops, op{kind: opDelete, a: i, b: j})
		}
		for ; j < mt.B; j++ {
			ops = append(ops, op{kind: opInsert, a: i, b: j})
		}
		if mt.A < len(a) {
			ops = append(ops, op{kind: opEqual, a: i, b: j})
			i++
			j++
		}
	}
	return ops
}

// Unified returns a unified diff that turns old into new, with oldName and
// newName in its "---" and "+++" lines, hunks with three lines of context,
// and a "\ No newline at end of file" line after a last line that lacks
// one. It returns "" when old and new are equal. Give "/dev/null" as the
// name of a side that does not exist.
func Unified(oldName, newName string, old, new []byte) string {
	a, b := splitLines(old), splitLines(new)
	ops := script(a, b)

	var out strings.Builder
	for start := 0; start < len(ops); {
		// Find the next change, then extend the hunk while the next change
		// is close enough for the contexts to touch.
		first := start
		for first < len(ops) && ops[first].kind == opEqual {
			first++
		}
		if first == len(ops) {
			break
		}
		end := first
		for {
			last := end
			for last < len(ops) && ops[last].kind != opEqual {
				last++
			}
			next := last
			for next < len(ops) && ops[next].kind == opEqual {
				next++
			}
			end = last
			if next == len(ops) || next-last > 2*context {
				break
			}
			end = next
		}

		from := max(first-context, start)
		to := min(end+context, len(ops))
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
		}
		writeHunk(&out, ops[from:to], a, b)
		start = to
	}
	return out.String()
}

// writeHunk writes one hunk: its header, then each line with its prefix.
func writeHunk(out *strings.Builder, ops []op, a, b []string) {
	var aCount, bCount int
	for _, o := range ops {
		if o.kind != opInsert {
			aCount++
		}
		if o.kind != opDelete {
			bCount++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(ops[0].a, aCount), hunkRange(ops[0].b, bCount))

	for _, o := range ops {
		var line string
		if o.kind == opInsert {
			line = b[o.b]
		} else {
			line = a[o.a]
		}
		out.WriteByte(byte(o.kind))
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange formats the range of a hunk header from the 0-based index of its
// first line. An empty range starts at the line before it, and a count of 1
// is left out, as diff -u writes them.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}
