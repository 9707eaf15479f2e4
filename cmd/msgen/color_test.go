package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// runOnTerminal runs msgen with a pseudo-terminal as stdout and returns
// what it wrote there.
func runOnTerminal(t *testing.T, args ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()

	output := make(chan []byte)
	go func() {
		data, _ := io.ReadAll(ptmx)
		output <- data
	}()
	var stderr bytes.Buffer
	Run(args, strings.NewReader(""), tty, &stderr)
	tty.Close()
	// The terminal turns "\n" into "\r\n".
	return strings.ReplaceAll(string(<-output), "\r\n", "\n")
}

// driftedRepository generates a repository into a temporary directory and
// appends a line to its managed kong.yml.
func driftedRepository(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	spec := filepath.Join(dir, "msgen.cue")
	src := "name: \"shop\"\nmodule: \"example.com/shop\"\nservices: api: port: 8080\n"
	if err := os.WriteFile(spec, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := Run([]string{"generate", "--spec", spec}, nil, io.Discard, &stderr); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, stderr.String())
	}
	kong := filepath.Join(dir, "gateway", "kong.yml")
	data, err := os.ReadFile(kong)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kong, append(data, "# mine\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestDiffColorOnTerminal(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	spec := driftedRepository(t)

	got := runOnTerminal(t, "diff", "--spec", spec)
	for _, want := range []string{
		ansiBold + "diff --git a/gateway/kong.yml b/gateway/kong.yml" + ansiReset + "\n",
		ansiBold + "--- a/gateway/kong.yml" + ansiReset + "\n",
		ansiCyan + "@@ ",
		ansiRed + "-# mine" + ansiReset + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diff on a terminal lacks %q:\n%q", want, got)
		}
	}
}

func TestDiffNoColorVariable(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	spec := driftedRepository(t)

	got := runOnTerminal(t, "diff", "--spec", spec)
	if strings.Contains(got, "\x1b[") {
		t.Errorf("diff with NO_COLOR set contains escape sequences:\n%q", got)
	}
	if !strings.Contains(got, "\n-# mine\n") {
		t.Errorf("diff with NO_COLOR set lacks the plain deletion:\n%q", got)
	}
}
