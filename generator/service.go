package generator

import (
	"fmt"
	"go/token"
	"go/types"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/msgen-dev/msgen/schema"
	"github.com/msgen-dev/msgen/templates"
)

// Default health endpoint paths, used when a spec leaves them empty.
const (
	defaultLivenessPath  = "/livez"
	defaultReadinessPath = "/readyz"
)

// goBuildImage is the image that builds service binaries. Its Go version
// must be at least the go directive of templates/repo/go.mod.tmpl.
const goBuildImage = "golang:1.26-bookworm"

// platformView is the data of the templates of the shared platform package.
type platformView struct {
	Module string
}

// serviceView is the data of the templates of one service.
type serviceView struct {
	Module string
	Name   string
	// Package is the Go package name of services/<name>/internal/<Package>.
	Package string
	// ImportName is the name under which main.go imports Package: Package,
	// or an alias when Package would clash with another name in main.go.
	ImportName    string
	Port          int
	Discovery     string
	LivenessPath  string
	ReadinessPath string
	// CheckInterval and CheckTimeout are Go expressions such as
	// "10 * time.Second".
	CheckInterval string
	CheckTimeout  string
	UsesDatabase  bool
	// UsesBroker is true when the service connects to the broker, see
	// usesBroker, and Subscribes when it consumes events. Projection,
	// Orchestrates, Participates and Composes are true when it has a CQRS
	// projection, orchestrates sagas, is a saga step and composes APIs.
	UsesBroker        bool
	Subscribes        bool
	Projection        bool
	Orchestrates      bool
	Participates      bool
	Composes          bool
	CorrelationHeader string
	Callees           []calleeView
	Secrets           []secretView
	Routes            []routeView
	BuildImage        string
}

// calleeView is a service that the service calls.
type calleeView struct {
	Name string
	// Field is the name of the callee's client in the Dependencies struct.
	Field       string
	URLVariable string
	DefaultURL  string
}

// secretView is a secret environment variable of the service.
type secretView struct {
	Name  string
	Field string
}

// routeView is one method and path that the service serves.
type routeView struct {
	// Pattern is the http.ServeMux pattern, such as "GET /orders/{id}".
	Pattern string
	// Route is the method and path as the spec declares them.
	Route   string
	Handler string
	Params  []string
	// Composition names the composition that the route serves, if any,
	// and SourceList names the services it composes and their clients, such
	// as "orders (h.deps.Orders) and payments (h.deps.Payments)".
	Composition string
	SourceList  string
	// Default is the body that the scaffolded handler starts with, one of
	// the default* constants, or "" for a 501 stub. Resource is the Go name
	// of the route's resource and Param the parameter that names the
	// aggregate.
	Default  string
	Resource string
	Param    string
}

// mainImportNames are the names that main.go declares or imports besides the
// service package, its locals included. A service package of one of these
// names, or of a predeclared identifier such as "true", is imported under an
// alias.
var mainImportNames = map[string]bool{
	"http": true, "main": true, "os": true, "platform": true, "service": true, "time": true,
	"registerRoutes": true, "mux": true, "rt": true, "handler": true, "deps": true, "subscriber": true,
	// init can only name a function at package level.
	"init": true,
}

// renderPlatform renders the shared runtime package internal/platform: one
// file per template in templates/platform, named after the template without
// its "platform-" prefix.
func renderPlatform(r *renderer, spec *schema.Spec) ([]File, error) {
	names, err := fs.Glob(templates.FS, "platform/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("list platform templates: %w", err)
	}

	view := platformView{Module: spec.Module}
	files := make([]File, 0, len(names))
	for _, name := range names {
		base := strings.TrimPrefix(strings.TrimSuffix(path.Base(name), ".tmpl"), "platform-")
		f, err := r.file("internal/platform/"+base, name, view)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// renderServices renders every service: its main package, routes and
// Dockerfile, which msgen manages, and its handlers, which it scaffolds once.
func renderServices(r *renderer, spec *schema.Spec) ([]File, error) {
	var files []File
	for _, svc := range spec.SortedServices() {
		view, err := newServiceView(spec, svc)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", svc.Name, err)
		}

		dir := "services/" + svc.Name
		pkgDir := dir + "/internal/" + view.Package
		for _, out := range []struct{ path, template string }{
			{dir + "/main.go", "service/main.go.tmpl"},
			{dir + "/Dockerfile", "service/Dockerfile.tmpl"},
			{pkgDir + "/routes.go", "service/routes.go.tmpl"},
			{pkgDir + "/handlers.go", "service/handlers.go.tmpl"},
		} {
			f, err := r.file(out.path, out.template, view)
			if err != nil {
				return nil, err
			}
			if path.Base(out.path) == "handlers.go" {
				f.Ownership = Scaffolded
			}
			files = append(files, f)
		}
	}
	return files, nil
}

// newServiceView collects what the templates of svc need. It relies on
// schema.Load's checks for valid Go names and routes that http.ServeMux can
// serve together.
func newServiceView(spec *schema.Spec, svc *schema.Service) (*serviceView, error) {
	pkg := svc.GoPackage()
	if token.IsKeyword(pkg) {
		return nil, fmt.Errorf("the Go package name %q is a Go keyword: rename the service", pkg)
	}
	importName := pkg
	if mainImportNames[pkg] || types.Universe.Lookup(pkg) != nil {
		importName = pkg + "svc"
	}

	interval, err := goDuration(svc.Health.Interval)
	if err != nil {
		return nil, fmt.Errorf("health interval: %w", err)
	}
	timeout, err := goDuration(svc.Health.Timeout)
	if err != nil {
		return nil, fmt.Errorf("health timeout: %w", err)
	}

	view := &serviceView{
		Module:        spec.Module,
		Name:          svc.Name,
		Package:       pkg,
		ImportName:    importName,
		Port:          svc.Port,
		Discovery:     spec.Discovery,
		LivenessPath:  orDefault(svc.Health.Liveness, defaultLivenessPath),
		ReadinessPath: orDefault(svc.Health.Readiness, defaultReadinessPath),
		CheckInterval: interval,
		CheckTimeout:  timeout,
		UsesDatabase:  svc.UsesDatabase(),
		UsesBroker:    usesBroker(spec, svc),
		Subscribes:    usesBroker(spec, svc) && len(svc.Subscribes) > 0,
		Projection:    usesBroker(spec, svc) && len(svc.Subscribes) > 0 && svc.Data.Pattern == schema.PatternCQRS,
		Orchestrates:  usesBroker(spec, svc) && orchestrates(spec, svc),
		Participates:  usesBroker(spec, svc) && participates(spec, svc),
		Composes:      len(composedBy(spec, svc.Name)) > 0,
		BuildImage:    goBuildImage,
	}
	if cid := spec.Gateway.Kong.Plugins.CorrelationID; cid != nil {
		view.CorrelationHeader = cid.Header
	}

	compositions := composedBy(spec, svc.Name)
	if view.Callees, err = newCalleeViews(spec, svc, compositions); err != nil {
		return nil, err
	}
	for _, secret := range svc.Secrets {
		view.Secrets = append(view.Secrets, secretView{Name: secret, Field: schema.GoIdentifier(secret)})
	}

	// schema.Load rejects routes that http.ServeMux cannot serve together
	// (checkRoutes, tested in schema/testdata/errors/routes.txtar), so
	// registering them in main.go does not panic for a loaded spec.
	view.Routes = newRouteViews(spec, svc, compositions, view.Callees)
	setDefaultHandlers(svc, view.Routes)
	return view, nil
}

// composedBy returns the names of the compositions that service serves, in
// sorted order.
func composedBy(spec *schema.Spec, service string) []string {
	var names []string
	for _, name := range slices.Sorted(maps.Keys(spec.Compositions)) {
		if spec.Compositions[name].Composer == service {
			names = append(names, name)
		}
	}
	return names
}

// newCalleeViews returns the services that svc calls: those in its calls and
// the sources of the compositions it serves, sorted by name.
func newCalleeViews(spec *schema.Spec, svc *schema.Service, compositions []string) ([]calleeView, error) {
	seen := make(map[string]bool)
	var names []string
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	for _, name := range svc.Calls {
		add(name)
	}
	for _, comp := range compositions {
		for _, name := range spec.Compositions[comp].From {
			add(name)
		}
	}
	slices.Sort(names)

	callees := make([]calleeView, 0, len(names))
	for _, name := range names {
		target, ok := spec.Services[name]
		if !ok {
			return nil, fmt.Errorf("calls unknown service %q: declare it under services", name)
		}
		callees = append(callees, calleeView{
			Name:        name,
			Field:       schema.GoIdentifier(name),
			URLVariable: schema.EnvPrefix(name) + "URL",
			DefaultURL:  "http://" + name + ":" + strconv.Itoa(target.Port),
		})
	}
	return callees, nil
}

// newRouteViews returns one route per method of each declared route, then
// one per method of each composition that svc serves. A route without
// methods is served for GET, the spec's default.
func newRouteViews(spec *schema.Spec, svc *schema.Service, compositions []string, callees []calleeView) []routeView {
	clients := make(map[string]calleeView, len(callees))
	for _, callee := range callees {
		clients[callee.Name] = callee
	}

	// The schema has rejected two routes of one service whose handler
	// names are the same, so each name depends on its own route alone.
	var routes []routeView
	add := func(method, routePath, composition string, sources []string) {
		route := routeView{
			Pattern:     schema.MuxPattern(method, routePath),
			Route:       method + " " + routePath,
			Handler:     schema.HandlerName(method, routePath),
			Params:      pathParams(routePath),
			Composition: composition,
		}
		var list []string
		for _, source := range sources {
			list = append(list, fmt.Sprintf("%s (h.deps.%s)", source, clients[source].Field))
		}
		route.SourceList = joinWithAnd(list)
		routes = append(routes, route)
	}

	for _, route := range svc.Routes {
		for _, method := range methodsOrGET(route.Methods) {
			add(method, route.Path, "", nil)
		}
	}
	for _, name := range compositions {
		comp := spec.Compositions[name]
		for _, method := range methodsOrGET(comp.Methods) {
			add(method, comp.Path, name, comp.From)
		}
	}
	return routes
}

// pathParams returns the names of the {name} parameters of a path template,
// in order.
func pathParams(routePath string) []string {
	var params []string
	for _, segment := range strings.Split(routePath, "/") {
		if strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}") {
			params = append(params, strings.Trim(segment, "{}"))
		}
	}
	return params
}

// goDuration converts a spec duration such as "10s" or "500ms" into a Go
// expression such as "10 * time.Second", in the largest unit that divides
// it.
func goDuration(value string) (string, error) {
	d, err := time.ParseDuration(value)
	if err != nil || d <= 0 {
		return "", fmt.Errorf("invalid duration %q: use a positive duration such as \"10s\"", value)
	}

	for _, unit := range []struct {
		size time.Duration
		name string
	}{
		{time.Hour, "time.Hour"},
		{time.Minute, "time.Minute"},
		{time.Second, "time.Second"},
		{time.Millisecond, "time.Millisecond"},
		{time.Microsecond, "time.Microsecond"},
	} {
		if d%unit.size != 0 {
			continue
		}
		if n := d / unit.size; n != 1 {
			return fmt.Sprintf("%d * %s", n, unit.name), nil
		}
		return unit.name, nil
	}
	return fmt.Sprintf("%d * time.Nanosecond", d), nil
}

// joinWithAnd joins items as an English list: "a", "a and b", "a, b and c".
func joinWithAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// methodsOrGET returns methods, or GET when there are none.
func methodsOrGET(methods []string) []string {
	if len(methods) == 0 {
		return []string{http.MethodGet}
	}
	return methods
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
