package generator

import (
	"fmt"

	"github.com/msgen-dev/msgen/schema"
)

// readmeK8s is the data of the README's Kubernetes section.
type readmeK8s struct {
	Namespace string
	Mesh      string
	// MeshTitle is the mesh's product name, such as "Linkerd".
	MeshTitle          string
	ConsulDiscovery    bool
	ControlPlane       int
	KongNamespace      string
	KongServiceAccount string
	Images             []string
	// Secrets are the kubectl commands that create the Secrets which the
	// manifests refer to, with placeholders in capitals for the values.
	Secrets []string
}

var meshTitles = map[string]string{
	meshIstio:         "Istio",
	meshLinkerd:       "Linkerd",
	meshConsulConnect: "Consul",
}

// newReadmeK8s returns the Kubernetes section of the README, or nil when
// the spec's targets do not include Kubernetes.
func newReadmeK8s(spec *schema.Spec) *readmeK8s {
	if !wantsKubernetes(spec) {
		return nil
	}
	k8s := &readmeK8s{
		Namespace:          spec.Name,
		Mesh:               spec.Mesh,
		MeshTitle:          meshTitles[spec.Mesh],
		ConsulDiscovery:    spec.Discovery == schema.DiscoveryConsul,
		ControlPlane:       spec.ControlPlane.Replicas,
		KongNamespace:      kongNamespace,
		KongServiceAccount: kongServiceAccount,
	}

	var owners []string
	for _, svc := range spec.SortedServices() {
		k8s.Images = append(k8s.Images, spec.Name+"-"+svc.Name+":latest")
		if svc.OwnsDatabase() {
			owners = append(owners, svc.Name)
		}
	}
	owners = append(owners, spec.DatabaseNames()...)
	for _, owner := range sortedUnique(owners) {
		host := schema.DatabaseHost(owner)
		ident := databaseIdent(owner)
		k8s.Secrets = append(k8s.Secrets, fmt.Sprintf(
			"kubectl -n %s create secret generic %s --from-literal=password=PASSWORD --from-literal=url='postgres://%s:PASSWORD@%s:%d/%s?sslmode=disable'",
			spec.Name, host, ident, host, postgresPort, ident))
	}
	for _, svc := range spec.SortedServices() {
		if len(svc.Secrets) == 0 {
			continue
		}
		command := fmt.Sprintf("kubectl -n %s create secret generic %s-secrets", spec.Name, svc.Name)
		for _, secret := range svc.Secrets {
			command += fmt.Sprintf(" --from-literal=%s=VALUE", secret)
		}
		k8s.Secrets = append(k8s.Secrets, command)
	}
	return k8s
}
