package generator

import (
	"fmt"
	"strings"
)

// mermaidShapes are the opening and closing of each kind of node: a stadium
// for the client, rectangles for the gateway and services, cylinders for
// databases and hexagons for events.
var mermaidShapes = map[NodeKind][2]string{
	NodeClient:   {`(["`, `"])`},
	NodeGateway:  {`["`, `"]`},
	NodeService:  {`["`, `"]`},
	NodeDatabase: {`[("`, `")]`},
	NodeEvent:    {`{{"`, `"}}`},
}

// Mermaid returns the graph as a Mermaid flowchart, from left to right:
// solid arrows for requests, database connections, calls and compositions,
// thick arrows for saga steps and dotted arrows for events.
func (g *Graph) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, n := range g.Nodes {
		shape := mermaidShapes[n.Kind]
		fmt.Fprintf(&b, "  %s%s%s%s\n", n.ID, shape[0], mermaidText(n.Label), shape[1])
	}
	for _, e := range g.Edges {
		arrow := "-->"
		switch e.Kind {
		case EdgeSagaStep:
			arrow = "==>"
		case EdgePublish, EdgeSubscribe:
			arrow = "-.->"
		}
		if e.Label != "" {
			arrow += `|"` + mermaidText(e.Label) + `"|`
		}
		fmt.Fprintf(&b, "  %s %s %s\n", e.From, arrow, e.To)
	}
	return b.String()
}

// mermaidText escapes text for a quoted Mermaid label with Mermaid's entity
// codes, so that no character ends the label or starts an HTML tag.
func mermaidText(s string) string {
	return strings.NewReplacer(
		`#`, "#35;",
		`"`, "#quot;",
		`<`, "#lt;",
		`>`, "#gt;",
	).Replace(s)
}

// dotShapes are the Graphviz shape of each kind of node.
var dotShapes = map[NodeKind]string{
	NodeClient:   "ellipse",
	NodeGateway:  "box",
	NodeService:  "box",
	NodeDatabase: "cylinder",
	NodeEvent:    "hexagon",
}

// DOT returns the graph as a Graphviz digraph, from left to right, with the
// same meaning of arrows as Mermaid: solid, bold for saga steps, dashed for
// events.
func (g *Graph) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotString(g.Name))
	b.WriteString("  rankdir=LR;\n")
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "  %s [label=%s, shape=%s];\n", n.ID, dotString(n.Label), dotShapes[n.Kind])
	}
	for _, e := range g.Edges {
		var attrs []string
		if e.Label != "" {
			attrs = append(attrs, "label="+dotString(e.Label))
		}
		switch e.Kind {
		case EdgeSagaStep:
			attrs = append(attrs, "style=bold")
		case EdgePublish, EdgeSubscribe:
			attrs = append(attrs, "style=dashed")
		}
		if len(attrs) == 0 {
			fmt.Fprintf(&b, "  %s -> %s;\n", e.From, e.To)
			continue
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", e.From, e.To, strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	return b.String()
}

// dotString quotes s as a DOT string. In a quoted DOT string only \" is an
// escape, but a label reads \n, \l and \r as line breaks, so a backslash is
// doubled too.
func dotString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
