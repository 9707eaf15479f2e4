package generator

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/msgen-dev/msgen/schema"
)

// Timeouts of Kong's connections to a service, in milliseconds. A service
// that does not accept a connection within kongConnectTimeout is down;
// reads and writes keep Kong's default of one minute.
const (
	kongConnectTimeout = 5000
	kongReadTimeout    = 60000
	kongWriteTimeout   = 60000
)

// defaultCorrelationHeader is the header of the correlation-id plugin when
// the spec enables it without naming one.
const defaultCorrelationHeader = "X-Correlation-ID"

// pathParam matches a {name} segment of a route path template.
var pathParam = regexp.MustCompile(`^\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// kongView is the data of the kong.yml template.
type kongView struct {
	Services      []kongService
	Upstreams     []kongUpstream
	CorrelationID string
	RateLimiting  *schema.RateLimiting
	// Mesh is true when the targets are Kong's sidecar in Consul's service
	// mesh.
	Mesh bool
}

type kongService struct {
	Name           string
	Host           string
	Port           int
	ConnectTimeout int
	ReadTimeout    int
	WriteTimeout   int
	Routes         []kongRoute
}

type kongRoute struct {
	Name string
	// Path is the spec's path template, such as /orders/{id}, from which
	// Paths is made.
	Path          string
	Paths         []string
	Methods       []string
	RegexPriority int
}

// kongMaxSeconds is the largest value of Kong's health check intervals and
// timeout: Kong's upstream schema types them as seconds from 0 to 65535.
const kongMaxSeconds = 65535

// kongUpstream is an upstream with one target and its health checks. The
// intervals and the timeout are whole seconds.
type kongUpstream struct {
	Name     string
	Target   string
	HTTPPath string
	Interval int
	Timeout  int
	Retries  int
}

// renderKong renders gateway/kong.yml, Kong's declarative configuration.
func renderKong(r *renderer, spec *schema.Spec) ([]File, error) {
	view, err := newKongView(spec)
	if err != nil {
		return nil, fmt.Errorf("render gateway/kong.yml: %w", err)
	}
	f, err := r.file("gateway/kong.yml", "deploy/kong.yml.tmpl", view)
	if err != nil {
		return nil, err
	}
	return []File{f}, nil
}

func newKongView(spec *schema.Spec) (*kongView, error) {
	view := &kongView{Mesh: composeMeshEnabled(spec)}

	plugins := spec.Gateway.Kong.Plugins
	if plugins.CorrelationID != nil {
		view.CorrelationID = plugins.CorrelationID.Header
		if view.CorrelationID == "" {
			view.CorrelationID = defaultCorrelationHeader
		}
	}
	if rl := plugins.RateLimiting; rl != nil && (rl.Second > 0 || rl.Minute > 0 || rl.Hour > 0 || rl.Day > 0) {
		view.RateLimiting = rl
	}

	routeNames := map[string]bool{}
	for _, name := range gatewayServices(spec) {
		svc := spec.Services[name]
		upstream := name + ".upstream"

		// Route names are "<service>-<n>" for the service's own routes and
		// "<service>-<composition>" for the compositions it serves.
		var routes []kongRoute
		for i, r := range svc.Routes {
			route, err := newKongRoute(fmt.Sprintf("%s-%d", name, i+1), r.Path, r.Methods)
			if err != nil {
				return nil, fmt.Errorf("service %q: %w", name, err)
			}
			routes = append(routes, route)
		}
		for _, compName := range compositionsOf(spec, name) {
			comp := spec.Compositions[compName]
			route, err := newKongRoute(name+"-"+compName, comp.Path, comp.Methods)
			if err != nil {
				return nil, fmt.Errorf("composition %q: %w", compName, err)
			}
			routes = append(routes, route)
		}
		for _, route := range routes {
			if routeNames[route.Name] {
				return nil, fmt.Errorf("two routes are named %q; rename a service or composition", route.Name)
			}
			routeNames[route.Name] = true
		}

		view.Services = append(view.Services, kongService{
			Name:           name,
			Host:           upstream,
			Port:           svc.Port,
			ConnectTimeout: kongConnectTimeout,
			ReadTimeout:    kongReadTimeout,
			WriteTimeout:   kongWriteTimeout,
			Routes:         routes,
		})

		up, err := newKongUpstream(spec, svc, upstream)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", name, err)
		}
		view.Upstreams = append(view.Upstreams, up)
	}
	return view, nil
}

func newKongRoute(name, path string, methods []string) (kongRoute, error) {
	kongPath, err := kongRoutePath(path)
	if err != nil {
		return kongRoute{}, err
	}
	return kongRoute{
		Name:          name,
		Path:          path,
		Paths:         []string{kongPath},
		Methods:       kongMethods(methods),
		RegexPriority: kongRegexPriority(path),
	}, nil
}

// kongMethods returns the methods of a Kong route for a spec route. Go's
// http.ServeMux serves HEAD wherever it serves GET, so Kong routes HEAD too.
func kongMethods(methods []string) []string {
	if !slices.Contains(methods, "GET") || slices.Contains(methods, "HEAD") {
		return methods
	}
	return append(slices.Clone(methods), "HEAD")
}

func newKongUpstream(spec *schema.Spec, svc *schema.Service, name string) (kongUpstream, error) {
	interval, err := wholeSeconds(svc.Health.Interval)
	if err != nil {
		return kongUpstream{}, fmt.Errorf("health interval: %w", err)
	}
	timeout, err := wholeSeconds(svc.Health.Timeout)
	if err != nil {
		return kongUpstream{}, fmt.Errorf("health timeout: %w", err)
	}

	target := svc.Name + ":" + strconv.Itoa(svc.Port)
	switch {
	case composeMeshEnabled(spec):
		// Kong's sidecar carries the requests through the mesh from an
		// upstream listener on Kong's 127.0.0.1.
		ports, err := kongUpstreamPorts(spec)
		if err != nil {
			return kongUpstream{}, err
		}
		target = "127.0.0.1:" + strconv.Itoa(ports[svc.Name])
	case spec.Discovery == schema.DiscoveryConsul:
		target = svc.Name + ".service.consul:" + strconv.Itoa(svc.Port)
	}
	return kongUpstream{
		Name:     name,
		Target:   target,
		HTTPPath: svc.Health.Readiness,
		Interval: interval,
		Timeout:  timeout,
		Retries:  svc.Health.Retries,
	}, nil
}

// kongRoutePath converts a path template into a Kong 3 regex path ("~"
// prefix). Kong anchors a regex path at the start of the request path, and
// the "$" anchors it at the end, so the route matches exactly the request
// paths that the service's http.ServeMux pattern matches. A plain Kong path
// would match as a prefix instead: /orders would also match /orders/x. Each
// parameter becomes a named group for one segment, so /orders/{id} becomes
// ~/orders/(?<id>[^/]+)$, and literal segments are quoted, so / becomes ~/$.
func kongRoutePath(path string) (string, error) {
	if !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("route path %q does not start with \"/\"", path)
	}

	segments := strings.Split(path, "/")
	seen := map[string]bool{}
	for i, segment := range segments {
		m := pathParam.FindStringSubmatch(segment)
		if m == nil {
			if strings.ContainsAny(segment, "{}") {
				return "", fmt.Errorf("route path %q: a parameter must be a whole segment such as {id}", path)
			}
			segments[i] = regexp.QuoteMeta(segment)
			continue
		}
		if seen[m[1]] {
			return "", fmt.Errorf("route path %q has the parameter {%s} twice", path, m[1])
		}
		seen[m[1]] = true
		segments[i] = "(?<" + m[1] + ">[^/]+)"
	}
	return "~" + strings.Join(segments, "/") + "$", nil
}

// kongRegexPriority returns the regex_priority of the Kong route for a path
// template: its number of literal segments. Among the routes whose methods
// and regex match a request, Kong picks the one with the highest
// regex_priority, while Go 1.22's http.ServeMux picks the most specific
// pattern. Two paths that match a common request have the same number of
// segments, because every regex is anchored at both ends, and the schema
// rejects such a pair with a common method unless one path is more
// specific: a literal segment wherever the other has one, and at least one
// more. So the more specific path gets the higher priority, and two routes
// with equal priority never match the same request, which makes Kong pick
// the route that the service serves: /orders/archive (2) beats
// /orders/{id} (1), and / (0) matches only the root.
func kongRegexPriority(path string) int {
	literals := 0
	for _, segment := range strings.Split(strings.Trim(path, "/"), "/") {
		if segment != "" && !pathParam.MatchString(segment) {
			literals++
		}
	}
	return literals
}

// wholeSeconds converts a Go duration to whole seconds, rounding up and at
// least 1, because decK's schema types Kong's health check intervals and
// timeout as integers. It rejects a duration above kongMaxSeconds.
func wholeSeconds(duration string) (int, error) {
	d, err := time.ParseDuration(duration)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %q is not positive", duration)
	}
	seconds := math.Ceil(d.Seconds())
	if seconds > kongMaxSeconds {
		return 0, fmt.Errorf("duration %q is %.0f seconds, more than Kong's maximum of %d seconds (about 18h): use a shorter duration",
			duration, seconds, kongMaxSeconds)
	}
	return int(seconds), nil
}

// compositionsOf returns the sorted names of the compositions whose composer
// is service.
func compositionsOf(spec *schema.Spec, service string) []string {
	var names []string
	for name, comp := range spec.Compositions {
		if comp.Composer == service {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
