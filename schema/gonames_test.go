package schema

import "testing"

func TestGoIdentifier(t *testing.T) {
	tests := map[string]string{
		"orders":               "Orders",
		"order-history":        "OrderHistory",
		"PAYMENT_PROVIDER_KEY": "PaymentProviderKey",
		"API_KEY":              "APIKey",
		"customerId":           "CustomerID",
		"http":                 "HTTP",
		"v1":                   "V1",
	}
	for in, want := range tests {
		if got := GoIdentifier(in); got != want {
			t.Errorf("GoIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHandlerName(t *testing.T) {
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/orders", "GetOrders"},
		{"POST", "/orders", "PostOrders"},
		{"GET", "/orders/{id}", "GetOrdersByID"},
		{"PUT", "/stock/{sku}", "PutStockBySKU"},
		{"GET", "/order-history/{customer}", "GetOrderHistoryByCustomer"},
		{"DELETE", "/items/{itemId}/parts", "DeleteItemsByItemIDParts"},
		{"GET", "/", "GetRoot"},
	}
	for _, tt := range tests {
		if got := HandlerName(tt.method, tt.path); got != tt.want {
			t.Errorf("HandlerName(%q, %q) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}
