package generator

import (
	"fmt"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// Releases of the Gateway API CRDs that the README installs.
const (
	gatewayAPIVersion = "v1.6.3"
	// linkerdGatewayAPIVersion is the newest release that Linkerd 2.18 and
	// 2.19 support, by the compatibility table in Linkerd's documentation
	// (linkerd.io/2/features/gateway-api), which lists 1.1.1 to 1.2.1. The
	// request timeouts of Linkerd's HTTPRoutes need 1.2.0 or newer.
	linkerdGatewayAPIVersion = "v1.2.1"
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
	KongDeployment     string
	// GatewayAPIVersion is the release of the Gateway API CRDs to install.
	GatewayAPIVersion string
	Images            []string
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
		KongDeployment:     kongDeployment,
		GatewayAPIVersion:  gatewayAPIVersion,
	}
	if spec.Mesh == meshLinkerd {
		k8s.GatewayAPIVersion = linkerdGatewayAPIVersion
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
		k8s.Secrets = append(k8s.Secrets, databaseSecretCommand(spec, owner))
	}
	for _, svc := range spec.SortedServices() {
		if len(svc.Secrets) == 0 {
			continue
		}
		command := []string{fmt.Sprintf("kubectl -n %s create secret generic %s-secrets", spec.Name, svc.Name)}
		for _, secret := range svc.Secrets {
			command = append(command, fmt.Sprintf("--from-literal=%s=VALUE", secret))
		}
		k8s.Secrets = append(k8s.Secrets, strings.Join(command, " \\\n  "))
	}
	return k8s
}

// databaseSecretCommand returns the kubectl command that creates the Secret
// of the database named after owner, a service or a shared database. The
// Secret contains the password of the database's PostgreSQL user, and the
// connection URL of the service that owns it. A shared database's Secret
// contains the password and connection URL of each service's role instead
// of the URL. The passwords are placeholders named after the variables of
// .env.example.
func databaseSecretCommand(spec *schema.Spec, owner string) string {
	host := schema.DatabaseHost(owner)
	ident := databaseIdent(owner)
	password := databasePasswordVar(owner)
	command := []string{
		fmt.Sprintf("kubectl -n %s create secret generic %s", spec.Name, host),
		"--from-literal=password=" + password,
	}
	connectionURL := func(role, password string) string {
		return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", role, password, host, postgresPort, ident)
	}

	if svc, ok := spec.Services[owner]; ok && svc.OwnsDatabase() {
		command = append(command, fmt.Sprintf("--from-literal=%s='%s'", databaseKeys(svc).URL, connectionURL(ident, password)))
	}
	for _, service := range sharingServices(spec, owner) {
		keys := databaseKeys(spec.Services[service.Name])
		command = append(command,
			fmt.Sprintf("--from-literal=%s=%s", keys.Password, service.PasswordVar),
			fmt.Sprintf("--from-literal=%s='%s'", keys.URL, connectionURL(service.Role, service.PasswordVar)))
	}
	return strings.Join(command, " \\\n  ")
}
