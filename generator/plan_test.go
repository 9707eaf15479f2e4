package generator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// memoryRepository is a Repository with blobs in memory and a set of
// uncommitted paths.
type memoryRepository struct {
	blobs       map[string][]byte
	uncommitted map[string]bool
}

func (r *memoryRepository) Uncommitted(path string, data []byte) (bool, error) {
	return r.uncommitted[path], nil
}

func (r *memoryRepository) ReadBlob(hash string) ([]byte, error) {
	data, ok := r.blobs[hash]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", hash, fs.ErrNotExist)
	}
	return data, nil
}

func (r *memoryRepository) WriteBlob(data []byte) error {
	r.blobs[GitBlobHash(data)] = data
	return nil
}

func managedFile(path, body string) File {
	return File{Path: path, Data: []byte("# " + Marker + "\n" + body), Mode: 0o644, Ownership: Managed}
}

// planOf plans writing files into dir and returns the changes by path.
func planOf(t *testing.T, dir string, files []File, opts PlanOptions) map[string]Change {
	t.Helper()
	plan, err := NewPlan(dir, files, opts)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	changes := map[string]Change{}
	for _, c := range plan.Changes {
		changes[c.Path] = c
	}
	return changes
}

func TestPlanAdoptsMarkedFilesWithoutManifest(t *testing.T) {
	dir := t.TempDir()
	old := managedFile("a.yml", "old: 1\n")
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), old.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mine.yml"), []byte("mine: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	changes := planOf(t, dir, []File{managedFile("a.yml", "new: 1\n"), managedFile("mine.yml", "x: 1\n")}, PlanOptions{})
	if c := changes["a.yml"]; c.Action != ActionUpdate || c.Conflict != NoConflict {
		t.Errorf("a.yml with the marker: %s, conflict %q; want update without conflict", c.Action, c.Conflict)
	}
	if c := changes["mine.yml"]; c.Conflict != ConflictNotGenerated {
		t.Errorf("mine.yml without the marker: conflict %q; want %q", c.Conflict, ConflictNotGenerated)
	}
	if c := changes[ManifestPath]; c.Action != ActionCreate {
		t.Errorf("manifest: %s; want create", c.Action)
	}
}

func TestPlanRejectsInvalidManifest(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want string
	}{
		{"not JSON", "{", "unexpected EOF"},
		{"other version", `{"comment": "", "version": 2, "files": []}`, "version 2"},
		{"path outside", `{"comment": "", "version": 1, "files": [{"path": "../x", "class": "managed", "mode": "0644", "sha256": "", "gitBlob": ""}]}`, `"../x": path is not inside`},
		{"unknown class", `{"comment": "", "version": 1, "files": [{"path": "x", "class": "mine", "mode": "0644", "sha256": "", "gitBlob": ""}]}`, `invalid class "mine"`},
		{"unknown field", `{"comment": "", "version": 1, "files": [], "extra": 1}`, `unknown field "extra"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, ".msgen"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ManifestPath), []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := NewPlan(dir, []File{managedFile("a.yml", "a: 1\n")}, PlanOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "invalid manifest .msgen/manifest.json") {
				t.Errorf("NewPlan error = %v; want an invalid manifest error containing %q", err, tc.want)
			}
		})
	}
}

func TestPlanHandEditAndMerge(t *testing.T) {
	dir := t.TempDir()
	repo := &memoryRepository{blobs: map[string][]byte{}, uncommitted: map[string]bool{}}
	v1 := managedFile("a.yml", "one: 1\ntwo: 2\nthree: 3\nfour: 4\nfive: 5\n")
	plan, err := NewPlan(dir, []File{v1}, PlanOptions{Repository: repo})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	// Committing stores what msgen wrote in the object store.
	repo.blobs[GitBlobHash(v1.Data)] = v1.Data

	edited := strings.Replace(string(v1.Data), "five: 5", "five: 5 # mine", 1)
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := managedFile("a.yml", "one: 1\ntwo: 22\nthree: 3\nfour: 4\nfive: 5\n")

	c := planOf(t, dir, []File{v2}, PlanOptions{Repository: repo})["a.yml"]
	if c.Conflict != ConflictEdited {
		t.Errorf("hand edit: conflict %q; want %q", c.Conflict, ConflictEdited)
	}
	if string(c.Base) != string(v1.Data) {
		t.Errorf("hand edit: base %q; want the version msgen wrote", c.Base)
	}

	c = planOf(t, dir, []File{v2}, PlanOptions{Repository: repo, Force: true})["a.yml"]
	if c.Conflict != NoConflict || string(c.New) != string(v2.Data) {
		t.Errorf("--force: conflict %q, new %q; want the rendering without conflict", c.Conflict, c.New)
	}

	plan, err = NewPlan(dir, []File{v2}, PlanOptions{Repository: repo, Merge: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "# " + Marker + "\none: 1\ntwo: 22\nthree: 3\nfour: 4\nfive: 5 # mine\n"
	if len(plan.Conflicts()) != 0 {
		t.Fatalf("--merge: conflicts %v", plan.Conflicts())
	}
	if _, err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "a.yml"))
	if err != nil || string(got) != want {
		t.Errorf("--merge wrote %q, %v; want %q", got, err, want)
	}
	if _, ok := repo.blobs[GitBlobHash(v2.Data)]; !ok {
		t.Error("--merge did not store the new rendering, the base of the next merge")
	}

	// The merge result is recorded, so the same rendering finds no drift.
	plan, err = NewPlan(dir, []File{v2}, PlanOptions{Repository: repo})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Drift() {
		t.Errorf("after a clean merge: drift %+v", plan.Changes)
	}
	if c := planOf(t, dir, []File{v2}, PlanOptions{Repository: repo})["a.yml"]; c.Action != ActionMerged {
		t.Errorf("after a clean merge: action %s; want %s", c.Action, ActionMerged)
	}

	// --force replaces the merged edits with the rendering.
	c = planOf(t, dir, []File{v2}, PlanOptions{Repository: repo, Force: true})["a.yml"]
	if c.Action != ActionUpdate || string(c.New) != string(v2.Data) {
		t.Errorf("--force after a clean merge: %s to %q; want update to the rendering", c.Action, c.New)
	}
}

func TestPlanUncommittedAdoption(t *testing.T) {
	dir := t.TempDir()
	old := managedFile("a.yml", "edited: 1\n")
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), old.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	repo := &memoryRepository{blobs: map[string][]byte{}, uncommitted: map[string]bool{"a.yml": true}}
	files := []File{managedFile("a.yml", "new: 1\n")}

	if c := planOf(t, dir, files, PlanOptions{Repository: repo})["a.yml"]; c.Conflict != ConflictUncommitted {
		t.Errorf("uncommitted file without manifest: conflict %q; want %q", c.Conflict, ConflictUncommitted)
	}
	if c := planOf(t, dir, files, PlanOptions{Repository: repo, Force: true})["a.yml"]; c.Conflict != NoConflict {
		t.Errorf("with --force: conflict %q; want none", c.Conflict)
	}
}

func TestModeChangedComparesExecutableBit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new fs.FileMode
		changed  bool
		gitOld   string
	}{
		{"same mode", 0o644, 0o644, false, "100644"},
		{"group write from umask 002", 0o664, 0o644, false, "100644"},
		{"read only", 0o444, 0o644, false, "100644"},
		{"owner executable", 0o744, 0o644, true, "100755"},
		{"owner only, executable", 0o700, 0o644, true, "100755"},
		{"executable by others only", 0o645, 0o644, false, "100644"},
		{"executable bit cleared", 0o664, 0o755, true, "100644"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Change{OldMode: tc.old, NewMode: tc.new}
			if got := c.ModeChanged(); got != tc.changed {
				t.Errorf("ModeChanged from %04o to %04o = %v, want %v", tc.old, tc.new, got, tc.changed)
			}
			if got := GitMode(tc.old); got != tc.gitOld {
				t.Errorf("GitMode(%04o) = %s, want %s", tc.old, got, tc.gitOld)
			}
		})
	}
}

func TestHasConflictMarkers(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want bool
	}{
		{"no markers", "a: 1\nb: 2\n", false},
		{"whole conflict", "a\n<<<<<<< yours\nb\n||||||| msgen, last written\nc\n=======\nd\n>>>>>>> msgen, new\n", true},
		{"only the closing marker left", "a\nd\n>>>>>>> msgen, new\ne\n", true},
		{"only the base marker left", "||||||| msgen, last written\n", true},
		{"marker without final newline", "a\n<<<<<<< yours", true},
		{"marker with CRLF", "a\r\n<<<<<<< yours\r\n", true},
		{"Markdown heading underline", "Title\n=======\n\ntext\n", false},
		{"Git's own labels", "<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> main\n", false},
		{"marker quoted inside a line", "# write <<<<<<< yours to mark a conflict\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasConflictMarkers([]byte(tc.data)); got != tc.want {
				t.Errorf("HasConflictMarkers(%q) = %v, want %v", tc.data, got, tc.want)
			}
		})
	}
}

func TestPlanUnlistedMarkedFileWithManifest(t *testing.T) {
	dir := t.TempDir()
	plan, err := NewPlan(dir, []File{managedFile("a.yml", "a: 1\n")}, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	copied := managedFile("b.yml", "copied: 1\n")
	if err := os.WriteFile(filepath.Join(dir, "b.yml"), copied.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{managedFile("a.yml", "a: 1\n"), managedFile("b.yml", "b: 1\n")}

	for _, opts := range []PlanOptions{{}, {Merge: true}} {
		if c := planOf(t, dir, files, opts)["b.yml"]; c.Conflict != ConflictNotInManifest {
			t.Errorf("marked file missing from the manifest, merge %v: conflict %q; want %q", opts.Merge, c.Conflict, ConflictNotInManifest)
		}
	}
	c := planOf(t, dir, files, PlanOptions{Force: true})["b.yml"]
	if c.Conflict != NoConflict || c.Action != ActionUpdate {
		t.Errorf("with --force: %s, conflict %q; want update without conflict", c.Action, c.Conflict)
	}
}

func TestPlanFileInPlaceOfDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{managedFile("a/b/c.yml", "c: 1\n"), managedFile("a/d.yml", "d: 1\n"), managedFile("e.yml", "e: 1\n")}

	for _, opts := range []PlanOptions{{}, {Force: true}} {
		changes := planOf(t, dir, files, opts)
		for _, p := range []string{"a/b/c.yml", "a/d.yml"} {
			if c := changes[p]; c.Conflict != ConflictNotDirectory || c.BlockedBy != "a" {
				t.Errorf("%s, force %v: conflict %q blocked by %q; want %q blocked by \"a\"", p, opts.Force, c.Conflict, c.BlockedBy, ConflictNotDirectory)
			}
		}
		if c := changes["e.yml"]; c.Conflict != NoConflict || c.Action != ActionCreate {
			t.Errorf("e.yml, force %v: %s, conflict %q; want create without conflict", opts.Force, c.Action, c.Conflict)
		}
	}

	_, err := Write(dir, files)
	var conflictErr *ConflictError
	if !errors.As(err, &conflictErr) || len(conflictErr.Paths) != 1 || conflictErr.Paths[0] != "a (a file, where msgen needs a directory)" {
		t.Errorf("Write error = %v; want one conflict naming the file a", err)
	}
}
