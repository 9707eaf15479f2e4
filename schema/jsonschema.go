package schema

import (
	"bytes"
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
)

// jsonSchemaDialect is the JSON Schema version that JSONSchema writes.
const jsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// jsonSchemaDescription introduces the schema in editors and names the
// rules that it leaves to msgen validate.
const jsonSchemaDescription = "The architecture spec that msgen reads, in its JSON form. " +
	"It checks the shape of each entry: field names, types, enumerations, bounds, name patterns and lists without duplicate items. " +
	"The rules across entries run only in msgen validate: references to services, databases and events, " +
	"port and route conflicts, call cycles, and the names that Go, the go command and msgen reserve. " +
	"msgen validate also rejects a whole number written as a float, such as 8081.0, where an integer is required."

// JSONSchema converts the embedded CUE schema to a JSON Schema of the spec,
// for editors that check JSON as it is typed. Every schema definition that
// the spec uses becomes an entry of $defs. Descriptions come from the
// schema's comments and @msgen(hint=...) attributes, and defaults from its
// literal defaults. The output is indented and ends with a newline.
//
// It returns an error when the CUE schema uses a construct that it cannot
// convert faithfully, so that a schema change never weakens the JSON
// Schema without notice.
func JSONSchema() ([]byte, error) {
	ctx := cuecontext.New()
	root := ctx.CompileString(schemaSource, cue.Filename(schemaFilename))
	if err := root.Err(); err != nil {
		return nil, fmt.Errorf("compile embedded schema: %w", err)
	}

	c := &jsonSchemaConverter{root: root, defs: map[string]*jsonSchema{}}
	top, err := c.convert(root.LookupPath(cue.ParsePath("#Architecture")), "#Architecture")
	if err != nil {
		return nil, fmt.Errorf("convert the schema to JSON Schema: %w", err)
	}
	top.Schema = jsonSchemaDialect
	top.Title = "msgen architecture spec"
	top.Description = jsonSchemaDescription
	top.Defs = c.defs

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(top); err != nil {
		return nil, fmt.Errorf("encode JSON Schema: %w", err)
	}
	return buf.Bytes(), nil
}

// jsonSchema is one JSON Schema object. The order of the fields is the
// order of the keywords in the output.
type jsonSchema struct {
	Schema               string                 `json:"$schema,omitempty"`
	Title                string                 `json:"title,omitempty"`
	Description          string                 `json:"description,omitempty"`
	Ref                  string                 `json:"$ref,omitempty"`
	Type                 string                 `json:"type,omitempty"`
	Const                json.RawMessage        `json:"const,omitempty"`
	Enum                 []json.RawMessage      `json:"enum,omitempty"`
	Default              json.RawMessage        `json:"default,omitempty"`
	Pattern              string                 `json:"pattern,omitempty"`
	Minimum              json.RawMessage        `json:"minimum,omitempty"`
	ExclusiveMinimum     json.RawMessage        `json:"exclusiveMinimum,omitempty"`
	Maximum              json.RawMessage        `json:"maximum,omitempty"`
	ExclusiveMaximum     json.RawMessage        `json:"exclusiveMaximum,omitempty"`
	MinItems             *int                   `json:"minItems,omitempty"`
	UniqueItems          bool                   `json:"uniqueItems,omitempty"`
	PrefixItems          []*jsonSchema          `json:"prefixItems,omitempty"`
	Items                *jsonSchema            `json:"items,omitempty"`
	Properties           jsonProperties         `json:"properties,omitempty"`
	PatternProperties    map[string]*jsonSchema `json:"patternProperties,omitempty"`
	AdditionalProperties *bool                  `json:"additionalProperties,omitempty"`
	Required             []string               `json:"required,omitempty"`
	AnyOf                []*jsonSchema          `json:"anyOf,omitempty"`
	Defs                 map[string]*jsonSchema `json:"$defs,omitempty"`
}

// jsonProperties are the properties of an object schema, in the order of
// the CUE schema, which groups related fields.
type jsonProperties []jsonProperty

type jsonProperty struct {
	name   string
	schema *jsonSchema
}

func (props jsonProperties) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, p := range props {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(p.name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := enc.Encode(p.schema); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// mergeSchemas combines the schemas of two conjuncts, such as int and
// >=1024, into one. It returns an error for two schemas that one object
// cannot express, such as two patterns.
func mergeSchemas(a, b *jsonSchema) (*jsonSchema, error) {
	if b.isComposite() || a.isComposite() {
		if a.isEmpty() {
			return b, nil
		}
		if b.isEmpty() {
			return a, nil
		}
		return nil, fmt.Errorf("unsupported conjunction of two structured constraints")
	}

	out := *a
	switch {
	case out.Type == "" || out.Type == "number" && b.Type == "integer":
		out.Type = b.Type
	case b.Type == "" || b.Type == out.Type || b.Type == "number" && out.Type == "integer":
	default:
		return nil, fmt.Errorf("conflicting types %s and %s", out.Type, b.Type)
	}
	for _, kw := range []struct {
		dst *string
		src string
	}{{&out.Ref, b.Ref}, {&out.Pattern, b.Pattern}} {
		if err := mergeKeyword(kw.dst, kw.src); err != nil {
			return nil, err
		}
	}
	for _, kw := range []struct {
		dst *json.RawMessage
		src json.RawMessage
	}{{&out.Const, b.Const}, {&out.Minimum, b.Minimum}, {&out.ExclusiveMinimum, b.ExclusiveMinimum}, {&out.Maximum, b.Maximum}, {&out.ExclusiveMaximum, b.ExclusiveMaximum}} {
		if err := mergeKeyword(kw.dst, kw.src); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// mergeKeyword sets *dst to src unless *dst is already set to another value.
func mergeKeyword[T ~string | ~[]byte](dst *T, src T) error {
	switch {
	case len(src) == 0 || string(*dst) == string(src):
		return nil
	case len(*dst) == 0:
		*dst = src
		return nil
	}
	return fmt.Errorf("unsupported conjunction of %s and %s", string(*dst), string(src))
}

// isComposite reports whether s has keywords that mergeSchemas cannot combine.
func (s *jsonSchema) isComposite() bool {
	return s.Enum != nil || s.Items != nil || s.PrefixItems != nil || s.Properties != nil ||
		s.PatternProperties != nil || s.AdditionalProperties != nil || s.AnyOf != nil || s.MinItems != nil || s.UniqueItems
}

// isEmpty reports whether s accepts every value.
func (s *jsonSchema) isEmpty() bool {
	data, _ := json.Marshal(s)
	return string(data) == "{}"
}
