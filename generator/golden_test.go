package generator

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/msgen-dev/msgen/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// examples are the bundled example specs, by name.
var examples = []string{"shop", "online-boutique"}

// loadExample loads the bundled example spec called name.
func loadExample(t testing.TB, name string) *schema.Spec {
	t.Helper()
	spec, err := schema.Load(filepath.Join("..", "testdata", "examples", name, "msgen.cue"))
	if err != nil {
		t.Fatalf("load example %s: %v", name, err)
	}
	return spec
}

// goldenArchive packs files into one txtar archive. The archive's comment
// lists each file's mode and ownership, so that a change to either shows in
// the diff too.
func goldenArchive(files []File) []byte {
	var comment strings.Builder
	comment.WriteString("Generated files: mode, ownership and path. Rewrite with go test ./generator -update.\n")
	archive := &txtar.Archive{}
	for _, f := range files {
		fmt.Fprintf(&comment, "%v %s %s\n", f.Mode, f.Ownership, f.Path)
		archive.Files = append(archive.Files, txtar.File{Name: f.Path, Data: f.Data})
	}
	archive.Comment = []byte(comment.String())
	return txtar.Format(archive)
}

func TestGoldenExamples(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			files, err := Generate(loadExample(t, name))
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			got := goldenArchive(files)

			path := filepath.Join("..", "testdata", "golden", name+".txtar")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}

			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file: %v (run go test ./generator -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("generated files differ from %s; review the change and run go test ./generator -update\n%s", path, firstDifference(want, got))
			}
		})
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, name := range examples {
		first, err := Generate(loadExample(t, name))
		if err != nil {
			t.Fatalf("generate %s: %v", name, err)
		}
		second, err := Generate(loadExample(t, name))
		if err != nil {
			t.Fatalf("generate %s again: %v", name, err)
		}
		if !bytes.Equal(goldenArchive(first), goldenArchive(second)) {
			t.Errorf("%s: two runs on the same spec give different files", name)
		}
	}
}

// firstDifference shows the first line where want and got differ.
func firstDifference(want, got []byte) string {
	wantLines := strings.Split(string(want), "\n")
	gotLines := strings.Split(string(got), "\n")
	for i := 0; i < len(wantLines) || i < len(gotLines); i++ {
		var w, g string
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %q\n  got:  %q", i+1, w, g)
		}
	}
	return "(no line differs)"
}
