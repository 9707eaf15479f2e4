package generator

import (
	"fmt"
	"strconv"

	"github.com/msgen-dev/msgen/schema"
)

// Settings of Consul's service mesh in compose.
const (
	composeMeshDir = "deploy/compose"
	// envoyDockerfile builds the sidecar image: Envoy with the consul
	// binary, which bootstraps Envoy from the Consul agent.
	envoyDockerfile = composeMeshDir + "/envoy/Dockerfile"
	// envoyImage is an Envoy release that Consul 1.20 supports.
	envoyImage = "envoyproxy/envoy:v1.31-latest"
	// consulGRPCPort is where the development agent serves Envoy's
	// configuration.
	consulGRPCPort = 8502
	// sidecarSuffix names a service's sidecar container.
	sidecarSuffix = "-sidecar"
	// sidecarConfigDir is the mount point of deploy/compose/consul in a
	// sidecar container.
	sidecarConfigDir = "/consul"
	// Envoy's public listener and admin ports start their search for a
	// port that no service uses here.
	firstSidecarPort = 21000
	firstAdminPort   = 19000
)

// TODO: services listen on every interface, so a container on the compose
// network, Kong among them, can still reach a service around its sidecar,
// where no intention applies. Closing that needs a listen address setting
// in the platform package.

// composeSidecar is the Envoy sidecar of one service. It shares the
// service's network namespace, registers itself with the Consul agent and
// writes the service's intentions.
type composeSidecar struct {
	Name    string
	Service string
	// Command is the container's command, already escaped for compose.
	Command []string
	Port    int
	Env     []envVar
	Health  composeHealth
}

// sidecarView is the data of the consul-sidecar.hcl template.
type sidecarView struct {
	Service     string
	ID          string
	Address     string
	Port        int
	ServicePort int
	Upstreams   []upstreamView
}

type upstreamView struct {
	Name string
	Port int
}

// intentionsView is the data of the consul-intentions.hcl template.
type intentionsView struct {
	Name    string
	Sources []intentionSource
}

type intentionSource struct {
	Name   string
	Action string
}

// sidecarAddressPlaceholder is replaced with the container's address when
// the sidecar starts, because Docker assigns the address.
const sidecarAddressPlaceholder = "@SIDECAR_ADDRESS@"

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

// newComposeSidecars returns the sidecar of every service, sorted by name.
func newComposeSidecars(spec *schema.Spec) ([]composeSidecar, error) {
	if !composeMeshEnabled(spec) {
		return nil, nil
	}
	port := freePort(spec, firstSidecarPort)
	admin := freePort(spec, firstAdminPort)

	var sidecars []composeSidecar
	for _, svc := range spec.SortedServices() {
		name := svc.Name + sidecarSuffix
		if _, clash := spec.Services[name]; clash {
			return nil, fmt.Errorf("service %q has the name of the sidecar of service %q: rename it", name, svc.Name)
		}

		dir := sidecarConfigDir + "/" + svc.Name
		script := fmt.Sprintf(
			"consul config write %[1]s/deny-by-default.hcl"+
				" && if [ -e %[2]s/intentions.hcl ]; then consul config write %[2]s/intentions.hcl; fi"+
				" && sed \"s/%[3]s/$$(hostname -i)/\" %[2]s/sidecar.hcl > /tmp/sidecar.hcl"+
				" && consul services register /tmp/sidecar.hcl"+
				" && exec consul connect envoy -proxy-id %[4]s -admin-bind 127.0.0.1:%[5]d",
			sidecarConfigDir, dir, sidecarAddressPlaceholder, sidecarProxyID(svc.Name), admin)

		sidecars = append(sidecars, composeSidecar{
			Name:    name,
			Service: svc.Name,
			Command: []string{"/bin/sh", "-c", script},
			Port:    port,
			Env: []envVar{
				{Name: "CONSUL_GRPC_ADDR", Value: consulContainer + ":" + strconv.Itoa(consulGRPCPort)},
				{Name: "CONSUL_HTTP_ADDR", Value: consulContainer + ":" + strconv.Itoa(consulHTTPPort)},
			},
			Health: newComposeHealth(svc.Health),
		})
	}
	return sidecars, nil
}

func sidecarProxyID(service string) string {
	return service + sidecarSuffix + "-proxy"
}

// renderComposeMesh renders the files that Consul's service mesh in compose
// needs: the sidecar image, the intentions that deny by default and, per
// service, its proxy definition and the intentions that allow its callers.
func renderComposeMesh(r *renderer, spec *schema.Spec) ([]File, error) {
	if !composeMeshEnabled(spec) {
		return nil, nil
	}

	dockerfile, err := r.file(envoyDockerfile, "deploy/envoy.Dockerfile.tmpl", map[string]string{
		"ConsulImage": consulImage,
		"EnvoyImage":  envoyImage,
	})
	if err != nil {
		return nil, err
	}
	deny, err := r.file(composeMeshDir+"/consul/deny-by-default.hcl", "deploy/consul-intentions.hcl.tmpl", intentionsView{
		Name:    "*",
		Sources: []intentionSource{{Name: "*", Action: "deny"}},
	})
	if err != nil {
		return nil, err
	}
	files := []File{dockerfile, deny}

	port := freePort(spec, firstSidecarPort)
	for _, policy := range servicePolicies(spec) {
		svc := spec.Services[policy.Target]
		dir := composeMeshDir + "/consul/" + svc.Name

		view := sidecarView{
			Service:     svc.Name,
			ID:          sidecarProxyID(svc.Name),
			Address:     sidecarAddressPlaceholder,
			Port:        port,
			ServicePort: svc.Port,
		}
		for _, callee := range serviceCallees(spec, svc) {
			view.Upstreams = append(view.Upstreams, upstreamView{Name: callee, Port: spec.Services[callee].Port})
		}
		f, err := r.file(dir+"/sidecar.hcl", "deploy/consul-sidecar.hcl.tmpl", view)
		if err != nil {
			return nil, err
		}
		files = append(files, f)

		// Kong reaches the services around the mesh in compose, so only
		// the services' own callers are sources.
		if len(policy.Callers) == 0 {
			continue
		}
		intentions := intentionsView{Name: svc.Name}
		for _, caller := range policy.Callers {
			intentions.Sources = append(intentions.Sources, intentionSource{Name: caller, Action: "allow"})
		}
		f, err = r.file(dir+"/intentions.hcl", "deploy/consul-intentions.hcl.tmpl", intentions)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
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
