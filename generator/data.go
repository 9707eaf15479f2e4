package generator

import (
	"fmt"
	"go/token"
	"maps"
	"slices"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// eventsPackage is the directory of the Go types of the domain events,
// relative to the repository root.
const eventsPackage = "internal/events"

// eventGoTypes maps the field types of the spec's events to Go types.
var eventGoTypes = map[string]string{
	"string": "string",
	"int":    "int64",
	"float":  "float64",
	"bool":   "bool",
	"time":   "time.Time",
}

// eventsView is the data of the template of the events package.
type eventsView struct {
	Events   []eventView
	UsesTime bool
}

// eventView is one domain event and its fields, sorted by name.
type eventView struct {
	Name   string
	Fields []eventFieldView
}

type eventFieldView struct {
	// Name is the JSON name from the spec, such as "orderId".
	Name string
	// GoName is the exported Go field name, such as "OrderID".
	GoName string
	GoType string
}

// dataView is the data of the templates of a service's data layer: its
// migrations, store, events and subscribers.
type dataView struct {
	Module  string
	Name    string
	Package string
	Pattern string
	// Schema is the PostgreSQL schema of a service in a shared database,
	// or "" for a service with a database of its own.
	Schema     string
	Resources  []resourceView
	Publishes  []publishView
	Subscribes []subscribeView
	// ReadModel is the resource whose table the projection of a CQRS
	// service keeps, or nil.
	ReadModel     *resourceView
	EventSourcing bool
	Orchestrates  []sagaView
	Commands      []sagaCommandView
	Compositions  []compositionView
}

// resourceView is a resource that the service's routes name, with the
// aggregate that the scaffolded store keeps for it.
type resourceView struct {
	// Segment is the path segment, such as "orders".
	Segment string
	// GoName is the Go name, such as "Orders".
	GoName string
	// Table is the SQL table name, such as "orders".
	Table string
}

// publishView is an event that the service publishes.
type publishView struct {
	Event   string
	Subject string
}

// subscribeView is an event that the service subscribes to, with one
// source per service that publishes it.
type subscribeView struct {
	Event   string
	Sources []eventSource
	// KeyField and KeyGoName are the JSON and Go names of the field that
	// keys the read model in a CQRS service's scaffolded projection, see
	// projectionKey.
	KeyField  string
	KeyGoName string
}

// eventSource is a service that publishes an event and the subject under
// which it does.
type eventSource struct {
	Stream  string
	Subject string
}

// usesBroker reports whether svc connects to the message broker: a service
// with a database that publishes or subscribes to events, orchestrates a
// saga or is a step of one. A stateless service has no outbox or inbox, so
// its events and saga roles are not generated.
func usesBroker(spec *schema.Spec, svc *schema.Service) bool {
	if !svc.UsesDatabase() {
		return false
	}
	return len(svc.Publishes) > 0 || len(svc.Subscribes) > 0 || orchestrates(spec, svc) || participates(spec, svc)
}

// specUsesBroker reports whether any service connects to the broker.
func specUsesBroker(spec *schema.Spec) bool {
	for _, svc := range spec.SortedServices() {
		if usesBroker(spec, svc) {
			return true
		}
	}
	return false
}

// eventSubject returns the NATS subject of event when publisher publishes
// it, such as "orders.events.OrderCreated". The first token is the
// publisher, whose stream stores every subject under "<publisher>.".
func eventSubject(publisher, event string) string {
	return publisher + ".events." + event
}

// renderData renders the events package and the data layer of every service
// with a database.
func renderData(r *renderer, spec *schema.Spec) ([]File, error) {
	var files []File
	if len(spec.Events) > 0 {
		view, err := newEventsView(spec)
		if err != nil {
			return nil, err
		}
		f, err := r.file(eventsPackage+"/events.go", "repo/events.go.tmpl", view)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}

	for _, svc := range spec.SortedServices() {
		rendered, err := renderServiceData(r, spec, svc)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", svc.Name, err)
		}
		files = append(files, rendered...)
	}
	return files, nil
}

// dataOutput is a file of a service's data layer and its template.
type dataOutput struct {
	name, template string
	ownership      Ownership
}

// renderServiceData renders the data layer of svc: for a service with a
// database its migrations and store, its events, projection, event store
// and saga roles, and for a composer its compositions.
func renderServiceData(r *renderer, spec *schema.Spec, svc *schema.Service) ([]File, error) {
	view, err := newDataView(spec, svc)
	if err != nil {
		return nil, err
	}

	var outputs []dataOutput
	if svc.UsesDatabase() {
		outputs = append(outputs,
			dataOutput{"migrations.go", "service/migrations.go.tmpl", Managed},
			dataOutput{"migrations/0001_initial.sql", "service/initial.sql.tmpl", Scaffolded},
			dataOutput{"store.go", "service/store.go.tmpl", Scaffolded},
		)
	}
	if usesBroker(spec, svc) && (len(view.Publishes) > 0 || len(view.Subscribes) > 0) {
		outputs = append(outputs, dataOutput{"events.go", "service/service-events.go.tmpl", Managed})
	}
	if len(view.Subscribes) > 0 {
		outputs = append(outputs, dataOutput{"subscribers.go", "service/subscribers.go.tmpl", Scaffolded})
	}
	if view.EventSourcing {
		outputs = append(outputs, dataOutput{"eventstore.go", "service/eventstore.go.tmpl", Managed})
	}
	if len(view.Orchestrates) > 0 {
		outputs = append(outputs,
			dataOutput{"sagas.go", "service/sagas.go.tmpl", Managed},
			dataOutput{"saga_hooks.go", "service/saga_hooks.go.tmpl", Scaffolded},
		)
	}
	if len(view.Commands) > 0 {
		outputs = append(outputs,
			dataOutput{"saga_commands.go", "service/saga_commands.go.tmpl", Managed},
			dataOutput{"saga_actions.go", "service/saga_actions.go.tmpl", Scaffolded},
		)
	}
	if len(view.Compositions) > 0 {
		outputs = append(outputs, dataOutput{"compositions.go", "service/compositions.go.tmpl", Managed})
	}

	pkgDir := "services/" + svc.Name + "/internal/" + view.Package
	files := make([]File, 0, len(outputs))
	for _, out := range outputs {
		f, err := r.file(pkgDir+"/"+out.name, out.template, view)
		if err != nil {
			return nil, err
		}
		f.Ownership = out.ownership
		files = append(files, f)
	}
	return files, nil
}

// newEventsView returns the events sorted by name with their fields sorted
// by name. It rejects two fields of one event whose Go names are the same,
// such as "orderId" and "orderID".
func newEventsView(spec *schema.Spec) (*eventsView, error) {
	view := &eventsView{}
	for _, name := range slices.Sorted(maps.Keys(spec.Events)) {
		event := eventView{Name: name}
		seen := make(map[string]string)
		for _, field := range slices.Sorted(maps.Keys(spec.Events[name])) {
			goName := schema.GoIdentifier(field)
			if other, ok := seen[goName]; ok {
				return nil, fmt.Errorf("event %s: fields %q and %q both become the Go field %s; rename one of them", name, other, field, goName)
			}
			seen[goName] = field

			goType, ok := eventGoTypes[spec.Events[name][field]]
			if !ok {
				return nil, fmt.Errorf("event %s: field %q has the unknown type %q; use string, int, float, bool or time", name, field, spec.Events[name][field])
			}
			if goType == "time.Time" {
				view.UsesTime = true
			}
			event.Fields = append(event.Fields, eventFieldView{Name: field, GoName: goName, GoType: goType})
		}
		view.Events = append(view.Events, event)
	}
	return view, nil
}

// newDataView collects what the data templates of svc need.
func newDataView(spec *schema.Spec, svc *schema.Service) (*dataView, error) {
	view := &dataView{
		Module:        spec.Module,
		Name:          svc.Name,
		Package:       svc.GoPackage(),
		Pattern:       svc.Data.Pattern,
		Resources:     resources(svc),
		EventSourcing: svc.Data.Pattern == schema.PatternEventSourcing,
		Compositions:  newCompositionViews(spec, svc),
	}
	if svc.Data.Pattern == schema.PatternSharedDatabase {
		view.Schema = databaseIdent(svc.Name)
	}
	if svc.Data.Pattern == schema.PatternCQRS && len(view.Resources) > 0 {
		view.ReadModel = &view.Resources[0]
	}
	if !usesBroker(spec, svc) {
		return view, nil
	}

	var err error
	if view.Orchestrates, err = newSagaViews(spec, svc); err != nil {
		return nil, err
	}
	if view.Commands, err = newSagaCommandViews(spec, svc); err != nil {
		return nil, err
	}

	for _, event := range sortedUnique(svc.Publishes) {
		view.Publishes = append(view.Publishes, publishView{Event: event, Subject: eventSubject(svc.Name, event)})
	}
	for _, event := range sortedUnique(svc.Subscribes) {
		sub := subscribeView{Event: event}
		for _, publisher := range publishersOf(spec, event) {
			sub.Sources = append(sub.Sources, eventSource{Stream: publisher, Subject: eventSubject(publisher, event)})
		}
		if view.ReadModel != nil {
			sub.KeyField = projectionKey(spec, svc, event)
			sub.KeyGoName = schema.GoIdentifier(sub.KeyField)
		}
		view.Subscribes = append(view.Subscribes, sub)
	}
	return view, nil
}

// publishersOf returns the services that publish event and connect to the
// broker, sorted by name.
func publishersOf(spec *schema.Spec, event string) []string {
	var names []string
	for _, svc := range spec.SortedServices() {
		if usesBroker(spec, svc) && slices.Contains(svc.Publishes, event) {
			names = append(names, svc.Name)
		}
	}
	return names
}

// platformTables are the tables that the platform's migrations create in
// every service's database, so no resource table may take their names.
var platformTables = map[string]bool{"schema_migrations": true, "outbox": true, "inbox": true}

// resources returns the resources that the routes of svc name: the first
// literal segment of each path, skipping version segments such as "v1" and
// "api", sorted and without duplicates. A segment that makes no Go
// identifier, such as "2fa", or whose table the platform uses names no
// resource.
func resources(svc *schema.Service) []resourceView {
	seen := make(map[string]bool)
	var views []resourceView
	for _, route := range svc.Routes {
		for _, segment := range strings.Split(route.Path, "/") {
			if segment == "" || segment == "api" || isVersionSegment(segment) {
				continue
			}
			if strings.HasPrefix(segment, "{") {
				break
			}
			goName := schema.GoIdentifier(segment)
			if !token.IsIdentifier(goName) || seen[goName] || platformTables[sqlIdent(segment)] {
				break
			}
			seen[goName] = true
			views = append(views, resourceView{Segment: segment, GoName: goName, Table: sqlIdent(segment)})
			break
		}
	}
	slices.SortFunc(views, func(a, b resourceView) int { return strings.Compare(a.GoName, b.GoName) })
	return views
}

// isVersionSegment reports whether a path segment is an API version such
// as "v1".
func isVersionSegment(segment string) bool {
	digits, ok := strings.CutPrefix(segment, "v")
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// sqlIdent maps a path segment to an unquoted SQL identifier: lower case,
// with each run of other characters than letters and digits as "_".
func sqlIdent(segment string) string {
	var b strings.Builder
	underscore := false
	for _, c := range strings.ToLower(segment) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			underscore = false
			continue
		}
		if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
