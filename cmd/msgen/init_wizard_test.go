package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/msgen-dev/msgen/schema"
)

const keyShiftTab = "\x1b[Z"

// TestInitWizardChecksAcrossServices answers with values that break rules
// across services, sees each explained at the question, and then edits
// the answers from the final confirmation.
func TestInitWizardChecksAcrossServices(t *testing.T) {
	dir := t.TempDir()
	s := startTerminal(t, dir, "init", "shop", "--no-git", "--name", "shop", "--module", "example.com/shop", "--plugins", "")

	s.waitFor("Service 1: name", "> api")
	s.press(keyEnter)
	s.waitFor("api: data pattern")
	s.press(keyEnter)
	s.waitFor("api: port", "api: routes")
	s.press(keyEnter, keyEnter)

	// A route that another service's route conflicts with is explained
	// at the routes.
	s.waitFor("Add another service?")
	s.press("y")
	s.waitFor("Service 2: name", "Leave it empty to add no more services.")
	s.press("web", keyEnter)
	s.waitFor("web: data pattern")
	s.press(keyEnter)
	s.waitFor("web: port", "> 8082")
	s.press(keyEnter, "/api", keyEnter)
	s.waitFor(`GET /api conflicts with GET /api (service "api")`)
	s.press(keyClearLine, "/web", keyEnter)

	s.waitFor("Add another service?", "Services so far: api, web.")
	s.press("y")
	s.waitFor("Service 3: name")
	s.press("orders", keyEnter)
	s.waitFor("orders: data pattern")
	s.press(keyDown, keyEnter)
	s.waitFor("orders: port")
	s.press(keyEnter, keyEnter)

	// A service named like another service's database container, and a
	// shared database whose container has that name too, are explained
	// at the name and at the database.
	s.waitFor("Add another service?")
	s.press("y")
	s.waitFor("Service 4: name")
	s.press("orders-db", keyEnter)
	s.waitFor(`the database container "orders-db" of service "orders" has the same name as service "orders-db"`)
	s.press(keyClearLine, "stock", keyEnter)
	s.waitFor("stock: data pattern")
	s.press(keyDown, keyDown, keyEnter)
	s.waitFor("stock: shared database", "> shared")
	s.press(keyClearLine, "orders", keyEnter)
	s.waitFor(`the container "orders-db" of database "orders" has the same name as the database of service "orders"`)
	s.press(keyClearLine, "warehouse", keyEnter)
	s.waitFor("stock: port")
	s.press(keyEnter, keyEnter)

	// A name too long for the host of the service's own database is
	// explained at the data pattern, and Shift+Tab goes back to the name.
	long := "a" + strings.Repeat("b", 60)
	s.waitFor("Add another service?")
	s.press("y")
	s.waitFor("Service 5: name")
	s.press(long, keyEnter)
	s.waitFor(long + ": data pattern")
	s.press(keyDown, keyEnter)
	s.waitFor(fmt.Sprintf("the name of service %q is too long for its database host", long))
	s.press(keyUp, keyShiftTab)
	s.waitFor("Service 5: name", "> "+long)
	s.press(keyClearLine, "ledger", keyEnter)
	s.waitFor("ledger: data pattern")
	s.press(keyEnter)
	s.waitFor("ledger: port")
	s.press(keyEnter, keyEnter)

	// An empty name adds no more services.
	s.waitFor("Add another service?")
	s.press("y")
	s.waitFor("Service 6: name")
	s.press(keyEnter)

	// Consul's mesh sets Consul discovery, without the question.
	s.waitFor("Service mesh", "> none")
	s.press(keyDown, keyEnter)
	s.waitFor("Targets")
	s.press(keyEnter)
	s.waitFor(`msgen: note: discovery is "consul", because mesh "consul-connect" needs Consul`,
		"service ledger: stateless, port 8085, /ledger",
		"discovery: consul; mesh: consul-connect", "Edit the answers")

	// Edit goes back through every answer, pre-filled, the flags' too.
	s.press(keyDown, keyEnter)
	s.waitFor("System name", "> shop")
	s.press(keyEnter)
	s.waitFor("Go module path", "> example.com/shop")
	s.press(keyEnter)
	for i, name := range []string{"api", "web", "orders", "stock"} {
		s.waitFor(fmt.Sprintf("Service %d: name", i+1), "> "+name)
		s.press(keyEnter)
		s.waitFor(name + ": data pattern")
		s.press(keyEnter)
		if name == "stock" {
			s.waitFor("stock: shared database", "> warehouse")
			s.press(keyEnter)
		}
		s.waitFor(name + ": port")
		s.press(keyEnter, keyEnter)
	}
	s.waitFor("Service 5: name", "> ledger", "Leave it empty to remove the service.")
	s.press(keyClearLine, keyEnter)
	s.waitFor("Add another service?")
	s.press(keyEnter)
	s.waitFor("Gateway plugins")
	s.press(keyEnter)
	s.waitFor("Service mesh", "> consul-connect")
	s.press(keyUp, keyEnter)
	s.waitFor("Service discovery", "> consul")
	s.press(keyEnter)
	s.waitFor("Targets")
	s.press(keyEnter)
	s.waitFor("Write msgen.cue", "discovery: consul; mesh: none")
	s.press(keyEnter)

	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0; the screen shows:\n%s", code, s.screen.Text())
	}
	spec, err := schema.Load(filepath.Join(dir, "shop", "msgen.cue"))
	if err != nil {
		t.Fatalf("load the spec that init wrote: %v", err)
	}
	if got := strings.Join(spec.ServiceNames(), ","); got != "api,orders,stock,web" {
		t.Errorf("services = %s, want api,orders,stock,web", got)
	}
	if got := spec.Services["web"].Routes; len(got) != 1 || got[0].Path != "/web" {
		t.Errorf("web routes = %+v, want /web", got)
	}
	if got := spec.Services["stock"].Data.Database; got != "warehouse" {
		t.Errorf("stock database = %q, want warehouse", got)
	}
	if spec.Mesh != "none" || spec.Discovery != schema.DiscoveryConsul {
		t.Errorf("mesh, discovery = %q, %q, want none, consul", spec.Mesh, spec.Discovery)
	}
}

// TestInitWizardSummaryFits confirms 25 services on a terminal of 24 rows
// and 80 columns: the summary shortens so that the question and its
// choices stay on the screen.
func TestInitWizardSummaryFits(t *testing.T) {
	dir := t.TempDir()
	args := []string{"init", "shop", "--no-git", "--name", "shop", "--module", "example.com/shop", "--plugins", "", "--mesh", "none", "--discovery", "dns", "--target", "compose"}
	for i := range 25 {
		args = append(args, "--service", fmt.Sprintf("service-with-a-long-name-%02d", i), "--routes", fmt.Sprintf("service-with-a-long-name-%02d=/a/long/path/%02d:GET,POST /another/long/path/%02d/{id}", i, i, i))
	}
	s := startTerminalWith(t, dir, terminalOptions{rows: 24, cols: 80, env: []string{"NO_COLOR=1"}}, args...)

	s.waitFor("Write msgen.cue and generate the repository in shop?", "shop, module example.com/shop",
		"service service-with-a-long-name-00", "more", "plugins: none", "Yes, write them", "Cancel", "esc cancel")
	for _, line := range strings.Split(s.screen.Text(), "\n") {
		if len([]rune(line)) >= 80 {
			t.Errorf("a line fills the terminal's width and may wrap: %q", line)
		}
	}
	s.press(keyEnter)
	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0; the screen shows:\n%s", code, s.screen.Text())
	}
}

// syncBuffer is a buffer that one goroutine writes and another reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestInitWizardStderrNotTerminal asks on a terminal while stderr goes to
// a file, so the wizard asks line by line. The prompts carry the
// descriptions and the summary, and no escape sequences, although stdout
// is a colour terminal and NO_COLOR is not set.
func TestInitWizardStderrNotTerminal(t *testing.T) {
	dir := t.TempDir()
	stderr := &syncBuffer{}
	s := startTerminalWith(t, dir, terminalOptions{rows: 30, cols: 100, stderr: stderr, env: []string{"COLORTERM=truecolor"}},
		"init", "shop", "--no-git", "--name", "shop", "--service", "api", "--plugins", "", "--mesh", "none", "--discovery", "dns", "--target", "compose")

	waitForOutput := func(texts ...string) {
		t.Helper()
		deadline := time.Now().Add(terminalLimit)
		for {
			output := stderr.String()
			missing := ""
			for _, text := range texts {
				if !strings.Contains(output, text) {
					missing = text
				}
			}
			if missing == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("stderr does not show %q after %v; it shows:\n%s", missing, terminalLimit, output)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitForOutput("The module path of the generated repository, as in go.mod.", "Go module path [example.com/shop]")
	s.press(keyEnter)
	waitForOutput("shop, module example.com/shop", "service api: stateless, port 8081, /api", "Write msgen.cue and generate the repository in shop?", "1. Yes, write them")
	s.press(keyEnter)

	if code := s.wait(); code != 0 {
		t.Fatalf("exit code %d, want 0; stderr shows:\n%s", code, stderr.String())
	}
	if output := stderr.String(); strings.Contains(output, "\x1b") {
		t.Errorf("stderr contains escape sequences:\n%q", output)
	}
}
