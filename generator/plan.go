package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/msgen-dev/msgen/generator/textdiff"
)

// Action is the step that a run of generate takes for one file.
type Action string

// The actions, as the JSON report of msgen check names them.
const (
	ActionCreate    Action = "create"    // write a file that does not exist
	ActionUpdate    Action = "update"    // rewrite a file's content, and its mode if that changed too
	ActionDelete    Action = "delete"    // delete a managed file that is no longer generated
	ActionMode      Action = "mode"      // change only the mode
	ActionUnchanged Action = "unchanged" // leave a managed file that is up to date
	ActionKeep      Action = "keep"      // leave a scaffolded file, which belongs to the user
	// ActionMerged leaves a managed file that contains a clean merge of
	// the user's edits, which the rendering has not changed since. The
	// file differs from the rendering, but it is no drift.
	ActionMerged Action = "merged"
)

// Conflict is the reason why generate may not carry out a change.
type Conflict string

// The conflicts. ConflictEdited, ConflictUncommitted, ConflictUnresolved
// and ConflictNotInManifest give way to --force, and ConflictEdited to
// --merge. msgen never overwrites a file that it did not generate.
const (
	NoConflict Conflict = ""
	// ConflictNotGenerated is a file in the way that msgen did not generate.
	ConflictNotGenerated Conflict = "not-generated"
	// ConflictNotRegular is a directory or other non-regular file in the way.
	ConflictNotRegular Conflict = "not-regular"
	// ConflictNotDirectory is a file where msgen needs a directory: a
	// parent of the file to write, named by Change.BlockedBy.
	ConflictNotDirectory Conflict = "not-directory"
	// ConflictEdited is a managed file edited by hand since msgen wrote it.
	ConflictEdited Conflict = "edited"
	// ConflictUncommitted is a managed file that the manifest does not know,
	// with changes that are not committed to Git.
	ConflictUncommitted Conflict = "uncommitted"
	// ConflictBaseMissing is a --merge whose base, the version msgen last
	// wrote, is not in the Git object store.
	ConflictBaseMissing Conflict = "base-missing"
	// ConflictUnresolved is a managed file that still contains the
	// conflict markers of a merge. Only --force gets past it.
	ConflictUnresolved Conflict = "unresolved"
	// ConflictNotInManifest is a file with msgen's marker that the manifest
	// does not list, such as a generated file that the user copied and
	// edited. Only --force overwrites it.
	ConflictNotInManifest Conflict = "not-in-manifest"
)

// Repository is the Git repository around the output directory, which
// protects uncommitted work and stores the bases of merges. Paths are
// slash-separated and relative to the output directory.
type Repository interface {
	// Uncommitted reports whether data, the content of the file at path,
	// differs from the file in the last commit, or the file is in no commit.
	Uncommitted(path string, data []byte) (bool, error)
	// ReadBlob returns the content of the blob with the given hex hash, or
	// an error that wraps fs.ErrNotExist when the object store lacks it.
	ReadBlob(hash string) ([]byte, error)
	// WriteBlob stores data as a blob in the object store.
	WriteBlob(data []byte) error
}

// PlanOptions are the choices of a run of generate.
type PlanOptions struct {
	// Force overwrites and deletes managed files that were edited by hand,
	// contain merged edits or conflict markers, or have uncommitted
	// changes, and files with the marker that the manifest does not list.
	Force bool
	// Merge keeps hand edits of managed files with a three-way merge.
	Merge bool
	// Repository is the Git repository around the output directory, or nil.
	Repository Repository
}

// Change is the plan for one file: the action, its reason, and the content
// before and after.
type Change struct {
	// Path is slash-separated and relative to the output directory.
	Path      string
	Ownership Ownership
	Action    Action
	// Reason explains the action, or the conflict, in a few words.
	Reason   string
	Conflict Conflict
	// BlockedBy is the path of the file that is in place of a parent
	// directory, for ConflictNotDirectory.
	BlockedBy string

	// Exists reports whether the file exists; Old and OldMode are its
	// content and mode then.
	Exists  bool
	Old     []byte
	OldMode fs.FileMode
	// New and NewMode are what the file will contain. For a merge, New is
	// the merged content.
	New     []byte
	NewMode fs.FileMode
	// Base is the version that msgen last wrote, read from Git, for a file
	// edited by hand or merged. It is nil when unknown. BaseHash is its Git
	// blob hash, from the manifest.
	Base     []byte
	BaseHash string

	// Merged reports that New is a three-way merge, with MergeConflicts
	// conflicts marked in it.
	Merged         bool
	MergeConflicts int

	// Removed reports that the spec no longer generates the file.
	Removed bool

	// rendered is the new rendering, which a merge must store in Git as
	// the base of the next merge.
	rendered []byte
}

// Plan is every change that a run of generate makes to a directory, sorted
// by path. The manifest is one of the changes.
type Plan struct {
	Dir     string
	Changes []Change

	repository Repository
	// previous and next are the manifest entries before and after the
	// plan, by path, from which Apply records what it did when it fails
	// part-way. adopt is true when there was no manifest before.
	previous map[string]manifestEntry
	next     map[string]manifestEntry
	adopt    bool
}

// Drift reports whether the directory differs from what generate would
// write: a file would be created, changed or deleted, or a conflict stops it.
func (p *Plan) Drift() bool {
	for _, c := range p.Changes {
		if c.Conflict != NoConflict || (c.Action != ActionUnchanged && c.Action != ActionKeep && c.Action != ActionMerged) {
			return true
		}
	}
	return false
}

// InGit reports whether the output directory is inside a Git repository,
// which --merge needs for the bases of its merges.
func (p *Plan) InGit() bool {
	return p.repository != nil
}

// Conflicts returns the changes that stop generate.
func (p *Plan) Conflicts() []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Conflict != NoConflict {
			out = append(out, c)
		}
	}
	return out
}

// NewPlan compares files, a rendering of the spec, with what dir contains
// and with the manifest that the last run left there, and decides what to
// do with each file. It reads dir but changes nothing. A dir that does not
// exist is an empty one. An error means the plan could not be made; the
// conflicts that stop generate are in the plan.
func NewPlan(dir string, files []File, opts PlanOptions) (*Plan, error) {
	for _, f := range files {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) || path.Clean(f.Path) != f.Path || f.Path == ManifestPath {
			return nil, fmt.Errorf("write %q: path is not inside the output directory or is the manifest's", f.Path)
		}
	}
	p := &Plan{Dir: dir, repository: opts.Repository}
	tree, err := openTree(dir)
	if err != nil {
		return nil, err
	}
	defer tree.close()

	old, err := tree.readManifest()
	if err != nil {
		return nil, err
	}
	// Without a manifest, the directory was generated before msgen kept
	// one, or not at all: files with the marker are adopted then.
	adopt := old == nil
	if old == nil {
		old = &manifest{}
	}
	previous := map[string]manifestEntry{}
	for _, e := range old.Files {
		previous[e.Path] = e
	}
	p.previous, p.next, p.adopt = previous, map[string]manifestEntry{}, adopt

	var entries []manifestEntry
	rendered := map[string]bool{}
	for _, f := range files {
		rendered[f.Path] = true
		e, known := previous[f.Path]
		var prev *manifestEntry
		if known {
			prev = &e
		}
		c, entry, err := planFile(tree, f, prev, adopt, opts)
		if err != nil {
			return nil, err
		}
		p.Changes = append(p.Changes, c)
		entries = append(entries, entry)
	}

	for _, e := range old.Files {
		if rendered[e.Path] {
			continue
		}
		c, ok, err := planRemoved(tree, e, opts)
		if err != nil {
			return nil, err
		}
		if ok {
			p.Changes = append(p.Changes, c)
		}
		// A kept scaffolded file stays in the manifest until the user
		// deletes it, so that every run can name it: the build may fail
		// while it refers to code that is no longer generated.
		if ok && c.Action == ActionKeep {
			entries = append(entries, e)
		}
	}

	// The manifest is managed but records no hash of its own.
	for _, e := range entries {
		p.next[e.Path] = e
	}
	m := &manifest{Comment: manifestComment, Version: manifestVersion, Files: entries}
	slices.SortFunc(m.Files, func(a, b manifestEntry) int { return strings.Compare(a.Path, b.Path) })
	mc, err := planManifest(tree, m.encode())
	if err != nil {
		return nil, err
	}
	p.Changes = append(p.Changes, mc)

	slices.SortFunc(p.Changes, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return p, nil
}

// planFile decides what to do with one rendered file and returns the
// manifest entry to record for it. adopt is true when there is no manifest,
// so that a file with the marker is taken for msgen's own.
func planFile(tree *tree, f File, prev *manifestEntry, adopt bool, opts PlanOptions) (Change, manifestEntry, error) {
	c := Change{Path: f.Path, Ownership: f.Ownership, New: f.Data, NewMode: f.Mode.Perm(), rendered: f.Data}
	entry := newEntry(f, f.Data, f.Data)
	if err := tree.load(&c); err != nil {
		return c, entry, err
	}

	switch {
	case c.Conflict == ConflictNotDirectory:
		c.Action = ActionCreate
		c.Reason = notDirectoryReason(c)
		return c, entry, nil
	case !c.Exists:
		c.Action = ActionCreate
		c.Reason = "new file"
		if prev != nil {
			c.Reason = "deleted since msgen wrote it"
		}
		return c, entry, nil
	case c.Conflict == ConflictNotRegular:
		c.Action = ActionUpdate
		c.Reason = "not a regular file"
		return c, entry, nil
	case f.Ownership == Scaffolded:
		c.Action = ActionKeep
		c.Reason = "scaffolded: yours to edit"
		c.New, c.NewMode = c.Old, c.OldMode
		if prev != nil {
			entry = *prev
		}
		return c, entry, nil
	}

	// intact reports that the file is exactly what msgen last wrote, and
	// customized that msgen wrote a merge of the user's edits into it.
	intact := prev != nil && sha256Hex(c.Old) == prev.SHA256
	customized := intact && GitBlobHash(c.Old) != prev.GitBlob
	renderingChanged := prev == nil || prev.GitBlob != GitBlobHash(f.Data)

	switch {
	case bytes.Equal(c.Old, f.Data):
		c.Action, c.Reason = modeAction(c, "up to date")
		return c, entry, nil
	case HasConflictMarkers(c.Old):
		// Merging again would take the markers for the user's edit and
		// record them as merged.
		c.Action = ActionUpdate
		c.Reason = "contains the conflict markers of a merge"
		stopUnlessForced(&c, opts, ConflictUnresolved)
		return c, entry, nil
	case customized && !renderingChanged && opts.Force:
		c.Action = ActionUpdate
		c.Reason = "contains your merged edits; overwritten by --force"
		return c, entry, nil
	case customized && !renderingChanged:
		// A merge result that the spec has not changed since.
		c.New = c.Old
		c.Action, c.Reason = modeAction(c, "contains your merged edits, which differ from msgen's rendering")
		if c.Action == ActionUnchanged {
			c.Action = ActionMerged
		}
		return c, *prev, nil
	case intact && !customized:
		c.Action = ActionUpdate
		c.Reason = "the spec or msgen changed"
		return c, entry, nil
	case prev == nil && !HasMarker(c.Old):
		c.Action = ActionUpdate
		c.Reason = "exists, but msgen did not generate it"
		c.Conflict = ConflictNotGenerated
		return c, entry, nil
	case prev == nil && adopt:
		// A file with the marker in a directory without a manifest, such as
		// one generated before msgen wrote manifests: it is adopted, unless
		// Git holds uncommitted changes to it.
		c.Action = ActionUpdate
		c.Reason = "carries msgen's marker; adopted into the manifest"
		return c, entry, checkUncommitted(&c, opts, ConflictUncommitted)
	case prev == nil:
		// The manifest lists every file that msgen wrote, so msgen did not
		// write this one here.
		c.Action = ActionUpdate
		c.Reason = "carries msgen's marker, but the manifest does not list it"
		stopUnlessForced(&c, opts, ConflictNotInManifest)
		return c, entry, nil
	}

	// The file was edited by hand since msgen wrote it, or it holds a
	// merge of the user's edits and the rendering has changed since.
	c.Action = ActionUpdate
	c.Reason = "edited by hand since msgen wrote it"
	c.BaseHash = prev.GitBlob
	if customized {
		c.Reason = "contains your merged edits, and the rendering changed"
	}
	if opts.Repository != nil {
		base, err := opts.Repository.ReadBlob(prev.GitBlob)
		switch {
		case err == nil:
			c.Base = base
		case !errors.Is(err, fs.ErrNotExist):
			return c, entry, fmt.Errorf("read the base of %q from Git: %w", c.Path, err)
		}
	}

	switch {
	case opts.Force:
		c.Reason += "; overwritten by --force"
	case opts.Merge:
		return mergeFile(c, f)
	default:
		c.Conflict = ConflictEdited
		if err := checkUncommitted(&c, opts, ""); err != nil {
			return c, entry, err
		}
	}
	return c, entry, nil
}

// stopUnlessForced marks c with conflict, which stops generate, unless
// --force overwrites the file.
func stopUnlessForced(c *Change, opts PlanOptions, conflict Conflict) {
	if opts.Force {
		c.Reason += "; overwritten by --force"
		return
	}
	c.Conflict = conflict
}

// mergeFile merges the user's edits of c with the new rendering, using the
// version msgen last wrote as the base.
func mergeFile(c Change, f File) (Change, manifestEntry, error) {
	entry := newEntry(f, f.Data, f.Data)
	if c.Base == nil {
		c.Conflict = ConflictBaseMissing
		return c, entry, nil
	}

	merged, conflicts := textdiff.Merge(c.Base, c.Old, f.Data, mergeLabels)
	c.New, c.Merged, c.MergeConflicts = merged, true, conflicts
	c.Reason += "; merged"
	if conflicts == 0 {
		// A clean merge is what msgen wrote, so the next run sees no edit.
		// With conflicts, the hash stays that of the rendering, so the next
		// run sees the markers, and their resolution, as a hand edit.
		entry = newEntry(f, merged, f.Data)
	}
	if bytes.Equal(merged, c.Old) {
		c.Action, c.Reason = modeAction(c, c.Reason)
	}
	return c, entry, nil
}

// mergeLabels name the three versions in the conflict markers of a merge.
var mergeLabels = textdiff.Labels{
	Ours:   "yours",
	Base:   "msgen, last written",
	Theirs: "msgen, new",
}

// HasConflictMarkers reports whether data contains a line that is one of
// the labelled conflict markers that a merge of msgen writes, such as
// "<<<<<<< yours". The "=======" line alone does not count, because
// Markdown underlines headings with it.
func HasConflictMarkers(data []byte) bool {
	markers := []string{
		"<<<<<<< " + mergeLabels.Ours,
		"||||||| " + mergeLabels.Base,
		">>>>>>> " + mergeLabels.Theirs,
	}
	for line := range bytes.Lines(data) {
		line = bytes.TrimRight(line, "\r\n")
		for _, marker := range markers {
			if string(line) == marker {
				return true
			}
		}
	}
	return false
}

// modeAction returns "unchanged", or "mode" when only the mode differs.
func modeAction(c Change, reason string) (Action, string) {
	if c.ModeChanged() {
		return ActionMode, fmt.Sprintf("mode changed from %s to %s", GitMode(c.OldMode), GitMode(c.NewMode))
	}
	return ActionUnchanged, reason
}

// ModeChanged reports whether the file on disk and the file that generate
// writes differ in the mode that Git records. Git records only whether the
// owner may execute a file, so other permission bits, such as the group
// write bit of a checkout made with umask 002, are no drift.
func (c Change) ModeChanged() bool {
	return executable(c.OldMode) != executable(c.NewMode)
}

func executable(mode fs.FileMode) bool {
	return mode&0o100 != 0
}

// GitMode returns the mode that Git records for a regular file with the
// given permissions, as its diffs print it: 100755 when the owner may
// execute the file, else 100644.
func GitMode(mode fs.FileMode) string {
	if executable(mode) {
		return "100755"
	}
	return "100644"
}

// checkUncommitted marks c with conflict, or only notes it in the reason
// when conflict is empty, if Git holds uncommitted changes to the file.
func checkUncommitted(c *Change, opts PlanOptions, conflict Conflict) error {
	if opts.Repository == nil || opts.Force {
		return nil
	}
	dirty, err := opts.Repository.Uncommitted(c.Path, c.Old)
	if err != nil {
		return fmt.Errorf("check %q in Git: %w", c.Path, err)
	}
	if dirty {
		c.Reason += "; the changes are not committed to Git"
		if conflict != NoConflict {
			c.Conflict = conflict
		}
	}
	return nil
}

// planRemoved decides what to do with a file of the last run that the spec
// no longer generates, such as a file of a removed service. ok is false
// when there is nothing to do or report.
func planRemoved(tree *tree, e manifestEntry, opts PlanOptions) (Change, bool, error) {
	mode, _ := parseMode(e.Mode)
	c := Change{Path: e.Path, Ownership: Managed, NewMode: mode, Removed: true}
	if e.Class == Scaffolded.String() {
		c.Ownership = Scaffolded
	}
	if err := tree.load(&c); err != nil {
		return c, false, err
	}
	if !c.Exists || c.Conflict == ConflictNotRegular {
		return c, false, nil
	}

	reason := "no longer generated"
	if service, ok := serviceOf(e.Path); ok {
		reason = fmt.Sprintf("service %q is no longer in the spec", service)
	}
	if c.Ownership == Scaffolded {
		c.Action = ActionKeep
		c.Reason = reason + "; scaffolded, so it is kept: delete it once you have moved the code you need"
		c.New, c.NewMode = c.Old, c.OldMode
		return c, true, nil
	}

	c.Action = ActionDelete
	c.Reason = reason
	if sha256Hex(c.Old) == e.SHA256 && GitBlobHash(c.Old) == e.GitBlob {
		return c, true, nil
	}
	c.Reason += ", but the file was edited by hand"
	if opts.Force {
		c.Reason += "; deleted by --force"
		return c, true, nil
	}
	c.Conflict = ConflictEdited
	c.BaseHash = e.GitBlob
	if opts.Repository != nil {
		if base, err := opts.Repository.ReadBlob(e.GitBlob); err == nil {
			c.Base = base
		}
	}
	return c, true, checkUncommitted(&c, opts, "")
}

// serviceOf returns the service whose directory contains p.
func serviceOf(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "services/")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "/")
	return name, ok
}

func notDirectoryReason(c Change) string {
	return c.BlockedBy + " is a file, where msgen needs a directory"
}

// planManifest decides what to do with the manifest itself.
func planManifest(tree *tree, data []byte) (Change, error) {
	c := Change{Path: ManifestPath, Ownership: Managed, New: data, NewMode: 0o644, rendered: data}
	if err := tree.load(&c); err != nil {
		return c, err
	}
	switch {
	case c.Conflict == ConflictNotDirectory:
		c.Action, c.Reason = ActionCreate, notDirectoryReason(c)
	case !c.Exists:
		c.Action, c.Reason = ActionCreate, "new file"
	case c.Conflict != NoConflict:
		c.Action, c.Reason = ActionUpdate, "not a regular file"
	case bytes.Equal(c.Old, data):
		c.Action, c.Reason = modeAction(c, "up to date")
	default:
		c.Action, c.Reason = ActionUpdate, "the generated files changed"
	}
	return c, nil
}

// tree reads the output directory through an os.Root, so that no path or
// symbolic link leads outside it. A tree of a directory that does not exist
// is empty.
type tree struct {
	root *os.Root
}

func openTree(dir string) (*tree, error) {
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &tree{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open output directory: %w", err)
	}
	return &tree{root: root}, nil
}

func (t *tree) close() {
	if t.root != nil {
		t.root.Close()
	}
}

// load fills in what c.Path is on disk: whether it exists, and its content
// and mode, or a not-regular or not-directory conflict.
func (t *tree) load(c *Change) error {
	if t.root == nil {
		return nil
	}
	name := filepath.FromSlash(c.Path)
	info, err := t.root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		// A missing file may still be impossible to write, when a file is
		// in place of one of its parent directories.
		blocker, blockerErr := t.fileInPath(name)
		if blockerErr != nil {
			return fmt.Errorf("check %q: %w", c.Path, blockerErr)
		}
		if blocker != "" {
			c.Conflict, c.BlockedBy = ConflictNotDirectory, blocker
			return nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		// os.Root exports no sentinel for this error, only its text.
		return fmt.Errorf("check %q: a symbolic link on its path leads outside the output directory; replace the link with a directory", c.Path)
	}
	if err != nil {
		return fmt.Errorf("check %q: %w", c.Path, err)
	}

	c.Exists = true
	c.OldMode = info.Mode().Perm()
	if !info.Mode().IsRegular() {
		c.Conflict = ConflictNotRegular
		return nil
	}
	c.Old, err = t.root.ReadFile(name)
	if err != nil {
		return fmt.Errorf("check %q: %w", c.Path, err)
	}
	return nil
}

// fileInPath returns the slash-separated path of the nearest parent of name
// that exists but is not a directory, or "" when there is none.
func (t *tree) fileInPath(name string) (string, error) {
	for dir := filepath.Dir(name); dir != "."; dir = filepath.Dir(dir) {
		// Stat follows symbolic links, so a link to a directory is one.
		info, err := t.root.Stat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			continue
		case err != nil:
			return "", err
		case info.IsDir():
			return "", nil
		default:
			return filepath.ToSlash(dir), nil
		}
	}
	return "", nil
}

// readManifest reads the manifest of the last run, or returns nil when
// there is none.
func (t *tree) readManifest() (*manifest, error) {
	if t.root == nil {
		return nil, nil
	}
	data, err := t.root.ReadFile(filepath.FromSlash(ManifestPath))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		// A file in place of the manifest's directory is a conflict of the
		// manifest's change, which planManifest finds.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ManifestPath, err)
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("invalid manifest %s: %w: restore it with git checkout -- %s, or delete it, and msgen adopts every file that carries its marker", ManifestPath, err, ManifestPath)
	}
	return m, nil
}
