package generator

import (
	"bytes"
	"testing"
)

// TestDatabaseOfMatchesCompose checks what DatabaseOf returns for each
// service of the shop against the compose file, .env.example and the init
// scripts that Generate writes.
func TestDatabaseOfMatchesCompose(t *testing.T) {
	spec := shopSpec(t)
	files := generateFiles(t, spec)
	env := exampleEnv(t, files)
	project, err := loadCompose(writeFiles(t, files), env)
	if err != nil {
		t.Fatalf("load compose: %v", err)
	}

	shared := 0
	for _, svc := range spec.SortedServices() {
		db, ok := DatabaseOf(spec, svc.Name)
		if ok != svc.UsesDatabase() {
			t.Errorf("DatabaseOf(%q) reports a database: %v, want %v", svc.Name, ok, svc.UsesDatabase())
		}
		if !ok {
			continue
		}
		if _, listed := env[db.PasswordVariable]; !listed {
			t.Errorf("%s: .env.example does not list %s", svc.Name, db.PasswordVariable)
		}
		container, found := project.Services[db.Container]
		if !found {
			t.Errorf("%s: compose has no container %q", svc.Name, db.Container)
			continue
		}
		if !db.Shared {
			continue
		}
		shared++
		if got := envValue(container, "POSTGRES_USER"); got != db.Superuser {
			t.Errorf("%s: POSTGRES_USER of %s is %q, want the superuser %q", svc.Name, db.Container, got, db.Superuser)
		}
		if got := envValue(container, "POSTGRES_DB"); got != db.Database {
			t.Errorf("%s: POSTGRES_DB of %s is %q, want %q", svc.Name, db.Container, got, db.Database)
		}
		script, found := files[db.InitScript]
		if !found {
			t.Errorf("%s: no init script %s", svc.Name, db.InitScript)
			continue
		}
		if !bytes.Contains(script.Data, []byte("create_service_role "+db.Role+" ")) {
			t.Errorf("%s: %s does not create the role %q", svc.Name, db.InitScript, db.Role)
		}
	}
	if shared == 0 {
		t.Error("the shop has no service in a shared database, so the test checked none")
	}
}
