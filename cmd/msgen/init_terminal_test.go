package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/msgen-dev/msgen/schema"
)

// terminalLimit bounds every wait for the screen or the process, so that a
// prompt that hangs fails the test instead of hanging it. The tests assert
// no duration.
const terminalLimit = 15 * time.Second

// Keys as a terminal sends them.
const (
	keyEnter     = "\r"
	keyDown      = "\x1b[B"
	keyUp        = "\x1b[A"
	keyCtrlC     = "\x03"
	keyEsc       = "\x1b"
	keyClearLine = "\x15" // Ctrl-U deletes the text before the cursor
)

// terminalSession is msgen running on a pseudo-terminal of a fixed size,
// with the screen that it draws.
type terminalSession struct {
	t      *testing.T
	tty    *os.File
	screen *screen
	exited chan error
}

// terminalOptions are the settings of a terminal session.
type terminalOptions struct {
	rows, cols int
	// stderr receives msgen's standard error instead of the terminal.
	stderr io.Writer
	// env is added to the environment.
	env []string
}

// startTerminal starts msgen with args in dir on a new pseudo-terminal of
// 30 rows and 100 columns. msgen is this test binary, which TestMain runs
// as msgen under that name.
func startTerminal(t *testing.T, dir string, args ...string) *terminalSession {
	t.Helper()
	return startTerminalWith(t, dir, terminalOptions{rows: 30, cols: 100, env: []string{"NO_COLOR=1"}}, args...)
}

// startTerminalWith starts msgen as startTerminal does, with options.
func startTerminalWith(t *testing.T, dir string, opts terminalOptions, args ...string) *terminalSession {
	t.Helper()
	msgen, err := exec.LookPath("msgen")
	if err != nil {
		t.Fatalf("msgen is not on PATH, where TestMain puts it: %v", err)
	}
	cmd := exec.Command(msgen, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME=", "TERM=xterm-256color", "ACCESSIBLE=", "NO_COLOR=", "CLICOLOR_FORCE=", "CI=")
	cmd.Env = append(cmd.Env, opts.env...)
	cmd.Stderr = opts.stderr
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(opts.rows), Cols: uint16(opts.cols)})
	if err != nil {
		t.Fatalf("start msgen on a pseudo-terminal: %v", err)
	}

	s := &terminalSession{t: t, tty: tty, screen: newScreen(opts.rows, opts.cols, tty), exited: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.screen.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
	})
	return s
}

// waitFor waits until the screen shows every one of texts, which may wrap
// across lines, inside huh's border too.
func (s *terminalSession) waitFor(texts ...string) {
	s.t.Helper()
	deadline := time.Now().Add(terminalLimit)
	for {
		screen := s.screen.Text()
		flat := strings.Join(strings.Fields(strings.ReplaceAll(screen, "┃", " ")), " ")
		if !slices.ContainsFunc(texts, func(text string) bool {
			return !strings.Contains(screen, text) && !strings.Contains(flat, strings.Join(strings.Fields(text), " "))
		}) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen does not show %q after %v; it shows:\n%s", texts, terminalLimit, screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// press types keys as a person would.
func (s *terminalSession) press(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if _, err := s.tty.WriteString(k); err != nil {
			s.t.Fatalf("type %q: %v", k, err)
		}
		// Bubble Tea reads a lone Esc only when no byte follows it soon.
		time.Sleep(30 * time.Millisecond)
	}
}

// wait waits for msgen to exit and returns its exit code.
func (s *terminalSession) wait() int {
	s.t.Helper()
	select {
	case err := <-s.exited:
		var exitErr *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exitErr):
			return exitErr.ExitCode()
		}
		s.t.Fatalf("wait for msgen: %v", err)
	case <-time.After(terminalLimit):
		s.t.Fatalf("msgen did not exit within %v; the screen shows:\n%s", terminalLimit, s.screen.Text())
	}
	return -1
}

func TestInitWizardTerminal(t *testing.T) {
	dir := t.TempDir()
	s := startTerminal(t, dir, "init", "shop", "--no-git")

	// The defaults show in the inputs, and Enter takes them.
	s.waitFor("System name", "> shop")
	s.press(keyEnter)
	s.waitFor("Go module path", "> example.com/shop")
	s.press(keyEnter)

	// A wrong name is explained in place and can be corrected.
	s.waitFor("Service 1: name", "> api")
	s.press(keyClearLine, "Bad_Name", keyEnter)
	s.waitFor(`invalid service name "Bad_Name": a service name is a DNS label: lowercase letters, digits and dashes, starting with a letter and not ending with a dash, at most 63 characters`)
	s.press(keyClearLine, "orders", keyEnter)

	s.waitFor("orders: data pattern", "> stateless", "database-per-service")
	s.press(keyDown, keyEnter)
	s.waitFor("orders: port", "> 8081", "orders: routes")
	s.press(keyEnter)
	s.press(keyClearLine, "/orders:GET,POST /orders/{id}", keyEnter)

	s.waitFor("Add another service?", "Services so far: orders.")
	s.press("y")
	s.waitFor("Service 2: name")
	s.press("payments", keyEnter)
	s.waitFor("payments: data pattern")
	s.press(keyDown, keyDown, keyEnter)
	s.waitFor("payments: shared database", "> shared")
	s.press(keyClearLine, "warehouse", keyEnter)

	// The suggested port is the next free one, and a taken port is
	// refused.
	s.waitFor("payments: port", "> 8082")
	s.press(keyClearLine, "8081", keyEnter)
	s.waitFor(`port 8081 is already used by service "orders": choose a free port`)
	s.press(keyClearLine, "8090", keyEnter, keyEnter)
	s.waitFor("Add another service?", "Services so far: orders, payments.")
	s.press("n")

	s.waitFor("Gateway plugins", "correlationId", "rateLimiting")
	s.press(" ", keyEnter)
	s.waitFor("Service mesh", "> none")
	s.press(keyEnter)
	s.waitFor("Service discovery", "> dns")
	s.press(keyDown, keyEnter)
	s.waitFor("Targets", "compose", "kubernetes")
	s.press(keyEnter)

	s.waitFor("Write msgen.cue and generate the repository in shop?",
		"service orders: database-per-service, port 8081, /orders:GET,POST /orders/{id}",
		"service payments: shared-database of warehouse, port 8090, /payments",
		"plugins: correlationId; discovery: consul; mesh: none; targets: compose",
		"> Yes, write them", "Edit the answers", "Cancel", "esc cancel")
	s.press(keyEnter)

	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0; the screen shows:\n%s", code, s.screen.Text())
	}
	s.waitFor("and wrote shop/msgen.cue", "msgen: shop is ready")

	spec, err := schema.Load(filepath.Join(dir, "shop", "msgen.cue"))
	if err != nil {
		t.Fatalf("load the spec that init wrote: %v", err)
	}
	if spec.Name != "shop" || spec.Module != "example.com/shop" {
		t.Errorf("name and module = %q, %q, want shop, example.com/shop", spec.Name, spec.Module)
	}
	if got := strings.Join(spec.ServiceNames(), ","); got != "orders,payments" {
		t.Errorf("services = %s, want orders,payments", got)
	}
	orders := spec.Services["orders"]
	if orders.Data.Pattern != schema.PatternDatabasePerService || orders.Port != 8081 || len(orders.Routes) != 2 {
		t.Errorf("orders = %+v, want database-per-service on 8081 with two routes", orders)
	}
	payments := spec.Services["payments"]
	if payments.Data.Pattern != schema.PatternSharedDatabase || payments.Data.Database != "warehouse" || payments.Port != 8090 {
		t.Errorf("payments = %+v, want shared-database of warehouse on 8090", payments)
	}
	if spec.Gateway.Kong.Plugins.CorrelationID == nil || spec.Gateway.Kong.Plugins.RateLimiting != nil {
		t.Errorf("plugins = %+v, want correlationId alone", spec.Gateway.Kong.Plugins)
	}
	if spec.Discovery != schema.DiscoveryConsul {
		t.Errorf("discovery = %q, want consul", spec.Discovery)
	}
	if _, err := os.Stat(filepath.Join(dir, "shop", "services", "payments", "main.go")); err != nil {
		t.Errorf("the generated repository is missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "shop", ".git")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(".git exists although --no-git was given: %v", err)
	}
}

func TestInitWizardCancel(t *testing.T) {
	for _, tt := range []struct {
		name string
		key  string
	}{
		{"ctrl-c", keyCtrlC},
		{"esc", keyEsc},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := startTerminal(t, dir, "init", "shop")

			s.waitFor("System name")
			s.press(keyEnter)
			s.waitFor("Go module path")
			s.press(keyEnter)
			s.waitFor("Service 1: name")
			s.press(keyClearLine, "orders", keyEnter)
			s.waitFor("orders: data pattern")
			s.press(keyEnter)
			s.waitFor("orders: port")
			s.press(tt.key)

			if code := s.wait(); code != exitCancelled {
				t.Errorf("exit code %d, want %d", code, exitCancelled)
			}
			s.waitFor("msgen: init cancelled; nothing was written")
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				t.Errorf("the directory holds %v after the cancel, want nothing", entries)
			}
		})
	}
}

func TestInitWizardAccessible(t *testing.T) {
	dir := t.TempDir()
	s := startTerminal(t, dir, "init", "shop", "--accessible", "--no-git")

	// Each question is a plain line that names its default, after its
	// description.
	s.waitFor("A DNS label that names the compose project and the images.", "System name [shop]")
	s.press(keyEnter)
	s.waitFor("Go module path [example.com/shop]")
	s.press(keyEnter)
	s.waitFor("Service 1: name [api]")
	s.press("Bad_Name", keyEnter)
	s.waitFor(`invalid service name "Bad_Name": a service name is a DNS label`)
	s.press("orders", keyEnter)
	s.waitFor("orders: data pattern", "2. database-per-service")
	s.press("2", keyEnter)
	s.waitFor("The port that the service listens on, unique in the system.", "orders: port [8081]")
	s.press(keyEnter)
	s.waitFor("orders: routes [/orders]")
	s.press(keyEnter)
	s.waitFor("Add another service?")
	s.press("n", keyEnter)
	s.waitFor("Gateway plugins", multiSelectHelp)
	s.press("0", keyEnter)
	s.waitFor("Service mesh")
	s.press(keyEnter)
	s.waitFor("Service discovery")
	s.press(keyEnter)
	s.waitFor("Targets")
	s.press("0", keyEnter)

	// The summary shows in accessible mode too.
	s.waitFor("shop, module example.com/shop",
		"service orders: database-per-service, port 8081, /orders",
		"Write msgen.cue and generate the repository in shop?", "1. Yes, write them")
	s.press(keyEnter)

	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0; the screen shows:\n%s", code, s.screen.Text())
	}
	spec, err := schema.Load(filepath.Join(dir, "shop", "msgen.cue"))
	if err != nil {
		t.Fatalf("load the spec that init wrote: %v", err)
	}
	orders := spec.Services["orders"]
	if orders == nil || orders.Data.Pattern != schema.PatternDatabasePerService || orders.Port != 8081 {
		t.Errorf("orders = %+v, want database-per-service on 8081", orders)
	}
}
