package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// jsonSchemaConverter turns CUE values of the embedded schema into JSON
// Schema objects.
type jsonSchemaConverter struct {
	// root is the compiled schema file, where definitions are looked up.
	root cue.Value
	// defs are the converted definitions by name without the #. A nil
	// entry is a definition being converted.
	defs map[string]*jsonSchema
}

// field converts the value of a struct field: its constraint, with the
// description and default that the field declares.
func (c *jsonSchemaConverter) field(v cue.Value, path string) (*jsonSchema, error) {
	marked, literal := declaredDefault(v)

	// Value.Expr leaves out a default that another branch accepts, as in
	// int & <=10 | *3, and then returns NoOp with that branch alone as
	// the operand.
	shape := v
	if op, args := v.Expr(); marked && op == cue.NoOp && len(args) == 1 {
		shape = args[0]
	}
	s, err := c.convert(shape, path)
	if err != nil {
		return nil, err
	}

	if literal {
		d, _ := v.Default()
		data, err := d.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("%s: default: %w", path, err)
		}
		s.Default = data
	}
	if err := markUnique(s, v, path); err != nil {
		return nil, err
	}
	s.Description = joinDescription(s.Description, describeField(v))
	return s, nil
}

// markUnique sets uniqueItems on the array schema of a field that carries
// the flag @msgen(unique). The flag on a field of another type is a mistake
// in the schema.
func markUnique(s *jsonSchema, v cue.Value, path string) error {
	attr := v.Attribute("msgen")
	unique, err := attr.Flag(0, "unique")
	if err != nil || !unique {
		return nil
	}
	if s.Type != "array" {
		return fmt.Errorf("%s: @msgen(unique) on a field of type %q: use it only on lists", path, s.Type)
	}
	s.UniqueItems = true
	return nil
}

// convert returns the JSON Schema of a CUE constraint, or an error for a
// construct that JSON Schema cannot express here.
func (c *jsonSchemaConverter) convert(v cue.Value, path string) (*jsonSchema, error) {
	if ref, ok, err := c.reference(v); ok || err != nil {
		return ref, err
	}

	op, args := v.Expr()
	switch op {
	case cue.OrOp:
		return c.disjunction(args, path)
	case cue.AndOp:
		merged := &jsonSchema{}
		for _, arg := range args {
			s, err := c.convert(arg, path)
			if err != nil {
				return nil, err
			}
			if merged, err = mergeSchemas(merged, s); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		return merged, nil
	case cue.RegexMatchOp:
		pattern, err := args[0].String()
		if err != nil {
			return nil, fmt.Errorf("%s: regular expression: %w", path, err)
		}
		return &jsonSchema{Type: "string", Pattern: pattern}, nil
	case cue.GreaterThanEqualOp, cue.GreaterThanOp, cue.LessThanEqualOp, cue.LessThanOp:
		return bound(op, args[0], path)
	case cue.NoOp:
		return c.plain(v, path)
	}
	return nil, fmt.Errorf("%s: unsupported CUE operator %v in %v", path, op, v)
}

// reference returns a $ref to the definition that v refers to, converting
// the definition on first use. It reports false when v is no reference to
// a top-level definition.
func (c *jsonSchemaConverter) reference(v cue.Value) (*jsonSchema, bool, error) {
	root, path := v.ReferencePath()
	selectors := path.Selectors()
	if !root.Exists() || len(selectors) != 1 || !selectors[0].IsDefinition() {
		return nil, false, nil
	}

	name := strings.TrimPrefix(selectors[0].String(), "#")
	if _, done := c.defs[name]; !done {
		c.defs[name] = nil
		def := c.root.LookupPath(path)
		s, err := c.convert(def, path.String())
		if err != nil {
			return nil, true, err
		}
		s.Description = joinDescription(s.Description, describeField(def))
		c.defs[name] = s
	}
	return &jsonSchema{Ref: "#/$defs/" + name}, true, nil
}

// disjunction converts the branches of a | b | c. A branch that another one
// accepts, such as the default 8000 in #Port | *8000, adds nothing and is
// left out. Concrete scalars gather in one enum.
func (c *jsonSchemaConverter) disjunction(branches []cue.Value, path string) (*jsonSchema, error) {
	var enum []json.RawMessage
	var schemas []*jsonSchema
	for i, branch := range branches {
		if redundantBranch(branches, i) {
			continue
		}
		if isScalar(branch) && branch.IsConcrete() {
			data, err := branch.MarshalJSON()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			enum = append(enum, data)
			continue
		}
		s, err := c.convert(branch, path)
		if err != nil {
			return nil, err
		}
		schemas = append(schemas, s)
	}

	if len(enum) > 0 {
		schemas = append([]*jsonSchema{enumSchema(enum)}, schemas...)
	}
	if len(schemas) == 1 {
		return schemas[0], nil
	}
	return &jsonSchema{AnyOf: schemas}, nil
}

// redundantBranch reports whether another branch accepts every value that
// branches[i] accepts. Of two equal branches, the later one is redundant.
func redundantBranch(branches []cue.Value, i int) bool {
	for j, other := range branches {
		if j == i || other.Subsume(branches[i]) != nil {
			continue
		}
		if branches[i].Subsume(other) != nil || j < i {
			return true
		}
	}
	return false
}

// enumSchema returns a const or enum schema of JSON values, with their type
// when they share one.
func enumSchema(values []json.RawMessage) *jsonSchema {
	s := &jsonSchema{Type: jsonType(values[0])}
	for _, v := range values[1:] {
		if jsonType(v) != s.Type {
			s.Type = ""
		}
	}
	if len(values) == 1 {
		s.Const = values[0]
	} else {
		s.Enum = values
	}
	return s
}

// jsonType returns the JSON Schema type of a JSON scalar.
func jsonType(data json.RawMessage) string {
	switch {
	case data[0] == '"':
		return "string"
	case string(data) == "true" || string(data) == "false":
		return "boolean"
	case string(data) == "null":
		return "null"
	case bytes.ContainsAny(data, ".eE"):
		return "number"
	}
	return "integer"
}

// plain converts a value without an operator: a concrete value, a struct, a
// list, or a basic type such as int or string.
func (c *jsonSchemaConverter) plain(v cue.Value, path string) (*jsonSchema, error) {
	if isScalar(v) && v.IsConcrete() {
		data, err := v.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return enumSchema([]json.RawMessage{data}), nil
	}

	switch kind := v.IncompleteKind(); kind {
	case cue.StructKind:
		return c.object(v, path)
	case cue.ListKind:
		return c.array(v, path)
	case cue.TopKind:
		return &jsonSchema{}, nil
	case cue.IntKind:
		return &jsonSchema{Type: "integer"}, nil
	case cue.FloatKind, cue.NumberKind:
		return &jsonSchema{Type: "number"}, nil
	case cue.StringKind:
		return &jsonSchema{Type: "string"}, nil
	case cue.BoolKind:
		return &jsonSchema{Type: "boolean"}, nil
	case cue.NullKind:
		return &jsonSchema{Type: "null"}, nil
	default:
		return nil, fmt.Errorf("%s: unsupported CUE value %v of kind %v", path, v, kind)
	}
}

// object converts a struct: its regular, optional and required fields, its
// pattern constraints such as [#Name]: #Service, and its closedness.
func (c *jsonSchemaConverter) object(v cue.Value, path string) (*jsonSchema, error) {
	s := &jsonSchema{Type: "object"}
	fields, err := v.Fields(cue.Optional(true), cue.Patterns(true))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for fields.Next() {
		sel := fields.Selector()
		if sel.ConstraintType() == cue.PatternConstraint {
			pattern, err := keyPattern(sel.Pattern(), path)
			if err != nil {
				return nil, err
			}
			child, err := c.field(fields.Value(), path+".["+pattern+"]")
			if err != nil {
				return nil, err
			}
			if s.PatternProperties == nil {
				s.PatternProperties = map[string]*jsonSchema{}
			}
			s.PatternProperties[pattern] = child
			continue
		}

		name := sel.Unquoted()
		child, err := c.field(fields.Value(), path+"."+name)
		if err != nil {
			return nil, err
		}
		s.Properties = append(s.Properties, jsonProperty{name: name, schema: child})
		if sel.ConstraintType() == cue.RequiredConstraint {
			s.Required = append(s.Required, name)
		}
	}

	// A definition closes every struct in it unless the struct ends in
	// "...", and everything converted here lies in a definition. A struct
	// taken from a disjunction, such as {header: ...} in true | false |
	// {header: ...}, does not report itself closed, so IsClosed is no help.
	if !v.LookupPath(cue.MakePath(cue.AnyString)).Exists() {
		closed := false
		s.AdditionalProperties = &closed
	}
	return s, nil
}

// keyPattern returns the regular expression of a pattern constraint's key,
// the only kind of key constraint that the schema uses.
func keyPattern(key cue.Value, path string) (string, error) {
	op, args := key.Expr()
	if op != cue.RegexMatchOp {
		return "", fmt.Errorf("%s: unsupported key constraint %v: use a regular expression", path, key)
	}
	pattern, err := args[0].String()
	if err != nil {
		return "", fmt.Errorf("%s: key constraint: %w", path, err)
	}
	return pattern, nil
}

// array converts an open list such as [...#Route] or [#Method, ...#Method],
// or a closed list of concrete values.
func (c *jsonSchemaConverter) array(v cue.Value, path string) (*jsonSchema, error) {
	var prefix []cue.Value
	elements, err := v.List()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for elements.Next() {
		prefix = append(prefix, elements.Value())
	}

	rest := v.LookupPath(cue.MakePath(cue.AnyIndex))
	if !rest.Exists() {
		data, err := v.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("%s: unsupported closed list %v: %w", path, v, err)
		}
		return &jsonSchema{Const: data}, nil
	}

	s := &jsonSchema{Type: "array"}
	s.Items, err = c.convert(rest, path+"[]")
	if err != nil {
		return nil, err
	}
	if len(prefix) == 0 {
		return s, nil
	}

	// The schema's lists that start with fixed elements, such as
	// [#Name, #Name, ...#Name], only set a minimum length. Other
	// prefixes become prefixItems.
	n := len(prefix)
	s.MinItems = &n
	items, _ := json.Marshal(s.Items)
	for i, element := range prefix {
		es, err := c.convert(element, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		s.PrefixItems = append(s.PrefixItems, es)
		if data, _ := json.Marshal(es); !bytes.Equal(data, items) {
			items = nil
		}
	}
	if items != nil {
		s.PrefixItems = nil
	}
	return s, nil
}

// bound converts a numeric bound such as >=1024.
func bound(op cue.Op, limit cue.Value, path string) (*jsonSchema, error) {
	if k := limit.Kind(); k != cue.IntKind && k != cue.FloatKind {
		return nil, fmt.Errorf("%s: unsupported bound on %v: JSON Schema bounds only numbers", path, limit.Kind())
	}
	data, err := limit.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("%s: bound: %w", path, err)
	}

	s := &jsonSchema{Type: "number"}
	switch op {
	case cue.GreaterThanEqualOp:
		s.Minimum = data
	case cue.GreaterThanOp:
		s.ExclusiveMinimum = data
	case cue.LessThanEqualOp:
		s.Maximum = data
	case cue.LessThanOp:
		s.ExclusiveMaximum = data
	}
	return s, nil
}

// isScalar reports whether v can only be a string, number, bool or null.
func isScalar(v cue.Value) bool {
	k := v.IncompleteKind()
	return k != cue.BottomKind && k&^(cue.StringKind|cue.NumberKind|cue.BoolKind|cue.NullKind) == 0
}

// declaredDefault reports whether the field of v marks a default with *,
// and whether that default is a literal that JSON Schema can state. A
// default that refers to another field, such as *min, is not.
func declaredDefault(v cue.Value) (marked, literal bool) {
	var expr ast.Expr
	switch src := v.Source().(type) {
	case *ast.Field:
		expr = src.Value
	case ast.Expr:
		expr = src
	}

	var visit func(ast.Expr)
	visit = func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.BinaryExpr:
			if x.Op == token.OR {
				visit(x.X)
				visit(x.Y)
			}
		case *ast.ParenExpr:
			visit(x.X)
		case *ast.UnaryExpr:
			if x.Op == token.MUL {
				marked = true
				switch x.X.(type) {
				case *ast.BasicLit, *ast.ListLit, *ast.StructLit:
					literal = true
				}
			}
		}
	}
	if expr != nil {
		visit(expr)
	}
	return marked, literal
}

// describeField returns a field's description: its doc comment as one
// paragraph, then its @msgen hint as a sentence.
func describeField(v cue.Value) string {
	var paragraphs []string
	for _, group := range v.Doc() {
		if text := strings.Join(strings.Fields(group.Text()), " "); text != "" {
			paragraphs = append(paragraphs, text)
		}
	}
	if hint := hintOf(v, ""); hint != "" {
		r, size := utf8.DecodeRuneInString(hint)
		paragraphs = append(paragraphs, string(unicode.ToUpper(r))+hint[size:]+".")
	}
	return strings.Join(paragraphs, " ")
}

func joinDescription(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}
