package generator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// k8sDatabase is a PostgreSQL: a StatefulSet in the dev overlay and an
// external endpoint in the prod overlay.
type k8sDatabase struct {
	Name     string
	Labels   []envVar
	Image    string
	User     string
	Database string
	Secret   string
	// ExternalName is the placeholder host of the prod overlay's external
	// endpoint, which the operator replaces.
	ExternalName    string
	Storage         string
	PeriodSeconds   int
	TimeoutSeconds  int
	Retries         int
	StartupFailures int
	PodAnnotations  []envVar
}

// newK8sDatabases returns every PostgreSQL of the system, sorted by name:
// each service's own and each shared database.
func newK8sDatabases(spec *schema.Spec) ([]k8sDatabase, error) {
	probe, err := newK8sProbe(spec.Health)
	if err != nil {
		return nil, err
	}

	var owners []string
	for _, svc := range spec.SortedServices() {
		if svc.OwnsDatabase() {
			owners = append(owners, svc.Name)
		}
	}
	owners = append(owners, spec.DatabaseNames()...)

	var databases []k8sDatabase
	for _, owner := range owners {
		image := spec.Databases[owner].Image
		if svc, ok := spec.Services[owner]; ok && svc.OwnsDatabase() {
			image = svc.Data.Image
		}
		name := schema.DatabaseHost(owner)
		// A Service name is a DNS label of at most 63 characters.
		if len(name) > 63 {
			return nil, fmt.Errorf("the database Service name %q is longer than 63 characters: shorten the name %q", name, owner)
		}
		ident := databaseIdent(owner)
		databases = append(databases, k8sDatabase{
			Name:            name,
			Labels:          k8sLabels(name, spec.Name),
			Image:           image,
			User:            ident,
			Database:        ident,
			Secret:          name,
			ExternalName:    name + ".example.invalid",
			Storage:         databaseStorage,
			PeriodSeconds:   probe.period,
			TimeoutSeconds:  probe.timeout,
			Retries:         spec.Health.Retries,
			StartupFailures: probe.startupFailures,
			PodAnnotations:  meshPodAnnotations(spec.Mesh),
		})
	}
	slices.SortFunc(databases, func(a, b k8sDatabase) int { return strings.Compare(a.Name, b.Name) })
	return databases, nil
}
