package schema

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
)

// The functions in this file explain a leaf value that fails its schema
// for a reason that the field's hint does not cover. A hint describes the
// values to use, not how CUE reads what the user wrote and combines it with
// the schema.

// explainDefaults explains a value that is incomplete because the user
// marked a default that differs from the schema's, as in discovery:
// *"consul" | "dns" against the schema's *"dns" | "consul". CUE then keeps
// both defaults, which conflict, so the field has no default and no
// concrete value. It reports false for any other incomplete value.
func explainDefaults(schema, user cue.Value, path []cue.Selector) (string, bool) {
	userDefault, ok := user.Default()
	if !ok {
		return "", false
	}
	schemaDefault, ok := schema.Default()
	if !ok || userDefault.Equals(schemaDefault) {
		return "", false
	}

	example := describe(userDefault)
	if n := len(path); n > 0 && path[n-1].Type() == cue.StringLabel {
		example = path[n-1].String() + ": " + example
	}
	return fmt.Sprintf("the default %s conflicts with the schema's default %s, which makes the value ambiguous: write a concrete value, such as %s", describe(userDefault), describe(schemaDefault), example), true
}

// explainFloat explains a float where the schema takes only integers, such
// as port: 8081.0. CUE reads a number with a decimal point or an exponent
// as a float, in a JSON file too, and a float never unifies with int,
// whatever its value. It reports false when user is no such float.
func (c *checker) explainFloat(schema, user cue.Value, hint string) (string, bool) {
	want := schema.IncompleteKind()
	if user.Kind() != cue.FloatKind || want&cue.IntKind == 0 || want&cue.FloatKind != 0 {
		return "", false
	}

	written := literalText(user)
	integer, whole := wholeNumber(user)
	if !whole {
		return "invalid value " + written + ": " + withHint("write an integer", hint), true
	}

	form := "a decimal point"
	switch {
	case strings.ContainsAny(written, "eE") && strings.Contains(written, "."):
		form = "a decimal point or exponent"
	case strings.ContainsAny(written, "eE"):
		form = "an exponent"
	}
	if schema.Unify(c.ctx.CompileString(integer)).Validate(cue.Concrete(true)) == nil {
		return "invalid value " + written + ": write the integer " + integer + ", without " + form, true
	}
	return "invalid value " + written + ": " + withHint("write an integer without "+form, hint), true
}

// wholeNumber returns a float's value as an integer literal, and whether the
// float is a whole number.
func wholeNumber(v cue.Value) (string, bool) {
	d, err := v.Decimal()
	if err != nil {
		return "", false
	}

	// Text('f') writes every digit, without an exponent, so a whole
	// number has only zeros after its decimal point.
	text := d.Text('f')
	integer, fraction, _ := strings.Cut(text, ".")
	if strings.Trim(fraction, "0") != "" {
		return "", false
	}
	if strings.Trim(integer, "-0") == "" {
		integer = "0"
	}
	return integer, true
}

// withHint joins an instruction and a field's hint into one message.
func withHint(instruction, hint string) string {
	if hint == "" {
		return instruction
	}
	return instruction + ", and " + hint
}

// literalText returns a value as the user wrote it when it is a literal,
// such as 1e4, which CUE would print as 1e+4.
func literalText(v cue.Value) string {
	src := v.Source()
	if field, ok := src.(*ast.Field); ok {
		src = field.Value
	}
	if lit, ok := src.(*ast.BasicLit); ok {
		return lit.Value
	}
	return describe(v)
}
