package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// promptWait bounds each wait for the form to show a prompt. It only keeps
// a broken form from hanging the test.
const promptWait = 20 * time.Second

// terminalOutput collects what a program writes to a pseudo-terminal.
type terminalOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// seen is the length of the output that waitForOutput has looked at.
	seen int
}

func (o *terminalOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// TestAddServicePromptsOnTerminal runs add service on a pseudo-terminal,
// where huh's interactive form prompts for the values that no flag gives,
// and fills the form in with key presses.
func TestAddServicePromptsOnTerminal(t *testing.T) {

	dir := t.TempDir()
	specPath := filepath.Join(dir, "msgen.cue")
	spec := `name:   "shop"
module: "example.com/shop"
databases: warehouse: {}
events: OrderCreated: {orderId: "string"}
services: orders: {port: 8081, publishes: ["OrderCreated"]}
`
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}

	ptmx, output, exit := startOnTerminal(t, "add", "service", "billing", "--spec", specPath, "--calls", "orders")

	// A form shows all of its prompts at once and moves the focus to the
	// next field asynchronously, so each key press waits until the help
	// line of the focused field shows on the terminal after the previous
	// key press.
	for _, step := range []struct {
		shows string
		keys  string
	}{
		{"Port (default 8082)", "\x15" + "9100\r"}, // ctrl+u clears the default
		{"enter submit", "\x1b[B\x1b[B\r"},         // two down arrows: shared-database
		{"Shared database", "\r"},
		{"shift+tab back • enter next", "GET,POST /bills\r"},
		{"enter confirm", "x\r"}, // x selects OrderCreated among the published events
		{"enter submit", "\r"},
	} {
		waitForOutput(t, output, step.shows)
		if _, err := ptmx.Write([]byte(step.keys)); err != nil {
			t.Fatal(err)
		}
	}

	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit code %d, want 0; terminal output:\n%s", code, output.String())
		}
	case <-time.After(promptWait):
		t.Fatalf("add service did not finish within %s; terminal output:\n%s", promptWait, output.String())
	}

	edited, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	want := spec + `services: billing: {
	port: 9100
	routes: [{path: "/bills", methods: ["GET", "POST"]}]
	data: {pattern: "shared-database", database: "warehouse"}
	publishes: ["OrderCreated"]
	calls: ["orders"]
}
`
	if string(edited) != want {
		t.Errorf("spec after the prompts:\n%s\nwant:\n%s", edited, want)
	}
	// The command that adds the same service without prompts follows.
	waitForOutput(t, output, "msgen add service billing --port 9100 --pattern shared-database --database warehouse --route 'GET,POST /bills' --publishes OrderCreated --calls orders")
}

// startOnTerminal starts msgen with args on a new 120x40 pseudo-terminal. It
// returns the terminal's controlling side, for key presses, what msgen
// writes to it, and a channel that receives the exit code.
func startOnTerminal(t *testing.T, args ...string) (*os.File, *terminalOutput, <-chan int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() {
		ptmx.Close()
		tty.Close()
	})
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}

	output := &terminalOutput{}
	go func() {
		chunk := make([]byte, 4096)
		for {
			n, err := ptmx.Read(chunk)
			output.mu.Lock()
			output.buf.Write(chunk[:n])
			output.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	exit := make(chan int, 1)
	go func() {
		exit <- Run(args, tty, tty, tty)
	}()
	return ptmx, output, exit
}

// waitForOutput waits until the terminal output that came after the
// previous call contains text.
func waitForOutput(t *testing.T, output *terminalOutput, text string) {
	t.Helper()
	deadline := time.Now().Add(promptWait)
	for {
		output.mu.Lock()
		index := strings.Index(output.buf.String()[output.seen:], text)
		if index >= 0 {
			output.seen += index + len(text)
		}
		output.mu.Unlock()
		if index >= 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q on the terminal within %s; output:\n%s", text, promptWait, output.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAddServicePromptCancel presses Esc at the first prompt: add exits
// 130, as init does, and leaves the spec as it was.
func TestAddServicePromptCancel(t *testing.T) {

	dir := t.TempDir()
	specPath := filepath.Join(dir, "msgen.cue")
	spec := "name: \"shop\"\nmodule: \"example.com/shop\"\nservices: orders: port: 8081\n"
	if err := os.WriteFile(specPath, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}

	ptmx, output, exit := startOnTerminal(t, "add", "service", "billing", "--spec", specPath)

	waitForOutput(t, output, "Port (default 8082)")
	if _, err := ptmx.Write([]byte("\x1b")); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exit:
		if code != exitCancelled {
			t.Fatalf("exit code %d, want %d; terminal output:\n%s", code, exitCancelled, output.String())
		}
	case <-time.After(promptWait):
		t.Fatalf("add service did not end within %s after Esc; terminal output:\n%s", promptWait, output.String())
	}
	waitForOutput(t, output, "add cancelled; nothing was written")

	edited, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(edited) != spec {
		t.Errorf("spec after Esc:\n%s\nwant it unchanged:\n%s", edited, spec)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("directory after Esc holds %d entries (%v), want only msgen.cue", len(entries), err)
	}
}
