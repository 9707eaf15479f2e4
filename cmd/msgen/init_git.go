package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// msgenIdentity signs the initial commit when the user's Git config names
// nobody.
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

// commitInitial creates a Git repository in dir and commits paths, which
// are slash-separated and relative to dir. It returns the author, with
// where it came from. It stops between two files when ctx is done.
func commitInitial(ctx context.Context, dir string, paths []string, system string) (string, error) {
	user, err := userGitConfig()
	if err != nil {
		return "", err
	}

	options := &git.PlainInitOptions{}
	if user.Init.DefaultBranch != "" {
		options.DefaultBranch = plumbing.NewBranchReferenceName(user.Init.DefaultBranch)
	}
	repo, err := git.PlainInitWithOptions(dir, options)
	if err != nil {
		return "", fmt.Errorf("create a Git repository in %s: %w", displayPath(dir), err)
	}
	worktree, err := repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("create a Git repository in %s: %w", displayPath(dir), err)
	}
	if err := stageFiles(ctx, repo, dir, paths); err != nil {
		return "", err
	}

	// As in git, author.name and author.email win over user.name and
	// user.email.
	author, source := msgenIdentity, "msgen's own identity, because your Git config sets no user.name and user.email"
	name, email := cmp.Or(user.Author.Name, user.User.Name), cmp.Or(user.Author.Email, user.User.Email)
	if name != "" && email != "" {
		author, source = object.Signature{Name: name, Email: email}, "from your Git config"
	}
	author.When = time.Now()

	message := fmt.Sprintf("Generate the %s system with msgen\n\nmsgen init wrote msgen.cue from its answers and generated the\nrepository from it.\n", system)
	if _, err := worktree.Commit(message, &git.CommitOptions{Author: &author}); err != nil {
		return "", fmt.Errorf("commit in %s: %w", displayPath(dir), err)
	}
	return fmt.Sprintf("%s <%s>, %s", author.Name, author.Email, source), nil
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

// userGitConfig reads the user's global Git config as git does: the XDG
// file first ($XDG_CONFIG_HOME/git/config, or ~/.config/git/config), then
// ~/.gitconfig, whose settings win.
//
// TODO: follow include and includeIf directives, which go-git
// does not resolve, so an identity set only in an included file is missed.
func userGitConfig() (*config.Config, error) {
	home, _ := os.UserHomeDir()
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" && home != "" {
		xdg = filepath.Join(home, ".config")
	}
	var files []string
	if xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "config"))
	}
	if home != "" {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}

	merged := config.NewConfig()
	for _, file := range files {
		f, err := os.Open(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read Git config: %w", err)
		}
		cfg, err := config.ReadConfig(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read Git config %s: %w", file, err)
		}
		mergeIdentity(merged, cfg)
	}
	return merged, nil
}

// mergeIdentity copies the settings that init reads from src into dst
// where src sets them.
func mergeIdentity(dst, src *config.Config) {
	set := func(dst *string, src string) {
		if src != "" {
			*dst = src
		}
	}
	set(&dst.User.Name, src.User.Name)
	set(&dst.User.Email, src.User.Email)
	set(&dst.Author.Name, src.Author.Name)
	set(&dst.Author.Email, src.Author.Email)
	set(&dst.Init.DefaultBranch, src.Init.DefaultBranch)
}
