package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// msgenIdentity is the author or committer of the initial commit when the
// environment and the user's Git config lack a name or an email for it.
var msgenIdentity = object.Signature{Name: "msgen", Email: "msgen@localhost"}

// findRepository returns the root of the Git repository that contains dir,
// or "" when there is none. dir need not exist yet: the search starts at
// its nearest existing parent.
func findRepository(dir string) (string, error) {
	start, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("look for a Git repository: %w", err)
	}
	for {
		if _, err := os.Stat(start); err == nil {
			break
		}
		parent := filepath.Dir(start)
		if parent == start {
			return "", nil
		}
		start = parent
	}

	repo, err := git.PlainOpenWithOptions(start, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look for a Git repository above %s: %w", displayPath(dir), err)
	}
	worktree, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return start, nil
	}
	if err != nil {
		return "", fmt.Errorf("look for a Git repository above %s: %w", displayPath(dir), err)
	}
	return worktree.Filesystem.Root(), nil
}

// signers describes who signed the initial commit and where each identity
// came from.
type signers struct {
	// description names the author, and the committer when it differs,
	// each with its source.
	description string
	// fallback is whether msgen's own identity signed, because the
	// user's was incomplete.
	fallback bool
}

// commitInitial creates a Git repository in dir and commits paths, which
// are slash-separated and relative to dir. The author and committer come
// from config. It stops between two files when ctx is done.

func commitInitial(ctx context.Context, dir string, paths []string, system string, config *gitConfig) (signers, error) {
	options := &git.PlainInitOptions{}
	if branch := config.defaultBranch(); branch != "" {
		options.DefaultBranch = plumbing.NewBranchReferenceName(branch)
	}
	repo, err := git.PlainInitWithOptions(dir, options)
	if err != nil {
		return signers{}, fmt.Errorf("create a Git repository in %s: %w", displayPath(dir), err)
	}
	worktree, err := repo.Worktree()
	if err != nil {
		return signers{}, fmt.Errorf("create a Git repository in %s: %w", displayPath(dir), err)
	}
	if err := stageFiles(ctx, repo, dir, paths); err != nil {
		return signers{}, err
	}

	author, authorSource := config.signature("author")
	committer, committerSource := config.signature("committer")
	now := time.Now()
	author.When, committer.When = now, now

	message := fmt.Sprintf("Generate the %s system with msgen\n\nmsgen init wrote msgen.cue from its answers and generated the\nrepository from it.\n", system)
	if _, err := worktree.Commit(message, &git.CommitOptions{Author: &author, Committer: &committer}); err != nil {
		return signers{}, fmt.Errorf("commit in %s: %w", displayPath(dir), err)
	}

	s := signers{description: fmt.Sprintf("%s <%s>, %s", author.Name, author.Email, authorSource)}
	if committer.Name != author.Name || committer.Email != author.Email {
		s.description += fmt.Sprintf("; committer %s <%s>, %s", committer.Name, committer.Email, committerSource)
	}
	isMsgen := func(sig object.Signature) bool {
		return sig.Name == msgenIdentity.Name && sig.Email == msgenIdentity.Email
	}
	s.fallback = isMsgen(author) || isMsgen(committer)
	return s, nil
}

// stageFiles stores each file of paths as a blob and writes an index that
// lists them all, in one pass. go-git's Worktree.Add computes the status of
// the whole work tree on every call, so adding the files one by one takes
// time that grows with the square of their number. stageFiles stops between
// two files when ctx is done, and then writes no index.
func stageFiles(ctx context.Context, repo *git.Repository, dir string, paths []string) error {
	idx := &index.Index{Version: 2}
	// The index lists its entries sorted by path, byte by byte.
	for _, p := range slices.Compact(slices.Sorted(slices.Values(paths))) {
		if err := ctx.Err(); err != nil {
			return err
		}
		entry, err := storeBlob(repo, dir, p)
		if err != nil {
			return fmt.Errorf("add %s to Git: %w", p, err)
		}
		idx.Entries = append(idx.Entries, entry)
	}
	if err := repo.Storer.SetIndex(idx); err != nil {
		return fmt.Errorf("write the Git index: %w", err)
	}
	return nil
}

// storeBlob stores the file at p, slash-separated and relative to dir, as a
// blob and returns its index entry. A symbolic link is stored as its target,
// as git stores it.
func storeBlob(repo *git.Repository, dir, p string) (*index.Entry, error) {
	file := filepath.Join(dir, filepath.FromSlash(p))
	info, err := os.Lstat(file)
	if err != nil {
		return nil, err
	}
	mode, err := filemode.NewFromOSFileMode(info.Mode())
	if err != nil {
		return nil, err
	}
	var data []byte
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(file)
		if err != nil {
			return nil, err
		}
		data = []byte(filepath.ToSlash(target))
	} else if data, err = os.ReadFile(file); err != nil {
		return nil, err
	}

	obj := repo.Storer.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	hash, err := repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return nil, err
	}
	// go-git's status takes a file with this size and modification time
	// as unchanged. The git binary also compares the inode and change
	// time, which the entry leaves out, so its first status hashes each
	// file once and finds it unchanged.
	return &index.Entry{Name: p, Hash: hash, Mode: mode, ModifiedAt: info.ModTime(), Size: uint32(len(data))}, nil
}
