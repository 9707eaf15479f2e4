package generator

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// secondLoopback is a loopback address other than 127.0.0.1. Linux routes
// all of 127.0.0.0/8 to the loopback interface, so a server on every
// interface accepts connections on it and a server on 127.0.0.1 does not.
const secondLoopback = "127.0.0.2"

// TestE2EListenAddress runs the shop's storefront, a stateless service,
// on every interface and then with LISTEN_ADDRESS, and checks on which
// loopback addresses it accepts connections. Consul's service mesh in
// docker-compose.yml relies on LISTEN_ADDRESS=127.0.0.1 to keep other
// containers away from a service.
func TestE2EListenAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated service; skipped with -short")
	}

	dir := generateShop(t, nil)
	storefront := buildService(t, dir, "storefront")

	// Without LISTEN_ADDRESS the service listens on every interface.
	everywhere := startService(t, storefront)
	if !accepts(secondLoopback, everywhere.port) {
		t.Skipf("a server on every interface refuses connections to %s: this system has no second loopback address", secondLoopback)
	}
	everywhere.stop(t)

	local := startService(t, storefront, "LISTEN_ADDRESS=127.0.0.1")
	if accepts(secondLoopback, local.port) {
		t.Errorf("with LISTEN_ADDRESS=127.0.0.1 the service accepts connections on %s", secondLoopback)
	}
	if code, output := local.healthcheck(t); code != 0 {
		t.Errorf("healthcheck exit code = %d (%s), want 0", code, output)
	}
	wantAddress := `"address":"127.0.0.1:` + strconv.Itoa(local.port) + `"`
	if !strings.Contains(local.output.String(), wantAddress) {
		t.Errorf("the start log does not name the listen address %s:\n%s", wantAddress, local.output.String())
	}
	local.stop(t)

	// On another address the service refuses 127.0.0.1, and the
	// healthcheck subcommand follows LISTEN_ADDRESS.
	other := startService(t, storefront, "LISTEN_ADDRESS="+secondLoopback)
	if accepts("127.0.0.1", other.port) {
		t.Errorf("with LISTEN_ADDRESS=%s the service accepts connections on 127.0.0.1", secondLoopback)
	}
	if code, output := other.healthcheck(t); code != 0 {
		t.Errorf("healthcheck with LISTEN_ADDRESS=%s: exit code %d (%s), want 0", secondLoopback, code, output)
	}
	cmd := exec.Command(storefront, "healthcheck")
	cmd.Env = []string{"PORT=" + strconv.Itoa(other.port)}
	if err := cmd.Run(); err == nil {
		t.Error("healthcheck without LISTEN_ADDRESS reaches a service that listens on another address")
	}
	other.stop(t)
}

// accepts reports whether a TCP connection to host and port succeeds.
func accepts(host string, port int) bool {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), 2*time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
