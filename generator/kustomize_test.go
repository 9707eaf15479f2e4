package generator

import (
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TestKustomizeBuildsEveryOverlay builds the base and both overlays with
// kustomize's library, as `kubectl kustomize` does, and decodes the result
// strictly: kustomize accepts the kustomizations, finds every resource and
// moves every object but the Namespace into the system's namespace.
func TestKustomizeBuildsEveryOverlay(t *testing.T) {
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			files := generateFiles(t, spec)
			dir := writeFiles(t, files)

			for _, target := range []string{"base", "overlays/dev", "overlays/prod"} {
				kustomizer := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
				resources, err := kustomizer.Run(filesys.MakeFsOnDisk(), filepath.Join(dir, "deploy", "k8s", filepath.FromSlash(target)))
				if err != nil {
					t.Fatalf("kustomize build %s: %v", target, err)
				}
				out, err := resources.AsYaml()
				if err != nil {
					t.Fatal(err)
				}
				manifests, err := decodeManifests(target, out)
				if err != nil {
					t.Fatalf("kustomize build %s: %v", target, err)
				}

				// The system's Namespace is its only cluster-wide object, so
				// deleting an overlay leaves those of other systems alone.
				for _, r := range resources.Resources() {
					if r.GetKind() == "Namespace" {
						continue
					}
					if r.GetKind() == "GatewayClass" {
						t.Errorf("%s: the cluster-wide GatewayClass %s is in the build", target, r.GetName())
						continue
					}
					if r.GetNamespace() != spec.Name {
						t.Errorf("%s: %s %s is in namespace %q; want %q", target, r.GetKind(), r.GetName(), r.GetNamespace(), spec.Name)
					}
				}
				if target == "overlays/dev" {
					checkWorkloads(t, manifests)
					checkSelectors(t, manifests)
				}
			}
		})
	}
}
