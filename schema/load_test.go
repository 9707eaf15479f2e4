package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const validBase = `
name:   "shop"
module: "example.com/shop"
`

func loadString(t *testing.T, src string) (*Spec, error) {
	t.Helper()
	return LoadSource("msgen.cue", []byte(src))
}

func mustLoad(t *testing.T, src string) *Spec {
	t.Helper()
	spec, err := loadString(t, src)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return spec
}

// errorLines returns each error of an invalid spec as a line.
func errorLines(t *testing.T, err error) []string {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T (%v), want Errors", err, err)
	}
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return lines
}

func TestLoadShopExample(t *testing.T) {
	spec, err := Load(filepath.Join("..", "testdata", "examples", "shop", "msgen.cue"))
	if err != nil {
		t.Fatalf("load: %v", err)
	}

	if got := strings.Join(spec.ServiceNames(), ","); got != "inventory,order-history,orders,payments,shipping,storefront" {
		t.Errorf("services = %s", got)
	}
	shipping := spec.Services["shipping"]
	if shipping.Health.StartPeriod != "20s" {
		t.Errorf("shipping start period = %q, want the override 20s", shipping.Health.StartPeriod)
	}
	if shipping.Health.Interval != "10s" || shipping.Health.Readiness != "/readyz" {
		t.Errorf("shipping health = %+v, want the global settings for what it does not override", shipping.Health)
	}
	if got := spec.Services["orders"].Routes[1].Methods; len(got) != 1 || got[0] != "GET" {
		t.Errorf("orders route methods = %v", got)
	}
	if got := spec.Services["shipping"].Routes[0].Methods; len(got) != 1 || got[0] != "GET" {
		t.Errorf("default route methods = %v, want [GET]", got)
	}
	if cid := spec.Gateway.Kong.Plugins.CorrelationID; cid == nil || cid.Header != "X-Correlation-ID" {
		t.Errorf("correlation id plugin = %+v", cid)
	}
	if spec.Services["inventory"].DatabaseHost() != "warehouse-db" {
		t.Errorf("inventory database host = %q", spec.Services["inventory"].DatabaseHost())
	}
}

func TestLoadDefaults(t *testing.T) {
	spec := mustLoad(t, validBase+`services: api: port: 8080`)

	if spec.Discovery != "dns" || spec.Mesh != "none" {
		t.Errorf("discovery, mesh = %q, %q", spec.Discovery, spec.Mesh)
	}
	if spec.Gateway.Kong.Port != 8000 || spec.Gateway.Kong.Image != "kong:3.9" || spec.Gateway.Kong.AdminPort != 0 {
		t.Errorf("kong = %+v", spec.Gateway.Kong)
	}
	want := Health{Liveness: "/livez", Readiness: "/readyz", Interval: "10s", Timeout: "3s", Retries: 3, StartPeriod: "10s"}
	if spec.Services["api"].Health != want {
		t.Errorf("health = %+v, want %+v", spec.Services["api"].Health, want)
	}
	if spec.Services["api"].Data.Pattern != PatternStateless {
		t.Errorf("pattern = %q", spec.Services["api"].Data.Pattern)
	}
	if r := spec.Services["api"].Replicas; r.Min != 1 || r.Max != 1 {
		t.Errorf("replicas = %+v", r)
	}
	if len(spec.Targets) != 1 || spec.Targets[0] != "compose" {
		t.Errorf("targets = %v", spec.Targets)
	}
}

func TestLoadCorrelationIDForms(t *testing.T) {
	for _, tc := range []struct {
		value  string
		header string
	}{
		{"true", "X-Correlation-ID"},
		{"false", ""},
		{`{header: "X-Request-ID"}`, "X-Request-ID"},
		{`{}`, "X-Correlation-ID"},
	} {
		spec := mustLoad(t, validBase+"services: api: port: 8080\n"+`gateway: kong: plugins: correlationId: `+tc.value)
		got := ""
		if cid := spec.Gateway.Kong.Plugins.CorrelationID; cid != nil {
			got = cid.Header
		}
		if got != tc.header {
			t.Errorf("correlationId: %s gives header %q, want %q", tc.value, got, tc.header)
		}
	}
}

// Values shared through a hidden field or an open definition reach each
// service that uses them, beside the schema's defaults.
func TestLoadSharedValues(t *testing.T) {
	spec := mustLoad(t, validBase+`
_stateful: {data: pattern: "database-per-service", replicas: min: 2}
#cqrs: {data: {pattern: "cqrs", ...}, ...}
services: {
	orders: _stateful & {port: 8081}
	payments: {#cqrs, port: 8082}
}
`)
	orders := spec.Services["orders"]
	if orders.Data.Pattern != "database-per-service" || orders.Replicas.Min != 2 {
		t.Errorf("orders data, replicas = %+v, %+v; want the values of _stateful", orders.Data, orders.Replicas)
	}
	if orders.Data.Image != "postgres:17" || orders.Replicas.Max != 2 {
		t.Errorf("orders image, max replicas = %q, %d; want the schema's defaults postgres:17 and min", orders.Data.Image, orders.Replicas.Max)
	}
	payments := spec.Services["payments"]
	if payments.Data.Pattern != "cqrs" || payments.Data.Engine != "postgres" {
		t.Errorf("payments data = %+v; want the pattern of #cqrs and the default engine", payments.Data)
	}
}

// A default that the user marks is taken where the schema's default is not
// among the user's choices, or equals the user's default.
func TestLoadUserDefaults(t *testing.T) {
	spec := mustLoad(t, validBase+`
mesh: *"none" | "istio"
gateway: kong: port: *9000 | 9001
services: orders: {port: *8081 | 8082, replicas: min: *2 | 3}
`)
	if spec.Mesh != "none" || spec.Gateway.Kong.Port != 9000 {
		t.Errorf("mesh, gateway port = %q, %d; want none, 9000", spec.Mesh, spec.Gateway.Kong.Port)
	}
	if orders := spec.Services["orders"]; orders.Port != 8081 || orders.Replicas.Min != 2 {
		t.Errorf("orders port, min replicas = %d, %d; want 8081, 2", orders.Port, orders.Replicas.Min)
	}
}

func TestLoadCompositionAddsCalls(t *testing.T) {
	spec := mustLoad(t, validBase+`
services: {
	a: port: 8081
	b: port: 8082
	web: {port: 8083, calls: ["b"]}
}
compositions: view: {path: "/view/{id}", composer: "web", from: ["a", "b"]}
`)
	if got := strings.Join(spec.Services["web"].Calls, ","); got != "b,a" {
		t.Errorf("web calls = %s, want b,a", got)
	}
}

func TestServiceNameRules(t *testing.T) {
	long := strings.Repeat("a", 63)
	for _, tc := range []struct {
		name  string
		valid bool
	}{
		{"orders", true},
		{"order-svc", true},
		{"a1", true},
		{long, true},
		{long + "a", false},
		{"Orders", false},
		{"1orders", false},
		{"orders-", false},
		{"order_svc", false},
		{"order--svc", false},
		{"func", false},
		{"go-to", false},
		{"test", false},
		{"main", false},
		{"testdata", false},
		{"vendor", false},
		{"kong", false},
		{"consul", false},
		{"orders-linux", false},
		{"orders-amd64", false},
		{"orders-windows", false},
		{"linux", true},
	} {
		_, err := loadString(t, validBase+`services: "`+tc.name+`": port: 8080`)
		if got := err == nil; got != tc.valid {
			t.Errorf("service name %q: valid = %v, want %v (error: %v)", tc.name, got, tc.valid, err)
		}
	}
}

func TestNameMapping(t *testing.T) {
	for _, tc := range []struct{ name, pkg, env string }{
		{"orders", "orders", "ORDERS_"},
		{"order-svc", "ordersvc", "ORDER_SVC_"},
		{"a-b-c1", "abc1", "A_B_C1_"},
	} {
		if got := GoPackageName(tc.name); got != tc.pkg {
			t.Errorf("GoPackageName(%q) = %q, want %q", tc.name, got, tc.pkg)
		}
		if got := EnvPrefix(tc.name); got != tc.env {
			t.Errorf("EnvPrefix(%q) = %q, want %q", tc.name, got, tc.env)
		}
	}
}

func TestLoadReportsEveryStructError(t *testing.T) {
	// CUE alone stops at the first error in a struct, but both must appear.
	_, err := loadString(t, validBase+`services: api: {
	port: 80
	colour: "red"
}`)
	lines := errorLines(t, err)
	want := []string{
		`msgen.cue:5:2: services.api.port: invalid value 80: use a port from 1024 to 65535`,
		`msgen.cue:6:2: services.api.colour: unknown field "colour": remove it or use one of port, routes, data, publishes, subscribes, calls, env, secrets, replicas, health`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{
			"missing name",
			`module: "example.com/x"`,
			`msgen.cue:1:1: name: missing required field "name": use a DNS label such as "shop"`,
		},
		{
			"wrong type",
			validBase + `services: api: port: "8080"`,
			`msgen.cue:4:16: services.api.port: invalid value "8080": use a port from 1024 to 65535`,
		},
		{
			"incomplete value",
			validBase + `services: api: port: int`,
			`msgen.cue:4:16: services.api.port: incomplete value int: give a concrete value`,
		},
		{
			"default disjunction out of bound",
			validBase + `health: retries: 20`,
			`msgen.cue:4:9: health.retries: invalid value 20: use a number of retries from 1 to 10`,
		},
		{
			"bad key",
			validBase + `events: orderCreated: {}`,
			`msgen.cue:4:9: events.orderCreated: invalid event name "orderCreated": an event name is an exported Go name such as "OrderCreated": a capital letter, then letters and digits`,
		},
		{
			"bad duration",
			validBase + `health: interval: "10"`,
			`msgen.cue:4:9: health.interval: invalid value "10": use a duration such as "10s" or "500ms"`,
		},
		{
			"path template",
			validBase + `services: api: {port: 8080, routes: [{path: "/a/{id"}]}`,
			`msgen.cue:4:39: services.api.routes[0].path: invalid value "/a/{id": use a path that starts with "/" and has literal segments or {name} parameters, such as "/orders/{id}"`,
		},
		{
			"duplicate path parameter",
			validBase + `services: api: {port: 8080, routes: [{path: "/a/{id}/b/{id}"}]}`,
			`msgen.cue:4:39: services.api.routes[0].path: parameter {id} appears twice in "/a/{id}/b/{id}": give each parameter its own name`,
		},
		{
			"replicas bounds",
			validBase + `services: api: {port: 8080, replicas: {min: 3, max: 2}}`,
			`msgen.cue:4:48: services.api.replicas.max: max replicas 2 is less than min replicas 3: raise max or lower min`,
		},
		{
			"subnet host bits",
			validBase + `network: subnet: "10.1.2.3/24"`,
			`msgen.cue:4:10: network.subnet: subnet "10.1.2.3/24" has host bits set: use "10.1.2.0/24"`,
		},
		{
			"mesh needs consul",
			validBase + `mesh: "consul-connect"`,
			`msgen.cue:4:1: mesh: mesh "consul-connect" needs Consul: set discovery: "consul"`,
		},
		{
			"admin port equals proxy port",
			validBase + `gateway: kong: {port: 8000, adminPort: 8000}`,
			`msgen.cue:4:29: gateway.kong.adminPort: the admin port 8000 is the same as the proxy port: choose another port`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src
			if !strings.Contains(src, "services:") {
				// A spec needs a service, and this one adds no error.
				src += "\nservices: zz: port: 9999\n"
			}
			_, err := loadString(t, src)
			lines := errorLines(t, err)
			if len(lines) != 1 || lines[0] != tc.want {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), tc.want)
			}
		})
	}
}

func TestLoadPackageSpreadOverFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("msgen.cue", "package shop\n"+validBase)
	write("orders.cue", "package shop\n\nservices: orders: port: 8081\n")
	write("payments.cue", "package shop\n\nservices: payments: port: 80\n")
	write("other.cue", "package other\n\nservices: ignored: port: 1\n")

	_, err := Load(filepath.Join(dir, "msgen.cue"))
	lines := errorLines(t, err)
	want := filepath.ToSlash(filepath.Join(dir, "payments.cue")) + ":3:21: services.payments.port: invalid value 80: use a port from 1024 to 65535"
	if len(lines) != 1 || lines[0] != want {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
	}

	write("payments.cue", "package shop\n\nservices: payments: port: 8082\n")
	spec, err := Load(filepath.Join(dir, "msgen.cue"))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got := strings.Join(spec.ServiceNames(), ","); got != "orders,payments" {
		t.Errorf("services = %s, want orders,payments from two files and nothing from package other", got)
	}
}

func TestLoadRejectsYAML(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"msgen.yaml", "msgen.yml", "msgen.YML"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte("name: shop\nmodule: example.com/shop\n"), 0o644); err != nil {
				t.Fatal(err)
			}

			_, err := Load(path)
			lines := errorLines(t, err)
			display := filepath.ToSlash(path)
			converted := strings.TrimSuffix(display, filepath.Ext(name)) + ".cue"
			want := display + `: msgen reads specs in CUE or JSON, not YAML: convert the spec with "cue import ` + display + `", which writes ` + converted + `, or write it as JSON, then name the new file with --spec`
			if len(lines) != 1 || lines[0] != want {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
			}
		})
	}
}

func TestLoadSyntaxError(t *testing.T) {
	_, err := loadString(t, validBase+"services: {")
	lines := errorLines(t, err)
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "msgen.cue:4:") {
		t.Errorf("errors = %q, want a position in msgen.cue", lines)
	}
}

func TestConsulSubnetCapacity(t *testing.T) {
	var services strings.Builder
	for i := 0; i < 6; i++ {
		services.WriteString("\ts" + string(rune('a'+i)) + ": port: " + strconv.Itoa(8080+i) + "\n")
	}
	src := validBase + "discovery: \"consul\"\nnetwork: subnet: \"10.9.0.0/28\"\nservices: {\n" + services.String() + "}\n"

	_, err := loadString(t, src)
	lines := errorLines(t, err)
	want := `msgen.cue:5:10: network.subnet: subnet "10.9.0.0/28" leaves 6 addresses for containers, but the system has 7: use a shorter prefix, such as "10.9.0.0/16"`
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
	}

	if _, err := loadString(t, strings.Replace(src, "consul", "dns", 1)); err != nil {
		t.Errorf("with dns discovery the subnet is not used, but load failed: %v", err)
	}
}

func TestMuxPattern(t *testing.T) {
	if got := MuxPattern("GET", "/"); got != "GET /{$}" {
		t.Errorf(`MuxPattern("GET", "/") = %q, want "GET /{$}"`, got)
	}
	if got := MuxPattern("PUT", "/orders/{id}"); got != "PUT /orders/{id}" {
		t.Errorf(`MuxPattern("PUT", "/orders/{id}") = %q, want "PUT /orders/{id}"`, got)
	}
}

func TestLoadRequiresAService(t *testing.T) {
	_, err := loadString(t, validBase)
	lines := errorLines(t, err)
	want := "msgen.cue:2:1: services: no services declared: add at least one, such as services: api: port: 8080"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
	}
}

func TestModulePathRules(t *testing.T) {
	for _, tc := range []struct {
		module string
		valid  bool
	}{
		{"shop", true},
		{"example.com/shop", true},
		{"gopkg.in/shop", true},
		{"github.com/Acme/Shop", true},
		{"example.com/x.", false},
		{"example.com/../x", false},
		{"example.com/nul", false},
	} {
		src := "name: \"shop\"\nmodule: \"" + tc.module + "\"\nservices: api: port: 8080\n"
		_, err := loadString(t, src)
		if got := err == nil; got != tc.valid {
			t.Errorf("module %q: valid = %v, want %v (error: %v)", tc.module, got, tc.valid, err)
		}
	}
}
