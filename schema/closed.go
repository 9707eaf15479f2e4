package schema

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue"
)

// checkClosed reports a struct of the user's that a definition of their own
// closes, such as services: orders: #svc & {port: 8081} after #svc: {port:
// int}. CUE closes a definition and every struct in it, so the unification
// with the schema rejects each field that the schema adds with a default,
// and CUE reports each such field without a position. This reports one
// error at the user's struct instead, which lists the rejected fields of
// the struct and of the structs in it.
func (c *checker) checkClosed(schema, user cue.Value, path []cue.Selector) {
	rejected := c.rejectedFields(schema, user, "")
	if len(rejected) == 0 {
		return
	}

	noun := "fields"
	if len(rejected) == 1 {
		noun = "field"
	}
	if c.definition == "" {
		c.add(user, path, `this struct comes from a closed definition, so it rejects the %s %s that the schema adds with defaults: share the values through a hidden field, which CUE leaves open, or end the definition and each struct in it with "..."`, noun, joinWithAnd(rejected))
		return
	}
	c.add(user, path, `the definition %s is closed, so it rejects the %s %s that the schema adds with defaults: share the values through a hidden field such as %s, which CUE leaves open, or end %s and each struct in it with "..."`, c.definition, noun, joinWithAnd(rejected), hiddenName(c.definition), c.definition)
}

// hiddenName returns a hidden field name for a definition's values: _svc
// for #svc, _#svc or #defaults.#svc.
func hiddenName(definition string) string {
	last := definition[strings.LastIndexByte(definition, '.')+1:]
	return "_" + strings.TrimLeft(last, "_#")
}

// rejectedFields returns the fields that the schema adds and user does not
// allow, in user and in the structs and lists of structs in it, as paths
// relative to user with prefix before each.
func (c *checker) rejectedFields(schema, user cue.Value, prefix string) []string {
	var rejected []string
	fields, err := schema.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	for fields.Next() {
		sel := fields.Selector()
		if sel.ConstraintType() == cue.OptionalConstraint {
			continue // absent from the unification unless the user sets it
		}
		if !user.Allows(sel) {
			rejected = append(rejected, prefix+sel.Unquoted())
		}
	}

	children, err := user.Fields()
	if err != nil {
		return rejected
	}
	for children.Next() {
		sel := children.Selector()
		if !schema.Allows(sel) {
			continue // an unknown field, which walkStruct reports
		}
		rejected = append(rejected, c.rejectedIn(c.fieldSchema(schema, sel), children.Value(), prefix+sel.Unquoted())...)
	}
	return rejected
}

// rejectedIn returns the rejected fields of a struct, or of each struct in a
// list, at path.
func (c *checker) rejectedIn(schema, user cue.Value, path string) []string {
	switch user.IncompleteKind() {
	case cue.StructKind:
		if s, ok := shapeOf(schema, cue.StructKind); ok {
			return c.rejectedFields(s, user, path+".")
		}
	case cue.ListKind:
		list, ok := shapeOf(schema, cue.ListKind)
		if !ok {
			return nil
		}
		n, err := user.Len().Int64()
		if err != nil {
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
		var rejected []string
		for i := 0; elements.Next(); i++ {
			element := shaped.LookupPath(cue.MakePath(cue.Index(i)))
			rejected = append(rejected, c.rejectedIn(element, elements.Value(), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return rejected
	}
	return nil
}

// definitionName returns the name of the user's definition that a struct
// refers to, as in #svc & {port: 8081} or {#svc, port: 8081}, or "" when
// it refers to none.
func definitionName(v cue.Value) string {
	candidates := []cue.Value{v}
	if op, args := v.Expr(); op == cue.AndOp {
		candidates = append(candidates, args...)
	}
	for _, candidate := range candidates {
		root, path := candidate.ReferencePath()
		selectors := path.Selectors()
		if root.Exists() && len(selectors) > 0 && selectors[len(selectors)-1].IsDefinition() {
			return path.String()
		}
	}
	return ""
}

// joinWithAnd joins words as "a, b and c".
func joinWithAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
