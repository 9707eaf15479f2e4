package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// The gateway plugins that init offers, by their field names in the spec.
const (
	pluginCorrelationID = "correlationId"
	pluginRateLimiting  = "rateLimiting"
)

// Defaults that init suggests for answers where the schema has none.
const (
	defaultServiceName  = "api"
	defaultDatabaseName = "shared"
	defaultRateLimit    = 600 // requests per minute and client IP address
	firstServicePort    = 8081
)

// initAnswers are the answers to msgen init's questions, from flags, the
// wizard and defaults.
type initAnswers struct {
	Name     string
	Module   string
	Services []serviceAnswer
	// Plugins are the gateway plugins to enable, by field name.
	Plugins []string
	// RateLimit is the number of requests per minute and client IP address
	// that the rateLimiting plugin allows.
	RateLimit int
	Discovery string
	Mesh      string
	// Targets are the deployment targets, such as "compose".
	Targets []string
}

// serviceAnswer is one service of the answers.
type serviceAnswer struct {
	Name    string
	Pattern string
	// Database is the shared database of a shared-database service.
	Database string
	Port     int
	Routes   []schema.Route
}

// serviceNames returns the names of the services in the order given.
func (a *initAnswers) serviceNames() []string {
	names := make([]string, len(a.Services))
	for i, svc := range a.Services {
		names[i] = svc.Name
	}
	return names
}

// databases returns the shared databases that the services name, sorted.
func (a *initAnswers) databases() []string {
	var names []string
	for _, svc := range a.Services {
		if svc.Database != "" && !slices.Contains(names, svc.Database) {
			names = append(names, svc.Database)
		}
	}
	slices.Sort(names)
	return names
}

// usedPorts maps each port that a service has to the service.
func (a *initAnswers) usedPorts() map[int]string {
	used := map[int]string{}
	for _, svc := range a.Services {
		if svc.Port != 0 {
			used[svc.Port] = svc.Name
		}
	}
	return used
}

// nextPort returns the lowest port from firstServicePort up that no
// service uses.
func (a *initAnswers) nextPort() int {
	used := a.usedPorts()
	port := firstServicePort
	for used[port] != "" {
		port++
	}
	return port
}

// meshNeedsKubernetes reports whether the service mesh runs only on
// Kubernetes: compose runs neither Istio nor Linkerd.
func meshNeedsKubernetes(mesh string) bool {
	return mesh == "istio" || mesh == "linkerd"
}

// targetKubernetes is the deployment target that adds deploy/k8s.
const targetKubernetes = "kubernetes"

// resolveMesh sets the answers that the service mesh fixes. Consul's mesh
// needs Consul discovery, and Istio and Linkerd need the kubernetes target.
// It sets an answer that the flags left open and returns a note that
// explains why. A flag that the mesh contradicts is an error naming the flag.
func resolveMesh(a *initAnswers, given answerSet) (notes []string, err error) {
	if err := schema.CheckMeshDiscovery(a.Mesh, a.Discovery); err != nil {
		if given.discovery {
			return nil, fmt.Errorf("--mesh %s: mesh %q needs Consul, but --discovery is %q: give --discovery consul, or choose another mesh", a.Mesh, a.Mesh, a.Discovery)
		}
		a.Discovery = schema.DiscoveryConsul
		notes = append(notes, fmt.Sprintf("discovery is %q, because mesh %q needs Consul", a.Discovery, a.Mesh))
	}
	if meshNeedsKubernetes(a.Mesh) && !slices.Contains(a.Targets, targetKubernetes) {
		if given.targets {
			return nil, fmt.Errorf("--mesh %s: mesh %q runs only on Kubernetes, but --target leaves out %q: add --target %s, or choose another mesh", a.Mesh, a.Mesh, targetKubernetes, targetKubernetes)
		}
		a.Targets = append(a.Targets, targetKubernetes)
		notes = append(notes, fmt.Sprintf("targets are %s, because mesh %q runs only on Kubernetes", quoteAll(a.Targets, "and"), a.Mesh))
	}
	return notes, nil
}

// defaultTargets returns the schema's default deployment targets.
func defaultTargets() []string {
	var targets []string
	if err := schema.Default("targets", &targets); err != nil {
		return []string{"compose"}
	}
	return targets
}

// suggestName derives a system name from the target directory's name. It
// lowercases the name and replaces each inner run of characters other than
// ASCII letters and digits with a dash, dropping such runs at either end.
// It returns "" when no valid name results.

func suggestName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(filepath.Base(abs)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	name := b.String()
	if schema.ValidateSystemName(name) != nil {
		return ""
	}
	return name
}

// suggestModule returns the module path that init suggests for a system.
func suggestModule(name string) string {
	return "example.com/" + name
}

// defaultRoutes returns the route that init suggests for a new service:
// GET on a path named after the service.
func defaultRoutes(service string) []schema.Route {
	return []schema.Route{{Path: "/" + service, Methods: defaultMethods()}}
}

// defaultMethods returns the schema's default methods of a route.
func defaultMethods() []string {
	var methods []string
	if err := schema.Default("#Route.methods", &methods); err != nil {
		return []string{"GET"}
	}
	return methods
}

// parseRoutes parses a list of routes as the wizard and --routes accept it.
// Entries are separated by spaces, and each is a path with an optional
// colon and comma-separated methods, such as "/orders:GET,POST /orders/{id}".
// A path without methods gets the schema's default methods, and methods are
// case-insensitive. "none" gives no routes, because an empty answer means
// the default route.
func parseRoutes(text string) ([]schema.Route, error) {
	if strings.TrimSpace(text) == "none" {
		return nil, nil
	}
	var routes []schema.Route
	for _, entry := range strings.Fields(text) {
		path, methodList, hasMethods := strings.Cut(entry, ":")
		if err := schema.ValidateRoutePath(path); err != nil {
			return nil, err
		}
		methods := defaultMethods()
		if hasMethods {
			methods = nil
			for _, method := range strings.Split(methodList, ",") {
				method = strings.ToUpper(method)
				if err := schema.ValidateMethod(method); err != nil {
					return nil, fmt.Errorf("route %s: %w", entry, err)
				}
				methods = append(methods, method)
			}
		}
		routes = append(routes, schema.Route{Path: path, Methods: methods})
	}
	return routes, nil
}

// formatRoutes formats routes in the syntax that parseRoutes reads.
func formatRoutes(routes []schema.Route) string {
	entries := make([]string, len(routes))
	for i, route := range routes {
		entries[i] = route.Path
		if !slices.Equal(route.Methods, defaultMethods()) {
			entries[i] += ":" + strings.Join(route.Methods, ",")
		}
	}
	return strings.Join(entries, " ")
}

// validateChoice validates value against the values that the schema allows
// for the field at path, such as "discovery".
func validateChoice(path, value string) error {
	values, _, err := schema.Choices(path)
	if err != nil {
		return err
	}
	if !slices.Contains(values, value) {
		return fmt.Errorf("invalid value %q: use %s", value, quoteAll(values, "or"))
	}
	return nil
}

// quoteAll quotes values and joins them with commas and conj before the
// last, as in "a", "b" or "c".
func quoteAll(values []string, conj string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	return joinList(quoted, conj)
}

// validateRoutesOfService validates the routes of one service as the loader
// does in a whole spec, rejecting conflicting routes and handler names that
// two routes share. It loads a spec with only this service, so the loader's
// rules apply unchanged.

func validateRoutesOfService(svc serviceAnswer) error {
	a := &initAnswers{
		Name:      "check",
		Module:    "example.com/check",
		Services:  []serviceAnswer{{Name: svc.Name, Pattern: svc.Pattern, Port: firstServicePort, Routes: svc.Routes}},
		Discovery: schema.DiscoveryDNS,
		Mesh:      "none",
		Targets:   defaultTargets(),
	}
	if svc.Pattern == schema.PatternSharedDatabase {
		a.Services[0].Database = defaultDatabaseName
	}

	src, err := specFile(a)
	if err != nil {
		return err
	}
	_, err = schema.LoadSource(specName, src)
	if err == nil {
		return nil
	}

	var specErrs schema.Errors
	if !errors.As(err, &specErrs) {
		return err
	}
	// The spec has this service alone, so each error about routes is
	// about its routes.
	for _, e := range specErrs {
		if strings.Contains(e.Path, ".routes") {
			return errors.New(e.Message)
		}
	}
	return nil
}
