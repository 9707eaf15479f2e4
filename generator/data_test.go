package generator

import (
	"slices"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

func TestResourcesFromRoutes(t *testing.T) {
	svc := &schema.Service{Routes: []schema.Route{
		{Path: "/orders"},
		{Path: "/orders/{id}"},
		{Path: "/v1/time-zones/{zone}"},
		{Path: "/api/stock/{sku}"},
		{Path: "/{tenant}/items"},
		{Path: "/2fa"},
		{Path: "/outbox"},
		{Path: "/"},
	}}
	var got []string
	for _, resource := range resources(svc) {
		got = append(got, resource.GoName+"="+resource.Table)
	}
	want := []string{"Orders=orders", "Stock=stock", "TimeZones=time_zones"}
	if !slices.Equal(got, want) {
		t.Errorf("resources = %q; want %q", got, want)
	}
}

func TestEventFieldsWithTheSameGoName(t *testing.T) {
	spec := shopSpec(t)
	spec.Events["OrderCreated"] = schema.Event{"orderId": "string", "orderID": "string"}
	_, err := Generate(spec)
	if err == nil {
		t.Fatal("Generate with the event fields orderId and orderID = nil error; want an error")
	}
	for _, want := range []string{"OrderCreated", `"orderID"`, `"orderId"`, "OrderID", "rename"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %s", err, want)
		}
	}
}

func TestBrokerOnlyForServicesWithDatabase(t *testing.T) {
	spec := shopSpec(t)
	files := generateFiles(t, spec)
	for _, svc := range spec.SortedServices() {
		path := "services/" + svc.Name + "/internal/" + svc.GoPackage() + "/events.go"
		_, ok := files[path]
		if want := usesBroker(svc); ok != want {
			t.Errorf("%s generated = %v; want %v", path, ok, want)
		}
	}

	stateless := shopSpec(t)
	for _, svc := range stateless.Services {
		svc.Data.Pattern = schema.PatternStateless
	}
	if specUsesBroker(stateless) {
		t.Error("a system of stateless services uses the broker; want none, because events need an outbox")
	}
	if compose := string(generateFiles(t, stateless)["docker-compose.yml"].Data); strings.Contains(compose, "nats") {
		t.Error("docker-compose.yml of a system without the broker mentions nats")
	}
}
