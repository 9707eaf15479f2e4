package generator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	istionetworkingapi "istio.io/api/networking/v1alpha3"
	istiosecurityapi "istio.io/api/security/v1beta1"
	istionetworking "istio.io/client-go/pkg/apis/networking/v1"
	istiosecurity "istio.io/client-go/pkg/apis/security/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/msgen-dev/msgen/schema"
)

// k8sObject is one decoded Kubernetes object of a generated file.
type k8sObject struct {
	File       string
	APIVersion string
	Kind       string
	Name       string
	// Object is a pointer to the object's Go type, such as
	// *appsv1.Deployment.
	Object any
}

// manifestTypes maps "apiVersion kind" to a constructor of the Go type that
// the object must decode into. Istio's types are decoded by
// decodeIstioObject, because their JSON decoder accepts unknown fields.
var manifestTypes = map[string]func() any{
	"v1 Namespace":                                     func() any { return &corev1.Namespace{} },
	"v1 ServiceAccount":                                func() any { return &corev1.ServiceAccount{} },
	"v1 ConfigMap":                                     func() any { return &corev1.ConfigMap{} },
	"v1 Service":                                       func() any { return &corev1.Service{} },
	"apps/v1 Deployment":                               func() any { return &appsv1.Deployment{} },
	"apps/v1 StatefulSet":                              func() any { return &appsv1.StatefulSet{} },
	"policy/v1 PodDisruptionBudget":                    func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2 HorizontalPodAutoscaler":           func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1 NetworkPolicy":               func() any { return &networkingv1.NetworkPolicy{} },
	"gateway.networking.k8s.io/v1 GatewayClass":        func() any { return &gatewayv1.GatewayClass{} },
	"gateway.networking.k8s.io/v1 Gateway":             func() any { return &gatewayv1.Gateway{} },
	"gateway.networking.k8s.io/v1 HTTPRoute":           func() any { return &gatewayv1.HTTPRoute{} },
	"configuration.konghq.com/v1 KongPlugin":           func() any { return &kongPlugin{} },
	"policy.linkerd.io/v1beta3 Server":                 func() any { return &linkerdServer{} },
	"policy.linkerd.io/v1alpha1 AuthorizationPolicy":   func() any { return &linkerdAuthorizationPolicy{} },
	"policy.linkerd.io/v1alpha1 MeshTLSAuthentication": func() any { return &linkerdMeshTLSAuthentication{} },
	"consul.hashicorp.com/v1alpha1 ServiceIntentions":  func() any { return &consulServiceIntentions{} },
	"security.istio.io/v1 PeerAuthentication":          func() any { return &istiosecurity.PeerAuthentication{} },
	"security.istio.io/v1 AuthorizationPolicy":         func() any { return &istiosecurity.AuthorizationPolicy{} },
	"networking.istio.io/v1 DestinationRule":           func() any { return &istionetworking.DestinationRule{} },
}

// istioSpecs returns the protobuf message of the spec of each Istio kind.
var istioSpecs = map[string]func() proto.Message{
	"security.istio.io/v1 PeerAuthentication":  func() proto.Message { return &istiosecurityapi.PeerAuthentication{} },
	"security.istio.io/v1 AuthorizationPolicy": func() proto.Message { return &istiosecurityapi.AuthorizationPolicy{} },
	"networking.istio.io/v1 DestinationRule":   func() proto.Message { return &istionetworkingapi.DestinationRule{} },
}

// decodeManifests splits a YAML stream into documents and decodes each one
// strictly into the Go type of its apiVersion and kind: a field that the
// type lacks, a value of the wrong type or an unknown kind is an error.
func decodeManifests(file string, data []byte) ([]k8sObject, error) {
	reader := k8syaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var manifests []k8sObject
	for i := 1; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return manifests, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		if isBlankDocument(doc) {
			continue
		}

		m, err := decodeManifest(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		m.File = file
		manifests = append(manifests, m)
	}
}

// isBlankDocument reports whether a YAML document holds only comments.
func isBlankDocument(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && line != "---" && !strings.HasPrefix(line, "#") {
			return false
		}
	}
	return true
}

func decodeManifest(doc []byte) (k8sObject, error) {
	var head struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := sigsyaml.Unmarshal(doc, &head); err != nil {
		return k8sObject{}, err
	}
	key := head.APIVersion + " " + head.Kind
	newObject, known := manifestTypes[key]
	if !known {
		return k8sObject{}, fmt.Errorf("unexpected object %q of kind %q", head.Metadata.Name, key)
	}

	object := newObject()
	if newSpec, ok := istioSpecs[key]; ok {
		if err := decodeIstioObject(doc, newSpec()); err != nil {
			return k8sObject{}, fmt.Errorf("%s %q: %w", key, head.Metadata.Name, err)
		}
		// The strict checks passed, so the lenient decoder of the Istio
		// client types loses nothing.
		if err := sigsyaml.Unmarshal(doc, object); err != nil {
			return k8sObject{}, err
		}
	} else if err := sigsyaml.UnmarshalStrict(doc, object); err != nil {
		return k8sObject{}, fmt.Errorf("%s %q: %w", key, head.Metadata.Name, err)
	}

	if errs := validation.IsDNS1123Subdomain(head.Metadata.Name); len(errs) > 0 {
		return k8sObject{}, fmt.Errorf("%s has the invalid name %q: %s", key, head.Metadata.Name, strings.Join(errs, "; "))
	}
	// Kubernetes creates no pod for a longer StatefulSet name, because it
	// adds 11 characters to it in a label value of at most 63.
	if head.Kind == "StatefulSet" && len(head.Metadata.Name) > 52 {
		return k8sObject{}, fmt.Errorf("%s %q is longer than 52 characters", key, head.Metadata.Name)
	}
	if head.Kind == "Service" || head.Kind == "Namespace" {
		if errs := validation.IsDNS1035Label(head.Metadata.Name); len(errs) > 0 {
			return k8sObject{}, fmt.Errorf("%s has the invalid name %q: %s", key, head.Metadata.Name, strings.Join(errs, "; "))
		}
	}
	return k8sObject{APIVersion: head.APIVersion, Kind: head.Kind, Name: head.Metadata.Name, Object: object}, nil
}

// decodeIstioObject decodes an Istio object strictly: the envelope into
// Kubernetes types, and the spec with protojson, which rejects unknown
// fields. The Istio client types accept unknown fields in their spec.
func decodeIstioObject(doc []byte, spec proto.Message) error {
	var envelope struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata"`
		Spec              json.RawMessage `json:"spec"`
	}
	if err := sigsyaml.UnmarshalStrict(doc, &envelope); err != nil {
		return err
	}
	if len(envelope.Spec) == 0 {
		return errors.New("spec is missing")
	}
	return protojson.Unmarshal(envelope.Spec, spec)
}

// decodeGeneratedManifests decodes every YAML file under deploy/k8s except
// the kustomizations, failing the test on the first error.
func decodeGeneratedManifests(t *testing.T, files map[string]File, prefix string) []k8sObject {
	t.Helper()
	var paths []string
	for path := range files {
		if strings.HasPrefix(path, prefix) && strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, "/kustomization.yaml") {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		t.Fatalf("no manifest under %s", prefix)
	}

	var all []k8sObject
	for _, path := range paths {
		manifests, err := decodeManifests(path, files[path].Data)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, manifests...)
	}
	return all
}

// objectsOf returns the objects of type T among manifests.
func objectsOf[T any](manifests []k8sObject) []T {
	var objects []T
	for _, m := range manifests {
		if object, ok := m.Object.(T); ok {
			objects = append(objects, object)
		}
	}
	return objects
}

// meshRe matches the mesh line of the shop example.
var meshRe = regexp.MustCompile(`(?m)^mesh:\s+"none"$`)

// shopKubernetesSpec loads the shop example with targets compose and
// kubernetes, the given mesh and discovery, through the same validation as
// a user's file.
func shopKubernetesSpec(t *testing.T, mesh, discovery string) *schema.Spec {
	t.Helper()
	src, err := os.ReadFile(shopSpecPath)
	if err != nil {
		t.Fatal(err)
	}
	if !meshRe.Match(src) {
		t.Fatalf("%s no longer contains mesh: \"none\"; update this helper", shopSpecPath)
	}
	src = meshRe.ReplaceAll(src, []byte(fmt.Sprintf("targets: [\"compose\", \"kubernetes\"]\nmesh: %q", mesh)))
	src = bytes.Replace(src, []byte(`discovery: "dns"`), []byte(fmt.Sprintf("discovery: %q", discovery)), 1)

	spec, err := schema.LoadSource("msgen.cue", src)
	if err != nil {
		t.Fatalf("load the shop with mesh %q and discovery %q: %v", mesh, discovery, err)
	}
	return spec
}
