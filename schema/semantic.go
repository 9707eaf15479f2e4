package schema

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
	"golang.org/x/mod/module"
)

// semanticChecker checks the rules that span several fields: references
// between entries, conflicts and cycles. It reports positions from the
// user's value.
type semanticChecker struct {
	spec *Spec
	// declared and broken come from decode: every validly named entry, and
	// the entries whose own errors are already reported.
	declared map[string]map[string]bool
	broken   map[string]bool
	user     cue.Value
	errs     Errors
}

func checkSemantics(d *decoded, user cue.Value) Errors {
	c := &semanticChecker{spec: d.spec, declared: d.declared, broken: d.broken, user: user}
	c.checkServiceNames()
	c.checkModule()
	c.checkContainerNames()
	c.checkData()
	c.checkReferences()
	c.checkEvents()
	c.checkDataNames()
	c.checkRateLimits()
	c.checkEnvironment()
	c.checkGoNames()
	c.checkDurations()
	c.checkPorts()
	c.checkRoutes()
	c.checkCallCycles()
	c.checkReplicas()
	c.checkNetwork()
	c.checkMesh()
	c.checkNamespace()
	c.checkStatefulSetNames()
	return c.errs
}

// addAt records an error at the user's field named by parts, which are
// strings for field names and ints for list indexes.
func (c *semanticChecker) addAt(parts []any, format string, args ...any) {
	sels := selectors(parts)
	e := Error{Path: pathString(sels), Message: fmt.Sprintf(format, args...)}
	if pos := c.position(sels); pos.IsValid() {
		e.File, e.Line, e.Column = pos.Filename(), pos.Line(), pos.Column()
	}
	c.errs = append(c.errs, e)
}

// selectors converts parts, strings for field names and ints for list
// indexes, to a CUE path.
func selectors(parts []any) []cue.Selector {
	var sels []cue.Selector
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			sels = append(sels, cue.Str(p))
		case int:
			sels = append(sels, cue.Index(p))
		}
	}
	return sels
}

// position returns the position of the deepest field of sels that the user
// wrote, so that a missing field points at the struct that should contain
// it.
func (c *semanticChecker) position(sels []cue.Selector) token.Pos {
	for n := len(sels); n >= 0; n-- {
		v := c.user.LookupPath(cue.MakePath(sels[:n]...))
		if !v.Exists() {
			continue
		}
		if pos := v.Pos(); pos.IsValid() {
			return pos
		}
	}
	return token.NoPos
}

// checkModule rejects a module path that the go command rejects as an
// import path, and each service whose package import path it would reject,
// such as one with the path element "aux", which Windows reserves.
func (c *semanticChecker) checkModule() {
	modulePath := c.spec.Module
	if modulePath != "" {
		if err := checkModuleImportPath(modulePath); err != nil {
			c.addAt([]any{"module"}, "%v", err)
		}
	}

	// The services are checked under a valid module path when the spec's
	// is not, so that their own problems show in the same run.
	if modulePath == "" || checkModuleImportPath(modulePath) != nil {
		modulePath = placeholderModule
	}
	for _, name := range sortedKeys(c.declared["services"]) {
		if err := checkServiceImportPath(modulePath, name); err != nil {
			c.addAt([]any{"services", name}, "%v", err)
		}
	}
}

// placeholderModule is the module path under which service names are
// checked when the spec's module path is invalid or not known yet.
const placeholderModule = "example.com/module"

// checkModuleImportPath rejects a module path that the go command rejects
// as an import path.
func checkModuleImportPath(modulePath string) error {
	if err := module.CheckImportPath(modulePath); err != nil {
		return fmt.Errorf("invalid module path %q: %v", modulePath, err)
	}
	return nil
}

// checkServiceImportPath rejects a service name whose package import path
// under modulePath the go command rejects.
func checkServiceImportPath(modulePath, name string) error {
	importPath := "services/" + name + "/internal/" + GoPackageName(name)
	if err := module.CheckImportPath(modulePath + "/" + importPath); err != nil {
		return fmt.Errorf("invalid service name %q: the go command rejects the import path <module>/%s: %v; choose another name", name, importPath, err)
	}
	return nil
}

func (c *semanticChecker) checkServiceNames() {
	if len(c.declared["services"]) == 0 && !c.broken["services"] {
		c.addAt([]any{"services"}, "no services declared: add at least one, such as services: api: port: 8080")
	}
	byPackage := map[string]string{}
	for _, name := range sortedKeys(c.declared["services"]) {
		if err := CheckServiceName(name); err != nil {
			c.addAt([]any{"services", name}, "%v", err)
			continue
		}
		if err := checkPackageConflict(name, byPackage); err != nil {
			c.addAt([]any{"services", name}, "%v", err)
			continue
		}
		byPackage[GoPackageName(name)] = name
	}
}

// checkPackageConflict rejects a service name whose Go package name is
// already taken: byPackage maps each taken package name to its service.
func checkPackageConflict(name string, byPackage map[string]string) error {
	pkg := GoPackageName(name)
	if other, ok := byPackage[pkg]; ok {
		return fmt.Errorf("service names %q and %q both map to the Go package name %q; rename one of them", other, name, pkg)
	}
	return nil
}

// checkContainerNames rejects two compose services of the same name, for
// example a service "orders-db" beside the database of service "orders".
func (c *semanticChecker) checkContainerNames() {
	owner := map[string]string{}
	for _, name := range c.spec.ServiceNames() {
		owner[name] = fmt.Sprintf("service %q", name)
	}
	for _, svc := range c.spec.SortedServices() {
		if !svc.OwnsDatabase() {
			continue
		}
		host := svc.DatabaseHost()
		if other, ok := owner[host]; ok {
			c.addAt([]any{"services", svc.Name, "data"}, "the database container %q of service %q has the same name as %s; rename one of them", host, svc.Name, other)
			continue
		}
		owner[host] = fmt.Sprintf("the database of service %q", svc.Name)
	}
	for _, db := range c.spec.DatabaseNames() {
		host := DatabaseHost(db)
		if other, ok := owner[host]; ok {
			c.addAt([]any{"databases", db}, "the container %q of database %q has the same name as %s; rename one of them", host, db, other)
			continue
		}
		owner[host] = fmt.Sprintf("database %q", db)
	}
}

// maxLabel is the maximum length of a DNS label, and so of a compose host.
const maxLabel = 63

func (c *semanticChecker) checkData() {
	for _, svc := range c.spec.SortedServices() {
		if host := DatabaseHost(svc.Name); svc.OwnsDatabase() && len(host) > maxLabel {
			c.addAt([]any{"services", svc.Name}, "the name of service %q is too long for its database host %q, which has %d characters where DNS allows %d: shorten the name to at most %d characters", svc.Name, host, len(host), maxLabel, maxLabel-len(DatabaseHost("")))
		}
	}
	for _, db := range c.spec.DatabaseNames() {
		if host := DatabaseHost(db); len(host) > maxLabel {
			c.addAt([]any{"databases", db}, "the name of database %q is too long for its host %q, which has %d characters where DNS allows %d: shorten the name to at most %d characters", db, host, len(host), maxLabel, maxLabel-len(DatabaseHost("")))
		}
	}

	for _, svc := range c.spec.SortedServices() {
		at := []any{"services", svc.Name, "data"}
		switch {
		case svc.Data.Pattern == PatternSharedDatabase && svc.Data.Database == "":
			c.addAt(at, "missing field \"database\": a shared-database service names one of the databases declared under databases")
		case svc.Data.Pattern == PatternSharedDatabase:
			if !c.declared["databases"][svc.Data.Database] {
				c.addAt(append(at, "database"), "database %q is not declared: declare it under databases (%s) or fix the name", svc.Data.Database, listOrNone(sortedKeys(c.declared["databases"])))
			}
		case svc.Data.Database != "":
			c.addAt(append(at, "database"), "field \"database\" is only for the shared-database pattern, but the pattern is %q: remove it or set pattern: \"shared-database\"", svc.Data.Pattern)
		}
	}
}

func (c *semanticChecker) checkReferences() {
	names := sortedKeys(c.declared["services"])
	known := func(name string) bool { return c.declared["services"][name] }
	unknown := func(at []any, role, name string) {
		c.addAt(at, "%s %q is not a declared service: use one of %s", role, name, listOrNone(names))
	}

	for _, svc := range c.spec.SortedServices() {
		seen := map[string]bool{}
		for i, callee := range svc.Calls {
			at := []any{"services", svc.Name, "calls", i}
			switch {
			case callee == "":
				// Invalid, and reported by the structural check.
			case callee == svc.Name:
				c.addAt(at, "service %q calls itself: remove it from calls", svc.Name)
			case !known(callee):
				unknown(at, "called service", callee)
			case seen[callee]:
				c.addAt(at, "service %q is listed twice in calls: remove one", callee)
			}
			seen[callee] = true
		}
	}

	for _, name := range sortedKeys(c.spec.Sagas) {
		saga := c.spec.Sagas[name]
		if saga.Orchestrator != "" && !known(saga.Orchestrator) {
			unknown([]any{"sagas", name, "orchestrator"}, "orchestrator", saga.Orchestrator)
		}
		actions := map[string]bool{}
		for i, step := range saga.Steps {
			if step.Service != "" && !known(step.Service) {
				unknown([]any{"sagas", name, "steps", i, "service"}, "step service", step.Service)
			}
			if step.Action != "" && actions[step.Action] {
				c.addAt([]any{"sagas", name, "steps", i, "action"}, "action %q appears twice in saga %q: give each step its own action", step.Action, name)
			}
			actions[step.Action] = true
		}
	}

	for _, name := range sortedKeys(c.spec.Compositions) {
		comp := c.spec.Compositions[name]
		if comp.Composer != "" && !known(comp.Composer) {
			unknown([]any{"compositions", name, "composer"}, "composer", comp.Composer)
		}
		seen := map[string]bool{}
		for i, source := range comp.From {
			at := []any{"compositions", name, "from", i}
			switch {
			case source == "":
			case !known(source):
				unknown(at, "source", source)
			case source == comp.Composer:
				c.addAt(at, "the composer %q cannot be one of its own sources: remove it from the from list", source)
			case seen[source]:
				c.addAt(at, "source %q is listed twice: remove one", source)
			}
			seen[source] = true
		}
	}
}

func (c *semanticChecker) checkEvents() {
	publishers := map[string][]string{}
	for _, svc := range c.spec.SortedServices() {
		for _, event := range svc.Publishes {
			publishers[event] = append(publishers[event], svc.Name)
		}
	}
	published := sortedKeys(publishers)

	// A service whose publishes list is invalid may be the publisher
	// that a subscriber or a declared event needs.
	publishersKnown := true
	for name := range c.declared["services"] {
		if _, ok := c.spec.Services[name]; !ok || c.broken["services."+name+".publishes"] {
			publishersKnown = false
		}
	}

	for _, svc := range c.spec.SortedServices() {
		for i, event := range svc.Subscribes {
			switch {
			case !publishersKnown || event == "" || len(publishers[event]) > 0:
			case len(published) == 0:
				c.addAt([]any{"services", svc.Name, "subscribes", i}, "no service publishes event %q: add it to a service's publishes", event)
			default:
				c.addAt([]any{"services", svc.Name, "subscribes", i}, "no service publishes event %q: add it to a service's publishes or fix the name (published events: %s)", event, listOrNone(published))
			}
		}
		c.checkDuplicates([]any{"services", svc.Name, "publishes"}, svc.Publishes, "event")
		c.checkDuplicates([]any{"services", svc.Name, "subscribes"}, svc.Subscribes, "event")
		c.checkDuplicates([]any{"services", svc.Name, "secrets"}, svc.Secrets, "secret")
	}

	for _, event := range sortedKeys(c.spec.Events) {
		if publishersKnown && len(publishers[event]) == 0 {
			c.addAt([]any{"events", event}, "no service publishes event %q: add it to a service's publishes or remove the declaration", event)
		}
	}
}

func (c *semanticChecker) checkDuplicates(at []any, list []string, noun string) {
	seen := map[string]bool{}
	for i, item := range list {
		if item != "" && seen[item] {
			c.addAt(append(at, i), "%s %q is listed twice: remove one", noun, item)
		}
		seen[item] = true
	}
}

// checkPorts reports each service whose port an earlier service in the spec
// uses, at the later port, where the user most likely added the conflict.
func (c *semanticChecker) checkPorts() {
	byPort := map[int]string{}
	for _, svc := range c.servicesInSpecOrder("port") {
		if svc.Port == 0 {
			continue // invalid or missing, reported by the structural check
		}
		if err := CheckPortFree(svc.Port, byPort); err != nil {
			c.addAt([]any{"services", svc.Name, "port"}, "%v", err)
			continue
		}
		byPort[svc.Port] = svc.Name
	}

	kong := c.spec.Gateway.Kong
	if kong.AdminPort != 0 && kong.AdminPort == kong.Port {
		c.addAt([]any{"gateway", "kong", "adminPort"}, "the admin port %d is the same as the proxy port: choose another port", kong.AdminPort)
	}
}

// servicesInSpecOrder returns the services in the order in which the spec
// declares their field, by file, line and column, and by name where the
// positions are equal, as for a field that several services share.
func (c *semanticChecker) servicesInSpecOrder(field string) []*Service {
	services := c.spec.SortedServices()
	positions := make(map[string]token.Pos, len(services))
	for _, svc := range services {
		positions[svc.Name] = c.position(selectors([]any{"services", svc.Name, field}))
	}
	slices.SortStableFunc(services, func(a, b *Service) int {
		pa, pb := positions[a.Name], positions[b.Name]
		return cmp.Or(
			strings.Compare(pa.Filename(), pb.Filename()),
			cmp.Compare(pa.Line(), pb.Line()),
			cmp.Compare(pa.Column(), pb.Column()),
		)
	})
	return services
}

func (c *semanticChecker) checkReplicas() {
	for _, svc := range c.spec.SortedServices() {
		if c.broken["services."+svc.Name+".replicas"] {
			continue
		}
		if svc.Replicas.Max < svc.Replicas.Min {
			c.addAt([]any{"services", svc.Name, "replicas", "max"}, "max replicas %d is less than min replicas %d: raise max or lower min", svc.Replicas.Max, svc.Replicas.Min)
		}
	}
}

func (c *semanticChecker) checkNetwork() {
	if c.broken["network"] {
		return
	}
	prefix, err := netip.ParsePrefix(c.spec.Network.Subnet)
	switch {
	case err != nil || !prefix.Addr().Is4() || prefix.Bits() < 8:
		c.addAt([]any{"network", "subnet"}, "invalid subnet %q: use an IPv4 subnet in CIDR notation such as \"172.30.0.0/24\"", c.spec.Network.Subnet)
		return
	case prefix.Masked() != prefix:
		c.addAt([]any{"network", "subnet"}, "subnet %q has host bits set: use %q", c.spec.Network.Subnet, prefix.Masked().String())
		return
	case !prefix.Addr().IsPrivate():
		c.addAt([]any{"network", "subnet"}, "subnet %q is not a private IPv4 range: use a subnet of 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", c.spec.Network.Subnet)
		return
	case prefix.Bits() > 29:
		c.addAt([]any{"network", "subnet"}, "subnet %q is too small: use a prefix of /29 or shorter", c.spec.Network.Subnet)
		return
	}

	// With Consul, the compose network has a fixed subnet. Docker gives
	// containers addresses from its lower half, less the network address
	// and the gateway, and Consul takes a fixed address in the upper half.
	if c.spec.Discovery != DiscoveryConsul {
		return
	}
	capacity := 1<<(32-prefix.Bits()-1) - 2
	containers := len(c.spec.Services) + len(c.spec.Databases) + 1 // Kong
	for _, svc := range c.spec.Services {
		if svc.OwnsDatabase() {
			containers++
		}
	}
	if containers > capacity {
		c.addAt([]any{"network", "subnet"}, "subnet %q leaves %d addresses for containers, but the system has %d: use a shorter prefix, such as %q", c.spec.Network.Subnet, capacity, containers, netip.PrefixFrom(prefix.Addr(), 16).Masked().String())
	}
}

func (c *semanticChecker) checkMesh() {
	if err := CheckMeshDiscovery(c.spec.Mesh, c.spec.Discovery); err != nil {
		c.addAt([]any{"mesh"}, "%v", err)
	}
	c.checkDuplicates([]any{"targets"}, c.spec.Targets, "target")
}

// listOrNone quotes up to ten names for a message and counts the rest.
func listOrNone(names []string) string {
	const maxListed = 10
	if len(names) == 0 {
		return "none declared"
	}
	var quoted []string
	for i, n := range names {
		if i == maxListed {
			quoted = append(quoted, fmt.Sprintf("and %d more", len(names)-maxListed))
			break
		}
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	return strings.Join(quoted, ", ")
}
