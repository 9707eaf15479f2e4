package generator

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/semver"

	"github.com/msgen-dev/msgen/schema"
)

// readmeK8sCommands returns the shell commands of the README's Kubernetes
// section in the order that the reader runs them, each continued line
// joined to its command.
func readmeK8sCommands(t *testing.T, readme string) []string {
	t.Helper()
	_, section, found := strings.Cut(readme, "\n## Kubernetes\n")
	if !found {
		t.Fatal("README.md has no Kubernetes section")
	}
	section, _, _ = strings.Cut(section, "\n## ")

	var commands []string
	inBlock := false
	continued := false
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			inBlock = true
			continue
		case strings.HasPrefix(line, "```"):
			inBlock = false
			continue
		case !inBlock || strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
			continue
		}
		text := strings.TrimSuffix(strings.TrimSpace(line), "\\")
		if continued {
			commands[len(commands)-1] += " " + strings.TrimSpace(text)
		} else {
			commands = append(commands, strings.TrimSpace(text))
		}
		continued = strings.HasSuffix(line, "\\")
	}
	return commands
}

// commandIndex returns the index of the first command that starts with
// prefix, or -1.
func commandIndex(commands []string, prefix string) int {
	return slices.IndexFunc(commands, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

// lastCommandIndex returns the index of the last command that starts with
// prefix, or -1.
func lastCommandIndex(commands []string, prefix string) int {
	for i := len(commands) - 1; i >= 0; i-- {
		if strings.HasPrefix(commands[i], prefix) {
			return i
		}
	}
	return -1
}

// TestKubernetesReadmeInstallsMeshBeforeKong checks the order of the
// README's install steps. A mesh injects its proxy into a pod when the pod
// is created, so Kong's pods get one only when the mesh's control plane and
// the kong namespace's injection setting exist before Kong is installed.
// Without the proxy, the policies, which admit Kong by its mesh identity,
// refuse every request that Kong routes.
func TestKubernetesReadmeInstallsMeshBeforeKong(t *testing.T) {
	controlPlanes := map[string]string{
		meshIstio:         "istioctl install",
		meshLinkerd:       "linkerd install",
		meshConsulConnect: "helm install consul",
	}
	injections := map[string]string{
		meshIstio:   "kubectl label namespace kong istio-injection=enabled",
		meshLinkerd: "kubectl annotate namespace kong linkerd.io/inject=ingress",
	}

	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			commands := readmeK8sCommands(t, string(generateFiles(t, spec)["README.md"].Data))

			kong := commandIndex(commands, "helm install kong kong/ingress")
			if kong < 0 {
				t.Fatalf("README.md does not install Kong: %q", commands)
			}
			if crds := commandIndex(commands, "kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/"); crds < 0 || crds > kong {
				t.Errorf("README.md installs the Gateway API CRDs at step %d, Kong at step %d; want the CRDs first", crds, kong)
			}
			if namespace := commandIndex(commands, "kubectl create namespace kong"); namespace < 0 || namespace > kong {
				t.Errorf("README.md creates the kong namespace at step %d, installs Kong at step %d; want the namespace first", namespace, kong)
			}
			if mesh == meshNone {
				return
			}

			// Linkerd installs its CRDs and then its control plane.
			controlPlane := lastCommandIndex(commands, controlPlanes[mesh])
			if controlPlane < 0 || controlPlane > kong {
				t.Errorf("README.md installs the mesh with %q at step %d, Kong at step %d; want the mesh first", controlPlanes[mesh], controlPlane, kong)
			}
			if injection, ok := injections[mesh]; ok {
				at := commandIndex(commands, injection)
				if at < 0 || at < controlPlane || at > kong {
					t.Errorf("README.md runs %q at step %d; want it after the mesh (step %d) and before Kong (step %d)", injection, at, controlPlane, kong)
				}
			}
			// Consul injects pods by their annotations, which Kong's Helm
			// values set.
			if mesh == meshConsulConnect && !strings.Contains(commands[kong], "connect-inject=true") {
				t.Errorf("README.md installs Kong without Consul's injection annotation: %s", commands[kong])
			}
		})
	}
}

// TestKubernetesReadmeInstallsConsul checks how the README installs Consul
// with Consul discovery. The services do not register themselves on
// Kubernetes, so Consul's injector registers the pods of its mesh, and its
// catalog sync registers the Services without it. The chart must leave the
// Gateway API CRDs, which the README installs first, alone.
func TestKubernetesReadmeInstallsConsul(t *testing.T) {
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, schema.DiscoveryConsul)
			commands := readmeK8sCommands(t, string(generateFiles(t, spec)["README.md"].Data))

			at := commandIndex(commands, "helm install consul hashicorp/consul")
			if at < 0 {
				t.Fatalf("README.md does not install Consul: %q", commands)
			}
			install := commands[at]
			want := []string{"--set connectInject.apiGateway.manageExternalCRDs=false"}
			if mesh == meshConsulConnect {
				want = append(want, "--set connectInject.enabled=true")
			} else {
				want = append(want,
					"--set connectInject.enabled=false",
					"--set syncCatalog.enabled=true",
					"--set syncCatalog.toK8S=false",
					"--set 'syncCatalog.k8sAllowNamespaces={"+spec.Name+"}'")
			}
			for _, flag := range want {
				if !strings.Contains(install, flag) {
					t.Errorf("README.md installs Consul without %s: %s", flag, install)
				}
			}
		})
	}
}

// TestKubernetesReadmeGatewayAPIVersion checks the release of the Gateway
// API CRDs that the README installs. Linkerd's compatibility table lists
// releases 1.1.1 to 1.2.1 for Linkerd 2.18 and 2.19, and the HTTPRoutes
// of its policies use request timeouts, which the standard channel has
// from 1.2.0 on.
func TestKubernetesReadmeGatewayAPIVersion(t *testing.T) {
	const prefix = "kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/"
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			commands := readmeK8sCommands(t, string(generateFiles(t, spec)["README.md"].Data))

			at := commandIndex(commands, prefix)
			if at < 0 {
				t.Fatalf("README.md does not install the Gateway API CRDs: %q", commands)
			}
			version, file, _ := strings.Cut(strings.TrimPrefix(commands[at], prefix), "/")
			if !semver.IsValid(version) || file != "standard-install.yaml" {
				t.Fatalf("README.md installs %s of release %q; want standard-install.yaml of a release", file, version)
			}
			if mesh == meshLinkerd && (semver.Compare(version, "v1.2.0") < 0 || semver.Compare(version, "v1.2.1") > 0) {
				t.Errorf("README.md installs the Gateway API %s with Linkerd; want v1.2.0 or v1.2.1", version)
			}
		})
	}
}

// TestKubernetesReadmeAppliesGatewayClass checks that the README applies
// Kong's GatewayClass, which no overlay contains, after Kong and before the
// overlay, whose Gateway uses it.
func TestKubernetesReadmeAppliesGatewayClass(t *testing.T) {
	spec := shopKubernetesSpec(t, meshNone, schema.DiscoveryDNS)
	files := generateFiles(t, spec)
	if _, ok := files[k8sDir+"/cluster/gatewayclass.yaml"]; !ok {
		t.Fatal("deploy/k8s/cluster/gatewayclass.yaml is not generated")
	}
	commands := readmeK8sCommands(t, string(files["README.md"].Data))

	kong := commandIndex(commands, "helm install kong kong/ingress")
	class := commandIndex(commands, "kubectl apply -f deploy/k8s/cluster/gatewayclass.yaml")
	overlay := commandIndex(commands, "kubectl apply -k deploy/k8s/overlays/dev")
	if kong < 0 || class < 0 || overlay < 0 {
		t.Fatalf("README.md installs Kong at step %d, the GatewayClass at step %d and the overlay at step %d; want all three", kong, class, overlay)
	}
	if class < kong || class > overlay {
		t.Errorf("README.md applies the GatewayClass at step %d; want it after Kong (step %d) and before the overlay (step %d)", class, kong, overlay)
	}
}

// TestReadmeSagaStepsGoThroughNATS checks that the README says that saga
// steps travel through NATS, and that the mesh policies allow no HTTP
// call for a saga step that calls does not declare as well: the
// orchestrator sends each step's command to the broker.
func TestReadmeSagaStepsGoThroughNATS(t *testing.T) {
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			if len(spec.Sagas) == 0 {
				t.Fatal("the shop has no saga; update this test")
			}
			files := generateFiles(t, spec)
			readme := string(files["README.md"].Data)

			_, architecture, _ := strings.Cut(readme, "\n## Architecture\n")
			architecture, _, _ = strings.Cut(architecture, "```mermaid")
			_, sagas, found := strings.Cut(architecture, "Thick arrows are saga steps")
			sagas, _, _ = strings.Cut(sagas, ".")
			if !found || !strings.Contains(sagas, "NATS") || !strings.Contains(sagas, "not HTTP") {
				t.Errorf("README.md's architecture does not say that saga steps go through NATS, not HTTP:\n%s", architecture)
			}
			_, k8s, _ := strings.Cut(readme, "\n## Kubernetes\n")
			k8s, _, _ = strings.Cut(k8s, "\n### ")
			if !strings.Contains(k8s, "Saga steps and events travel through NATS") {
				t.Errorf("README.md's Kubernetes section does not say that saga steps need no connection between services:\n%s", k8s)
			}

			base := decodeGeneratedManifests(t, files, "deploy/k8s/base/")
			allowed := allowedCallGraph(t, mesh, spec.Name, base)
			for name, saga := range spec.Sagas {
				orchestrator := spec.Services[saga.Orchestrator]
				for _, step := range saga.Steps {
					if slices.Contains(serviceCallees(spec, orchestrator), step.Service) {
						continue
					}
					if allowed[saga.Orchestrator+" -> "+step.Service] {
						t.Errorf("the policies allow %s to call %s, which only saga %s's step links", saga.Orchestrator, step.Service, name)
					}
				}
			}
		})
	}
}
