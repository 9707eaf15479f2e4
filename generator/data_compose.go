package generator

import (
	"fmt"
	"strconv"

	"github.com/msgen-dev/msgen/schema"
)

// Settings of the NATS container, the message broker.
const (
	brokerContainer = "nats"
	brokerImage     = "nats:2.11-alpine"
	brokerPort      = 4222
	// brokerMonitorPort serves NATS's monitoring endpoints, among them
	// /healthz, inside the container only.
	brokerMonitorPort = 8222
	// postgresInitDir is where the postgres image runs the scripts that set
	// up an empty data directory.
	postgresInitDir = "/docker-entrypoint-initdb.d"
)

// composeBroker is the NATS container with JetStream.
type composeBroker struct {
	Name        string
	Image       string
	Port        int
	MonitorPort int
	Volume      string
	Health      composeHealth
}

// sharedDatabaseInit is the script that creates a role and a schema for each
// service in a shared database.
type sharedDatabaseInit struct {
	Database string
	Services []sharedDatabaseService
}

// sharedDatabaseService is a service in a shared database: its role and
// schema, both named Role, and the variable of its password.
type sharedDatabaseService struct {
	Name        string
	Role        string
	PasswordVar string
}

// newComposeBroker returns the NATS container, or nil when no service uses
// the broker.
func newComposeBroker(spec *schema.Spec) *composeBroker {
	if !specUsesBroker(spec) {
		return nil
	}
	return &composeBroker{
		Name:        brokerContainer,
		Image:       brokerImage,
		Port:        brokerPort,
		MonitorPort: brokerMonitorPort,
		Volume:      brokerContainer + dataVolumeSuffix,
		Health:      newComposeHealth(spec.Health),
	}
}

// brokerURL returns the NATS_URL of the services in compose.
func brokerURL() string {
	return "nats://" + brokerContainer + ":" + strconv.Itoa(brokerPort)
}

// sharingServices returns the services in the shared database, sorted by
// name.
func sharingServices(spec *schema.Spec, database string) []sharedDatabaseService {
	var services []sharedDatabaseService
	for _, svc := range spec.SortedServices() {
		if svc.Data.Pattern == schema.PatternSharedDatabase && svc.Data.Database == database {
			services = append(services, sharedDatabaseService{
				Name:        svc.Name,
				Role:        databaseIdent(svc.Name),
				PasswordVar: databasePasswordVar(svc.Name),
			})
		}
	}
	return services
}

// sharedDatabaseInitPath returns the path of the init script of a shared
// database, relative to the repository root.
func sharedDatabaseInitPath(database string) string {
	return "deploy/postgres/" + database + "-init.sh"
}

// sharedServiceDatabaseURL returns the DATABASE_URL of a service in a shared
// database: its own role, whose search_path is its own schema.
func sharedServiceDatabaseURL(svc *schema.Service) string {
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable",
		databaseIdent(svc.Name), requiredRef(databasePasswordVar(svc.Name)),
		svc.Data.Database+databaseSuffix, postgresPort, databaseIdent(svc.Data.Database))
}

// renderSharedDatabaseInit renders the init script of each shared database
// that a service uses.
func renderSharedDatabaseInit(r *renderer, spec *schema.Spec) ([]File, error) {
	var files []File
	for _, name := range spec.DatabaseNames() {
		services := sharingServices(spec, name)
		if len(services) == 0 {
			continue
		}
		f, err := r.file(sharedDatabaseInitPath(name), "deploy/postgres-init.sh.tmpl", sharedDatabaseInit{Database: name, Services: services})
		if err != nil {
			return nil, err
		}
		f.Mode = 0o755
		files = append(files, f)
	}
	return files, nil
}
