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
	"unicode"

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
const goBuildImage = "golang:1.24-bookworm"

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
	CheckInterval     string
	CheckTimeout      string
	UsesDatabase      bool
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
}

// mainImportNames are the names that main.go declares or imports besides the
// service package, its locals included. A service package of one of these
// names, or of a predeclared identifier such as "true", is imported under an
// alias.
var mainImportNames = map[string]bool{
	"http": true, "main": true, "os": true, "platform": true, "service": true, "time": true,
	"registerRoutes": true, "mux": true, "rt": true, "handler": true,
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

// newServiceView collects what the templates of svc need and checks that it
// yields valid Go: package and field names, and route patterns that
// http.ServeMux accepts.
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
		view.Secrets = append(view.Secrets, secretView{Name: secret, Field: goIdentifier(secret)})
	}
	if err := checkDependencyFields(view); err != nil {
		return nil, err
	}

	// The schema has rejected routes that http.ServeMux cannot serve
	// together, so registering them in main.go cannot panic.
	view.Routes = newRouteViews(spec, svc, compositions, view.Callees)
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
			Field:       goIdentifier(name),
			URLVariable: schema.EnvPrefix(name) + "URL",
			DefaultURL:  "http://" + name + ":" + strconv.Itoa(target.Port),
		})
	}
	return callees, nil
}

// checkDependencyFields returns an error when two fields of the generated
// Dependencies struct would have the same name.
func checkDependencyFields(view *serviceView) error {
	owners := map[string]string{"Logger": "the logger", "DatabaseURL": "the database URL"}
	claim := func(field, owner string) error {
		if other, ok := owners[field]; ok {
			return fmt.Errorf("%s and %s both need the Go field name %s in Dependencies: rename one of them", other, owner, field)
		}
		owners[field] = owner
		return nil
	}
	for _, callee := range view.Callees {
		if err := claim(callee.Field, fmt.Sprintf("called service %q", callee.Name)); err != nil {
			return err
		}
	}
	for _, secret := range view.Secrets {
		if err := claim(secret.Field, fmt.Sprintf("secret %s", secret.Name)); err != nil {
			return err
		}
	}
	return nil
}

// newRouteViews returns one route per method of each declared route, then
// one per method of each composition that svc serves. A route without
// methods is served for GET, the spec's default.
func newRouteViews(spec *schema.Spec, svc *schema.Service, compositions []string, callees []calleeView) []routeView {
	clients := make(map[string]calleeView, len(callees))
	for _, callee := range callees {
		clients[callee.Name] = callee
	}

	var routes []routeView
	handlers := make(map[string]bool)
	add := func(method, routePath, composition string, sources []string) {
		route := routeView{
			Pattern:     schema.MuxPattern(method, routePath),
			Route:       method + " " + routePath,
			Handler:     uniqueName(handlerName(method, routePath), handlers),
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

// handlerName derives the name of a handler method from the HTTP method and
// the path: "GET /orders/{id}" becomes GetOrdersByID and "GET /" GetRoot.
func handlerName(method, routePath string) string {
	var b strings.Builder
	b.WriteString(goIdentifier(strings.ToLower(method)))
	for _, segment := range strings.Split(routePath, "/") {
		if param, ok := strings.CutPrefix(segment, "{"); ok {
			b.WriteString("By")
			segment = strings.TrimSuffix(param, "}")
		}
		b.WriteString(goIdentifier(segment))
	}
	if routePath == "/" {
		b.WriteString("Root")
	}
	return b.String()
}

// uniqueName returns name, or name with the smallest numeric suffix from 2
// that is not in taken, and adds the result to taken.
func uniqueName(name string, taken map[string]bool) string {
	candidate := name
	for i := 2; taken[candidate]; i++ {
		candidate = name + strconv.Itoa(i)
	}
	taken[candidate] = true
	return candidate
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

// commonInitialisms are the words that Go names write in capitals, as the
// Go code review comments recommend (ID, not Id).
var commonInitialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DB": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true,
	"JSON": true, "RPC": true, "SKU": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true,
	"TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "URI": true, "URL": true,
	"UUID": true, "XML": true,
}

// goIdentifier converts a name made of words, such as "order-history",
// "PAYMENT_PROVIDER_KEY" or "customerId", into an exported Go identifier:
// OrderHistory, PaymentProviderKey, CustomerID. Characters that cannot
// appear in an identifier separate words.
func goIdentifier(name string) string {
	var b strings.Builder
	for _, word := range splitWords(name) {
		if upper := strings.ToUpper(word); commonInitialisms[upper] {
			b.WriteString(upper)
			continue
		}
		runes := []rune(strings.ToLower(word))
		runes[0] = unicode.ToUpper(runes[0])
		b.WriteString(string(runes))
	}
	return b.String()
}

// splitWords splits name at characters other than letters and digits and
// before an upper-case letter that follows a lower-case one.
func splitWords(name string) []string {
	var words []string
	var current []rune
	flush := func() {
		if len(current) > 0 {
			words = append(words, string(current))
			current = nil
		}
	}
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && len(current) > 0 && unicode.IsLower(current[len(current)-1]):
			flush()
			current = append(current, r)
		default:
			current = append(current, r)
		}
	}
	flush()
	return words
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
