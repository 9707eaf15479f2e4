package generator

import (
	"fmt"
	"math"
	"regexp"
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
	Name    string
	Paths   []string
	Methods []string
}

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
	view := &kongView{}

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
	return kongRoute{Name: name, Paths: []string{kongPath}, Methods: methods}, nil
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

	host := svc.Name
	if spec.Discovery == schema.DiscoveryConsul {
		host = svc.Name + ".service.consul"
	}
	return kongUpstream{
		Name:     name,
		Target:   host + ":" + strconv.Itoa(svc.Port),
		HTTPPath: svc.Health.Readiness,
		Interval: interval,
		Timeout:  timeout,
		Retries:  svc.Health.Retries,
	}, nil
}

// kongRoutePath converts a path template into a Kong route path. A path
// without parameters stays a plain path, which Kong matches as a prefix. A
// path with parameters becomes a Kong 3 regex path ("~" prefix) that names
// each parameter and matches the whole request path, so /orders/{id}
// becomes ~/orders/(?<id>[^/]+)$.
func kongRoutePath(path string) (string, error) {
	if !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("route path %q does not start with \"/\"", path)
	}
	if !strings.ContainsAny(path, "{}") {
		return path, nil
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

// wholeSeconds converts a Go duration to whole seconds, rounding up and at
// least 1, because decK's schema types Kong's health check intervals and
// timeout as integers.
func wholeSeconds(duration string) (int, error) {
	d, err := time.ParseDuration(duration)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %q is not positive", duration)
	}
	return int(math.Ceil(d.Seconds())), nil
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
