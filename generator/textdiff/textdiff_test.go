package textdiff

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lcsLength computes the length of a longest common subsequence by dynamic
// programming, as a reference for matches.
func lcsLength(a, b []int) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] > cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func randomInts(r *rand.Rand, n, alphabet int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = r.IntN(alphabet)
	}
	return out
}

func TestMatchesIsLongestCommonSubsequence(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 3000 {
		a := randomInts(r, r.IntN(30), 1+r.IntN(5))
		b := randomInts(r, r.IntN(30), 1+r.IntN(5))
		got := matches(a, b)

		for i, m := range got {
			if a[m.A] != b[m.B] {
				t.Fatalf("trial %d: matched unequal elements a[%d]=%d b[%d]=%d", trial, m.A, a[m.A], m.B, b[m.B])
			}
			if i > 0 && (m.A <= got[i-1].A || m.B <= got[i-1].B) {
				t.Fatalf("trial %d: matches not increasing: %v", trial, got)
			}
		}
		if want := lcsLength(a, b); len(got) != want {
			t.Fatalf("trial %d: %d matches, want %d\na=%v\nb=%v", trial, len(got), want, a, b)
		}
	}
}

func TestUnified(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		want     string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"creation", "", "a\nb\n", "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"deletion", "a\n", "", "--- old\n+++ new\n@@ -1 +0,0 @@\n-a\n"},
		{
			"change in the middle",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			"1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
			"--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
		},
		{
			"missing final newline",
			"a\nb",
			"a\nb\n",
			"--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			"two hunks far apart",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			"one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			"--- old\n+++ new\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n",
		},
		{
			"changes six lines apart share a hunk",
			"1\n2\n3\n4\n5\n6\n7\n8\n",
			"one\n2\n3\n4\n5\n6\n7\neight\n",
			"--- old\n+++ new\n@@ -1,8 +1,8 @@\n-1\n+one\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Unified("old", "new", []byte(tc.old), []byte(tc.new)); got != tc.want {
				t.Errorf("Unified:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestUnifiedMatchesGit checks that git apply accepts diffs of random texts
// and reproduces the new text from the old one.
func TestUnifiedMatchesGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"alpha\n", "beta\n", "gamma\n", "delta\n", "alpha\n"}
	randomText := func() []byte {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(words[r.IntN(len(words))])
		}
		if r.IntN(4) == 0 {
			b.WriteString("tail")
		}
		return []byte(b.String())
	}

	for trial := range 40 {
		old, new := randomText(), randomText()
		if bytes.Equal(old, new) {
			continue
		}
		path := filepath.Join(dir, "file.txt")
		if err := os.WriteFile(path, old, 0o644); err != nil {
			t.Fatal(err)
		}
		patch := "diff --git a/file.txt b/file.txt\n" + Unified("a/file.txt", "b/file.txt", old, new)
		cmd := exec.Command(git, "apply", "-")
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(patch)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("trial %d: git apply: %v\n%s\npatch:\n%s", trial, err, out, patch)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, new) {
			t.Fatalf("trial %d: git apply gave %q, want %q\npatch:\n%s", trial, got, new, patch)
		}
	}
}

func TestMerge(t *testing.T) {
	labels := Labels{Ours: "yours", Base: "base", Theirs: "new"}
	for _, tc := range []struct {
		name              string
		base, ours, their string
		want              string
		conflicts         int
	}{
		{"no change", "a\nb\n", "a\nb\n", "a\nb\n", "a\nb\n", 0},
		{"only ours changed", "a\nb\nc\n", "a\nB\nc\n", "a\nb\nc\n", "a\nB\nc\n", 0},
		{"only theirs changed", "a\nb\nc\n", "a\nb\nc\n", "a\nb\nC\n", "a\nb\nC\n", 0},
		{"both changed apart", "1\n2\n3\n4\n5\n", "one\n2\n3\n4\n5\n", "1\n2\n3\n4\nfive\n", "one\n2\n3\n4\nfive\n", 0},
		{"same change on both", "a\nb\n", "a\nX\n", "a\nX\n", "a\nX\n", 0},
		{"insertions at different places", "a\nb\nc\n", "a\nmine\nb\nc\n", "a\nb\nc\ntheirs\n", "a\nmine\nb\nc\ntheirs\n", 0},
		{"theirs deletes a line ours kept", "a\nb\nc\n", "a\nb\nc\nd\n", "a\nc\n", "a\nc\nd\n", 0},
		{
			"same line changed differently",
			"a\nb\nc\n", "a\nmine\nc\n", "a\ntheirs\nc\n",
			"a\n<<<<<<< yours\nmine\n||||||| base\nb\n=======\ntheirs\n>>>>>>> new\nc\n", 1,
		},
		{
			"conflict at an end without newline",
			"a\nb", "a\nmine", "a\ntheirs",
			"a\n<<<<<<< yours\nmine\n||||||| base\nb\n=======\ntheirs\n>>>>>>> new\n", 1,
		},
		{
			"two conflicts",
			"1\n2\n3\n4\n5\n", "x\n2\n3\n4\ny\n", "p\n2\n3\n4\nq\n",
			"<<<<<<< yours\nx\n||||||| base\n1\n=======\np\n>>>>>>> new\n2\n3\n4\n<<<<<<< yours\ny\n||||||| base\n5\n=======\nq\n>>>>>>> new\n", 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, conflicts := Merge([]byte(tc.base), []byte(tc.ours), []byte(tc.their), labels)
			if string(got) != tc.want {
				t.Errorf("Merge:\n%s\nwant:\n%s", got, tc.want)
			}
			if conflicts != tc.conflicts {
				t.Errorf("conflicts = %d, want %d", conflicts, tc.conflicts)
			}
		})
	}
}

// TestMergeMatchesGitMergeFile compares clean merges of random texts with
// git merge-file, which implements the same three-way merge.
func TestMergeMatchesGitMergeFile(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 6))
	base := make([]string, 30)
	for i := range base {
		base[i] = "line " + string(rune('A'+i)) + "\n"
	}
	// edit changes one line in each of a few separate blocks of six, so
	// that edits on the two sides never touch and every merge is clean.
	edit := func(blocks []int, tag string) []byte {
		lines := append([]string(nil), base...)
		for _, block := range blocks {
			lines[block*6+r.IntN(3)] = tag + "\n"
		}
		return []byte(strings.Join(lines, ""))
	}

	for trial := range 20 {
		perm := r.Perm(5)
		ours := edit(perm[:2], "ours")
		theirs := edit(perm[2:4], "theirs")
		baseText := []byte(strings.Join(base, ""))

		got, conflicts := Merge(baseText, ours, theirs, Labels{"ours", "base", "theirs"})
		if conflicts != 0 {
			t.Fatalf("trial %d: %d conflicts in a merge of separate blocks", trial, conflicts)
		}

		for name, data := range map[string][]byte{"base": baseText, "ours": ours, "theirs": theirs} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(git, "merge-file", "-p", "ours", "base", "theirs")
		cmd.Dir = dir
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("trial %d: git merge-file: %v", trial, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("trial %d: Merge gave\n%s\ngit merge-file gave\n%s", trial, got, want)
		}
	}
}
