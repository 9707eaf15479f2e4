package schema

import (
	"fmt"
	"testing"
)

func TestServiceReferences(t *testing.T) {
	src := `name:   "shop"
module: "example.com/shop"
events: {
	OrderCreated: {id: "string"}
	PaymentTaken: {id: "string"}
}
services: {
	orders: {port: 8081, publishes: ["OrderCreated"], subscribes: ["PaymentTaken"], data: pattern: "database-per-service"}
	payments: {port: 8082, publishes: ["PaymentTaken", "OrderCreated"], data: pattern: "database-per-service"}
	storefront: {port: 8083, calls: ["orders", "payments"], subscribes: ["OrderCreated"]}
}
sagas: pay: {orchestrator: "payments", steps: [{service: "orders", action: "Confirm"}, {service: "payments", action: "Charge"}]}
compositions: summary: {path: "/summary/{id}", composer: "storefront", from: ["orders", "payments"]}
`
	files := sources("msgen.cue", src)
	mustLoadFiles(t, files)

	refs, err := ServiceReferences(files, "payments")
	if err != nil {
		t.Fatalf("ServiceReferences: %v", err)
	}
	// OrderCreated has another publisher, so its subscriber and its
	// declaration are no references.
	want := []string{
		"events.PaymentTaken " + positionOf(t, src, "events:", "PaymentTaken"),
		"services.orders.subscribes[0] " + positionOf(t, src, "subscribes:", `"PaymentTaken"`),
		"services.storefront.calls[1] " + positionOf(t, src, "storefront:", `"payments"`),
		"sagas.pay.orchestrator " + positionOf(t, src, "sagas:", "orchestrator"),
		"sagas.pay.steps[1].service " + positionOf(t, src, `"Confirm"`, "service"),
		"compositions.summary.from[1] " + positionOf(t, src, "compositions:", `"payments"`),
	}
	var got []string
	for _, ref := range refs {
		if ref.File != "msgen.cue" {
			t.Errorf("%s is in %q, want msgen.cue", ref.Path, ref.File)
		}
		got = append(got, fmt.Sprintf("%s %d:%d", ref.Path, ref.Line, ref.Column))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("references:\n%q\nwant:\n%q", got, want)
	}
}

func TestServiceReferencesNone(t *testing.T) {
	files := sources("msgen.cue", editBase+"services: {orders: {port: 8081, publishes: [\"OrderCreated\"]}, billing: {port: 8082, calls: [\"orders\"]}}\n")
	refs, err := ServiceReferences(files, "billing")
	if err != nil {
		t.Fatalf("ServiceReferences: %v", err)
	}
	if len(refs) != 0 {
		t.Errorf("references = %v, want none", refs)
	}
}
