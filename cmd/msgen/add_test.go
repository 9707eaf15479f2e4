package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

func TestParseRoute(t *testing.T) {
	for _, tc := range []struct {
		value   string
		path    string
		methods string
		err     string
	}{
		{value: "GET,POST /orders", path: "/orders", methods: "GET,POST"},
		{value: "  get   /orders/{id} ", path: "/orders/{id}", methods: "GET"},
		{value: "/orders", path: "/orders"},
		{value: "GET", err: "give the methods and the path"},
		{value: "GET /a /b", err: "give the methods and the path"},
		{value: "GET orders", err: "give the methods and the path"},
		{value: "GET,,POST /orders", err: "separate the methods with single commas"},
		{value: "", err: "give the methods and the path"},
	} {
		route, err := parseRoute(tc.value)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseRoute(%q) error = %v, want one that says %q", tc.value, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseRoute(%q): %v", tc.value, err)
			continue
		}
		if route.Path != tc.path || strings.Join(route.Methods, ",") != tc.methods {
			t.Errorf("parseRoute(%q) = %+v, want path %s and methods %q", tc.value, route, tc.path, tc.methods)
		}
		if again, _ := parseRoute(formatRoute(route)); again.Path != route.Path || strings.Join(again.Methods, ",") != tc.methods {
			t.Errorf("formatRoute(%+v) = %q, which parses back as %+v", route, formatRoute(route), again)
		}
	}
}

func TestNextFreePort(t *testing.T) {
	spec := func(kong, admin int, ports ...int) *schema.Spec {
		s := &schema.Spec{Services: map[string]*schema.Service{}}
		s.Gateway.Kong.Port, s.Gateway.Kong.AdminPort = kong, admin
		for i, port := range ports {
			name := string(rune('a' + i))
			s.Services[name] = &schema.Service{Name: name, Port: port}
		}
		return s
	}
	for _, tc := range []struct {
		name string
		spec *schema.Spec
		want int
	}{
		{"after the highest", spec(8000, 0, 8081, 8083), 8084},
		{"skips the gateway", spec(8084, 8085, 8081, 8083), 8086},
		{"wraps to the lowest free port", spec(8000, 0, 1024, 65535), 1025},
	} {
		if got := nextFreePort(tc.spec); got != tc.want {
			t.Errorf("%s: nextFreePort = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for word, want := range map[string]string{
		"billing":                  "billing",
		"--spec":                   "--spec",
		"GET,POST /invoices":       "'GET,POST /invoices'",
		"/invoices/{id}":           "'/invoices/{id}'",
		"it's":                     `'it'\''s'`,
		"repo/msgen.cue":           "repo/msgen.cue",
		"METHOD[,METHOD...] /path": "'METHOD[,METHOD...] /path'",
	} {
		if got := shellQuote(word); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", word, got, want)
		}
	}
}

func TestWriteSpecFile(t *testing.T) {
	t.Run("keeps the mode", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "msgen.cue")
		writeFile(t, path, "old\n", 0o640)

		if err := writeSpecFile(path, []byte("new\n"), []byte("old\n")); err != nil {
			t.Fatal(err)
		}
		checkFile(t, path, "new\n", 0o640)
	})

	t.Run("follows a symbolic link", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "specs", "shop.cue")
		writeFile(t, target, "old\n", 0o644)
		link := filepath.Join(dir, "msgen.cue")
		if err := os.Symlink(filepath.Join("specs", "shop.cue"), link); err != nil {
			t.Skipf("no symbolic links: %v", err)
		}

		if err := writeSpecFile(link, []byte("new\n"), []byte("old\n")); err != nil {
			t.Fatal(err)
		}
		if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Errorf("msgen.cue is no longer a symbolic link: %v", err)
		}
		checkFile(t, target, "new\n", 0o644)
	})

	t.Run("leaves a file changed meanwhile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "msgen.cue")
		writeFile(t, path, "changed by someone\n", 0o644)

		err := writeSpecFile(path, []byte("new\n"), []byte("old\n"))
		if err == nil || !strings.Contains(err.Error(), "changed while msgen was running") {
			t.Errorf("error = %v, want one that says the file changed", err)
		}
		checkFile(t, path, "changed by someone\n", 0o644)
		if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
			t.Errorf("the directory has %d entries, want only msgen.cue and no temporary file", len(entries))
		}
	})
}

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func checkFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != data {
		t.Errorf("%s = %q, want %q", filepath.Base(path), got, data)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != mode {
		t.Errorf("%s mode = %v, want %v", filepath.Base(path), info.Mode().Perm(), mode)
	}
}
