package schema

import (
	"bytes"
	"slices"
)

// editHistory is the text of a file before the first edit and each change
// made to it since. A change makes a new history, so files that share one
// never see each other's later edits.
type editHistory struct {
	original []byte
	changes  []change
}

// change is one splice into a file's text: the removed bytes from offset at
// were replaced by inserted bytes.
type change struct {
	at       int
	removed  int
	inserted int
	// description is the inserted text's name in errors, such as "the
	// new service".
	description string
}

// record returns the history after one more change to the text before.
func (h *editHistory) record(before []byte, c change) *editHistory {
	if h == nil {
		return &editHistory{original: before, changes: []change{c}}
	}
	return &editHistory{original: h.original, changes: append(slices.Clip(h.changes), c)}
}

// OriginalPositions returns errs with each position in an edited file moved
// to the same place in the text that was read, which is the file on disk.
// An error inside text that an edit inserted has no place on disk: it keeps
// its file but loses its line and column, and its field path is followed by
// what the text is, such as "(in the new service)". The errors keep their
// order, which is that of the edited text when they come from LoadFiles.
func OriginalPositions(files []SourceFile, errs Errors) Errors {
	histories := map[string]SourceFile{}
	for _, f := range files {
		if f.history != nil {
			histories[f.Name] = f
		}
	}

	out := make(Errors, 0, len(errs))
	for _, e := range errs {
		f, ok := histories[e.File]
		if !ok || e.Line <= 0 {
			out = append(out, e)
			continue
		}
		offset, inserted := f.history.originalOffset(lineColumnOffset(f.Data, e.Line, e.Column))
		if inserted != "" {
			e.Line, e.Column = 0, 0
			e.Path = joinNote(e.Path, "(in "+inserted+")")
		} else {
			e.Line, e.Column = offsetLineColumn(f.history.original, offset)
		}
		out = append(out, e)
	}
	return out
}

// originalOffset maps an offset in the edited text to the original text by
// undoing the changes from the last. When the offset lies inside text that
// a change inserted, it returns that text's description instead.
func (h *editHistory) originalOffset(offset int) (int, string) {
	for i := len(h.changes) - 1; i >= 0; i-- {
		c := h.changes[i]
		switch {
		case offset < c.at:
		case offset < c.at+c.inserted:
			return 0, c.description
		default:
			offset += c.removed - c.inserted
		}
	}
	return offset, ""
}

func joinNote(path, note string) string {
	if path == "" {
		return note
	}
	return path + " " + note
}

// lineColumnOffset returns the byte offset of a 1-based line and byte
// column in src, as CUE's token.Position counts them.
func lineColumnOffset(src []byte, line, column int) int {
	offset := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[offset:], '\n')
		if i < 0 {
			return len(src)
		}
		offset += i + 1
	}
	return min(offset+max(column-1, 0), len(src))
}

// offsetLineColumn returns the 1-based line and byte column of an offset.
func offsetLineColumn(src []byte, offset int) (line, column int) {
	offset = min(offset, len(src))
	before := src[:offset]
	return bytes.Count(before, []byte("\n")) + 1, offset - (bytes.LastIndexByte(before, '\n') + 1) + 1
}
