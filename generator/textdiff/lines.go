// Package textdiff compares and merges text line by line: a minimal line
// diff (Myers' algorithm in linear space), unified diffs that patch and
// git apply accept, and a three-way merge in the manner of diff3.
package textdiff

import "bytes"

// splitLines splits data into lines that keep their "\n". The last line
// lacks it when data does not end in a newline.
func splitLines(data []byte) []string {
	var lines []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, string(data))
			break
		}
		lines = append(lines, string(data[:i+1]))
		data = data[i+1:]
	}
	return lines
}

// intern numbers each distinct line, so that the diff compares integers.
// Equal lines of a and b get equal numbers.
func intern(a, b []string) ([]int, []int) {
	ids := map[string]int{}
	number := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, line := range lines {
			id, ok := ids[line]
			if !ok {
				id = len(ids)
				ids[line] = id
			}
			out[i] = id
		}
		return out
	}
	return number(a), number(b)
}
