package generator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// Fixed settings of the dev overlay's NATS server.
const (
	// brokerStorage is the size of the volume of JetStream's store.
	brokerStorage = "1Gi"
	// brokerUID is the user and group of the NATS server. The nats image
	// has no user of its own, so the pod sets a non-root one, and fsGroup
	// makes the volume writable for it.
	brokerUID = 1000
	// Resource requests and limits of the NATS server. JetStream keeps the
	// platform's streams in files, so memory holds caches only.
	brokerCPURequest    = "100m"
	brokerMemoryRequest = "64Mi"
	brokerCPULimit      = "500m"
	brokerMemoryLimit   = "256Mi"
)

// k8sHeadless is the headless Service that governs a StatefulSet: it gives
// each pod a DNS name, while clients connect through the StatefulSet's
// Service with a cluster IP.
type k8sHeadless struct {
	Name        string
	Labels      []envVar
	Annotations []envVar
}

// newK8sHeadless returns the headless Service of the StatefulSet workload.
func newK8sHeadless(spec *schema.Spec, workload string) k8sHeadless {
	headless := k8sHeadless{
		Name:   suffixedName(workload, "headless"),
		Labels: k8sLabels(workload, spec.Name),
	}
	// consul-k8s registers a pod of its mesh once for each Service that
	// selects it, and the init container of a pod that two Services select
	// waits forever for a single registration. The label makes consul-k8s
	// skip this Service.
	if spec.Mesh == meshConsulConnect {
		headless.Labels = append(headless.Labels, envVar{Name: "consul.hashicorp.com/service-ignore", Value: "true"})
	}
	// Consul's catalog sync, which the README installs for Consul
	// discovery without Consul's mesh, registers every Service of the
	// namespace unless told otherwise.
	if spec.Discovery == schema.DiscoveryConsul && spec.Mesh != meshConsulConnect {
		headless.Annotations = []envVar{{Name: "consul.hashicorp.com/service-sync", Value: "false"}}
	}
	return headless
}

// k8sDatabase is a PostgreSQL: a StatefulSet in the dev overlay and an
// external endpoint in the prod overlay.
type k8sDatabase struct {
	Name     string
	Headless k8sHeadless
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
	// InitScript is the script that creates a role and a schema for each
	// service in a shared database, one line per element, the same bytes
	// as deploy/postgres/<database>-init.sh. InitEnv are the passwords
	// that it reads. Both are empty for a service's own database.
	InitScript []string
	InitEnv    []k8sSecretRef
	// InitScriptPath is the script's path in the repository, and
	// InitConfigMap the ConfigMap that holds it.
	InitScriptPath string
	InitConfigMap  string
}

// k8sBroker is NATS with JetStream: a StatefulSet in the dev overlay and an
// external endpoint in the prod overlay, under the name that compose gives
// its container, so that NATS_URL is the same on both.
type k8sBroker struct {
	Name        string
	Headless    k8sHeadless
	Labels      []envVar
	Image       string
	Port        int
	MonitorPort int
	// ExternalName is the placeholder host of the prod overlay's external
	// endpoint, which the operator replaces.
	ExternalName    string
	Storage         string
	UID             int
	PeriodSeconds   int
	TimeoutSeconds  int
	Retries         int
	StartupFailures int
	PodAnnotations  []envVar
	// ServiceAnnotations are annotations of the Kubernetes Service.
	ServiceAnnotations []envVar
	Resources          k8sResources
}

// databaseSecretKeys are the keys of the Secret named after a database's
// Service that a service reads: its connection URL, and in the dev overlay
// the password that the database's init script gives its role.
type databaseSecretKeys struct {
	URL, Password string
}

// databaseKeys returns the Secret keys of svc's database connection. A
// service with a database of its own logs in as the database's user, with
// the keys "url" and "password". A service in a shared database logs in as
// its own role, with keys named after the service, such as
// "inventory-url".
func databaseKeys(svc *schema.Service) databaseSecretKeys {
	if svc.Data.Pattern == schema.PatternSharedDatabase {
		return databaseSecretKeys{URL: svc.Name + "-url", Password: svc.Name + "-password"}
	}
	return databaseSecretKeys{URL: "url", Password: "password"}
}

// newK8sDatabases returns every PostgreSQL of the system, sorted by name:
// each service's own and each shared database. initScripts maps a shared
// database's name to its rendered init script.
func newK8sDatabases(spec *schema.Spec, initScripts map[string][]byte) ([]k8sDatabase, error) {
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
		database := k8sDatabase{
			Name:            name,
			Headless:        newK8sHeadless(spec, name),
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
		}

		// Only a shared database with services in it has a script.
		if script, ok := initScripts[owner]; ok {
			database.InitScript = strings.Split(strings.TrimSuffix(string(script), "\n"), "\n")
			database.InitScriptPath = sharedDatabaseInitPath(owner)
			database.InitConfigMap = name + "-init"
			for _, service := range sharingServices(spec, owner) {
				database.InitEnv = append(database.InitEnv, k8sSecretRef{
					Variable: service.PasswordVar,
					Secret:   name,
					Key:      databaseKeys(spec.Services[service.Name]).Password,
				})
			}
		}
		databases = append(databases, database)
	}
	slices.SortFunc(databases, func(a, b k8sDatabase) int { return strings.Compare(a.Name, b.Name) })
	return databases, nil
}

// newK8sBroker returns the NATS server, or nil when no service uses the
// broker, as compose decides.
func newK8sBroker(spec *schema.Spec) (*k8sBroker, error) {
	if !specUsesBroker(spec) {
		return nil, nil
	}
	probe, err := newK8sProbe(spec.Health)
	if err != nil {
		return nil, err
	}

	// TODO: under consul-connect the NATS server is the Consul service
	// "nats" in every system, so two systems with a broker cannot share a
	// Consul datacenter, as the generated README says. A name per system
	// needs the consul.hashicorp.com/connect-service annotation and, with
	// Consul's ACLs, a service account of the same name.
	broker := &k8sBroker{
		Name:            brokerContainer,
		Headless:        newK8sHeadless(spec, brokerContainer),
		Labels:          k8sLabels(brokerContainer, spec.Name),
		Image:           brokerImage,
		Port:            brokerPort,
		MonitorPort:     brokerMonitorPort,
		ExternalName:    brokerContainer + ".example.invalid",
		Storage:         brokerStorage,
		UID:             brokerUID,
		PeriodSeconds:   probe.period,
		TimeoutSeconds:  probe.timeout,
		Retries:         spec.Health.Retries,
		StartupFailures: probe.startupFailures,
		PodAnnotations:  meshPodAnnotations(spec.Mesh),
		Resources: k8sResources{
			CPURequest:    brokerCPURequest,
			MemoryRequest: brokerMemoryRequest,
			CPULimit:      brokerCPULimit,
			MemoryLimit:   brokerMemoryLimit,
		},
	}
	// A NATS server speaks first on a new connection, so Linkerd must
	// proxy the client port without protocol detection, which would wait
	// for the client. PostgreSQL's port is on Linkerd's default list.
	if spec.Mesh == meshLinkerd {
		opaque := envVar{Name: "config.linkerd.io/opaque-ports", Value: strconv.Itoa(brokerPort)}
		broker.PodAnnotations = append(broker.PodAnnotations, opaque)
		broker.ServiceAnnotations = []envVar{opaque}
	}
	return broker, nil
}
