package schema

import (
	"net/http"
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
				c.addAt(claim.at, "%s conflicts with %s (%s): both match some requests and neither is more specific; change one path", claim.pattern, other.pattern, other.owner)
				break
			}
		}
	}
}
