package generator

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
)

// ManifestPath is the path of the manifest in the output directory.
const ManifestPath = ".msgen/manifest.json"

// manifestVersion is the version of the manifest's format.
const manifestVersion = 1

// manifest records every file that msgen generated into a directory: its
// class and mode and what msgen last wrote to it. It is committed with the
// generated repository, so a later run can tell msgen's own output from a
// hand edit, and find the files of a service that left the spec.
type manifest struct {
	Comment string          `json:"comment"`
	Version int             `json:"version"`
	Files   []manifestEntry `json:"files"`
}

// manifestEntry records one generated file.
type manifestEntry struct {
	Path string `json:"path"`
	// Class is "managed" or "scaffolded".
	Class string `json:"class"`
	// Mode is the permission bits in octal, such as "0644".
	Mode string `json:"mode"`
	// SHA256 is the hex SHA-256 of the bytes that msgen last wrote to the
	// file: the rendering, or the result of a clean --merge.
	SHA256 string `json:"sha256"`
	// GitBlob is the Git blob hash of msgen's last rendering of the file,
	// which --merge reads from the repository's object store as the base of
	// a three-way merge.
	GitBlob string `json:"gitBlob"`
}

// manifestComment is the manifest's comment field: the marker, and which
// command writes the file.
const manifestComment = Marker + " msgen generate rewrites this file; commit it with the repository."

// encode returns the manifest as indented JSON with a final newline. The
// entries must be sorted by path.
func (m *manifest) encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	// A manifest is plain strings and numbers, which always encode.
	_ = enc.Encode(m)
	return buf.Bytes()
}

// parseManifest decodes and checks a manifest read from disk.
func parseManifest(data []byte) (*manifest, error) {
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("version %d, but this msgen reads version %d", m.Version, manifestVersion)
	}

	for i, e := range m.Files {
		switch {
		case !filepath.IsLocal(filepath.FromSlash(e.Path)) || path.Clean(e.Path) != e.Path:
			return nil, fmt.Errorf("file %q: path is not inside the output directory", e.Path)
		case i > 0 && e.Path <= m.Files[i-1].Path:
			return nil, fmt.Errorf("file %q: files are not sorted by path, or a path appears twice", e.Path)
		case e.Class != Managed.String() && e.Class != Scaffolded.String():
			return nil, fmt.Errorf("file %q: invalid class %q, want managed or scaffolded", e.Path, e.Class)
		case !isHex(e.SHA256, sha256.Size):
			return nil, fmt.Errorf("file %q: invalid sha256 %q", e.Path, e.SHA256)
		case !isHex(e.GitBlob, sha1.Size):
			return nil, fmt.Errorf("file %q: invalid gitBlob %q", e.Path, e.GitBlob)
		}
		if _, err := parseMode(e.Mode); err != nil {
			return nil, fmt.Errorf("file %q: %w", e.Path, err)
		}
	}
	return &m, nil
}

// newEntry records data as what msgen wrote to a file, with rendered as
// msgen's rendering of it, which differs after a merge.
func newEntry(f File, written, rendered []byte) manifestEntry {
	return manifestEntry{
		Path:    f.Path,
		Class:   f.Ownership.String(),
		Mode:    formatMode(f.Mode),
		SHA256:  sha256Hex(written),
		GitBlob: GitBlobHash(rendered),
	}
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// GitBlobHash returns the hash that Git gives data stored as a blob: the
// hex SHA-1 of "blob", the length in decimal, a NUL byte and data.
func GitBlobHash(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func formatMode(mode fs.FileMode) string {
	return fmt.Sprintf("%04o", mode.Perm())
}

func parseMode(s string) (fs.FileMode, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o777 || len(s) != 4 {
		return 0, fmt.Errorf("invalid mode %q, want four octal digits such as 0644", s)
	}
	return fs.FileMode(n), nil
}

func isHex(s string, size int) bool {
	if len(s) != 2*size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
