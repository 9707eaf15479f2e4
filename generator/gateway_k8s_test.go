package generator

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/msgen-dev/msgen/schema"
)

// gatewayRoute is one route as both gateways see it: the backend, the
// regex of Kong's path and the sorted methods.
type gatewayRoute struct {
	Service string
	Port    int
	Path    string
	Methods string
}

// kongRoutes returns the routes of kong.yml.
func kongRoutes(t *testing.T, data []byte) (map[gatewayRoute]bool, map[string]any) {
	t.Helper()
	var config kongConfig
	if err := yaml.Unmarshal(data, &config); err != nil {
		t.Fatalf("decode kong.yml: %v", err)
	}

	routes := map[gatewayRoute]bool{}
	for _, svc := range config.Services {
		for _, route := range svc.Routes {
			for _, path := range route.Paths {
				methods := slices.Sorted(slices.Values(route.Methods))
				routes[gatewayRoute{svc.Name, svc.Port, path, strings.Join(methods, ",")}] = true
			}
		}
	}

	plugins := map[string]any{}
	for _, plugin := range config.Plugins {
		plugins[plugin.Name] = normalizeJSON(t, plugin.Config)
	}
	return routes, plugins
}

// httpRoutes returns the routes of the generated HTTPRoutes, each path in
// the form of a Kong path, and the config of each KongPlugin.
func httpRoutes(t *testing.T, manifests []k8sObject) (map[gatewayRoute]bool, map[string]any) {
	t.Helper()
	gateways := map[string]string{}
	for _, gw := range objectsOf[*gatewayv1.Gateway](manifests) {
		gateways[gw.Name] = string(gw.Spec.GatewayClassName)
	}
	classes := map[string]string{}
	for _, class := range objectsOf[*gatewayv1.GatewayClass](manifests) {
		classes[class.Name] = string(class.Spec.ControllerName)
	}
	plugins := map[string]any{}
	for _, plugin := range objectsOf[*kongPlugin](manifests) {
		if plugin.Name != plugin.Plugin {
			t.Errorf("KongPlugin %s configures the plugin %s", plugin.Name, plugin.Plugin)
		}
		plugins[plugin.Plugin] = normalizeJSON(t, plugin.Config)
	}
	wantPlugins := strings.Join(slices.Sorted(maps.Keys(plugins)), ",")

	routes := map[gatewayRoute]bool{}
	for _, route := range objectsOf[*gatewayv1.HTTPRoute](manifests) {
		if len(route.Spec.ParentRefs) != 1 {
			t.Errorf("HTTPRoute %s has %d parents; want the Kong Gateway", route.Name, len(route.Spec.ParentRefs))
			continue
		}
		parent := string(route.Spec.ParentRefs[0].Name)
		if classes[gateways[parent]] != "konghq.com/kic-gateway-controller" {
			t.Errorf("HTTPRoute %s is attached to %q, which is not a Gateway of Kong's GatewayClass", route.Name, parent)
		}
		if got := sortedPluginList(route.Annotations["konghq.com/plugins"]); got != wantPlugins {
			t.Errorf("HTTPRoute %s applies the plugins %q; want %q", route.Name, got, wantPlugins)
		}
		if route.Annotations["konghq.com/strip-path"] != "false" {
			t.Errorf("HTTPRoute %s strips the path", route.Name)
		}

		for _, rule := range route.Spec.Rules {
			if len(rule.BackendRefs) != 1 || rule.BackendRefs[0].Port == nil {
				t.Errorf("HTTPRoute %s: a rule has backends %+v; want one Service and port", route.Name, rule.BackendRefs)
				continue
			}
			backend := rule.BackendRefs[0]
			methods := map[string][]string{}
			for _, match := range rule.Matches {
				if match.Path == nil || match.Path.Type == nil || match.Path.Value == nil || match.Method == nil {
					t.Errorf("HTTPRoute %s: a match lacks a path or a method", route.Name)
					continue
				}
				var path string
				switch *match.Path.Type {
				case gatewayv1.PathMatchExact:
					path = "~" + regexp.QuoteMeta(*match.Path.Value) + "$"
				case gatewayv1.PathMatchRegularExpression:
					path = "~" + *match.Path.Value
				default:
					t.Errorf("HTTPRoute %s: path match type %s would match more than the service serves", route.Name, *match.Path.Type)
					continue
				}
				methods[path] = append(methods[path], string(*match.Method))
			}
			for path, list := range methods {
				slices.Sort(list)
				routes[gatewayRoute{string(backend.Name), int(*backend.Port), path, strings.Join(list, ",")}] = true
			}
		}
	}
	return routes, plugins
}

func sortedPluginList(annotation string) string {
	if annotation == "" {
		return ""
	}
	names := strings.Split(annotation, ",")
	slices.Sort(names)
	return strings.Join(names, ",")
}

// normalizeJSON returns v as the JSON decoder gives it, so that numbers
// from YAML decoders compare equal.
func normalizeJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestKubernetesGatewayRoutesMatchKong(t *testing.T) {
	variants := []struct {
		name string
		load func(*testing.T) *schema.Spec
	}{
		{"shop", func(t *testing.T) *schema.Spec { return shopKubernetesSpec(t, meshNone, schema.DiscoveryDNS) }},
		{"shop-istio", func(t *testing.T) *schema.Spec { return shopKubernetesSpec(t, meshIstio, schema.DiscoveryDNS) }},
		{"online-boutique", boutiqueSpec},
	}
	for _, variant := range variants {
		t.Run(variant.name, func(t *testing.T) {
			spec := variant.load(t)
			if !wantsKubernetes(spec) {
				spec.Targets = append(spec.Targets, targetKubernetes)
			}
			files := generateFiles(t, spec)
			manifests, err := decodeManifests("gateway.yaml", files["deploy/k8s/base/gateway.yaml"].Data)
			if err != nil {
				t.Fatal(err)
			}
			classes, err := decodeManifests("gatewayclass.yaml", files["deploy/k8s/cluster/gatewayclass.yaml"].Data)
			if err != nil {
				t.Fatal(err)
			}
			manifests = append(manifests, classes...)

			wantRoutes, wantPlugins := kongRoutes(t, files["gateway/kong.yml"].Data)
			gotRoutes, gotPlugins := httpRoutes(t, manifests)
			if len(wantRoutes) == 0 {
				t.Fatal("kong.yml has no route")
			}
			for route := range wantRoutes {
				if !gotRoutes[route] {
					t.Errorf("kong.yml routes %+v, the HTTPRoutes do not", route)
				}
			}
			for route := range gotRoutes {
				if !wantRoutes[route] {
					t.Errorf("the HTTPRoutes route %+v, kong.yml does not", route)
				}
			}
			if !reflect.DeepEqual(gotPlugins, wantPlugins) {
				t.Errorf("KongPlugins = %v; want the plugins of kong.yml %v", gotPlugins, wantPlugins)
			}
		})
	}
}
