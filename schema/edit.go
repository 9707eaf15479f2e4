package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
)

// NewService is the declaration that AddService writes for a new service.
// A field left empty is not written, so that the schema's default applies.
type NewService struct {
	Port       int
	Pattern    string
	Database   string
	Routes     []Route
	Publishes  []string
	Subscribes []string
	Calls      []string
}

// AddService returns the spec's files with a declaration of the service
// name added where the other services are declared: after the last field of
// the last services block and before the comments that end it, or beside
// the last services: NAME: {...} chain.
// Only the inserted text differs from the files given. It does not
// validate the result: LoadFiles does that.
func AddService(files []SourceFile, name string, svc NewService) ([]SourceFile, error) {
	s, err := parseSyntax(files)
	if err != nil {
		return nil, err
	}
	if existing := s.declarations([]string{"services", name}); len(existing) > 0 {
		return nil, Errors{s.errorAt(existing[0], "services."+name, "service %q is already declared: choose another name", name)}
	}
	if len(s.declarations([]string{"services"})) == 0 {
		return nil, Errors{s.servicesNotFound()}
	}

	build := func(compact bool) *ast.Field {
		return &ast.Field{Label: s.label(name), Value: svc.syntax(compact)}
	}
	s.inserting = "the new service"
	if err := s.insertField([]string{"services"}, build); err != nil {
		return nil, err
	}
	return s.sources, nil
}

// RemoveService returns the spec's files without any declaration of the
// service name, each removed with its doc and line comments. References
// to the service elsewhere stay, so that validating the result reports
// them.
func RemoveService(files []SourceFile, name string) ([]SourceFile, error) {
	s, err := parseSyntax(files)
	if err != nil {
		return nil, err
	}
	decls := s.declarations([]string{"services", name})
	if len(decls) == 0 {
		return nil, s.notDeclared(name)
	}

	// Removing from the end of each file first keeps the offsets of the
	// other declarations valid.
	slices.SortStableFunc(decls, func(a, b declaration) int {
		if a.file != b.file {
			return a.file - b.file
		}
		return b.anchor.Pos().Offset() - a.anchor.Pos().Offset()
	})
	for _, d := range decls {
		s.removeField(d)
	}
	return s.sources, nil
}

// AddRoute returns the spec's files with route appended to the routes of
// the service, or with a routes field added to it. When the service's
// routes list already has an entry with the route's path, the route's
// methods are added to that entry instead, because two entries for one
// path would conflict.
func AddRoute(files []SourceFile, service string, route Route) ([]SourceFile, error) {
	s, err := parseSyntax(files)
	if err != nil {
		return nil, err
	}
	if entry, ok := s.routeEntry(service, route.Path); ok {
		return s.addMethods(entry, service, route)
	}
	element := func(bool) ast.Expr { return routeSyntax(route) }
	return appendToServiceList(files, service, "routes", "the new route", element)
}

// routeEntry is an entry of a service's routes list in the syntax.
type routeEntry struct {
	file  int
	index int
	lit   *ast.StructLit
	// methods is the entry's methods field, or nil when it has none and
	// the schema's default applies.
	methods *ast.Field
}

// routeEntry returns the last entry of the service's routes lists whose
// path is written as the string path.
func (s *specSyntax) routeEntry(service, path string) (routeEntry, bool) {
	var found routeEntry
	ok := false
	for _, d := range s.declarations([]string{"services", service, "routes"}) {
		list, isList := d.field.Value.(*ast.ListLit)
		if !isList {
			continue
		}
		for i, elt := range list.Elts {
			lit, isStruct := elt.(*ast.StructLit)
			if !isStruct {
				continue
			}
			entry := routeEntry{file: d.file, index: i, lit: lit}
			matches := false
			for _, decl := range lit.Elts {
				field, isField := decl.(*ast.Field)
				if !isField {
					continue
				}
				switch labelName(field) {
				case "path":
					matches = stringValue(field.Value) == path
				case "methods":
					entry.methods = field
				}
			}
			if matches {
				found, ok = entry, true
			}
		}
	}
	return found, ok
}

// defaultMethod is the schema's default of a route's methods.
const defaultMethod = "GET"

// addMethods adds the methods of route that the entry lacks to it. An
// entry without a methods field serves the schema's default, GET, which
// the new field keeps.
func (s *specSyntax) addMethods(entry routeEntry, service string, route Route) ([]SourceFile, error) {
	methods := route.Methods
	if len(methods) == 0 {
		methods = []string{defaultMethod}
	}
	at := pathString(selectors([]any{"services", service, "routes", entry.index}))
	s.inserting = "the added methods"

	if entry.methods == nil {
		served := []string{defaultMethod}
		for _, method := range methods {
			if !slices.Contains(served, method) {
				served = append(served, method)
			}
		}
		if len(served) == 1 {
			return nil, s.routeDeclared(entry, at, route)
		}
		build := func(bool) *ast.Field {
			return &ast.Field{Label: ast.NewIdent("methods"), Value: stringList(served)}
		}
		if err := s.insertInStruct(entry.file, entry.lit, build); err != nil {
			return nil, err
		}
		return s.sources, nil
	}

	list, ok := entry.methods.Value.(*ast.ListLit)
	if !ok {
		return nil, s.entryError(entry, at+".methods", "%s.methods is not written as a list such as [...], so msgen cannot add to it: add the methods by hand", at)
	}
	var missing []string
	for _, method := range methods {
		listed := slices.ContainsFunc(list.Elts, func(e ast.Expr) bool { return stringValue(e) == method })
		if !listed && !slices.Contains(missing, method) {
			missing = append(missing, method)
		}
	}
	if len(missing) == 0 {
		return nil, s.routeDeclared(entry, at, route)
	}

	// Each method is appended on its own, because a splice moves the
	// offsets that the next one would need.
	if err := s.appendToList(entry.file, list, func(bool) ast.Expr { return ast.NewString(missing[0]) }); err != nil {
		return nil, err
	}
	if len(missing) > 1 {
		return AddRoute(s.sources, service, Route{Path: route.Path, Methods: missing[1:]})
	}
	return s.sources, nil
}

// routeDeclared reports a route whose entry serves all its methods.
func (s *specSyntax) routeDeclared(entry routeEntry, at string, route Route) Errors {
	methods := route.Methods
	if len(methods) == 0 {
		methods = []string{defaultMethod}
	}
	return s.entryError(entry, at, "route %s %s is already declared here: there is nothing to add", strings.Join(methods, ","), route.Path)
}

// entryError returns an error at a route entry.
func (s *specSyntax) entryError(entry routeEntry, path, format string, args ...any) Errors {
	e := Error{File: s.sources[entry.file].Name, Path: path, Message: fmt.Sprintf(format, args...)}
	if pos := entry.lit.Pos(); pos.IsValid() {
		e.Line, e.Column = pos.Line(), pos.Column()
	}
	return Errors{e}
}

// stringValue returns the value of a string literal, or "" for any other
// expression.
func stringValue(expr ast.Expr) string {
	lit, ok := expr.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	value, err := literal.Unquote(lit.Value)
	if err != nil {
		return ""
	}
	return value
}

// AddEvent returns the spec's files with event appended to the service's
// list, which is "publishes" or "subscribes".
func AddEvent(files []SourceFile, service, list, event string) ([]SourceFile, error) {
	if list != "publishes" && list != "subscribes" {
		return nil, fmt.Errorf("add event: unknown list %q, want publishes or subscribes", list)
	}
	element := func(bool) ast.Expr { return ast.NewString(event) }
	return appendToServiceList(files, service, list, "the added event", element)
}

// appendToServiceList appends an element to the list field of a service,
// or adds the field with a list of that one element. description names the
// element in errors.
func appendToServiceList(files []SourceFile, service, field, description string, element func(compact bool) ast.Expr) ([]SourceFile, error) {
	s, err := parseSyntax(files)
	if err != nil {
		return nil, err
	}
	s.inserting = description
	servicePath := []string{"services", service}
	if len(s.declarations(servicePath)) == 0 {
		return nil, s.notDeclared(service)
	}

	decls := s.declarations(append(servicePath, field))
	for i := len(decls) - 1; i >= 0; i-- {
		if list, ok := decls[i].field.Value.(*ast.ListLit); ok {
			if err := s.appendToList(decls[i].file, list, element); err != nil {
				return nil, err
			}
			return s.sources, nil
		}
	}
	if len(decls) > 0 {
		path := "services." + service + "." + field
		return nil, Errors{s.errorAt(decls[len(decls)-1], path, "%s is not written as a list such as [...], so msgen cannot add to it: add the entry by hand", path)}
	}

	build := func(compact bool) *ast.Field {
		return &ast.Field{Label: s.label(field), Value: ast.NewList(element(true))}
	}
	if err := s.insertField(servicePath, build); err != nil {
		return nil, err
	}
	return s.sources, nil
}

// LocateField returns an Error without a message at the last declaration
// of the field at path in the spec's files, or, when they do not declare
// it, at that of the nearest field above it that they declare. Its Path
// names the field found. Callers fill in the message.
func LocateField(files []SourceFile, path ...string) Error {
	at := Error{Path: pathString(selectors(anyParts(path)))}
	if len(files) > 0 {
		at.File = files[0].Name
	}
	s, err := parseSyntax(files)
	if err != nil {
		return at
	}
	for n := len(path); n > 0; n-- {
		if decls := s.declarations(path[:n]); len(decls) > 0 {
			return s.errorAt(decls[len(decls)-1], pathString(selectors(anyParts(path[:n]))), "")
		}
	}
	return at
}

func anyParts(path []string) []any {
	parts := make([]any, len(path))
	for i, p := range path {
		parts[i] = p
	}
	return parts
}

// notDeclared reports a service that the spec does not declare.
func (s *specSyntax) notDeclared(name string) Errors {
	names := s.childNames([]string{"services"})
	if len(names) == 0 {
		return Errors{s.servicesNotFound()}
	}
	return Errors{{
		File:    s.sources[0].Name,
		Path:    "services",
		Message: fmt.Sprintf("service %q is not declared: use one of %s", name, listOrNone(names)),
	}}
}

// servicesNotFound reports a spec whose services the edits cannot find.
// The spec was valid, and a valid spec declares services, so they must be
// declared in a way that the edits do not follow, such as inside a struct
// that is embedded at the top level or through a reference.
func (s *specSyntax) servicesNotFound() Error {
	return Error{
		File:    s.sources[0].Name,
		Path:    "services",
		Message: "msgen edits services declared in fields such as services: {...} or services: NAME: {...} at the top level of a file, and finds none in this spec: make the change by hand",
	}
}

// errorAt returns an error at the label of a declaration.
func (s *specSyntax) errorAt(d declaration, path, format string, args ...any) Error {
	e := Error{File: s.sources[d.file].Name, Path: path, Message: fmt.Sprintf(format, args...)}
	if pos := d.field.Label.Pos(); pos.IsValid() {
		e.Line, e.Column = pos.Line(), pos.Column()
	}
	return e
}

// syntax returns the service's declaration in the order of the schema's
// fields. Several routes go one per line unless compact.
func (svc NewService) syntax(compact bool) ast.Expr {
	var fields []*ast.Field
	add := func(name string, value ast.Expr) {
		fields = append(fields, &ast.Field{Label: ast.NewIdent(name), Value: value})
	}

	if svc.Port != 0 {
		add("port", ast.NewLit(token.INT, strconv.Itoa(svc.Port)))
	}
	if len(svc.Routes) > 0 {
		routes := &ast.ListLit{}
		for _, route := range svc.Routes {
			element := routeSyntax(route)
			if !compact && len(svc.Routes) > 1 {
				ast.SetRelPos(element, token.Newline)
				routes.Rbrack = token.Newline.Pos()
			}
			routes.Elts = append(routes.Elts, element)
		}
		add("routes", routes)
	}
	switch {
	case svc.Pattern != "" && svc.Database != "":
		add("data", oneLine(stringField("pattern", svc.Pattern), stringField("database", svc.Database)))
	case svc.Pattern != "":
		add("data", &ast.StructLit{Elts: []ast.Decl{stringField("pattern", svc.Pattern)}})
	case svc.Database != "":
		add("data", &ast.StructLit{Elts: []ast.Decl{stringField("database", svc.Database)}})
	}
	for _, list := range []struct {
		name   string
		values []string
	}{{"publishes", svc.Publishes}, {"subscribes", svc.Subscribes}, {"calls", svc.Calls}} {
		if len(list.values) > 0 {
			add(list.name, stringList(list.values))
		}
	}

	if compact || len(fields) == 0 {
		return oneLine(fields...)
	}
	return block(fields...)
}

// routeSyntax returns a route as {path: "/x", methods: ["GET"]}, or
// {path: "/x"} when it has no methods, so that the schema's default applies.
func routeSyntax(route Route) *ast.StructLit {
	fields := []*ast.Field{stringField("path", route.Path)}
	if len(route.Methods) > 0 {
		fields = append(fields, &ast.Field{Label: ast.NewIdent("methods"), Value: stringList(route.Methods)})
	}
	return oneLine(fields...)
}

func stringField(name, value string) *ast.Field {
	return &ast.Field{Label: ast.NewIdent(name), Value: ast.NewString(value)}
}

func stringList(values []string) *ast.ListLit {
	list := &ast.ListLit{}
	for _, v := range values {
		list.Elts = append(list.Elts, ast.NewString(v))
	}
	return list
}
