package schema

import "slices"

// reservedNamespaces are the Kubernetes namespaces that the control planes
// in the generated README's install steps, and Kubernetes itself, use.
// The system's name is its namespace, so it must not be one of them.
var reservedNamespaces = []string{"consul", "default", "istio-system", "kong", "kube-node-lease", "kube-public", "kube-system", "linkerd"}

// checkNamespace rejects a system name that is a reserved namespace when
// the spec targets Kubernetes.
func (c *semanticChecker) checkNamespace() {
	if !slices.Contains(c.spec.Targets, "kubernetes") || !slices.Contains(reservedNamespaces, c.spec.Name) {
		return
	}
	c.addAt([]any{"name"}, "name %q is the Kubernetes namespace of the system, and Kubernetes or a control plane already uses it: choose another name", c.spec.Name)
}
