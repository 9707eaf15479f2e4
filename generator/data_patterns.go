package generator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// Default handler bodies that the scaffolded handlers.go gets for a route
// of a service with a database, see defaultHandler.
const (
	// defaultList lists the aggregates of the route's resource.
	defaultList = "list"
	// defaultGet reads the aggregate that the route's parameter names.
	defaultGet = "get"
	// defaultLoadStream replays the event stream that the parameter names.
	defaultLoadStream = "load-stream"
	// defaultAppend appends an event to the stream that the parameter
	// names, with optimistic concurrency.
	defaultAppend = "append"
)

// sagaView is a saga that the service orchestrates.
type sagaView struct {
	Name string
	// GoName is the exported Go name, such as "CreateOrder".
	GoName string
	// Timeout is a Go expression such as "30 * time.Second", and
	// TimeoutText the spec's duration, such as "30s".
	Timeout     string
	TimeoutText string
	Steps       []schema.SagaStep
}

// sagaCommandView is an action or compensation that the service carries
// out as a saga participant.
type sagaCommandView struct {
	Name         string
	Subject      string
	Compensation bool
	// Undoes names the action that a compensation undoes, and Sagas the
	// sagas that send the command.
	Undoes string
	Sagas  string
}

// compositionView is an API composition that the service serves.
type compositionView struct {
	Name string
	// Patterns are the http.ServeMux patterns, one per method.
	Patterns []string
	Sources  []compositionSourceView
}

// compositionSourceView is a source of a composition: the callee's client
// field in Dependencies and the Go expression of the path to call.
type compositionSourceView struct {
	Name     string
	Field    string
	PathExpr string
}

// participates reports whether svc is a step of a saga.
func participates(spec *schema.Spec, svc *schema.Service) bool {
	for _, saga := range spec.Sagas {
		for _, step := range saga.Steps {
			if step.Service == svc.Name {
				return true
			}
		}
	}
	return false
}

// orchestrates reports whether svc orchestrates a saga.
func orchestrates(spec *schema.Spec, svc *schema.Service) bool {
	for _, saga := range spec.Sagas {
		if saga.Orchestrator == svc.Name {
			return true
		}
	}
	return false
}

// newSagaViews returns the sagas that svc orchestrates, sorted by name.
func newSagaViews(spec *schema.Spec, svc *schema.Service) ([]sagaView, error) {
	var views []sagaView
	for _, name := range slices.Sorted(maps.Keys(spec.Sagas)) {
		saga := spec.Sagas[name]
		if saga.Orchestrator != svc.Name {
			continue
		}
		timeout, err := goDuration(saga.Timeout)
		if err != nil {
			return nil, fmt.Errorf("saga %s timeout: %w", name, err)
		}
		views = append(views, sagaView{Name: name, GoName: schema.GoIdentifier(name), Timeout: timeout, TimeoutText: saga.Timeout, Steps: saga.Steps})
	}
	return views, nil
}

// newSagaCommandViews returns the actions and compensations that svc
// carries out, sorted by name. One name may serve several steps, but not
// as an action in one and a compensation in another, because the two are
// handled differently.
func newSagaCommandViews(spec *schema.Spec, svc *schema.Service) ([]sagaCommandView, error) {
	commands := make(map[string]*sagaCommandView)
	sagas := make(map[string][]string)
	add := func(saga, name, undoes string, compensation bool) error {
		if existing, ok := commands[name]; ok {
			if existing.Compensation != compensation {
				return fmt.Errorf("%q is both an action and a compensation of service %q in the sagas; give them different names", name, svc.Name)
			}
		} else {
			commands[name] = &sagaCommandView{Name: name, Subject: svc.Name + ".commands." + name, Compensation: compensation, Undoes: undoes}
		}
		if !slices.Contains(sagas[name], saga) {
			sagas[name] = append(sagas[name], saga)
		}
		return nil
	}

	for _, sagaName := range slices.Sorted(maps.Keys(spec.Sagas)) {
		for _, step := range spec.Sagas[sagaName].Steps {
			if step.Service != svc.Name {
				continue
			}
			if err := add(sagaName, step.Action, "", false); err != nil {
				return nil, err
			}
			if step.Compensation != "" {
				if err := add(sagaName, step.Compensation, step.Action, true); err != nil {
					return nil, err
				}
			}
		}
	}

	views := make([]sagaCommandView, 0, len(commands))
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		view := *commands[name]
		view.Sagas = joinWithAnd(sagas[name])
		views = append(views, view)
	}
	return views, nil
}

// newCompositionViews returns the compositions that svc serves. Each
// source is called at its first GET route whose parameters are those of
// the composition, such as /orders/{id} for /order-details/{id}, or else
// at the composition's own path.
func newCompositionViews(spec *schema.Spec, svc *schema.Service) []compositionView {
	var views []compositionView
	for _, name := range composedBy(spec, svc.Name) {
		comp := spec.Compositions[name]
		view := compositionView{Name: name}
		for _, method := range methodsOrGET(comp.Methods) {
			view.Patterns = append(view.Patterns, schema.MuxPattern(method, comp.Path))
		}
		params := pathParams(comp.Path)
		for _, source := range comp.From {
			sourcePath := comp.Path
			if target, ok := spec.Services[source]; ok {
				for _, route := range target.Routes {
					if acceptsGET(route.Methods) && slices.Equal(sortedUnique(pathParams(route.Path)), sortedUnique(params)) {
						sourcePath = route.Path
						break
					}
				}
			}
			view.Sources = append(view.Sources, compositionSourceView{
				Name:     source,
				Field:    schema.GoIdentifier(source),
				PathExpr: pathExpression(sourcePath),
			})
		}
		views = append(views, view)
	}
	return views
}

// pathExpression returns a Go expression that builds routePath from the
// path values of the request r, such as
// `"/orders/" + platform.EscapePathSegment(r.PathValue("id"))`.
func pathExpression(routePath string) string {
	var parts []string
	literal := ""
	for _, segment := range strings.Split(routePath, "/")[1:] {
		literal += "/"
		if param, ok := strings.CutPrefix(segment, "{"); ok {
			parts = append(parts, strconv.Quote(literal), fmt.Sprintf("platform.EscapePathSegment(r.PathValue(%q))", strings.TrimSuffix(param, "}")))
			literal = ""
			continue
		}
		literal += segment
	}
	if literal != "" {
		parts = append(parts, strconv.Quote(literal))
	}
	return strings.Join(parts, " + ")
}

// setDefaultHandlers gives the routes of a service with a database a
// working default body in the scaffolded handlers.go. A GET of a resource
// reads the store. An event-sourced service appends events with optimistic
// concurrency on POST, PUT and PATCH of a resource with a parameter. Other
// routes keep the 501 stub.
func setDefaultHandlers(svc *schema.Service, routes []routeView) {
	if !svc.UsesDatabase() {
		return
	}
	byPath := make(map[string]resourceView)
	for _, resource := range resources(svc) {
		byPath[resource.Segment] = resource
	}

	for i := range routes {
		route := &routes[i]
		if route.Composition != "" {
			continue
		}
		method, routePath, _ := strings.Cut(route.Route, " ")
		resource, ok := byPath[firstResourceSegment(routePath)]
		if !ok {
			continue
		}
		route.Resource = resource.GoName

		eventSourced := svc.Data.Pattern == schema.PatternEventSourcing
		switch {
		case len(route.Params) == 0 && method == "GET" && !eventSourced:
			route.Default = defaultList
		case len(route.Params) > 0 && method == "GET" && eventSourced:
			route.Default = defaultLoadStream
		case len(route.Params) > 0 && method == "GET":
			route.Default = defaultGet
		case len(route.Params) > 0 && eventSourced && method != "DELETE":
			route.Default = defaultAppend
		}
		if len(route.Params) > 0 {
			route.Param = route.Params[len(route.Params)-1]
		}
	}
}

// firstResourceSegment returns the segment of routePath that resources
// takes as the resource name, or "".
func firstResourceSegment(routePath string) string {
	for _, segment := range strings.Split(routePath, "/") {
		if segment == "" || segment == "api" || isVersionSegment(segment) {
			continue
		}
		if strings.HasPrefix(segment, "{") {
			return ""
		}
		return segment
	}
	return ""
}

// projectionKey returns the field of event whose value keys the read
// model's documents in the scaffolded projection. It is a string field
// named after a parameter of the service's routes, else the first one
// whose name ends in "Id", else the first string field, else "".
func projectionKey(spec *schema.Spec, svc *schema.Service, event string) string {
	fields := spec.Events[event]
	names := slices.Sorted(maps.Keys(fields))
	for _, route := range svc.Routes {
		for _, param := range pathParams(route.Path) {
			if fields[param] == "string" {
				return param
			}
		}
	}
	for _, name := range names {
		if strings.HasSuffix(name, "Id") && fields[name] == "string" {
			return name
		}
	}
	for _, name := range names {
		if fields[name] == "string" {
			return name
		}
	}
	return ""
}
