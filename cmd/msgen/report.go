package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/msgen-dev/msgen/generator"
	"github.com/msgen-dev/msgen/generator/textdiff"
)

// printConflicts prints every conflict that stops a run of generate into
// outName, grouped by kind, each group with the way out.
func printConflicts(io *streams, outName string, plan *generator.Plan) {
	groups := map[generator.Conflict][]generator.Change{}
	for _, c := range plan.Conflicts() {
		kind := c.Conflict
		if kind == generator.ConflictNotRegular || kind == generator.ConflictNotDirectory {
			kind = generator.ConflictNotGenerated
		}
		groups[kind] = append(groups[kind], c)
	}
	color := colorEnabled(io.Err)

	if changes := groups[generator.ConflictNotGenerated]; len(changes) > 0 {
		// Several files may be blocked by one file in place of their
		// directory, which is listed once.
		var paths []string
		for _, c := range changes {
			if p := generator.InTheWay(c); !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
		slices.Sort(paths)
		err := &generator.ConflictError{Paths: paths}
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s\n", outName, err)
	}

	var edited, removed []generator.Change
	for _, c := range groups[generator.ConflictEdited] {
		if c.Removed {
			removed = append(removed, c)
		} else {
			edited = append(edited, c)
		}
	}
	if n := len(edited); n > 0 {
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s edited by hand since msgen wrote %s:\n",
			outName, countNoun(n, "managed file was", "managed files were"), pronoun(n))
		printHandEdits(io, edited, color)
		if plan.InGit() {
			fmt.Fprintf(io.Err, "keep the edits with msgen generate --merge, overwrite %s with --force, or revert the edits\n", pronoun(n))
		} else {
			fmt.Fprintf(io.Err, "overwrite %s with --force, or revert the edits; --merge cannot keep them here, because it reads the version that msgen last wrote from Git, and %s is not in a Git repository\n", pronoun(n), outName)
		}
	}
	if n := len(removed); n > 0 {
		// A file that is no longer rendered has nothing to merge with.
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s edited by hand:\n",
			outName, countNoun(n, "managed file that msgen no longer generates was", "managed files that msgen no longer generates were"))
		printHandEdits(io, removed, color)
		fmt.Fprintf(io.Err, "the spec no longer generates %s, so --merge has nothing to merge the edits with: move the code you need into a file of your own, then delete %s, or let msgen generate --force delete %s\n", pronoun(n), pronoun(n), pronoun(n))
	}

	if changes := groups[generator.ConflictUnresolved]; len(changes) > 0 {
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s the conflict markers of a merge:\n",
			outName, countNoun(len(changes), "managed file still contains", "managed files still contain"))
		for _, c := range changes {
			fmt.Fprintf(io.Err, "  %s\n", c.Path)
		}
		fmt.Fprintf(io.Err, "resolve each conflict between the \"<<<<<<< yours\" and \">>>>>>> msgen, new\" lines and delete the marker lines, then run msgen generate --merge to record the result, or overwrite %s with the new rendering with --force\n", pronoun(len(changes)))
	}

	if changes := groups[generator.ConflictNotInManifest]; len(changes) > 0 {
		n := len(changes)
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s msgen's marker, but the manifest does not list %s, so msgen did not write %s here: %s a generated file that was copied and edited:\n",
			outName, countNoun(n, "file carries", "files carry"), pronoun(n), pronoun(n), oneOrMany(n, "it may be", "they may be"))
		for _, c := range changes {
			fmt.Fprintf(io.Err, "  %s\n", c.Path)
		}
		fmt.Fprintf(io.Err, "move any code you need into a file of your own, then delete %s, or overwrite %s with --force\n", pronoun(n), pronoun(n))
	}

	if changes := groups[generator.ConflictUncommitted]; len(changes) > 0 {
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s changes that are not committed to Git, and the manifest does not record what msgen last wrote to %s:\n",
			outName, countNoun(len(changes), "managed file has", "managed files have"), pronoun(len(changes)))
		for _, c := range changes {
			fmt.Fprintf(io.Err, "  %s\n", c.Path)
		}
		fmt.Fprintln(io.Err, "commit or revert the changes, or overwrite them with --force")
	}

	if changes := groups[generator.ConflictBaseMissing]; len(changes) > 0 && plan.InGit() {
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s be merged, because the version that msgen last wrote is not in the Git object store:\n",
			outName, countNoun(len(changes), "file cannot", "files cannot"))
		for _, c := range changes {
			fmt.Fprintf(io.Err, "  %s (Git blob %s)\n", c.Path, c.BaseHash)
		}
		fmt.Fprintln(io.Err, "the object store holds that version once msgen's output is committed, before anyone edits it; revert the edits, or overwrite them with --force")
	} else if len(changes) > 0 {
		fmt.Fprintf(io.Err, "msgen: generate into %s: %s be merged, because %s is not in a Git repository, from which --merge reads the version that msgen last wrote:\n",
			outName, countNoun(len(changes), "file cannot", "files cannot"), outName)
		for _, c := range changes {
			fmt.Fprintf(io.Err, "  %s\n", c.Path)
		}
		fmt.Fprintln(io.Err, "revert the edits, or overwrite them with --force")
	}
}

// printHandEdits lists changes with their reasons, then shows each edit.
func printHandEdits(io *streams, changes []generator.Change, color bool) {
	for _, c := range changes {
		fmt.Fprintf(io.Err, "  %s: %s\n", c.Path, c.Reason)
	}
	for _, c := range changes {
		writeHandEdit(io.Err, c, color)
	}
}

// writeHandEdit writes the hand edit of c as a unified diff: from the
// version msgen last wrote when Git has it, else from the new rendering.
func writeHandEdit(w io.Writer, c generator.Change, color bool) {
	switch {
	case c.Base != nil:
		writeColored(w, textdiff.Unified(c.Path+" (msgen, last written)", c.Path+" (yours)", c.Base, c.Old), color)
	case c.Action != generator.ActionDelete:
		writeColored(w, textdiff.Unified(c.Path+" (msgen, new)", c.Path+" (yours)", c.New, c.Old), color)
	default:
		fmt.Fprintf(w, "(%s: the version that msgen last wrote is not in Git, so the edit cannot be shown)\n", c.Path)
	}
}

// writePatch writes the changes of plan that generate would make as one
// patch that git apply accepts in the output directory: a "diff --git"
// header, mode lines and a unified diff for each file. Conflicts with files
// that msgen did not generate are left out, because generate never
// overwrites those.
func writePatch(w io.Writer, plan *generator.Plan, color bool) {
	for _, c := range plan.Changes {
		switch c.Conflict {
		case generator.ConflictNotGenerated, generator.ConflictNotRegular, generator.ConflictNotDirectory:
			continue
		}
		var header strings.Builder
		fmt.Fprintf(&header, "diff --git a/%s b/%s\n", c.Path, c.Path)
		var body string
		switch c.Action {
		case generator.ActionCreate:
			fmt.Fprintf(&header, "new file mode %s\n", generator.GitMode(c.NewMode))
			body = textdiff.Unified("/dev/null", "b/"+c.Path, nil, c.New)
		case generator.ActionDelete:
			fmt.Fprintf(&header, "deleted file mode %s\n", generator.GitMode(c.OldMode))
			body = textdiff.Unified("a/"+c.Path, "/dev/null", c.Old, nil)
		case generator.ActionUpdate, generator.ActionMode:
			if c.ModeChanged() {
				fmt.Fprintf(&header, "old mode %s\nnew mode %s\n", generator.GitMode(c.OldMode), generator.GitMode(c.NewMode))
			}
			body = textdiff.Unified("a/"+c.Path, "b/"+c.Path, c.Old, c.New)
		default:
			continue
		}
		if color {
			fmt.Fprint(w, bold(header.String()))
		} else {
			fmt.Fprint(w, header.String())
		}
		writeColored(w, body, color)
	}
}

// ANSI escape sequences for the colours of a diff.
const (
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiReset = "\x1b[0m"
)

func bold(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line != "" {
			b.WriteString(ansiBold + strings.TrimSuffix(line, "\n") + ansiReset + "\n")
		}
	}
	return b.String()
}

// writeColored writes a unified diff from textdiff.Unified, coloured as git
// diff colours it when color is true: file names bold, hunk headers cyan,
// deletions red, insertions green.
func writeColored(w io.Writer, diff string, color bool) {
	if !color {
		fmt.Fprint(w, diff)
		return
	}
	for i, line := range strings.SplitAfter(diff, "\n") {
		text := strings.TrimSuffix(line, "\n")
		if text == "" {
			continue
		}
		var code string
		switch {
		case i < 2: // the "---" and "+++" lines
			code = ansiBold
		case strings.HasPrefix(text, "@@"):
			code = ansiCyan
		case strings.HasPrefix(text, "-"):
			code = ansiRed
		case strings.HasPrefix(text, "+"):
			code = ansiGreen
		}
		if code == "" {
			fmt.Fprintln(w, text)
		} else {
			fmt.Fprintln(w, code+text+ansiReset)
		}
	}
}

// colorEnabled reports whether output to w gets colour: w must be a
// terminal, and NO_COLOR unset or empty, as https://no-color.org specifies.
func colorEnabled(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// pronoun returns "it" for one file and "them" for several.
func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// oneOrMany returns one when n is 1, else many.
func oneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// countNoun returns "1 " and one, or n and many.
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
