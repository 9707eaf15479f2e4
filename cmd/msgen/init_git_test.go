package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
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
	if err := stageFiles(context.Background(), repo, dir, paths); err != nil {
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

// countdownContext is a context that is done after its Err method has
// been called a given number of times, so that a test can cancel a loop
// at an exact step.
type countdownContext struct {
	context.Context
	left int
}

func (c *countdownContext) Err() error {
	if c.left == 0 {
		return context.Canceled
	}
	c.left--
	return nil
}

func TestStageFilesCancelled(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 5 {
		name := fmt.Sprintf("file%d.txt", i)
		writeFile(t, filepath.Join(dir, name), name, 0o644)
		paths = append(paths, name)
	}
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}

	ctx := &countdownContext{Context: context.Background(), left: 2}
	err = stageFiles(ctx, repo, dir, paths)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stageFiles after the context is done = %v, want context.Canceled", err)
	}

	// Two files were stored before the check that stopped the loop, and
	// no index was written.
	blobs, err := repo.BlobObjects()
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	if err := blobs.ForEach(func(*object.Blob) error { stored++; return nil }); err != nil {
		t.Fatal(err)
	}
	if stored != 2 {
		t.Errorf("%d blobs stored, want 2", stored)
	}
	idx, err := repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Entries) != 0 {
		t.Errorf("the index lists %d files, want none", len(idx.Entries))
	}
}

// TestInitInterruptDuringCommit interrupts init while it commits a large
// repository. init stops without finishing the commit, removes what it
// created and exits 130.
func TestInitInterruptDuringCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and commits 300 services; skipped with -short")
	}
	msgen, err := exec.LookPath("msgen")
	if err != nil {
		t.Fatalf("msgen is not on PATH, where TestMain puts it: %v", err)
	}
	dir := t.TempDir()
	args := []string{"init", "big", "--yes"}
	for i := range 300 {
		args = append(args, "--service", fmt.Sprintf("svc%d", i))
	}
	cmd := exec.Command(msgen, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	// init writes msgen.cue right before it starts the commit, and says
	// so on the line that ends with its path.
	var output []string
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		output = append(output, lines.Text())
		if strings.HasSuffix(lines.Text(), " and wrote big/msgen.cue") {
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for lines.Scan() {
		output = append(output, lines.Text())
	}
	err = cmd.Wait()
	text := strings.Join(output, "\n")

	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitCancelled {
		t.Errorf("init after an interrupt: %v, want exit code %d; it printed:\n%s", err, exitCancelled, text)
	}
	if !strings.Contains(text, "msgen: interrupted\ninit removed what it had written") {
		t.Errorf("init does not report the interrupt and the removal; it printed:\n%s", text)
	}
	if strings.Contains(text, "committed") {
		t.Errorf("init finished the commit after the interrupt; it printed:\n%s", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "big")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("big exists after the interrupt: %v", err)
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

func TestIncludeIfGitdir(t *testing.T) {
	c := &gitConfig{home: "/home/jane", gitDirs: []string{"/home/jane/work/shop/.git"}}
	tests := []struct {
		condition string
		want      bool
	}{
		{"gitdir:~/work/", true},
		{"gitdir:/home/jane/work/", true},
		{"gitdir:/home/jane/play/", false},
		{"gitdir:work/", true},
		{"gitdir:shop/.git", true},
		{"gitdir:/home/*/work/shop/.git", true},
		{"gitdir:/home/*/shop/.git", false},
		{"gitdir:/home/jane/wor?/**", true},
		{"gitdir:/home/jane/[vw]ork/", true},
		{"gitdir:/home/jane/[!w]ork/", false},
		{"gitdir:./work/", true},
		{"gitdir:~/Work/", false},
		{"gitdir/i:~/Work/", true},
		{"onbranch:main", false},
		{"hasconfig:remote.*.url:https://example.com/**", false},
	}
	for _, tt := range tests {
		if got := c.conditionHolds(tt.condition, "/home/jane/.gitconfig"); got != tt.want {
			t.Errorf("includeIf %q for %s = %v, want %v", tt.condition, c.gitDirs[0], got, tt.want)
		}
	}
}
