package generator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// Graph is the architecture that a spec describes, as nodes and directed
// edges. The generated README's diagram and msgen graph both render it, so
// that the two never disagree.
type Graph struct {
	// Name is the system's name.
	Name  string
	Nodes []Node
	Edges []Edge
}

// NodeKind is the kind of thing that a node of a Graph represents.
type NodeKind int

// Kinds of nodes, in the order that a Graph lists them.
const (
	NodeClient NodeKind = iota
	NodeGateway
	NodeService
	NodeDatabase
	NodeEvent
)

// Node is one node of a Graph.
type Node struct {
	// ID is unique in the graph and is a valid unquoted identifier in
	// both Mermaid and DOT: a letter, then letters, digits and underscores.
	ID   string
	Kind NodeKind
	// Name is the node's name in the spec: a service, a database
	// container such as "orders-db" or an event. The gateway's node is
	// named "kong" and the client's "client".
	Name  string
	Label string
}

// EdgeKind is the kind of relation that an edge of a Graph represents.
type EdgeKind int

// Kinds of edges, in the order that a Graph lists them.
const (
	// EdgeRequest goes from the client to the gateway.
	EdgeRequest EdgeKind = iota
	// EdgeRoute goes from the gateway to the service that serves a route.
	EdgeRoute
	// EdgeDatabase goes from a service to its database.
	EdgeDatabase
	// EdgeCall is a synchronous HTTP call from one service to another.
	EdgeCall
	// EdgeComposition goes from the composer of an API composition to one
	// of its sources, which the composer calls.
	EdgeComposition
	// EdgeSagaStep goes from a saga's orchestrator to the service of a step.
	EdgeSagaStep
	// EdgePublish goes from a service to an event that it publishes.
	EdgePublish
	// EdgeSubscribe goes from an event to a service that subscribes to it.
	EdgeSubscribe
)

// Edge is one directed edge of a Graph between two node IDs.
type Edge struct {
	From, To string
	Kind     EdgeKind
	// Label is empty for edges that need none, such as a database
	// connection.
	Label string
}

// Node IDs of the two nodes that every graph has. No other ID equals them,
// because every other ID has a prefix and an underscore.
const (
	clientID  = "client"
	gatewayID = "gateway"
)

// NewGraph builds the graph of spec: the client, the Kong gateway, every
// service with its routes, databases, calls, compositions and saga steps,
// and every event between its publishers and subscribers. Nodes and edges
// come in a fixed order, so the same spec always gives the same graph.
func NewGraph(spec *schema.Spec) *Graph {
	g := &Graph{Name: spec.Name}
	g.addNode(NodeClient, clientID, "client", "client")
	g.addNode(NodeGateway, gatewayID, "kong", "Kong gateway :"+strconv.Itoa(spec.Gateway.Kong.Port))
	for _, svc := range spec.SortedServices() {
		g.addNode(NodeService, serviceID(svc.Name), svc.Name, svc.Name+" :"+strconv.Itoa(svc.Port))
	}
	for _, db := range graphDatabases(spec) {
		g.addNode(NodeDatabase, nodeID("db", db), db, db)
	}
	events := graphEvents(spec)
	for _, event := range events {
		g.addNode(NodeEvent, nodeID("evt", event), event, event)
	}

	g.addEdge(EdgeRequest, clientID, gatewayID, "")
	g.addRouteEdges(spec)
	for _, svc := range spec.SortedServices() {
		if host := svc.DatabaseHost(); host != "" {
			g.addEdge(EdgeDatabase, serviceID(svc.Name), nodeID("db", host), "")
		}
	}
	g.addCallEdges(spec)
	g.addSagaEdges(spec)
	for _, event := range events {
		for _, svc := range spec.SortedServices() {
			if slices.Contains(svc.Publishes, event) {
				g.addEdge(EdgePublish, serviceID(svc.Name), nodeID("evt", event), "")
			}
		}
		for _, subscriber := range spec.Subscribers(event) {
			g.addEdge(EdgeSubscribe, nodeID("evt", event), serviceID(subscriber), "")
		}
	}
	return g
}

func (g *Graph) addNode(kind NodeKind, id, name, label string) {
	g.Nodes = append(g.Nodes, Node{ID: id, Kind: kind, Name: name, Label: label})
}

func (g *Graph) addEdge(kind EdgeKind, from, to, label string) {
	g.Edges = append(g.Edges, Edge{From: from, To: to, Kind: kind, Label: label})
}

// addRouteEdges adds an edge from the gateway for each route of each
// service, in the order of the spec, then for each composition that the
// service serves.
func (g *Graph) addRouteEdges(spec *schema.Spec) {
	for _, svc := range spec.SortedServices() {
		for _, route := range svc.Routes {
			g.addEdge(EdgeRoute, gatewayID, serviceID(svc.Name), routeLabel(route.Methods, route.Path))
		}
		for _, name := range compositionsOf(spec, svc.Name) {
			comp := spec.Compositions[name]
			g.addEdge(EdgeRoute, gatewayID, serviceID(svc.Name), routeLabel(comp.Methods, comp.Path))
		}
	}
}

// addCallEdges adds the synchronous calls between services. A call to a
// source of a composition that the caller serves is drawn once, as a
// composition edge, because loading the spec adds every source to the
// composer's calls.
func (g *Graph) addCallEdges(spec *schema.Spec) {
	composed := map[[2]string]bool{}
	for _, name := range slices.Sorted(maps.Keys(spec.Compositions)) {
		comp := spec.Compositions[name]
		for _, source := range comp.From {
			composed[[2]string{comp.Composer, source}] = true
		}
	}

	for _, svc := range spec.SortedServices() {
		for _, callee := range svc.Calls {
			if !composed[[2]string{svc.Name, callee}] {
				g.addEdge(EdgeCall, serviceID(svc.Name), serviceID(callee), "calls")
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Compositions)) {
		comp := spec.Compositions[name]
		for _, source := range comp.From {
			g.addEdge(EdgeComposition, serviceID(comp.Composer), serviceID(source), "composition "+name)
		}
	}
}

// addSagaEdges adds an edge from each saga's orchestrator to the service of
// each step, labelled with the saga and the step's action.
func (g *Graph) addSagaEdges(spec *schema.Spec) {
	for _, name := range slices.Sorted(maps.Keys(spec.Sagas)) {
		saga := spec.Sagas[name]
		for _, step := range saga.Steps {
			g.addEdge(EdgeSagaStep, serviceID(saga.Orchestrator), serviceID(step.Service), name+": "+step.Action)
		}
	}
}

// graphDatabases returns the database containers, sorted: each service's
// own database and each shared database.
func graphDatabases(spec *schema.Spec) []string {
	seen := map[string]bool{}
	for _, svc := range spec.SortedServices() {
		if svc.OwnsDatabase() {
			seen[schema.DatabaseHost(svc.Name)] = true
		}
	}
	for _, name := range spec.DatabaseNames() {
		seen[schema.DatabaseHost(name)] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// graphEvents returns, sorted, every declared or published event. A
// service may publish an event that the spec does not declare under
// events, and every subscribed event has a publisher.
func graphEvents(spec *schema.Spec) []string {
	seen := map[string]bool{}
	for name := range spec.Events {
		seen[name] = true
	}
	for _, svc := range spec.Services {
		for _, event := range svc.Publishes {
			seen[event] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func routeLabel(methods []string, path string) string {
	return strings.Join(methods, ", ") + " " + path
}

func serviceID(name string) string {
	return nodeID("svc", name)
}

// nodeID returns the node ID of name. The kind prefix keeps IDs of different
// kinds apart and away from the keywords of Mermaid, such as "end" and
// "style", and of DOT, such as "node" and "graph". Every byte other than an
// ASCII letter or digit becomes _ and its two hex digits, so distinct names
// give distinct IDs.
func nodeID(kind, name string) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('_')
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}
