package generator

import (
	"bytes"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

// renderDeployment runs the renderers of the repository, compose and Kong
// files, which need no service templates.
func renderDeployment(t *testing.T, spec *schema.Spec) map[string]File {
	t.Helper()
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]File{}
	for _, render := range []func(*renderer, *schema.Spec) ([]File, error){renderRepository, renderCompose, renderKong} {
		rendered, err := render(r, spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rendered {
			files[f.Path] = f
		}
	}
	return files
}

func TestRepositoryFilesStartWithMarker(t *testing.T) {
	files := renderDeployment(t, shopSpec(t))
	firstLines := map[string]string{
		"README.md":                   "<!-- " + Marker + " -->",
		"Makefile":                    "# " + Marker,
		".gitignore":                  "# " + Marker,
		".gitattributes":              "# " + Marker,
		".dockerignore":               "# " + Marker,
		".github/workflows/msgen.yml": "# " + Marker,
		".env.example":                "# " + Marker,
		"docker-compose.yml":          "# " + Marker,
		"gateway/kong.yml":            "# " + Marker,
	}
	for path, want := range firstLines {
		f, ok := files[path]
		if !ok {
			t.Errorf("%s was not generated", path)
			continue
		}
		first, _, _ := strings.Cut(string(f.Data), "\n")
		if first != want {
			t.Errorf("%s starts with %q; want %q", path, first, want)
		}
		if f.Ownership != Managed {
			t.Errorf("%s is %s; want managed", path, f.Ownership)
		}
		if !bytes.HasSuffix(f.Data, []byte("\n")) || bytes.HasSuffix(f.Data, []byte("\n\n")) {
			t.Errorf("%s does not end with exactly one newline", path)
		}
	}
	if len(files) != len(firstLines)+3 {
		t.Errorf("rendered %d files; want %d, go.mod, go.sum and the init script of the shared database", len(files), len(firstLines))
	}
}

func TestGoModIsScaffolded(t *testing.T) {
	for _, path := range []string{"go.mod", "go.sum"} {
		f := renderDeployment(t, shopSpec(t))[path]
		if f.Ownership != Scaffolded {
			t.Errorf("%s is %s; want scaffolded, because the team adds requirements to it", path, f.Ownership)
		}
		if HasMarker(f.Data) {
			t.Errorf("%s carries the marker of a managed file:\n%s", path, f.Data)
		}
	}
}

func TestRepositoryRenderIsDeterministic(t *testing.T) {
	spec := shopConsulSpec(t)
	first := renderDeployment(t, spec)
	for i := 0; i < 5; i++ {
		again := renderDeployment(t, spec)
		for path, f := range first {
			if !bytes.Equal(f.Data, again[path].Data) {
				t.Fatalf("%s differs between two renders of the same spec", path)
			}
		}
	}
}

func TestGoModDeclaresModule(t *testing.T) {
	spec := shopSpec(t)
	data := string(renderDeployment(t, spec)["go.mod"].Data)
	for _, want := range []string{"\nmodule " + spec.Module + "\n", "\ngo 1.26.0\n"} {
		if !strings.Contains(data, want) {
			t.Errorf("go.mod lacks %q:\n%s", strings.TrimSpace(want), data)
		}
	}
	for _, want := range []string{"github.com/jackc/pgx/v5 ", "github.com/nats-io/nats.go "} {
		if !strings.Contains(data, "\t"+want) {
			t.Errorf("go.mod does not require %s, which the platform package imports:\n%s", strings.TrimSpace(want), data)
		}
	}
}

func TestReadmeDescribesSystem(t *testing.T) {
	spec := shopSpec(t)
	readme := string(renderDeployment(t, spec)["README.md"].Data)

	for _, svc := range spec.SortedServices() {
		if !strings.Contains(readme, "| `"+svc.Name+"` | ") {
			t.Errorf("README has no table row for service %s", svc.Name)
		}
		for _, route := range svc.Routes {
			if !strings.Contains(readme, route.Path) {
				t.Errorf("README does not list route %s of %s", route.Path, svc.Name)
			}
		}
	}
	for name := range spec.Sagas {
		if !strings.Contains(readme, "**"+name+"**") {
			t.Errorf("README does not list saga %s", name)
		}
	}
	for name := range spec.Compositions {
		if !strings.Contains(readme, "**"+name+"**") {
			t.Errorf("README does not list composition %s", name)
		}
	}
	for _, step := range []string{"cp .env.example .env", "make up"} {
		if !strings.Contains(readme, step) {
			t.Errorf("README does not say to run %q", step)
		}
	}
}

// TestReadmeCountsAndDatabases checks the README's opening sentence for one
// service and for several, and that a system without databases is not said
// to have any.
func TestReadmeCountsAndDatabases(t *testing.T) {
	cases := []struct {
		src       string
		opening   string
		databases bool
	}{
		{`name: "one", module: "example.com/one", services: api: port: 8081`, "1 Go service behind", false},
		{`name: "two", module: "example.com/two", services: {api: port: 8081, web: port: 8082}`, "2 Go services behind", false},
		{`name: "db", module: "example.com/db", services: api: {port: 8081, data: pattern: "database-per-service"}`, "1 Go service behind", true},
	}
	for _, tc := range cases {
		spec, err := schema.LoadSource("msgen.cue", []byte(tc.src))
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		readme := string(renderDeployment(t, spec)["README.md"].Data)
		if !strings.Contains(readme, tc.opening) {
			t.Errorf("%s: README does not say %q", spec.Name, tc.opening)
		}
		if got := strings.Contains(readme, "their PostgreSQL databases"); got != tc.databases {
			t.Errorf("%s: README mentions PostgreSQL databases = %v, want %v", spec.Name, got, tc.databases)
		}
	}
}
