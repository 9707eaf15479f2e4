package schema

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const editBase = `name:   "shop"
module: "example.com/shop"
databases: warehouse: {}
events: OrderCreated: {id: "string"}
`

// billing is the service that the AddService tests insert.
var billing = NewService{
	Port:    8090,
	Pattern: PatternSharedDatabase, Database: "warehouse",
	Routes:    []Route{{Path: "/invoices", Methods: []string{"GET", "POST"}}, {Path: "/invoices/{id}"}},
	Publishes: []string{"OrderCreated"},
	Calls:     []string{"orders"},
}

// sources turns name and text pairs into a spec's files, in that order.
func sources(nameAndText ...string) []SourceFile {
	var files []SourceFile
	for i := 0; i < len(nameAndText); i += 2 {
		files = append(files, SourceFile{Name: nameAndText[i], Data: []byte(nameAndText[i+1])})
	}
	return files
}

// changedFiles returns the text of each file that differs between before
// and after, by name.
func changedFiles(t *testing.T, before, after []SourceFile) map[string]string {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("the edit returned %d files, want %d", len(after), len(before))
	}
	changed := map[string]string{}
	for i := range before {
		if after[i].Name != before[i].Name {
			t.Fatalf("file %d is named %q after the edit, want %q", i, after[i].Name, before[i].Name)
		}
		if !bytes.Equal(before[i].Data, after[i].Data) {
			changed[after[i].Name] = string(after[i].Data)
		}
	}
	return changed
}

// checkInserted fails unless after is before with want inserted at one
// offset, so that every other byte is unchanged.
func checkInserted(t *testing.T, before, after, want string) {
	t.Helper()
	for i := 0; i <= len(before) && len(after) == len(before)+len(want); i++ {
		if before[:i]+want+before[i:] == after {
			return
		}
	}
	t.Errorf("the edit did not insert exactly %q and leave every other byte alone:\nbefore:\n%s\nafter:\n%s", want, before, after)
}

// mustLoadFiles validates edited files and returns the spec.
func mustLoadFiles(t *testing.T, files []SourceFile) *Spec {
	t.Helper()
	spec, err := LoadFiles(files)
	if err != nil {
		t.Fatalf("the edited spec is invalid: %v", err)
	}
	return spec
}

func TestAddServiceLayouts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []SourceFile
		// file and insert are the file that changes and the text that
		// the edit inserts into it.
		file   string
		insert string
	}{
		{
			name: "services block",
			files: sources("msgen.cue", editBase+`
services: {
	orders: {
		port: 8081
		publishes: ["OrderCreated"]
	}
	inventory: port: 8082
}

sagas: {}
`),
			file: "msgen.cue",
			insert: `	billing: {
		port: 8090
		routes: [
			{path: "/invoices", methods: ["GET", "POST"]},
			{path: "/invoices/{id}"},
		]
		data: {pattern: "shared-database", database: "warehouse"}
		publishes: ["OrderCreated"]
		calls: ["orders"]
	}
`,
		},
		{
			name: "comments everywhere",
			files: sources("msgen.cue", `// Spec header.
name:   "shop" // the name
module: "example.com/shop"
databases: warehouse: {} // shared
events: OrderCreated: {id: "string"}

// The services.
services: { // opening
	// orders doc
	orders: {
		port: 8081 // port
		publishes: ["OrderCreated"] // events
	} // orders end

	// inventory doc
	inventory: {port: 8082, routes: [{path: "/a"}]}
	// last comment in the block
} // closing
// final comment
`),
			file: "msgen.cue",
			insert: `	billing: {
		port: 8090
		routes: [
			{path: "/invoices", methods: ["GET", "POST"]},
			{path: "/invoices/{id}"},
		]
		data: {pattern: "shared-database", database: "warehouse"}
		publishes: ["OrderCreated"]
		calls: ["orders"]
	}
`,
		},
		{
			name: "dotted fields",
			files: sources("msgen.cue", editBase+`
// orders takes orders.
services: orders: {
	port: 8081
	publishes: ["OrderCreated"]
} // end of orders

services: inventory: port: 8082 // stock
services: inventory: routes: [{path: "/stock"}]

sagas: {}
`),
			file: "msgen.cue",
			insert: `services: billing: {
	port: 8090
	routes: [
		{path: "/invoices", methods: ["GET", "POST"]},
		{path: "/invoices/{id}"},
	]
	data: {pattern: "shared-database", database: "warehouse"}
	publishes: ["OrderCreated"]
	calls: ["orders"]
}
`,
		},
		{
			name: "dotted fields separated by blank lines",
			files: sources("msgen.cue", editBase+`
services: orders: {port: 8081, publishes: ["OrderCreated"]}

services: inventory: port: 8082
`),
			file: "msgen.cue",
			insert: `
services: billing: {
	port: 8090
	routes: [
		{path: "/invoices", methods: ["GET", "POST"]},
		{path: "/invoices/{id}"},
	]
	data: {pattern: "shared-database", database: "warehouse"}
	publishes: ["OrderCreated"]
	calls: ["orders"]
}
`,
		},
		{
			name:  "last line without a newline",
			files: sources("msgen.cue", editBase+`services: orders: {port: 8081, publishes: ["OrderCreated"]}`),
			file:  "msgen.cue",
			insert: `
services: billing: {
	port: 8090
	routes: [
		{path: "/invoices", methods: ["GET", "POST"]},
		{path: "/invoices/{id}"},
	]
	data: {pattern: "shared-database", database: "warehouse"}
	publishes: ["OrderCreated"]
	calls: ["orders"]
}`,
		},
		{
			name:  "block on one line",
			files: sources("msgen.cue", editBase+`services: {orders: {port: 8081, publishes: ["OrderCreated"]}}`+"\n"),
			file:  "msgen.cue",
			insert: `, billing: {port: 8090, routes: [{path: "/invoices", methods: ["GET", "POST"]}, {path: "/invoices/{id}"}], ` +
				`data: {pattern: "shared-database", database: "warehouse"}, publishes: ["OrderCreated"], calls: ["orders"]}`,
		},
		{
			name: "block of dotted services, indented with spaces",
			files: sources("msgen.cue", editBase+`services: {
    orders: port: 8081
    orders: publishes: ["OrderCreated"]
}
`),
			file: "msgen.cue",
			insert: `    billing: {
        port: 8090
        routes: [
            {path: "/invoices", methods: ["GET", "POST"]},
            {path: "/invoices/{id}"},
        ]
        data: {pattern: "shared-database", database: "warehouse"}
        publishes: ["OrderCreated"]
        calls: ["orders"]
    }
`,
		},
		{
			name:  "lines that end in CRLF",
			files: sources("msgen.cue", strings.ReplaceAll(editBase+"services: {\n\torders: {port: 8081, publishes: [\"OrderCreated\"]}\n}\n", "\n", "\r\n")),
			file:  "msgen.cue",
			insert: strings.ReplaceAll(`	billing: {
		port: 8090
		routes: [
			{path: "/invoices", methods: ["GET", "POST"]},
			{path: "/invoices/{id}"},
		]
		data: {pattern: "shared-database", database: "warehouse"}
		publishes: ["OrderCreated"]
		calls: ["orders"]
	}
`, "\n", "\r\n"),
		},
		{
			name: "package spread over files",
			files: sources(
				"msgen.cue", "package shop\n\n"+editBase,
				"orders.cue", "package shop\n\nservices: orders: {port: 8081, publishes: [\"OrderCreated\"]}\n",
				"stock.cue", "package shop\n\nservices: {\n\tinventory: port: 8082\n}\n",
			),
			file: "stock.cue",
			insert: `	billing: {
		port: 8090
		routes: [
			{path: "/invoices", methods: ["GET", "POST"]},
			{path: "/invoices/{id}"},
		]
		data: {pattern: "shared-database", database: "warehouse"}
		publishes: ["OrderCreated"]
		calls: ["orders"]
	}
`,
		},
		{
			name: "package of dotted files",
			files: sources(
				"msgen.cue", "package shop\n\n"+editBase,
				"orders.cue", "package shop\n\nservices: orders: {port: 8081, publishes: [\"OrderCreated\"]}\n",
				"stock.cue", "package shop\n\nservices: inventory: port: 8082\n\nservices: shipping: port: 8083\n",
			),
			file: "stock.cue",
			insert: `
services: billing: {
	port: 8090
	routes: [
		{path: "/invoices", methods: ["GET", "POST"]},
		{path: "/invoices/{id}"},
	]
	data: {pattern: "shared-database", database: "warehouse"}
	publishes: ["OrderCreated"]
	calls: ["orders"]
}
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited, err := AddService(tc.files, "billing", billing)
			if err != nil {
				t.Fatalf("AddService: %v", err)
			}

			changed := changedFiles(t, tc.files, edited)
			if len(changed) != 1 || changed[tc.file] == "" {
				t.Fatalf("changed files %v, want only %s", keys(changed), tc.file)
			}
			var before string
			for _, f := range tc.files {
				if f.Name == tc.file {
					before = string(f.Data)
				}
			}
			checkInserted(t, before, changed[tc.file], tc.insert)

			spec := mustLoadFiles(t, edited)
			svc := spec.Services["billing"]
			if svc == nil {
				t.Fatal("the edited spec has no service billing")
			}
			if svc.Port != 8090 || svc.Data.Database != "warehouse" || len(svc.Routes) != 2 || len(svc.Calls) != 1 {
				t.Errorf("billing = %+v, want the fields given to AddService", svc)
			}
		})
	}
}

func keys(m map[string]string) []string {
	return sortedKeys(m)
}

func TestAddServiceDefaults(t *testing.T) {
	files := sources("msgen.cue", editBase+"services: orders: {port: 8081, publishes: [\"OrderCreated\"]}\n")
	edited, err := AddService(files, "order-svc", NewService{Port: 8082})
	if err != nil {
		t.Fatalf("AddService: %v", err)
	}
	// A name that is not an identifier is quoted, and a struct of one
	// field is written as a chain.
	checkInserted(t, string(files[0].Data), string(edited[0].Data), "services: \"order-svc\": port: 8082\n")
	if svc := mustLoadFiles(t, edited).Services["order-svc"]; svc.Data.Pattern != PatternStateless {
		t.Errorf("pattern = %q, want the schema's default", svc.Data.Pattern)
	}
}

func TestAddServiceNameTaken(t *testing.T) {
	files := sources("msgen.cue", editBase+"services: {\n\torders: port: 8081\n}\n")
	_, err := AddService(files, "orders", NewService{Port: 8090})
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error = %v, want Errors", err)
	}
	want := `msgen.cue:6:2: services.orders: service "orders" is already declared: choose another name`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("errors:\n%v\nwant:\n%s", err, want)
	}
}

func TestRemoveService(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  []SourceFile
		remove string
		want   map[string]string
	}{
		{
			name: "block with comments",
			files: sources("msgen.cue", editBase+`
services: { // opening
	// orders doc
	orders: {
		port: 8081 // port
		publishes: ["OrderCreated"]
	} // orders end

	// inventory doc
	inventory: {port: 8082, calls: ["orders"]}
	// last comment in the block
}
`),
			remove: "inventory",
			want: map[string]string{"msgen.cue": editBase + `
services: { // opening
	// orders doc
	orders: {
		port: 8081 // port
		publishes: ["OrderCreated"]
	} // orders end

	// last comment in the block
}
`},
		},
		{
			name: "first field after the opening brace",
			files: sources("msgen.cue", editBase+`
services: {
	inventory: port: 8082

	orders: {port: 8081, publishes: ["OrderCreated"]}
}
`),
			remove: "inventory",
			want: map[string]string{"msgen.cue": editBase + `
services: {
	orders: {port: 8081, publishes: ["OrderCreated"]}
}
`},
		},
		{
			name: "dotted declarations",
			files: sources("msgen.cue", editBase+`
services: orders: {port: 8081, publishes: ["OrderCreated"]}

// inventory doc
services: inventory: port: 8082 // stock
services: inventory: routes: [{path: "/stock"}]

sagas: {}
`),
			remove: "inventory",
			want: map[string]string{"msgen.cue": editBase + `
services: orders: {port: 8081, publishes: ["OrderCreated"]}

sagas: {}
`},
		},
		{
			name:   "block on one line",
			files:  sources("msgen.cue", editBase+`services: {inventory: port: 8082, orders: {port: 8081, publishes: ["OrderCreated"]}}`+"\n"),
			remove: "inventory",
			want:   map[string]string{"msgen.cue": editBase + `services: {orders: {port: 8081, publishes: ["OrderCreated"]}}` + "\n"},
		},
		{
			name:   "last field of a block on one line",
			files:  sources("msgen.cue", editBase+`services: {orders: {port: 8081, publishes: ["OrderCreated"]}, inventory: port: 8082}`+"\n"),
			remove: "inventory",
			want:   map[string]string{"msgen.cue": editBase + `services: {orders: {port: 8081, publishes: ["OrderCreated"]}}` + "\n"},
		},
		{
			name:   "lines that end in CRLF",
			files:  sources("msgen.cue", strings.ReplaceAll(editBase+"services: {\n\torders: {port: 8081, publishes: [\"OrderCreated\"]}\n\n\tinventory: port: 8082\n}\n", "\n", "\r\n")),
			remove: "inventory",
			want:   map[string]string{"msgen.cue": strings.ReplaceAll(editBase+"services: {\n\torders: {port: 8081, publishes: [\"OrderCreated\"]}\n}\n", "\n", "\r\n")},
		},
		{
			name: "declarations in two files",
			files: sources(
				"msgen.cue", "package shop\n\n"+editBase+"services: orders: {port: 8081, publishes: [\"OrderCreated\"]}\n",
				"inventory.cue", "package shop\n\nservices: inventory: port: 8082\n",
				"routes.cue", "package shop\n\nservices: {\n\tinventory: routes: [{path: \"/stock\"}]\n}\n",
			),
			remove: "inventory",
			want: map[string]string{
				"inventory.cue": "package shop\n",
				"routes.cue":    "package shop\n\nservices: {\n}\n",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited, err := RemoveService(tc.files, tc.remove)
			if err != nil {
				t.Fatalf("RemoveService: %v", err)
			}
			changed := changedFiles(t, tc.files, edited)
			if strings.Join(keys(changed), ",") != strings.Join(keys(tc.want), ",") {
				t.Fatalf("changed files %v, want %v", keys(changed), keys(tc.want))
			}
			for name, want := range tc.want {
				if changed[name] != want {
					t.Errorf("%s after the edit:\n%s\nwant:\n%s", name, changed[name], want)
				}
			}

			spec := mustLoadFiles(t, edited)
			if _, ok := spec.Services[tc.remove]; ok {
				t.Errorf("the edited spec still declares %s", tc.remove)
			}
		})
	}
}

func TestRemoveServiceNotDeclared(t *testing.T) {
	files := sources("msgen.cue", editBase+"services: {orders: port: 8081, inventory: port: 8082}\n")
	_, err := RemoveService(files, "billing")
	want := `msgen.cue: services: service "billing" is not declared: use one of "inventory", "orders"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestAddRoute(t *testing.T) {
	route := Route{Path: "/stock", Methods: []string{"GET", "POST"}}
	for _, tc := range []struct {
		name   string
		src    string
		insert string
	}{
		{
			name: "list one per line",
			src: `services: inventory: {
	port: 8082
	routes: [
		{path: "/stock/{sku}", methods: ["GET"]},
	]
}
`,
			insert: "\t\t{path: \"/stock\", methods: [\"GET\", \"POST\"]},\n",
		},
		{
			name: "list one per line without commas",
			src: `services: inventory: {
	port: 8082
	routes: [
		{path: "/stock/{sku}", methods: ["GET"]}
	]
}
`,
			insert: "\t\t{path: \"/stock\", methods: [\"GET\", \"POST\"]}\n",
		},
		{
			name:   "list on one line",
			src:    "services: inventory: {\n\tport: 8082\n\troutes: [{path: \"/stock/{sku}\"}] // stock\n}\n",
			insert: `, {path: "/stock", methods: ["GET", "POST"]}`,
		},
		{
			name:   "empty list",
			src:    "services: inventory: {\n\tport: 8082\n\troutes: []\n}\n",
			insert: `{path: "/stock", methods: ["GET", "POST"]}`,
		},
		{
			name:   "service block without routes",
			src:    "services: inventory: {\n\tport: 8082\n\tcalls: [] // none yet\n}\n",
			insert: "\troutes: [{path: \"/stock\", methods: [\"GET\", \"POST\"]}]\n",
		},
		{
			name:   "dotted service without routes",
			src:    "services: inventory: port: 8082 // stock\nsagas: {}\n",
			insert: "services: inventory: routes: [{path: \"/stock\", methods: [\"GET\", \"POST\"]}]\n",
		},
		{
			name:   "service on one line",
			src:    "services: {inventory: {port: 8082}}\n",
			insert: `, routes: [{path: "/stock", methods: ["GET", "POST"]}]`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := sources("msgen.cue", editBase+tc.src)
			edited, err := AddRoute(files, "inventory", route)
			if err != nil {
				t.Fatalf("AddRoute: %v", err)
			}
			checkInserted(t, string(files[0].Data), string(edited[0].Data), tc.insert)

			// The spec needs a publisher of the declared event to be valid.
			edited = append(edited, SourceFile{Name: "publisher.cue", Data: []byte(`services: orders: {port: 8081, publishes: ["OrderCreated"]}`)})
			routes := mustLoadFiles(t, edited).Services["inventory"].Routes
			if last := routes[len(routes)-1]; last.Path != route.Path || strings.Join(last.Methods, ",") != "GET,POST" {
				t.Errorf("last route = %+v, want %+v", last, route)
			}
		})
	}
}

func TestAddRouteNotAList(t *testing.T) {
	files := sources("msgen.cue", editBase+"_stock: [{path: \"/stock\"}]\nservices: inventory: {\n\tport: 8082\n\troutes: _stock\n}\n")
	_, err := AddRoute(files, "inventory", Route{Path: "/more"})
	want := `msgen.cue:8:2: services.inventory.routes: services.inventory.routes is not written as a list such as [...], so msgen cannot add to it: add the entry by hand`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestAddEvent(t *testing.T) {
	files := sources("msgen.cue", editBase+`services: {
	orders: port: 8081
	inventory: {
		port: 8082
		subscribes: ["OrderCreated"]
	}
}
`)
	edited, err := AddEvent(files, "orders", "publishes", "OrderCreated")
	if err != nil {
		t.Fatalf("AddEvent publishes: %v", err)
	}
	checkInserted(t, string(files[0].Data), string(edited[0].Data), "\torders: publishes: [\"OrderCreated\"]\n")

	again, err := AddEvent(edited, "inventory", "publishes", "OrderCreated")
	if err != nil {
		t.Fatalf("AddEvent publishes again: %v", err)
	}
	checkInserted(t, string(edited[0].Data), string(again[0].Data), "\t\tpublishes: [\"OrderCreated\"]\n")
	spec := mustLoadFiles(t, again)
	if got := spec.Services["inventory"].Publishes; len(got) != 1 || got[0] != "OrderCreated" {
		t.Errorf("inventory publishes %v, want [OrderCreated]", got)
	}

	if _, err := AddEvent(files, "orders", "emits", "OrderCreated"); err == nil {
		t.Error("AddEvent to the list emits succeeded, want an error")
	}
}

// TestEditExamples adds a service to each bundled example and removes it
// again, which must give back the example byte for byte.
func TestEditExamples(t *testing.T) {
	for _, example := range []string{"shop", "online-boutique"} {
		t.Run(example, func(t *testing.T) {
			files, err := ReadFiles(filepath.Join("..", "testdata", "examples", example, "msgen.cue"))
			if err != nil {
				t.Fatal(err)
			}
			spec := mustLoadFiles(t, files)

			added, err := AddService(files, "billing", NewService{Port: 9999, Pattern: PatternStateless})
			if err != nil {
				t.Fatalf("AddService: %v", err)
			}
			if got := mustLoadFiles(t, added); len(got.Services) != len(spec.Services)+1 {
				t.Errorf("%d services after the edit, want %d", len(got.Services), len(spec.Services)+1)
			}
			removed, err := RemoveService(added, "billing")
			if err != nil {
				t.Fatalf("RemoveService: %v", err)
			}
			if changed := changedFiles(t, files, removed); len(changed) > 0 {
				t.Errorf("adding and removing a service changed %v", keys(changed))
			}
		})
	}
}

func TestReadFilesOrder(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"msgen.cue": "package shop\n",
		"b.cue":     "package shop\n",
		"a.cue":     "package shop\n",
		"c.cue":     "package other\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := ReadFiles(filepath.Join(dir, "msgen.cue"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f.Name))
	}
	if got := strings.Join(names, ","); got != "msgen.cue,a.cue,b.cue" {
		t.Errorf("files = %s, want the spec first, then the package's other files by name", got)
	}
}

func TestAddServiceQuotesShadowingNames(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     string
		service string
		want    string
	}{
		{"predeclared", "services: orders: port: 8081\n", "int", "services: \"int\": port: 9000\n"},
		{"predeclared in a block", "services: {\n\torders: port: int & 8081\n}\n", "int", "\t\"int\": port: 9000\n"},
		{"referenced", "let base = 8000\nservices: orders: port: base + 81\n", "base", "services: \"base\": port: 9000\n"},
		{"plain", "services: orders: port: 8081\n", "billing", "services: billing: port: 9000\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := sources("msgen.cue", "name: \"shop\"\nmodule: \"example.com/shop\"\n"+tc.src)
			edited, err := AddService(files, tc.service, NewService{Port: 9000})
			if err != nil {
				t.Fatalf("AddService: %v", err)
			}
			checkInserted(t, string(files[0].Data), string(edited[0].Data), tc.want)
			if got := mustLoadFiles(t, edited).Services["orders"].Port; got != 8081 {
				t.Errorf("orders port = %d after the edit, want 8081", got)
			}
		})
	}
}

// TestAddServiceKeepsTrailingComments adds a service to blocks that end in
// comments: the service goes before them, so they stay where they were and
// do not become its doc comment, and removing it gives back the file.
func TestAddServiceKeepsTrailingComments(t *testing.T) {
	const orders = "services: {\n\torders: {port: 8081, publishes: [\"OrderCreated\"]}\n"
	for _, tc := range []struct {
		name string
		src  string
		// comment is the trailing comment, and want the text that the
		// edit inserts right before it.
		comment string
		want    string
	}{
		{
			name:    "comment after the last service",
			src:     orders + "\tinventory: port: 8082 // stock\n\t// TODO(team): add a search service next quarter\n}\n",
			comment: "\t// TODO(team): add a search service next quarter\n",
			want:    "\tbilling: port: 9000\n",
		},
		{
			name:    "services apart, comment right after the last",
			src:     orders + "\n\tinventory: port: 8082\n\t// the last comment\n}\n",
			comment: "\t// the last comment\n",
			want:    "\tbilling: port: 9000\n",
		},
		{
			name:    "services apart, comment apart",
			src:     orders + "\n\tinventory: port: 8082\n\n\t// the last comment\n}\n",
			comment: "\n\t// the last comment\n",
			want:    "\n\tbilling: port: 9000\n",
		},
		{
			name:    "two comments",
			src:     orders + "\tinventory: port: 8082\n\t// one\n\n\t// two\n}\n",
			comment: "\t// one\n",
			want:    "\tbilling: port: 9000\n",
		},
		{
			name:    "dotted service before a comment",
			src:     "services: orders: {port: 8081, publishes: [\"OrderCreated\"]}\n\nservices: inventory: port: 8082\n// the last comment of the file\n",
			comment: "// the last comment of the file\n",
			want:    "services: billing: port: 9000\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := sources("msgen.cue", editBase+tc.src)
			added, err := AddService(files, "billing", NewService{Port: 9000})
			if err != nil {
				t.Fatalf("AddService: %v", err)
			}
			if got := string(added[0].Data); !strings.Contains(got, tc.want+tc.comment) {
				t.Errorf("the edit did not insert %q right before %q:\n%s", tc.want, tc.comment, got)
			}
			checkInserted(t, string(files[0].Data), string(added[0].Data), tc.want)
			mustLoadFiles(t, added)

			removed, err := RemoveService(added, "billing")
			if err != nil {
				t.Fatalf("RemoveService: %v", err)
			}
			if got := string(removed[0].Data); got != string(files[0].Data) {
				t.Errorf("adding and removing billing did not give back the file:\n%s\nwant:\n%s", got, files[0].Data)
			}
		})
	}
}

// TestAddRouteKeepsTrailingComments appends a route to a list that ends in
// a comment, which stays at the end of the list.
func TestAddRouteKeepsTrailingComments(t *testing.T) {
	src := editBase + "services: inventory: {\n\tport: 8082\n\troutes: [\n\t\t{path: \"/stock/{sku}\"},\n\t\t// more routes to come\n\t]\n}\nservices: orders: {port: 8081, publishes: [\"OrderCreated\"]}\n"
	files := sources("msgen.cue", src)
	edited, err := AddRoute(files, "inventory", Route{Path: "/stock"})
	if err != nil {
		t.Fatalf("AddRoute: %v", err)
	}
	want := "\t\t{path: \"/stock\"},\n\t\t// more routes to come\n"
	if got := string(edited[0].Data); !strings.Contains(got, want) {
		t.Errorf("the route is not right before the list's comment:\n%s", got)
	}
	checkInserted(t, src, string(edited[0].Data), "\t\t{path: \"/stock\"},\n")
}

// TestAddRouteToExistingPath adds methods to the entry of a path that the
// service's routes list has already, instead of a second entry for it.
func TestAddRouteToExistingPath(t *testing.T) {
	for _, tc := range []struct {
		name   string
		entry  string
		route  Route
		insert string
	}{
		{"methods listed", `{path: "/orders/{id}", methods: ["GET"]}`, Route{Path: "/orders/{id}", Methods: []string{"DELETE"}}, `, "DELETE"`},
		{"default method", `{path: "/orders/{id}"}`, Route{Path: "/orders/{id}", Methods: []string{"DELETE"}}, `, methods: ["GET", "DELETE"]`},
		{"default method given again", `{path: "/orders/{id}"}`, Route{Path: "/orders/{id}", Methods: []string{"GET", "PUT"}}, `, methods: ["GET", "PUT"]`},
		{"two methods", `{path: "/orders/{id}", methods: ["GET"]}`, Route{Path: "/orders/{id}", Methods: []string{"PUT", "GET", "DELETE"}}, `, "PUT", "DELETE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := editBase + "services: orders: {\n\tport: 8081\n\tpublishes: [\"OrderCreated\"]\n\troutes: [\n\t\t{path: \"/orders\"},\n\t\t" + tc.entry + ",\n\t]\n}\n"
			files := sources("msgen.cue", src)
			edited, err := AddRoute(files, "orders", tc.route)
			if err != nil {
				t.Fatalf("AddRoute: %v", err)
			}
			checkInserted(t, src, string(edited[0].Data), tc.insert)

			routes := mustLoadFiles(t, edited).Services["orders"].Routes
			if len(routes) != 2 {
				t.Fatalf("%d routes after the edit, want the 2 entries as before", len(routes))
			}
			for _, method := range append([]string{"GET"}, tc.route.Methods...) {
				if !slices.Contains(routes[1].Methods, method) {
					t.Errorf("methods of %s = %v, want %s among them", routes[1].Path, routes[1].Methods, method)
				}
			}
		})
	}
}

func TestAddRouteAlreadyDeclared(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry string
		route Route
	}{
		{"same methods", `{path: "/orders/{id}", methods: ["GET", "DELETE"]}`, Route{Path: "/orders/{id}", Methods: []string{"DELETE"}}},
		{"default method", `{path: "/orders/{id}"}`, Route{Path: "/orders/{id}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := editBase + "services: orders: {\n\tport: 8081\n\troutes: [\n\t\t" + tc.entry + ",\n\t]\n}\n"
			_, err := AddRoute(sources("msgen.cue", src), "orders", tc.route)
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("error = %v, want one spec error", err)
			}
			if want := "msgen.cue:" + positionOf(t, src, "routes:", "{path"); fmt.Sprintf("%s:%d:%d", errs[0].File, errs[0].Line, errs[0].Column) != want {
				t.Errorf("error at %s:%d:%d, want %s", errs[0].File, errs[0].Line, errs[0].Column, want)
			}
			if !strings.Contains(errs[0].Message, "is already declared") {
				t.Errorf("message = %q, want one that says that the route is already declared", errs[0].Message)
			}
		})
	}
}
