package generator

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	istiosecurityapi "istio.io/api/security/v1beta1"
	istiosecurity "istio.io/client-go/pkg/apis/security/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/msgen-dev/msgen/schema"
)

// gatewayCaller is the caller name of Kong in a call graph.
const gatewayCaller = "kong"

// callGraph is a set of "caller -> callee" edges.
type callGraph map[string]bool

func (g callGraph) add(caller, callee string) {
	g[caller+" -> "+callee] = true
}

func (g callGraph) String() string {
	return strings.Join(slices.Sorted(maps.Keys(g)), ", ")
}

// declaredCallGraph returns the calls that the spec declares: each
// service's calls, each composer's sources, Kong to every service that it
// routes to, and, with the data layer, each service to its PostgreSQL and
// each client of the broker to NATS.
func declaredCallGraph(spec *schema.Spec, dataLayer bool) callGraph {
	graph := callGraph{}
	for _, svc := range spec.SortedServices() {
		for _, callee := range svc.Calls {
			graph.add(svc.Name, callee)
		}
		if len(svc.Routes) > 0 {
			graph.add(gatewayCaller, svc.Name)
		}
		if dataLayer && svc.UsesDatabase() {
			graph.add(svc.Name, svc.DatabaseHost())
		}
		if dataLayer && isBrokerClient(spec, svc) {
			graph.add(svc.Name, "nats")
		}
	}
	for _, comp := range spec.Compositions {
		graph.add(gatewayCaller, comp.Composer)
		for _, source := range comp.From {
			graph.add(comp.Composer, source)
		}
	}
	return graph
}

// isBrokerClient reports whether svc connects to NATS, by the rule that the
// README states: a service with a database that publishes or subscribes to
// events, orchestrates a saga or is a step of one.
func isBrokerClient(spec *schema.Spec, svc *schema.Service) bool {
	if !svc.UsesDatabase() {
		return false
	}
	if len(svc.Publishes) > 0 || len(svc.Subscribes) > 0 {
		return true
	}
	for _, saga := range spec.Sagas {
		if saga.Orchestrator == svc.Name {
			return true
		}
		for _, step := range saga.Steps {
			if step.Service == svc.Name {
				return true
			}
		}
	}
	return false
}

// identities maps the identities under which workloads call others, service
// accounts and Consul service names alike, to the workload's name.
type identities struct {
	namespace string
	byAccount map[string]string
}

func newIdentities(t *testing.T, namespace string, manifests []k8sObject) identities {
	t.Helper()
	ids := identities{namespace: namespace, byAccount: map[string]string{}}
	for _, d := range objectsOf[*appsv1.Deployment](manifests) {
		account := d.Spec.Template.Spec.ServiceAccountName
		if account == "" {
			t.Errorf("Deployment %s runs under the default service account", d.Name)
		}
		ids.byAccount[account] = d.Name
	}
	return ids
}

// caller returns the workload behind the service account name in
// namespace, or "kong" for Kong's proxy.
func (ids identities) caller(t *testing.T, namespace, account string) string {
	t.Helper()
	if namespace == kongNamespace && account == kongServiceAccount {
		return gatewayCaller
	}
	if namespace != ids.namespace {
		t.Errorf("a policy admits the service account %s of namespace %q", account, namespace)
		return "?"
	}
	name, ok := ids.byAccount[account]
	if !ok {
		t.Errorf("a policy admits the service account %q, which no Deployment uses", account)
		return "?"
	}
	return name
}

// targetOf returns the workload whose pods selector selects, failing the
// test unless there is exactly one.
func targetOf(t *testing.T, workloads []workload, selector *metav1.LabelSelector, object string) string {
	t.Helper()
	selected := selectedWorkloads(t, workloads, selector)
	if len(selected) != 1 {
		t.Errorf("%s selects %q; want exactly one workload", object, selected)
		return "?"
	}
	return selected[0]
}

// allowedCallGraph derives the calls that the generated policies of mesh
// allow, and checks that everything else is denied by default.
func allowedCallGraph(t *testing.T, mesh, namespace string, manifests []k8sObject) callGraph {
	t.Helper()
	workloads := workloadsOf(manifests)
	ids := newIdentities(t, namespace, manifests)
	graph := callGraph{}

	switch mesh {
	case meshNone:
		deniedByDefault := false
		for _, policy := range objectsOf[*networkingv1.NetworkPolicy](manifests) {
			if len(policy.Spec.PodSelector.MatchLabels) == 0 && len(policy.Spec.PodSelector.MatchExpressions) == 0 {
				deniedByDefault = len(policy.Spec.Ingress) == 0 && slices.Equal(policy.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress})
				continue
			}
			target := targetOf(t, workloads, &policy.Spec.PodSelector, "NetworkPolicy "+policy.Name)
			for _, rule := range policy.Spec.Ingress {
				for _, peer := range rule.From {
					switch {
					case peer.PodSelector != nil && peer.NamespaceSelector == nil:
						graph.add(targetOf(t, workloads, peer.PodSelector, "an ingress rule of "+policy.Name), target)
					case peer.NamespaceSelector != nil && peer.PodSelector == nil && peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == kongNamespace:
						graph.add(gatewayCaller, target)
					default:
						t.Errorf("NetworkPolicy %s admits the unexpected peer %+v", policy.Name, peer)
					}
				}
			}
		}
		if !deniedByDefault {
			t.Error("no NetworkPolicy denies all ingress by default")
		}

	case meshIstio:
		strict := false
		for _, pa := range objectsOf[*istiosecurity.PeerAuthentication](manifests) {
			strict = strict || (pa.Spec.Selector == nil && pa.Spec.GetMtls().GetMode() == istiosecurityapi.PeerAuthentication_MutualTLS_STRICT)
		}
		if !strict {
			t.Error("no PeerAuthentication requires strict mutual TLS in the namespace")
		}
		deniedByDefault := false
		for _, policy := range objectsOf[*istiosecurity.AuthorizationPolicy](manifests) {
			spec := &policy.Spec
			if spec.GetSelector() == nil {
				deniedByDefault = len(spec.GetRules()) == 0 && spec.GetAction() == istiosecurityapi.AuthorizationPolicy_ALLOW && spec.GetProvider() == nil
				continue
			}
			if spec.GetAction() != istiosecurityapi.AuthorizationPolicy_ALLOW {
				t.Errorf("AuthorizationPolicy %s has action %v; want ALLOW", policy.Name, spec.GetAction())
			}
			target := targetOf(t, workloads, &metav1.LabelSelector{MatchLabels: spec.GetSelector().GetMatchLabels()}, "AuthorizationPolicy "+policy.Name)
			for _, rule := range spec.GetRules() {
				for _, from := range rule.GetFrom() {
					for _, principal := range from.GetSource().GetPrincipals() {
						var ns, sa string
						if _, err := fmt.Sscanf(strings.ReplaceAll(principal, "/", " "), "cluster.local ns %s sa %s", &ns, &sa); err != nil {
							t.Errorf("AuthorizationPolicy %s: principal %q is not cluster.local/ns/NAMESPACE/sa/ACCOUNT", policy.Name, principal)
							continue
						}
						graph.add(ids.caller(t, ns, sa), target)
					}
				}
			}
		}
		if !deniedByDefault {
			t.Error("no AuthorizationPolicy without a selector denies every request by default")
		}

	case meshLinkerd:
		deniedByDefault := false
		for _, ns := range objectsOf[*corev1.Namespace](manifests) {
			deniedByDefault = ns.Annotations["config.linkerd.io/default-inbound-policy"] == "deny" && ns.Annotations["linkerd.io/inject"] == "enabled"
		}
		if !deniedByDefault {
			t.Error("the Namespace does not enable injection with the default inbound policy deny")
		}
		servers := map[string]string{}
		for _, server := range objectsOf[*linkerdServer](manifests) {
			servers[server.Name] = targetOf(t, workloads, server.Spec.PodSelector, "Server "+server.Name)
			if server.Spec.AccessPolicy != "deny" {
				t.Errorf("Server %s has access policy %q; want deny", server.Name, server.Spec.AccessPolicy)
			}
		}
		authentications := map[string]*linkerdMeshTLSAuthentication{}
		for _, auth := range objectsOf[*linkerdMeshTLSAuthentication](manifests) {
			authentications[auth.Name] = auth
		}
		for _, policy := range objectsOf[*linkerdAuthorizationPolicy](manifests) {
			ref := policy.Spec.TargetRef
			target, ok := servers[ref.Name]
			if ref.Kind != "Server" || !ok {
				t.Errorf("AuthorizationPolicy %s targets %s %q, which is not a generated Server", policy.Name, ref.Kind, ref.Name)
				continue
			}
			for _, authRef := range policy.Spec.RequiredAuthenticationRefs {
				auth, ok := authentications[authRef.Name]
				if authRef.Kind != "MeshTLSAuthentication" || !ok {
					t.Errorf("AuthorizationPolicy %s requires %s %q, which is not a generated MeshTLSAuthentication", policy.Name, authRef.Kind, authRef.Name)
					continue
				}
				for _, id := range auth.Spec.IdentityRefs {
					if id.Kind != "ServiceAccount" {
						t.Errorf("MeshTLSAuthentication %s names a %s", auth.Name, id.Kind)
						continue
					}
					ns := id.Namespace
					if ns == "" {
						ns = namespace
					}
					graph.add(ids.caller(t, ns, id.Name), target)
				}
			}
		}

	case meshConsulConnect:
		// Consul names a pod's service after the Kubernetes Service that
		// selects it, leaving out a Service with consul-k8s's
		// service-ignore label. A pod that two other Services select never
		// starts.
		services := map[string]string{}
		registered := map[string][]string{}
		for _, svc := range objectsOf[*corev1.Service](manifests) {
			if svc.Labels["consul.hashicorp.com/service-ignore"] == "true" {
				continue
			}
			target := targetOf(t, workloads, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, "Service "+svc.Name)
			services[svc.Name] = target
			registered[target] = append(registered[target], svc.Name)
		}
		for target, names := range registered {
			if len(names) > 1 {
				t.Errorf("the Services %q select the pods of %s; want one, or consul-k8s's service-ignore label on the others", names, target)
			}
		}
		// Consul's intentions apply to every service of the datacenter
		// that has the destination's name, in every namespace. So each
		// workload of the system denies the other sources itself, and no
		// intention may name a destination outside the system, such as "*".
		deniedByDefault := map[string]bool{}
		for _, intentions := range objectsOf[*consulServiceIntentions](manifests) {
			destination := intentions.Spec.Destination.Name
			target, ok := services[destination]
			if !ok {
				t.Errorf("ServiceIntentions %s has the destination %q, which is not a service of the system", intentions.Name, destination)
				continue
			}
			if deniedByDefault[target] {
				t.Errorf("ServiceIntentions %s is the second one of destination %s", intentions.Name, destination)
			}
			sources := intentions.Spec.Sources
			for i, source := range sources {
				if source.Name == "*" {
					if source.Action != "deny" || i != len(sources)-1 {
						t.Errorf("ServiceIntentions %s: source * has action %q at position %d of %d; want deny, last", intentions.Name, source.Action, i+1, len(sources))
					}
					deniedByDefault[target] = true
					continue
				}
				if source.Action != "allow" {
					t.Errorf("ServiceIntentions %s: source %s has action %q; want allow", intentions.Name, source.Name, source.Action)
					continue
				}
				if source.Name == kongServiceAccount {
					graph.add(gatewayCaller, target)
					continue
				}
				caller, ok := services[source.Name]
				if !ok {
					t.Errorf("ServiceIntentions %s allows %q, which no Service names", intentions.Name, source.Name)
					continue
				}
				graph.add(caller, target)
			}
		}
		for _, w := range workloads {
			if w.pod.Annotations["consul.hashicorp.com/connect-inject"] != "true" {
				t.Errorf("the pods of %s are not in Consul's mesh", w.name)
				continue
			}
			if !deniedByDefault[w.name] {
				t.Errorf("no ServiceIntentions denies every other source of %s", w.name)
			}
		}
	}
	return graph
}

func TestMeshPoliciesAllowOnlyDeclaredCalls(t *testing.T) {
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			files := generateFiles(t, spec)
			base := decodeGeneratedManifests(t, files, "deploy/k8s/base/")
			dev := append(slices.Clone(base), decodeGeneratedManifests(t, files, "deploy/k8s/overlays/dev/")...)

			if got, want := allowedCallGraph(t, mesh, spec.Name, base), declaredCallGraph(spec, false); !maps.Equal(got, want) {
				t.Errorf("the base's policies allow\n  %v\nwant the declared calls\n  %v", got, want)
			}
			if got, want := allowedCallGraph(t, mesh, spec.Name, dev), declaredCallGraph(spec, true); !maps.Equal(got, want) {
				t.Errorf("the dev overlay's policies allow\n  %v\nwant the declared calls and the connections to the databases and NATS\n  %v", got, want)
			}
		})
	}
}

// TestMeshPoliciesFollowTheSpec changes the shop's calls, databases and
// events and checks that the policies change with them, so that the
// comparison above cannot pass for a fixed graph.
func TestMeshPoliciesFollowTheSpec(t *testing.T) {
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			spec.Services["orders"].Calls = nil
			spec.Services["shipping"].Calls = []string{"inventory", "payments"}
			// order-history keeps its database but leaves the broker, and
			// storefront gets a database and starts to publish.
			spec.Services["order-history"].Subscribes = nil
			spec.Services["storefront"].Data = spec.Services["orders"].Data
			spec.Services["storefront"].Publishes = []string{"OrderCreated"}
			files := generateFiles(t, spec)
			base := decodeGeneratedManifests(t, files, "deploy/k8s/base/")
			dev := append(slices.Clone(base), decodeGeneratedManifests(t, files, "deploy/k8s/overlays/dev/")...)

			got := allowedCallGraph(t, mesh, spec.Name, base)
			if got["orders -> inventory"] {
				t.Error("orders may still call inventory after its call was removed")
			}
			if !got["shipping -> inventory"] || !got["shipping -> payments"] {
				t.Errorf("shipping's new calls are not allowed: %v", got)
			}
			if want := declaredCallGraph(spec, false); !maps.Equal(got, want) {
				t.Errorf("policies allow\n  %v\nwant\n  %v", got, want)
			}

			got = allowedCallGraph(t, mesh, spec.Name, dev)
			if got["order-history -> nats"] {
				t.Error("order-history may still connect to NATS after it stopped subscribing")
			}
			if !got["storefront -> storefront-db"] || !got["storefront -> nats"] {
				t.Errorf("storefront may not connect to its new database and NATS: %v", got)
			}
			if want := declaredCallGraph(spec, true); !maps.Equal(got, want) {
				t.Errorf("the dev overlay's policies allow\n  %v\nwant\n  %v", got, want)
			}
		})
	}
}

// hclStrings returns the quoted values of the attributes named key in an
// HCL file that msgen generated, with the indentation of each line. The
// generated files put one attribute on a line, so no HCL parser is needed.
func hclStrings(t *testing.T, data []byte, key string) (values []string, indents []int) {
	t.Helper()
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		name, value, found := strings.Cut(trimmed, "=")
		if !found || strings.TrimSpace(name) != key {
			continue
		}
		unquoted, err := strconv.Unquote(strings.TrimSpace(value))
		if err != nil {
			t.Fatalf("attribute %s has the value %s, which is not a string", key, value)
		}
		values = append(values, unquoted)
		indents = append(indents, len(line)-len(trimmed))
	}
	return values, indents
}

// TestComposeMeshAllowsOnlyDeclaredCalls reads the intentions and the
// sidecars' upstreams of Consul's mesh in compose back into call graphs and
// compares both with the spec's calls, Kong's included: Kong reaches the
// services that it routes to through its own sidecar.
func TestComposeMeshAllowsOnlyDeclaredCalls(t *testing.T) {
	for _, variant := range specVariants {
		spec := variant.load(t)
		if composeMeshEnabled(spec) {
			t.Run(variant.name, func(t *testing.T) { checkComposeMeshCalls(t, spec) })
		}
	}
	if !composeMeshEnabled(boutiqueSpec(t)) {
		t.Fatal("the online-boutique example no longer uses mesh consul-connect; update this test")
	}
}

func checkComposeMeshCalls(t *testing.T, spec *schema.Spec) {
	files := generateFiles(t, spec)
	want := declaredCallGraph(spec, false)

	// The config entries are at indent 4 and their sources at indent 8.
	intentions, ok := files[consulAgentConfigDir+"/intentions.hcl"]
	if !ok {
		t.Fatal("no intentions in the agent's configuration directory")
	}
	names, indents := hclStrings(t, intentions.Data, "name")
	actions, _ := hclStrings(t, intentions.Data, "action")
	kinds, _ := hclStrings(t, intentions.Data, "kind")
	if len(names) < 2 || indents[0] != 4 || names[0] != "*" || indents[1] != 8 || names[1] != "*" || len(actions) == 0 || actions[0] != "deny" {
		t.Fatalf("intentions.hcl does not start with * denied for *:\n%s", intentions.Data)
	}
	allowed := callGraph{}
	destination, entries, sources := "", 0, 0
	for i, name := range names {
		switch indents[i] {
		case 4:
			destination = name
			entries++
		case 8:
			if sources >= len(actions) {
				t.Fatalf("intentions.hcl has more sources than actions")
			}
			action := actions[sources]
			sources++
			if destination == "*" {
				continue
			}
			if action != "allow" {
				t.Errorf("intentions.hcl: source %s of %s has action %q; want allow", name, destination, action)
				continue
			}
			allowed.add(name, destination)
		default:
			t.Errorf("intentions.hcl: name %q at indent %d is neither an entry nor a source", name, indents[i])
		}
	}
	if len(kinds) != entries || slices.ContainsFunc(kinds, func(kind string) bool { return kind != "service-intentions" }) {
		t.Errorf("intentions.hcl has kinds %q for %d entries; want service-intentions for each", kinds, entries)
	}
	if sources != len(actions) {
		t.Errorf("intentions.hcl has %d sources and %d actions", sources, len(actions))
	}

	upstreams := callGraph{}
	for _, caller := range append(spec.ServiceNames(), kongContainer) {
		path := composeMeshDir + "/consul/" + caller + "/sidecar.hcl"
		sidecar, ok := files[path]
		if !ok {
			t.Errorf("%s has no sidecar definition", caller)
			continue
		}
		destinations, _ := hclStrings(t, sidecar.Data, "destination_service_name")
		if !slices.Equal(destinations, []string{caller}) {
			t.Errorf("%s proxies %q; want %s", path, destinations, caller)
		}
		callees, _ := hclStrings(t, sidecar.Data, "destination_name")
		for _, callee := range callees {
			upstreams.add(caller, callee)
		}
	}

	if !maps.Equal(allowed, want) {
		t.Errorf("the intentions allow\n  %v\nwant the declared calls\n  %v", allowed, want)
	}
	if !maps.Equal(upstreams, want) {
		t.Errorf("the sidecars lead to\n  %v\nwant the declared calls\n  %v", upstreams, want)
	}
}
