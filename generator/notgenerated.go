package generator

import (
	"fmt"
	"slices"

	"github.com/msgen-dev/msgen/schema"
)

// NotGenerated lists the parts of spec that the schema accepts but that this
// version of msgen does not generate yet, each as a sentence for a warning.
// The schema accepts every concept of the architecture from the start, so
// that a spec need not change when msgen learns to generate more.
func NotGenerated(spec *schema.Spec) []string {
	var warnings []string
	kubernetes := slices.Contains(spec.Targets, targetKubernetes)
	if !slices.Contains(spec.Targets, "compose") {
		warnings = append(warnings, "the compose files are generated although targets does not list \"compose\", because msgen always generates them for local development")
	}
	// Consul's mesh runs in compose too; Istio and Linkerd need Kubernetes.
	if spec.Mesh == meshIstio || spec.Mesh == meshLinkerd {
		if kubernetes {
			warnings = append(warnings, fmt.Sprintf("mesh %q: compose runs without a mesh; only the Kubernetes manifests configure it", spec.Mesh))
		} else {
			warnings = append(warnings, fmt.Sprintf("mesh %q: only Kubernetes manifests configure this mesh, and targets does not list \"kubernetes\": add it", spec.Mesh))
		}
	}
	if spec.ControlPlane.Replicas > 1 {
		warnings = append(warnings, fmt.Sprintf("controlPlane replicas %d: compose runs a single Consul agent in development mode", spec.ControlPlane.Replicas))
	}

	var events, patterns, replicated []string
	for _, svc := range spec.SortedServices() {
		if svc.Replicas.Min > 1 || svc.Replicas.Max > 1 {
			replicated = append(replicated, svc.Name)
		}
		if len(svc.Publishes) > 0 || len(svc.Subscribes) > 0 {
			events = append(events, svc.Name)
		}
		if svc.Data.Pattern == schema.PatternCQRS || svc.Data.Pattern == schema.PatternEventSourcing {
			patterns = append(patterns, fmt.Sprintf("%s (%s)", svc.Name, svc.Data.Pattern))
		}
	}
	if len(events) > 0 || len(spec.Sagas) > 0 {
		// TODO: NATS joins compose and the Kubernetes dev overlay once the
		// services publish and subscribe, because no service connects to a
		// broker yet.
		warnings = append(warnings, "events and sagas appear in the README only: no message broker, outbox or saga code is generated yet")
	}
	if len(patterns) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: each gets its own PostgreSQL, but the pattern's code is not generated yet", joinList(patterns)))
	}
	if len(replicated) > 0 && !kubernetes {
		warnings = append(warnings, fmt.Sprintf("replicas of %s: compose runs one instance of each service; add \"kubernetes\" to targets to use the replica bounds", joinList(replicated)))
	}
	if len(spec.Compositions) > 0 {
		warnings = append(warnings, "compositions get a route and a scaffolded handler on their composer, but the code that calls and merges the sources is not generated yet")
	}
	return warnings
}

func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := items[0]
	for _, item := range items[1 : len(items)-1] {
		out += ", " + item
	}
	return out + " and " + items[len(items)-1]
}
