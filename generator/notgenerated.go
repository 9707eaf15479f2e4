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

	var statelessEvents, replicated []string
	for _, svc := range spec.SortedServices() {
		if svc.Replicas.Min > 1 || svc.Replicas.Max > 1 {
			replicated = append(replicated, svc.Name)
		}
		hasMessages := len(svc.Publishes) > 0 || len(svc.Subscribes) > 0 || orchestrates(spec, svc) || participates(spec, svc)
		if hasMessages && !usesBroker(spec, svc) {
			statelessEvents = append(statelessEvents, svc.Name)
		}
	}
	if len(statelessEvents) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s: the events and saga steps of a stateless service are not generated, because the outbox and the inbox need a database; give each a data pattern with a database", joinList(statelessEvents)))
	}
	if len(replicated) > 0 && !kubernetes {
		warnings = append(warnings, fmt.Sprintf("replicas of %s: compose runs one instance of each service; add \"kubernetes\" to targets to use the replica bounds", joinList(replicated)))
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
