package schema

import (
	"strings"
	"unicode"
)

// commonInitialisms are the words that Go names write in capitals, as the
// Go code review comments recommend (ID, not Id).
var commonInitialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DB": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true,
	"JSON": true, "RPC": true, "SKU": true, "SMTP": true, "SQL": true, "SSH": true, "TCP": true,
	"TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true, "URI": true, "URL": true,
	"UUID": true, "XML": true,
}

// GoIdentifier converts a name made of words, such as "order-history",
// "PAYMENT_PROVIDER_KEY" or "customerId", into an exported Go identifier:
// OrderHistory, PaymentProviderKey, CustomerID. Characters that cannot
// appear in an identifier separate words.
func GoIdentifier(name string) string {
	var b strings.Builder
	for _, word := range splitWords(name) {
		if upper := strings.ToUpper(word); commonInitialisms[upper] {
			b.WriteString(upper)
			continue
		}
		runes := []rune(strings.ToLower(word))
		runes[0] = unicode.ToUpper(runes[0])
		b.WriteString(string(runes))
	}
	return b.String()
}

// splitWords splits name at characters other than letters and digits and
// before an upper-case letter that follows a lower-case one.
func splitWords(name string) []string {
	var words []string
	var current []rune
	flush := func() {
		if len(current) > 0 {
			words = append(words, string(current))
			current = nil
		}
	}
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && len(current) > 0 && unicode.IsLower(current[len(current)-1]):
			flush()
			current = append(current, r)
		default:
			current = append(current, r)
		}
	}
	flush()
	return words
}

// HandlerName derives the name of a handler method from the HTTP method and
// the path: "GET /orders/{id}" becomes GetOrdersByID and "GET /" GetRoot.
func HandlerName(method, routePath string) string {
	var b strings.Builder
	b.WriteString(GoIdentifier(strings.ToLower(method)))
	for _, segment := range strings.Split(routePath, "/") {
		if param, ok := strings.CutPrefix(segment, "{"); ok {
			b.WriteString("By")
			segment = strings.TrimSuffix(param, "}")
		}
		b.WriteString(GoIdentifier(segment))
	}
	if routePath == "/" {
		b.WriteString("Root")
	}
	return b.String()
}
