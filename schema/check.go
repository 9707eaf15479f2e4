package schema

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/format"
)

// keyRule explains the rule that the keys of a map in the spec follow. The
// rule itself is the schema's pattern constraint.
type keyRule struct {
	// noun names a key in messages, as in "invalid service name".
	noun string
	text string
	// example is a key that follows the rule, used to look up the schema
	// of an entry whose own key breaks it.
	example string
}

// keyRules maps each map's field path, with every key replaced by "*", to
// the rule of its keys.
var keyRules = map[string]keyRule{
	"services":       {"service name", "a service name is a DNS label: lowercase letters, digits and dashes, starting with a letter and not ending with a dash, at most 63 characters", "service"},
	"databases":      {"database name", "a database name is a DNS label: lowercase letters, digits and dashes, starting with a letter and not ending with a dash, at most 63 characters", "database"},
	"events":         {"event name", "an event name is an exported Go name such as \"OrderCreated\": a capital letter, then letters and digits", "Event"},
	"events.*":       {"event field name", "an event field name starts with a lowercase letter, then letters and digits, such as \"orderId\"", "field"},
	"sagas":          {"saga name", "a saga name starts with a lowercase letter, then letters and digits, such as \"createOrder\"", "saga"},
	"compositions":   {"composition name", "a composition name starts with a lowercase letter, then letters and digits, such as \"orderDetails\"", "composition"},
	"services.*.env": {"variable name", "an environment variable name is uppercase letters, digits and underscores, starting with a letter", "VARIABLE"},
}

// checker walks the user's value beside the schema and records every
// problem. CUE reports at most one error per struct and blames a bad map
// key on the fields under it, so each field is checked on its own here.
type checker struct {
	ctx  *cue.Context
	top  cue.Value
	errs Errors
	// definition names the user's definition, such as #svc, that
	// contains the struct being walked, for the error of checkClosed.
	definition string
	// inClosed is set inside a closed struct that checkClosed has
	// checked with every struct in it.
	inClosed bool
}

// walk checks user against schema. A list passes its hint to its elements,
// because a hint on a definition such as #Method does not reach its uses.
func (c *checker) walk(schema, user cue.Value, path []cue.Selector, inherited string) {
	switch user.IncompleteKind() {
	case cue.StructKind:
		if s, ok := shapeOf(schema, cue.StructKind); ok {
			// A struct taken out of a disjunction such as true | {header:
			// string} is no longer closed, so its fields are the only
			// ones it allows.
			c.walkStruct(s, user, path, !s.Equals(schema))
			return
		}
	case cue.ListKind:
		if user.IsConcrete() {
			if s, ok := shapeOf(schema, cue.ListKind); ok {
				c.walkList(s, user, path, hintOf(schema, inherited))
				return
			}
		}
	}
	c.checkLeaf(schema, user, path, inherited)
}

func (c *checker) walkStruct(schema, user cue.Value, path []cue.Selector, branch bool) {
	outerDefinition, outerClosed := c.definition, c.inClosed
	defer func() { c.definition, c.inClosed = outerDefinition, outerClosed }()
	if name := definitionName(user); name != "" {
		c.definition = name
	}
	if !c.inClosed && user.IsClosed() {
		c.checkClosed(schema, user, path)
		c.inClosed = true
	}

	// Required fields: CUE's Validate does not report them missing.
	required, err := schema.Fields(cue.Optional(true))
	if err == nil {
		for required.Next() {
			sel := required.Selector()
			if sel.ConstraintType() != cue.RequiredConstraint {
				continue
			}
			name := sel.Unquoted()
			if user.LookupPath(cue.MakePath(cue.Str(name))).Exists() {
				continue
			}
			c.add(user, appendPath(path, cue.Str(name)), "missing required field %q: %s", name, requiredHint(required.Value()))
		}
	}

	fields, err := user.Fields()
	if err != nil {
		c.add(user, path, "%s", cleanMessage(err))
		return
	}
	for fields.Next() {
		sel := fields.Selector()
		childPath := appendPath(path, sel)
		if !schema.Allows(sel) || branch && !declares(schema, sel) {
			c.reportDisallowed(schema, fields.Value(), path, childPath, sel)
			continue
		}
		c.walk(c.fieldSchema(schema, sel), fields.Value(), childPath, "")
	}
}

// declares reports whether schema has a regular, optional or required field
// sel.
func declares(schema cue.Value, sel cue.Selector) bool {
	for _, candidate := range []cue.Selector{sel, sel.Optional(), sel.Required()} {
		if schema.LookupPath(cue.MakePath(candidate)).Exists() {
			return true
		}
	}
	return false
}

// fieldSchema returns the schema of the field sel: a regular, optional or
// required field, or else the pattern constraint that applies to sel.
func (c *checker) fieldSchema(schema cue.Value, sel cue.Selector) cue.Value {
	for _, candidate := range []cue.Selector{sel, sel.Optional(), sel.Required()} {
		if v := schema.LookupPath(cue.MakePath(candidate)); v.Exists() {
			return v
		}
	}
	return schema.FillPath(cue.MakePath(sel), c.top).LookupPath(cue.MakePath(sel))
}

// reportDisallowed explains a field that the schema does not allow: a key
// that breaks a map's naming rule, or an unknown field.
func (c *checker) reportDisallowed(schema, value cue.Value, parent, path []cue.Selector, sel cue.Selector) {
	if rule, ok := keyRules[patternPath(parent)]; ok {
		c.add(value, path, "invalid %s %q: %s", rule.noun, sel.Unquoted(), rule.text)

		// Check the entry too, as if its name were valid, so that its
		// own problems show in the same run.
		c.walk(c.fieldSchema(schema, cue.Str(rule.example)), value, path, "")
		return
	}

	var allowed []string
	fields, err := schema.Fields(cue.Optional(true))
	if err == nil {
		for fields.Next() {
			allowed = append(allowed, fields.Selector().Unquoted())
		}
	}
	if len(allowed) == 0 {
		c.add(value, path, "unknown field %q: remove it", sel.Unquoted())
		return
	}
	c.add(value, path, "unknown field %q: remove it or use one of %s", sel.Unquoted(), strings.Join(allowed, ", "))
}

func (c *checker) walkList(schema, user cue.Value, path []cue.Selector, hint string) {
	n, err := user.Len().Int64()
	if err != nil {
		c.checkLeaf(schema, user, path, hint)
		return
	}

	shaped, ok := c.elementSchemas(schema, n)
	if !ok {
		c.checkLeaf(schema, user, path, hint)
		return
	}

	elements, err := user.List()
	if err != nil {
		c.checkLeaf(schema, user, path, hint)
		return
	}
	for i := 0; elements.Next(); i++ {
		sel := cue.Index(i)
		c.walk(shaped.LookupPath(cue.MakePath(sel)), elements.Value(), appendPath(path, sel), hint)
	}
}

func (c *checker) checkLeaf(schema, user cue.Value, path []cue.Selector, inherited string) {
	unified := schema.Unify(user)
	err := unified.Validate(cue.Concrete(true))
	if err == nil {
		return
	}

	if unified.Validate() == nil {
		if msg, ok := explainDefaults(schema, user, path); ok {
			c.add(user, path, "%s", msg)
			return
		}
		c.add(user, path, "incomplete value %s: give a concrete value", describe(user))
		return
	}

	hint := hintOf(schema, inherited)
	if msg, ok := c.explainFloat(schema, user, hint); ok {
		c.add(user, path, "%s", msg)
		return
	}
	if hint != "" {
		c.add(user, path, "invalid value %s: %s", describe(user), hint)
		return
	}
	if want := schema.IncompleteKind(); want&user.IncompleteKind() == 0 {
		c.add(user, path, "invalid value %s: expected %s", describe(user), kindName(want))
		return
	}
	c.add(user, path, "invalid value %s: %s", describe(user), cleanMessage(err))
}

func (c *checker) add(at cue.Value, path []cue.Selector, format string, args ...any) {
	e := Error{Path: pathString(path), Message: fmt.Sprintf(format, args...)}
	pos := at.Pos()
	if pos.IsValid() && pos.Filename() != schemaFilename {
		e.File, e.Line, e.Column = pos.Filename(), pos.Line(), pos.Column()
	}
	c.errs = append(c.errs, e)
}

// shapeOf returns the part of a schema value that has kind: the value itself,
// or one branch of a disjunction such as true | false | {header: string}.
func shapeOf(v cue.Value, kind cue.Kind) (cue.Value, bool) {
	if v.IncompleteKind() == kind {
		return v, true
	}
	op, args := v.Expr()
	if op != cue.OrOp && op != cue.AndOp {
		return cue.Value{}, false
	}
	for _, arg := range args {
		if s, ok := shapeOf(arg, kind); ok {
			return s, true
		}
	}
	return cue.Value{}, false
}

// elementSchemas returns a list schema unified with a list of n top values,
// which applies the schema's element constraints, so that each element's
// schema can be looked up by index. A default such as [...#Method] |
// *["GET"] is a disjunction of lists, and only its open branch describes the
// elements.
func (c *checker) elementSchemas(list cue.Value, n int64) (cue.Value, bool) {
	tops := c.ctx.CompileString("[" + strings.TrimSuffix(strings.Repeat("_, ", int(n)), ", ") + "]")
	for _, branch := range branches(list) {
		if candidate := branch.Unify(tops); candidate.Err() == nil {
			return candidate, true
		}
	}
	return cue.Value{}, false
}

// branches returns the branches of a disjunction, or the value alone.
func branches(v cue.Value) []cue.Value {
	op, args := v.Expr()
	switch op {
	case cue.OrOp:
		return args
	case cue.AndOp:
		// A pattern constraint filled with _ gives the conjunction x & _.
		var constrained []cue.Value
		for _, arg := range args {
			if arg.IncompleteKind() != cue.TopKind {
				constrained = append(constrained, arg)
			}
		}
		if len(constrained) == 1 {
			return branches(constrained[0])
		}
	}
	return []cue.Value{v}
}

// hintOf returns the hint in the @msgen attribute of a schema field, or
// fallback when it has none.
func hintOf(v cue.Value, fallback string) string {
	attr := v.Attribute("msgen")
	if hint, found, _ := attr.Lookup(0, "hint"); found && hint != "" {
		return hint
	}
	return fallback
}

// requiredHint returns the hint of a required schema field, or a generic one.
func requiredHint(v cue.Value) string {
	return hintOf(v, "add it")
}

// describe prints a user value in CUE syntax for an error message.
func describe(v cue.Value) string {
	b, err := format.Node(v.Syntax(cue.Final()))
	if err != nil || len(b) == 0 {
		return fmt.Sprint(v)
	}
	s := []rune(strings.Join(strings.Fields(string(b)), " "))
	if len(s) > 60 {
		return string(s[:57]) + "..."
	}
	return string(s)
}

// cleanMessage keeps the first line of a CUE error without its path, which
// Error carries separately.
func cleanMessage(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, ": "); i >= 0 && !strings.Contains(msg[:i], " ") {
		msg = msg[i+2:]
	}
	return msg
}

func kindName(k cue.Kind) string {
	switch k {
	case cue.StructKind:
		return "a struct such as {key: value}"
	case cue.ListKind:
		return "a list such as [a, b]"
	case cue.StringKind:
		return "a string"
	case cue.IntKind:
		return "an integer"
	case cue.NumberKind, cue.FloatKind:
		return "a number"
	case cue.BoolKind:
		return "true or false"
	}
	return k.String()
}

func appendPath(path []cue.Selector, sel cue.Selector) []cue.Selector {
	out := make([]cue.Selector, len(path), len(path)+1)
	copy(out, path)
	return append(out, sel)
}

// pathString prints a path as services.orders.routes[0].path.
func pathString(path []cue.Selector) string {
	var b strings.Builder
	for _, sel := range path {
		if sel.Type() == cue.IndexLabel {
			b.WriteString("[" + strconv.Itoa(sel.Index()) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(sel.String())
	}
	return b.String()
}

// patternPath prints a path with every map key replaced by "*", to find the
// rule of the map that contains the last element.
func patternPath(path []cue.Selector) string {
	parts := make([]string, 0, len(path))
	for i, sel := range path {
		if sel.Type() == cue.IndexLabel {
			parts = append(parts, "[]")
			continue
		}
		if i > 0 && isMap(parts) {
			parts = append(parts, "*")
			continue
		}
		parts = append(parts, sel.Unquoted())
	}
	return strings.Join(parts, ".")
}

// isMap reports whether the path so far, in patternPath's form, ends at a map
// whose keys the user chooses.
func isMap(parts []string) bool {
	_, ok := keyRules[strings.Join(parts, ".")]
	return ok
}
