package schema

import (
	"fmt"
	"golang.org/x/mod/module"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"cuelang.org/go/cue"
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
	return c.errs
}

// addAt records an error at the user's field named by parts, which are
// strings for field names and ints for list indexes.
func (c *semanticChecker) addAt(parts []any, format string, args ...any) {
	var sels []cue.Selector
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			sels = append(sels, cue.Str(p))
		case int:
			sels = append(sels, cue.Index(p))
		}
	}

	e := Error{Path: pathString(sels), Message: fmt.Sprintf(format, args...)}

	// Use the deepest field that the user wrote, so that a missing field
	// points at the struct that should contain it.
	for n := len(sels); n >= 0; n-- {
		v := c.user.LookupPath(cue.MakePath(sels[:n]...))
		if !v.Exists() {
			continue
		}
		if pos := v.Pos(); pos.IsValid() {
			e.File, e.Line, e.Column = pos.Filename(), pos.Line(), pos.Column()
			break
		}
	}
	c.errs = append(c.errs, e)
}

// checkModule rejects a module path that the go command rejects, and each
// service whose package import path it would reject, such as one with the
// path element "aux", which Windows reserves.
func (c *semanticChecker) checkModule() {
	if c.spec.Module == "" {
		return
	}
	if err := module.CheckPath(c.spec.Module); err != nil {
		c.addAt([]any{"module"}, "invalid module path %q: %v", c.spec.Module, err)
		return
	}
	for _, name := range sortedKeys(c.declared["services"]) {
		importPath := c.spec.Module + "/services/" + name + "/internal/" + GoPackageName(name)
		if err := module.CheckImportPath(importPath); err != nil {
			c.addAt([]any{"services", name}, "invalid service name %q: the go command rejects its import path %s: %v; choose another name", name, importPath, err)
		}
	}
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
		pkg := GoPackageName(name)
		if other, ok := byPackage[pkg]; ok {
			c.addAt([]any{"services", name}, "service names %q and %q both map to the Go package name %q; rename one of them", other, name, pkg)
			continue
		}
		byPackage[pkg] = name
	}
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
	unknown := func(at []any, what, name string) {
		c.addAt(at, "%s %q is not a declared service: use one of %s", what, name, listOrNone(names))
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

// SetVariables are the environment variables that the generated compose
// file sets for a service, besides the <CALLEE>_URL variable of each called
// service. A spec cannot set them again.
var SetVariables = []string{"PORT", "DATABASE_URL", "CONSUL_HTTP_ADDR"}

// TunableVariables are the environment variables that a generated service
// reads with a default, which a spec may set in env: each maps to a check of
// its value that returns a problem or "".
var TunableVariables = map[string]func(value string) string{
	"LOG_LEVEL": func(value string) string {
		switch value {
		case "debug", "info", "warn", "error":
			return ""
		}
		return "use debug, info, warn or error"
	},
	"SHUTDOWN_TIMEOUT": func(value string) string {
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 || d > maxHealthDuration {
			return "use a Go duration above 0s and at most 1h, such as \"15s\""
		}
		return ""
	},
	"DRAIN_DELAY": func(value string) string {
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 || d > maxHealthDuration {
			return "use a Go duration from 0s to 1h, such as \"30s\""
		}
		return ""
	},
}

// checkEnvironment rejects a variable name that two things would set: a
// service's env entry or secret against a variable msgen sets, and two
// variables of .env, which holds every secret and database password of
// the system.
func (c *semanticChecker) checkEnvironment() {
	dotEnv := map[string]string{}
	claimDotEnv := func(name, what string, at []any) {
		if other, ok := dotEnv[name]; ok {
			c.addAt(at, "%s needs the .env variable %s, which %s already uses: rename one of them", what, name, other)
			return
		}
		dotEnv[name] = what
	}
	for _, svc := range c.spec.SortedServices() {
		if svc.OwnsDatabase() {
			claimDotEnv(EnvPrefix(svc.Name)+"DB_PASSWORD", fmt.Sprintf("the database of service %q", svc.Name), []any{"services", svc.Name})
		}
	}
	for _, db := range c.spec.DatabaseNames() {
		claimDotEnv(EnvPrefix(db)+"DB_PASSWORD", fmt.Sprintf("database %q", db), []any{"databases", db})
	}

	edges := c.callEdges()
	for _, svc := range c.spec.SortedServices() {
		set := map[string]string{}
		for _, name := range SetVariables {
			set[name] = "msgen"
		}
		seenCallees := map[string]bool{}
		for _, edge := range edges[svc.Name] {
			if seenCallees[edge.callee] {
				continue // called twice, as a call and a composition source
			}
			seenCallees[edge.callee] = true
			variable := EnvPrefix(edge.callee) + "URL"
			if who, ok := set[variable]; ok {
				c.addAt(edge.at, "the call to service %q needs the variable %s, which %s already sets: rename the service", edge.callee, variable, who)
				continue
			}
			// With Consul, compose leaves <CALLEE>_URL unset, and env may
			// set it to override the lookup.
			if c.spec.Discovery != DiscoveryConsul {
				set[variable] = fmt.Sprintf("msgen, for calls to service %q", edge.callee)
			}
		}

		for _, name := range sortedKeys(svc.Env) {
			at := []any{"services", svc.Name, "env", name}
			if who, ok := set[name]; ok {
				c.addAt(at, "variable %s is already set by %s: rename it", name, who)
				continue
			}
			if check, ok := TunableVariables[name]; ok {
				if problem := check(svc.Env[name]); problem != "" {
					c.addAt(at, "invalid value %q for %s: %s", svc.Env[name], name, problem)
				}
			}
			set[name] = "the service's env"
		}
		for i, secret := range svc.Secrets {
			at := []any{"services", svc.Name, "secrets", i}
			if secret == "" {
				continue
			}
			if who, ok := set[secret]; ok {
				if who != "secrets" {
					c.addAt(at, "secret %s is already set by %s: rename it", secret, who)
				}
				continue
			}
			set[secret] = "secrets"
			claimDotEnv(EnvPrefix(svc.Name)+secret, fmt.Sprintf("secret %s of service %q", secret, svc.Name), at)
		}
	}
}

// checkGoNames rejects two names of one service that become the same Go
// name in its generated package: two handler methods, or two fields of its
// Dependencies struct. A generator that numbered the second name instead
// would move a handler to another route when a route is inserted before it.
func (c *semanticChecker) checkGoNames() {
	edges := c.callEdges()
	for _, svc := range c.spec.SortedServices() {
		handlers := map[string]string{}
		claimHandler := func(at []any, method, path string) {
			name := HandlerName(method, path)
			route := method + " " + path
			if other, ok := handlers[name]; ok && other != route {
				c.addAt(at, "%s and %s both get the handler method %s: change one path", route, other, name)
				return
			}
			handlers[name] = route
		}
		for i, route := range svc.Routes {
			if route.Path == "" {
				continue
			}
			for _, method := range route.Methods {
				if method == "" {
					continue
				}
				claimHandler([]any{"services", svc.Name, "routes", i}, method, route.Path)
			}
		}
		for _, name := range sortedKeys(c.spec.Compositions) {
			comp := c.spec.Compositions[name]
			if comp.Composer != svc.Name || comp.Path == "" {
				continue
			}
			for _, method := range comp.Methods {
				claimHandler([]any{"compositions", name, "path"}, method, comp.Path)
			}
		}

		fields := map[string]string{"Logger": "the logger"}
		if svc.UsesDatabase() {
			fields["DatabaseURL"] = "the database URL"
		}
		claimField := func(at []any, field, owner string) {
			if other, ok := fields[field]; ok && other != owner {
				c.addAt(at, "%s and %s both get the field %s in the Dependencies of service %q: rename one of them", owner, other, field, svc.Name)
				return
			}
			fields[field] = owner
		}
		for _, edge := range edges[svc.Name] {
			claimField(edge.at, GoIdentifier(edge.callee), fmt.Sprintf("called service %q", edge.callee))
		}
		for i, secret := range svc.Secrets {
			if secret == "" || slices.Contains(SetVariables, secret) {
				continue // invalid, or reported by checkEnvironment
			}
			claimField([]any{"services", svc.Name, "secrets", i}, GoIdentifier(secret), "secret "+secret)
		}
	}
}

// maxHealthDuration bounds health check durations. Kong stores its health
// check intervals as whole seconds up to 65535, and an interval of more than
// an hour would leave a failed instance in service for that long.
const maxHealthDuration = time.Hour

// checkDurations rejects health check durations above maxHealthDuration and
// a saga timeout above a day.
func (c *semanticChecker) checkDurations() {
	check := func(at []any, value string, max time.Duration) {
		d, err := time.ParseDuration(value)
		if value == "" || (err == nil && d <= max) {
			return
		}
		c.addAt(at, "duration %q is too long: use at most %s", value, strings.TrimSuffix(max.String(), "0m0s"))
	}
	checkHealth := func(at []any, h Health) {
		check(append(at, "interval"), h.Interval, maxHealthDuration)
		check(append(at, "timeout"), h.Timeout, maxHealthDuration)
		check(append(at, "startPeriod"), h.StartPeriod, maxHealthDuration)
	}

	checkHealth([]any{"health"}, c.spec.Health)
	for _, svc := range c.spec.SortedServices() {
		// Only what the service overrides: the rest was checked above.
		if svc.Health != c.spec.Health {
			override := svc.Health
			if override.Interval == c.spec.Health.Interval {
				override.Interval = ""
			}
			if override.Timeout == c.spec.Health.Timeout {
				override.Timeout = ""
			}
			if override.StartPeriod == c.spec.Health.StartPeriod {
				override.StartPeriod = ""
			}
			checkHealth([]any{"services", svc.Name, "health"}, override)
		}
	}
	for _, name := range sortedKeys(c.spec.Sagas) {
		check([]any{"sagas", name, "timeout"}, c.spec.Sagas[name].Timeout, 24*time.Hour)
	}
}

// checkRateLimits rejects a longer window with a lower limit than a shorter
// one, which Kong's rate-limiting plugin rejects when it loads the
// configuration.
func (c *semanticChecker) checkRateLimits() {
	limits := c.spec.Gateway.Kong.Plugins.RateLimiting
	if limits == nil {
		return
	}
	windows := []struct {
		name  string
		limit int
	}{{"second", limits.Second}, {"minute", limits.Minute}, {"hour", limits.Hour}, {"day", limits.Day}}

	previous := -1
	for i, w := range windows {
		if w.limit == 0 {
			continue
		}
		if previous >= 0 && w.limit < windows[previous].limit {
			c.addAt([]any{"gateway", "kong", "plugins", "rateLimiting", w.name}, "the limit per %s, %d, is lower than the limit per %s, %d: a longer window needs at least the limit of a shorter one", w.name, w.limit, windows[previous].name, windows[previous].limit)
		}
		previous = i
	}
}

func (c *semanticChecker) checkDuplicates(at []any, list []string, what string) {
	seen := map[string]bool{}
	for i, item := range list {
		if item != "" && seen[item] {
			c.addAt(append(at, i), "%s %q is listed twice: remove one", what, item)
		}
		seen[item] = true
	}
}

func (c *semanticChecker) checkPorts() {
	byPort := map[int]string{}
	for _, svc := range c.spec.SortedServices() {
		if svc.Port == 0 {
			continue // invalid or missing, reported by the structural check
		}
		if other, ok := byPort[svc.Port]; ok {
			c.addAt([]any{"services", svc.Name, "port"}, "port %d is already used by service %q: choose a free port", svc.Port, other)
			continue
		}
		byPort[svc.Port] = svc.Name
	}

	kong := c.spec.Gateway.Kong
	if kong.AdminPort != 0 && kong.AdminPort == kong.Port {
		c.addAt([]any{"gateway", "kong", "adminPort"}, "the admin port %d is the same as the proxy port: choose another port", kong.AdminPort)
	}
}

// routeParam matches a path parameter such as {id}.
var routeParam = regexp.MustCompile(`\{[^}]*\}`)

// checkRoutes rejects routes that the services could not serve or that the
// gateway could not tell apart, by the rules of Go's http.ServeMux: two
// patterns conflict when they match a common request and neither is more
// specific, so /a/{id} and /a/{key} conflict but /a/b and /a/{id} do not.
func (c *semanticChecker) checkRoutes() {
	if c.spec.Health.Liveness != "" && c.spec.Health.Liveness == c.spec.Health.Readiness {
		c.addAt([]any{"health"}, "the liveness and readiness paths are both %q: give them different paths", c.spec.Health.Liveness)
	}

	for _, field := range []string{"liveness", "readiness"} {
		path := c.spec.Health.Liveness
		if field == "readiness" {
			path = c.spec.Health.Readiness
		}
		c.checkParams([]any{"health", field}, path)
	}

	var gateway []routeClaim
	for _, svc := range c.spec.SortedServices() {
		owner := fmt.Sprintf("service %q", svc.Name)
		// A service serves its health paths beside its routes, but the
		// gateway does not route to them.
		var own []routeClaim
		if svc.Health.Liveness != svc.Health.Readiness {
			for _, path := range []string{svc.Health.Liveness, svc.Health.Readiness} {
				own = append(own, routeClaim{owner: "health check of " + owner, pattern: MuxPattern("GET", path), at: []any{"services", svc.Name, "health"}})
			}
		} else if c.user.LookupPath(cue.MakePath(cue.Str("services"), cue.Str(svc.Name), cue.Str("health"))).Exists() {
			c.addAt([]any{"services", svc.Name, "health"}, "the liveness and readiness paths are both %q: give them different paths", svc.Health.Liveness)
		}

		for i, route := range svc.Routes {
			at := []any{"services", svc.Name, "routes", i}
			c.checkDuplicates(append(at, "methods"), route.Methods, "method")
			if !c.checkParams(append(at, "path"), route.Path) {
				continue
			}
			for _, method := range unique(route.Methods) {
				if method == "" {
					continue
				}
				claim := routeClaim{owner: owner, pattern: MuxPattern(method, route.Path), at: at}
				own = append(own, claim)
				gateway = append(gateway, claim)
			}
		}
		for _, name := range sortedKeys(c.spec.Compositions) {
			comp := c.spec.Compositions[name]
			if comp.Composer != svc.Name {
				continue
			}
			c.checkDuplicates([]any{"compositions", name, "methods"}, comp.Methods, "method")
			if !c.checkParams([]any{"compositions", name, "path"}, comp.Path) {
				continue
			}
			for _, method := range unique(comp.Methods) {
				claim := routeClaim{owner: fmt.Sprintf("composition %q", name), pattern: MuxPattern(method, comp.Path), at: []any{"compositions", name, "path"}}
				own = append(own, claim)
				gateway = append(gateway, claim)
			}
		}

		// A conflict inside one service shows up again among all the
		// routes below, with the same message, and sorting drops the copy.
		c.claimAll(own)
	}
	c.claimAll(gateway)
}

func unique(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// checkParams rejects a path with a "." or ".." segment or with one
// parameter name twice, which Go's ServeMux rejects at start, and reports
// whether the path is usable.
func (c *semanticChecker) checkParams(at []any, path string) bool {
	if path == "" {
		return false // missing, reported by the structural check
	}
	for _, segment := range strings.Split(path, "/") {
		if segment == "." || segment == ".." {
			c.addAt(at, "path %q has a %q segment, which no request can match after path cleaning: remove it", path, segment)
			return false
		}
	}
	seen := map[string]bool{}
	for _, param := range routeParam.FindAllString(path, -1) {
		if seen[param] {
			c.addAt(at, "parameter %s appears twice in %q: give each parameter its own name", param, path)
			return false
		}
		seen[param] = true
	}
	return true
}

// callEdge is a synchronous call and where the spec declares it.
type callEdge struct {
	callee string
	at     []any
}

// callEdges returns the calls of each service: its own calls and the
// sources of the compositions it answers.
func (c *semanticChecker) callEdges() map[string][]callEdge {
	edges := map[string][]callEdge{}
	for _, svc := range c.spec.SortedServices() {
		for i, callee := range svc.Calls {
			if callee == "" {
				continue
			}
			edges[svc.Name] = append(edges[svc.Name], callEdge{callee, []any{"services", svc.Name, "calls", i}})
		}
	}
	for _, name := range sortedKeys(c.spec.Compositions) {
		comp := c.spec.Compositions[name]
		for i, source := range comp.From {
			if source == "" {
				continue
			}
			edges[comp.Composer] = append(edges[comp.Composer], callEdge{source, []any{"compositions", name, "from", i}})
		}
	}
	return edges
}

// checkCallCycles rejects a cycle of synchronous calls: compose starts a
// service only after the services it calls are healthy, and it rejects a
// cycle of such dependencies.
func (c *semanticChecker) checkCallCycles() {
	const (
		unvisited = iota
		visiting
		done
	)
	edges := c.callEdges()
	state := map[string]int{}
	var stack []string
	reported := map[string]bool{}

	var visit func(name string)
	visit = func(name string) {
		state[name] = visiting
		stack = append(stack, name)
		for _, edge := range edges[name] {
			if _, ok := c.spec.Services[edge.callee]; !ok || edge.callee == name {
				continue
			}
			switch state[edge.callee] {
			case visiting:
				cycle := cycleFrom(stack, edge.callee)
				key := canonicalCycle(cycle)
				if !reported[key] {
					reported[key] = true
					c.addAt(edge.at, "calls form a cycle %s: docker compose rejects a dependency cycle and would not start the system; remove one call", strings.Join(append(cycle, edge.callee), " -> "))
				}
			case unvisited:
				visit(edge.callee)
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
	}
	for _, name := range c.spec.ServiceNames() {
		if state[name] == unvisited {
			visit(name)
		}
	}
}

func cycleFrom(stack []string, start string) []string {
	for i, name := range stack {
		if name == start {
			return append([]string(nil), stack[i:]...)
		}
	}
	return nil
}

// canonicalCycle names a cycle the same way whichever service it starts at.
func canonicalCycle(cycle []string) string {
	sorted := append([]string(nil), cycle...)
	sort.Strings(sorted)
	return strings.Join(sorted, ",")
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
	if c.spec.Mesh == "consul-connect" && c.spec.Discovery != DiscoveryConsul {
		c.addAt([]any{"mesh"}, "mesh \"consul-connect\" needs Consul: set discovery: \"consul\"")
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
