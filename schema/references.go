package schema

import (
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
)

// Reference is a place in a spec that needs a service: a field that names
// it, or an event that only it publishes.
type Reference struct {
	// Path is the field path, such as "services.storefront.calls[1]".
	Path   string
	File   string
	Line   int
	Column int
}

// ServiceReferences returns every place in the spec's files, other than
// the service's own declaration, that stops the service from being
// removed: calls, saga orchestrators and steps, and composers and sources
// that name it, and the subscriptions and declarations of events that no
// other service publishes. They are sorted by file and position.
func ServiceReferences(files []SourceFile, service string) ([]Reference, error) {
	parsed := make([]*ast.File, 0, len(files))
	for _, file := range files {
		f, err := parser.ParseFile(file.Name, file.Data, parser.ParseComments)
		if err != nil {
			return nil, inFile(convertCUEError(err, ""), file.Name).sorted()
		}
		parsed = append(parsed, f)
	}
	user, err := buildUserValue(cuecontext.New(), parsed)
	if err != nil {
		return nil, err
	}

	r := &referenceFinder{service: service}
	services := fieldValues(user.LookupPath(cue.MakePath(cue.Str("services"))))
	publishers := map[string][]string{}
	for _, svc := range services {
		for _, event := range listValues(svc.value.LookupPath(cue.ParsePath("publishes"))) {
			if name, err := event.value.String(); err == nil {
				publishers[name] = append(publishers[name], svc.name)
			}
		}
	}
	onlyPublisher := func(event string) bool {
		return slices.Equal(publishers[event], []string{service})
	}

	for _, svc := range services {
		if svc.name == service {
			continue
		}
		at := []any{"services", svc.name}
		r.matchList(append(at, "calls"), svc.value.LookupPath(cue.ParsePath("calls")), r.isService)
		r.matchList(append(at, "subscribes"), svc.value.LookupPath(cue.ParsePath("subscribes")), onlyPublisher)
	}
	for _, event := range fieldValues(user.LookupPath(cue.ParsePath("events"))) {
		if onlyPublisher(event.name) {
			r.add([]any{"events", event.name}, event.value)
		}
	}
	for _, saga := range fieldValues(user.LookupPath(cue.ParsePath("sagas"))) {
		at := []any{"sagas", saga.name}
		r.match(append(at, "orchestrator"), saga.value.LookupPath(cue.ParsePath("orchestrator")))
		for _, step := range listValues(saga.value.LookupPath(cue.ParsePath("steps"))) {
			r.match(append(at, "steps", step.index, "service"), step.value.LookupPath(cue.ParsePath("service")))
		}
	}
	for _, comp := range fieldValues(user.LookupPath(cue.ParsePath("compositions"))) {
		at := []any{"compositions", comp.name}
		r.match(append(at, "composer"), comp.value.LookupPath(cue.ParsePath("composer")))
		r.matchList(append(at, "from"), comp.value.LookupPath(cue.ParsePath("from")), r.isService)
	}

	slices.SortStableFunc(r.refs, func(a, b Reference) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return r.refs, nil
}

// referenceFinder collects the references to one service.
type referenceFinder struct {
	service string
	refs    []Reference
}

// isService reports whether name is the service's name.
func (r *referenceFinder) isService(name string) bool {
	return name == r.service
}

// match adds v, the value at the field named by parts, when it is the
// service's name.
func (r *referenceFinder) match(parts []any, v cue.Value) {
	if name, err := v.String(); err == nil && r.isService(name) {
		r.add(parts, v)
	}
}

// matchList adds each element of the list v for which matches returns
// true, at the list's field parts and the element's index.
func (r *referenceFinder) matchList(parts []any, v cue.Value, matches func(string) bool) {
	for _, element := range listValues(v) {
		if name, err := element.value.String(); err == nil && matches(name) {
			r.add(append(slices.Clip(parts), element.index), element.value)
		}
	}
}

// add records v, the value at the field named by parts, with its position.
func (r *referenceFinder) add(parts []any, v cue.Value) {
	ref := Reference{Path: pathString(selectors(parts))}
	if pos := v.Pos(); pos.IsValid() {
		ref.File, ref.Line, ref.Column = pos.Filename(), pos.Line(), pos.Column()
	}
	r.refs = append(r.refs, ref)
}

// namedValue is a field of a struct or an element of a list.
type namedValue struct {
	name  string
	index int
	value cue.Value
}

// fieldValues returns the regular fields of a struct, or none when v is
// not one.
func fieldValues(v cue.Value) []namedValue {
	iter, err := v.Fields()
	if err != nil {
		return nil
	}
	var out []namedValue
	for iter.Next() {
		out = append(out, namedValue{name: iter.Selector().Unquoted(), value: iter.Value()})
	}
	return out
}

// listValues returns the elements of a list, or none when v is not one.
func listValues(v cue.Value) []namedValue {
	iter, err := v.List()
	if err != nil {
		return nil
	}
	var out []namedValue
	for i := 0; iter.Next(); i++ {
		out = append(out, namedValue{index: i, value: iter.Value()})
	}
	return out
}
