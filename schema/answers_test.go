package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// loadMessages loads src and returns the message of each error at path.
func loadMessages(t *testing.T, src, path string) []string {
	t.Helper()
	_, err := LoadSource("msgen.cue", []byte(src))
	if err == nil {
		return nil
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("load: %v", err)
	}
	var messages []string
	for _, e := range errs {
		if e.Path == path {
			messages = append(messages, e.Message)
		}
	}
	return messages
}

// agreeWithLoad checks that an answer's check and Load agree on a spec
// that carries the same value at path: both accept it, or both reject it
// with the same message.
func agreeWithLoad(t *testing.T, answerErr error, src, path string) {
	t.Helper()
	messages := loadMessages(t, src, path)
	switch {
	case answerErr == nil && len(messages) > 0:
		t.Errorf("the answer passes, but Load reports at %s: %q", path, messages)
	case answerErr != nil && !slices.Contains(messages, answerErr.Error()):
		t.Errorf("the answer fails with %q, but Load reports at %s: %q", answerErr, path, messages)
	}
}

func TestValidateSystemName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{"shop", ""},
		{"my-shop2", ""},
		{"Shop", `invalid value "Shop": use a DNS label such as "shop"`},
		{"shop-", `invalid value "shop-": use a DNS label such as "shop"`},
		{"", `invalid value "": use a DNS label such as "shop"`},
		{strings.Repeat("a", 64), `use a DNS label`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSystemName(tt.name)
			checkErr(t, err, tt.wantErr)
			src := fmt.Sprintf("name: %q\nmodule: \"example.com/shop\"\nservices: api: port: 8081\n", tt.name)
			agreeWithLoad(t, err, src, "name")
		})
	}
}

func TestValidateModule(t *testing.T) {
	tests := []struct {
		module  string
		wantErr string
	}{
		{"example.com/shop", ""},
		{"shop", ""},
		{"github.com/acme/shop/v2", ""},
		{"Example.com/shop", `invalid value "Example.com/shop": use a Go module path such as "example.com/shop"`},
		{"example.com/shop/", `invalid value "example.com/shop/"`},
		{"example.com/aux", `invalid module path "example.com/aux"`},
	}
	for _, tt := range tests {
		t.Run(tt.module, func(t *testing.T) {
			err := ValidateModule(tt.module)
			checkErr(t, err, tt.wantErr)
			src := fmt.Sprintf("name: \"shop\"\nmodule: %q\nservices: api: port: 8081\n", tt.module)
			agreeWithLoad(t, err, src, "module")
		})
	}
}

func TestValidateServiceName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{"orders", ""},
		{"order-history", ""},
		{"Bad_Name", `invalid service name "Bad_Name": a service name is a DNS label: lowercase letters, digits and dashes, starting with a letter and not ending with a dash, at most 63 characters`},
		{"break", `invalid service name "break": its Go package name "break" is a Go keyword; choose another name`},
		{"svc-linux", `ends in the Go platform name "linux"`},
		{"kong", `msgen reserves it for a container of its own`},
		{"aux", `the go command rejects the import path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateServiceName(tt.name, "", nil)
			checkErr(t, err, tt.wantErr)
			// The go command's message names the module, which the answer
			// does not know yet.
			src := fmt.Sprintf("name: \"shop\"\nmodule: %q\nservices: %q: port: 8081\n", placeholderModule, tt.name)
			agreeWithLoad(t, err, src, "services."+quoteLabel(tt.name))
		})
	}
}

func TestValidateServiceNameTaken(t *testing.T) {
	taken := []string{"orders", "order-svc"}
	checkErr(t, ValidateServiceName("payments", "", taken), "")
	checkErr(t, ValidateServiceName("orders", "", taken), `service "orders" is already declared: choose another name`)

	err := ValidateServiceName("ordersvc", "", taken)
	checkErr(t, err, `service names "order-svc" and "ordersvc" both map to the Go package name "ordersvc"; rename one of them`)
	src := "name: \"shop\"\nmodule: \"example.com/shop\"\nservices: {\"order-svc\": port: 8081, ordersvc: port: 8082}\n"
	agreeWithLoad(t, err, src, "services.ordersvc")
}

func TestValidateServiceNameModule(t *testing.T) {
	err := ValidateServiceName("aux", "example.com/shop", nil)
	checkErr(t, err, `malformed import path "example.com/shop/services/aux/internal/aux"`)
	src := "name: \"shop\"\nmodule: \"example.com/shop\"\nservices: aux: port: 8081\n"
	agreeWithLoad(t, err, src, "services.aux")
}

func TestValidateDatabaseName(t *testing.T) {
	checkErr(t, ValidateDatabaseName("warehouse"), "")
	err := ValidateDatabaseName("Ware_House")
	checkErr(t, err, `invalid database name "Ware_House": a database name is a DNS label`)
	src := "name: \"shop\"\nmodule: \"example.com/shop\"\ndatabases: Ware_House: {}\nservices: api: port: 8081\n"
	agreeWithLoad(t, err, src, "databases.Ware_House")
}

func TestValidatePort(t *testing.T) {
	tests := []struct {
		text    string
		want    int
		wantErr string
	}{
		{"8081", 8081, ""},
		{" 1024 ", 1024, ""},
		{"65535", 65535, ""},
		{"80", 0, `invalid value 80: use a port from 1024 to 65535`},
		{"65536", 0, `invalid value 65536: use a port from 1024 to 65535`},
		{"http", 0, `invalid value "http": use a port from 1024 to 65535`},
		{"", 0, `invalid value "": use a port from 1024 to 65535`},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := ValidatePort(tt.text)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("port = %d, want %d", got, tt.want)
			}
			if _, convErr := fmt.Sscan(tt.text, new(int)); convErr == nil {
				src := fmt.Sprintf("name: \"shop\"\nmodule: \"example.com/shop\"\nservices: api: port: %s\n", strings.TrimSpace(tt.text))
				agreeWithLoad(t, err, src, "services.api.port")
			}
		})
	}
}

func TestCheckPortFree(t *testing.T) {
	used := map[int]string{8081: "orders"}
	checkErr(t, CheckPortFree(8082, used), "")
	err := CheckPortFree(8081, used)
	checkErr(t, err, `port 8081 is already used by service "orders": choose a free port`)
	src := "name: \"shop\"\nmodule: \"example.com/shop\"\nservices: {orders: port: 8081, payments: port: 8081}\n"
	agreeWithLoad(t, err, src, "services.payments.port")
}

func TestValidateRoutePath(t *testing.T) {
	tests := []struct {
		path    string
		wantErr string
	}{
		{"/", ""},
		{"/orders", ""},
		{"/orders/{id}/items/{item}", ""},
		{"orders", `invalid value "orders": use a path that starts with "/" and has literal segments or {name} parameters, such as "/orders/{id}"`},
		{"/orders/{id}/{id}", `parameter {id} appears twice in "/orders/{id}/{id}": give each parameter its own name`},
		{"/orders/..", `path "/orders/.." has a ".." segment, which no request can match after path cleaning: remove it`},
		{"/orders/", `invalid value "/orders/"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			err := ValidateRoutePath(tt.path)
			checkErr(t, err, tt.wantErr)
			src := fmt.Sprintf("name: \"shop\"\nmodule: \"example.com/shop\"\nservices: api: {port: 8081, routes: [{path: %q}]}\n", tt.path)
			agreeWithLoad(t, err, src, "services.api.routes[0].path")
		})
	}
}

func TestValidateMethod(t *testing.T) {
	checkErr(t, ValidateMethod("PATCH"), "")
	checkErr(t, ValidateMethod("FETCH"), `invalid value "FETCH": use GET, POST, PUT, PATCH or DELETE`)
}

func TestValidateRateLimit(t *testing.T) {
	got, err := ValidateRateLimit("600")
	checkErr(t, err, "")
	if got != 600 {
		t.Errorf("limit = %d, want 600", got)
	}
	_, err = ValidateRateLimit("0")
	checkErr(t, err, `invalid value 0: use a positive number of requests`)
	src := "name: \"shop\"\nmodule: \"example.com/shop\"\ngateway: kong: plugins: rateLimiting: minute: 0\nservices: api: port: 8081\n"
	agreeWithLoad(t, err, src, "gateway.kong.plugins.rateLimiting.minute")
}

func TestCheckMeshDiscovery(t *testing.T) {
	checkErr(t, CheckMeshDiscovery("consul-connect", "consul"), "")
	checkErr(t, CheckMeshDiscovery("linkerd", "dns"), "")
	err := CheckMeshDiscovery("consul-connect", "dns")
	checkErr(t, err, `mesh "consul-connect" needs Consul: set discovery: "consul"`)
	src := "name: \"shop\"\nmodule: \"example.com/shop\"\nmesh: \"consul-connect\"\nservices: api: port: 8081\n"
	agreeWithLoad(t, err, src, "mesh")
}

func TestChoices(t *testing.T) {
	tests := []struct {
		path    string
		want    []string
		wantDef string
	}{
		{"discovery", []string{"dns", "consul"}, "dns"},
		{"mesh", []string{"none", "consul-connect", "linkerd", "istio"}, "none"},
		{"services.*.data.pattern", []string{"stateless", "database-per-service", "shared-database", "cqrs", "event-sourcing"}, "stateless"},
		{"#Method", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, def, err := Choices(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("choices = %q, want %q", got, tt.want)
			}
			if def != tt.wantDef {
				t.Errorf("default = %q, want %q", def, tt.wantDef)
			}
		})
	}

	if _, _, err := Choices("name"); err == nil {
		t.Error("Choices(name) = nil error, want an error for a field that is not a choice")
	}
	if _, _, err := Choices("services.*.colour"); err == nil {
		t.Error("Choices of an unknown field = nil error, want an error")
	}
}

func TestDefault(t *testing.T) {
	var port int
	if err := Default("gateway.kong.port", &port); err != nil || port != 8000 {
		t.Errorf("Default(gateway.kong.port) = %d, %v, want 8000", port, err)
	}
	var methods []string
	if err := Default("#Route.methods", &methods); err != nil || !slices.Equal(methods, []string{"GET"}) {
		t.Errorf("Default(#Route.methods) = %q, %v, want [GET]", methods, err)
	}
	if err := Default("name", new(string)); err == nil {
		t.Error("Default(name) = nil error, want an error for a field without a default")
	}
}

func TestHintAndFields(t *testing.T) {
	hint, err := Hint("services.*.port")
	if err != nil || hint != "use a port from 1024 to 65535" {
		t.Errorf("Hint(services.*.port) = %q, %v", hint, err)
	}

	plugins, err := Fields("gateway.kong.plugins")
	if err != nil || !slices.Equal(plugins, []string{"correlationId", "rateLimiting"}) {
		t.Errorf("Fields(gateway.kong.plugins) = %q, %v", plugins, err)
	}
	top, err := Fields("")
	if err != nil || !slices.Contains(top, "services") || !slices.Contains(top, "sagas") {
		t.Errorf("Fields(\"\") = %q, %v, want the top-level fields", top, err)
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("error = %q, want none", err)
	case want != "" && err == nil:
		t.Errorf("error = nil, want %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
}

// quoteLabel quotes a service name as Error.Path does when it is not a
// plain identifier.
func quoteLabel(name string) string {
	if strings.ContainsAny(name, "-") {
		return fmt.Sprintf("%q", name)
	}
	return name
}
