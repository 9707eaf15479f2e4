package schema

import (
	"cmp"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"cuelang.org/go/cue"
)

// MuxPattern returns the http.ServeMux pattern that serves method and path,
// a spec path template. The templates share their {name} syntax, but the
// path "/" matches every path in a pattern, so the root alone becomes "/{$}".
func MuxPattern(method, path string) string {
	if path == "/" {
		path = "/{$}"
	}
	return method + " " + path
}

// routeClaim is a route that a service or a composition serves, and where
// the spec declares it.
type routeClaim struct {
	owner   string
	pattern string
	at      []any
	// remedy replaces the usual advice in the error of a later claim that
	// conflicts with this one.
	remedy string
}

// register adds pattern to mux and reports whether it conflicts with a
// pattern already there. http.ServeMux panics when two patterns match a
// common request and neither is more specific, which is the rule for the
// generated services too.
func register(mux *http.ServeMux, pattern string) (conflict bool) {
	defer func() {
		if recover() != nil {
			conflict = true
		}
	}()
	mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
	return false
}

// claimAll registers each claim on one ServeMux, as the gateway and the
// services together serve them, and reports each claim that conflicts with
// an earlier one, naming that one.
func (c *semanticChecker) claimAll(claims []routeClaim) {
	mux := http.NewServeMux()
	var accepted []routeClaim
	for _, claim := range claims {
		if !register(mux, claim.pattern) {
			accepted = append(accepted, claim)
			continue
		}

		// Find the earlier claim that it conflicts with, pair by pair.
		for _, other := range accepted {
			pair := http.NewServeMux()
			register(pair, other.pattern)
			if register(pair, claim.pattern) {
				remedy := cmp.Or(other.remedy, "both match some requests and neither is more specific; change one path")
				c.addAt(claim.at, "%s conflicts with %s (%s): %s", claim.pattern, other.pattern, other.owner, remedy)
				break
			}
		}
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
		own = append(own, c.sagaClaims(svc.Name)...)

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

// sagaClaims returns the routes that a service serves as the orchestrator
// of sagas: POST /sagas/<saga> starts an instance and GET /sagas/<saga>/{id}
// reads one. The gateway does not route to them. They are claimed even where
// the orchestrator has no database and its sagas are not generated yet, so
// that a spec stays valid once they are.
func (c *semanticChecker) sagaClaims(service string) []routeClaim {
	var claims []routeClaim
	for _, name := range sortedKeys(c.spec.Sagas) {
		if c.spec.Sagas[name].Orchestrator != service {
			continue
		}
		for _, pattern := range []string{"POST /sagas/" + name, "GET /sagas/" + name + "/{id}"} {
			claims = append(claims, routeClaim{
				owner:   fmt.Sprintf("served by service %q for saga %q", service, name),
				pattern: pattern,
				at:      []any{"sagas", name},
				remedy:  "the orchestrator serves it to start and read the saga's instances, so change this path or rename the saga",
			})
		}
	}
	return claims
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

// checkParams reports a path that Go's ServeMux cannot serve, as
// pathParamProblem finds it, and reports whether the path is usable.
func (c *semanticChecker) checkParams(at []any, path string) bool {
	if path == "" {
		return false // missing, reported by the structural check
	}
	if problem := pathParamProblem(path); problem != "" {
		c.addAt(at, "%s", problem)
		return false
	}
	return true
}

// pathParamProblem returns why Go's ServeMux rejects path at start, or ""
// when it does not: a "." or ".." segment, or one parameter name twice.
// path is a path template that matches the schema's #Path.
func pathParamProblem(path string) string {
	for _, segment := range strings.Split(path, "/") {
		if segment == "." || segment == ".." {
			return fmt.Sprintf("path %q has a %q segment, which no request can match after path cleaning: remove it", path, segment)
		}
	}
	seen := map[string]bool{}
	for _, param := range routeParam.FindAllString(path, -1) {
		if seen[param] {
			return fmt.Sprintf("parameter %s appears twice in %q: give each parameter its own name", param, path)
		}
		seen[param] = true
	}
	return ""
}
