package generator

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/msgen-dev/msgen/schema"
)

var meshes = []string{meshNone, meshIstio, meshLinkerd, meshConsulConnect}

// discoveryFor returns the discovery that a spec with mesh must have:
// Consul Connect needs Consul.
func discoveryFor(mesh string) string {
	if mesh == meshConsulConnect {
		return schema.DiscoveryConsul
	}
	return schema.DiscoveryDNS
}

// workload is a Deployment or StatefulSet: its name, selector and pods.
type workload struct {
	name     string
	selector *metav1.LabelSelector
	pod      corev1.PodTemplateSpec
}

func workloadsOf(manifests []k8sObject) []workload {
	var workloads []workload
	for _, d := range objectsOf[*appsv1.Deployment](manifests) {
		workloads = append(workloads, workload{d.Name, d.Spec.Selector, d.Spec.Template})
	}
	for _, s := range objectsOf[*appsv1.StatefulSet](manifests) {
		workloads = append(workloads, workload{s.Name, s.Spec.Selector, s.Spec.Template})
	}
	return workloads
}

// selectedWorkloads returns the names of the workloads whose pods selector
// selects.
func selectedWorkloads(t *testing.T, workloads []workload, selector *metav1.LabelSelector) []string {
	t.Helper()
	sel, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		t.Fatalf("invalid selector %v: %v", selector, err)
	}
	if sel.Empty() {
		t.Fatalf("selector %v selects every pod", selector)
	}
	var names []string
	for _, w := range workloads {
		if sel.Matches(labels.Set(w.pod.Labels)) {
			names = append(names, w.name)
		}
	}
	return names
}

func TestKubernetesManifestsDecodeStrictly(t *testing.T) {
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			spec := shopKubernetesSpec(t, mesh, discoveryFor(mesh))
			files := generateFiles(t, spec)

			for _, prefix := range []string{"deploy/k8s/cluster/", "deploy/k8s/base/", "deploy/k8s/overlays/dev/", "deploy/k8s/overlays/prod/"} {
				manifests := decodeGeneratedManifests(t, files, prefix)
				if len(manifests) == 0 {
					t.Errorf("%s holds no object", prefix)
				}
			}
		})
	}
}

func TestKubernetesWorkloadsAreConsistent(t *testing.T) {
	for _, discovery := range []string{schema.DiscoveryDNS, schema.DiscoveryConsul} {
		t.Run(discovery, func(t *testing.T) {
			spec := shopKubernetesSpec(t, meshNone, discovery)
			files := generateFiles(t, spec)
			base := decodeGeneratedManifests(t, files, "deploy/k8s/base/")
			dev := append(slices.Clone(base), decodeGeneratedManifests(t, files, "deploy/k8s/overlays/dev/")...)

			checkWorkloads(t, dev)
			checkSelectors(t, dev)
			checkServiceContract(t, spec, base)
			checkAutoscaling(t, spec, base)
		})
	}
}

// checkWorkloads checks that every pod runs as non-root on a read-only file
// system without capabilities, and that every container has its probes and
// resources.
func checkWorkloads(t *testing.T, manifests []k8sObject) {
	t.Helper()
	workloads := workloadsOf(manifests)
	if len(workloads) == 0 {
		t.Fatal("no Deployment or StatefulSet")
	}

	for _, w := range workloads {
		sel, err := metav1.LabelSelectorAsSelector(w.selector)
		if err != nil || sel.Empty() {
			t.Errorf("%s: invalid or empty selector %v: %v", w.name, w.selector, err)
		} else if !sel.Matches(labels.Set(w.pod.Labels)) {
			t.Errorf("%s: selector %v does not match its pod labels %v", w.name, w.selector, w.pod.Labels)
		}

		pod := w.pod.Spec
		if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Errorf("%s: the pod does not set runAsNonRoot", w.name)
		}
		volumes := map[string]bool{}
		for _, v := range pod.Volumes {
			volumes[v.Name] = true
		}

		for _, c := range pod.Containers {
			name := w.name + "/" + c.Name
			ports := map[string]bool{}
			for _, p := range c.Ports {
				ports[p.Name] = true
			}
			for kind, probe := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
				if probe == nil {
					t.Errorf("%s: no %s probe", name, kind)
					continue
				}
				if probe.PeriodSeconds < 1 || probe.TimeoutSeconds < 1 || probe.FailureThreshold < 1 {
					t.Errorf("%s: %s probe timing %+v is incomplete", name, kind, probe)
				}
				if get := probe.HTTPGet; get != nil && get.Port.StrVal != "" && !ports[get.Port.StrVal] {
					t.Errorf("%s: %s probe uses the port %q, which the container does not name", name, kind, get.Port.StrVal)
				}
			}

			sc := c.SecurityContext
			if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				t.Errorf("%s: the root file system is not read-only", name)
			}
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s: privilege escalation is not disabled", name)
			}
			if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
				t.Errorf("%s: not all capabilities are dropped", name)
			}

			for _, resource := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				if _, ok := c.Resources.Requests[resource]; !ok {
					t.Errorf("%s: no %s request", name, resource)
				}
				if _, ok := c.Resources.Limits[resource]; !ok {
					t.Errorf("%s: no %s limit", name, resource)
				}
			}

			for _, mount := range c.VolumeMounts {
				if !volumes[mount.Name] && !isClaimTemplate(manifests, w.name, mount.Name) {
					t.Errorf("%s: mounts the undeclared volume %q", name, mount.Name)
				}
			}
			for _, env := range c.Env {
				if env.ValueFrom != nil && env.ValueFrom.SecretKeyRef == nil {
					t.Errorf("%s: %s comes from something other than a Secret", name, env.Name)
				}
			}
		}
	}
}

func isClaimTemplate(manifests []k8sObject, statefulSet, volume string) bool {
	for _, s := range objectsOf[*appsv1.StatefulSet](manifests) {
		if s.Name != statefulSet {
			continue
		}
		for _, claim := range s.Spec.VolumeClaimTemplates {
			if claim.Name == volume {
				return true
			}
		}
	}
	return false
}

// checkSelectors checks that every Service and PodDisruptionBudget selects
// exactly one workload, its namesake or, for the headless Service that
// governs a StatefulSet, that StatefulSet, and that every Service's target
// port is a port of its pods.
func checkSelectors(t *testing.T, manifests []k8sObject) {
	t.Helper()
	workloads := workloadsOf(manifests)
	governed := map[string]string{}
	for _, s := range objectsOf[*appsv1.StatefulSet](manifests) {
		governed[s.Spec.ServiceName] = s.Name
	}

	for _, svc := range objectsOf[*corev1.Service](manifests) {
		if svc.Spec.Type == corev1.ServiceTypeExternalName {
			continue
		}
		selected := selectedWorkloads(t, workloads, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector})
		if len(selected) != 1 {
			t.Errorf("Service %s selects the workloads %q; want exactly one", svc.Name, selected)
			continue
		}
		if want, ok := governed[svc.Name]; ok && svc.Spec.ClusterIP == corev1.ClusterIPNone {
			if selected[0] != want {
				t.Errorf("the headless Service %s selects the pods of %s; want those of StatefulSet %s", svc.Name, selected[0], want)
			}
		} else if selected[0] != svc.Name {
			t.Errorf("Service %s selects the pods of %s", svc.Name, selected[0])
		}
		for _, port := range svc.Spec.Ports {
			if !podHasPort(workloads, selected[0], port.TargetPort.StrVal, int(port.TargetPort.IntVal)) {
				t.Errorf("Service %s: target port %s is not a port of %s", svc.Name, port.TargetPort.String(), selected[0])
			}
		}
	}

	for _, pdb := range objectsOf[*policyv1.PodDisruptionBudget](manifests) {
		if selected := selectedWorkloads(t, workloads, pdb.Spec.Selector); len(selected) != 1 || selected[0] != pdb.Name {
			t.Errorf("PodDisruptionBudget %s selects %q; want its own Deployment", pdb.Name, selected)
		}
	}
}

func podHasPort(workloads []workload, name, portName string, number int) bool {
	for _, w := range workloads {
		if w.name != name {
			continue
		}
		for _, c := range w.pod.Spec.Containers {
			for _, p := range c.Ports {
				if (portName != "" && p.Name == portName) || (portName == "" && int(p.ContainerPort) == number) {
					return true
				}
			}
		}
	}
	return false
}

// checkServiceContract checks each service's environment against the
// runtime contract of the generated services: PORT, the callees' URLs at
// their Kubernetes Services, NATS_URL at the broker's Service, DATABASE_URL
// and the secrets from Secret references, and the spec's env.
func checkServiceContract(t *testing.T, spec *schema.Spec, manifests []k8sObject) {
	t.Helper()
	configMaps := map[string]map[string]string{}
	for _, cm := range objectsOf[*corev1.ConfigMap](manifests) {
		configMaps[cm.Name] = cm.Data
	}
	deployments := map[string]*appsv1.Deployment{}
	for _, d := range objectsOf[*appsv1.Deployment](manifests) {
		deployments[d.Name] = d
	}

	for _, svc := range spec.SortedServices() {
		d, ok := deployments[svc.Name]
		if !ok {
			t.Errorf("service %s has no Deployment", svc.Name)
			continue
		}
		if d.Spec.Template.Spec.ServiceAccountName != svc.Name {
			t.Errorf("%s runs as service account %q; want %q", svc.Name, d.Spec.Template.Spec.ServiceAccountName, svc.Name)
		}
		c := d.Spec.Template.Spec.Containers[0]
		if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil {
			t.Errorf("%s: envFrom = %+v; want its ConfigMap", svc.Name, c.EnvFrom)
			continue
		}
		config, ok := configMaps[c.EnvFrom[0].ConfigMapRef.Name]
		if !ok {
			t.Errorf("%s: its ConfigMap %q is missing", svc.Name, c.EnvFrom[0].ConfigMapRef.Name)
			continue
		}

		want := map[string]string{"PORT": strconv.Itoa(svc.Port)}
		for _, callee := range svc.Calls {
			want[schema.EnvPrefix(callee)+"URL"] = "http://" + callee + ":" + strconv.Itoa(spec.Services[callee].Port)
		}
		for _, name := range compositionsOf(spec, svc.Name) {
			for _, source := range spec.Compositions[name].From {
				want[schema.EnvPrefix(source)+"URL"] = "http://" + source + ":" + strconv.Itoa(spec.Services[source].Port)
			}
		}
		// Without CONSUL_HTTP_ADDR a service does not register with Consul,
		// which registers the pods on Kubernetes, and calls each callee at
		// the URL above.
		if isBrokerClient(spec, svc) {
			want["NATS_URL"] = "nats://nats:4222"
		}
		maps.Copy(want, svc.Env)
		if !maps.Equal(config, want) {
			t.Errorf("%s: ConfigMap data = %v; want %v", svc.Name, config, want)
		}

		secrets := map[string]corev1.SecretKeySelector{}
		for _, env := range c.Env {
			if env.Value != "" || env.ValueFrom == nil || env.ValueFrom.SecretKeyRef == nil {
				t.Errorf("%s: env %s is not a Secret reference", svc.Name, env.Name)
				continue
			}
			secrets[env.Name] = *env.ValueFrom.SecretKeyRef
		}
		wantSecrets := map[string]corev1.SecretKeySelector{}
		// A service in a shared database logs in with its own role, whose
		// URL has a key of its own in the database's Secret.
		switch {
		case svc.OwnsDatabase():
			wantSecrets["DATABASE_URL"] = corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: svc.Name + "-db"}, Key: "url"}
		case svc.Data.Pattern == schema.PatternSharedDatabase:
			wantSecrets["DATABASE_URL"] = corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: svc.Data.Database + "-db"}, Key: svc.Name + "-url"}
		}
		for _, secret := range svc.Secrets {
			wantSecrets[secret] = corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: svc.Name + "-secrets"}, Key: secret}
		}
		if !maps.Equal(secrets, wantSecrets) {
			t.Errorf("%s: Secret references = %+v; want %+v", svc.Name, secrets, wantSecrets)
		}

		probes := map[string]string{
			"liveness":  c.LivenessProbe.HTTPGet.Path,
			"readiness": c.ReadinessProbe.HTTPGet.Path,
			"startup":   c.StartupProbe.HTTPGet.Path,
		}
		wantProbes := map[string]string{"liveness": svc.Health.Liveness, "readiness": svc.Health.Readiness, "startup": svc.Health.Liveness}
		if !maps.Equal(probes, wantProbes) {
			t.Errorf("%s: probe paths = %v; want %v", svc.Name, probes, wantProbes)
		}
	}
}

// checkAutoscaling checks the replica counts: a HorizontalPodAutoscaler
// with the spec's bounds when they differ, a fixed count otherwise.
func checkAutoscaling(t *testing.T, spec *schema.Spec, manifests []k8sObject) {
	t.Helper()
	autoscalers := map[string]*autoscalingv2.HorizontalPodAutoscaler{}
	for _, hpa := range objectsOf[*autoscalingv2.HorizontalPodAutoscaler](manifests) {
		autoscalers[hpa.Spec.ScaleTargetRef.Name] = hpa
	}
	for _, d := range objectsOf[*appsv1.Deployment](manifests) {
		svc := spec.Services[d.Name]
		hpa, scaled := autoscalers[d.Name]
		switch {
		case svc.Replicas.Max > svc.Replicas.Min && !scaled:
			t.Errorf("%s: replicas %d to %d, but no HorizontalPodAutoscaler", d.Name, svc.Replicas.Min, svc.Replicas.Max)
		case scaled:
			if hpa.Spec.MinReplicas == nil || int(*hpa.Spec.MinReplicas) != svc.Replicas.Min || int(hpa.Spec.MaxReplicas) != svc.Replicas.Max {
				t.Errorf("%s: autoscaler bounds %v..%d; want %d..%d", d.Name, hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas, svc.Replicas.Min, svc.Replicas.Max)
			}
			if d.Spec.Replicas != nil {
				t.Errorf("%s: sets replicas although its autoscaler owns them", d.Name)
			}
		default:
			if d.Spec.Replicas == nil || int(*d.Spec.Replicas) != svc.Replicas.Min {
				t.Errorf("%s: replicas = %v; want %d", d.Name, d.Spec.Replicas, svc.Replicas.Min)
			}
		}
	}
}

func TestKubernetesAutoscalerFromReplicas(t *testing.T) {
	spec := shopKubernetesSpec(t, meshNone, schema.DiscoveryDNS)
	spec.Services["orders"].Replicas = schema.Replicas{Min: 2, Max: 5}
	spec.Services["inventory"].Replicas = schema.Replicas{Min: 3, Max: 3}
	files := generateFiles(t, spec)
	base := decodeGeneratedManifests(t, files, "deploy/k8s/base/")

	checkAutoscaling(t, spec, base)
	var scaled []string
	for _, hpa := range objectsOf[*autoscalingv2.HorizontalPodAutoscaler](base) {
		scaled = append(scaled, hpa.Name)
	}
	if !slices.Equal(scaled, []string{"orders"}) {
		t.Errorf("autoscalers = %q; want only orders", scaled)
	}
}

func TestKubernetesNotGeneratedWithoutTarget(t *testing.T) {
	files := generateFiles(t, shopSpec(t))
	for path := range files {
		if strings.HasPrefix(path, "deploy/k8s/") {
			t.Errorf("%s is generated although targets does not list kubernetes", path)
		}
	}
}

func TestDecodeManifestsRejectsUnknownFields(t *testing.T) {
	tests := map[string]string{
		"Kubernetes type":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {}\ncolour: red\n",
		"Gateway API type": "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: a\nspec:\n  parentRefs: [{name: kong}]\n  hostname: x\n",
		"Istio spec":       "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: a\nspec:\n  mtls:\n    mode: STRICT\n    level: high\n",
		"Linkerd type":     "apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata:\n  name: a\nspec:\n  port: 80\n  protocol: HTTP/1\n",
		"unknown kind":     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n",
		"invalid name":     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Orders\n",
		"long StatefulSet": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: " + strings.Repeat("a", 53) + "\n",
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeManifests("test.yaml", []byte(doc)); err == nil {
				t.Errorf("decodeManifests accepts:\n%s", doc)
			}
		})
	}
}
