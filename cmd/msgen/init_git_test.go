package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func TestStageFilesIndex(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "msgen.cue"), "name: \"shop\"\n", 0o644)
	writeFile(t, filepath.Join(dir, "services", "orders", "main.go"), "package main\n", 0o644)
	writeFile(t, filepath.Join(dir, "deploy", "init.sh"), "#!/bin/sh\n", 0o755)
	writeFile(t, filepath.Join(dir, "mine.txt"), "not staged\n", 0o644)

	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"services/orders/main.go", "msgen.cue", "deploy/init.sh", "msgen.cue"}
	if err := stageFiles(repo, dir, paths); err != nil {
		t.Fatalf("stageFiles: %v", err)
	}

	idx, err := repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range idx.Entries {
		names = append(names, e.Name)
	}
	if got, want := strings.Join(names, " "), "deploy/init.sh msgen.cue services/orders/main.go"; got != want {
		t.Errorf("index entries = %s, want %s, sorted and each once", got, want)
	}

	worktree, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	signature := &object.Signature{Name: "test", Email: "test@example.com", When: time.Unix(0, 0)}
	hash, err := worktree.Commit("test", &git.CommitOptions{Author: signature})
	if err != nil {
		t.Fatalf("commit the staged index: %v", err)
	}

	// The staged files are unchanged in the work tree, and only the file
	// left out is untracked.
	status, err := worktree.Status()
	if err != nil {
		t.Fatal(err)
	}
	for path, s := range status {
		if path == "mine.txt" {
			if s.Worktree != git.Untracked {
				t.Errorf("mine.txt has status %c, want untracked", s.Worktree)
			}
			continue
		}
		t.Errorf("%s has status %c%c after the commit, want unchanged", path, s.Staging, s.Worktree)
	}

	commit, err := repo.CommitObject(hash)
	if err != nil {
		t.Fatal(err)
	}
	file, err := commit.File("deploy/init.sh")
	if err != nil {
		t.Fatalf("the commit lacks deploy/init.sh: %v", err)
	}
	if file.Mode != filemode.Executable {
		t.Errorf("deploy/init.sh has mode %v in the commit, want executable", file.Mode)
	}
	content, err := file.Contents()
	if err != nil || content != "#!/bin/sh\n" {
		t.Errorf("deploy/init.sh in the commit = %q, %v", content, err)
	}
}

// BenchmarkInit measures msgen init with its initial commit, for specs of
// many stateless services. Its time per service should not grow with the
// number of services.
func BenchmarkInit(b *testing.B) {
	for _, n := range []int{50, 200} {
		args := []string{"--yes", "--name", "bench"}
		for i := range n {
			args = append(args, "--service", fmt.Sprintf("svc%d", i))
		}
		for _, variant := range []string{"git", "no-git"} {
			b.Run(fmt.Sprintf("services=%d/%s", n, variant), func(b *testing.B) {
				b.Setenv("HOME", b.TempDir())
				b.Setenv("XDG_CONFIG_HOME", "")
				root := b.TempDir()
				run := 0
				for b.Loop() {
					run++
					call := append([]string{"init", filepath.Join(root, fmt.Sprint(run))}, args...)
					if variant == "no-git" {
						call = append(call, "--no-git")
					}
					var stderr bytes.Buffer
					if code := Run(call, strings.NewReader(""), &bytes.Buffer{}, &stderr); code != 0 {
						b.Fatalf("init exit code %d:\n%s", code, stderr.String())
					}
				}
				b.StopTimer()
				if err := os.RemoveAll(root); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
