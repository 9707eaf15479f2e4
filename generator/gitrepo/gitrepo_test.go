package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/msgen-dev/msgen/generator"
)

// commitFiles writes files into the work tree of repo at top and commits
// them.
func commitFiles(t *testing.T, repo *git.Repository, top string, files map[string]string) {
	t.Helper()
	worktree, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		path := filepath.Join(top, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := worktree.Add(name); err != nil {
			t.Fatal(err)
		}
	}
	signature := &object.Signature{Name: "test", Email: "test@example.com", When: time.Unix(0, 0)}
	if _, err := worktree.Commit("test", &git.CommitOptions{Author: signature}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenOutsideGit(t *testing.T) {
	repo, err := Open(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if repo != nil {
		t.Errorf("Open outside a repository = %v, want nil", repo)
	}
}

func TestUncommitted(t *testing.T) {
	top := t.TempDir()
	repo, err := git.PlainInit(top, false)
	if err != nil {
		t.Fatal(err)
	}

	// Before the first commit, every file is uncommitted.
	r, err := Open(filepath.Join(top, "out"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if dirty, err := r.Uncommitted("a.txt", []byte("a\n")); err != nil || !dirty {
		t.Errorf("Uncommitted before any commit = %v, %v; want true", dirty, err)
	}

	commitFiles(t, repo, top, map[string]string{"out/a.txt": "a\n", "out/sub/b.txt": "b\n"})
	// The output directory need not exist: here it is the missing "new"
	// below out.
	for _, tc := range []struct {
		name string
		dir  string
		path string
		data string
		want bool
	}{
		{"committed content", "out", "a.txt", "a\n", false},
		{"committed in a subdirectory", "out", "sub/b.txt", "b\n", false},
		{"edited", "out", "a.txt", "A\n", true},
		{"not in the commit", "out", "c.txt", "c\n", true},
		{"not in a committed directory", "out", "new/c.txt", "c\n", true},
		{"output at the top", ".", "out/a.txt", "a\n", false},
		{"output not created yet", "out/new", "a.txt", "a\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(filepath.Join(top, tc.dir))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			got, err := r.Uncommitted(tc.path, []byte(tc.data))
			if err != nil {
				t.Fatalf("Uncommitted: %v", err)
			}
			if got != tc.want {
				t.Errorf("Uncommitted(%q) = %v, want %v", tc.path, got, tc.want)
			}
		})
	}
}

func TestBlobs(t *testing.T) {
	top := t.TempDir()
	repo, err := git.PlainInit(top, false)
	if err != nil {
		t.Fatal(err)
	}
	commitFiles(t, repo, top, map[string]string{"a.txt": "committed\n"})
	r, err := Open(top)
	if err != nil {
		t.Fatal(err)
	}

	got, err := r.ReadBlob(generator.GitBlobHash([]byte("committed\n")))
	if err != nil || string(got) != "committed\n" {
		t.Errorf("ReadBlob of a committed file = %q, %v", got, err)
	}

	stored := []byte("stored, never committed\n")
	_, err = r.ReadBlob(generator.GitBlobHash(stored))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadBlob of a missing blob: error %v, want fs.ErrNotExist", err)
	}
	if err := r.WriteBlob(stored); err != nil {
		t.Fatalf("WriteBlob: %v", err)
	}
	got, err = r.ReadBlob(generator.GitBlobHash(stored))
	if err != nil || string(got) != string(stored) {
		t.Errorf("ReadBlob after WriteBlob = %q, %v", got, err)
	}
}

func TestGitBlobHashMatchesGoGit(t *testing.T) {
	for _, data := range []string{"", "a\n", "no newline", string(make([]byte, 5000))} {
		want := plumbing.ComputeHash(plumbing.BlobObject, []byte(data)).String()
		if got := generator.GitBlobHash([]byte(data)); got != want {
			t.Errorf("GitBlobHash(%d bytes) = %s, want %s", len(data), got, want)
		}
	}
}
