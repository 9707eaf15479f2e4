package schema

import (
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
)

// rawSpec mirrors the schema where a field's shape differs from the model's.
type rawSpec struct {
	Spec
	Gateway struct {
		Kong struct {
			Kong
			Plugins struct {
				CorrelationID any           `json:"correlationId"`
				RateLimiting  *RateLimiting `json:"rateLimiting"`
			} `json:"plugins"`
		} `json:"kong"`
	} `json:"gateway"`
	Services map[string]*rawService `json:"services"`
}

type rawService struct {
	Service
	Health *healthOverride `json:"health"`
}

type healthOverride struct {
	Liveness    *string `json:"liveness"`
	Readiness   *string `json:"readiness"`
	Interval    *string `json:"interval"`
	Timeout     *string `json:"timeout"`
	Retries     *int    `json:"retries"`
	StartPeriod *string `json:"startPeriod"`
}

// mapFields are the spec's maps whose keys the user chooses. Each entry is
// decoded on its own, so that one bad entry does not hide the others.
var mapFields = map[string]bool{
	"databases": true, "events": true, "services": true, "sagas": true, "compositions": true,
}

// decoded is a spec decoded from the parts of the user's value that are
// valid, with the names of the entries that were not.
type decoded struct {
	spec *Spec
	// declared maps each map field to every key the user declared with a
	// valid name, whether or not its entry is valid.
	declared map[string]map[string]bool
	// broken names the top-level fields and map entries ("services.orders")
	// that failed to decode.
	broken map[string]bool
}

// decode turns the valid parts of the user's value into the model, with each
// service's health overrides applied. The checks across entries then run on
// what is valid.
// exported, when not nil, is the whole spec already exported as JSON.
func decode(c *checker, def, user cue.Value, exported []byte) (*decoded, error) {
	out := &decoded{declared: map[string]map[string]bool{}, broken: map[string]bool{}}
	for name := range mapFields {
		out.declared[name] = map[string]bool{}
		mapSchema := c.fieldSchema(def, cue.Str(name))
		iter, err := user.LookupPath(cue.MakePath(cue.Str(name))).Fields()
		if err != nil {
			continue
		}
		for iter.Next() {
			if mapSchema.Allows(iter.Selector()) {
				out.declared[name][iter.Selector().Unquoted()] = true
			}
		}
	}

	data := exported
	if data == nil {
		data = c.partialJSON(def, user, "", out.broken)
	}

	// JSON is the round trip because CUE's Decode does not follow
	// encoding/json's rule that a shallower field hides an embedded one.
	var raw rawSpec
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("decode spec: %w", err)
	}
	out.spec = raw.model()
	return out, nil
}

// partialJSON encodes the unification of schema and user as JSON, leaving
// out each field that is invalid and recording its path in broken. A struct
// with an invalid field keeps its valid ones, so that one bad port does not
// hide a service's calls from the checks across entries.
func (c *checker) partialJSON(schema, user cue.Value, path string, broken map[string]bool) json.RawMessage {
	v := schema
	if user.Exists() {
		v = schema.Unify(user)
	}
	if data, err := v.MarshalJSON(); err == nil {
		return data
	}
	if path != "" {
		broken[path] = true
	}

	if user.Exists() && user.IncompleteKind() == cue.ListKind {
		return c.partialList(schema, user, path, broken)
	}

	s, ok := shapeOf(schema, cue.StructKind)
	if !ok || (user.Exists() && user.IncompleteKind() != cue.StructKind) {
		return nil
	}

	object := map[string]json.RawMessage{}
	add := func(sel cue.Selector, userField cue.Value) {
		name := sel.Unquoted()
		childPath := name
		if path != "" {
			childPath = path + "." + name
		}
		if data := c.partialJSON(c.fieldSchema(s, sel), userField, childPath, broken); data != nil {
			object[name] = data
		}
	}

	// Fields with defaults that the user left out still get them.
	fields, err := s.Fields()
	if err == nil {
		for fields.Next() {
			if !user.LookupPath(cue.MakePath(fields.Selector())).Exists() {
				add(fields.Selector(), cue.Value{})
			}
		}
	}
	if user.Exists() {
		fields, err := user.Fields()
		if err == nil {
			for fields.Next() {
				if s.Allows(fields.Selector()) {
					add(fields.Selector(), fields.Value())
				}
			}
		}
	}

	data, err := json.Marshal(object)
	if err != nil {
		return nil
	}
	return data
}

// addCompositionCalls adds each composition's sources to its composer's
// calls, because a composer calls them whether or not it lists them. It runs
// after the checks, so that errors point at what the user wrote.
func (s *Spec) addCompositionCalls() {
	for _, name := range sortedKeys(s.Compositions) {
		comp := s.Compositions[name]
		composer, ok := s.Services[comp.Composer]
		if !ok {
			continue
		}
		for _, source := range comp.From {
			if !contains(composer.Calls, source) {
				composer.Calls = append(composer.Calls, source)
			}
		}
	}
}

// model converts the decoded JSON shapes into the model.
func (raw *rawSpec) model() *Spec {
	spec := raw.Spec
	spec.Gateway.Kong = raw.Gateway.Kong.Kong
	spec.Gateway.Kong.Plugins.RateLimiting = raw.Gateway.Kong.Plugins.RateLimiting
	switch cid := raw.Gateway.Kong.Plugins.CorrelationID.(type) {
	case bool:
		if cid {
			spec.Gateway.Kong.Plugins.CorrelationID = &CorrelationID{Header: "X-Correlation-ID"}
		}
	case map[string]any:
		header, _ := cid["header"].(string)
		spec.Gateway.Kong.Plugins.CorrelationID = &CorrelationID{Header: header}
	}

	spec.Services = make(map[string]*Service, len(raw.Services))
	for name, rs := range raw.Services {
		svc := rs.Service
		svc.Name = name
		svc.Health = spec.Health
		rs.Health.apply(&svc.Health)
		spec.Services[name] = &svc
	}

	return &spec
}

// partialList encodes a list whose whole failed to encode element by
// element, with null for each invalid element so that every valid one keeps
// its index, which the checks across entries use for positions.
func (c *checker) partialList(schema, user cue.Value, path string, broken map[string]bool) json.RawMessage {
	n, err := user.Len().Int64()
	if err != nil {
		return nil
	}
	list, ok := shapeOf(schema, cue.ListKind)
	if !ok {
		return nil
	}
	shaped, ok := c.elementSchemas(list, n)
	if !ok {
		return nil
	}

	elements, err := user.List()
	if err != nil {
		return nil
	}
	var items []json.RawMessage
	for i := 0; elements.Next(); i++ {
		elementPath := fmt.Sprintf("%s[%d]", path, i)
		data := c.partialJSON(shaped.LookupPath(cue.MakePath(cue.Index(i))), elements.Value(), elementPath, broken)
		if data == nil {
			data = json.RawMessage("null")
		}
		items = append(items, data)
	}
	data, err := json.Marshal(items)
	if err != nil {
		return nil
	}
	return data
}

func (o *healthOverride) apply(h *Health) {
	if o == nil {
		return
	}
	if o.Liveness != nil {
		h.Liveness = *o.Liveness
	}
	if o.Readiness != nil {
		h.Readiness = *o.Readiness
	}
	if o.Interval != nil {
		h.Interval = *o.Interval
	}
	if o.Timeout != nil {
		h.Timeout = *o.Timeout
	}
	if o.Retries != nil {
		h.Retries = *o.Retries
	}
	if o.StartPeriod != nil {
		h.StartPeriod = *o.StartPeriod
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
