package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadSource checks that no input makes loading panic, and that every
// error about an input names the input's file. Run it beyond the seed
// corpus with: go test ./schema -fuzz FuzzLoadSource
func FuzzLoadSource(f *testing.F) {
	for _, name := range []string{"shop", "online-boutique"} {
		src, err := os.ReadFile(filepath.Join("..", "testdata", "examples", name, "msgen.cue"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Add(validBase + `services: a: {port: 8080, routes: [{path: "/x/{id}"}], calls: ["a"]}`)
	f.Add(`[1, 2]`)
	f.Add(`services: "": port: 1`)

	f.Fuzz(func(t *testing.T, src string) {
		_, err := LoadSource("msgen.cue", []byte(src))
		var errs Errors
		if err == nil || !errors.As(err, &errs) {
			return
		}
		for _, e := range errs {
			if e.File != "msgen.cue" {
				t.Errorf("error %q does not name msgen.cue", e.Error())
			}
			if strings.TrimSpace(e.Message) == "" {
				t.Errorf("error at %s:%d has no message", e.File, e.Line)
			}
		}
	})
}
