package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue/format"

	"github.com/msgen-dev/msgen/schema"
)

// fullAnswers uses every part of the spec that init writes.
func fullAnswers() *initAnswers {
	return &initAnswers{
		Name:   "shop",
		Module: "example.com/shop",
		Services: []serviceAnswer{
			{Name: "orders", Pattern: "database-per-service", Port: 8081, Routes: []schema.Route{{Path: "/orders", Methods: []string{"GET", "POST"}}, {Path: "/orders/{id}", Methods: []string{"GET"}}}},
			{Name: "order-history", Pattern: "cqrs", Port: 8082},
			{Name: "inventory", Pattern: "shared-database", Database: "warehouse", Port: 8083, Routes: defaultRoutes("inventory")},
		},
		Plugins:   []string{pluginCorrelationID, pluginRateLimiting},
		RateLimit: 120,
		Discovery: "consul",
		Mesh:      "consul-connect",
		Targets:   []string{"compose", "kubernetes"},
	}
}

func TestSpecFileValid(t *testing.T) {
	src, err := specFile(fullAnswers())
	if err != nil {
		t.Fatal(err)
	}
	spec, err := schema.LoadSource("msgen.cue", src)
	if err != nil {
		t.Fatalf("the spec is invalid: %v\n%s", err, src)
	}

	if got := strings.Join(spec.ServiceNames(), ","); got != "inventory,order-history,orders" {
		t.Errorf("services = %s", got)
	}
	if got := spec.Services["inventory"].Data.Database; got != "warehouse" {
		t.Errorf("inventory database = %q, want warehouse", got)
	}
	if _, ok := spec.Databases["warehouse"]; !ok {
		t.Errorf("databases = %v, want warehouse declared", spec.Databases)
	}
	if limits := spec.Gateway.Kong.Plugins.RateLimiting; limits == nil || limits.Minute != 120 {
		t.Errorf("rate limiting = %+v, want 120 a minute", limits)
	}
	if spec.Gateway.Kong.Plugins.CorrelationID == nil {
		t.Error("correlationId is off, want it on")
	}
	if got := len(spec.Services["order-history"].Routes); got != 0 {
		t.Errorf("order-history has %d routes, want none", got)
	}
	if spec.Mesh != "consul-connect" || spec.Discovery != "consul" {
		t.Errorf("mesh, discovery = %q, %q", spec.Mesh, spec.Discovery)
	}
	if got := strings.Join(spec.Targets, ","); got != "compose,kubernetes" {
		t.Errorf("targets = %s, want compose,kubernetes", got)
	}
}

func TestSpecFileFormatted(t *testing.T) {
	src, err := specFile(fullAnswers())
	if err != nil {
		t.Fatal(err)
	}
	formatted, err := format.Source(src)
	if err != nil {
		t.Fatalf("format the spec: %v", err)
	}
	if !bytes.Equal(formatted, src) {
		t.Errorf("CUE's formatter changes the spec:\n--- written\n%s\n--- formatted\n%s", src, formatted)
	}

	again, err := specFile(fullAnswers())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, src) {
		t.Error("two runs with the same answers write different bytes")
	}
}

func TestSpecFileComments(t *testing.T) {
	src, err := specFile(fullAnswers())
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	// flat is the text with its comments as running prose, without the
	// line breaks that wrap them.
	flat := strings.Join(strings.Fields(strings.ReplaceAll(text, "//", "")), " ")

	// The comments list the values that the schema allows, read from the
	// schema itself.
	for _, path := range []string{"discovery", "mesh", "#Target", "services.*.data.pattern", "#Method"} {
		values, _, err := schema.Choices(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if !strings.Contains(flat, `"`+v+`"`) {
				t.Errorf("the comments do not list %q, a value of %s", v, path)
			}
		}
	}
	for _, want := range []string{
		"name is the system's name",
		"Use a port from 1024 to 65535.",
		"A spec may also have controlPlane, network, health, events, sagas and compositions.",
		`"linkerd" and "istio" need the "kubernetes" target`,
		"A service may also have publishes, subscribes, calls, env, secrets, replicas and health.",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the comments lack %q:\n%s", want, text)
		}
	}

	// Only the first service's fields carry comments.
	if n := strings.Count(text, "// port is the port that the service listens on"); n != 1 {
		t.Errorf("the port comment appears %d times, want once", n)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, "\t"), "//") && len(strings.ReplaceAll(line, "\t", "        ")) > commentWidth {
			t.Errorf("comment line longer than %d columns: %q", commentWidth, line)
		}
	}
}

func TestParseRoutes(t *testing.T) {
	tests := []struct {
		text    string
		want    []schema.Route
		wantErr string
	}{
		{"/orders", []schema.Route{{Path: "/orders", Methods: []string{"GET"}}}, ""},
		{" /orders:get,Post  /orders/{id} ", []schema.Route{{Path: "/orders", Methods: []string{"GET", "POST"}}, {Path: "/orders/{id}", Methods: []string{"GET"}}}, ""},
		{"", nil, ""},
		{"none", nil, ""},
		{"orders", nil, `invalid value "orders": use a path that starts with "/"`},
		{"/orders:FETCH", nil, `route /orders:FETCH: invalid value "FETCH": use GET, POST, PUT, PATCH or DELETE`},
		{"/orders:", nil, `route /orders:: invalid value ""`},
		{"/a/{id}/{id}", nil, `parameter {id} appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := parseRoutes(tt.text)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if !slices.EqualFunc(got, tt.want, func(a, b schema.Route) bool {
				return a.Path == b.Path && slices.Equal(a.Methods, b.Methods)
			}) {
				t.Errorf("routes = %+v, want %+v", got, tt.want)
			}
			if len(got) > 0 {
				again, err := parseRoutes(formatRoutes(got))
				if err != nil || len(again) != len(got) {
					t.Errorf("formatRoutes(%+v) = %q, which does not parse back: %v", got, formatRoutes(got), err)
				}
			}
		})
	}
}

func TestSuggestName(t *testing.T) {
	tests := map[string]string{
		"shop":         "shop",
		"My_Shop":      "my-shop",
		"--my  shop--": "my-shop",
		"Shop.2":       "shop-2",
		"123":          "",
		"ünïcode":      "n-code",
	}
	for dir, want := range tests {
		if got := suggestName(filepath.Join(t.TempDir(), dir)); got != want {
			t.Errorf("suggestName(%q) = %q, want %q", dir, got, want)
		}
	}
}

func TestNextPortSkipsTakenPorts(t *testing.T) {
	a := &initAnswers{Services: []serviceAnswer{{Name: "a", Port: 8081}, {Name: "b", Port: 8083}}}
	if got := a.nextPort(); got != 8082 {
		t.Errorf("nextPort = %d, want 8082", got)
	}
	a.Services = append(a.Services, serviceAnswer{Name: "c", Port: 8082})
	if got := a.nextPort(); got != 8084 {
		t.Errorf("nextPort = %d, want 8084", got)
	}
}

func TestJournalUndo(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mine.txt"), "mine", 0o644)
	writeFile(t, filepath.Join(dir, "services", "keep.txt"), "mine", 0o644)

	target := &targetDir{path: dir}
	j := newJournal(target, []string{"mine.txt", "msgen.cue", "services/orders/main.go", "services/keep.txt"}, true)
	if j.created("mine.txt") || !j.created("msgen.cue") {
		t.Errorf("created(mine.txt), created(msgen.cue) = %v, %v, want false, true", j.created("mine.txt"), j.created("msgen.cue"))
	}

	writeFile(t, filepath.Join(dir, "msgen.cue"), "spec", 0o644)
	writeFile(t, filepath.Join(dir, "services", "orders", "main.go"), "package main", 0o644)
	writeFile(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main", 0o644)

	removed, err := j.undo()
	if err != nil || !removed {
		t.Fatalf("undo = %v, %v, want true, nil", removed, err)
	}
	var left []string
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, path)
		left = append(left, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{".", "mine.txt", "services", "services/keep.txt"}; !slices.Equal(left, want) {
		t.Errorf("after undo the directory holds %q, want %q", left, want)
	}
}

func TestJournalUndoCreatedDirectory(t *testing.T) {
	parent := t.TempDir()
	target, err := checkTarget(filepath.Join(parent, "a", "b"), false)
	if err != nil {
		t.Fatal(err)
	}
	if target.missingTop != filepath.Join(parent, "a") {
		t.Errorf("missingTop = %q, want %q", target.missingTop, filepath.Join(parent, "a"))
	}
	j := newJournal(target, []string{"msgen.cue"}, true)
	writeFile(t, filepath.Join(parent, "a", "b", "msgen.cue"), "spec", 0o644)

	if removed, err := j.undo(); err != nil || !removed {
		t.Fatalf("undo = %v, %v, want true, nil", removed, err)
	}
	if _, err := os.Stat(filepath.Join(parent, "a")); !os.IsNotExist(err) {
		t.Errorf("stat of the created directory after undo: %v, want it gone", err)
	}
}

// TestInitGeneratedServicesBuild runs init without questions and builds
// the repository that it generates.
func TestInitGeneratedServicesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generated services; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not in PATH: %v", err)
	}

	dir := filepath.Join(t.TempDir(), "shop")
	var stderr bytes.Buffer
	code := Run([]string{"init", dir, "--yes", "--no-git",
		"--service", "orders:database-per-service", "--service", "payments:cqrs",
		"--service", "inventory:shared-database:warehouse", "--service", "storefront",
		"--routes", "orders=/orders:GET,POST /orders/{id}", "--plugins", "correlationId,rateLimiting",
		"--discovery", "consul"}, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	if code != 0 {
		t.Fatalf("init exit code %d:\n%s", code, stderr.String())
	}

	if _, err := schema.Load(filepath.Join(dir, "msgen.cue")); err != nil {
		t.Fatalf("the spec that init wrote is invalid: %v", err)
	}
	for _, args := range [][]string{{"vet", "./..."}, {"build", "./..."}} {
		cmd := exec.Command(goTool, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the generated module: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
