package schema

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// The edits in this file find their place in a spec through CUE's syntax
// tree. An inserted node is formatted with cue/format on its own and
// spliced into the file's bytes at an offset that the tree gives, and a
// removal cuts out one field with its comments. Every other byte of the
// user's file stays as it was, comments and layout included. Formatting
// the whole file would not guarantee that.

// specSyntax is the parsed syntax of a spec's files.
type specSyntax struct {
	sources []SourceFile
	files   []*ast.File
	// referenced is the result of referencedNames, computed when needed.
	referenced map[string]bool
	// inserting names the text that the edit inserts, in the errors that
	// OriginalPositions maps, such as "the new service".
	inserting string
}

func parseSyntax(sources []SourceFile) (*specSyntax, error) {
	s := &specSyntax{sources: slices.Clone(sources)}
	var errs Errors
	for _, source := range sources {
		f, err := parser.ParseFile(source.Name, source.Data, parser.ParseComments)
		if err != nil {
			errs = append(errs, convertCUEError(err, "")...)
			continue
		}
		s.files = append(s.files, f)
	}
	if len(errs) > 0 {
		return nil, inFile(errs, sources[0].Name).sorted()
	}
	return s, nil
}

// declaration is one place where a spec declares the value at a field path,
// such as services.orders in `services: orders: {...}`.
type declaration struct {
	file int
	// container is the struct with braces that holds anchor, or nil when
	// anchor is at the top level of the file.
	container *ast.StructLit
	// anchor is the field in container whose chain of single-field
	// structs without braces leads to the path.
	anchor *ast.Field
	// depth is the number of the path's labels that lead to container.
	depth int
	// field is the field of the path's last label, and its value is the
	// value declared at the path.
	field *ast.Field
}

// braced returns the declared value when it is a struct with braces.
func (d declaration) braced() (*ast.StructLit, bool) {
	lit, ok := d.field.Value.(*ast.StructLit)
	return lit, ok && lit.Lbrace.IsValid()
}

// declarations returns every declaration of the value at path, in the
// order of the files and of their text.
func (s *specSyntax) declarations(path []string) []declaration {
	var out []declaration
	for i, f := range s.files {
		out = append(out, findDeclarations(i, nil, f.Decls, path, 0)...)
	}
	return out
}

func findDeclarations(file int, container *ast.StructLit, decls []ast.Decl, path []string, depth int) []declaration {
	var out []declaration
	for _, decl := range decls {
		anchor, ok := decl.(*ast.Field)
		if !ok {
			continue
		}

		// Follow a chain such as services: orders: port: 8081 label by
		// label until it reaches the path, leaves it, or opens braces.
		field, level := anchor, depth
		for labelName(field) == path[level] {
			level++
			if level == len(path) {
				out = append(out, declaration{file: file, container: container, anchor: anchor, depth: depth, field: field})
				break
			}
			lit, ok := field.Value.(*ast.StructLit)
			if !ok {
				break
			}
			if lit.Lbrace.IsValid() {
				out = append(out, findDeclarations(file, lit, lit.Elts, path, level)...)
				break
			}
			next, ok := singleField(lit)
			if !ok {
				break
			}
			field = next
		}
	}
	return out
}

// singleField returns the one field of a struct written without braces.
func singleField(lit *ast.StructLit) (*ast.Field, bool) {
	if len(lit.Elts) != 1 {
		return nil, false
	}
	field, ok := lit.Elts[0].(*ast.Field)
	return field, ok
}

// labelName returns a field's name, or "" for a label that is not a plain
// name, such as a pattern constraint.
func labelName(field *ast.Field) string {
	name, _, err := ast.LabelName(field.Label)
	if err != nil {
		return ""
	}
	return name
}

// predeclared are CUE's predeclared identifiers and literals, as
// cuelang.org/go v0.17.1 compiles them.
var predeclared = map[string]bool{
	"bool": true, "bytes": true, "close": true, "div": true, "error": true, "false": true,
	"float": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "int128": true, "len": true, "mod": true, "null": true,
	"number": true, "and": true, "or": true, "quo": true, "rem": true, "rune": true,
	"self": true, "string": true, "true": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uint128": true,
}

// label returns the label of a field that an edit inserts. An identifier
// label would hide a predeclared identifier, or a field of the same name
// that an expression beside it refers to, such as int in port: int & 8081.
// So the label is quoted in those cases, and a quoted label binds no name.
func (s *specSyntax) label(name string) ast.Label {
	if s.referenced == nil {
		s.referenced = referencedNames(s.files)
	}
	if predeclared[name] || s.referenced[name] {
		return ast.NewString(name)
	}
	return ast.NewStringLabel(name)
}

// referencedNames returns every identifier in the files that is not the
// label of a field, which includes each reference.
func referencedNames(files []*ast.File) map[string]bool {
	labels := map[*ast.Ident]bool{}
	var idents []*ast.Ident
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				if id, ok := n.Label.(*ast.Ident); ok {
					labels[id] = true
				}
			case *ast.Ident:
				idents = append(idents, n)
			}
			return true
		}, nil)
	}

	names := map[string]bool{}
	for _, id := range idents {
		if !labels[id] {
			names[id.Name] = true
		}
	}
	return names
}

// childNames returns the names of the fields declared under path, sorted.
func (s *specSyntax) childNames(path []string) []string {
	seen := map[string]bool{}
	for _, d := range s.declarations(path) {
		lit, ok := d.field.Value.(*ast.StructLit)
		if !ok {
			continue
		}
		for _, elt := range lit.Elts {
			if field, ok := elt.(*ast.Field); ok && labelName(field) != "" {
				seen[labelName(field)] = true
			}
		}
	}
	return sortedKeys(seen)
}

// newField is a function that builds the field to insert, laid out on one
// line when compact is true.
type newField func(compact bool) *ast.Field

// insertField inserts the field that build returns into the struct at path.
// The field goes into the last declaration of that struct that has braces.
// Without one, it goes beside the last declaration of path as a chain of
// labels, such as services: billing: {...} after services: orders: {...}.
func (s *specSyntax) insertField(path []string, build newField) error {
	decls := s.declarations(path)
	if len(decls) == 0 {
		return fmt.Errorf("insert into %s: no declaration found", strings.Join(path, "."))
	}

	for i := len(decls) - 1; i >= 0; i-- {
		if lit, ok := decls[i].braced(); ok {
			return s.insertInStruct(decls[i].file, lit, build)
		}
	}

	d := decls[len(decls)-1]
	chain := func(compact bool) *ast.Field {
		field := build(compact)
		for i := len(path) - 1; i >= d.depth; i-- {
			field = &ast.Field{Label: s.label(path[i]), Value: &ast.StructLit{Elts: []ast.Decl{field}}}
		}
		return field
	}
	return s.insertAfter(d, chain)
}

// insertInStruct inserts a field as the last element of a struct with
// braces, with the indentation of the element before it.
func (s *specSyntax) insertInStruct(file int, lit *ast.StructLit, build newField) error {
	src := s.sources[file].Data
	lbrace, rbrace := lit.Lbrace.Offset(), lit.Rbrace.Offset()

	if sameLine(src, lbrace, rbrace) {
		text, err := formatNode(build(true), src)
		if err != nil {
			return err
		}
		if len(lit.Elts) == 0 {
			s.splice(file, rbrace, rbrace, text)
			return nil
		}
		end := lit.Elts[len(lit.Elts)-1].End().Offset()
		s.splice(file, end, end, ", "+text)
		return nil
	}

	text, err := formatNode(build(false), src)
	if err != nil {
		return err
	}
	indent := indentOf(src, rbrace) + "\t"
	blank := ""
	if n := len(lit.Elts); n > 0 {
		last := declStart(lit.Elts[n-1])
		if startsLine(src, last) {
			indent = indentOf(src, last)
		}
		if n > 1 && blankLineBetween(src, lit.Elts[n-2].End().Offset(), last) {
			blank = "\n"
		}
	}
	text = indentLines(text, indent)

	if startsLine(src, rbrace) {
		// The field goes right after the last element and its line
		// comment, so that the comments at the end of the block stay at
		// the end and do not become the field's doc comment.
		at := lineStart(src, rbrace)
		if n := len(lit.Elts); n > 0 && endsLine(src, lit.Elts[n-1].End().Offset()) {
			at = lineEnd(src, lit.Elts[n-1].End().Offset())
		} else if n == 0 && endsLine(src, lbrace+1) {
			at = lineEnd(src, lbrace)
		}
		// A blank line would separate a comment from the element above
		// it, and removeField could not tell it from the user's own.
		if startsComment(src, at) {
			blank = ""
		}
		s.splice(file, at, at, blank+text+"\n")
		return nil
	}
	s.splice(file, rbrace, rbrace, "\n"+blank+text+"\n"+indentOf(src, lbrace))
	return nil
}

// insertAfter inserts a field right after the anchor of a declaration, as
// its next sibling, on a line of its own unless the anchor shares its line
// with other elements.
func (s *specSyntax) insertAfter(d declaration, build newField) error {
	src := s.sources[d.file].Data
	start, end := declStart(d.anchor), d.anchor.End().Offset()
	compact := d.container != nil && sameLine(src, d.container.Lbrace.Offset(), d.container.Rbrace.Offset())

	if compact || !startsLine(src, start) || !endsLine(src, end) {
		text, err := formatNode(build(true), src)
		if err != nil {
			return err
		}
		s.splice(d.file, end, end, ", "+text)
		return nil
	}

	text, err := formatNode(build(false), src)
	if err != nil {
		return err
	}
	text = indentLines(text, indentOf(src, start))

	// Follow the blank lines between the anchor and its neighbors.
	siblings := s.files[d.file].Decls
	if d.container != nil {
		siblings = d.container.Elts
	}
	i := slices.Index(siblings, ast.Decl(d.anchor))
	blank := ""
	switch {
	case i > 0 && blankLineBetween(src, siblings[i-1].End().Offset(), start):
		blank = "\n"
	case i == 0 && i+1 < len(siblings) && blankLineBetween(src, end, declStart(siblings[i+1])):
		blank = "\n"
	}

	// As in insertInStruct, a comment right after the anchor stays
	// right after the inserted field.
	at := lineEnd(src, end)
	if startsComment(src, at) {
		blank = ""
	}
	if at == len(src) && (len(src) == 0 || src[len(src)-1] != '\n') {
		s.splice(d.file, at, at, "\n"+blank+text)
		return nil
	}
	s.splice(d.file, at, at, blank+text+"\n")
	return nil
}

// appendToList appends an element to a list literal, with the layout of
// the elements before it.
func (s *specSyntax) appendToList(file int, list *ast.ListLit, element func(compact bool) ast.Expr) error {
	src := s.sources[file].Data
	lbrack, rbrack := list.Lbrack.Offset(), list.Rbrack.Offset()

	if sameLine(src, lbrack, rbrack) {
		text, err := formatNode(element(true), src)
		if err != nil {
			return err
		}
		if len(list.Elts) == 0 {
			s.splice(file, rbrack, rbrack, text)
			return nil
		}
		end := list.Elts[len(list.Elts)-1].End().Offset()
		s.splice(file, end, end, ", "+text)
		return nil
	}

	text, err := formatNode(element(false), src)
	if err != nil {
		return err
	}
	indent := indentOf(src, rbrack) + "\t"
	if n := len(list.Elts); n > 0 {
		last := list.Elts[n-1]
		if startsLine(src, last.Pos().Offset()) {
			indent = indentOf(src, last.Pos().Offset())
		}
		// A trailing comma after the last element is a style to follow;
		// without one, the line break ends the element.
		if rest := bytes.TrimLeft(src[last.End().Offset():], " \t"); bytes.HasPrefix(rest, []byte(",")) {
			text += ","
		}
	}
	text = indentLines(text, indent)

	if startsLine(src, rbrack) {
		// As in insertInStruct, the comments at the end of the list stay
		// at the end.
		at := lineStart(src, rbrack)
		if n := len(list.Elts); n > 0 && endsLine(src, list.Elts[n-1].End().Offset()) {
			at = lineEnd(src, list.Elts[n-1].End().Offset())
		} else if n == 0 && endsLine(src, lbrack+1) {
			at = lineEnd(src, lbrack)
		}
		s.splice(file, at, at, text+"\n")
		return nil
	}
	s.splice(file, rbrack, rbrack, "\n"+text+"\n"+indentOf(src, lbrack))
	return nil
}

// removeField removes a field, its doc comment and its line comment. A
// field on lines of its own goes with its lines, and a blank line that
// would be left doubled goes too.
func (s *specSyntax) removeField(d declaration) {
	src := s.sources[d.file].Data
	start, end := declStart(d.anchor), d.anchor.End().Offset()

	if startsLine(src, start) && endsLine(src, end) {
		from, to := lineStart(src, start), lineEnd(src, end)
		blankBefore := from > 0 && isBlankLine(src, lineStart(src, from-1))
		blankAfter := to < len(src) && isBlankLine(src, to)
		opens := from == 0 || (d.container != nil && sameLine(src, d.container.Lbrace.Offset(), from-1))
		closes := to == len(src) || closesStruct(src, to)
		switch {
		case blankBefore && (blankAfter || closes):
			from = lineStart(src, from-1)
		case opens && blankAfter:
			to = lineEnd(src, to)
		}
		s.splice(d.file, from, to, "")
		return
	}

	// A field that shares its line goes with the separator between it
	// and a neighbour.
	siblings := s.files[d.file].Decls
	if d.container != nil {
		siblings = d.container.Elts
	}
	i := slices.Index(siblings, ast.Decl(d.anchor))
	switch {
	case i+1 < len(siblings) && sameLine(src, end, siblings[i+1].Pos().Offset()):
		s.splice(d.file, d.anchor.Pos().Offset(), siblings[i+1].Pos().Offset(), "")
	case i > 0:
		s.splice(d.file, siblings[i-1].End().Offset(), end, "")
	default:
		s.splice(d.file, d.anchor.Pos().Offset(), end, "")
	}
}

// splice replaces the bytes from..to of a file with text. A splice moves
// every offset after it, so an edit makes one splice per file, or several
// from the end of the file backwards.
func (s *specSyntax) splice(file, from, to int, text string) {
	src := s.sources[file].Data
	if bytes.Contains(src, []byte("\r\n")) {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	out := make([]byte, 0, len(src)-(to-from)+len(text))
	out = append(out, src[:from]...)
	out = append(out, text...)
	out = append(out, src[to:]...)
	s.sources[file].Data = out
	s.sources[file].history = s.sources[file].history.record(src, change{at: from, removed: to - from, inserted: len(text), description: s.inserting})
}

// formatNode formats a node that an edit built for the file src, with
// single-field structs written as chains of labels, and indented with
// spaces when src is.
func formatNode(node ast.Node, src []byte) (string, error) {
	options := []format.Option{format.Simplify()}
	if width := spaceIndent(src); width > 0 {
		options = append(options, format.UseSpaces(width), format.TabIndent(false))
	}
	b, err := format.Node(node, options...)
	if err != nil {
		return "", fmt.Errorf("format the inserted text: %w", err)
	}
	return strings.TrimRight(string(b), "\n"), nil
}

// spaceIndent returns the number of spaces of the shallowest indented line
// of src, or 0 when src indents with tabs or not at all.
func spaceIndent(src []byte) int {
	width := 0
	for _, line := range bytes.Split(src, []byte("\n")) {
		rest := bytes.TrimLeft(line, " ")
		switch {
		case len(bytes.TrimSpace(line)) == 0:
		case bytes.HasPrefix(line, []byte("\t")):
			return 0
		case len(rest) < len(line) && (width == 0 || len(line)-len(rest) < width):
			width = len(line) - len(rest)
		}
	}
	return width
}

// declStart returns the offset where a declaration starts, its doc comment
// included.
func declStart(n ast.Node) int {
	start := n.Pos().Offset()
	for _, cg := range ast.Comments(n) {
		if cg.Doc && cg.Position == 0 && cg.Pos().Offset() < start {
			start = cg.Pos().Offset()
		}
	}
	return start
}

// lineStart returns the offset of the line that contains offset.
func lineStart(src []byte, offset int) int {
	return bytes.LastIndexByte(src[:offset], '\n') + 1
}

// lineEnd returns the offset just past the newline that ends the line that
// contains offset, or the end of src.
func lineEnd(src []byte, offset int) int {
	i := bytes.IndexByte(src[offset:], '\n')
	if i < 0 {
		return len(src)
	}
	return offset + i + 1
}

func sameLine(src []byte, a, b int) bool {
	return lineStart(src, a) == lineStart(src, b)
}

// indentOf returns the blanks that start the line that contains offset.
func indentOf(src []byte, offset int) string {
	start := lineStart(src, offset)
	line := src[start:lineEnd(src, offset)]
	return string(line[:len(line)-len(bytes.TrimLeft(line, " \t"))])
}

// startsLine reports whether only blanks come before offset on its line.
func startsLine(src []byte, offset int) bool {
	return len(bytes.Trim(src[lineStart(src, offset):offset], " \t")) == 0
}

// endsLine reports whether only a comma, blanks or a comment come after
// offset on its line.
func endsLine(src []byte, offset int) bool {
	rest := bytes.TrimSpace(src[offset:lineEnd(src, offset)])
	rest = bytes.TrimSpace(bytes.TrimPrefix(rest, []byte(",")))
	return len(rest) == 0 || bytes.HasPrefix(rest, []byte("//"))
}

// startsComment reports whether the line that starts at offset is a
// comment.
func startsComment(src []byte, start int) bool {
	return start < len(src) && bytes.HasPrefix(bytes.TrimLeft(src[start:lineEnd(src, start)], " \t"), []byte("//"))
}

func isBlankLine(src []byte, start int) bool {
	return len(bytes.TrimSpace(src[start:lineEnd(src, start)])) == 0
}

// closesStruct reports whether the line at start begins with a closing brace.
func closesStruct(src []byte, start int) bool {
	return bytes.HasPrefix(bytes.TrimLeft(src[start:], " \t"), []byte("}"))
}

// blankLineBetween reports whether a blank line lies between two offsets.
func blankLineBetween(src []byte, from, to int) bool {
	if from >= to {
		return false
	}
	lines := strings.Split(string(src[from:to]), "\n")
	if len(lines) < 3 {
		return false
	}
	for _, line := range lines[1 : len(lines)-1] {
		if strings.TrimSpace(line) == "" {
			return true
		}
	}
	return false
}

func indentLines(text, indent string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if line != "" {
			lines[i] = indent + line
		}
	}
	return strings.Join(lines, "\n")
}

// oneLine returns a struct with braces whose fields format on one line.
func oneLine(fields ...*ast.Field) *ast.StructLit {
	lit := &ast.StructLit{Lbrace: token.Blank.Pos(), Rbrace: token.NoSpace.Pos()}
	for i, f := range fields {
		if i == 0 {
			ast.SetRelPos(f, token.NoSpace)
		} else {
			ast.SetRelPos(f, token.Blank)
		}
		lit.Elts = append(lit.Elts, f)
	}
	return lit
}

// block returns a struct with braces whose fields format one per line.
func block(fields ...*ast.Field) *ast.StructLit {
	lit := &ast.StructLit{Lbrace: token.Blank.Pos(), Rbrace: token.Newline.Pos()}
	for _, f := range fields {
		ast.SetRelPos(f, token.Newline)
		lit.Elts = append(lit.Elts, f)
	}
	return lit
}
