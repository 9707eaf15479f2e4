package generator

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

// FuzzGenerate checks that every spec that schema.Load accepts generates:
// the generator relies on the schema's checks, so a spec that passes them
// and then fails here shows the two disagree. Run it beyond the seed corpus
// with: go test ./generator -fuzz FuzzGenerate
func FuzzGenerate(f *testing.F) {
	for _, name := range examples {
		src, err := os.ReadFile(filepath.Join("..", "testdata", "examples", name, "msgen.cue"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Add(string(syntheticSpec(5)))
	f.Add(edgeSpec)

	f.Fuzz(func(t *testing.T, src string) {
		spec, err := schema.LoadSource("msgen.cue", []byte(src))
		if err != nil {
			return
		}
		if _, err := Generate(spec); err != nil {
			t.Errorf("a spec that validates fails to generate: %v", err)
		}
	})
}
