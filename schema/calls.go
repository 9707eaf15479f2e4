package schema

import (
	"sort"
	"strings"
)

// callEdge is a synchronous call and where the spec declares it.
type callEdge struct {
	callee string
	at     []any
}

// callEdges returns the calls of each service: its own calls and the
// sources of the compositions it serves.
func (c *semanticChecker) callEdges() map[string][]callEdge {
	edges := map[string][]callEdge{}
	for _, svc := range c.spec.SortedServices() {
		for i, callee := range svc.Calls {
			if callee == "" {
				continue
			}
			edges[svc.Name] = append(edges[svc.Name], callEdge{callee, []any{"services", svc.Name, "calls", i}})
		}
	}
	for _, name := range sortedKeys(c.spec.Compositions) {
		comp := c.spec.Compositions[name]
		for i, source := range comp.From {
			if source == "" {
				continue
			}
			edges[comp.Composer] = append(edges[comp.Composer], callEdge{source, []any{"compositions", name, "from", i}})
		}
	}
	return edges
}

// checkCallCycles rejects a cycle of synchronous calls: compose starts a
// service only after the services it calls are healthy, and it rejects a
// cycle of such dependencies.
func (c *semanticChecker) checkCallCycles() {
	const (
		unvisited = iota
		visiting
		done
	)
	edges := c.callEdges()
	state := map[string]int{}
	var stack []string
	reported := map[string]bool{}

	var visit func(name string)
	visit = func(name string) {
		state[name] = visiting
		stack = append(stack, name)
		for _, edge := range edges[name] {
			if _, ok := c.spec.Services[edge.callee]; !ok || edge.callee == name {
				continue
			}
			switch state[edge.callee] {
			case visiting:
				cycle := cycleFrom(stack, edge.callee)
				key := canonicalCycle(cycle)
				if !reported[key] {
					reported[key] = true
					c.addAt(edge.at, "calls form a cycle %s: docker compose rejects a dependency cycle and would not start the system; remove one call", strings.Join(append(cycle, edge.callee), " -> "))
				}
			case unvisited:
				visit(edge.callee)
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
	}
	for _, name := range c.spec.ServiceNames() {
		if state[name] == unvisited {
			visit(name)
		}
	}
}

func cycleFrom(stack []string, start string) []string {
	for i, name := range stack {
		if name == start {
			return append([]string(nil), stack[i:]...)
		}
	}
	return nil
}

// canonicalCycle names a cycle the same way whichever service it starts at.
func canonicalCycle(cycle []string) string {
	sorted := append([]string(nil), cycle...)
	sort.Strings(sorted)
	return strings.Join(sorted, ",")
}
