package generator

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"

	"github.com/msgen-dev/msgen/schema"
)

// checkComposeMesh checks that the compose file of a spec with Consul's
// service mesh leaves each service reachable only through its sidecar. The
// service listens on 127.0.0.1 and publishes and exposes no port. Its
// sidecar shares its network namespace and forwards to 127.0.0.1.
func checkComposeMesh(t *testing.T, spec *schema.Spec, project *types.Project, dir string, files map[string]File) {
	t.Helper()
	owners := append(spec.ServiceNames(), kongContainer)
	for _, owner := range owners {
		if owner != kongContainer {
			svc := project.Services[owner]
			checkEnv(t, svc, "LISTEN_ADDRESS", "127.0.0.1")
			if len(svc.Ports) > 0 || len(svc.Expose) > 0 {
				t.Errorf("%s publishes %+v and exposes %q; want neither, only its sidecar may reach it", owner, svc.Ports, svc.Expose)
			}
		}

		name := owner + sidecarSuffix
		sidecar, ok := project.Services[name]
		if !ok {
			t.Errorf("%s has no sidecar %s", owner, name)
			continue
		}
		if want := "service:" + owner; sidecar.NetworkMode != want {
			t.Errorf("%s network_mode = %q; want %q, the network namespace of %s", name, sidecar.NetworkMode, want, owner)
		}
		if len(sidecar.Ports) > 0 || len(sidecar.Expose) > 0 || len(sidecar.Networks) > 0 {
			t.Errorf("%s publishes %+v, exposes %q or joins networks %v; want none", name, sidecar.Ports, sidecar.Expose, sidecar.Networks)
		}
		for _, dep := range []string{consulContainer, owner} {
			if cfg, ok := sidecar.DependsOn[dep]; !ok || cfg.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s does not wait for %s to be healthy", name, dep)
			}
		}

		// The definition that the sidecar registers comes from the
		// mounted deploy/compose/consul directory.
		definition := envValue(sidecar, "SIDECAR_DEFINITION")
		path, found := strings.CutPrefix(definition, sidecarConfigDir+"/")
		if !found || files[composeMeshDir+"/consul/"+path].Data == nil {
			t.Errorf("%s: SIDECAR_DEFINITION %q is not a generated file under %s", name, definition, sidecarConfigDir)
			continue
		}
		if !mountsReadOnly(sidecar, filepath.Join(dir, composeMeshDir, "consul"), sidecarConfigDir) {
			t.Errorf("%s does not mount %s/consul read-only at %s: %+v", name, composeMeshDir, sidecarConfigDir, sidecar.Volumes)
		}
		checkProxyDefinition(t, spec, owner, files[composeMeshDir+"/consul/"+path].Data, sidecar)
	}

	// The agent loads the intentions from its configuration directory, and
	// its address on the backend network is the one from which Envoy
	// admits exposed checks.
	consul := project.Services[consulContainer]
	address := consul.Networks[composeNetwork].Ipv4Address
	for _, arg := range []string{"-bind=" + address, "-config-dir=" + consulAgentConfigMount} {
		if !slices.Contains(consul.Command, arg) {
			t.Errorf("consul command %q lacks %s", consul.Command, arg)
		}
	}
	if !mountsReadOnly(consul, filepath.Join(dir, consulAgentConfigDir), consulAgentConfigMount) {
		t.Errorf("consul does not mount %s read-only at %s: %+v", consulAgentConfigDir, consulAgentConfigMount, consul.Volumes)
	}
	checkExposePortRange(t, spec, files)
}

// checkProxyDefinition checks the proxy definition of a service's or Kong's
// sidecar against the sidecar's container.
func checkProxyDefinition(t *testing.T, spec *schema.Spec, owner string, definition []byte, sidecar types.ServiceConfig) {
	t.Helper()
	attr := func(key string) string {
		values := hclValues(t, definition, key)
		if len(values) != 1 {
			t.Errorf("%s's proxy definition has %d attributes %s; want one", owner, len(values), key)
			return ""
		}
		return values[0]
	}

	if got := attr("id"); got != envValue(sidecar, "SIDECAR_PROXY_ID") {
		t.Errorf("%s's proxy ID is %q, but its sidecar registers %q", owner, got, envValue(sidecar, "SIDECAR_PROXY_ID"))
	}
	if got := attr("destination_service_name"); got != owner {
		t.Errorf("%s's proxy leads to %q", owner, got)
	}
	if got := attr("local_service_address"); got != "127.0.0.1" {
		t.Errorf("%s's proxy forwards to %q; want 127.0.0.1", owner, got)
	}
	if healthcheck := strings.Join(sidecar.HealthCheck.Test, " "); !strings.HasSuffix(healthcheck, "/127.0.0.1/"+attr("port")) {
		t.Errorf("%s's sidecar healthcheck %q does not probe the public listener on port %s", owner, healthcheck, attr("port"))
	}

	if owner == kongContainer {
		if got := attr("bind_address"); got != "127.0.0.1" {
			t.Errorf("Kong's proxy listens on %q; want 127.0.0.1, because Kong takes no calls from the mesh", got)
		}
		return
	}
	svc := spec.Services[owner]
	if got := attr("local_service_port"); got != strconv.Itoa(svc.Port) {
		t.Errorf("%s's proxy forwards to port %s; want %d", owner, got, svc.Port)
	}
	if got := attr("bind_address"); got != "0.0.0.0" {
		t.Errorf("%s's proxy listens on %q; want 0.0.0.0, so that callers on the backend network reach it", owner, got)
	}
	if got := attr("checks"); got != "true" {
		t.Errorf("%s's proxy exposes checks = %q; want true, because the agent cannot reach the service on 127.0.0.1", owner, got)
	}
	// The platform registers an instance as <service>-<hostname>-<port>,
	// which TestE2EConsulRegistration checks.
	wantID := owner + "-" + sidecarHostnamePlaceholder + "-" + strconv.Itoa(svc.Port)
	if got := attr("destination_service_id"); got != wantID {
		t.Errorf("%s's proxy names the instance %q; want %q", owner, got, wantID)
	}
	if got := attr("alias_service"); got != wantID {
		t.Errorf("%s's proxy follows the health of %q; want %q", owner, got, wantID)
	}
}

// checkExposePortRange checks that the ports that the agent gives to
// exposed checks are free in every service's network namespace.
func checkExposePortRange(t *testing.T, spec *schema.Spec, files map[string]File) {
	t.Helper()
	agent := files[consulAgentConfigDir+"/agent.hcl"].Data
	first, err1 := strconv.Atoi(strings.Join(hclValues(t, agent, "expose_min_port"), ""))
	last, err2 := strconv.Atoi(strings.Join(hclValues(t, agent, "expose_max_port"), ""))
	if err1 != nil || err2 != nil || first > last {
		t.Fatalf("agent.hcl has no expose port range:\n%s", agent)
	}

	public, admin := sidecarPorts(spec)
	for _, port := range []int{public, admin} {
		if port >= first && port <= last {
			t.Errorf("the expose port range %d-%d contains the sidecar port %d", first, last, port)
		}
	}
	for _, svc := range spec.SortedServices() {
		if svc.Port >= first && svc.Port <= last {
			t.Errorf("the expose port range %d-%d contains port %d of service %s", first, last, svc.Port, svc.Name)
		}
	}
}

// mountsReadOnly reports whether svc bind-mounts source at target
// read-only.
func mountsReadOnly(svc types.ServiceConfig, source, target string) bool {
	for _, vol := range svc.Volumes {
		if vol.Type == types.VolumeTypeBind && vol.Source == source && vol.Target == target && vol.ReadOnly {
			return true
		}
	}
	return false
}

// hclValues returns the values of the attributes named key in an HCL file
// that msgen generated, unquoted when they are strings. The generated
// files put one attribute on a line. An attribute whose value is a list or
// an object, which starts on its line and ends on a later one, is left
// out.
func hclValues(t *testing.T, data []byte, key string) []string {
	t.Helper()
	var values []string
	for _, line := range strings.Split(string(data), "\n") {
		name, value, found := strings.Cut(strings.TrimSpace(line), "=")
		value = strings.TrimSpace(value)
		if !found || strings.TrimSpace(name) != key || value == "[" || value == "{" {
			continue
		}
		if strings.HasPrefix(value, `"`) {
			unquoted, err := strconv.Unquote(value)
			if err != nil {
				t.Fatalf("attribute %s has the value %s, which is not a quoted string", key, value)
			}
			value = unquoted
		}
		values = append(values, value)
	}
	return values
}

// TestComposeMeshKongTargets checks that each upstream of gateway/kong.yml
// targets the listener of Kong's sidecar that leads to its service, and
// that Kong's sidecar leads to the routed services only.
func TestComposeMeshKongTargets(t *testing.T) {
	for _, variant := range specVariants {
		spec := variant.load(t)
		if composeMeshEnabled(spec) {
			t.Run(variant.name, func(t *testing.T) { checkComposeMeshKongTargets(t, spec) })
		}
	}
}

func checkComposeMeshKongTargets(t *testing.T, spec *schema.Spec) {
	files := generateFiles(t, spec)

	sidecar := files[composeMeshDir+"/consul/kong/sidecar.hcl"].Data
	names := hclValues(t, sidecar, "destination_name")
	ports := hclValues(t, sidecar, "local_bind_port")
	if len(names) != len(ports) {
		t.Fatalf("Kong's sidecar has %d upstream names and %d ports", len(names), len(ports))
	}
	listeners := map[string]string{}
	for i, name := range names {
		listeners[name] = "127.0.0.1:" + ports[i]
	}
	if got, want := slices.Sorted(maps.Keys(listeners)), gatewayServices(spec); !slices.Equal(got, want) {
		t.Errorf("Kong's sidecar leads to %q; want the routed services %q", got, want)
	}

	var cfg kongConfig
	if err := yaml.Unmarshal(files["gateway/kong.yml"].Data, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Upstreams) == 0 {
		t.Fatal("kong.yml has no upstreams")
	}
	for _, up := range cfg.Upstreams {
		service := strings.TrimSuffix(up.Name, ".upstream")
		want, ok := listeners[service]
		if !ok {
			t.Errorf("upstream %s leads to a service that Kong's sidecar does not reach", up.Name)
			continue
		}
		if len(up.Targets) != 1 || up.Targets[0].Target != want {
			t.Errorf("upstream %s targets %+v; want Kong's sidecar listener %s", up.Name, up.Targets, want)
		}
	}
}

// TestComposeConsulLabelFollowsIntentions checks that the consul
// container's label, and so the container, changes when the intentions
// change and only then.
func TestComposeConsulLabelFollowsIntentions(t *testing.T) {
	label := func(spec *schema.Spec) string {
		t.Helper()
		compose := generateFiles(t, spec)["docker-compose.yml"].Data
		for _, line := range strings.Split(string(compose), "\n") {
			if value, ok := strings.CutPrefix(strings.TrimSpace(line), "msgen.consul-config-sha256: "); ok {
				return value
			}
		}
		t.Fatal("docker-compose.yml has no msgen.consul-config-sha256 label")
		return ""
	}

	base := label(boutiqueSpec(t))
	if again := label(boutiqueSpec(t)); again != base {
		t.Errorf("the label changes between two runs: %s, then %s", base, again)
	}

	envChanged := boutiqueSpec(t)
	envChanged.Services["adservice"].Env["LOG_LEVEL"] = "debug"
	if got := label(envChanged); got != base {
		t.Errorf("the label changes with a service's env: %s, then %s", base, got)
	}

	callAdded := boutiqueSpec(t)
	callAdded.Services["adservice"].Calls = []string{"currencyservice"}
	if got := label(callAdded); got == base {
		t.Error("the label stays the same when a new call changes the intentions")
	}
}

func TestComposeMeshSidecarNameClash(t *testing.T) {
	for _, name := range []string{"kong-sidecar", "adservice-sidecar"} {
		t.Run(name, func(t *testing.T) {
			spec := boutiqueSpec(t)
			spec.Services[name] = &schema.Service{Name: name, Port: 9999, Health: spec.Health, Data: schema.Data{Pattern: schema.PatternStateless}}
			_, err := Generate(spec)
			if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "rename it") {
				t.Errorf("Generate with a service named %s: error %v; want one that names it and says to rename it", name, err)
			}
		})
	}
}

func TestExposePortRange(t *testing.T) {
	tests := []struct {
		name        string
		ports       []int
		first, last int
	}{
		{"no port in the default range", []int{8081, 8082}, 21500, 21755},
		{"a service port inside", []int{8081, 21600}, 21601, 21856},
		{"two service ports inside", []int{21500, 21700}, 21701, 21956},
		{"service ports just outside", []int{21499, 21756}, 21500, 21755},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &schema.Spec{Services: map[string]*schema.Service{}}
			for i, port := range tt.ports {
				name := "s" + strconv.Itoa(i)
				spec.Services[name] = &schema.Service{Name: name, Port: port}
			}
			first, last, err := exposePortRange(spec)
			if err != nil {
				t.Fatal(err)
			}
			if first != tt.first || last != tt.last {
				t.Errorf("exposePortRange = %d-%d; want %d-%d", first, last, tt.first, tt.last)
			}
		})
	}
}

// TestConsulSidecarScript runs the generated consul-sidecar program with
// stand-ins for consul and hostname. It checks that the program registers
// the proxy with the placeholders filled in, and registers it again after
// the agent lost it or failed. On SIGTERM the program must deregister the
// proxy and stop Envoy.
func TestConsulSidecarScript(t *testing.T) {
	shell, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh in PATH")
	}
	generated := generateFiles(t, boutiqueSpec(t))
	dir := writeFiles(t, generated)
	bin := t.TempDir()
	state := t.TempDir()

	// The consul stand-in keeps the registered definition in the state
	// directory, as the agent keeps it in memory, and fails to register
	// while the file "down" exists, as an agent that restarts does.
	writeScript(t, filepath.Join(bin, "consul"), `
state="`+state+`"
case "$1 $2" in
"services register")
	[ -e "$state/down" ] && exit 1
	cp "$3" "$state/registered"
	echo x >> "$state/registrations" ;;
"services deregister")
	echo "$4" > "$state/deregistered"
	rm -f "$state/registered" ;;
"connect envoy")
	echo "$*" > "$state/envoy"
	trap 'echo stopped > "$state/envoy-stopped"; exit 0' TERM
	while :; do sleep 0.05; done ;;
esac`)
	writeScript(t, filepath.Join(bin, "hostname"), `
if [ "${1:-}" = -i ]; then echo 10.1.2.3; else echo host-a; fi`)

	definition := filepath.Join(dir, composeMeshDir, "consul", "cartservice", "sidecar.hcl")
	cmd := exec.Command(shell, filepath.Join(dir, sidecarScript))
	cmd.Env = []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"CONSUL_HTTP_ADDR=consul:8500",
		"SIDECAR_DEFINITION=" + definition,
		"SIDECAR_PROXY_ID=cartservice-sidecar-proxy",
		"ENVOY_ADMIN_BIND=127.0.0.1:19000",
		"REGISTER_INTERVAL=0.1",
	}
	output := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = output, output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("output of consul-sidecar:\n%s", output.String())
		}
	})

	waitForFile(t, filepath.Join(state, "envoy"))
	envoy, _ := os.ReadFile(filepath.Join(state, "envoy"))
	if want := "connect envoy -proxy-id cartservice-sidecar-proxy -admin-bind 127.0.0.1:19000"; strings.TrimSpace(string(envoy)) != want {
		t.Errorf("Envoy started as %q; want %q", strings.TrimSpace(string(envoy)), want)
	}
	registered, _ := os.ReadFile(filepath.Join(state, "registered"))
	for _, want := range []string{`address = "10.1.2.3"`, `"10.1.2.3:21000"`, `"cartservice-host-a-8081"`} {
		if !bytes.Contains(registered, []byte(want)) {
			t.Errorf("the registered definition lacks %s:\n%s", want, registered)
		}
	}
	if bytes.Contains(registered, []byte("@")) {
		t.Errorf("the registered definition keeps a placeholder:\n%s", registered)
	}

	// An agent that restarts loses the proxy and fails for a while, and the
	// sidecar registers the proxy again once the agent is back.
	if err := os.WriteFile(filepath.Join(state, "down"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(state, "registered")); err != nil {
		t.Fatal(err)
	}
	waitForOutput(t, output, "registering with the Consul agent failed; retrying every 0.1s")
	if err := os.Remove(filepath.Join(state, "down")); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, filepath.Join(state, "registered"))
	waitForOutput(t, output, "registered with the Consul agent again")
	if n := strings.Count(output.String(), "registering with the Consul agent failed"); n != 1 {
		t.Errorf("the sidecar logged %d failures while the agent was down; want 1, on the change of state", n)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("consul-sidecar exited with %v after SIGTERM; want 0, Envoy's exit code", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("consul-sidecar did not exit within %s of SIGTERM", waitLimit)
	}
	if got, _ := os.ReadFile(filepath.Join(state, "deregistered")); strings.TrimSpace(string(got)) != "cartservice-sidecar-proxy" {
		t.Errorf("deregistered %q; want cartservice-sidecar-proxy", strings.TrimSpace(string(got)))
	}
	if _, err := os.Stat(filepath.Join(state, "envoy-stopped")); err != nil {
		t.Error("Envoy did not receive SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(state, "registered")); err == nil {
		t.Error("the proxy is registered again after the deregistration")
	}
}

func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %s", filepath.Base(path), waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitForOutput(t *testing.T, output *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(output.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the output does not contain %q within %s", want, waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
