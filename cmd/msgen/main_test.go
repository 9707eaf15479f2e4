package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testscript files")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"msgen": func() { os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	examples, err := filepath.Abs(filepath.Join("..", "..", "testdata", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", examples)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitCode,
			"treehash":  cmdTreeHash,
			"gitinit":   cmdGitInit,
			"gitcommit": cmdGitCommit,
			"gitlog":    cmdGitLog,
			"snapshot":  cmdSnapshot,
			"treediff":  cmdTreeDiff,
		},
	})
}

// cmdExitCode runs a program and checks its exit code:
//
//	exitcode 2 msgen generate --bogus
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: invalid code %q", args[0])
	}

	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdTreeHash writes one hash of every path, mode and content under a
// directory to a file, so that a script can assert that a tree is unchanged:
//
//	treehash out before.sum
func cmdTreeHash(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: treehash DIR FILE")
	}
	root := ts.MkAbs(args[0])

	var lines []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		line := fmt.Sprintf("%s %v", filepath.ToSlash(rel), info.Mode())
		if d.Type().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			line += " " + hex.EncodeToString(sum[:])
		}
		lines = append(lines, line)
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		lines = []string{"(missing)"}
	} else if err != nil {
		ts.Fatalf("treehash: %v", err)
	}
	sort.Strings(lines)

	sum := sha256.New()
	for _, line := range lines {
		fmt.Fprintln(sum, line)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(hex.EncodeToString(sum.Sum(nil))+"\n"), 0o644))
}

// cmdGitInit creates a Git repository with go-git, so that scripts need no
// git binary or Git configuration:
//
//	gitinit repo
func cmdGitInit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gitinit DIR")
	}
	_, err := git.PlainInit(ts.MkAbs(args[0]), false)
	ts.Check(err)
}

// cmdGitCommit stages every change in the work tree of a repository made by
// gitinit, deletions included, and commits it:
//
//	gitcommit repo
func cmdGitCommit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gitcommit DIR")
	}
	repo, err := git.PlainOpen(ts.MkAbs(args[0]))
	ts.Check(err)
	worktree, err := repo.Worktree()
	ts.Check(err)
	ts.Check(worktree.AddWithOptions(&git.AddOptions{All: true}))
	signature := &object.Signature{Name: "msgen test", Email: "test@example.com", When: time.Unix(0, 0)}
	_, err = worktree.Commit("commit from a test script", &git.CommitOptions{Author: signature})
	ts.Check(err)
}

// cmdGitLog writes the Git history of a repository to a file: its branch,
// the number of commits, and the author, message and files of the last
// commit, or "no commits":
//
//	gitlog shop log.txt
func cmdGitLog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gitlog DIR FILE")
	}
	repo, err := git.PlainOpen(ts.MkAbs(args[0]))
	ts.Check(err)

	var b strings.Builder
	head, err := repo.Head()
	if err != nil {
		b.WriteString("no commits\n")
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
		return
	}
	fmt.Fprintf(&b, "branch %s\n", head.Name().Short())

	commits, err := repo.Log(&git.LogOptions{From: head.Hash()})
	ts.Check(err)
	count := 0
	ts.Check(commits.ForEach(func(*object.Commit) error { count++; return nil }))
	fmt.Fprintf(&b, "commits %d\n", count)

	last, err := repo.CommitObject(head.Hash())
	ts.Check(err)
	fmt.Fprintf(&b, "author %s <%s>\n", last.Author.Name, last.Author.Email)
	fmt.Fprintf(&b, "committer %s <%s>\n", last.Committer.Name, last.Committer.Email)
	for _, line := range strings.Split(strings.TrimSpace(last.Message), "\n") {
		fmt.Fprintf(&b, "message %s\n", line)
	}
	tree, err := last.Tree()
	ts.Check(err)
	var files []string
	ts.Check(tree.Files().ForEach(func(f *object.File) error {
		files = append(files, fmt.Sprintf("file %s %v\n", f.Name, f.Mode))
		return nil
	}))
	fmt.Fprintf(&b, "files %d\n", len(files))
	b.WriteString(strings.Join(files, ""))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
}

// cmdSnapshot copies a directory tree, so that treediff can compare the
// tree with the copy later:
//
//	snapshot repo before
func cmdSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: snapshot DIR COPY")
	}
	files, err := readTree(ts.MkAbs(args[0]))
	ts.Check(err)
	copyRoot := ts.MkAbs(args[1])
	for _, path := range slices.Sorted(maps.Keys(files)) {
		target := filepath.Join(copyRoot, filepath.FromSlash(path))
		ts.Check(os.MkdirAll(filepath.Dir(target), 0o755))
		ts.Check(os.WriteFile(target, files[path].data, files[path].mode))
		ts.Check(os.Chmod(target, files[path].mode))
	}
}

// cmdTreeDiff prints to stdout how the files under NEW differ from those
// under OLD, in path order: "added PATH" or "removed PATH" for a file that
// only one tree has, "mode PATH" for a changed mode, and a unified diff for
// changed contents.
//
//	treediff before repo
//	cmp stdout want.diff
func cmdTreeDiff(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: treediff OLD NEW")
	}
	oldFiles, err := readTree(ts.MkAbs(args[0]))
	ts.Check(err)
	newFiles, err := readTree(ts.MkAbs(args[1]))
	ts.Check(err)

	paths := map[string]bool{}
	for path := range oldFiles {
		paths[path] = true
	}
	for path := range newFiles {
		paths[path] = true
	}
	out := ts.Stdout()
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		before, inOld := oldFiles[path]
		after, inNew := newFiles[path]
		switch {
		case !inOld:
			fmt.Fprintf(out, "added %s\n", path)
		case !inNew:
			fmt.Fprintf(out, "removed %s\n", path)
		default:
			if before.mode != after.mode {
				fmt.Fprintf(out, "mode %s %v -> %v\n", path, before.mode, after.mode)
			}
			if d := diff.Diff("old/"+path, before.data, "new/"+path, after.data); d != nil {
				out.Write(d)
			}
		}
	}
}

type treeFile struct {
	data []byte
	mode fs.FileMode
}

// readTree reads every regular file under root by slash-separated path.
func readTree(root string) (map[string]treeFile, error) {
	files := map[string]treeFile{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = treeFile{data: data, mode: info.Mode().Perm()}
		return nil
	})
	return files, err
}
