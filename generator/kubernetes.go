package generator

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/msgen-dev/msgen/schema"
)

// targetKubernetes is the spec's target for Kubernetes manifests.
const targetKubernetes = "kubernetes"

// Fixed settings of the Kubernetes manifests.
const (
	k8sDir = "deploy/k8s"
	// gatewayClassName is Kong's GatewayClass, which the Gateways of every
	// system share.
	gatewayClassName = "kong"
	// gatewayListenerPort is the port of the Gateway's HTTP listener, which
	// must match a listener of the Kong proxy that the kong/ingress chart
	// installs.
	gatewayListenerPort = 80
	// linkerdRouteTimeout bounds a call through Linkerd to the same time as
	// defaultCallTimeout in the generated internal/platform/client.go.
	linkerdRouteTimeout = "10s"
	// linkerdRetries is the number of times Linkerd retries a GET or HEAD
	// request that failed with a 5xx status.
	linkerdRetries = 2
	// Resource requests and limits of every service container. The spec
	// has no fields for them yet.
	serviceCPURequest    = "100m"
	serviceMemoryRequest = "64Mi"
	serviceCPULimit      = "500m"
	serviceMemoryLimit   = "256Mi"
	// hpaCPUUtilization is the average CPU use, in percent of the request,
	// that a HorizontalPodAutoscaler keeps.
	hpaCPUUtilization = 80
	// databaseStorage is the size of the volume of a dev PostgreSQL.
	databaseStorage = "1Gi"
	// postgresUID is the user and group of the postgres user in the
	// official PostgreSQL images.
	postgresUID = 999
	// nonrootUID is the user and group of distroless's nonroot user, under
	// which the service images run.
	nonrootUID = 65532
)

// k8sView is the data of every Kubernetes template.
type k8sView struct {
	Namespace string
	Mesh      string
	// KongNamespace and KongServiceAccount identify Kong's proxy, for the
	// policies that admit it.
	KongNamespace      string
	KongServiceAccount string
	// ConsulDiscovery is true when the spec's discovery is "consul".
	ConsulDiscovery bool
	Services        []k8sService
	Databases       []k8sDatabase
	// Broker is the NATS server, or nil when no service uses it.
	Broker  *k8sBroker
	Gateway k8sGateway
	// ServicePolicies, DatabasePolicies and BrokerPolicies are the callers
	// that each workload accepts.
	ServicePolicies  []inboundPolicy
	DatabasePolicies []inboundPolicy
	BrokerPolicies   []inboundPolicy
	// Callees are the services that another service calls, for Linkerd's
	// routes with retries and timeouts.
	Callees []k8sCallee
	// Files lists the resource files of the base, relative to it.
	Files []string
}

type k8sService struct {
	Name   string
	Labels []envVar
	Image  string
	Port   int
	// Replicas is the spec's minimum. Autoscale is set when the maximum
	// is higher, and then the HorizontalPodAutoscaler owns the count.
	Replicas  int
	Autoscale *schema.Replicas
	Config    []envVar
	Secrets   []k8sSecretRef
	// SecretName is the Secret that holds the service's secrets, or empty.
	SecretName      string
	LivenessPath    string
	ReadinessPath   string
	PeriodSeconds   int
	TimeoutSeconds  int
	Retries         int
	StartupFailures int
	// HealthInterval is the spec's health check interval, a Go duration.
	HealthInterval string
	GraceSeconds   int
	PodAnnotations []envVar
	// ServiceAnnotations are annotations of the Kubernetes Service.
	ServiceAnnotations []envVar
	// MountToken mounts the service account token, which only Consul's
	// sidecar injector needs.
	MountToken bool
	Resources  k8sResources
}

// k8sResources are the resource requests and limits of a container, and
// the CPU use that its autoscaler keeps.
type k8sResources struct {
	CPURequest, MemoryRequest string
	CPULimit, MemoryLimit     string
	CPUUtilization            int
}

// k8sLabels returns the labels of every object of a workload. The selectors
// use app.kubernetes.io/name alone.
func k8sLabels(name, namespace string) []envVar {
	return []envVar{
		{Name: "app.kubernetes.io/name", Value: name},
		{Name: "app.kubernetes.io/part-of", Value: namespace},
		{Name: "app.kubernetes.io/managed-by", Value: "msgen"},
	}
}

// k8sSecretRef is a variable whose value comes from a key of a Secret.
type k8sSecretRef struct {
	Variable string
	Secret   string
	Key      string
}

// k8sGateway is Kong on Kubernetes through the Gateway API.
type k8sGateway struct {
	ClassName    string
	ListenerPort int
	Routes       []k8sRoute
	Plugins      []k8sPlugin
	// PluginNames is the value of the konghq.com/plugins annotation that
	// applies the plugins to each route.
	PluginNames string
}

// k8sRoute is one route of kong.yml as an HTTPRoute.
type k8sRoute struct {
	Name    string
	Service string
	Port    int
	// PathType is "Exact" for a path without parameters and
	// "RegularExpression" otherwise, and Path is the path or Kong's regex
	// without its "~" prefix.
	PathType string
	Path     string
	Methods  []string
}

// k8sPlugin is a gateway plugin of kong.yml as a KongPlugin. The value of
// each Config entry is YAML text: a number, a boolean or a quoted string.
type k8sPlugin struct {
	Name   string
	Config []envVar
}

// k8sCallee is a called service with the timeouts of calls to it.
// Route and ReadRoute name its two Linkerd HTTPRoutes: one for every
// request, and one that retries GET and HEAD requests.
type k8sCallee struct {
	Name      string
	Route     string
	ReadRoute string
	Port      int
	Timeout   string
	Retries   int
}

// suffixSeparator joins a workload's name and a suffix in an object name.
// It is used where objects of the same kind are also named after workloads
// alone or with another suffix, such as Linkerd's two HTTPRoutes of a called
// service or the two Services of a database. No service name contains "--"
// and every database host ends in "-db", so such a name never equals the
// name of another workload's object. With a single dash, the read route
// "mesh-orders-reads" of service "orders" would collide with the route of
// service "orders-reads".
const suffixSeparator = "--"

// suffixedName returns the name of an object of workload with suffix.
func suffixedName(workload, suffix string) string {
	return workload + suffixSeparator + suffix
}

// wantsKubernetes reports whether the spec's targets include Kubernetes.
func wantsKubernetes(spec *schema.Spec) bool {
	return slices.Contains(spec.Targets, targetKubernetes)
}

// renderKubernetes renders deploy/k8s: a kustomize base and the dev and
// prod overlays, when the spec's targets include "kubernetes".
func renderKubernetes(r *renderer, spec *schema.Spec) ([]File, error) {
	if !wantsKubernetes(spec) {
		return nil, nil
	}
	// The dev overlay's shared databases run the init scripts that compose
	// mounts, byte for byte.
	scripts, err := renderSharedDatabaseInit(r, spec)
	if err != nil {
		return nil, err
	}
	initScripts := make(map[string][]byte, len(scripts))
	for _, name := range spec.DatabaseNames() {
		for _, script := range scripts {
			if script.Path == sharedDatabaseInitPath(name) {
				initScripts[name] = script.Data
			}
		}
	}

	view, err := newK8sView(spec, initScripts)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", k8sDir, err)
	}

	outputs := []struct{ path, template string }{
		{k8sDir + "/cluster/gatewayclass.yaml", "deploy/k8s-gatewayclass.yaml.tmpl"},
		{k8sDir + "/base/namespace.yaml", "deploy/k8s-namespace.yaml.tmpl"},
		{k8sDir + "/base/gateway.yaml", "deploy/k8s-gateway.yaml.tmpl"},
		{k8sDir + "/base/policy.yaml", "deploy/k8s-policy.yaml.tmpl"},
		{k8sDir + "/overlays/dev/kustomization.yaml", "deploy/k8s-dev-kustomization.yaml.tmpl"},
		{k8sDir + "/overlays/dev/databases.yaml", "deploy/k8s-dev-databases.yaml.tmpl"},
		{k8sDir + "/overlays/dev/broker.yaml", "deploy/k8s-dev-broker.yaml.tmpl"},
		{k8sDir + "/overlays/prod/kustomization.yaml", "deploy/k8s-prod-kustomization.yaml.tmpl"},
		{k8sDir + "/overlays/prod/databases.yaml", "deploy/k8s-prod-databases.yaml.tmpl"},
		{k8sDir + "/overlays/prod/broker.yaml", "deploy/k8s-prod-broker.yaml.tmpl"},
	}
	for _, svc := range view.Services {
		outputs = append(outputs, struct{ path, template string }{k8sDir + "/base/services/" + svc.Name + ".yaml", "deploy/k8s-service.yaml.tmpl"})
	}
	outputs = append(outputs, struct{ path, template string }{k8sDir + "/base/kustomization.yaml", "deploy/k8s-base-kustomization.yaml.tmpl"})

	var files []File
	for _, out := range outputs {
		if strings.HasSuffix(out.path, "/databases.yaml") && len(view.Databases) == 0 {
			continue
		}
		if strings.HasSuffix(out.path, "/broker.yaml") && view.Broker == nil {
			continue
		}
		data := any(view)
		if strings.HasPrefix(out.path, k8sDir+"/base/services/") {
			name := strings.TrimSuffix(strings.TrimPrefix(out.path, k8sDir+"/base/services/"), ".yaml")
			data = map[string]any{"View": view, "Service": view.service(name)}
		}
		f, err := r.file(out.path, out.template, data)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

func (v *k8sView) service(name string) k8sService {
	for _, svc := range v.Services {
		if svc.Name == name {
			return svc
		}
	}
	return k8sService{}
}

// newK8sView collects what the Kubernetes templates need. initScripts maps
// a shared database's name to its rendered init script.
func newK8sView(spec *schema.Spec, initScripts map[string][]byte) (*k8sView, error) {
	if spec.Name == kongNamespace {
		return nil, fmt.Errorf("the system name %q is the namespace that Kong runs in: rename the system", spec.Name)
	}

	view := &k8sView{
		Namespace:          spec.Name,
		Mesh:               spec.Mesh,
		KongNamespace:      kongNamespace,
		KongServiceAccount: kongServiceAccount,
		ConsulDiscovery:    spec.Discovery == schema.DiscoveryConsul,
		ServicePolicies:    servicePolicies(spec),
		DatabasePolicies:   databasePolicies(spec),
		BrokerPolicies:     brokerPolicies(spec),
		Files:              []string{"namespace.yaml", "gateway.yaml", "policy.yaml"},
	}

	for _, svc := range spec.SortedServices() {
		service, err := newK8sService(spec, svc)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", svc.Name, err)
		}
		view.Services = append(view.Services, service)
		view.Files = append(view.Files, "services/"+svc.Name+".yaml")
	}

	databases, err := newK8sDatabases(spec, initScripts)
	if err != nil {
		return nil, err
	}
	view.Databases = databases
	if view.Broker, err = newK8sBroker(spec); err != nil {
		return nil, err
	}

	if view.Gateway, err = newK8sGateway(spec); err != nil {
		return nil, err
	}

	for _, policy := range view.ServicePolicies {
		if len(policy.Callers) > 0 {
			view.Callees = append(view.Callees, k8sCallee{
				Name:      policy.Target,
				Route:     "mesh-" + policy.Target,
				ReadRoute: suffixedName("mesh-"+policy.Target, "reads"),
				Port:      policy.Port,
				Timeout:   linkerdRouteTimeout,
				Retries:   linkerdRetries,
			})
		}
	}
	return view, nil
}

func newK8sService(spec *schema.Spec, svc *schema.Service) (k8sService, error) {
	probe, err := newK8sProbe(svc.Health)
	if err != nil {
		return k8sService{}, err
	}
	grace, err := time.ParseDuration(stopGrace(svc))
	if err != nil {
		return k8sService{}, err
	}

	config := map[string]string{"PORT": strconv.Itoa(svc.Port)}
	// Every callee is reached through its Kubernetes Service, even with
	// Consul discovery, because a set <CALLEE>_URL skips the Consul lookup.
	for _, callee := range serviceCallees(spec, svc) {
		target, ok := spec.Services[callee]
		if !ok {
			return k8sService{}, fmt.Errorf("called service %q is not declared under services", callee)
		}
		config[schema.EnvPrefix(callee)+"URL"] = "http://" + callee + ":" + strconv.Itoa(target.Port)
	}
	// The broker's Service has the name of compose's container.
	// TODO: NATS_URL is a ConfigMap value, because the dev overlay's NATS
	// needs no credentials. A prod NATS that does needs a Secret reference,
	// which the operator adds with a patch that the generated README shows.
	if usesBroker(spec, svc) {
		config["NATS_URL"] = brokerURL()
	}
	// With Consul discovery, the service gets no CONSUL_HTTP_ADDR, so it
	// does not register itself with Consul. Consul's HTTP check of such a
	// registration would reach the pod from outside the mesh, which mutual
	// TLS or the NetworkPolicies reject. consul-k8s registers the pods
	// instead: connect-inject with the mesh, and catalog sync without it.
	for name, value := range svc.Env {
		if _, defined := config[name]; defined {
			return k8sService{}, fmt.Errorf("env %q has the name of a variable that msgen sets; rename it", name)
		}
		config[name] = value
	}

	service := k8sService{
		Name:            svc.Name,
		Labels:          k8sLabels(svc.Name, spec.Name),
		Image:           spec.Name + "-" + svc.Name + ":latest",
		Port:            svc.Port,
		Replicas:        svc.Replicas.Min,
		Config:          sortedEnv(config),
		LivenessPath:    orDefault(svc.Health.Liveness, defaultLivenessPath),
		ReadinessPath:   orDefault(svc.Health.Readiness, defaultReadinessPath),
		PeriodSeconds:   probe.period,
		TimeoutSeconds:  probe.timeout,
		Retries:         svc.Health.Retries,
		StartupFailures: probe.startupFailures,
		HealthInterval:  svc.Health.Interval,
		GraceSeconds:    int(math.Ceil(grace.Seconds())),
		MountToken:      spec.Mesh == meshConsulConnect,
		Resources: k8sResources{
			CPURequest:     serviceCPURequest,
			MemoryRequest:  serviceMemoryRequest,
			CPULimit:       serviceCPULimit,
			MemoryLimit:    serviceMemoryLimit,
			CPUUtilization: hpaCPUUtilization,
		},
	}
	if svc.Replicas.Max > svc.Replicas.Min {
		replicas := svc.Replicas
		service.Autoscale = &replicas
	}

	if host := svc.DatabaseHost(); host != "" {
		service.Secrets = append(service.Secrets, k8sSecretRef{Variable: "DATABASE_URL", Secret: host, Key: databaseKeys(svc).URL})
	}
	if len(svc.Secrets) > 0 {
		service.SecretName = svc.Name + "-secrets"
	}
	for _, secret := range svc.Secrets {
		if _, defined := config[secret]; defined || secret == "DATABASE_URL" {
			return k8sService{}, fmt.Errorf("secret %q has the name of a variable that msgen sets; rename the secret", secret)
		}
		service.Secrets = append(service.Secrets, k8sSecretRef{Variable: secret, Secret: service.SecretName, Key: secret})
	}

	service.PodAnnotations = meshPodAnnotations(spec.Mesh)
	// Behind a mesh, Kong sends requests to the Service address instead of
	// pod addresses, so that the mesh secures and balances them.
	if spec.Mesh != meshNone && slices.Contains(gatewayServices(spec), svc.Name) {
		service.ServiceAnnotations = []envVar{{Name: "konghq.com/service-upstream", Value: "true"}}
	}
	return service, nil
}

// meshPodAnnotations returns the pod annotations that put a pod into the
// mesh. Istio injects the pods of a namespace with the istio-injection
// label instead.
func meshPodAnnotations(mesh string) []envVar {
	switch mesh {
	case meshLinkerd:
		return []envVar{{Name: "linkerd.io/inject", Value: "enabled"}}
	case meshConsulConnect:
		return []envVar{
			{Name: "consul.hashicorp.com/connect-inject", Value: "true"},
			{Name: "consul.hashicorp.com/transparent-proxy", Value: "true"},
		}
	}
	return nil
}

// k8sProbe is the timing of a container's probes in whole seconds, which is
// what Kubernetes accepts.
type k8sProbe struct {
	period, timeout int
	// startupFailures is how many failed startup probes Kubernetes allows:
	// enough to cover the start period, then the retries.
	startupFailures int
}

func newK8sProbe(h schema.Health) (k8sProbe, error) {
	period, err := wholeSeconds(h.Interval)
	if err != nil {
		return k8sProbe{}, fmt.Errorf("health interval: %w", err)
	}
	timeout, err := wholeSeconds(h.Timeout)
	if err != nil {
		return k8sProbe{}, fmt.Errorf("health timeout: %w", err)
	}
	start, err := wholeSeconds(h.StartPeriod)
	if err != nil {
		return k8sProbe{}, fmt.Errorf("health start period: %w", err)
	}
	startupFailures := (start+period-1)/period + h.Retries
	return k8sProbe{period: period, timeout: timeout, startupFailures: startupFailures}, nil
}

// newK8sGateway turns the routes and plugins of kong.yml into Gateway API
// routes and KongPlugins, so that both gateways route the same requests.
func newK8sGateway(spec *schema.Spec) (k8sGateway, error) {
	kong, err := newKongView(spec)
	if err != nil {
		return k8sGateway{}, err
	}

	gateway := k8sGateway{ClassName: gatewayClassName, ListenerPort: gatewayListenerPort}
	for _, svc := range kong.Services {
		for i, route := range svc.Routes {
			// Kong's route names may contain capital letters, which
			// Kubernetes names may not.
			r := k8sRoute{
				Name:     fmt.Sprintf("gateway-%s-%d", svc.Name, i+1),
				Service:  svc.Name,
				Port:     svc.Port,
				PathType: "Exact",
				Path:     route.Path,
				Methods:  route.Methods,
			}
			if strings.Contains(route.Path, "{") {
				// TODO: Kong's ingress controller orders regex routes by
				// its own priorities, not by kong.yml's regex_priority.
				// Of two regex paths where one is more specific, such as
				// /a/b/{x} and /a/{y}/{x}, it may pick the less specific.

				r.PathType = "RegularExpression"
				r.Path = strings.TrimPrefix(route.Paths[0], "~")
			}
			gateway.Routes = append(gateway.Routes, r)
		}
	}

	var names []string
	if kong.CorrelationID != "" {
		gateway.Plugins = append(gateway.Plugins, k8sPlugin{Name: "correlation-id", Config: []envVar{
			{Name: "header_name", Value: quoteYAML(kong.CorrelationID)},
			{Name: "generator", Value: quoteYAML("uuid#counter")},
			{Name: "echo_downstream", Value: "true"},
		}})
		names = append(names, "correlation-id")
	}
	if rl := kong.RateLimiting; rl != nil {
		var config []envVar
		for _, window := range []struct {
			name  string
			limit int
		}{{"second", rl.Second}, {"minute", rl.Minute}, {"hour", rl.Hour}, {"day", rl.Day}} {
			if window.limit > 0 {
				config = append(config, envVar{Name: window.name, Value: strconv.Itoa(window.limit)})
			}
		}
		config = append(config, envVar{Name: "policy", Value: quoteYAML("local")}, envVar{Name: "limit_by", Value: quoteYAML("ip")})
		gateway.Plugins = append(gateway.Plugins, k8sPlugin{Name: "rate-limiting", Config: config})
		names = append(names, "rate-limiting")
	}
	gateway.PluginNames = strings.Join(names, ",")
	return gateway, nil
}

// quoteYAML quotes s as a YAML string. It ignores the error of yamlString,
// which JSON-encodes s into a bytes.Buffer: encoding a string cannot fail,
// because encoding/json replaces invalid UTF-8 with U+FFFD.

func quoteYAML(s string) string {
	quoted, _ := yamlString(s)
	return quoted
}
