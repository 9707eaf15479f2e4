package schema

import "slices"

// maxStatefulSetName is the longest name of a StatefulSet whose pods
// Kubernetes creates. Each pod gets the label controller-revision-hash,
// whose value is the StatefulSet's name, a dash and a hash of up to 10
// characters, and a label value has at most 63 characters
// (github.com/kubernetes/kubernetes/issues/64023).
const maxStatefulSetName = maxLabel - 11

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

// checkStatefulSetNames rejects a database whose host, the name of its
// StatefulSet in the dev overlay, is too long for Kubernetes to create its
// pod, when the spec targets Kubernetes. checkData reports the hosts that
// DNS rejects already.
func (c *semanticChecker) checkStatefulSetNames() {
	if !slices.Contains(c.spec.Targets, "kubernetes") {
		return
	}
	tooLong := func(host string) bool { return len(host) > maxStatefulSetName && len(host) <= maxLabel }
	longest := maxStatefulSetName - len(DatabaseHost(""))

	for _, svc := range c.spec.SortedServices() {
		if host := DatabaseHost(svc.Name); svc.OwnsDatabase() && tooLong(host) {
			c.addAt([]any{"services", svc.Name}, "the name of service %q is too long for the StatefulSet of its database %q on Kubernetes, which has %d characters where Kubernetes creates pods for at most %d: shorten the name to at most %d characters", svc.Name, host, len(host), maxStatefulSetName, longest)
		}
	}
	for _, db := range c.spec.DatabaseNames() {
		if host := DatabaseHost(db); tooLong(host) {
			c.addAt([]any{"databases", db}, "the name of database %q is too long for its StatefulSet %q on Kubernetes, which has %d characters where Kubernetes creates pods for at most %d: shorten the name to at most %d characters", db, host, len(host), maxStatefulSetName, longest)
		}
	}
}
