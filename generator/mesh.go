package generator

import (
	"maps"
	"slices"

	"github.com/msgen-dev/msgen/schema"
)

// Service meshes that the spec's mesh field names.
const (
	meshNone          = "none"
	meshIstio         = "istio"
	meshLinkerd       = "linkerd"
	meshConsulConnect = "consul-connect"
)

// Where the operator installs Kong's ingress controller and proxy on
// Kubernetes, following the generated README. Mesh policies name the proxy's
// identity, so these must match that installation: the Helm release "kong"
// of the kong/ingress chart in the namespace "kong" runs its proxy under the
// service account "kong-gateway".
const (
	kongNamespace      = "kong"
	kongServiceAccount = "kong-gateway"
	// kongDeployment is the Deployment of the proxy, which the chart names
	// after the release and the proxy, as it names the service account.
	kongDeployment = "kong-gateway"
)

// inboundPolicy is the traffic that one workload accepts: the callers that
// may open connections to its port. Everything else is refused.
type inboundPolicy struct {
	// Target is the workload: a service, a database container such as
	// "orders-db", or the NATS server.
	Target string
	Port   int
	// Opaque is true for a PostgreSQL or NATS workload, whose port carries
	// its own protocol instead of HTTP.
	Opaque bool
	// Callers are the services of the system that may call Target, sorted.
	Callers []string
	// FromGateway is true when Kong routes requests to Target.
	FromGateway bool
}

// serviceCallees returns the services that svc calls: its calls and the
// sources of the compositions that it serves, sorted and without repeats.
func serviceCallees(spec *schema.Spec, svc *schema.Service) []string {
	callees := slices.Clone(svc.Calls)
	for _, name := range compositionsOf(spec, svc.Name) {
		callees = append(callees, spec.Compositions[name].From...)
	}
	return sortedUnique(callees)
}

// servicePolicies returns the inbound policy of every service, sorted by
// service: the callers that the spec declares, and Kong for the services
// that it routes to.
func servicePolicies(spec *schema.Spec) []inboundPolicy {
	callers := map[string][]string{}
	for _, svc := range spec.SortedServices() {
		for _, callee := range serviceCallees(spec, svc) {
			callers[callee] = append(callers[callee], svc.Name)
		}
	}
	routed := gatewayServices(spec)

	policies := make([]inboundPolicy, 0, len(spec.Services))
	for _, svc := range spec.SortedServices() {
		policies = append(policies, inboundPolicy{
			Target:      svc.Name,
			Port:        svc.Port,
			Callers:     sortedUnique(callers[svc.Name]),
			FromGateway: slices.Contains(routed, svc.Name),
		})
	}
	return policies
}

// databasePolicies returns the inbound policy of every PostgreSQL workload,
// sorted by name: each service's own database accepts its owner, and a
// shared database accepts every service that uses it.
func databasePolicies(spec *schema.Spec) []inboundPolicy {
	owners := map[string][]string{}
	for _, svc := range spec.SortedServices() {
		if host := svc.DatabaseHost(); host != "" {
			owners[host] = append(owners[host], svc.Name)
		}
	}

	var policies []inboundPolicy
	for _, host := range slices.Sorted(maps.Keys(owners)) {
		policies = append(policies, inboundPolicy{
			Target:  host,
			Port:    postgresPort,
			Opaque:  true,
			Callers: sortedUnique(owners[host]),
		})
	}
	return policies
}

// brokerPolicies returns the inbound policy of the NATS server, which
// accepts every service that uses the broker, or nothing when none does.
func brokerPolicies(spec *schema.Spec) []inboundPolicy {
	var clients []string
	for _, svc := range spec.SortedServices() {
		if usesBroker(spec, svc) {
			clients = append(clients, svc.Name)
		}
	}
	if len(clients) == 0 {
		return nil
	}
	return []inboundPolicy{{Target: brokerContainer, Port: brokerPort, Opaque: true, Callers: clients}}
}
