package generator

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

// TestE2EAddedService adds a service to the shop's spec with the edit that
// msgen add service makes, then checks that the generated module passes go
// vet and builds, and that the new service passes its health checks like
// the others: live and not ready without its database, ready with a real
// PostgreSQL once its migrations are applied.
func TestE2EAddedService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a generated service; skipped with -short")
	}

	files, err := schema.ReadFiles(filepath.Join("..", "testdata", "examples", "shop", "msgen.cue"))
	if err != nil {
		t.Fatal(err)
	}
	edited, err := schema.AddService(files, "billing", schema.NewService{
		Port:    8090,
		Pattern: schema.PatternDatabasePerService,
		Routes:  []schema.Route{{Path: "/invoices/{id}", Methods: []string{"GET"}}},
		Calls:   []string{"orders"},
	})
	if err != nil {
		t.Fatalf("AddService: %v", err)
	}
	spec, err := schema.LoadFiles(edited)
	if err != nil {
		t.Fatalf("the shop with billing added is invalid: %v", err)
	}

	dir := writeGenerated(t, spec)
	runGo(t, dir, "vet", "./...")
	runGo(t, dir, "build", "./...")
	billing := buildService(t, dir, "billing")

	down := startService(t, billing, "DATABASE_URL="+postgresURL(closedPort(t), "billing"))
	if code, body := down.get(t, "/livez"); code != http.StatusOK {
		t.Errorf("GET /livez without a database = %d %s, want 200", code, body)
	}
	if code, body := down.get(t, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz without a database = %d %s, want 503", code, body)
	}
	down.stop(t)

	db := startPostgres(t)
	up := startService(t, billing, "DATABASE_URL="+db.url("postgres"))
	if code, body := up.get(t, "/livez"); code != http.StatusOK {
		t.Errorf("GET /livez = %d %s, want 200", code, body)
	}
	// Readiness waits for the migrations, which the service applies at
	// start.
	if code, body := up.waitForReadiness(t, http.StatusOK); code != http.StatusOK {
		t.Errorf("GET /readyz = %d %s, want 200", code, body)
	}
	if code, _ := up.healthcheck(t); code != 0 {
		t.Errorf("healthcheck exit code = %d, want 0", code)
	}
	// The scaffolded handler reads the invoice from the starting store,
	// whose table the migrations created empty.
	if code, body := up.get(t, "/invoices/42"); code != http.StatusNotFound {
		t.Errorf("GET /invoices/42 = %d %s, want 404 from the scaffolded store", code, body)
	}
	up.stop(t)
}
