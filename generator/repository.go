package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// repositoryFiles maps each file at the root of the generated repository to
// its template and ownership. go.mod and go.sum are scaffolded because the
// team adds its own requirements to them, with go get, as the handlers grow.
var repositoryFiles = []struct {
	path, template string
	ownership      Ownership
}{
	{"go.mod", "repo/go.mod.tmpl", Scaffolded},
	{"go.sum", "repo/go.sum.tmpl", Scaffolded},
	{"README.md", "repo/readme.md.tmpl", Managed},
	{"Makefile", "repo/makefile.tmpl", Managed},
	{".gitignore", "repo/gitignore.tmpl", Managed},
	{".gitattributes", "repo/gitattributes.tmpl", Managed},
	{".dockerignore", "repo/dockerignore.tmpl", Managed},
	{".github/workflows/msgen.yml", "repo/workflow.yml.tmpl", Managed},
}

// readmeView is the data of the repository templates.
type readmeView struct {
	Name         string
	Module       string
	Discovery    string
	KongPort     int
	KongAdmin    int
	Diagram      string
	Services     []readmeService
	Sagas        []string
	Compositions []string
	Variables    []requiredVar
	FirstRoute   string
	// MsgenVersion is the msgen release that the CI workflow installs, or
	// "" for a development build.
	MsgenVersion string
	// SpecFile is the spec's path relative to the repository, which the
	// Makefile and the workflow pass to msgen.
	SpecFile string
	// Kubernetes is the Kubernetes section, or nil without that target.
	Kubernetes *readmeK8s
	// ComposeMesh is true when compose runs Consul's service mesh.
	ComposeMesh bool
	// Broker is true when the system has the NATS broker, and
	// SharedDatabases when a service uses a shared database.
	// Databases is true when any service has a database.
	Broker          bool
	SharedDatabases bool
	Databases       bool
	// Projections and EventSourced list the CQRS and event-sourced
	// services that use the broker, or are empty.
	Projections  string
	EventSourced string
}

type readmeService struct {
	Name   string
	Port   int
	Data   string
	Routes []string
}

// renderRepository renders the files at the root of the generated
// repository: go.mod, README.md, Makefile and the Git and Docker ignore and
// attribute files, and the CI workflow.
func renderRepository(r *renderer, spec *schema.Spec) ([]File, error) {
	view, err := newReadmeView(spec)
	if err != nil {
		return nil, fmt.Errorf("render README.md: %w", err)
	}
	view.MsgenVersion = r.options.releaseVersion()
	view.SpecFile = r.options.specFile()

	var files []File
	for _, rf := range repositoryFiles {
		f, err := r.file(rf.path, rf.template, view)
		if err != nil {
			return nil, err
		}
		f.Ownership = rf.ownership
		files = append(files, f)
	}
	return files, nil
}

func newReadmeView(spec *schema.Spec) (*readmeView, error) {
	vars, err := requiredVariables(spec)
	if err != nil {
		return nil, err
	}

	view := &readmeView{
		Name:        spec.Name,
		Module:      spec.Module,
		Discovery:   spec.Discovery,
		KongPort:    spec.Gateway.Kong.Port,
		KongAdmin:   spec.Gateway.Kong.AdminPort,
		Diagram:     strings.TrimSuffix(NewGraph(spec).Mermaid(), "\n"),
		Variables:   vars,
		Kubernetes:  newReadmeK8s(spec),
		ComposeMesh: composeMeshEnabled(spec),
		Broker:      specUsesBroker(spec),
	}
	for _, name := range spec.DatabaseNames() {
		if len(sharingServices(spec, name)) > 0 {
			view.SharedDatabases = true
		}
	}
	var projections, eventSourced []string
	for _, svc := range spec.SortedServices() {
		if svc.UsesDatabase() {
			view.Databases = true
		}
		switch {
		case !usesBroker(spec, svc):
		case svc.Data.Pattern == schema.PatternCQRS:
			projections = append(projections, "`"+svc.Name+"`")
		case svc.Data.Pattern == schema.PatternEventSourcing:
			eventSourced = append(eventSourced, "`"+svc.Name+"`")
		}
	}
	view.Projections = joinWithAnd(projections)
	view.EventSourced = joinWithAnd(eventSourced)

	for _, svc := range spec.SortedServices() {
		rs := readmeService{Name: svc.Name, Port: svc.Port, Data: dataDescription(svc)}
		for _, route := range svc.Routes {
			rs.Routes = append(rs.Routes, routeDescription(route.Methods, route.Path))
			if view.FirstRoute == "" && !strings.Contains(route.Path, "{") && acceptsGET(route.Methods) {
				view.FirstRoute = route.Path
			}
		}
		for _, name := range compositionsOf(spec, svc.Name) {
			comp := spec.Compositions[name]
			rs.Routes = append(rs.Routes, routeDescription(comp.Methods, comp.Path)+" (composition "+name+")")
		}
		view.Services = append(view.Services, rs)
	}

	for _, name := range slices.Sorted(maps.Keys(spec.Sagas)) {
		view.Sagas = append(view.Sagas, sagaDescription(name, spec.Sagas[name]))
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Compositions)) {
		comp := spec.Compositions[name]
		view.Compositions = append(view.Compositions, fmt.Sprintf("**%s**: %s, answered by `%s` from %s.",
			name, routeDescription(comp.Methods, comp.Path), comp.Composer, codeList(comp.From)))
	}
	return view, nil
}

func dataDescription(svc *schema.Service) string {
	switch {
	case svc.OwnsDatabase():
		return fmt.Sprintf("%s (`%s`)", svc.Data.Pattern, svc.Name+databaseSuffix)
	case svc.Data.Pattern == schema.PatternSharedDatabase:
		return fmt.Sprintf("%s (`%s`)", svc.Data.Pattern, svc.Data.Database+databaseSuffix)
	}
	return svc.Data.Pattern
}

func routeDescription(methods []string, path string) string {
	if len(methods) == 0 {
		return "`" + path + "`"
	}
	return "`" + strings.Join(methods, ", ") + " " + path + "`"
}

func sagaDescription(name string, saga schema.Saga) string {
	steps := make([]string, 0, len(saga.Steps))
	for _, step := range saga.Steps {
		s := fmt.Sprintf("`%s` %s", step.Service, step.Action)
		if step.Compensation != "" {
			s += " (compensation " + step.Compensation + ")"
		}
		steps = append(steps, s)
	}
	return fmt.Sprintf("**%s**, orchestrated by `%s`, timeout %s: %s.",
		name, saga.Orchestrator, saga.Timeout, strings.Join(steps, " → "))
}

func codeList(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = "`" + name + "`"
	}
	return strings.Join(quoted, ", ")
}

func acceptsGET(methods []string) bool {
	if len(methods) == 0 {
		return true
	}
	for _, m := range methods {
		if m == "GET" {
			return true
		}
	}
	return false
}
