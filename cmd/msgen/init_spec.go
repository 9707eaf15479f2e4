package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/token"

	"github.com/msgen-dev/msgen/schema"
)

// commentWidth is the column at which spec comments wrap, counting a tab
// as eight columns.
const commentWidth = 80

// specFile builds msgen.cue from the answers as a CUE syntax tree and
// formats it with CUE's formatter. Comments explain each field and list the
// values that the schema allows, read from the schema, so the file teaches
// the spec language. The output depends only on the answers.
func specFile(a *initAnswers) ([]byte, error) {
	b := &specBuilder{}

	header := fmt.Sprintf("msgen.cue is the architecture spec of the %s system. Change it, then run msgen generate to bring the repository up to date. The fields below are the ones that msgen init prompts for.", a.Name)
	if others := b.otherFields("", "name", "module", "gateway", "discovery", "mesh", "targets", "databases", "services"); others != "" {
		header += " A spec may also have " + others + "."
	}

	decls := []ast.Decl{
		field(0, "name", ast.NewString(a.Name), "name is the system's name, which names the compose project and the images. "+b.hint("name")),
		field(0, "module", ast.NewString(a.Module), "module is the Go module path of the generated repository. "+b.hint("module")),
		field(0, "gateway", b.gateway(a), "gateway is the Kong API gateway in front of the services."),
		field(0, "discovery", ast.NewString(a.Discovery), "discovery is how the services and the gateway find each other: "+b.choices("discovery")+"."),
		field(0, "mesh", ast.NewString(a.Mesh), "mesh is the service mesh: "+b.choices("mesh")+". \"consul-connect\" needs discovery: \"consul\". \"linkerd\" and \"istio\" need the \"kubernetes\" target, because compose runs neither."),
		field(0, "targets", b.targets(a), "targets lists where the system is deployed: "+b.choices("#Target")+". msgen always generates the compose files, and \"kubernetes\" adds a kustomize base with overlays in deploy/k8s."),
	}
	if databases := a.databases(); len(databases) > 0 {
		var fields []any
		for _, name := range databases {
			fields = append(fields, &ast.Field{Label: ast.NewStringLabel(name), Value: ast.NewStruct()})
		}
		decls = append(decls, field(0, "databases", shorthand(fields...), "databases are databases that several services share, each service in its own schema. A service uses one with the \"shared-database\" data pattern."))
	}
	servicesDoc := "services maps each service's name, a DNS label, to the service."
	if others := b.otherFields("services.*", "port", "routes", "data"); others != "" {
		servicesDoc += " A service may also have " + others + "."
	}
	decls = append(decls, field(0, "services", b.services(a), servicesDoc))
	if b.err != nil {
		return nil, b.err
	}

	// The header goes before the first field's own comment, because the
	// formatter merges a file-level comment into that one.
	first := decls[0].(*ast.Field)
	ast.SetComments(first, append([]*ast.CommentGroup{comment(header, 0)}, ast.Comments(first)...))
	src, err := format.Node(&ast.File{Decls: decls}, format.Simplify())
	if err != nil {
		return nil, fmt.Errorf("format %s: %w", specName, err)
	}
	// The formatter omits the final newline that a file needs.
	if !bytes.HasSuffix(src, []byte("\n")) {
		src = append(src, '\n')
	}
	return src, nil
}

// specBuilder builds the syntax tree of msgen.cue. It keeps the first error
// of a schema lookup, so the builder code reads like the file it builds.
type specBuilder struct {
	err error
}

// field returns a field at depth levels of indentation, after a blank line
// and a doc comment of doc when doc is not empty.
func field(depth int, label string, value ast.Expr, doc string) *ast.Field {
	f := &ast.Field{Label: ast.NewStringLabel(label), Value: value}
	if doc != "" {
		ast.AddComment(f, comment(doc, depth))
	}
	return f
}

func (b *specBuilder) gateway(a *initAnswers) ast.Expr {
	var plugins []any
	if slices.Contains(a.Plugins, pluginCorrelationID) {
		plugins = append(plugins, &ast.Field{Label: ast.NewIdent(pluginCorrelationID), Value: ast.NewBool(true)})
	}
	if slices.Contains(a.Plugins, pluginRateLimiting) {
		limit := shorthand(&ast.Field{Label: ast.NewIdent("minute"), Value: ast.NewLit(token.INT, strconv.Itoa(a.RateLimit))})
		plugins = append(plugins, &ast.Field{Label: ast.NewIdent(pluginRateLimiting), Value: limit})
	}

	var port int
	if err := schema.Default("gateway.kong.port", &port); err != nil && b.err == nil {
		b.err = err
	}
	pluginsDoc := "plugins apply to every route. correlationId adds a request id header: true, false or {header: \"X-Request-ID\"}. rateLimiting limits the requests per client IP address in each second, minute, hour or day."
	kong := ast.NewStruct(
		field(1, "port", ast.NewLit(token.INT, strconv.Itoa(port)), "port is the proxy port, the only port published on the host. "+b.hint("gateway.kong.port")),
		field(1, "plugins", ast.NewStruct(plugins...), pluginsDoc),
	)
	return shorthand(&ast.Field{Label: ast.NewIdent("kong"), Value: kong})
}

func (b *specBuilder) targets(a *initAnswers) ast.Expr {
	targets := a.Targets
	if targets == nil {
		targets = defaultTargets()
	}
	var list []ast.Expr
	for _, target := range targets {
		list = append(list, ast.NewString(target))
	}
	return ast.NewList(list...)
}

func (b *specBuilder) services(a *initAnswers) ast.Expr {
	var services []any
	for i, svc := range a.Services {
		// Only the first service's fields carry comments, because the
		// same comments on every service would bury the values.
		documented := i == 0
		doc := func(text string) string {
			if documented {
				return text
			}
			return ""
		}

		var routes []ast.Expr
		for _, route := range svc.Routes {
			var methods []ast.Expr
			for _, method := range route.Methods {
				methods = append(methods, ast.NewString(method))
			}
			routes = append(routes, ast.NewStruct(
				&ast.Field{Label: ast.NewIdent("path"), Value: ast.NewString(route.Path)},
				&ast.Field{Label: ast.NewIdent("methods"), Value: ast.NewList(methods...)},
			))
		}

		data := []any{&ast.Field{Label: ast.NewIdent("pattern"), Value: ast.NewString(svc.Pattern)}}
		if svc.Database != "" {
			data = append(data, &ast.Field{Label: ast.NewIdent("database"), Value: ast.NewString(svc.Database)})
		}
		dataValue := shorthand(data...)
		if len(data) > 1 {
			dataValue = ast.NewStruct(data...)
		}

		fields := ast.NewStruct(
			field(2, "port", ast.NewLit(token.INT, strconv.Itoa(svc.Port)), doc("port is the port that the service listens on, unique in the system. "+b.hint("services.*.port"))),
			field(2, "routes", ast.NewList(routes...), doc("routes are the HTTP routes that the gateway forwards to the service. A path has literal segments and {name} parameters, such as \"/orders/{id}\", and methods lists "+b.choices("#Method")+".")),
			field(2, "data", dataValue, doc("data.pattern is how the service keeps its data: "+b.choices("services.*.data.pattern")+". A \"shared-database\" service names its database in data.database.")),
		)
		services = append(services, &ast.Field{Label: ast.NewStringLabel(svc.Name), Value: fields})
	}
	return ast.NewStruct(services...)
}

// hint returns the schema's advice for the field at path as a sentence.
func (b *specBuilder) hint(path string) string {
	hint, err := schema.Hint(path)
	if err != nil && b.err == nil {
		b.err = err
	}
	if hint == "" {
		return ""
	}
	runes := []rune(hint)
	runes[0] = unicode.ToUpper(runes[0])
	return string(runes) + "."
}

// choices returns the values that the schema allows for the field at path,
// quoted and joined as in "dns" or "consul".
func (b *specBuilder) choices(path string) string {
	values, _, err := schema.Choices(path)
	if err != nil && b.err == nil {
		b.err = err
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	return joinOr(quoted)
}

// otherFields returns the fields that the schema allows in the struct at
// path besides written, joined as in "events, sagas and compositions".
func (b *specBuilder) otherFields(path string, written ...string) string {
	fields, err := schema.Fields(path)
	if err != nil && b.err == nil {
		b.err = err
	}
	var others []string
	for _, f := range fields {
		if !slices.Contains(written, f) {
			others = append(others, f)
		}
	}
	return joinList(others, "and")
}

// shorthand returns a struct without brace positions. With
// format.Simplify, the formatter prints such a struct of one field on the
// line of its own field, as in data: pattern: "cqrs", even when that field
// has a doc comment.
func shorthand(fields ...any) *ast.StructLit {
	s := ast.NewStruct(fields...)
	s.Lbrace = token.NoPos
	s.Rbrace = token.NoPos
	return s
}

// comment returns a doc comment of text, wrapped for depth tabs of
// indentation and preceded by a blank line.
func comment(text string, depth int) *ast.CommentGroup {
	cg := &ast.CommentGroup{Doc: true}
	for i, line := range wrapWords(text, commentWidth-8*depth-len("// ")) {
		slash := token.NoPos
		if i == 0 {
			slash = token.NoPos.WithRel(token.NewSection)
		}
		cg.List = append(cg.List, &ast.Comment{Slash: slash, Text: "// " + line})
	}
	return cg
}

// wrapWords breaks text into lines of at most width bytes. A single word
// that is longer gets a line of its own.

func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// joinOr joins values as in "a", "b" or "c".
func joinOr(values []string) string {
	return joinList(values, "or")
}

// joinList joins items with commas and conj before the last, as in "a, b
// and c".
func joinList(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}
