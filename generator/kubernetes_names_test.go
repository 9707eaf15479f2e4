package generator

import (
	"fmt"
	"math/rand/v2"
	"path"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/msgen-dev/msgen/schema"
)

// collidingServiceNames are service names chosen to break a naming scheme
// that joins a service's name and a fixed suffix with a dash. Some names are
// prefixes of others. Others end in the suffixes or start with the prefixes
// of the object names that msgen generates.
var collidingServiceNames = []string{
	"orders", "orders-reads", "orders-reads-reads", "web",
	"orders-config", "orders-callers", "orders-db-init", "orders-1",
	"allow-orders", "mesh-orders", "mesh-orders-reads", "gateway-orders",
	"deny-by-default", "reads",
}

// namesSpec returns the source of a valid spec with the given mesh and
// services, whose manifests contain every kind of object that msgen writes.
// The first service calls every other one, and every service has a route.
// Services at odd indexes own a database, and the other services at an
// index of 2 modulo 3 use a shared one. The first database owner publishes
// an event, and the second subscribes to it.

func namesSpec(mesh string, services []string) []byte {
	discovery := schema.DiscoveryDNS
	if mesh == meshConsulConnect {
		discovery = schema.DiscoveryConsul
	}

	var b strings.Builder
	fmt.Fprintf(&b, "name: \"names\"\nmodule: \"example.com/names\"\n")
	fmt.Fprintf(&b, "targets: [\"compose\", \"kubernetes\"]\nmesh: %q\ndiscovery: %q\n", mesh, discovery)
	b.WriteString("gateway: kong: plugins: {correlationId: true, rateLimiting: minute: 600}\n")
	b.WriteString("databases: shared: {}\n")
	b.WriteString("events: Ping: {id: \"string\"}\n")
	b.WriteString("services: {\n")

	var owners []string
	for i, name := range services {
		fmt.Fprintf(&b, "\t%q: {\n\t\tport: %d\n", name, 8081+i)
		fmt.Fprintf(&b, "\t\troutes: [{path: %q, methods: [\"GET\"]}, {path: %q, methods: [\"PUT\"]}]\n", "/"+name, "/"+name+"/{id}")
		switch {
		case i%2 == 1:
			b.WriteString("\t\tdata: pattern: \"database-per-service\"\n")
			owners = append(owners, name)
			switch len(owners) {
			case 1:
				b.WriteString("\t\tpublishes: [\"Ping\"]\n")
			case 2:
				b.WriteString("\t\tsubscribes: [\"Ping\"]\n")
			}
		case i%3 == 2:
			b.WriteString("\t\tdata: {pattern: \"shared-database\", database: \"shared\"}\n")
		}
		if i == 0 {
			fmt.Fprintf(&b, "\t\tcalls: [%s]\n", quotedList(services[1:]))
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

func quotedList(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = fmt.Sprintf("%q", name)
	}
	return strings.Join(quoted, ", ")
}

// kustomizeBuilds builds the base and both overlays of the generated files
// with kustomize's library, from memory, and returns each build by its
// directory under deploy/k8s.
func kustomizeBuilds(t *testing.T, files map[string]File) map[string]resmap.ResMap {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for p, f := range files {
		if !strings.HasPrefix(p, k8sDir+"/") {
			continue
		}
		if err := fs.MkdirAll(path.Dir("/" + p)); err != nil {
			t.Fatal(err)
		}
		if err := fs.WriteFile("/"+p, f.Data); err != nil {
			t.Fatal(err)
		}
	}

	builds := map[string]resmap.ResMap{}
	for _, target := range []string{"base", "overlays/dev", "overlays/prod"} {
		kustomizer := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
		resources, err := kustomizer.Run(fs, "/"+k8sDir+"/"+target)
		if err != nil {
			t.Errorf("kustomize build %s: %v", target, err)
			continue
		}
		builds[target] = resources
	}
	return builds
}

// checkUniqueObjects checks that no two objects of a build have the same
// API group, kind, namespace and name. The API server stores an object
// under these four, whatever its version, so a second object would replace
// the first.
func checkUniqueObjects(t *testing.T, target string, resources resmap.ResMap) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range resources.Resources() {
		gvk := r.GetGvk()
		key := fmt.Sprintf("%s %s %s/%s", gvk.Group, gvk.Kind, r.GetNamespace(), r.GetName())
		if seen[key] {
			t.Errorf("%s: two objects are %s", target, key)
		}
		seen[key] = true
	}
}

// checkObjectNames generates the spec of namesSpec for every mesh, builds
// every overlay and checks that every object name is unique and valid.
func checkObjectNames(t *testing.T, services []string) {
	t.Helper()
	for _, mesh := range meshes {
		src := namesSpec(mesh, services)
		spec, err := schema.LoadSource("msgen.cue", src)
		if err != nil {
			t.Fatalf("mesh %s: the spec is invalid: %v\n%s", mesh, err, src)
		}
		files := generateFiles(t, spec)

		for target, resources := range kustomizeBuilds(t, files) {
			checkUniqueObjects(t, mesh+" "+target, resources)
			out, err := resources.AsYaml()
			if err != nil {
				t.Fatal(err)
			}
			// decodeManifests checks each name against the rules of its
			// kind.
			if _, err := decodeManifests(mesh+" "+target, out); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestKubernetesObjectNamesAreUnique(t *testing.T) {
	checkObjectNames(t, collidingServiceNames)
}

// serviceNameTokens are the parts of random service names: words of the
// names that msgen generates, so that random names often end in their
// suffixes or start with their prefixes.
var serviceNameTokens = []string{
	"orders", "reads", "config", "callers", "db", "init", "allow", "mesh",
	"gateway", "deny", "by", "default", "a", "b", "1", "2",
}

var serviceNameRe = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// validServiceNames returns, in order, the names that a spec accepts
// together. It drops names whose Go package name an earlier name takes,
// names longer than 40 characters, and names that end in "-db", which may
// be the database host of another service.

func validServiceNames(names []string) []string {
	var valid []string
	packages := map[string]bool{}
	for _, name := range names {
		pkg := schema.GoPackageName(name)
		if !serviceNameRe.MatchString(name) || schema.CheckServiceName(name) != nil || packages[pkg] || strings.HasSuffix(name, "-db") || len(name) > 40 {
			continue
		}
		packages[pkg] = true
		valid = append(valid, name)
	}
	return valid
}

// TestKubernetesObjectNamesRandom checks the object names of specs with
// random service names made of the words of generated names. The seed is
// fixed, so a failure repeats.
func TestKubernetesObjectNamesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	runs := 20
	if testing.Short() {
		runs = 5
	}
	for run := range runs {
		var candidates []string
		for range 12 {
			tokens := make([]string, 1+rng.IntN(4))
			for i := range tokens {
				tokens[i] = serviceNameTokens[rng.IntN(len(serviceNameTokens))]
			}
			candidates = append(candidates, strings.Join(tokens, "-"))
		}
		services := validServiceNames(candidates)
		if len(services) < 2 {
			continue
		}
		t.Run(fmt.Sprint(run), func(t *testing.T) {
			t.Logf("services: %q", services)
			checkObjectNames(t, services)
		})
	}
}

// FuzzKubernetesObjectNames checks the object names of specs whose service
// names the fuzzer chooses, separated by spaces. Run it beyond the seed
// corpus with: go test ./generator -fuzz FuzzKubernetesObjectNames
func FuzzKubernetesObjectNames(f *testing.F) {
	f.Add(strings.Join(collidingServiceNames, " "))
	f.Add("web orders orders-reads")
	f.Fuzz(func(t *testing.T, names string) {
		services := validServiceNames(strings.Fields(names))
		if len(services) < 2 || len(services) > 16 {
			return
		}
		checkObjectNames(t, services)
	})
}
