package schema

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected errors in testdata/errors")

// TestErrorReports loads each testdata/errors/*.txtar archive's msgen.cue
// and compares the errors with the archive's want.txt.
func TestErrorReports(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "errors", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no test cases in testdata/errors")
	}

	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			archive, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var spec []byte
			wantIndex := -1
			for i, f := range archive.Files {
				switch f.Name {
				case "msgen.cue":
					spec = f.Data
				case "want.txt":
					wantIndex = i
				}
			}
			if spec == nil || wantIndex < 0 {
				t.Fatalf("%s needs a msgen.cue and a want.txt file", path)
			}

			_, err = LoadSource("msgen.cue", spec)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("load returned %v, want spec errors", err)
			}
			got := []byte(errs.Error() + "\n")

			if *update {
				archive.Files[wantIndex].Data = got
				if err := os.WriteFile(path, txtar.Format(archive), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := archive.Files[wantIndex].Data; !bytes.Equal(got, want) {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
