// Package gitrepo reads the Git repository around a generated repository
// with go-git: which files have uncommitted changes, and the blobs that
// msgen's manifest records as the bases of three-way merges.
package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repository is the Git repository that contains an output directory. Its
// methods take paths relative to that directory.
type Repository struct {
	repo *git.Repository
	// prefix is the output directory relative to the top of the work tree,
	// slash-separated, "" when they are the same.
	prefix string
	// head is the tree of the last commit, nil before the first commit.
	head *object.Tree
}

// Open returns the repository whose work tree contains dir, or nil when
// there is none, as for a bare repository or a directory outside Git. dir
// need not exist yet: its nearest existing parent is looked up.
func Open(dir string) (*Repository, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open Git repository: %w", err)
	}
	existing, missing := abs, ""
	for {
		if _, err := os.Stat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return nil, nil
		}
		missing = filepath.Join(filepath.Base(existing), missing)
		existing = parent
	}

	repo, err := git.PlainOpenWithOptions(existing, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open Git repository around %s: %w", dir, err)
	}
	worktree, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open Git work tree around %s: %w", dir, err)
	}

	// Symbolic links, such as /tmp on macOS, must not make the output
	// directory look outside the work tree.
	top, err := filepath.EvalSymlinks(worktree.Filesystem.Root())
	if err != nil {
		return nil, fmt.Errorf("open Git work tree: %w", err)
	}
	resolved, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return nil, fmt.Errorf("open Git work tree: %w", err)
	}
	rel, err := filepath.Rel(top, filepath.Join(resolved, missing))
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return nil, fmt.Errorf("open Git work tree: %s is not inside %s", dir, top)
	}
	r := &Repository{repo: repo}
	if rel != "." {
		r.prefix = filepath.ToSlash(rel)
	}

	ref, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read Git HEAD: %w", err)
	}
	commit, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("read Git HEAD commit: %w", err)
	}
	if r.head, err = commit.Tree(); err != nil {
		return nil, fmt.Errorf("read Git HEAD tree: %w", err)
	}
	return r, nil
}

// Prefix returns the output directory relative to the top of the work
// tree, slash-separated, or "" when the output directory is the top.
func (r *Repository) Prefix() string {
	return r.prefix
}

// Uncommitted reports whether data, the content of the file at p, differs
// from the file in the last commit, or the file is in no commit. Staged
// changes count as uncommitted.
func (r *Repository) Uncommitted(p string, data []byte) (bool, error) {
	if r.head == nil {
		return true, nil
	}
	entry, err := r.head.FindEntry(path.Join(r.prefix, p))
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return !entry.Mode.IsFile() || entry.Hash != plumbing.ComputeHash(plumbing.BlobObject, data), nil
}

// ReadBlob returns the content of the blob with the given hex hash. The
// error wraps fs.ErrNotExist when the object store lacks the blob.
func (r *Repository) ReadBlob(hash string) ([]byte, error) {
	blob, err := r.repo.BlobObject(plumbing.NewHash(hash))
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("blob %s: %w", hash, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", hash, err)
	}
	reader, err := blob.Reader()
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", hash, err)
	}
	defer reader.Close()
	return io.ReadAll(reader)
}

// WriteBlob stores data as a loose blob in the object store, as git
// hash-object -w does. git gc prunes a loose object that no commit reaches
// once it is older than gc.pruneExpire, two weeks by default.
func (r *Repository) WriteBlob(data []byte) error {
	obj := r.repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	_, err = r.repo.Storer.SetEncodedObject(obj)
	return err
}
