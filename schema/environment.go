package schema

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// SetVariables are the environment variables that the generated compose
// file sets for a service, besides the <CALLEE>_URL variable of each called
// service. A spec cannot set them again.
var SetVariables = []string{"PORT", "DATABASE_URL", "CONSUL_HTTP_ADDR"}

// meshConsulConnect is the mesh that docker-compose.yml also runs: Consul's
// service mesh, for which compose sets LISTEN_ADDRESS and <CALLEE>_URL.
const meshConsulConnect = "consul-connect"

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
	"LISTEN_ADDRESS": func(value string) string {
		if _, err := netip.ParseAddr(value); err != nil {
			return "use an IP address such as \"127.0.0.1\""
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
		if c.spec.Mesh == meshConsulConnect {
			set["LISTEN_ADDRESS"] = "msgen, for Consul's service mesh in docker-compose.yml"
		}
		seenCallees := map[string]bool{}
		for _, edge := range edges[svc.Name] {
			if seenCallees[edge.callee] {
				continue // called twice, as a call and a composition source
			}
			seenCallees[edge.callee] = true
			variable := EnvPrefix(edge.callee) + "URL"
			if setter, ok := set[variable]; ok {
				c.addAt(edge.at, "the call to service %q needs the variable %s, which %s already sets: rename the service", edge.callee, variable, setter)
				continue
			}
			// With Consul, compose leaves <CALLEE>_URL unset, and env may
			// set it to override the lookup. Consul's service mesh sets it
			// to the sidecar's upstream listener.
			if c.spec.Discovery != DiscoveryConsul || c.spec.Mesh == meshConsulConnect {
				set[variable] = fmt.Sprintf("msgen, for calls to service %q", edge.callee)
			}
		}

		for _, name := range sortedKeys(svc.Env) {
			at := []any{"services", svc.Name, "env", name}
			if setter, ok := set[name]; ok {
				c.addAt(at, "variable %s is already set by %s: rename it", name, setter)
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
			if setter, ok := set[secret]; ok {
				if setter != "secrets" {
					c.addAt(at, "secret %s is already set by %s: rename it", secret, setter)
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
