package generator

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildNATSServer builds the NATS server from the module that the generated
// repository requires for its own tests, and returns the binary's path. The
// end-to-end tests run it as a process, so that they can kill it.
func buildNATSServer(t *testing.T, dir string) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "nats-server")
	runGo(t, dir, "build", "-o", binary, "github.com/nats-io/nats-server/v2")
	return binary
}

// natsURL returns the client URL of a NATS server on a loopback port.
func natsURL(port int) string {
	return "nats://127.0.0.1:" + strconv.Itoa(port)
}

// testBroker is a NATS server process with JetStream on a loopback port,
// which keeps its streams in a temporary directory across restarts.
type testBroker struct {
	binary   string
	port     int
	storeDir string
	cmd      *exec.Cmd
	output   *lockedBuffer
	exited   chan error
}

// startBroker starts the NATS server binary and stops it when the test
// ends.
func startBroker(t *testing.T, binary string) *testBroker {
	t.Helper()
	b := &testBroker{binary: binary, port: closedPort(t), storeDir: t.TempDir()}
	b.start(t)
	t.Cleanup(func() {
		if b.cmd != nil {
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
		if t.Failed() {
			t.Logf("output of nats-server:\n%s", b.output.String())
		}
	})
	return b
}

func (b *testBroker) url() string {
	return natsURL(b.port)
}

// start starts the server and waits until it accepts connections.
func (b *testBroker) start(t *testing.T) {
	t.Helper()
	b.output = &lockedBuffer{}
	b.exited = make(chan error, 1)
	b.cmd = exec.Command(b.binary, "--addr", "127.0.0.1", "--port", strconv.Itoa(b.port),
		"--jetstream", "--store_dir", b.storeDir)
	b.cmd.Stdout = b.output
	b.cmd.Stderr = b.output
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start nats-server: %v", err)
	}
	go func() { b.exited <- b.cmd.Wait() }()

	deadline := time.Now().Add(waitLimit)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", b.port), time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case err := <-b.exited:
			t.Fatalf("nats-server exited at startup: %v\n%s", err, b.output.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nats-server did not accept connections within %s", waitLimit)
		}
	}
}

// kill kills the server with SIGKILL, as a crash would.
func (b *testBroker) kill(t *testing.T) {
	t.Helper()
	if err := b.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill nats-server: %v", err)
	}
	<-b.exited
	b.cmd = nil
}

// request sends a request to the service with optional header name and
// value pairs, and returns the status code and body.
func (s *runningService) request(t *testing.T, method, path, body string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", s.port, path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := http.Client{Timeout: waitLimit}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the body: %v", method, path, err)
	}
	return resp.StatusCode, string(data)
}

// post sends POST path with a JSON body.
func (s *runningService) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	return s.request(t, http.MethodPost, path, body)
}
