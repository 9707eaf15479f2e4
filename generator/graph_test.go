package generator

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

// trickySpec uses names that are keywords of Mermaid or DOT, or that start
// with the letters Mermaid reads as edge ends, with dashes and digits, so
// that the node IDs have to keep them apart and valid.
const trickySpec = `
name:   "tricky"
module: "example.com/tricky"

databases: "graph-store": {}
events: End: {id: "string"}

services: {
	end: {
		port: 9001
		routes: [{path: "/end/{id}", methods: ["GET", "DELETE"]}]
		data: pattern: "database-per-service"
		publishes: ["End", "Node"]
		calls: ["node"]
	}
	node: {
		port: 9002
		data: {pattern: "shared-database", database: "graph-store"}
		subscribes: ["End"]
	}
	graph: {
		port: 9003
		routes: [{path: "/"}]
		subscribes: ["Node", "End"]
		calls: ["o-ring", "x-ray"]
	}
	style: {port: 9004, data: {pattern: "shared-database", database: "graph-store"}}
	"o-ring": {port: 9005, routes: [{path: "/o/{key}", methods: ["PUT"]}]}
	"x-ray": port: 9006
	"a1-b2": port: 9007
}

sagas: s1: {
	orchestrator: "graph"
	steps: [{service: "style", action: "Do", compensation: "Undo"}, {service: "graph", action: "Check"}]
}

compositions: merged: {
	path:     "/merged/{id}"
	composer: "a1-b2"
	from: ["end", "node"]
}
`

// graphSpecs returns the specs that the graph tests run on, by name.
func graphSpecs(t *testing.T) map[string]*schema.Spec {
	t.Helper()
	specs := map[string]*schema.Spec{"tricky": loadSpecSource(t, trickySpec)}
	for _, name := range examples {
		specs[name] = loadExample(t, name)
	}
	return specs
}

// mermaidGraph is a Mermaid flowchart parsed back from its text.
type mermaidGraph struct {
	// ids maps each node label to its ID, and shapes each ID to its
	// opening bracket.
	ids    map[string]string
	shapes map[string]string
	// edges are "FROM ARROW TO" with the label, if any, after a tab.
	edges []string
}

var (
	mermaidNodeLine = regexp.MustCompile(`^  ([A-Za-z][A-Za-z0-9_]*)(\(\["|\["|\[\("|\{\{")([^"]*)("\]\)|"\]|"\)\]|"\}\})$`)
	mermaidEdgeLine = regexp.MustCompile(`^  ([A-Za-z][A-Za-z0-9_]*) (-->|==>|-\.->)(?:\|"([^"]*)"\|)? ([A-Za-z][A-Za-z0-9_]*)$`)
	mermaidClosing  = map[string]string{`(["`: `"])`, `["`: `"]`, `[("`: `")]`, `{{"`: `"}}`}
	// mermaidKeywords are words that Mermaid reads as a statement or
	// block keyword where a flowchart line starts.
	mermaidKeywords = []string{"end", "graph", "flowchart", "subgraph", "style", "classdef", "class", "click", "linkstyle", "direction"}
)

// parseMermaid parses a flowchart of the form that Graph.Mermaid writes and
// fails the test on any line that is not a node or an edge between two
// declared nodes.
func parseMermaid(t *testing.T, text string) *mermaidGraph {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != "flowchart LR" {
		t.Fatalf("diagram starts with %q; want flowchart LR", lines[0])
	}

	g := &mermaidGraph{ids: map[string]string{}, shapes: map[string]string{}}
	for _, line := range lines[1:] {
		if m := mermaidNodeLine.FindStringSubmatch(line); m != nil {
			id, open, label, closing := m[1], m[2], m[3], m[4]
			if mermaidClosing[open] != closing {
				t.Errorf("node line %q opens with %s but closes with %s", line, open, closing)
			}
			if slices.Contains(mermaidKeywords, strings.ToLower(id)) {
				t.Errorf("node ID %q is a Mermaid keyword", id)
			}
			if _, dup := g.shapes[id]; dup {
				t.Errorf("node %s is declared twice", id)
			}
			if other, dup := g.ids[label]; dup {
				t.Errorf("nodes %s and %s have the same label %q", other, id, label)
			}
			g.ids[label] = id
			g.shapes[id] = open
			continue
		}
		if m := mermaidEdgeLine.FindStringSubmatch(line); m != nil {
			from, arrow, label, to := m[1], m[2], m[3], m[4]
			for _, id := range []string{from, to} {
				if _, ok := g.shapes[id]; !ok {
					t.Errorf("edge %q names node %s, which is not declared before it", line, id)
				}
			}
			edge := from + " " + arrow + " " + to
			if label != "" {
				edge += "\t" + label
			}
			if slices.Contains(g.edges, edge) {
				t.Errorf("edge %q appears twice", line)
			}
			g.edges = append(g.edges, edge)
			continue
		}
		t.Errorf("line %q is neither a node nor an edge", line)
	}
	return g
}

// id returns the ID of the node labelled label, failing the test when
// there is none.
func (g *mermaidGraph) id(t *testing.T, label string) string {
	t.Helper()
	id, ok := g.ids[label]
	if !ok {
		t.Errorf("diagram has no node labelled %q", label)
	}
	return id
}

// hasEdge reports whether the diagram has an edge from, arrow, to with label.
func (g *mermaidGraph) hasEdge(from, arrow, to, label string) bool {
	edge := from + " " + arrow + " " + to
	if label != "" {
		edge += "\t" + label
	}
	return slices.Contains(g.edges, edge)
}

func TestMermaidShowsSpec(t *testing.T) {
	for name, spec := range graphSpecs(t) {
		t.Run(name, func(t *testing.T) {
			g := parseMermaid(t, NewGraph(spec).Mermaid())

			client := g.id(t, "client")
			gateway := g.id(t, "Kong gateway :"+strconv.Itoa(spec.Gateway.Kong.Port))
			if !g.hasEdge(client, "-->", gateway, "") {
				t.Errorf("no edge from the client to the gateway")
			}

			composers := map[string][]string{}
			for _, compName := range slices.Sorted(maps.Keys(spec.Compositions)) {
				comp := spec.Compositions[compName]
				composers[comp.Composer] = append(composers[comp.Composer], compName)
				for _, source := range comp.From {
					from, to := g.id(t, serviceLabel(spec, comp.Composer)), g.id(t, serviceLabel(spec, source))
					if !g.hasEdge(from, "-->", to, "composition "+compName) {
						t.Errorf("no composition edge %s from %s to %s", compName, comp.Composer, source)
					}
				}
			}

			for _, svc := range spec.SortedServices() {
				id := g.id(t, serviceLabel(spec, svc.Name))
				if g.shapes[id] != `["` {
					t.Errorf("service %s is drawn with %s; want a rectangle", svc.Name, g.shapes[id])
				}
				for _, route := range svc.Routes {
					label := strings.Join(route.Methods, ", ") + " " + route.Path
					if !g.hasEdge(gateway, "-->", id, label) {
						t.Errorf("no edge from the gateway to %s for route %q", svc.Name, label)
					}
				}
				for _, compName := range composers[svc.Name] {
					comp := spec.Compositions[compName]
					label := strings.Join(comp.Methods, ", ") + " " + comp.Path
					if !g.hasEdge(gateway, "-->", id, label) {
						t.Errorf("no edge from the gateway to %s for composition %s", svc.Name, compName)
					}
				}
				if host := svc.DatabaseHost(); host != "" {
					db := g.id(t, host)
					if g.shapes[db] != `[("` {
						t.Errorf("database %s is drawn with %s; want a cylinder", host, g.shapes[db])
					}
					if !g.hasEdge(id, "-->", db, "") {
						t.Errorf("no edge from %s to its database %s", svc.Name, host)
					}
				}

				// A call to a source of the caller's composition is
				// drawn as the composition edge checked above.
				for _, callee := range svc.Calls {
					to := g.id(t, serviceLabel(spec, callee))
					if !g.hasEdge(id, "-->", to, "calls") && !composes(spec, svc.Name, callee) {
						t.Errorf("no call edge from %s to %s", svc.Name, callee)
					}
				}

				for _, event := range svc.Publishes {
					evt := g.id(t, event)
					if g.shapes[evt] != `{{"` {
						t.Errorf("event %s is drawn with %s; want a hexagon", event, g.shapes[evt])
					}
					if !g.hasEdge(id, "-.->", evt, "") {
						t.Errorf("no edge from publisher %s to event %s", svc.Name, event)
					}
				}
				for _, event := range svc.Subscribes {
					if !g.hasEdge(g.id(t, event), "-.->", id, "") {
						t.Errorf("no edge from event %s to subscriber %s", event, svc.Name)
					}
				}
			}

			for sagaName, saga := range spec.Sagas {
				from := g.id(t, serviceLabel(spec, saga.Orchestrator))
				for _, step := range saga.Steps {
					if !g.hasEdge(from, "==>", g.id(t, serviceLabel(spec, step.Service)), sagaName+": "+step.Action) {
						t.Errorf("no edge for step %s of saga %s", step.Action, sagaName)
					}
				}
			}
		})
	}
}

// composes reports whether caller serves a composition with callee as a
// source.
func composes(spec *schema.Spec, caller, callee string) bool {
	for _, comp := range spec.Compositions {
		if comp.Composer == caller && slices.Contains(comp.From, callee) {
			return true
		}
	}
	return false
}

func serviceLabel(spec *schema.Spec, name string) string {
	return fmt.Sprintf("%s :%d", name, spec.Services[name].Port)
}

func TestGraphDrawsUndeclaredEvents(t *testing.T) {
	g := NewGraph(loadSpecSource(t, trickySpec))
	var found bool
	for _, n := range g.Nodes {
		if n.Kind == NodeEvent && n.Name == "Node" {
			found = true
		}
	}
	if !found {
		t.Errorf("event Node, published but not declared under events, has no node")
	}
}

func TestGraphDrawsCompositionCallsOnce(t *testing.T) {
	spec := shopSpec(t)
	g := NewGraph(spec)
	for _, e := range g.Edges {
		if e.Kind == EdgeCall && e.From == serviceID("storefront") && e.To == serviceID("orders") {
			t.Errorf("storefront -> orders is drawn as a call and as a source of composition orderDetails")
		}
	}
}

func TestGraphIsDeterministic(t *testing.T) {
	for name, spec := range graphSpecs(t) {
		first := NewGraph(spec)
		for range 5 {
			again := NewGraph(spec)
			if again.Mermaid() != first.Mermaid() || again.DOT() != first.DOT() {
				t.Fatalf("%s: two graphs of the same spec differ", name)
			}
		}
	}
}

func TestReadmeDiagramIsGraph(t *testing.T) {
	spec := shopSpec(t)
	readme := string(renderDeployment(t, spec)["README.md"].Data)
	if !strings.Contains(readme, "```mermaid\n"+NewGraph(spec).Mermaid()+"```\n") {
		t.Errorf("README's diagram is not the Mermaid rendering of the spec's graph")
	}
}

func TestNodeIDDistinctAndPlain(t *testing.T) {
	names := []string{"order-history", "order_history", "orderhistory", "end", "node", "a.b", "a-b", "a_2db", "9lives", "Ünïcode"}
	plain := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	seen := map[string]string{}
	for _, kind := range []string{"svc", "db", "evt"} {
		for _, name := range names {
			got := nodeID(kind, name)
			if !plain.MatchString(got) {
				t.Errorf("nodeID(%q, %q) = %q is not a plain identifier", kind, name, got)
			}
			if other, dup := seen[got]; dup {
				t.Errorf("nodeID gives %q for both %s and %s", got, other, kind+" "+name)
			}
			seen[got] = kind + " " + name
		}
	}
	for _, fixed := range []string{clientID, gatewayID} {
		if other, dup := seen[fixed]; dup {
			t.Errorf("nodeID gives %q for %s", fixed, other)
		}
	}
}

// dotGraph is a DOT digraph parsed back from its text.
type dotGraph struct {
	name  string
	nodes map[string]map[string]string
	// order lists the node IDs in declaration order.
	order []string
	edges []dotEdge
}

type dotEdge struct {
	from, to string
	attrs    map[string]string
}

// dotToken is a token of the DOT language: an identifier, a quoted string
// with its quotes and escapes removed, or punctuation.
type dotToken struct {
	kind  byte // 'i' identifier, 's' quoted string, 'p' punctuation
	text  string
	quote bool
}

// dotKeywords are DOT's reserved words, which are not identifiers in any
// letter case.
var dotKeywords = []string{"node", "edge", "graph", "digraph", "subgraph", "strict"}

// dotAttributes lists the attributes and values that Graph.DOT may write,
// with nil for any value.
var dotAttributes = map[string][]string{
	"rankdir": {"LR"},
	"label":   nil,
	"shape":   {"ellipse", "box", "cylinder", "hexagon"},
	"style":   {"bold", "dashed"},
}

func tokenizeDOT(t *testing.T, text string) []dotToken {
	t.Helper()
	var tokens []dotToken
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t':
			i++
		case c == '-' && strings.HasPrefix(text[i:], "->"):
			tokens = append(tokens, dotToken{kind: 'p', text: "->"})
			i += 2
		case strings.IndexByte("{}[]=;,", c) >= 0:
			tokens = append(tokens, dotToken{kind: 'p', text: string(c)})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(text) && text[j] != '"'; j++ {
				if text[j] == '\\' && j+1 < len(text) && text[j+1] == '"' {
					j++
				}
				if text[j] == '\n' {
					t.Fatalf("DOT string at byte %d spans a line", i)
				}
				b.WriteByte(text[j])
			}
			if j == len(text) {
				t.Fatalf("DOT string at byte %d is not closed", i)
			}
			tokens = append(tokens, dotToken{kind: 's', text: b.String(), quote: true})
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(text) && (text[j] == '_' || text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z' || text[j] >= '0' && text[j] <= '9') {
				j++
			}
			tokens = append(tokens, dotToken{kind: 'i', text: text[i:j]})
			i = j
		default:
			t.Fatalf("unexpected character %q at byte %d of the DOT output", c, i)
		}
	}
	return tokens
}

// parseDOT parses the DOT subset that Graph.DOT writes, strictly: a digraph
// of graph attributes, node statements and edge statements between declared
// nodes, each ending in a semicolon, with attributes from dotAttributes.
func parseDOT(t *testing.T, text string) *dotGraph {
	t.Helper()
	tokens := tokenizeDOT(t, text)
	pos := 0
	next := func() dotToken {
		t.Helper()
		if pos == len(tokens) {
			t.Fatalf("DOT output ends early")
		}
		pos++
		return tokens[pos-1]
	}
	expect := func(punct string) {
		t.Helper()
		if tok := next(); tok.kind != 'p' || tok.text != punct {
			t.Fatalf("DOT token %d is %q; want %q", pos, tok.text, punct)
		}
	}
	id := func() dotToken {
		t.Helper()
		tok := next()
		if tok.kind == 'p' {
			t.Fatalf("DOT token %d is %q; want an ID", pos, tok.text)
		}
		if tok.kind == 'i' && slices.Contains(dotKeywords, strings.ToLower(tok.text)) {
			t.Fatalf("DOT token %d is the keyword %q where an ID belongs", pos, tok.text)
		}
		return tok
	}
	attr := func(attrs map[string]string) {
		t.Helper()
		name := id()
		expect("=")
		value := id()
		allowed, ok := dotAttributes[name.text]
		if !ok || name.quote {
			t.Fatalf("DOT attribute %q is not one that Graph.DOT writes", name.text)
		}
		if allowed != nil && !slices.Contains(allowed, value.text) {
			t.Errorf("DOT attribute %s=%s: want one of %v", name.text, value.text, allowed)
		}
		if _, dup := attrs[name.text]; dup {
			t.Errorf("DOT attribute %s is set twice", name.text)
		}
		attrs[name.text] = value.text
	}

	if tok := next(); tok.kind != 'i' || tok.text != "digraph" {
		t.Fatalf("DOT output starts with %q; want digraph", tok.text)
	}
	g := &dotGraph{name: id().text, nodes: map[string]map[string]string{}}
	expect("{")
	for {
		if tokens[pos].kind == 'p' && tokens[pos].text == "}" {
			pos++
			break
		}
		first := id()
		if first.quote {
			t.Errorf("node ID %q is quoted; Graph.DOT writes plain IDs", first.text)
		}
		attrs := map[string]string{}
		switch tok := next(); {
		case tok.kind == 'p' && tok.text == "=":
			value := id()
			if allowed, ok := dotAttributes[first.text]; !ok || !slices.Contains(allowed, value.text) {
				t.Errorf("graph attribute %s=%s is not one that Graph.DOT writes", first.text, value.text)
			}
			expect(";")
		case tok.kind == 'p' && tok.text == "->":
			to := id()
			if to.quote {
				t.Errorf("node ID %q is quoted; Graph.DOT writes plain IDs", to.text)
			}
			for _, end := range []string{first.text, to.text} {
				if _, ok := g.nodes[end]; !ok {
					t.Errorf("edge %s -> %s names node %s, which is not declared before it", first.text, to.text, end)
				}
			}
			if tokens[pos].text == "[" && tokens[pos].kind == 'p' {
				pos++
				parseAttrList(t, next, attr, attrs)
			}
			expect(";")
			g.edges = append(g.edges, dotEdge{from: first.text, to: to.text, attrs: attrs})
		case tok.kind == 'p' && tok.text == "[":
			parseAttrList(t, next, attr, attrs)
			expect(";")
			if _, dup := g.nodes[first.text]; dup {
				t.Errorf("node %s is declared twice", first.text)
			}
			g.nodes[first.text] = attrs
			g.order = append(g.order, first.text)
		default:
			t.Fatalf("DOT token %d is %q after %q; want =, -> or [", pos, tok.text, first.text)
		}
	}
	if pos != len(tokens) {
		t.Fatalf("DOT output goes on after the closing brace: %q", tokens[pos].text)
	}
	return g
}

// parseAttrList parses the attributes after an opening bracket up to and
// including the closing one.
func parseAttrList(t *testing.T, next func() dotToken, attr func(map[string]string), attrs map[string]string) {
	t.Helper()
	for {
		attr(attrs)
		tok := next()
		if tok.kind == 'p' && tok.text == "]" {
			return
		}
		if tok.kind != 'p' || tok.text != "," {
			t.Fatalf("DOT attribute list goes on with %q; want , or ]", tok.text)
		}
	}
}

func TestDOTParsesAsGraph(t *testing.T) {
	for name, spec := range graphSpecs(t) {
		t.Run(name, func(t *testing.T) {
			graph := NewGraph(spec)
			dot := parseDOT(t, graph.DOT())

			if dot.name != spec.Name {
				t.Errorf("digraph is named %q; want %q", dot.name, spec.Name)
			}
			if len(dot.order) != len(graph.Nodes) {
				t.Fatalf("DOT declares %d nodes; the graph has %d", len(dot.order), len(graph.Nodes))
			}
			for i, n := range graph.Nodes {
				if dot.order[i] != n.ID {
					t.Errorf("DOT node %d is %s; want %s", i, dot.order[i], n.ID)
				}
				if got := dot.nodes[n.ID]["label"]; got != n.Label {
					t.Errorf("DOT node %s is labelled %q; want %q", n.ID, got, n.Label)
				}
				if got := dot.nodes[n.ID]["shape"]; got != dotShapes[n.Kind] {
					t.Errorf("DOT node %s has shape %q; want %q", n.ID, got, dotShapes[n.Kind])
				}
			}

			if len(dot.edges) != len(graph.Edges) {
				t.Fatalf("DOT has %d edges; the graph has %d", len(dot.edges), len(graph.Edges))
			}
			for i, e := range graph.Edges {
				got := dot.edges[i]
				if got.from != e.From || got.to != e.To || got.attrs["label"] != e.Label {
					t.Errorf("DOT edge %d is %s -> %s %q; want %s -> %s %q", i, got.from, got.to, got.attrs["label"], e.From, e.To, e.Label)
				}
				wantStyle := map[EdgeKind]string{EdgeSagaStep: "bold", EdgePublish: "dashed", EdgeSubscribe: "dashed"}[e.Kind]
				if got.attrs["style"] != wantStyle {
					t.Errorf("DOT edge %s -> %s has style %q; want %q", e.From, e.To, got.attrs["style"], wantStyle)
				}
			}
		})
	}
}

func TestDOTStringEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, `"plain"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{"two\nlines", `"two\nlines"`},
	}
	for _, tt := range tests {
		if got := dotString(tt.in); got != tt.want {
			t.Errorf("dotString(%q) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestMermaidTextEscapes(t *testing.T) {
	got := mermaidText(`a "b" <c> #d`)
	if want := "a #quot;b#quot; #lt;c#gt; #35;d"; got != want {
		t.Errorf("mermaidText = %q; want %q", got, want)
	}
}
