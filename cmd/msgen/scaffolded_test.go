package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

// writeFiles writes each path and text pair under dir.
func writeFiles(t *testing.T, dir string, pathAndText ...string) {
	t.Helper()
	for i := 0; i < len(pathAndText); i += 2 {
		name := filepath.Join(dir, filepath.FromSlash(pathAndText[i]))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(pathAndText[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const testRoutes = `package web

import "net/http"

type Routes interface {
	GetWeb(w http.ResponseWriter, r *http.Request)
	PostWeb(w http.ResponseWriter, r *http.Request)
}
`

func TestMissingHandlerMethods(t *testing.T) {
	for _, tc := range []struct {
		name     string
		handlers string
		want     []string
	}{
		{
			name:     "one missing",
			handlers: "package web\n\nimport \"net/http\"\n\ntype Handler struct{}\n\nfunc (h *Handler) GetWeb(w http.ResponseWriter, r *http.Request) {}\n",
			want:     []string{"func (h *Handler) PostWeb(w http.ResponseWriter, r *http.Request)"},
		},
		{
			name:     "receiver name and value receiver",
			handlers: "package web\n\nimport \"net/http\"\n\ntype Handler struct{}\n\nfunc (s Handler) PostWeb(w http.ResponseWriter, r *http.Request) {}\n",
			want:     []string{"func (s *Handler) GetWeb(w http.ResponseWriter, r *http.Request)"},
		},
		{
			name:     "none missing",
			handlers: "package web\n\nimport \"net/http\"\n\ntype Handler struct{}\n\nfunc (h *Handler) GetWeb(http.ResponseWriter, *http.Request) {}\nfunc (h *Handler) PostWeb(http.ResponseWriter, *http.Request) {}\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, "routes.go", testRoutes, "handlers.go", tc.handlers, "handlers_test.go", "package web\n\nfunc (h *Handler) PostWeb() {}\n")
			got, err := missingHandlerMethods(dir)
			if err != nil {
				t.Fatalf("missingHandlerMethods: %v", err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("missing methods:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestMissingHandlerMethodsWithoutHandler(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "routes.go", testRoutes, "handlers.go", "package web\n\ntype Server struct{}\n")
	if _, err := missingHandlerMethods(dir); err == nil {
		t.Error("missingHandlerMethods succeeded without a Handler type, want an error")
	}
}

func TestWarnKeptFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		kept  []string
		want  string
	}{
		{
			name:  "removed service with only kept files",
			files: []string{"services/cart/internal/cart/handlers.go", "services/cart/internal/cart/store.go"},
			kept:  []string{"services/cart/internal/cart/handlers.go", "services/cart/internal/cart/store.go"},
			want:  "rm -r OUT/services/cart\n",
		},
		{
			name:  "removed service with a file of the user's",
			files: []string{"services/cart/internal/cart/handlers.go", "services/cart/notes.md"},
			kept:  []string{"services/cart/internal/cart/handlers.go"},
			want:  "rm -r OUT/services/cart/internal/cart/handlers.go\n",
		},
		{
			name:  "service in the spec",
			files: []string{"services/api/internal/api/migrations/0001_initial.sql", "services/api/main.go"},
			kept:  []string{"services/api/internal/api/migrations/0001_initial.sql"},
			want:  "rm -r OUT/services/api/internal/api/migrations/0001_initial.sql\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			for _, f := range tc.files {
				writeFiles(t, out, f, "x")
			}
			spec := &schema.Spec{Services: map[string]*schema.Service{"api": {Name: "api"}}}
			var stderr strings.Builder
			warnKeptFiles(&streams{Err: &stderr}, out, spec, tc.kept)

			got := stderr.String()
			for _, p := range tc.kept {
				if !strings.Contains(got, "\n  "+p+"\n") {
					t.Errorf("the warning does not list %s:\n%s", p, got)
				}
			}
			want := strings.ReplaceAll(tc.want, "OUT", filepath.ToSlash(out))
			if !strings.HasSuffix(got, "with:\n  "+want) {
				t.Errorf("the warning ends:\n%s\nwant the command:\n%s", got, want)
			}
		})
	}
}
