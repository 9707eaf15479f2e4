package schema

import (
	"maps"
	"slices"
	"strings"
)

// Spec is a validated architecture spec with every default filled in. The
// generator reads only this type, never the CUE value behind it.
type Spec struct {
	Name         string                 `json:"name"`
	Module       string                 `json:"module"`
	Targets      []string               `json:"targets"`
	Gateway      Gateway                `json:"gateway"`
	Discovery    string                 `json:"discovery"`
	Mesh         string                 `json:"mesh"`
	ControlPlane ControlPlane           `json:"controlPlane"`
	Network      Network                `json:"network"`
	Health       Health                 `json:"health"`
	Databases    map[string]Database    `json:"databases"`
	Events       map[string]Event       `json:"events"`
	Services     map[string]*Service    `json:"services"`
	Sagas        map[string]Saga        `json:"sagas"`
	Compositions map[string]Composition `json:"compositions"`
}

// Gateway is the API gateway in front of the services.
type Gateway struct {
	Kong Kong `json:"kong"`
}

// Kong configures the Kong gateway, which runs DB-less from a declarative
// configuration file.
type Kong struct {
	Image string `json:"image"`
	// Port is the proxy port, the only port published on the host.
	Port int `json:"port"`
	// AdminPort, when not zero, publishes the admin API on 127.0.0.1 only.
	AdminPort int         `json:"adminPort"`
	Plugins   KongPlugins `json:"plugins"`
}

// KongPlugins are the gateway-wide plugins.
type KongPlugins struct {
	CorrelationID *CorrelationID `json:"correlationId"`
	RateLimiting  *RateLimiting  `json:"rateLimiting"`
}

// CorrelationID configures Kong's correlation-id plugin.
type CorrelationID struct {
	Header string `json:"header"`
}

// RateLimiting configures Kong's rate-limiting plugin: the maximum number of
// requests per client IP address in each time window. Zero means no limit for
// that window.
type RateLimiting struct {
	Second int `json:"second"`
	Minute int `json:"minute"`
	Hour   int `json:"hour"`
	Day    int `json:"day"`
}

// ControlPlane sizes the control plane of the service mesh or of Consul.
type ControlPlane struct {
	// Replicas is the number of control plane servers: 1, 3 or 5 so that a
	// Raft quorum survives the loss of a minority.
	Replicas int `json:"replicas"`
}

// Network is the compose network that the services share.
type Network struct {
	// Subnet is the IPv4 subnet of the compose network, in CIDR notation. A
	// fixed subnet gives Consul a fixed address that Kong can use as its DNS
	// resolver.
	Subnet string `json:"subnet"`
}

// Health is the health check settings of a service.
type Health struct {
	Liveness    string `json:"liveness"`
	Readiness   string `json:"readiness"`
	Interval    string `json:"interval"`
	Timeout     string `json:"timeout"`
	Retries     int    `json:"retries"`
	StartPeriod string `json:"startPeriod"`
}

// Database is a database that several services share, each in its own schema.
type Database struct {
	Engine string `json:"engine"`
	Image  string `json:"image"`
}

// Event is a domain event: a map from each field name to its type, one of
// "string", "int", "float", "bool" or "time".
type Event map[string]string

// Service is one microservice of the system.
type Service struct {
	// Name is the service's key in the spec, a DNS label.
	Name       string            `json:"-"`
	Port       int               `json:"port"`
	Routes     []Route           `json:"routes"`
	Data       Data              `json:"data"`
	Publishes  []string          `json:"publishes"`
	Subscribes []string          `json:"subscribes"`
	Calls      []string          `json:"calls"`
	Env        map[string]string `json:"env"`
	Secrets    []string          `json:"secrets"`
	Replicas   Replicas          `json:"replicas"`
	// Health is the global health settings with this service's overrides
	// applied.
	Health Health `json:"health"`
}

// Route is an HTTP route that the gateway forwards to a service.
type Route struct {
	// Path is a path template such as /orders/{id}.
	Path    string   `json:"path"`
	Methods []string `json:"methods"`
}

// Data is the data management pattern of a service and its database.
type Data struct {
	// Pattern is one of the Pattern constants.
	Pattern string `json:"pattern"`
	Engine  string `json:"engine"`
	// Database names the shared database of a PatternSharedDatabase service.
	Database string `json:"database"`
	// Image is the container image of the service's own database.
	Image string `json:"image"`
}

// Replicas bounds the number of instances of a service.
type Replicas struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Saga is an orchestrated saga: the orchestrator sends each step's action in
// turn and, when a step fails, the compensations of the completed steps in
// reverse order.
type Saga struct {
	Orchestrator string     `json:"orchestrator"`
	Steps        []SagaStep `json:"steps"`
	Timeout      string     `json:"timeout"`
}

// SagaStep is one step of a saga.
type SagaStep struct {
	Service      string `json:"service"`
	Action       string `json:"action"`
	Compensation string `json:"compensation"`
}

// Composition is an API composition: the composer service serves Path by
// calling each service in From and merging their results.
type Composition struct {
	Path     string   `json:"path"`
	Composer string   `json:"composer"`
	From     []string `json:"from"`
	Methods  []string `json:"methods"`
}

// Data management patterns.
const (
	PatternStateless          = "stateless"
	PatternDatabasePerService = "database-per-service"
	PatternSharedDatabase     = "shared-database"
	PatternCQRS               = "cqrs"
	PatternEventSourcing      = "event-sourcing"
)

// Discovery modes.
const (
	DiscoveryDNS    = "dns"
	DiscoveryConsul = "consul"
)

// ServiceNames returns the service names in sorted order.
func (s *Spec) ServiceNames() []string {
	return sortedKeys(s.Services)
}

// SortedServices returns the services sorted by name.
func (s *Spec) SortedServices() []*Service {
	services := make([]*Service, 0, len(s.Services))
	for _, name := range s.ServiceNames() {
		services = append(services, s.Services[name])
	}
	return services
}

// DatabaseNames returns the shared database names in sorted order.
func (s *Spec) DatabaseNames() []string {
	return sortedKeys(s.Databases)
}

// Subscribers returns the services that subscribe to event, sorted by name.
func (s *Spec) Subscribers(event string) []string {
	var names []string
	for _, svc := range s.SortedServices() {
		for _, e := range svc.Subscribes {
			if e == event {
				names = append(names, svc.Name)
				break
			}
		}
	}
	return names
}

// OwnsDatabase reports whether the service has a PostgreSQL of its own.
func (svc *Service) OwnsDatabase() bool {
	switch svc.Data.Pattern {
	case PatternDatabasePerService, PatternCQRS, PatternEventSourcing:
		return true
	}
	return false
}

// UsesDatabase reports whether the service needs a database, its own or a
// shared one.
func (svc *Service) UsesDatabase() bool {
	return svc.OwnsDatabase() || svc.Data.Pattern == PatternSharedDatabase
}

// GoPackage returns the Go package name for the service: the name without
// dashes, so "order-svc" becomes "ordersvc".
func (svc *Service) GoPackage() string {
	return GoPackageName(svc.Name)
}

// EnvPrefix returns the prefix of environment variables about the service, so
// "order-svc" becomes "ORDER_SVC_".
func (svc *Service) EnvPrefix() string {
	return EnvPrefix(svc.Name)
}

// GoPackageName maps a DNS label to a Go package name by dropping its dashes.
func GoPackageName(name string) string {
	return strings.ReplaceAll(name, "-", "")
}

// EnvPrefix maps a DNS label to an environment variable prefix.
func EnvPrefix(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_"
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// DatabaseHost returns the compose host name of the service's database, its
// own or the shared one, or "" for a service without a database.
func (svc *Service) DatabaseHost() string {
	switch {
	case svc.OwnsDatabase():
		return DatabaseHost(svc.Name)
	case svc.Data.Pattern == PatternSharedDatabase:
		return DatabaseHost(svc.Data.Database)
	}
	return ""
}

// DatabaseHost returns the compose host name of the database container named
// after owner, a service or a shared database.
func DatabaseHost(owner string) string {
	return owner + "-db"
}
