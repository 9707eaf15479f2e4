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
		want := usesBroker(spec, svc) && (len(svc.Publishes) > 0 || len(svc.Subscribes) > 0)
		if ok != want {
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

func TestDataPatternFilesOfShop(t *testing.T) {
	files := generateFiles(t, shopSpec(t))
	tests := []struct {
		path string
		want []string
	}{
		{"services/storefront/internal/storefront/compositions.go", []string{
			`{Name: "orders", Client: deps.Orders, Path: func(r *http.Request) string { return "/orders/" + platform.EscapePathSegment(r.PathValue("id")) }}`,
			`{Name: "payments", Client: deps.Payments, Path: func(r *http.Request) string { return "/payments/" + platform.EscapePathSegment(r.PathValue("id")) }}`,
			`mux.Handle("GET /order-details/{id}", orderDetailsComposition)`,
		}},
		{"services/storefront/main.go", []string{
			`storefront.RegisterCompositions(mux, deps, rt.Config.CompositionTimeout)`,
		}},
		{"services/orders/internal/orders/sagas.go", []string{
			`StepTimeout:  30 * time.Second`,
			`{Service: "inventory", Action: "ReserveStock", Compensation: "ReleaseStock"}`,
			`{Service: "shipping", Action: "ScheduleShipment"}`,
		}},
		{"services/orders/main.go", []string{
			`rt.Orchestrate(orders.Sagas(orders.NewSagaHooks(deps))...)`,
		}},
		{"services/inventory/internal/inventory/saga_commands.go", []string{
			`Handle: platform.HandleSagaCommand(actions.ReleaseStock, true), MaxDeliveries: -1}`,
			`Handle: platform.HandleSagaCommand(actions.ReserveStock, false)}`,
		}},
		{"services/order-history/main.go", []string{
			`Projection:        true`,
			`rt.SetProjection(subscriber.ResetProjection, orderhistory.Subscriptions(subscriber))`,
		}},
		{"services/order-history/internal/orderhistory/subscribers.go", []string{
			`return s.project(ctx, tx, event.OrderID, event)`,
			`TRUNCATE order_history`,
		}},
		{"services/order-history/internal/orderhistory/handlers.go", []string{
			`h.store.GetOrderHistory(r.Context(), r.PathValue("customer"))`,
		}},
		{"services/payments/internal/payments/eventstore.go", []string{
			`"PaymentAuthorized": {subject: "payments.events.PaymentAuthorized", check: platform.CheckEventData[events.PaymentAuthorized]}`,
		}},
		{"services/payments/internal/payments/handlers.go", []string{
			`h.store.LoadPayments(r.Context(), r.PathValue("id"))`,
		}},
		{"services/orders/internal/orders/handlers.go", []string{
			`h.store.ListOrders(r.Context(), 100)`,
			`h.store.GetOrders(r.Context(), r.PathValue("id"))`,
			`h.notImplemented(w, "POST /orders")`,
		}},
	}
	for _, tt := range tests {
		f, ok := files[tt.path]
		if !ok {
			t.Errorf("%s was not generated", tt.path)
			continue
		}
		for _, want := range tt.want {
			if !strings.Contains(string(f.Data), want) {
				t.Errorf("%s does not contain %q", tt.path, want)
			}
		}
	}

	// The generated composer serves the composition's route, not a
	// scaffolded handler.
	if routes := string(files["services/storefront/internal/storefront/routes.go"].Data); strings.Contains(routes, "order-details") {
		t.Errorf("storefront routes.go registers the composition route, which compositions.go registers:\n%s", routes)
	}
}

func TestEventSourcedAppendRoute(t *testing.T) {
	spec := shopSpec(t)
	spec.Services["payments"].Routes = []schema.Route{{Path: "/payments/{id}", Methods: []string{"GET", "POST"}}}
	files := generateFiles(t, spec)

	handlers := string(files["services/payments/internal/payments/handlers.go"].Data)
	for _, want := range []string{`r.Header.Get("If-Match")`, `h.store.AppendPayments(r.Context(), id, expected, event.Type, event.Data)`} {
		if !strings.Contains(handlers, want) {
			t.Errorf("payments handlers.go does not contain %q", want)
		}
	}

	// The store rejects an unknown event type before it appends, and
	// AppendEvent checks a published event against its Go type.
	store := string(files["services/payments/internal/payments/store.go"].Data)
	if !strings.Contains(store, "if err := checkEventType(eventType); err != nil {") {
		t.Errorf("payments store.go appends without checking the event type:\n%s", store)
	}
	if !strings.Contains(store, "var acceptedEventTypes = PublishedEventTypes()") {
		t.Errorf("payments store.go does not accept the published event types")
	}
	eventstore := string(files["services/payments/internal/payments/eventstore.go"].Data)
	for _, want := range []string{`return []string{"PaymentAuthorized"}`, "published.check(eventType, payload)"} {
		if !strings.Contains(eventstore, want) {
			t.Errorf("payments eventstore.go does not contain %q", want)
		}
	}
	if sql := string(files["services/payments/internal/payments/migrations/0001_initial.sql"].Data); strings.Contains(sql, "CREATE TABLE") {
		t.Errorf("the event-sourced service's first migration creates tables; its state is in the event store:\n%s", sql)
	}
}

func TestSagaCommandNamedTwice(t *testing.T) {
	spec := shopSpec(t)
	saga := spec.Sagas["createOrder"]
	saga.Steps = append(saga.Steps, schema.SagaStep{Service: "inventory", Action: "ReleaseStock"})
	spec.Sagas["createOrder"] = saga
	_, err := Generate(spec)
	if err == nil || !strings.Contains(err.Error(), `"ReleaseStock" is both an action and a compensation`) {
		t.Errorf("Generate with ReleaseStock as action and compensation = %v; want an error naming it", err)
	}
}

func TestPathExpression(t *testing.T) {
	tests := map[string]string{
		"/":                     `"/"`,
		"/orders":               `"/orders"`,
		"/orders/{id}":          `"/orders/" + platform.EscapePathSegment(r.PathValue("id"))`,
		"/a/{x}/b/{y}":          `"/a/" + platform.EscapePathSegment(r.PathValue("x")) + "/b/" + platform.EscapePathSegment(r.PathValue("y"))`,
		"/items/{itemId}/parts": `"/items/" + platform.EscapePathSegment(r.PathValue("itemId")) + "/parts"`,
	}
	for path, want := range tests {
		if got := pathExpression(path); got != want {
			t.Errorf("pathExpression(%q) = %s; want %s", path, got, want)
		}
	}
}

func TestMissingRequirements(t *testing.T) {
	tests := []struct {
		name  string
		goMod string
		want  []string
	}{
		{
			name:  "go.mod of an older msgen",
			goMod: "module example.com/shop\n\ngo 1.24\n",
			want:  []string{"github.com/jackc/pgx/v5@v5.13.0", "github.com/nats-io/nats-server/v2@v2.15.3", "github.com/nats-io/nats.go@v1.56.0"},
		},
		{
			name:  "older and newer versions",
			goMod: "module example.com/shop\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.2.0\n\tgithub.com/nats-io/nats-server/v2 v2.16.0\n\tgithub.com/nats-io/nats.go v1.56.0\n)\n",
			want:  []string{"github.com/jackc/pgx/v5@v5.13.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MissingRequirements([]byte(tt.goMod))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("MissingRequirements = %q; want %q", got, tt.want)
			}
		})
	}

	// The scaffolded go.mod lacks nothing.
	files := generateFiles(t, shopSpec(t))
	if got, err := MissingRequirements(files["go.mod"].Data); err != nil || len(got) != 0 {
		t.Errorf("MissingRequirements of the scaffolded go.mod = %q, %v; want none", got, err)
	}
}

// TestGoSumCoversGoMod checks that the scaffolded go.sum has the hashes of
// every module that the scaffolded go.mod requires, so that a fresh clone
// builds with -mod=readonly.
func TestGoSumCoversGoMod(t *testing.T) {
	files := generateFiles(t, shopSpec(t))
	sum := string(files["go.sum"].Data)
	for _, line := range strings.Split(string(files["go.mod"].Data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.Contains(fields[0], ".") || !strings.HasPrefix(fields[1], "v") {
			continue
		}
		for _, want := range []string{fields[0] + " " + fields[1] + " h1:", fields[0] + " " + fields[1] + "/go.mod h1:"} {
			if !strings.Contains(sum, want) {
				t.Errorf("go.sum has no line starting %q", want)
			}
		}
	}
}
