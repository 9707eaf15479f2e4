package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/msgen-dev/msgen/schema"
)

// waitLimit bounds every wait for a process or a server in these tests. It
// only keeps a broken build from hanging the test run; the tests assert no
// duration.
const waitLimit = 20 * time.Second

// TestE2EOrdersService generates the shop, checks that the generated module
// passes go vet and builds, and runs the orders service against a database
// that is down, then against a real PostgreSQL.
func TestE2EOrdersService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated service; skipped with -short")
	}

	dir := generateShop(t, nil)
	runGo(t, dir, "vet", "./...")
	runGo(t, dir, "build", "./...")
	runGo(t, dir, "test", "./internal/platform/")
	orders := buildService(t, dir, "orders")
	natsServer := buildNATSServer(t, dir)

	t.Run("database down", func(t *testing.T) {
		svc := startService(t, orders, "DATABASE_URL="+postgresURL(closedPort(t), "orders"), "NATS_URL="+natsURL(closedPort(t)))

		if code, body := svc.get(t, "/livez"); code != http.StatusOK {
			t.Errorf("GET /livez = %d %s, want 200", code, body)
		}
		code, body := svc.get(t, "/readyz")
		if code != http.StatusServiceUnavailable {
			t.Errorf("GET /readyz = %d %s, want 503", code, body)
		}
		if !strings.Contains(body, `"name":"database"`) {
			t.Errorf("GET /readyz body = %s, want the failed check named database", body)
		}
		if code, _ := svc.healthcheck(t); code == 0 {
			t.Error("healthcheck exit code = 0, want non-zero")
		}
		if code, body := svc.get(t, "/orders/42"); code != http.StatusInternalServerError || strings.Contains(body, "connect") {
			t.Errorf("GET /orders/42 = %d %s, want 500 from the scaffolded store, without the database error", code, body)
		}
		if code, body := svc.post(t, "/orders", "{}"); code != http.StatusNotImplemented {
			t.Errorf("POST /orders = %d %s, want 501 from the scaffolded handler", code, body)
		}

		svc.stop(t)

		// Nothing listens now, so the request itself fails.
		code, output := svc.healthcheck(t)
		if code == 0 {
			t.Error("healthcheck of a stopped service: exit code 0, want non-zero")
		}
		url := fmt.Sprintf("http://127.0.0.1:%d/readyz", svc.port)
		if n := strings.Count(output, url); n != 1 {
			t.Errorf("healthcheck output %q names %s %d times, want once", output, url, n)
		}
	})

	t.Run("database up", func(t *testing.T) {
		db := startPostgres(t)
		broker := startBroker(t, natsServer)

		// The readiness endpoint returns 503 until the migrations are
		// applied, which happens in the background after startup.
		svc := startService(t, orders, "DATABASE_URL="+db.url("postgres"), "NATS_URL="+broker.url())
		if code, body := svc.waitForReadiness(t, http.StatusOK); code != http.StatusOK {
			t.Errorf("GET /readyz = %d %s, want 200", code, body)
		}
		for _, check := range []string{"database", "migrations", "broker"} {
			if _, body := svc.get(t, "/readyz"); !strings.Contains(body, `"name":"`+check+`"`) {
				t.Errorf("GET /readyz body = %s, want the %s check", body, check)
			}
		}
		if code, _ := svc.healthcheck(t); code != 0 {
			t.Errorf("healthcheck exit code = %d, want 0", code)
		}
		svc.stop(t)

		// With trust authentication the server sends AuthenticationOk and
		// only then reports the missing database.
		missing := startService(t, orders, "DATABASE_URL="+db.url(missingTrustedDatabase), "NATS_URL="+broker.url())
		code, body := missing.get(t, "/readyz")
		if code != http.StatusServiceUnavailable {
			t.Errorf("GET /readyz with a missing database under trust authentication = %d %s, want 503", code, body)
		}
		if !strings.Contains(body, "3D000") {
			t.Errorf("GET /readyz body = %s, want SQLSTATE 3D000 (database does not exist)", body)
		}
		missing.stop(t)

		// pg_hba.conf rejects this database before authentication, so the
		// server replies to the startup message with an ErrorResponse.
		rejected := startService(t, orders, "DATABASE_URL="+db.url(rejectedDatabase), "NATS_URL="+broker.url())
		code, body = rejected.get(t, "/readyz")
		if code != http.StatusServiceUnavailable {
			t.Errorf("GET /readyz with a rejected database = %d %s, want 503", code, body)
		}
		if !strings.Contains(body, "pg_hba.conf rejects connection") {
			t.Errorf("GET /readyz body = %s, want the server's message", body)
		}
		if !strings.Contains(body, "28000") {
			t.Errorf("GET /readyz body = %s, want SQLSTATE 28000", body)
		}
		rejected.stop(t)
	})

	t.Run("drain delay", func(t *testing.T) {
		db := startPostgres(t)
		broker := startBroker(t, natsServer)

		// During the drain delay the readiness endpoint returns 503 while
		// routes are still served, and a second SIGTERM ends the process.
		svc := startService(t, orders, "DATABASE_URL="+db.url("postgres"), "NATS_URL="+broker.url(), "DRAIN_DELAY=1h")
		if code, body := svc.waitForReadiness(t, http.StatusOK); code != http.StatusOK {
			t.Fatalf("GET /readyz = %d %s, want 200", code, body)
		}
		svc.signal(t)
		code, body := svc.waitForReadiness(t, http.StatusServiceUnavailable)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, `"name":"shutdown"`) {
			t.Errorf("GET /readyz after SIGTERM = %d %s, want 503 with the shutdown check", code, body)
		}
		if code, body := svc.get(t, "/orders/42"); code != http.StatusNotFound {
			t.Errorf("GET /orders/42 during the drain delay = %d %s, want 404 from the scaffolded store", code, body)
		}
		svc.signal(t)
		if err := svc.wait(t); !killedBy(err, syscall.SIGTERM) {
			t.Errorf("exit after a second SIGTERM: %v, want death by SIGTERM", err)
		}

		// A short drain delay ends in a clean shutdown.
		short := startService(t, orders, "DATABASE_URL="+db.url("postgres"), "NATS_URL="+broker.url(), "DRAIN_DELAY=200ms")
		short.stop(t)
		if !strings.Contains(short.output.String(), `"drain_delay":"200ms"`) {
			t.Errorf("output does not log the drain delay of 200ms:\n%s", short.output.String())
		}
	})
}

// TestE2EConsulRegistration runs the orders service of the shop generated
// with Consul discovery against a fake Consul agent, and checks that the
// service registers with its readiness check and deregisters on SIGTERM.
func TestE2EConsulRegistration(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated service; skipped with -short")
	}

	dir := generateShop(t, func(spec *schema.Spec) { spec.Discovery = schema.DiscoveryConsul })
	orders := buildService(t, dir, "orders")
	agent := newFakeConsul(t)

	svc := startService(t, orders,
		"DATABASE_URL="+postgresURL(closedPort(t), "orders"),
		"NATS_URL="+natsURL(closedPort(t)),
		"CONSUL_HTTP_ADDR="+strings.TrimPrefix(agent.server.URL, "http://"),
	)
	registration := agent.waitForRegistration(t)

	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	wantID := "orders-" + hostname + "-" + strconv.Itoa(svc.port)
	if registration.ID != wantID {
		t.Errorf("registration ID = %q, want %q", registration.ID, wantID)
	}
	if registration.Name != "orders" {
		t.Errorf("registration Name = %q, want orders", registration.Name)
	}
	if registration.Address != "127.0.0.1" {
		t.Errorf("registration Address = %q, want 127.0.0.1, the local address towards the agent", registration.Address)
	}
	if registration.Port != svc.port {
		t.Errorf("registration Port = %d, want %d", registration.Port, svc.port)
	}
	wantCheck := fakeConsulCheck{
		HTTP:                           fmt.Sprintf("http://127.0.0.1:%d/readyz", svc.port),
		Interval:                       "10s",
		Timeout:                        "3s",
		DeregisterCriticalServiceAfter: "1m",
	}
	if registration.Check != wantCheck {
		t.Errorf("registration Check = %+v, want %+v", registration.Check, wantCheck)
	}

	// An agent that restarts loses its registrations, so the instance
	// registers again within one health check interval, 10s in the shop.
	agent.forget()
	if again := agent.waitForRegistration(t); again.ID != wantID {
		t.Errorf("registration ID after the agent forgot it = %q, want %q", again.ID, wantID)
	}

	svc.stop(t)
	wantDeregister := "/v1/agent/service/deregister/" + wantID
	if paths := agent.paths(); !slices.Contains(paths, "PUT "+wantDeregister) {
		t.Errorf("agent requests = %q, want PUT %s after SIGTERM", paths, wantDeregister)
	}
}

// edgeSpec has service names that clash with names in main.go, with
// predeclared identifiers or with the platform package, a root route, camel-case path parameters, secrets, a
// composition with several methods and a millisecond health timeout.
const edgeSpec = `
name:      "edge"
module:    "example.com/edge"
discovery: "consul"
databases: stock: {}
services: {
	platform: {
		port: 9001
		routes: [
			{path: "/", methods: ["GET"]},
			{path: "/items/{itemId}/parts/{partId}", methods: ["GET", "DELETE"]},
		]
		secrets: ["API_KEY"]
		calls: ["http"]
	}
	http: {
		port: 9002
		data: {pattern: "shared-database", database: "stock"}
		routes: [{path: "/v1/time-zones"}]
	}
	service: port: 9003
	handler: port: 9005
	mux: port:     9006
	rt: port:      9007
	true: {port: 9008, data: pattern: "database-per-service"}
	false: port:   9009
	init: port:    9010
	time: {
		port: 9004
		health: {liveness: "/health/live", readiness: "/health/ready", timeout: "1500ms"}
	}
}
compositions: both: {path: "/both/{id}", composer: "service", from: ["platform", "http"], methods: ["GET", "POST"]}
`

// TestE2EEdgeSpecBuilds checks that a spec with unusual names generates a
// module that passes go vet.
func TestE2EEdgeSpecBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated module; skipped with -short")
	}

	spec, err := schema.LoadSource("msgen.cue", []byte(edgeSpec))
	if err != nil {
		t.Fatalf("load the edge spec: %v", err)
	}
	dir := writeGenerated(t, spec)
	runGo(t, dir, "vet", "./...")
}

// generateShop generates the shop example, changed by edit when it is not
// nil, into a temporary directory and returns the directory.
func generateShop(t *testing.T, edit func(*schema.Spec)) string {
	t.Helper()
	spec, err := schema.Load(filepath.Join("..", "testdata", "examples", "shop", "msgen.cue"))
	if err != nil {
		t.Fatalf("load the shop spec: %v", err)
	}
	if edit != nil {
		edit(spec)
	}
	return writeGenerated(t, spec)
}

// writeGenerated generates the repository of spec into a temporary
// directory and returns the directory.
func writeGenerated(t *testing.T, spec *schema.Spec) string {
	t.Helper()
	files, err := Generate(spec)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}

	dir := t.TempDir()
	for _, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runGo runs the go command in the generated module. The module's
// requirements come from the module cache or the environment's GOPROXY, and
// -mod=readonly fails the command when the scaffolded go.mod or go.sum
// misses an entry that a fresh clone would need.
func runGo(t *testing.T, dir string, args ...string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not in PATH: %v", err)
	}
	cmd := exec.Command(goTool, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s in the generated module: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// buildService builds the binary of the named service and returns its path.
func buildService(t *testing.T, dir, name string) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), name)
	runGo(t, dir, "build", "-o", binary, "./services/"+name)
	return binary
}

// runningService is a generated service binary running on a loopback port.
type runningService struct {
	binary string
	// host is the address that the test dials: LISTEN_ADDRESS when the
	// service's environment sets it, otherwise 127.0.0.1.
	host   string
	port   int
	cmd    *exec.Cmd
	output *lockedBuffer
	exited chan error
}

// startService starts binary with PORT set to a free loopback port and the
// given extra environment, and waits until its liveness endpoint returns 200.
func startService(t *testing.T, binary string, env ...string) *runningService {
	t.Helper()
	return startServiceOnPort(t, binary, closedPort(t), env...)
}

// startServiceOnPort starts binary like startService, on the given port.
func startServiceOnPort(t *testing.T, binary string, port int, env ...string) *runningService {
	t.Helper()
	svc := &runningService{
		binary: binary,
		host:   "127.0.0.1",
		port:   port,
		output: &lockedBuffer{},
		exited: make(chan error, 1),
	}
	for _, variable := range env {
		if address, ok := strings.CutPrefix(variable, "LISTEN_ADDRESS="); ok && address != "" {
			svc.host = address
		}
	}
	svc.cmd = exec.Command(binary)
	svc.cmd.Env = append([]string{"PORT=" + strconv.Itoa(svc.port), "LOG_LEVEL=debug"}, env...)
	svc.cmd.Stdout = svc.output
	svc.cmd.Stderr = svc.output
	if err := svc.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	go func() { svc.exited <- svc.cmd.Wait() }()
	t.Cleanup(func() {
		_ = svc.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("output of %s:\n%s", filepath.Base(binary), svc.output.String())
		}
	})

	deadline := time.Now().Add(waitLimit)
	for {
		if code, _, err := svc.tryGet("/livez"); err == nil && code == http.StatusOK {
			return svc
		}
		select {
		case err := <-svc.exited:
			t.Fatalf("%s exited before it served /livez: %v\n%s", binary, err, svc.output.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not serve /livez within %s", binary, waitLimit)
		}
	}
}

func (s *runningService) tryGet(path string) (int, string, error) {
	client := http.Client{Timeout: waitLimit}
	resp, err := client.Get("http://" + net.JoinHostPort(s.host, strconv.Itoa(s.port)) + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// get sends GET path to the service and returns the status code and body.
func (s *runningService) get(t *testing.T, path string) (int, string) {
	t.Helper()
	code, body, err := s.tryGet(path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return code, body
}

// healthcheck runs "<binary> healthcheck" against the service and returns
// its exit code and output.
func (s *runningService) healthcheck(t *testing.T) (int, string) {
	t.Helper()
	cmd := exec.Command(s.binary, "healthcheck")
	cmd.Env = []string{"PORT=" + strconv.Itoa(s.port), "LISTEN_ADDRESS=" + s.host}
	out, err := cmd.CombinedOutput()
	output := string(bytes.TrimSpace(out))
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, output
	case errors.As(err, &exitErr):
		t.Logf("healthcheck: %s", output)
		return exitErr.ExitCode(), output
	default:
		t.Fatalf("run healthcheck: %v", err)
		return -1, ""
	}
}

// signal sends SIGTERM to the service.
func (s *runningService) signal(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("send SIGTERM: %v", err)
	}
}

// wait waits for the service to exit and returns the error of cmd.Wait.
func (s *runningService) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.exited:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("the service did not exit within %s", waitLimit)
		return nil
	}
}

// stop sends SIGTERM and checks that the service exits with code 0.
func (s *runningService) stop(t *testing.T) {
	t.Helper()
	s.signal(t)
	if err := s.wait(t); err != nil {
		t.Errorf("exit after SIGTERM: %v, want exit code 0\n%s", err, s.output.String())
	}
}

// waitForReadiness sends GET /readyz until the response has the status
// code want or the request fails, and returns the last response.
func (s *runningService) waitForReadiness(t *testing.T, want int) (int, string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		code, body, err := s.tryGet("/readyz")
		if err != nil {
			t.Fatalf("GET /readyz: %v", err)
		}
		if code == want || time.Now().After(deadline) {
			return code, body
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killedBy reports whether err is the exit of a process that sig killed.
func killedBy(err error, sig syscall.Signal) bool {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return false
	}
	status, ok := exitErr.Sys().(syscall.WaitStatus)
	return ok && status.Signaled() && status.Signal() == sig
}

// lockedBuffer collects the output of a process for failure messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// closedPort returns a loopback port on which nothing listens right now.
func closedPort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	if err := listener.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

func postgresURL(port int, database string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", postgresPassword, port, database)
}

// Settings of the PostgreSQL server that the test starts.
const (
	postgresPassword = "e2e-password"
	rejectedDatabase = "rejected"
	// missingTrustedDatabase does not exist, and pg_hba.conf lets any user
	// connect to it without a password.
	missingTrustedDatabase = "missing"
)

// testPostgres is a PostgreSQL server in a temporary directory.
type testPostgres struct {
	port int
}

func (p testPostgres) url(database string) string {
	return postgresURL(p.port, database)
}

// startPostgres initialises and starts a PostgreSQL server on a free
// loopback port, with SCRAM authentication, a pg_hba.conf rule that rejects
// the database rejectedDatabase and one that trusts every connection to
// missingTrustedDatabase. It skips the test when no server
// binaries are installed. initdb rejects running as root, so as root the
// server runs as the postgres user.
func startPostgres(t *testing.T) testPostgres {
	t.Helper()
	bin := postgresBinDir(t)

	var prefix []string
	var owner *user.User
	if os.Geteuid() == 0 {
		var err error
		owner, err = user.Lookup("postgres")
		if err != nil {
			skipUnlessCI(t, "running as root, but initdb does not run as root: create a postgres user to run the server as (%v)", err)
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			skipUnlessCI(t, "running as root, but initdb does not run as root: install runuser (util-linux) to run it as postgres (%v)", err)
		}
		prefix = []string{runuser, "-u", "postgres", "--"}
	}

	// t.TempDir's parent is private to the current user, so the server
	// directory is made under the system temporary directory instead.
	dir, err := os.MkdirTemp("", "msgen-e2e-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	passwordFile := filepath.Join(dir, "password")
	if err := os.WriteFile(passwordFile, []byte(postgresPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		for _, p := range []string{dir, passwordFile} {
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
	}

	run := func(name string, args ...string) {
		t.Helper()
		argv := append(slices.Clone(prefix), filepath.Join(bin, name))
		cmd := exec.Command(argv[0], append(argv[1:], args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}

	data := filepath.Join(dir, "data")
	run("initdb", "--pgdata", data, "--username", "postgres", "--pwfile", passwordFile,
		"--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C", "--no-sync", "--no-instructions")

	hba := filepath.Join(data, "pg_hba.conf")
	rules, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	extra := "host " + rejectedDatabase + " all 127.0.0.1/32 reject\n" +
		"host " + missingTrustedDatabase + " all 127.0.0.1/32 trust\n"
	if err := os.WriteFile(hba, append([]byte(extra), rules...), 0o600); err != nil {
		t.Fatal(err)
	}

	port := closedPort(t)
	options := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off", port, dir)
	run("pg_ctl", "start", "--pgdata", data, "--log", filepath.Join(dir, "server.log"), "--wait", "--timeout", "30", "-o", options)
	t.Cleanup(func() { run("pg_ctl", "stop", "--pgdata", data, "--mode", "immediate", "--wait") })

	return testPostgres{port: port}
}

// postgresBinDir returns the directory of initdb and pg_ctl: from PATH, or
// the newest /usr/lib/postgresql/<version>/bin, where Debian installs them.
func postgresBinDir(t *testing.T) string {
	t.Helper()
	if initdb, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(initdb)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir
		}
	}

	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		return postgresMajor(b) - postgresMajor(a)
	})
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir
		}
	}
	skipUnlessCI(t, "PostgreSQL server binaries (initdb, pg_ctl) are not installed: install the postgresql package to run this test")
	return ""
}

// postgresMajor returns the major version in a path such as
// /usr/lib/postgresql/15/bin, or 0.
func postgresMajor(binDir string) int {
	major, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return major
}

// fakeConsul is an HTTP server that records the Consul agent API requests
// that a service sends.
type fakeConsul struct {
	server *httptest.Server

	mu            sync.Mutex
	requests      []string
	registrations []fakeConsulRegistration
}

// fakeConsulRegistration is the body of PUT /v1/agent/service/register as
// the Consul API documents it.
type fakeConsulRegistration struct {
	ID      string
	Name    string
	Address string
	Port    int
	Check   fakeConsulCheck
}

type fakeConsulCheck struct {
	HTTP                           string
	Interval                       string
	Timeout                        string
	DeregisterCriticalServiceAfter string
}

func newFakeConsul(t *testing.T) *fakeConsul {
	agent := &fakeConsul{}
	agent.server = httptest.NewServer(http.HandlerFunc(agent.serve))
	t.Cleanup(agent.server.Close)
	return agent
}

func (a *fakeConsul) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = append(a.requests, r.Method+" "+r.URL.Path)

	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/v1/agent/service/register":
		var registration fakeConsulRegistration
		if err := json.NewDecoder(r.Body).Decode(&registration); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.registrations = append(a.registrations, registration)
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/v1/agent/service/deregister/"):
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/health/service/"):
		_, _ = io.WriteString(w, "[]")
	default:
		http.NotFound(w, r)
	}
}

func (a *fakeConsul) paths() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests)
}

// forget drops every registration, as a restarted development agent does.
func (a *fakeConsul) forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.registrations = nil
}

// waitForRegistration waits until the service has registered and returns
// the registration.
func (a *fakeConsul) waitForRegistration(t *testing.T) fakeConsulRegistration {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		a.mu.Lock()
		if len(a.registrations) > 0 {
			registration := a.registrations[0]
			a.mu.Unlock()
			return registration
		}
		a.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no registration within %s; agent requests: %q", waitLimit, a.paths())
	return fakeConsulRegistration{}
}

// skipUnlessCI skips the test for a missing tool, or fails it when the
// environment variable CI is set, because CI installs every tool the tests
// need and must never pass by skipping.
func skipUnlessCI(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI is set, so this is an error)", args...)
	}
	t.Skipf(format, args...)
}
