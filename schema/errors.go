package schema

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a user's spec.
type Error struct {
	// File, Line and Column locate the problem in the user's files. Line is
	// zero when no position is known.
	File   string
	Line   int
	Column int
	// Path is the field path, such as "services.orders.port".
	Path string
	// Message states what is wrong and what to do instead.
	Message string
}

func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is every problem found in a spec, sorted by position.
type Errors []Error

func (errs Errors) Error() string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders errors by file, line, column and path, and drops exact
// duplicates, which arise when one value is reached by two paths.
func (errs Errors) sorted() Errors {
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Path < b.Path
	})

	var out Errors
	for i, e := range errs {
		if i > 0 && e == errs[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}
