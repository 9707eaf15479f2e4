package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/msgen-dev/msgen/generator"
	"github.com/msgen-dev/msgen/schema"
)

// specName is the file name of the spec that init writes.
const specName = "msgen.cue"

// targetDir is the directory that init writes into.
type targetDir struct {
	path string
	// missingTop is the highest directory on path that does not exist yet,
	// which init creates and so may remove again, or "" when path exists.
	missingTop string
}

// checkTarget rejects a target that init must not write into. That is a
// file, an msgen project (a directory with msgen.cue), or, unless force is
// set, a directory with other files. A directory that contains only .git
// counts as empty, so init works in a fresh clone.
func checkTarget(dir string, force bool) (*targetDir, error) {
	display := displayPath(dir)
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		top, err := missingTop(dir)
		if err != nil {
			return nil, err
		}
		return &targetDir{path: dir, missingTop: top}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("check target directory: %w", err)
	}
	if !info.IsDir() {
		return nil, notDirectoryError{display}
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("check target directory: %w", err)
	}
	var others []string
	for _, entry := range entries {
		switch entry.Name() {
		case specName:
			return nil, fmt.Errorf("%s is an msgen project already, with %s, which init never overwrites: edit it and run msgen generate there, or choose another directory", display, specName)
		case ".git":
		default:
			others = append(others, entry.Name())
		}
	}
	if len(others) > 0 && !force {
		listed := others
		if len(listed) > 3 {
			listed = append(slices.Clone(listed[:3]), fmt.Sprintf("and %d more", len(others)-3))
		}
		return nil, fmt.Errorf("%s is not empty and is not an msgen project (it has %s): choose an empty directory, or give --force to write beside these files, which init never overwrites", display, strings.Join(listed, ", "))
	}
	return &targetDir{path: dir}, nil
}

// notDirectoryError is the error for a target directory, given on the
// command line, that is a file or whose path leads through one.
type notDirectoryError struct{ path string }

func (e notDirectoryError) Error() string {
	return fmt.Sprintf("%s is not a directory: give a directory for the new project", e.path)
}

// missingTop returns the highest directory on dir's path that does not
// exist, and rejects a path whose nearest existing parent is a file.
func missingTop(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("check target directory: %w", err)
	}
	top := abs
	for {
		parent := filepath.Dir(top)
		info, err := os.Stat(parent)
		if errors.Is(err, fs.ErrNotExist) && parent != top {
			top = parent
			continue
		}
		if err != nil {
			return "", fmt.Errorf("check target directory: %w", err)
		}
		if !info.IsDir() {
			return "", notDirectoryError{displayPath(parent)}
		}
		return top, nil
	}
}

// journal is the list of what init is about to create, so that after a
// failure or an interrupt init can remove it and leave the target as it was.
type journal struct {
	target *targetDir
	// files and dirs are the paths, relative to the target, that do not
	// exist before init writes.
	files []string
	dirs  []string
	// gitDir is whether init creates .git.
	gitDir bool
}

// newJournal records which of paths, and of their parent directories, do
// not exist yet. When the target itself is missing, it records nothing,
// because undo then removes the target's highest missing directory.
func newJournal(target *targetDir, paths []string, gitDir bool) *journal {
	j := &journal{target: target, gitDir: gitDir}
	if target.missingTop != "" {
		return j
	}
	dirs := map[string]bool{}
	for _, p := range paths {
		if _, err := os.Lstat(filepath.Join(target.path, filepath.FromSlash(p))); errors.Is(err, fs.ErrNotExist) {
			j.files = append(j.files, p)
		}
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if _, err := os.Lstat(filepath.Join(target.path, filepath.FromSlash(dir))); errors.Is(err, fs.ErrNotExist) {
				dirs[dir] = true
			}
		}
	}
	for dir := range dirs {
		j.dirs = append(j.dirs, dir)
	}
	// Deepest first, so that each directory is empty when its turn comes.
	slices.SortFunc(j.dirs, func(a, b string) int {
		return strings.Count(b, "/") - strings.Count(a, "/")
	})
	return j
}

// created reports whether init creates the file at p, rather than rewrite
// a file that exists already.
func (j *journal) created(p string) bool {
	return j.target.missingTop != "" || slices.Contains(j.files, p)
}

// undo removes what init created and reports whether there was anything
// to remove. Files that existed before stay, including files that msgen
// generated before and init may have rewritten.
func (j *journal) undo() (bool, error) {
	if j.target.missingTop != "" {
		if _, err := os.Lstat(j.target.missingTop); errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return true, os.RemoveAll(j.target.missingTop)
	}

	removed := false
	var errs []error
	for _, p := range j.files {
		err := os.Remove(filepath.Join(j.target.path, filepath.FromSlash(p)))
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
		}
	}
	for _, dir := range j.dirs {
		// A directory that something else wrote into stays.
		_ = os.Remove(filepath.Join(j.target.path, filepath.FromSlash(dir)))
	}
	if j.gitDir {
		gitDir := filepath.Join(j.target.path, ".git")
		if _, err := os.Lstat(gitDir); err == nil {
			removed = true
			if err := os.RemoveAll(gitDir); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return removed, errors.Join(errs...)
}

// writeProject validates the spec that the answers make, then writes it
// and the repository it describes into the target, and commits them. When
// any step fails, or an interrupt arrives while it writes, it removes what
// it created.
func writeProject(opts *initOptions, target *targetDir, answers *initAnswers) error {
	io := opts.io
	src, err := specFile(answers)
	if err != nil {
		return fmt.Errorf("build %s: %w", specName, err)
	}
	specPath := filepath.Join(target.path, specName)
	spec, err := schema.LoadSource(displayPath(specPath), src)
	if err != nil {
		return printSpecErrors(io, displayPath(specPath), err, "; nothing was written")
	}
	files, err := generator.Generate(spec)
	if err != nil {
		return fmt.Errorf("%w\nnothing was written", err)
	}

	repository := ""
	if !opts.noGit {
		if repository, err = findRepository(target.path); err != nil {
			return err
		}
	}
	paths := []string{specName, generator.ManifestPath}
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	commit := !opts.noGit && repository == ""
	j := newJournal(target, paths, commit)

	// The Git config is read before anything is written, so that an
	// error in it leaves nothing to remove.
	var config *gitConfig
	if commit {
		if config, err = readGitConfig(target.path); err != nil {
			return fmt.Errorf("%w\nnothing was written", err)
		}
	}

	// An interrupt stops the commit between two files, and the other
	// steps when they end. Then init removes what it wrote.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err = writeAndCommit(ctx, opts, target, spec, src, files, j, repository, config)
	if ctx.Err() != nil {
		err = cancelledError{errors.New("interrupted")}
	}
	if err != nil {
		removed, undoErr := j.undo()
		switch {
		case undoErr != nil:
			return fmt.Errorf("%w\nremoving what init wrote failed too: %v", err, undoErr)
		case removed:
			return fmt.Errorf("%w\ninit removed what it had written", err)
		}
		return err
	}

	fmt.Fprintf(io.Err, "msgen: %s is ready: its README.md explains how to start the system\n", describeDir(target.path))
	return nil
}

// writeAndCommit writes the repository, then the spec, then makes the
// initial commit with the author and committer from config. It commits
// nothing when --no-git is set or repository, the root of an enclosing
// repository, is not "".
func writeAndCommit(ctx context.Context, opts *initOptions, target *targetDir, spec *schema.Spec, src []byte, files []generator.File, j *journal, repository string, config *gitConfig) error {
	io := opts.io
	specPath := filepath.Join(target.path, specName)

	// The repository comes first, because a file in the way stops it
	// before it writes anything, and msgen.cue is then not written either.
	result, err := writeSpec(io, spec, writeOptions{specFile: specPath, outDir: target.path, verbose: opts.verbose, omitCounts: true})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	if err := createFile(target.path, specName, src); err != nil {
		return fmt.Errorf("write %s: %w", displayPath(specPath), err)
	}
	fmt.Fprintf(io.Err, "msgen: generated the repository (%s) and wrote %s\n", writeCounts(result), displayPath(specPath))

	switch {
	case opts.noGit:
		return nil
	case repository != "" && absOrSame(repository) == absOrSame(target.path):
		fmt.Fprintf(io.Err, "msgen: %s is a Git repository already, so init committed nothing: review the files and commit them yourself\n", describeDir(target.path))
		return nil
	case repository != "":
		fmt.Fprintf(io.Err, "msgen: %s is inside the Git repository %s, so init committed nothing: review the files and commit them yourself\n", describeDir(target.path), describeDir(repository))
		return nil
	}

	// The commit contains what init wrote: the spec, the manifest, every
	// managed file and the scaffolded files that it created. With --force,
	// the other files in the directory stay out of it.
	commitPaths := []string{specName, generator.ManifestPath}
	for _, f := range files {
		if f.Ownership == generator.Managed || j.created(f.Path) {
			commitPaths = append(commitPaths, f.Path)
		}
	}
	signed, err := commitInitial(ctx, target.path, commitPaths, spec.Name, config)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Err, "msgen: created a Git repository in %s and committed %d files as %s\n", describeDir(target.path), len(commitPaths), signed.description)
	if signed.fallback {
		fmt.Fprintf(io.Err, "msgen: to sign the commit yourself, set user.name and user.email with git config --global, then run git commit --amend --reset-author in %s\n", describeDir(target.path))
	}
	return nil
}

// describeDir returns how messages name the directory dir: its path as
// displayPath prints it, or "the current directory" for ".".
func describeDir(dir string) string {
	if p := displayPath(dir); p != "." {
		return p
	}
	return "the current directory"
}

// createFile writes data to a new file name in dir. It fails when the file
// exists, so that init never overwrites a spec that appeared while it ran.
// The journal removes a file left half-written by a failure.
func createFile(dir, name string, data []byte) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return errors.New("the file appeared while init ran, and init never overwrites it")

	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
