package generator

import (
	"slices"

	"github.com/msgen-dev/msgen/schema"
)

// ServiceDatabase is the setup that a service's database in compose needs
// from the people who run it.

type ServiceDatabase struct {
	// PasswordVariable is the variable of .env that holds the password of
	// the service's PostgreSQL role, such as "BILLING_DB_PASSWORD".
	PasswordVariable string
	// Container is the compose service of the database, such as
	// "warehouse-db".
	Container string
	// Shared is true for a shared database, whose init script creates
	// each service's role and schema.
	Shared bool
	// InitScript is the path of that script, relative to the repository.
	InitScript string
	// Superuser and Database are the PostgreSQL superuser and database
	// of a shared database's container.
	Superuser string
	Database  string
	// Role is the service's role and schema in a shared database.
	Role string
	// Kubernetes is true when the spec also targets Kubernetes, whose
	// Secrets need the password too.
	Kubernetes bool
}

// DatabaseOf returns the database of the service in compose, or false when
// the service has none.
func DatabaseOf(spec *schema.Spec, service string) (ServiceDatabase, bool) {
	svc, ok := spec.Services[service]
	if !ok || !svc.UsesDatabase() {
		return ServiceDatabase{}, false
	}
	db := ServiceDatabase{
		PasswordVariable: databasePasswordVar(svc.Name),
		Container:        svc.DatabaseHost(),
		Kubernetes:       slices.Contains(spec.Targets, targetKubernetes),
	}
	if svc.Data.Pattern == schema.PatternSharedDatabase {
		db.Shared = true
		db.InitScript = sharedDatabaseInitPath(svc.Data.Database)
		db.Superuser = databaseIdent(svc.Data.Database)
		db.Database = databaseIdent(svc.Data.Database)
		db.Role = databaseIdent(svc.Name)
	}
	return db, true
}
