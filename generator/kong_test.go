package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/msgen-dev/msgen/schema"
)

// kongSchemaPath is decK's JSON schema (draft-04) of Kong's declarative
// configuration, format 3.0. Its entities reject unknown keys. The file lies
// outside this repository.
var kongSchemaPath = filepath.Join("..", "..", "shared", "schemas", "kong", "kong_json_schema.json")

var (
	kongSchemaOnce sync.Once
	kongSchema     *jsonschema.Schema
	kongSchemaErr  error
)

// compileKongSchema returns the compiled decK schema. When the schema file
// is missing, it skips the test, unless the environment variable CI is set:
// then the test fails, so that CI never passes without the schema check.
func compileKongSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	if _, err := os.Stat(kongSchemaPath); errors.Is(err, fs.ErrNotExist) {
		path, _ := filepath.Abs(kongSchemaPath)
		skipUnlessCI(t, "decK schema of kong.yml not found at %s: place kong_json_schema.json there to validate kong.yml", path)
	}

	kongSchemaOnce.Do(func() {
		path, err := filepath.Abs(kongSchemaPath)
		if err != nil {
			kongSchemaErr = err
			return
		}
		kongSchema, kongSchemaErr = jsonschema.NewCompiler().Compile(path)
	})
	if kongSchemaErr != nil {
		t.Fatalf("compile the decK schema %s: %v", kongSchemaPath, kongSchemaErr)
	}
	return kongSchema
}

// validateKong converts a kong.yml document to JSON values and validates it
// against decK's schema.
func validateKong(t *testing.T, data []byte) error {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("kong.yml is not YAML: %v", err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("convert kong.yml to JSON: %v", err)
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return compileKongSchema(t).Validate(value)
}

// kongConfig is the part of kong.yml that the tests check.
type kongConfig struct {
	FormatVersion string `yaml:"_format_version"`
	Services      []struct {
		Name     string
		Host     string
		Port     int
		Protocol string
		Routes   []struct {
			Name          string
			Paths         []string
			Methods       []string
			RegexPriority *int  `yaml:"regex_priority"`
			StripPath     *bool `yaml:"strip_path"`
		}
	}
	Routes    []map[string]any
	Upstreams []struct {
		Name    string
		Targets []struct {
			Target string
		}
		Healthchecks struct {
			Active struct {
				Type     string
				HTTPPath string `yaml:"http_path"`
				Timeout  int
				Healthy  struct {
					Interval     int
					HTTPStatuses []int `yaml:"http_statuses"`
				}
				Unhealthy struct {
					Interval     int
					HTTPStatuses []int `yaml:"http_statuses"`
					HTTPFailures int   `yaml:"http_failures"`
					TCPFailures  int   `yaml:"tcp_failures"`
					Timeouts     int
				}
			}
			Passive struct {
				Type string
			}
		}
	}
	Plugins []struct {
		Name   string
		Config map[string]any
	}
}

func TestKongConfigValid(t *testing.T) {
	for _, variant := range specVariants {
		t.Run(variant.name, func(t *testing.T) {
			spec := variant.load(t)
			files := generateFiles(t, spec)
			f, ok := files["gateway/kong.yml"]
			if !ok {
				t.Fatal("gateway/kong.yml was not generated")
			}

			if !bytes.HasPrefix(f.Data, []byte("# "+Marker+"\n")) {
				t.Errorf("gateway/kong.yml does not start with the marker comment")
			}

			var cfg kongConfig
			if err := yaml.Unmarshal(f.Data, &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.FormatVersion != "3.0" {
				t.Errorf("_format_version = %q; want 3.0", cfg.FormatVersion)
			}
			checkKongRoutes(t, spec, &cfg)
			checkKongUpstreams(t, spec, &cfg)
			checkKongPlugins(t, spec, &cfg)

			// Last, because a missing schema file skips the test.
			if err := validateKong(t, f.Data); err != nil {
				t.Fatalf("decK schema rejects gateway/kong.yml: %#v", err)
			}
		})
	}
}

// checkKongRoutes checks Kong's own route rules and that the routes match
// the spec's routes and compositions.
func checkKongRoutes(t *testing.T, spec *schema.Spec, cfg *kongConfig) {
	t.Helper()
	if len(cfg.Routes) > 0 {
		t.Errorf("kong.yml has %d top-level routes; every route belongs to a service", len(cfg.Routes))
	}

	type specRoute struct {
		path    string
		methods []string
	}
	want := map[string][]specRoute{}
	for _, svc := range spec.SortedServices() {
		for _, r := range svc.Routes {
			want[svc.Name] = append(want[svc.Name], specRoute{r.Path, r.Methods})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Compositions)) {
		comp := spec.Compositions[name]
		want[comp.Composer] = append(want[comp.Composer], specRoute{comp.Path, comp.Methods})
	}

	upstreams := map[string]bool{}
	for _, up := range cfg.Upstreams {
		upstreams[up.Name] = true
	}

	routeNames := map[string]bool{}
	seen := map[string]bool{}
	for _, svc := range cfg.Services {
		seen[svc.Name] = true
		specSvc, ok := spec.Services[svc.Name]
		if !ok {
			t.Errorf("kong service %q is not a service of the spec", svc.Name)
			continue
		}
		if !upstreams[svc.Host] {
			t.Errorf("kong service %s has host %q, which is no upstream", svc.Name, svc.Host)
		}
		if svc.Port != specSvc.Port || svc.Protocol != "http" {
			t.Errorf("kong service %s: port %d protocol %q; want %d http", svc.Name, svc.Port, svc.Protocol, specSvc.Port)
		}

		wantRoutes := want[svc.Name]
		if len(svc.Routes) != len(wantRoutes) {
			t.Errorf("kong service %s has %d routes; want %d", svc.Name, len(svc.Routes), len(wantRoutes))
			continue
		}
		for i, route := range svc.Routes {
			if route.Name == "" || routeNames[route.Name] {
				t.Errorf("route name %q is empty or not unique", route.Name)
			}
			routeNames[route.Name] = true

			if route.StripPath == nil || *route.StripPath {
				t.Errorf("route %s: strip_path must be false", route.Name)
			}
			if route.RegexPriority == nil {
				t.Errorf("route %s has no regex_priority", route.Name)
			}
			if want := kongMethods(wantRoutes[i].methods); !slices.Equal(route.Methods, want) {
				t.Errorf("route %s: methods %q; want %q", route.Name, route.Methods, want)
			}
			if len(route.Paths) != 1 {
				t.Errorf("route %s: paths %q; want one", route.Name, route.Paths)
				continue
			}
			checkKongPath(t, route.Name, route.Paths[0], wantRoutes[i].path)
		}
	}

	for _, name := range gatewayServices(spec) {
		if !seen[name] {
			t.Errorf("service %s has routes but no kong service", name)
		}
	}
}

// checkKongPath checks that a Kong route path is a regex path that Kong can
// compile and that matches the requests that the spec's path template
// matches, and no longer path.
func checkKongPath(t *testing.T, route, kongPath, template string) {
	t.Helper()
	// A concrete request path for the template: every {param} becomes a
	// value.
	request := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(template, "v-1.x")

	pattern, ok := strings.CutPrefix(kongPath, "~")
	if !ok {
		t.Errorf("route %s: path %q is not a regex path; Kong matches a plain path as a prefix", route, kongPath)
		return
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Errorf("route %s: regex path %q does not compile: %v", route, kongPath, err)
		return
	}

	anchored := kongPathRegexp(kongPath)
	if !anchored.MatchString(request) {
		t.Errorf("route %s: %q does not match the request path %q", route, kongPath, request)
	}
	longer := []string{request + "/extra", request + "/"}
	if !strings.HasSuffix(template, "}") {
		// A longer last segment is another path unless it is a parameter.
		longer = append(longer, request+"x")
	}
	for _, longer := range longer {
		if anchored.MatchString(longer) {
			t.Errorf("route %s: %q matches %q, which is not a request for %q", route, kongPath, longer, template)
		}
	}

	params := strings.Count(template, "{")
	if re.NumSubexp() != params {
		t.Errorf("route %s: %q has %d groups for the %d parameters of %q", route, kongPath, re.NumSubexp(), params, template)
	}
	for _, name := range re.SubexpNames()[1:] {
		if name == "" || !strings.Contains(template, "{"+name+"}") {
			t.Errorf("route %s: capture group %q is not a parameter of %q", route, name, template)
		}
	}
}

// kongPathRegexp compiles a Kong regex path ("~" prefix) as Kong 3 matches
// it: from the start of the request path.
func kongPathRegexp(kongPath string) *regexp.Regexp {
	return regexp.MustCompile("^(?:" + strings.TrimPrefix(kongPath, "~") + ")")
}

func checkKongUpstreams(t *testing.T, spec *schema.Spec, cfg *kongConfig) {
	t.Helper()
	if len(cfg.Upstreams) != len(cfg.Services) {
		t.Errorf("kong.yml has %d upstreams for %d services", len(cfg.Upstreams), len(cfg.Services))
	}
	for _, up := range cfg.Upstreams {
		name := strings.TrimSuffix(up.Name, ".upstream")
		svc, ok := spec.Services[name]
		if !ok {
			t.Errorf("upstream %q is named after no service", up.Name)
			continue
		}

		wantTarget := name + ":" + strconv.Itoa(svc.Port)
		if spec.Discovery == schema.DiscoveryConsul {
			wantTarget = name + ".service.consul:" + strconv.Itoa(svc.Port)
		}
		switch {
		case len(up.Targets) != 1:
			t.Errorf("upstream %s targets %+v; want one target", up.Name, up.Targets)
		case composeMeshEnabled(spec):
			// TestComposeMeshKongTargets compares the port with Kong's
			// sidecar.
			if !strings.HasPrefix(up.Targets[0].Target, "127.0.0.1:") {
				t.Errorf("upstream %s targets %s; want Kong's sidecar on 127.0.0.1", up.Name, up.Targets[0].Target)
			}
		case up.Targets[0].Target != wantTarget:
			t.Errorf("upstream %s targets %+v; want %s", up.Name, up.Targets, wantTarget)
		}

		active := up.Healthchecks.Active
		if active.Type != "http" || active.HTTPPath != svc.Health.Readiness {
			t.Errorf("upstream %s active check %s %q; want http %q", up.Name, active.Type, active.HTTPPath, svc.Health.Readiness)
		}
		if active.Healthy.Interval <= 0 || active.Unhealthy.Interval <= 0 {
			t.Errorf("upstream %s: active intervals %d and %d; both must be positive, or Kong never probes",
				up.Name, active.Healthy.Interval, active.Unhealthy.Interval)
		}
		if active.Timeout <= 0 {
			t.Errorf("upstream %s: active timeout %d; want a positive number of seconds", up.Name, active.Timeout)
		}
		if !slices.Equal(active.Healthy.HTTPStatuses, []int{200}) || !slices.Equal(active.Unhealthy.HTTPStatuses, []int{503}) {
			t.Errorf("upstream %s: statuses healthy %v unhealthy %v; want [200] and [503]",
				up.Name, active.Healthy.HTTPStatuses, active.Unhealthy.HTTPStatuses)
		}
		r := svc.Health.Retries
		if active.Unhealthy.HTTPFailures != r || active.Unhealthy.TCPFailures != r || active.Unhealthy.Timeouts != r {
			t.Errorf("upstream %s: unhealthy thresholds %+v; want %d each", up.Name, active.Unhealthy, r)
		}
		if up.Healthchecks.Passive.Type != "http" {
			t.Errorf("upstream %s has no passive http health check", up.Name)
		}
	}
}

func checkKongPlugins(t *testing.T, spec *schema.Spec, cfg *kongConfig) {
	t.Helper()
	plugins := map[string]map[string]any{}
	for _, p := range cfg.Plugins {
		if _, dup := plugins[p.Name]; dup {
			t.Errorf("plugin %s is configured twice", p.Name)
		}
		plugins[p.Name] = p.Config
	}

	if want := spec.Gateway.Kong.Plugins.CorrelationID; want != nil {
		got, ok := plugins["correlation-id"]
		if !ok {
			t.Error("correlation-id plugin is missing")
		} else if got["header_name"] != want.Header || got["echo_downstream"] != true {
			t.Errorf("correlation-id config %v; want header_name %q and echo_downstream true", got, want.Header)
		}
	}
	if want := spec.Gateway.Kong.Plugins.RateLimiting; want != nil {
		got, ok := plugins["rate-limiting"]
		if !ok {
			t.Fatal("rate-limiting plugin is missing")
		}
		for window, limit := range map[string]int{"second": want.Second, "minute": want.Minute, "hour": want.Hour, "day": want.Day} {
			value, set := got[window]
			if limit == 0 && set {
				t.Errorf("rate-limiting sets %s = %v, which the spec leaves unlimited", window, value)
			}
			if limit != 0 && value != limit {
				t.Errorf("rate-limiting %s = %v; want %d", window, value, limit)
			}
		}
		if got["policy"] != "local" || got["limit_by"] != "ip" {
			t.Errorf("rate-limiting config %v; want policy local and limit_by ip", got)
		}
	}
}

func TestKongSchemaRejectsInvalidConfig(t *testing.T) {
	files := generateFiles(t, shopSpec(t))
	valid := files["gateway/kong.yml"].Data

	tests := []struct {
		name   string
		mutate func(doc map[string]any)
	}{
		{"unknown route key", func(doc map[string]any) {
			firstRoute(t, doc)["unknown_key"] = true
		}},
		{"route paths as a string", func(doc map[string]any) {
			firstRoute(t, doc)["paths"] = "/orders"
		}},
		{"health check interval as a duration", func(doc map[string]any) {
			up := doc["upstreams"].([]any)[0].(map[string]any)
			active := up["healthchecks"].(map[string]any)["active"].(map[string]any)
			active["healthy"].(map[string]any)["interval"] = "10s"
		}},
		{"upstream without a name", func(doc map[string]any) {
			delete(doc["upstreams"].([]any)[0].(map[string]any), "name")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := yaml.Unmarshal(valid, &doc); err != nil {
				t.Fatal(err)
			}
			tc.mutate(doc)
			mutated, err := yaml.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateKong(t, mutated); err == nil {
				t.Error("decK schema accepts the mutated kong.yml")
			}
		})
	}
}

func firstRoute(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	services, _ := doc["services"].([]any)
	if len(services) == 0 {
		t.Fatal("kong.yml has no services")
	}
	routes, _ := services[0].(map[string]any)["routes"].([]any)
	if len(routes) == 0 {
		t.Fatal("first kong service has no routes")
	}
	return routes[0].(map[string]any)
}

func TestKongRoutePath(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"/", "~/$"},
		{"/orders", "~/orders$"},
		{"/orders/archive", "~/orders/archive$"},
		{"/orders/{id}", "~/orders/(?<id>[^/]+)$"},
		{"/v1.0/items/{itemId}/parts", `~/v1\.0/items/(?<itemId>[^/]+)/parts$`},
		{"/a/{x}/b/{y}", "~/a/(?<x>[^/]+)/b/(?<y>[^/]+)$"},
	}
	for _, tc := range tests {
		got, err := kongRoutePath(tc.path)
		if err != nil {
			t.Errorf("kongRoutePath(%q): %v", tc.path, err)
			continue
		}
		if got != tc.want {
			t.Errorf("kongRoutePath(%q) = %q; want %q", tc.path, got, tc.want)
		}
	}

	for _, path := range []string{"orders", "/a/{x}/b/{x}", "/a/x{y}", "/a/{y"} {
		if got, err := kongRoutePath(path); err == nil {
			t.Errorf("kongRoutePath(%q) = %q; want an error", path, got)
		}
	}
}

func TestKongRegexPriority(t *testing.T) {
	tests := []struct {
		path string
		want int
	}{
		{"/", 0},
		{"/{id}", 0},
		{"/orders", 1},
		{"/orders/{id}", 1},
		{"/orders/archive", 2},
		{"/a/{x}/b/{y}", 2},
	}
	for _, tc := range tests {
		if got := kongRegexPriority(tc.path); got != tc.want {
			t.Errorf("kongRegexPriority(%q) = %d; want %d", tc.path, got, tc.want)
		}
	}
}

// TestKongRoutesMatchServeMux checks, for sample requests, that the route
// Kong picks belongs to the service and route whose handler the services'
// http.ServeMux patterns pick, or that neither picks one.
func TestKongRoutesMatchServeMux(t *testing.T) {
	variants := []struct {
		name string
		load func(*testing.T) *schema.Spec
	}{
		{"shop", shopSpec},
		{"shop with overlapping routes", shopOverlappingSpec},
		{"online-boutique", boutiqueSpec},
	}
	for _, variant := range variants {
		t.Run(variant.name, func(t *testing.T) {
			spec := variant.load(t)
			files := generateFiles(t, spec)
			var cfg kongConfig
			if err := yaml.Unmarshal(files["gateway/kong.yml"].Data, &cfg); err != nil {
				t.Fatal(err)
			}
			routes := parseKongRoutes(t, &cfg)
			mux, templates := serviceMux(spec)

			picked := map[string]bool{}
			for _, path := range samplePaths(templates) {
				for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"} {
					kong := pickKongRoute(t, routes, method, path)
					goRoute := pickMuxRoute(t, mux, method, path)
					if kong != goRoute {
						t.Errorf("%s %s: Kong picks route %q, http.ServeMux picks %q", method, path, kong, goRoute)
					}
					picked[kong] = true
				}
			}
			for _, route := range routes {
				if !picked[route.name] {
					t.Errorf("route %s serves none of the sample requests", route.name)
				}
			}
		})
	}
}

// shopOverlappingSpec is the shop example with routes whose paths overlap:
// /orders/archive is more specific than /orders/{id}, and
// /orders/{id}/lines than /{kind}/{id}/lines of another service.
func shopOverlappingSpec(t *testing.T) *schema.Spec {
	spec := shopSpec(t)
	orders := spec.Services["orders"]
	orders.Routes = append(orders.Routes,
		schema.Route{Path: "/orders/archive", Methods: []string{"GET"}},
		schema.Route{Path: "/orders/{id}/lines", Methods: []string{"GET", "POST"}},
	)
	payments := spec.Services["payments"]
	payments.Routes = append(payments.Routes, schema.Route{Path: "/{kind}/{id}/lines", Methods: []string{"GET"}})
	return spec
}

// kongTestRoute is a Kong route as the emulation of Kong's router uses it.
type kongTestRoute struct {
	name     string
	methods  []string
	paths    []*regexp.Regexp
	priority int
}

func parseKongRoutes(t *testing.T, cfg *kongConfig) []kongTestRoute {
	t.Helper()
	var routes []kongTestRoute
	for _, svc := range cfg.Services {
		for _, r := range svc.Routes {
			route := kongTestRoute{name: r.Name, methods: r.Methods}
			if r.RegexPriority != nil {
				route.priority = *r.RegexPriority
			}
			for _, path := range r.Paths {
				if !strings.HasPrefix(path, "~") {
					t.Fatalf("route %s: path %q is not a regex path", r.Name, path)
				}
				route.paths = append(route.paths, kongPathRegexp(path))
			}
			routes = append(routes, route)
		}
	}
	return routes
}

// pickKongRoute emulates Kong's router for routes with methods and regex
// paths only: among the routes whose methods contain method and whose
// regex matches path, the one with the highest regex_priority wins. It
// returns the route name, or "" when no route matches.
func pickKongRoute(t *testing.T, routes []kongTestRoute, method, path string) string {
	t.Helper()
	best, bestPriority, tied := "", 0, false
	for _, route := range routes {
		if !slices.Contains(route.methods, method) {
			continue
		}
		if !slices.ContainsFunc(route.paths, func(re *regexp.Regexp) bool { return re.MatchString(path) }) {
			continue
		}
		switch {
		case best == "" || route.priority > bestPriority:
			best, bestPriority, tied = route.name, route.priority, false
		case route.priority == bestPriority:
			tied = true
		}
	}
	if tied {
		t.Errorf("%s %s: several routes with regex_priority %d match, so Kong's choice depends on their order", method, path, bestPriority)
	}
	return best
}

// muxRoute is the handler of one route in serviceMux. Its value is the name
// of the Kong route for the same spec route.
type muxRoute string

func (muxRoute) ServeHTTP(http.ResponseWriter, *http.Request) {}

// serviceMux registers the pattern of every method of every route of every
// service, as routes.go does, on one http.ServeMux, with a handler that
// names the Kong route of the same spec route: "<service>-<n>" or
// "<service>-<composition>". It also returns every path template.
func serviceMux(spec *schema.Spec) (*http.ServeMux, []string) {
	mux := http.NewServeMux()
	var templates []string
	add := func(route muxRoute, path string, methods []string) {
		templates = append(templates, path)
		for _, method := range methods {
			mux.Handle(schema.MuxPattern(method, path), route)
		}
	}
	for _, svc := range spec.SortedServices() {
		for i, r := range svc.Routes {
			add(muxRoute(fmt.Sprintf("%s-%d", svc.Name, i+1)), r.Path, r.Methods)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Compositions)) {
		comp := spec.Compositions[name]
		add(muxRoute(comp.Composer+"-"+name), comp.Path, comp.Methods)
	}
	return mux, templates
}

// pickMuxRoute returns the Kong route name of the handler that mux picks for
// the request, or "" when mux itself responds 404 or 405.
func pickMuxRoute(t *testing.T, mux *http.ServeMux, method, path string) string {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	handler, _ := mux.Handler(req)
	route, _ := handler.(muxRoute)
	return string(route)
}

// samplePaths returns request paths for the templates: every template with
// each parameter set to "x", "42" or a literal segment of any template, the
// same paths with an extra segment or a trailing slash, and paths that
// match no route.
func samplePaths(templates []string) []string {
	values := []string{"x", "42"}
	for _, template := range templates {
		for _, segment := range strings.Split(template, "/") {
			if segment != "" && !pathParam.MatchString(segment) && !slices.Contains(values, segment) {
				values = append(values, segment)
			}
		}
	}

	paths := []string{"/", "/x", "/orders/", "/orders/x/y", "/cart/x", "/cart/empty/x", "/product/", "/x/y/z/w"}
	for _, template := range templates {
		expanded := []string{""}
		for _, segment := range strings.Split(template, "/")[1:] {
			choices := []string{segment}
			if pathParam.MatchString(segment) {
				choices = values
			}
			var next []string
			for _, prefix := range expanded {
				for _, choice := range choices {
					next = append(next, prefix+"/"+choice)
				}
			}
			expanded = next
		}
		for _, path := range expanded {
			paths = append(paths, path, strings.TrimSuffix(path, "/")+"/x", path+"/")
		}
	}

	slices.Sort(paths)
	return slices.Compact(paths)
}

func TestKongHealthSeconds(t *testing.T) {
	tests := []struct {
		duration string
		want     int
	}{
		{"10s", 10},
		{"500ms", 1},
		{"1500ms", 2},
		{"2m", 120},
		{"18h12m15s", 65535},
		{"18h12m14001ms", 65535},
	}
	for _, tc := range tests {
		got, err := wholeSeconds(tc.duration)
		if err != nil || got != tc.want {
			t.Errorf("wholeSeconds(%q) = %d, %v; want %d", tc.duration, got, err, tc.want)
		}
	}
	for _, duration := range []string{"0s", "-1s", "ten", "18h12m15001ms", "20h"} {
		if _, err := wholeSeconds(duration); err == nil {
			t.Errorf("wholeSeconds(%q) returns no error", duration)
		}
	}
}

func TestKongHealthAboveMaximum(t *testing.T) {
	tests := []struct {
		name string
		set  func(h *schema.Health)
	}{
		{"interval", func(h *schema.Health) { h.Interval = "20h" }},
		{"timeout", func(h *schema.Health) { h.Timeout = "20h" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := shopSpec(t)
			tc.set(&spec.Services["orders"].Health)

			_, err := newKongView(spec)
			if err == nil {
				t.Fatal("newKongView returns no error")
			}
			for _, want := range []string{`service "orders"`, "health " + tc.name, `"20h"`, "65535"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}
