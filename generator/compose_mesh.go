package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/msgen-dev/msgen/schema"
)

// Consul's service mesh in compose works like this. Each service listens on
// 127.0.0.1 only (LISTEN_ADDRESS), and its Envoy sidecar shares its network
// namespace, so the sidecar's public listener, which takes mutual TLS and
// applies the intentions, is the only way in from the backend network. The
// service's calls leave through the sidecar's upstream listeners on
// 127.0.0.1.
//
// Kong reaches the services through the mesh too, with an Envoy sidecar of
// its own under the Consul service name "kong". Consul's other ways into
// the mesh are its ingress gateway and its API gateway, while a terminating
// gateway carries calls out of it. A gateway would be a second proxy with
// routes of its own behind Kong. Its listener takes plain HTTP from every
// container on the backend network, so those could call the routed
// services around Kong's plugins, such as rate limiting. A sidecar in
// Kong's network namespace opens its upstream listeners on Kong's
// 127.0.0.1 only, and the intentions name Kong as the caller of exactly
// the services that it routes to.
//
// TODO: the development agent runs without ACLs, so any container on the
// backend network can rewrite the intentions through Consul's HTTP API.
// Closing that needs ACLs with a default policy of deny, and a token for
// each sidecar and service, which .env would have to provide.

// Settings of Consul's service mesh in compose.
const (
	composeMeshDir = "deploy/compose"
	// envoyDockerfile builds the sidecar image: Envoy with the consul
	// binary, which bootstraps Envoy from the Consul agent, and
	// sidecarScript, the image's program.
	envoyDockerfile = composeMeshDir + "/envoy/Dockerfile"
	sidecarScript   = composeMeshDir + "/envoy/consul-sidecar.sh"
	// sidecarProgram is where the image installs sidecarScript.
	sidecarProgram = "/usr/local/bin/consul-sidecar"
	// envoyImage is an Envoy release that Consul 1.20 supports.
	envoyImage = "envoyproxy/envoy:v1.31-latest"
	// consulGRPCPort is where the development agent serves Envoy's
	// configuration.
	consulGRPCPort = 8502
	// consulAgentConfigDir is the agent's configuration directory: the
	// intentions and the range of ports for exposed checks. The consul
	// container mounts it at consulAgentConfigMount.
	consulAgentConfigDir   = composeMeshDir + "/consul-agent"
	consulAgentConfigMount = "/consul/mesh"
	// sidecarSuffix names a sidecar container.
	sidecarSuffix = "-sidecar"
	// sidecarConfigDir is the mount point of deploy/compose/consul, the
	// directory of the proxy definitions, in a sidecar container.
	sidecarConfigDir = "/consul"
	// Envoy's public listener and admin ports in a service's network
	// namespace start their search for a port that no service uses here.
	firstSidecarPort = 21000
	firstAdminPort   = 19000
	// The Consul agent gives the listener of each exposed check a port from
	// a range of exposePortCount ports, as wide as Consul's default range.
	// exposePortRange picks the first such range from firstExposePort on
	// that contains no port in use.
	firstExposePort = 21500
	exposePortCount = 256
	// Ports of Kong's sidecar in Kong's network namespace, where no service
	// listens: its admin API, its public listener, and an upstream listener
	// per routed service from firstKongUpstreamPort on, all far above the
	// ports that Kong listens on (8000 and 8001 here).
	kongSidecarAdminPort  = 19000
	kongSidecarPort       = 19001
	firstKongUpstreamPort = 20000
	maxPort               = 65535
)

// composeSidecar is the Envoy sidecar container of a service or of Kong. It
// shares the network namespace of that container, registers itself with
// the Consul agent and serves the container's calls into the mesh.
type composeSidecar struct {
	Name string
	// Service is the container whose network namespace the sidecar
	// shares: a service, or Kong.
	Service string
	// Port is Envoy's public listener, which the healthcheck probes.
	Port int
	// Program is the container's command: consul-sidecar, which the
	// environment configures.
	Program string
	Env     []envVar
	Health  composeHealth
}

// sidecarView is the data of the consul-sidecar.hcl template.
type sidecarView struct {
	// Service is the Consul service name of the proxy's destination.
	Service string
	ID      string
	// DestinationID is the Consul ID of the service instance, or "" for
	// Kong, which does not register with Consul.
	DestinationID string
	Address       string
	// BindAddress is the address of Envoy's public listener.
	BindAddress string
	Port        int
	ServicePort int
	// CheckInterval is the interval of the proxy's TCP check, as a Go
	// duration.
	CheckInterval string
	Upstreams     []upstreamView
}

type upstreamView struct {
	Name string
	Port int
}

// intentionsView is the data of the consul-intentions.hcl template: one
// service-intentions config entry per destination.
type intentionsView struct {
	Entries []intentionEntry
}

type intentionEntry struct {
	Name    string
	Sources []intentionSource
}

type intentionSource struct {
	Name   string
	Action string
}

// consulAgentView is the data of the consul-agent.hcl template.
type consulAgentView struct {
	ExposeMinPort int
	ExposeMaxPort int
}

// Placeholders in a proxy definition that consul-sidecar replaces when the
// sidecar starts, because Docker assigns the container's address and host
// name. A sidecar shares both with the container whose network namespace
// it joins.
const (
	sidecarAddressPlaceholder  = "@SIDECAR_ADDRESS@"
	sidecarHostnamePlaceholder = "@HOSTNAME@"
)

// composeMeshEnabled reports whether compose runs Consul's service mesh.
func composeMeshEnabled(spec *schema.Spec) bool {
	return spec.Mesh == meshConsulConnect
}

// freePort returns the first port from first on that no service uses.
func freePort(spec *schema.Spec, first int) int {
	used := map[int]bool{}
	for _, svc := range spec.Services {
		used[svc.Port] = true
	}
	port := first
	for used[port] {
		port++
	}
	return port
}

// sidecarPorts returns the public listener and admin ports of the services'
// sidecars: the same in every service's network namespace.
func sidecarPorts(spec *schema.Spec) (public, admin int) {
	return freePort(spec, firstSidecarPort), freePort(spec, firstAdminPort)
}

// exposePortRange returns the first range of exposePortCount ports from
// firstExposePort on that contains no service's port and neither sidecar
// port, so that an exposed check listener never takes a port that the
// service, its sidecar or an upstream listener uses.
func exposePortRange(spec *schema.Spec) (first, last int, err error) {
	public, admin := sidecarPorts(spec)
	used := map[int]bool{public: true, admin: true}
	for _, svc := range spec.Services {
		used[svc.Port] = true
	}

	first = firstExposePort
	for first+exposePortCount-1 <= maxPort {
		clash := 0
		for port := first; port < first+exposePortCount; port++ {
			if used[port] {
				clash = port
			}
		}
		if clash == 0 {
			return first, first + exposePortCount - 1, nil
		}
		first = clash + 1
	}
	return 0, 0, fmt.Errorf("the services' ports leave no %d free ports from %d to %d for Consul's exposed checks: move some services below port %d",
		exposePortCount, firstExposePort, maxPort, firstExposePort)
}

// kongUpstreamPorts returns, by service, the port of the upstream listener
// that Kong's sidecar opens on Kong's 127.0.0.1 for each service that Kong
// routes to.
func kongUpstreamPorts(spec *schema.Spec) (map[string]int, error) {
	routed := gatewayServices(spec)
	if firstKongUpstreamPort+len(routed)-1 > maxPort {
		return nil, fmt.Errorf("Kong routes to %d services, more than the %d upstream listeners that its sidecar can open", len(routed), maxPort-firstKongUpstreamPort+1)
	}
	ports := make(map[string]int, len(routed))
	for i, name := range routed {
		ports[name] = firstKongUpstreamPort + i
	}
	return ports, nil
}

// newComposeSidecars returns the sidecar of every service, sorted by name,
// and then Kong's.
func newComposeSidecars(spec *schema.Spec) ([]composeSidecar, error) {
	if !composeMeshEnabled(spec) {
		return nil, nil
	}
	public, admin := sidecarPorts(spec)

	var sidecars []composeSidecar
	for _, svc := range spec.SortedServices() {
		name := svc.Name + sidecarSuffix
		if _, clash := spec.Services[name]; clash {
			return nil, fmt.Errorf("service %q has the name of the sidecar of service %q: rename it", name, svc.Name)
		}
		sidecar, err := newComposeSidecar(svc.Name, public, admin, svc.Health)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", svc.Name, err)
		}
		sidecars = append(sidecars, sidecar)
	}

	kongSidecar := kongContainer + sidecarSuffix
	if _, clash := spec.Services[kongSidecar]; clash {
		return nil, fmt.Errorf("service %q has the name of the sidecar of Kong: rename it", kongSidecar)
	}
	sidecar, err := newComposeSidecar(kongContainer, kongSidecarPort, kongSidecarAdminPort, spec.Health)
	if err != nil {
		return nil, fmt.Errorf("Kong: %w", err)
	}
	return append(sidecars, sidecar), nil
}

// newComposeSidecar returns the sidecar container of owner, a service or
// Kong. It registers its proxy again at every health check interval.
func newComposeSidecar(owner string, public, admin int, health schema.Health) (composeSidecar, error) {
	interval, err := wholeSeconds(health.Interval)
	if err != nil {
		return composeSidecar{}, fmt.Errorf("health interval: %w", err)
	}
	return composeSidecar{
		Name:    owner + sidecarSuffix,
		Service: owner,
		Port:    public,
		Program: sidecarProgram,
		Env: []envVar{
			{Name: "CONSUL_GRPC_ADDR", Value: consulContainer + ":" + strconv.Itoa(consulGRPCPort)},
			{Name: "CONSUL_HTTP_ADDR", Value: consulContainer + ":" + strconv.Itoa(consulHTTPPort)},
			{Name: "ENVOY_ADMIN_BIND", Value: "127.0.0.1:" + strconv.Itoa(admin)},
			{Name: "REGISTER_INTERVAL", Value: strconv.Itoa(interval)},
			{Name: "SIDECAR_DEFINITION", Value: sidecarConfigDir + "/" + owner + "/sidecar.hcl"},
			{Name: "SIDECAR_PROXY_ID", Value: sidecarProxyID(owner)},
		},
		Health: newComposeHealth(health),
	}, nil
}

func sidecarProxyID(owner string) string {
	return owner + sidecarSuffix + "-proxy"
}

// consulServiceID returns the ID under which an instance of service
// registers itself with Consul, with the placeholder for its host name:
// the format of newConsulRegistration in the platform's registration.go.
func consulServiceID(svc *schema.Service) string {
	return svc.Name + "-" + sidecarHostnamePlaceholder + "-" + strconv.Itoa(svc.Port)
}

// renderConsulAgentConfig renders the configuration directory of the
// Consul agent: the intentions, which the agent loads as config entries
// whenever it starts, and the range of ports for exposed checks.
func renderConsulAgentConfig(r *renderer, spec *schema.Spec) ([]File, error) {
	first, last, err := exposePortRange(spec)
	if err != nil {
		return nil, err
	}
	agent, err := r.file(consulAgentConfigDir+"/agent.hcl", "deploy/consul-agent.hcl.tmpl", consulAgentView{
		ExposeMinPort: first,
		ExposeMaxPort: last,
	})
	if err != nil {
		return nil, err
	}
	intentions, err := r.file(consulAgentConfigDir+"/intentions.hcl", "deploy/consul-intentions.hcl.tmpl", newIntentionsView(spec))
	if err != nil {
		return nil, err
	}
	return []File{agent, intentions}, nil
}

// newIntentionsView returns the intentions of the mesh: every connection
// is denied unless an entry allows it, and each service allows its callers
// and, when Kong routes to it, Kong.
func newIntentionsView(spec *schema.Spec) intentionsView {
	view := intentionsView{Entries: []intentionEntry{{
		Name:    "*",
		Sources: []intentionSource{{Name: "*", Action: "deny"}},
	}}}
	for _, policy := range servicePolicies(spec) {
		callers := policy.Callers
		if policy.FromGateway {
			callers = sortedUnique(append(callers, kongContainer))
		}
		if len(callers) == 0 {
			continue
		}
		entry := intentionEntry{Name: policy.Target}
		for _, caller := range callers {
			entry.Sources = append(entry.Sources, intentionSource{Name: caller, Action: "allow"})
		}
		view.Entries = append(view.Entries, entry)
	}
	return view
}

// configHash returns the SHA-256 of the files' paths and contents in hex.
func configHash(files []File) string {
	hash := sha256.New()
	for _, f := range files {
		fmt.Fprintf(hash, "%s\n%d\n", f.Path, len(f.Data))
		hash.Write(f.Data)
	}
	return hex.EncodeToString(hash.Sum(nil))
}

// renderComposeMesh renders the files of the sidecars: their image, the
// program that registers them, and the proxy definition of each service
// and of Kong.
func renderComposeMesh(r *renderer, spec *schema.Spec) ([]File, error) {
	if !composeMeshEnabled(spec) {
		return nil, nil
	}

	dockerfile, err := r.file(envoyDockerfile, "deploy/envoy.Dockerfile.tmpl", map[string]string{
		"ConsulImage": consulImage,
		"EnvoyImage":  envoyImage,
		"Script":      sidecarScript,
		"Program":     sidecarProgram,
	})
	if err != nil {
		return nil, err
	}
	script, err := r.file(sidecarScript, "deploy/consul-sidecar.sh.tmpl", map[string]string{
		"AddressPlaceholder":  sidecarAddressPlaceholder,
		"HostnamePlaceholder": sidecarHostnamePlaceholder,
	})
	if err != nil {
		return nil, err
	}
	script.Mode = 0o755
	files := []File{dockerfile, script}

	public, _ := sidecarPorts(spec)
	for _, svc := range spec.SortedServices() {
		view := sidecarView{
			Service:       svc.Name,
			ID:            sidecarProxyID(svc.Name),
			DestinationID: consulServiceID(svc),
			Address:       sidecarAddressPlaceholder,
			BindAddress:   "0.0.0.0",
			Port:          public,
			ServicePort:   svc.Port,
			CheckInterval: svc.Health.Interval,
		}
		for _, callee := range serviceCallees(spec, svc) {
			view.Upstreams = append(view.Upstreams, upstreamView{Name: callee, Port: spec.Services[callee].Port})
		}
		f, err := r.file(composeMeshDir+"/consul/"+svc.Name+"/sidecar.hcl", "deploy/consul-sidecar.hcl.tmpl", view)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}

	kong, err := renderKongSidecar(r, spec)
	if err != nil {
		return nil, err
	}
	return append(files, kong), nil
}

// renderKongSidecar renders the proxy definition of Kong's sidecar: an
// upstream listener for each service that Kong routes to, at the port that
// gateway/kong.yml targets. Kong takes no calls from the mesh, so its
// public listener listens on 127.0.0.1 only.
func renderKongSidecar(r *renderer, spec *schema.Spec) (File, error) {
	ports, err := kongUpstreamPorts(spec)
	if err != nil {
		return File{}, err
	}
	view := sidecarView{
		Service:     kongContainer,
		ID:          sidecarProxyID(kongContainer),
		Address:     sidecarAddressPlaceholder,
		BindAddress: "127.0.0.1",
		Port:        kongSidecarPort,
		ServicePort: kongProxyPort,
	}
	for _, name := range gatewayServices(spec) {
		view.Upstreams = append(view.Upstreams, upstreamView{Name: name, Port: ports[name]})
	}
	return r.file(composeMeshDir+"/consul/"+kongContainer+"/sidecar.hcl", "deploy/consul-sidecar.hcl.tmpl", view)
}

// meshCalleeURLs returns the <CALLEE>_URL variables of a service in the
// compose mesh: each callee through the sidecar's upstream listener, which
// listens on the callee's port on 127.0.0.1.
func meshCalleeURLs(spec *schema.Spec, svc *schema.Service) map[string]string {
	urls := map[string]string{}
	for _, callee := range serviceCallees(spec, svc) {
		urls[schema.EnvPrefix(callee)+"URL"] = "http://127.0.0.1:" + strconv.Itoa(spec.Services[callee].Port)
	}
	return urls
}
