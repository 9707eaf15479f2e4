package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/msgen-dev/msgen/schema"
)

// The team's code that TestE2EDataPatterns puts into the scaffolded files
// of the shop, as a team would after generating it.
const (
	// placeOrderCode stores an order, publishes OrderCreated and starts
	// the createOrder saga in one transaction.
	placeOrderCode = `package orders

import (
	"encoding/json"
	"net/http"

	"github.com/jackc/pgx/v5"

	"example.com/shop/internal/events"
	"example.com/shop/internal/platform"
)

func (h *Handler) placeOrder(w http.ResponseWriter, r *http.Request) {
	var order struct {
		OrderID string  ` + "`json:\"orderId\"`" + `
		Total   float64 ` + "`json:\"total\"`" + `
	}
	if err := json.NewDecoder(r.Body).Decode(&order); err != nil || order.OrderID == "" {
		http.Error(w, "invalid order", http.StatusBadRequest)
		return
	}
	data, err := json.Marshal(map[string]any{"total": order.Total, "status": "pending"})
	if err != nil {
		platform.WriteError(w, r, h.deps.Logger, err)
		return
	}
	err = pgx.BeginFunc(r.Context(), h.store.DB(), func(tx pgx.Tx) error {
		if _, err := h.store.SaveOrders(r.Context(), tx, OrdersAggregate{ID: order.OrderID, Data: data}); err != nil {
			return err
		}
		if _, err := PublishOrderCreated(r.Context(), tx, events.OrderCreated{OrderID: order.OrderID, Total: order.Total}); err != nil {
			return err
		}
		_, err := StartCreateOrder(r.Context(), tx, order.OrderID, order)
		return err
	})
	if err != nil {
		platform.WriteError(w, r, h.deps.Logger, err)
		return
	}
	_ = platform.WriteJSON(w, http.StatusAccepted, map[string]string{"orderId": order.OrderID})
}
`

	// orderHooksCode sets the order's status when its saga ends.
	orderHooksCode = `package orders

import (
	"context"

	"github.com/jackc/pgx/v5"

	"example.com/shop/internal/platform"
)

type sagaHooks struct {
	deps Dependencies
}

func NewSagaHooks(deps Dependencies) SagaHooks {
	return &sagaHooks{deps: deps}
}

func (h *sagaHooks) CreateOrderCompleted(ctx context.Context, tx pgx.Tx, instance platform.SagaInstance) error {
	return setStatus(ctx, tx, instance.ID, "approved")
}

func (h *sagaHooks) CreateOrderRejected(ctx context.Context, tx pgx.Tx, instance platform.SagaInstance) error {
	return setStatus(ctx, tx, instance.ID, "rejected")
}

func setStatus(ctx context.Context, tx pgx.Tx, id, status string) error {
	_, err := tx.Exec(ctx, "UPDATE orders SET data = data || jsonb_build_object('status', $2::text), version = version + 1, updated_at = now() WHERE id = $1", id, status)
	return err
}
`

	// paymentActionsCode declines payments over 1000 and records the
	// others as a PaymentAuthorized event in the payment's stream, which
	// the outbox also publishes.
	paymentActionsCode = `package payments

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"example.com/shop/internal/events"
	"example.com/shop/internal/platform"
)

type sagaActions struct {
	deps Dependencies
}

func NewSagaActions(deps Dependencies) SagaActions {
	return &sagaActions{deps: deps}
}

func (a *sagaActions) AuthorizePayment(ctx context.Context, tx pgx.Tx, command platform.SagaCommand) error {
	var order struct {
		OrderID string  ` + "`json:\"orderId\"`" + `
		Total   float64 ` + "`json:\"total\"`" + `
	}
	if err := json.Unmarshal(command.Payload, &order); err != nil {
		return err
	}
	if order.Total > 1000 {
		return errors.New("payment declined: the total is over 1000")
	}
	_, err := AppendPaymentAuthorized(ctx, tx, PaymentsStream(order.OrderID), 0,
		events.PaymentAuthorized{OrderID: order.OrderID, PaymentID: "pay-" + order.OrderID})
	return err
}

func (a *sagaActions) VoidPayment(ctx context.Context, tx pgx.Tx, command platform.SagaCommand) error {
	return nil
}
`
)

// shopSystem is the generated shop, its services running as processes on
// loopback against one PostgreSQL server and one NATS server.
type shopSystem struct {
	dir      string
	db       testPostgres
	psqlPath string
	broker   *testBroker
	binaries map[string]string
	services map[string]*runningService
	env      map[string][]string
}

// TestE2EDataPatterns generates the shop, adds the team's code for placing
// orders and authorising payments, and starts every service against real
// PostgreSQL and NATS servers. It then checks each data management pattern
// from the outside. The createOrder saga completes, and compensates when a
// participant fails. The CQRS read model catches up and rebuilds. A
// concurrent write to an event-sourced aggregate gets 409. The outbox loses
// no event while the broker is down. A composition merges its sources and
// names a stopped one as missing.
func TestE2EDataPatterns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generated services; skipped with -short")
	}

	dir := generateShop(t, func(spec *schema.Spec) {
		spec.Services["payments"].Routes = []schema.Route{{Path: "/payments/{id}", Methods: []string{"GET", "POST"}}}
	})
	writeTeamCode(t, dir)
	shop := startShop(t, dir)

	t.Run("saga completes", func(t *testing.T) {
		shop.placeOrder(t, "o-1", 50)
		instance := shop.waitForSaga(t, "o-1", "completed")
		if instance["failure"] != nil {
			t.Errorf("completed saga has a failure: %v", instance["failure"])
		}
		if status := shop.orderStatus(t, "o-1"); status != "approved" {
			t.Errorf("order o-1 status = %q; want approved by the saga hook", status)
		}
	})

	t.Run("saga compensates", func(t *testing.T) {
		shop.placeOrder(t, "o-2", 5000)
		instance := shop.waitForSaga(t, "o-2", "rejected")
		if failure, _ := instance["failure"].(string); !strings.Contains(failure, "AuthorizePayment") || !strings.Contains(failure, "declined") {
			t.Errorf("saga failure = %q; want the declined AuthorizePayment step", failure)
		}
		if status := shop.orderStatus(t, "o-2"); status != "rejected" {
			t.Errorf("order o-2 status = %q; want rejected", status)
		}
		// ReserveStock completed, so its compensation ReleaseStock ran at
		// inventory; AuthorizePayment failed and was rolled back.
		if status := shop.query(t, "warehouse", "SELECT status FROM inventory.saga_steps WHERE saga = 'createOrder' AND saga_id = 'o-2' AND step = 0"); status != "compensated" {
			t.Errorf("inventory step of o-2 = %q; want compensated", status)
		}
		if status := shop.query(t, "payments", "SELECT status FROM saga_steps WHERE saga = 'createOrder' AND saga_id = 'o-2' AND step = 1"); status != "failed" {
			t.Errorf("payments step of o-2 = %q; want failed", status)
		}
		if n := shop.query(t, "payments", "SELECT count(*) FROM event_store WHERE stream_id = 'payments/o-2'"); n != "0" {
			t.Errorf("the declined payment left %s events; want none", n)
		}
	})

	t.Run("read model catches up", func(t *testing.T) {
		document := shop.waitForReadModel(t, "o-1", func(data map[string]any) bool {
			return data["total"] == 50.0 && data["paymentId"] == "pay-o-1"
		})
		if document["orderId"] != "o-1" {
			t.Errorf("read model of o-1 = %v; want orderId o-1", document)
		}

		// The rebuild replays the streams into an emptied read model.
		shop.query(t, "order_history", "UPDATE order_history SET data = '{}'")
		shop.run(t, "order-history", "rebuild-projection")
		shop.waitForReadModel(t, "o-1", func(data map[string]any) bool {
			return data["total"] == 50.0 && data["paymentId"] == "pay-o-1"
		})
		if n := shop.query(t, "order_history", "SELECT count(*) FROM order_history"); n != "2" {
			t.Errorf("the rebuilt read model has %s documents; want 2, for o-1 and o-2", n)
		}
	})

	t.Run("event sourcing conflict", func(t *testing.T) {
		payments := shop.services["payments"]
		event := `{"type": "PaymentAuthorized", "data": {"orderId": "x-1", "paymentId": "pay-x-1"}}`
		if code, body := payments.request(t, "POST", "/payments/x-1", event, "If-Match", `"0"`); code != http.StatusOK {
			t.Fatalf("first append = %d %s; want 200", code, body)
		}

		// Writers that all loaded version 1 append at once.
		const writers = 6
		codes := make([]int, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _ = payments.request(t, "POST", "/payments/x-1", event, "If-Match", `"1"`)
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, code := range codes {
			switch code {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflicts++
			}
		}
		if ok != 1 || conflicts != writers-1 {
			t.Errorf("status codes %v; want one 200 and %d 409", codes, writers-1)
		}
		if code, body := payments.request(t, "GET", "/payments/x-1", ""); code != http.StatusOK || !strings.Contains(body, `"version":2`) {
			t.Errorf("GET /payments/x-1 = %d %s; want version 2", code, body)
		}
	})

	t.Run("event sourcing rejects invalid events", func(t *testing.T) {
		payments := shop.services["payments"]
		for _, event := range []string{
			`{"type": "PaymentAuthorized", "data": [1, 2]}`,
			`{"type": "PaymentAuthorized", "data": {"orderId": "x-2", "paymentId": "pay-x-2", "amount": 5}}`,
			`{"type": "PaymentAuthorized", "data": {"orderId": 2, "paymentId": "pay-x-2"}}`,
			`{"type": "Deposited", "data": {"amount": 5}}`,
		} {
			code, body := payments.request(t, "POST", "/payments/x-2", event, "If-Match", `"0"`)
			if code != http.StatusBadRequest || !strings.Contains(body, "invalid event") {
				t.Errorf("POST /payments/x-2 %s = %d %s; want 400 naming the invalid event", event, code, body)
			}
		}
		if code, body := payments.request(t, "GET", "/payments/x-2", ""); code != http.StatusNotFound {
			t.Errorf("GET /payments/x-2 = %d %s; want 404, because no invalid event was appended", code, body)
		}
		if n := shop.query(t, "payments", "SELECT count(*) FROM event_store WHERE stream_id = 'payments/x-2'"); n != "0" {
			t.Errorf("the stream payments/x-2 has %s events; want none", n)
		}
	})

	t.Run("outbox survives broker restart", func(t *testing.T) {
		shop.broker.kill(t)
		shop.placeOrder(t, "o-3", 20)
		if n := shop.query(t, "orders", "SELECT count(*) FROM outbox"); n == "0" {
			t.Error("the outbox is empty while the broker is down; want the saga command and OrderCreated waiting")
		}

		shop.broker.start(t)
		shop.waitForSaga(t, "o-3", "completed")
		shop.waitForReadModel(t, "o-3", func(data map[string]any) bool {
			return data["total"] == 20.0 && data["paymentId"] == "pay-o-3"
		})
		if n := shop.query(t, "orders", "SELECT count(*) FROM outbox"); n != "0" {
			t.Errorf("the orders outbox keeps %s rows after the broker is back; want 0", n)
		}
	})

	t.Run("composition keeps dot segments", func(t *testing.T) {
		// No order and no payment has the id "." or "..", so both sources
		// answer 404, where a cleaned path would call another route, such
		// as GET /orders, the list of orders.
		storefront := shop.services["storefront"]
		for _, target := range []string{"/order-details/%2E", "/order-details/%2E%2E"} {
			code, body := storefront.request(t, "GET", target, "")
			response := decodeComposition(t, body)
			if code != http.StatusBadGateway || len(response.Sources) != 0 || len(response.Missing) != 2 {
				t.Errorf("GET %s = %d %s; want 502 with orders and payments missing", target, code, body)
			}
			for _, missing := range response.Missing {
				if missing.Error != "status 404" {
					t.Errorf("GET %s: %s is missing for %q; want status 404", target, missing.Source, missing.Error)
				}
			}
		}
	})

	t.Run("composition", func(t *testing.T) {
		storefront := shop.services["storefront"]
		code, body := storefront.request(t, "GET", "/order-details/o-1", "")
		if code != http.StatusOK {
			t.Fatalf("GET /order-details/o-1 = %d %s; want 200", code, body)
		}
		response := decodeComposition(t, body)
		if len(response.Missing) != 0 || response.Sources["orders"] == nil || response.Sources["payments"] == nil {
			t.Errorf("composition = %s; want orders and payments, none missing", body)
		}

		shop.services["payments"].stop(t)
		code, body = storefront.request(t, "GET", "/order-details/o-1", "")
		if code != http.StatusOK {
			t.Fatalf("GET /order-details/o-1 with payments stopped = %d %s; want 200", code, body)
		}
		response = decodeComposition(t, body)
		if response.Sources["orders"] == nil {
			t.Errorf("composition = %s; want the orders part", body)
		}
		if len(response.Missing) != 1 || response.Missing[0].Source != "payments" || response.Missing[0].Error != "unavailable" {
			t.Errorf("composition = %s; want payments named as missing, unavailable", body)
		}
		if strings.Contains(body, "127.0.0.1") {
			t.Errorf("composition = %s; want no address of a source in the response", body)
		}
	})
}

// writeTeamCode puts the team's code into the generated shop.
func writeTeamCode(t *testing.T, dir string) {
	t.Helper()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("services/orders/internal/orders/place.go", placeOrderCode)
	write("services/orders/internal/orders/saga_hooks.go", orderHooksCode)
	write("services/payments/internal/payments/saga_actions.go", paymentActionsCode)

	handlers := filepath.Join(dir, "services", "orders", "internal", "orders", "handlers.go")
	data, err := os.ReadFile(handlers)
	if err != nil {
		t.Fatal(err)
	}
	stub := "\t// TODO: implement POST /orders.\n\th.notImplemented(w, \"POST /orders\")"
	if !bytes.Contains(data, []byte(stub)) {
		t.Fatalf("the scaffolded orders handlers.go has no POST /orders stub:\n%s", data)
	}
	write("services/orders/internal/orders/handlers.go", strings.Replace(string(data), stub, "\th.placeOrder(w, r)", 1))
}

// startShop creates the databases, starts the servers and every service,
// and waits until each is ready.
func startShop(t *testing.T, dir string) *shopSystem {
	t.Helper()
	shop := &shopSystem{
		dir:      dir,
		db:       startPostgres(t),
		psqlPath: psqlPath(t),
		binaries: map[string]string{},
		services: map[string]*runningService{},
		env:      map[string][]string{},
	}
	shop.broker = startBroker(t, buildNATSServer(t, dir))

	for _, database := range []string{"orders", "order_history", "payments", "warehouse"} {
		shop.query(t, "postgres", "CREATE DATABASE "+database)
	}
	// The shared database gets its roles and schemas from the generated
	// init script, as the postgres container runs it.
	script := exec.Command("sh", filepath.Join(dir, "deploy", "postgres", "warehouse-init.sh"))
	script.Env = append(os.Environ(),
		"PATH="+filepath.Dir(shop.psqlPath)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PGHOST=127.0.0.1", "PGPORT="+strconv.Itoa(shop.db.port), "PGPASSWORD="+postgresPassword,
		"POSTGRES_USER=postgres", "POSTGRES_DB=warehouse",
		"INVENTORY_DB_PASSWORD=inventory-secret", "SHIPPING_DB_PASSWORD=shipping-secret")
	if out, err := script.CombinedOutput(); err != nil {
		t.Fatalf("run warehouse-init.sh: %v\n%s", err, out)
	}

	ports := map[string]int{}
	for _, name := range []string{"inventory", "shipping", "payments", "order-history", "orders", "storefront"} {
		ports[name] = closedPort(t)
	}
	serviceURL := func(name string) string { return fmt.Sprintf("http://127.0.0.1:%d", ports[name]) }
	roleURL := func(role, password string) string {
		return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/warehouse?sslmode=disable", role, password, shop.db.port)
	}
	nats := "NATS_URL=" + shop.broker.url()
	shop.env = map[string][]string{
		"inventory":     {"DATABASE_URL=" + roleURL("inventory", "inventory-secret"), nats},
		"shipping":      {"DATABASE_URL=" + roleURL("shipping", "shipping-secret"), nats},
		"payments":      {"DATABASE_URL=" + shop.db.url("payments"), nats, "PAYMENT_PROVIDER_KEY=test-key"},
		"order-history": {"DATABASE_URL=" + shop.db.url("order_history"), nats},
		"orders":        {"DATABASE_URL=" + shop.db.url("orders"), nats, "INVENTORY_URL=" + serviceURL("inventory")},
		"storefront":    {"ORDERS_URL=" + serviceURL("orders"), "PAYMENTS_URL=" + serviceURL("payments"), "COMPOSITION_TIMEOUT=2s"},
	}

	for _, name := range []string{"inventory", "shipping", "payments", "order-history", "orders", "storefront"} {
		shop.binaries[name] = buildService(t, dir, name)
		svc := startServiceOnPort(t, shop.binaries[name], ports[name], shop.env[name]...)
		if code, body := svc.waitForReadiness(t, http.StatusOK); code != http.StatusOK {
			t.Fatalf("%s /readyz = %d %s; want 200", name, code, body)
		}
		shop.services[name] = svc
	}

	// A role of the shared database reaches its own schema only.
	if out, err := shop.psql("postgres://inventory:inventory-secret@127.0.0.1:"+strconv.Itoa(shop.db.port)+"/warehouse?sslmode=disable",
		"SELECT count(*) FROM shipping.schema_migrations"); err == nil || !strings.Contains(out, "permission denied") {
		t.Errorf("inventory reading the shipping schema: %v %s; want permission denied", err, out)
	}
	return shop
}

// psqlPath returns the path of psql: from PATH, or beside initdb.
func psqlPath(t *testing.T) string {
	t.Helper()
	if path, err := exec.LookPath("psql"); err == nil {
		return path
	}
	path := filepath.Join(postgresBinDir(t), "psql")
	if _, err := os.Stat(path); err != nil {
		skipUnlessCI(t, "psql is not installed: install the postgresql-client package to run this test")
	}
	return path
}

// psql runs one SQL statement and returns its unaligned output.
func (s *shopSystem) psql(url, sql string) (string, error) {
	out, err := exec.Command(s.psqlPath, "--no-psqlrc", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "--dbname", url, "--command", sql).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// query runs sql as the superuser in database and returns the output.
func (s *shopSystem) query(t *testing.T, database, sql string) string {
	t.Helper()
	out, err := s.psql(s.db.url(database), sql)
	if err != nil {
		t.Fatalf("psql %s %q: %v\n%s", database, sql, err, out)
	}
	return out
}

// run runs a subcommand of a service binary with the service's environment.
func (s *shopSystem) run(t *testing.T, service string, args ...string) {
	t.Helper()
	cmd := exec.Command(s.binaries[service], args...)
	cmd.Env = s.env[service]
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", service, strings.Join(args, " "), err, out)
	}
}

// placeOrder sends POST /orders to the orders service.
func (s *shopSystem) placeOrder(t *testing.T, id string, total float64) {
	t.Helper()
	body := fmt.Sprintf(`{"orderId": %q, "total": %v}`, id, total)
	if code, response := s.services["orders"].request(t, "POST", "/orders", body); code != http.StatusAccepted {
		t.Fatalf("POST /orders %s = %d %s; want 202", body, code, response)
	}
}

// waitForSaga waits until the createOrder saga id is in state.
func (s *shopSystem) waitForSaga(t *testing.T, id, state string) map[string]any {
	t.Helper()
	var instance map[string]any
	eventually(t, "saga "+id+" "+state, func() bool {
		code, body := s.services["orders"].request(t, "GET", "/sagas/createOrder/"+id, "")
		instance = nil
		_ = json.Unmarshal([]byte(body), &instance)
		return code == http.StatusOK && instance["state"] == state
	}, func() string { return fmt.Sprintf("last saga state: %v", instance) })
	return instance
}

// orderStatus returns the status of an order once its saga hook has set it.
func (s *shopSystem) orderStatus(t *testing.T, id string) string {
	t.Helper()
	var status string
	eventually(t, "order "+id+" leaves pending", func() bool {
		code, body := s.services["orders"].request(t, "GET", "/orders/"+id, "")
		var order struct {
			Data struct {
				Status string `json:"status"`
			} `json:"data"`
		}
		_ = json.Unmarshal([]byte(body), &order)
		status = order.Data.Status
		return code == http.StatusOK && status != "pending"
	}, func() string { return "last status: " + status })
	return status
}

// waitForReadModel waits until the read model document id satisfies done
// and returns its data.
func (s *shopSystem) waitForReadModel(t *testing.T, id string, done func(map[string]any) bool) map[string]any {
	t.Helper()
	var document struct {
		Data map[string]any `json:"data"`
	}
	eventually(t, "read model of "+id, func() bool {
		code, body := s.services["order-history"].request(t, "GET", "/order-history/"+id, "")
		document.Data = nil
		_ = json.Unmarshal([]byte(body), &document)
		return code == http.StatusOK && done(document.Data)
	}, func() string { return fmt.Sprintf("last document: %v", document.Data) })
	return document.Data
}

// eventually calls condition until it returns true. After waitLimit it
// fails the test with the text that last returns.
func eventually(t *testing.T, what string, condition func() bool, last func() string) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !condition() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; %s", what, waitLimit, last())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// compositionResponse is the body of a composition's response.
type compositionResponse struct {
	Sources map[string]json.RawMessage `json:"sources"`
	Missing []struct {
		Source string `json:"source"`
		Error  string `json:"error"`
	} `json:"missing"`
}

func decodeComposition(t *testing.T, body string) compositionResponse {
	t.Helper()
	var response compositionResponse
	if err := json.Unmarshal([]byte(body), &response); err != nil {
		t.Fatalf("decode composition %s: %v", body, err)
	}
	return response
}
