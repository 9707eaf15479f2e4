package generator

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

// loadShop loads the shop example spec.
func loadShop(t *testing.T) *schema.Spec {
	t.Helper()
	spec, err := schema.Load(filepath.Join("..", "testdata", "examples", "shop", "msgen.cue"))
	if err != nil {
		t.Fatalf("load the shop spec: %v", err)
	}
	return spec
}

// loadSpecSource loads a spec from CUE text.
func loadSpecSource(t *testing.T, src string) *schema.Spec {
	t.Helper()
	spec, err := schema.LoadSource("msgen.cue", []byte(src))
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return spec
}

// filesByPath renders the services and the platform of spec.
func filesByPath(t *testing.T, spec *schema.Spec) map[string]File {
	t.Helper()
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	services, err := renderServices(r, spec)
	if err != nil {
		t.Fatalf("renderServices: %v", err)
	}
	platform, err := renderPlatform(r, spec)
	if err != nil {
		t.Fatalf("renderPlatform: %v", err)
	}

	files := append(services, platform...)
	if err := formatGoFiles(files); err != nil {
		t.Fatal(err)
	}
	byPath := make(map[string]File)
	for _, f := range files {
		if _, dup := byPath[f.Path]; dup {
			t.Fatalf("two files at %s", f.Path)
		}
		byPath[f.Path] = f
	}
	return byPath
}

func TestRenderServicesFiles(t *testing.T) {
	files := filesByPath(t, loadShop(t))

	for _, svc := range []string{"inventory", "order-history", "orders", "payments", "shipping", "storefront"} {
		pkg := schema.GoPackageName(svc)
		tests := []struct {
			path      string
			ownership Ownership
		}{
			{"services/" + svc + "/main.go", Managed},
			{"services/" + svc + "/Dockerfile", Managed},
			{"services/" + svc + "/internal/" + pkg + "/routes.go", Managed},
			{"services/" + svc + "/internal/" + pkg + "/handlers.go", Scaffolded},
		}
		for _, tt := range tests {
			f, ok := files[tt.path]
			if !ok {
				t.Errorf("%s is missing", tt.path)
				continue
			}
			if f.Ownership != tt.ownership {
				t.Errorf("%s ownership = %v, want %v", tt.path, f.Ownership, tt.ownership)
			}
			if f.Mode != 0o644 {
				t.Errorf("%s mode = %v, want 0644", tt.path, f.Mode)
			}
			hasMarker := bytes.Contains(firstLine(f.Data), []byte(Marker))
			if hasMarker != (tt.ownership == Managed) {
				t.Errorf("%s first line %q: marker present = %v, want %v", tt.path, firstLine(f.Data), hasMarker, tt.ownership == Managed)
			}
		}
	}
}

func TestRenderPlatformFiles(t *testing.T) {
	files := filesByPath(t, loadShop(t))

	for _, name := range []string{"run.go", "config.go", "health.go", "postgres.go", "healthcheck.go", "consul.go", "postgres_test.go"} {
		f, ok := files["internal/platform/"+name]
		if !ok {
			t.Errorf("internal/platform/%s is missing", name)
			continue
		}
		if f.Ownership != Managed {
			t.Errorf("internal/platform/%s ownership = %v, want managed", name, f.Ownership)
		}
		if !bytes.Contains(firstLine(f.Data), []byte(Marker)) {
			t.Errorf("internal/platform/%s does not start with the marker", name)
		}
	}
}

func TestRenderServicesRoutes(t *testing.T) {
	files := filesByPath(t, loadShop(t))

	tests := []struct {
		path string
		want []string
	}{
		{"services/orders/internal/orders/routes.go", []string{
			`mux.HandleFunc("GET /orders", routes.GetOrders)`,
			`mux.HandleFunc("POST /orders", routes.PostOrders)`,
			`mux.HandleFunc("GET /orders/{id}", routes.GetOrdersByID)`,
			`Inventory *platform.ServiceClient`,
			`DatabaseURL string`,
		}},
		{"services/shipping/internal/shipping/routes.go", []string{
			`mux.HandleFunc("GET /shipments/{id}", routes.GetShipmentsByID)`,
		}},
		{"services/storefront/internal/storefront/routes.go", []string{
			`Orders *platform.ServiceClient`,
			`Payments *platform.ServiceClient`,
		}},
		{"services/payments/main.go", []string{
			`Secrets:           []string{"PAYMENT_PROVIDER_KEY"}`,
			`PaymentProviderKey: rt.Config.Secrets["PAYMENT_PROVIDER_KEY"]`,
		}},
		{"services/orders/main.go", []string{
			`{Name: "inventory", URLVariable: "INVENTORY_URL", DefaultURL: "http://inventory:8082"}`,
			`CheckInterval: 10 * time.Second`,
			`CorrelationHeader: "X-Correlation-ID"`,
		}},
		{"services/orders/Dockerfile", []string{
			"CGO_ENABLED=0 go build -trimpath",
			"FROM gcr.io/distroless/static-debian12:nonroot",
			"USER nonroot",
			`ENTRYPOINT ["/usr/local/bin/orders"]`,
		}},
	}
	for _, tt := range tests {
		data := string(files[tt.path].Data)
		for _, want := range tt.want {
			if !strings.Contains(data, want) {
				t.Errorf("%s does not contain %q", tt.path, want)
			}
		}
	}
}

func TestRenderServicesStorefrontHasNoDatabase(t *testing.T) {
	files := filesByPath(t, loadShop(t))

	data := string(files["services/storefront/internal/storefront/routes.go"].Data)
	if strings.Contains(data, "DatabaseURL") {
		t.Error("routes.go of the stateless storefront declares DatabaseURL")
	}
}

func TestRenderServicesImportAlias(t *testing.T) {
	spec := loadSpecSource(t, `
name: "edge"
module: "example.com/edge"
services: platform: port: 9001
`)
	files := filesByPath(t, spec)

	data := string(files["services/platform/main.go"].Data)
	if !strings.Contains(data, `platformsvc "example.com/edge/services/platform/internal/platform"`) {
		t.Errorf("main.go does not import the service package under an alias:\n%s", data)
	}
}

func TestRenderServicesDeterministic(t *testing.T) {
	first := filesByPath(t, loadShop(t))
	second := filesByPath(t, loadShop(t))
	for path, f := range first {
		if !bytes.Equal(f.Data, second[path].Data) {
			t.Errorf("%s differs between two renders of the same spec", path)
		}
	}
}

func TestGoDuration(t *testing.T) {
	tests := map[string]string{
		"10s":   "10 * time.Second",
		"1s":    "time.Second",
		"500ms": "500 * time.Millisecond",
		"90s":   "90 * time.Second",
		"2m":    "2 * time.Minute",
		"1h":    "time.Hour",
	}
	for in, want := range tests {
		got, err := goDuration(in)
		if err != nil || got != want {
			t.Errorf("goDuration(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ten seconds", "-1s", "0s"} {
		if _, err := goDuration(in); err == nil {
			t.Errorf("goDuration(%q) = nil error, want an error", in)
		}
	}
}

func TestJoinWithAnd(t *testing.T) {
	tests := []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	}
	for _, tt := range tests {
		if got := joinWithAnd(tt.items); got != tt.want {
			t.Errorf("joinWithAnd(%q) = %q, want %q", tt.items, got, tt.want)
		}
	}
}

func firstLine(data []byte) []byte {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return line
}
