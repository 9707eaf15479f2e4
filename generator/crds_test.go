package generator

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Strict Go types of the custom resources of Linkerd, Consul and Kong that
// msgen generates. No Go module that the Go proxy serves here publishes
// these types or the CRDs' OpenAPI schemas. So each type has the fields of
// the CRD that msgen writes, with the JSON names and value types of the
// projects' reference documentation. A strict decode rejects any other
// field of: Linkerd's policy.linkerd.io Server (v1beta3), AuthorizationPolicy
// and MeshTLSAuthentication (v1alpha1), consul-k8s's ServiceIntentions
// (v1alpha1) and Kong's KongPlugin (configuration.konghq.com/v1).
//
// NOTE: these types were written by hand, so a field name that is wrong in
// both the template and here passes.

// linkerdServer is a policy.linkerd.io/v1beta3 Server: a port of the pods
// that podSelector selects.
type linkerdServer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		PodSelector   *metav1.LabelSelector `json:"podSelector"`
		Port          int                   `json:"port"`
		ProxyProtocol string                `json:"proxyProtocol"`
		AccessPolicy  string                `json:"accessPolicy"`
	} `json:"spec"`
}

// linkerdPolicyRef is a reference from a Linkerd policy to another object.
type linkerdPolicyRef struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// linkerdAuthorizationPolicy is a policy.linkerd.io/v1alpha1
// AuthorizationPolicy: the clients that must authenticate to reach the
// target Server.
type linkerdAuthorizationPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		TargetRef                  linkerdPolicyRef   `json:"targetRef"`
		RequiredAuthenticationRefs []linkerdPolicyRef `json:"requiredAuthenticationRefs"`
	} `json:"spec"`
}

// linkerdMeshTLSAuthentication is a policy.linkerd.io/v1alpha1
// MeshTLSAuthentication: the mesh identities, here service accounts, that a
// policy accepts.
type linkerdMeshTLSAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		IdentityRefs []linkerdPolicyRef `json:"identityRefs"`
	} `json:"spec"`
}

// consulServiceIntentions is a consul.hashicorp.com/v1alpha1
// ServiceIntentions: which source services may connect to the destination.
type consulServiceIntentions struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Destination struct {
			Name string `json:"name"`
		} `json:"destination"`
		Sources []struct {
			Name   string `json:"name"`
			Action string `json:"action"`
		} `json:"sources"`
	} `json:"spec"`
}

// kongPlugin is a configuration.konghq.com/v1 KongPlugin. Its config is the
// plugin's own configuration, which the tests compare with kong.yml.
type kongPlugin struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Plugin            string         `json:"plugin"`
	Config            map[string]any `json:"config"`
}
