package generator

import (
	"bytes"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/msgen-dev/msgen/schema"
)

// kubernetesVariants are the specs whose Kubernetes manifests the data
// layer's tests check: the shop with each mesh, the shop with Consul
// discovery and no mesh, and the online-boutique example.
func kubernetesVariants(t *testing.T) map[string]*schema.Spec {
	t.Helper()
	variants := map[string]*schema.Spec{}
	for _, mesh := range meshes {
		variants["shop-"+mesh] = shopKubernetesSpec(t, mesh, discoveryFor(mesh))
	}
	variants["shop-consul"] = shopKubernetesSpec(t, meshNone, schema.DiscoveryConsul)
	boutique := boutiqueSpec(t)
	if !wantsKubernetes(boutique) {
		t.Fatal("the online-boutique example no longer targets kubernetes; update this test")
	}
	variants["online-boutique"] = boutique
	return variants
}

// loadGeneratedCompose loads the generated docker-compose.yml with
// compose-go, every required variable set.
func loadGeneratedCompose(t *testing.T, files map[string]File) *types.Project {
	t.Helper()
	project, err := loadCompose(writeFiles(t, files), exampleEnv(t, files))
	if err != nil {
		t.Fatalf("compose-go rejects docker-compose.yml: %v", err)
	}
	return project
}

// deploymentEnv returns the names of the variables that a Deployment's
// container gets: the keys of its ConfigMaps and its own env.
func deploymentEnv(t *testing.T, d *appsv1.Deployment, configMaps map[string]*corev1.ConfigMap) []string {
	t.Helper()
	var names []string
	c := d.Spec.Template.Spec.Containers[0]
	for _, source := range c.EnvFrom {
		if source.ConfigMapRef == nil {
			t.Errorf("%s: envFrom %+v is not a ConfigMap", d.Name, source)
			continue
		}
		cm, ok := configMaps[source.ConfigMapRef.Name]
		if !ok {
			t.Errorf("%s: its ConfigMap %q is missing", d.Name, source.ConfigMapRef.Name)
			continue
		}
		names = append(names, slices.Collect(maps.Keys(cm.Data))...)
	}
	for _, env := range c.Env {
		names = append(names, env.Name)
	}
	slices.Sort(names)
	return names
}

// TestKubernetesEnvMatchesCompose compares the names of each service's
// variables in compose and on Kubernetes, so that both targets run the
// same runtime contract: the data layer's DATABASE_URL and NATS_URL, the
// secrets and the spec's env. Only discovery's and the mesh's settings may
// differ. Kubernetes always sets the callees' URLs to their Services, while
// compose leaves them to Consul or to the default URL that the service has
// built in. Compose sets CONSUL_HTTP_ADDR, with which a service registers
// with Consul, and Kubernetes does not, because Consul registers the pods
// there. Compose's mesh sets LISTEN_ADDRESS, which Kubernetes does not need.
func TestKubernetesEnvMatchesCompose(t *testing.T) {
	for name, spec := range kubernetesVariants(t) {
		t.Run(name, func(t *testing.T) {
			files := generateFiles(t, spec)
			project := loadGeneratedCompose(t, files)
			base := decodeGeneratedManifests(t, files, "deploy/k8s/base/")
			configMaps := map[string]*corev1.ConfigMap{}
			for _, cm := range objectsOf[*corev1.ConfigMap](base) {
				configMaps[cm.Name] = cm
			}
			deployments := map[string]*appsv1.Deployment{}
			for _, d := range objectsOf[*appsv1.Deployment](base) {
				deployments[d.Name] = d
			}

			for _, svc := range spec.SortedServices() {
				container, ok := project.Services[svc.Name]
				if !ok {
					t.Errorf("service %s has no compose service", svc.Name)
					continue
				}
				d, ok := deployments[svc.Name]
				if !ok {
					t.Errorf("service %s has no Deployment", svc.Name)
					continue
				}
				composeNames := slices.Sorted(maps.Keys(container.Environment))
				k8sNames := deploymentEnv(t, d, configMaps)

				calleeURLs := map[string]bool{}
				for _, callee := range svc.Calls {
					calleeURLs[schema.EnvPrefix(callee)+"URL"] = true
				}
				for _, comp := range spec.Compositions {
					if comp.Composer != svc.Name {
						continue
					}
					for _, source := range comp.From {
						calleeURLs[schema.EnvPrefix(source)+"URL"] = true
					}
				}

				for _, name := range composeNames {
					// Compose's mesh binds each service to the loopback
					// address it shares with its Envoy sidecar. On
					// Kubernetes the mesh redirects traffic itself, and
					// the service listens on every interface.
					if name == "LISTEN_ADDRESS" && composeMeshEnabled(spec) {
						continue
					}
					if !slices.Contains(k8sNames, name) && name != "CONSUL_HTTP_ADDR" {
						t.Errorf("%s: compose sets %s, its Deployment does not", svc.Name, name)
					}
				}
				for _, name := range k8sNames {
					if !slices.Contains(composeNames, name) && !calleeURLs[name] {
						t.Errorf("%s: its Deployment sets %s, compose does not", svc.Name, name)
					}
				}
				if isBrokerClient(spec, svc) && !slices.Contains(k8sNames, "NATS_URL") {
					t.Errorf("%s uses the broker, but its Deployment lacks NATS_URL", svc.Name)
				}
			}
		})
	}
}

// TestKubernetesBroker checks the dev overlay's NATS server against the
// compose container and the prod overlay's external endpoint.
func TestKubernetesBroker(t *testing.T) {
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			files := generateFiles(t, spec)
			project := loadGeneratedCompose(t, files)
			dev := decodeGeneratedManifests(t, files, "deploy/k8s/overlays/dev/")
			prod := decodeGeneratedManifests(t, files, "deploy/k8s/overlays/prod/")

			var broker *appsv1.StatefulSet
			for _, s := range objectsOf[*appsv1.StatefulSet](dev) {
				if s.Name == "nats" {
					broker = s
				}
			}
			if broker == nil {
				t.Fatal("the dev overlay has no StatefulSet nats")
			}
			c := broker.Spec.Template.Spec.Containers[0]

			// The same server as compose's: its image and its flags, which
			// turn JetStream on and keep its store on the volume.
			if want := project.Services["nats"].Image; c.Image != want {
				t.Errorf("nats runs %s; compose runs %s", c.Image, want)
			}
			if want := []string(project.Services["nats"].Command); !slices.Equal(c.Args, want) {
				t.Errorf("nats args = %q; compose's command is %q", c.Args, want)
			}
			storeDir := ""
			if i := slices.Index(c.Args, "--store_dir"); i >= 0 && i+1 < len(c.Args) {
				storeDir = c.Args[i+1]
			}
			claims := map[string]bool{}
			for _, claim := range broker.Spec.VolumeClaimTemplates {
				claims[claim.Name] = true
			}
			stored := false
			for _, mount := range c.VolumeMounts {
				stored = stored || (mount.MountPath == storeDir && claims[mount.Name])
			}
			if storeDir == "" || !stored {
				t.Errorf("nats keeps JetStream's store in %q, which no volume claim template backs: %+v", storeDir, c.VolumeMounts)
			}

			// Every probe waits for JetStream on the monitoring port, which
			// the Service leaves out.
			monitor := ""
			for _, port := range c.Ports {
				if port.ContainerPort == brokerMonitorPort {
					monitor = port.Name
				}
			}
			for kind, probe := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
				if probe == nil || probe.HTTPGet == nil {
					t.Errorf("nats has no HTTP %s probe", kind)
					continue
				}
				if probe.HTTPGet.Path != "/healthz?js-enabled-only=true" || probe.HTTPGet.Port.String() != monitor {
					t.Errorf("nats %s probe gets %s on port %s; want /healthz?js-enabled-only=true on %q", kind, probe.HTTPGet.Path, probe.HTTPGet.Port.String(), monitor)
				}
			}

			for _, svc := range objectsOf[*corev1.Service](dev) {
				if svc.Name != "nats" {
					continue
				}
				if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != brokerPort {
					t.Errorf("the Service nats has the ports %+v; want the client port %d only", svc.Spec.Ports, brokerPort)
				}
			}

			external := false
			for _, svc := range objectsOf[*corev1.Service](prod) {
				if svc.Name == "nats" {
					external = svc.Spec.Type == corev1.ServiceTypeExternalName && svc.Spec.ExternalName != ""
				}
			}
			if !external {
				t.Error("the prod overlay has no ExternalName Service nats")
			}
			if len(objectsOf[*appsv1.StatefulSet](prod)) > 0 {
				t.Error("the prod overlay runs a StatefulSet")
			}

			// NATS speaks first on a connection, so Linkerd must not wait
			// to detect the client's protocol, on either side.
			if mesh == meshLinkerd {
				for _, server := range objectsOf[*linkerdServer](dev) {
					if server.Name == "nats" && server.Spec.ProxyProtocol != "opaque" {
						t.Errorf("the Linkerd Server nats has the protocol %q; want opaque", server.Spec.ProxyProtocol)
					}
				}
				for _, svc := range objectsOf[*corev1.Service](dev) {
					if svc.Name == "nats" && svc.Annotations["config.linkerd.io/opaque-ports"] != "4222" {
						t.Errorf("the Service nats has the annotations %v; want config.linkerd.io/opaque-ports 4222", svc.Annotations)
					}
				}
				if got := broker.Spec.Template.Annotations["config.linkerd.io/opaque-ports"]; got != "4222" {
					t.Errorf("the pods of nats have the opaque ports %q; want 4222", got)
				}
			}
		})
	}
}

// TestKubernetesStatefulSetsHaveHeadlessServices checks that the Service
// that governs each StatefulSet, its serviceName, is a headless Service of
// its pods, which gives each pod its DNS name. Consul's mesh registers a
// pod once per Service that selects it, and a pod with two never starts, so
// the headless Service carries consul-k8s's service-ignore label. Consul's
// catalog sync leaves it out by its service-sync annotation.
func TestKubernetesStatefulSetsHaveHeadlessServices(t *testing.T) {
	for name, spec := range kubernetesVariants(t) {
		t.Run(name, func(t *testing.T) {
			files := generateFiles(t, spec)
			dev := append(decodeGeneratedManifests(t, files, "deploy/k8s/base/"), decodeGeneratedManifests(t, files, "deploy/k8s/overlays/dev/")...)
			workloads := workloadsOf(dev)
			services := map[string]*corev1.Service{}
			for _, svc := range objectsOf[*corev1.Service](dev) {
				services[svc.Name] = svc
			}

			statefulSets := objectsOf[*appsv1.StatefulSet](dev)
			if len(statefulSets) == 0 {
				t.Fatal("the dev overlay has no StatefulSet")
			}
			for _, s := range statefulSets {
				governing, ok := services[s.Spec.ServiceName]
				if !ok {
					t.Errorf("StatefulSet %s names the Service %q, which does not exist", s.Name, s.Spec.ServiceName)
					continue
				}
				if governing.Spec.ClusterIP != corev1.ClusterIPNone {
					t.Errorf("StatefulSet %s is governed by Service %s, which is not headless: clusterIP %q", s.Name, governing.Name, governing.Spec.ClusterIP)
				}
				if selected := selectedWorkloads(t, workloads, &metav1.LabelSelector{MatchLabels: governing.Spec.Selector}); !slices.Equal(selected, []string{s.Name}) {
					t.Errorf("the headless Service %s selects %q; want the pods of %s", governing.Name, selected, s.Name)
				}
				if clients, ok := services[s.Name]; !ok || clients.Spec.ClusterIP == corev1.ClusterIPNone {
					t.Errorf("StatefulSet %s has no Service with a cluster IP for its clients", s.Name)
				}

				ignored := governing.Labels["consul.hashicorp.com/service-ignore"] == "true"
				if mesh := spec.Mesh == meshConsulConnect; ignored != mesh {
					t.Errorf("the headless Service %s has the label service-ignore %v; want %v with Consul's mesh", governing.Name, ignored, mesh)
				}
				synced := governing.Annotations["consul.hashicorp.com/service-sync"] != "false"
				if sync := spec.Discovery == schema.DiscoveryConsul && spec.Mesh != meshConsulConnect; sync && synced {
					t.Errorf("Consul's catalog sync would register the headless Service %s: it lacks the annotation service-sync false", governing.Name)
				}
			}
		})
	}
}

// TestKubernetesWithoutBroker checks that a system whose services use no
// events and no sagas gets no NATS server, no policy for it and no
// NATS_URL, as in compose.
func TestKubernetesWithoutBroker(t *testing.T) {
	spec := shopKubernetesSpec(t, meshNone, schema.DiscoveryDNS)
	spec.Sagas = nil
	for _, svc := range spec.Services {
		svc.Publishes, svc.Subscribes = nil, nil
	}
	files := generateFiles(t, spec)

	for _, overlay := range []string{"dev", "prod"} {
		dir := k8sDir + "/overlays/" + overlay
		if _, ok := files[dir+"/broker.yaml"]; ok {
			t.Errorf("%s/broker.yaml is generated for a system without events", dir)
		}
		if strings.Contains(string(files[dir+"/kustomization.yaml"].Data), "broker.yaml") {
			t.Errorf("%s/kustomization.yaml lists broker.yaml", dir)
		}
	}
	manifests := append(decodeGeneratedManifests(t, files, "deploy/k8s/base/"), decodeGeneratedManifests(t, files, "deploy/k8s/overlays/")...)
	for _, m := range manifests {
		if m.Name == "nats" || m.Name == "allow-nats" {
			t.Errorf("%s: %s %s is generated for a system without events", m.File, m.Kind, m.Name)
		}
	}
	for _, cm := range objectsOf[*corev1.ConfigMap](manifests) {
		if _, ok := cm.Data["NATS_URL"]; ok {
			t.Errorf("ConfigMap %s sets NATS_URL", cm.Name)
		}
	}
}

// TestKubernetesSharedDatabaseRoles checks that the dev overlay's shared
// database creates each service's role and schema with the script that
// compose runs, from passwords in Secret references.
func TestKubernetesSharedDatabaseRoles(t *testing.T) {
	spec := shopKubernetesSpec(t, meshNone, schema.DiscoveryDNS)
	files := generateFiles(t, spec)
	project := loadGeneratedCompose(t, files)
	dev := decodeGeneratedManifests(t, files, "deploy/k8s/overlays/dev/")

	configMaps := map[string]*corev1.ConfigMap{}
	for _, cm := range objectsOf[*corev1.ConfigMap](dev) {
		configMaps[cm.Name] = cm
	}
	statefulSets := map[string]*appsv1.StatefulSet{}
	for _, s := range objectsOf[*appsv1.StatefulSet](dev) {
		statefulSets[s.Name] = s
	}

	shared := 0
	for _, database := range spec.DatabaseNames() {
		services := sharingServices(spec, database)
		if len(services) == 0 {
			continue
		}
		shared++
		host := database + "-db"
		s, ok := statefulSets[host]
		if !ok {
			t.Errorf("the shared database %s has no StatefulSet", database)
			continue
		}
		c := s.Spec.Template.Spec.Containers[0]

		// Compose mounts the script as one file in the image's init
		// directory. Kubernetes mounts a ConfigMap there whose only key is
		// that file, with the script's bytes.
		var composeScript string
		for _, vol := range project.Services[host].Volumes {
			if vol.Type == types.VolumeTypeBind && strings.HasPrefix(vol.Target, postgresInitDir+"/") {
				composeScript = path.Base(vol.Target)
			}
		}
		mounted := ""
		for _, mount := range c.VolumeMounts {
			if mount.MountPath == postgresInitDir {
				mounted = mount.Name
			}
		}
		var script map[string]string
		for _, vol := range s.Spec.Template.Spec.Volumes {
			if vol.Name == mounted && vol.ConfigMap != nil {
				if cm, ok := configMaps[vol.ConfigMap.Name]; ok {
					script = cm.Data
				}
				if mode := vol.ConfigMap.DefaultMode; mode == nil || *mode&0o111 != 0o111 {
					t.Errorf("%s mounts its init script without the executable bit: mode %v", host, mode)
				}
			}
		}
		if got := slices.Sorted(maps.Keys(script)); !slices.Equal(got, []string{composeScript}) {
			t.Errorf("%s mounts the files %q at %s; want %q, as compose does", host, got, postgresInitDir, composeScript)
		}
		if want := string(files[sharedDatabaseInitPath(database)].Data); script[composeScript] != want {
			t.Errorf("%s: its %s differs from %s:\n%s", host, composeScript, sharedDatabaseInitPath(database), script[composeScript])
		}

		// The script reads the same password variables as in compose.
		var composeEnv []string
		for name := range project.Services[host].Environment {
			if strings.HasSuffix(name, "_DB_PASSWORD") {
				composeEnv = append(composeEnv, name)
			}
		}
		secrets := map[string]corev1.SecretKeySelector{}
		for _, env := range c.Env {
			if env.ValueFrom != nil && env.ValueFrom.SecretKeyRef != nil && env.Name != "POSTGRES_PASSWORD" {
				secrets[env.Name] = *env.ValueFrom.SecretKeyRef
			}
		}
		if got := slices.Sorted(maps.Keys(secrets)); !slices.Equal(got, slices.Sorted(slices.Values(composeEnv))) {
			t.Errorf("%s gets the passwords %q; compose gives it %q", host, got, composeEnv)
		}
		for _, service := range services {
			ref := secrets[service.PasswordVar]
			if ref.Name != host || ref.Key != service.Name+"-password" {
				t.Errorf("%s reads %s from %+v; want key %s-password of Secret %s", host, service.PasswordVar, ref, service.Name, host)
			}
		}
	}
	if shared == 0 {
		t.Fatal("the shop has no shared database with services; update this test")
	}
}

// kubectlSecrets parses the README's kubectl commands that create Secrets
// into the keys of each Secret.
func kubectlSecrets(t *testing.T, readme string) map[string][]string {
	t.Helper()
	secrets := map[string][]string{}
	commands := strings.Split(strings.ReplaceAll(readme, " \\\n  ", " "), "\n")
	for _, command := range commands {
		name, options, found := strings.Cut(command, " create secret generic ")
		if !found || !strings.HasPrefix(name, "kubectl -n ") {
			continue
		}
		fields := strings.Fields(options)
		for _, field := range fields[1:] {
			literal, ok := strings.CutPrefix(field, "--from-literal=")
			if !ok {
				t.Errorf("README.md: %q in the command for Secret %s is not --from-literal", field, fields[0])
				continue
			}
			key, _, _ := strings.Cut(literal, "=")
			secrets[fields[0]] = append(secrets[fields[0]], key)
		}
	}
	return secrets
}

// secretReferences returns the keys of each Secret that manifests refer
// to.
func secretReferences(manifests []k8sObject) map[string][]string {
	refs := map[string][]string{}
	for _, w := range workloadsOf(manifests) {
		for _, c := range w.pod.Spec.Containers {
			for _, env := range c.Env {
				if env.ValueFrom != nil && env.ValueFrom.SecretKeyRef != nil {
					ref := env.ValueFrom.SecretKeyRef
					refs[ref.Name] = append(refs[ref.Name], ref.Key)
				}
			}
		}
	}
	return refs
}

// TestKubernetesReadmeCreatesSecrets checks that the README's commands
// create exactly the Secrets and keys that the dev overlay refers to.
func TestKubernetesReadmeCreatesSecrets(t *testing.T) {
	for name, spec := range kubernetesVariants(t) {
		t.Run(name, func(t *testing.T) {
			files := generateFiles(t, spec)
			dev := append(decodeGeneratedManifests(t, files, "deploy/k8s/base/"), decodeGeneratedManifests(t, files, "deploy/k8s/overlays/dev/")...)

			created := kubectlSecrets(t, string(files["README.md"].Data))
			referred := secretReferences(dev)
			if len(created) == 0 {
				t.Fatal("README.md creates no Secret")
			}
			for secret, keys := range referred {
				for _, key := range keys {
					if !slices.Contains(created[secret], key) {
						t.Errorf("the dev overlay reads key %s of Secret %s, which README.md does not create", key, secret)
					}
				}
			}
			for secret, keys := range created {
				for _, key := range keys {
					if !slices.Contains(referred[secret], key) {
						t.Errorf("README.md creates key %s of Secret %s, which the dev overlay does not read", key, secret)
					}
				}
			}
		})
	}
}

// TestGoldenShopKubernetes compares the Kubernetes manifests of the shop,
// with targets compose and kubernetes and no mesh, with a golden file. The
// bundled examples do not show the broker and a shared database on
// Kubernetes, and this one does.
func TestGoldenShopKubernetes(t *testing.T) {
	var manifests []File
	files, err := Generate(shopKubernetesSpec(t, meshNone, schema.DiscoveryDNS))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	for _, f := range files {
		if strings.HasPrefix(f.Path, k8sDir+"/") {
			manifests = append(manifests, f)
		}
	}
	got := goldenArchive(manifests)

	golden := filepath.Join("..", "testdata", "golden", "shop-kubernetes.txtar")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test ./generator -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the shop's Kubernetes manifests differ from %s; review the change and run go test ./generator -update\n%s", golden, firstDifference(want, got))
	}
}
