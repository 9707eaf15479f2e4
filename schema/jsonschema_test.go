package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const jsonSchemaURL = "msgen.schema.json"

// compileJSONSchema compiles the output of JSONSchema with a validator of
// draft 2020-12, which also checks the schema against the draft's
// metaschema. It returns the compiler, to compile subschemas too.
func compileJSONSchema(t *testing.T) (*jsonschema.Schema, *jsonschema.Compiler) {
	t.Helper()
	data, err := JSONSchema()
	if err != nil {
		t.Fatalf("JSONSchema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("JSONSchema output is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(jsonSchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(jsonSchemaURL)
	if err != nil {
		t.Fatalf("compile JSON Schema: %v", err)
	}
	return sch, c
}

// exportJSON evaluates CUE source on its own, without the msgen schema,
// and returns it as a JSON value for the validator: the spec exactly as its
// author wrote it.
func exportJSON(t *testing.T, src string) any {
	t.Helper()
	v := cuecontext.New().CompileString(src)
	data, err := v.MarshalJSON()
	if err != nil {
		t.Fatalf("export spec to JSON: %v", err)
	}
	return unmarshalForValidator(t, data)
}

func unmarshalForValidator(t *testing.T, data []byte) any {
	t.Helper()
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return value
}

func TestJSONSchemaDeclaresDialect(t *testing.T) {
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		Schema      string          `json:"$schema"`
		Title       string          `json:"title"`
		Description string          `json:"description"`
		Defs        map[string]any  `json:"$defs"`
		Properties  map[string]any  `json:"properties"`
		Required    []string        `json:"required"`
		Additional  json.RawMessage `json:"additionalProperties"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	if top.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema is %q; want draft 2020-12", top.Schema)
	}
	if top.Title == "" {
		t.Errorf("the schema has no title")
	}
	if !strings.Contains(top.Description, "msgen validate") {
		t.Errorf("the description does not say which rules only msgen validate checks: %q", top.Description)
	}
	if string(top.Additional) != "false" {
		t.Errorf("additionalProperties is %s; want false, because the spec is closed", top.Additional)
	}
	if got := strings.Join(top.Required, ","); got != "name,module" {
		t.Errorf("required is %s; want name,module", got)
	}
	for _, def := range []string{"Service", "Route", "Port", "Name"} {
		if _, ok := top.Defs[def]; !ok {
			t.Errorf("$defs has no %s", def)
		}
	}
	if !bytes.HasSuffix(data, []byte("}\n")) {
		t.Errorf("the output does not end with a newline")
	}
}

func TestJSONSchemaIsDeterministic(t *testing.T) {
	first, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := JSONSchema()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("two runs of JSONSchema give different output")
		}
	}
}

func TestJSONSchemaAcceptsExamples(t *testing.T) {
	sch, _ := compileJSONSchema(t)
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "examples", "*", "msgen.cue"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example specs found: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(exportJSON(t, string(src))); err != nil {
				t.Errorf("the JSON Schema rejects the example as written:\n%v", err)
			}

			// With every default filled in, as msgen reads it.
			ctx := cuecontext.New()
			def := ctx.CompileString(schemaSource).LookupPath(cue.ParsePath("#Architecture"))
			data, err := def.Unify(ctx.CompileBytes(src)).MarshalJSON()
			if err != nil {
				t.Fatalf("export the example with defaults: %v", err)
			}
			if err := sch.Validate(unmarshalForValidator(t, data)); err != nil {
				t.Errorf("the JSON Schema rejects the example with its defaults:\n%v", err)
			}
		})
	}
}

// jsonSchemaBase is a valid spec that the shape cases below break.
const jsonSchemaBase = `name:   "shop"
module: "example.com/shop"
services: orders: {port: 8081, routes: [{path: "/orders", methods: ["GET"]}]}
`

func TestJSONSchemaRejectsShapeErrors(t *testing.T) {
	sch, _ := compileJSONSchema(t)
	tests := []struct {
		name string
		// drop is a line of the base spec to remove, and add is CUE to
		// append to it.
		drop, add string
	}{
		{name: "valid base"},
		{name: "missing name", drop: `name:   "shop"`},
		{name: "missing module", drop: `module: "example.com/shop"`},
		{name: "missing service port", add: `services: extra: {}`},
		{name: "missing route path", add: `services: extra: {port: 9000, routes: [{methods: ["GET"]}]}`},
		{name: "missing saga steps", add: `sagas: place: orchestrator: "orders"`},
		{name: "port as string", add: `services: extra: port: "9000"`},
		{name: "routes as object", add: `services: extra: {port: 9000, routes: {path: "/x"}}`},
		{name: "env value as number", add: `services: extra: {port: 9000, env: WORKERS: 8}`},
		{name: "unknown top-level field", add: `colour: "red"`},
		{name: "unknown service field", add: `services: extra: {port: 9000, colour: "red"}`},
		{name: "unknown field in correlation id", add: `gateway: kong: plugins: correlationId: {header: "X-Request-ID", colour: "red"}`},
		{name: "unknown discovery", add: `discovery: "dnss"`},
		{name: "unknown data pattern", add: `services: extra: {port: 9000, data: pattern: "nosql"}`},
		{name: "unknown method", add: `services: extra: {port: 9000, routes: [{path: "/x", methods: ["FETCH"]}]}`},
		{name: "unknown event field type", add: `events: Placed: {id: "uuid"}`},
		{name: "control plane of two", add: `controlPlane: replicas: 2`},
		{name: "service port below range", add: `services: extra: port: 80`},
		{name: "service port above range", add: `services: extra: port: 70000`},
		{name: "gateway port below range", add: `gateway: kong: port: 80`},
		{name: "health retries above range", add: `health: retries: 20`},
		{name: "zero replicas", add: `services: extra: {port: 9000, replicas: min: 0}`},
		{name: "invalid service name", add: `services: Bad_Name: port: 9000`},
		{name: "invalid env name", add: `services: extra: {port: 9000, env: lower: "x"}`},
		{name: "path without slash", add: `services: extra: {port: 9000, routes: [{path: "x"}]}`},
		{name: "subnet without prefix", add: `network: subnet: "10.0.0.0"`},
		{name: "empty method list", add: `services: extra: {port: 9000, routes: [{path: "/x", methods: []}]}`},
		{name: "saga without steps", add: `sagas: place: {orchestrator: "orders", steps: []}`},
		{name: "composition of one source", add: `compositions: one: {path: "/one", composer: "orders", from: ["orders"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := jsonSchemaBase
			if tt.drop != "" {
				if !strings.Contains(src, tt.drop+"\n") {
					t.Fatalf("the base spec has no line %q", tt.drop)
				}
				src = strings.Replace(src, tt.drop+"\n", "", 1)
			}
			src += tt.add + "\n"
			valid := tt.drop == "" && tt.add == ""

			_, loadErr := LoadSource("msgen.cue", []byte(src))
			schemaErr := sch.Validate(exportJSON(t, src))
			switch {
			case valid && loadErr != nil:
				t.Fatalf("msgen rejects the base spec: %v", loadErr)
			case valid && schemaErr != nil:
				t.Fatalf("the JSON Schema rejects the base spec: %v", schemaErr)
			case !valid && loadErr == nil:
				t.Fatalf("msgen accepts the broken spec, so the case tests nothing:\n%s", src)
			case !valid && schemaErr == nil:
				t.Errorf("the JSON Schema accepts a spec that msgen rejects with:\n%v", loadErr)
			}
		})
	}
}

// The JSON Schema states only the shape of entries. These specs have the
// right shape and break a rule across entries. The help of msgen schema and
// the README state that only msgen validate checks such rules.
func TestJSONSchemaLeavesCrossEntryRules(t *testing.T) {
	sch, _ := compileJSONSchema(t)
	tests := []struct{ name, add string }{
		{"call to undeclared service", `services: extra: {port: 9000, calls: ["ghost"]}`},
		{"port used twice", `services: extra: port: 8081`},
		{"event without publisher", `services: extra: {port: 9000, subscribes: ["Nope"]}`},
		{"name reserved by Go", `services: break: port: 9000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := jsonSchemaBase + tt.add + "\n"
			if _, err := LoadSource("msgen.cue", []byte(src)); err == nil {
				t.Fatalf("msgen accepts the spec, so the case tests nothing:\n%s", src)
			}
			if err := sch.Validate(exportJSON(t, src)); err != nil {
				t.Errorf("the JSON Schema rejects a rule across entries, which the documentation says it cannot check:\n%v", err)
			}
		})
	}
}

// JSON Schema compares numbers by value, so 8081.0 is an integer to it, but
// CUE reads the literal as a float. The README and the help of msgen schema
// state this difference.
func TestJSONSchemaAcceptsWholeFloats(t *testing.T) {
	sch, _ := compileJSONSchema(t)
	src := jsonSchemaBase + "services: extra: port: 9000.0\n"
	if _, err := LoadSource("msgen.cue", []byte(src)); err == nil {
		t.Fatalf("msgen accepts the port 9000.0, so the case tests nothing")
	}
	if err := sch.Validate(exportJSON(t, src)); err != nil {
		t.Errorf("the JSON Schema rejects the port 9000.0, which the documentation says it accepts:\n%v", err)
	}
}

func TestJSONSchemaDefaultsAreValid(t *testing.T) {
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	defaults := map[string]any{}
	collectDefaults(doc, "", defaults)
	if len(defaults) < 10 {
		t.Fatalf("found %d defaults; the schema declares more than 10", len(defaults))
	}

	_, c := compileJSONSchema(t)
	pointers := make([]string, 0, len(defaults))
	for pointer := range defaults {
		pointers = append(pointers, pointer)
	}
	sort.Strings(pointers)
	for _, pointer := range pointers {
		sub, err := c.Compile(jsonSchemaURL + "#" + pointer)
		if err != nil {
			t.Errorf("compile %s: %v", pointer, err)
			continue
		}
		if err := sub.Validate(defaults[pointer]); err != nil {
			t.Errorf("the default of %s is not valid against its own schema: %v", pointer, err)
		}
	}
}

// collectDefaults records the default of every schema object under node,
// by the JSON pointer of the object.
func collectDefaults(node any, pointer string, defaults map[string]any) {
	switch x := node.(type) {
	case map[string]any:
		if d, ok := x["default"]; ok {
			defaults[pointer] = normalizeNumbers(d)
		}
		for key, child := range x {
			if key == "default" || key == "const" || key == "enum" {
				continue
			}
			escaped := strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
			collectDefaults(child, pointer+"/"+escaped, defaults)
		}
	case []any:
		for i, child := range x {
			collectDefaults(child, pointer+"/"+strconv.Itoa(i), defaults)
		}
	}
}

// normalizeNumbers turns the float64 numbers of encoding/json into the
// json.Number values that the validator expects.
func normalizeNumbers(v any) any {
	data, _ := json.Marshal(v)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	_ = dec.Decode(&out)
	return out
}

// Each list of the spec is one whose duplicate items msgen validate
// rejects, so each carries uniqueItems in the JSON Schema. Each case is a
// valid spec and the same spec with one item twice.
func TestJSONSchemaUniqueLists(t *testing.T) {
	sch, _ := compileJSONSchema(t)
	tests := []struct {
		// pointer is the JSON pointer of the list's schema.
		pointer, valid, duplicate string
	}{
		{"/properties/targets", `targets: ["compose", "kubernetes"]`, `targets: ["compose", "compose"]`},
		{"/$defs/Service/properties/routes", `services: extra: {port: 9000, routes: [{path: "/x"}, {path: "/y"}]}`, `services: extra: {port: 9000, routes: [{path: "/x"}, {path: "/x"}]}`},
		{"/$defs/Route/properties/methods", `services: extra: {port: 9000, routes: [{path: "/x", methods: ["GET", "POST"]}]}`, `services: extra: {port: 9000, routes: [{path: "/x", methods: ["GET", "GET"]}]}`},
		{"/$defs/Service/properties/publishes", `services: extra: {port: 9000, publishes: ["Placed", "Paid"]}`, `services: extra: {port: 9000, publishes: ["Placed", "Placed"]}`},
		{"/$defs/Service/properties/subscribes", `services: extra: {port: 9000, publishes: ["Placed", "Paid"], subscribes: ["Placed", "Paid"]}`, `services: extra: {port: 9000, publishes: ["Placed", "Paid"], subscribes: ["Placed", "Placed"]}`},
		{"/$defs/Service/properties/calls", `services: extra: {port: 9000, calls: ["orders", "more"]}, services: more: port: 9001`, `services: extra: {port: 9000, calls: ["orders", "orders"]}, services: more: port: 9001`},
		{"/$defs/Service/properties/secrets", `services: extra: {port: 9000, secrets: ["API_KEY", "TOKEN"]}`, `services: extra: {port: 9000, secrets: ["API_KEY", "API_KEY"]}`},
		{"/$defs/Saga/properties/steps", `sagas: place: {orchestrator: "orders", steps: [{service: "orders", action: "Reserve"}, {service: "orders", action: "Charge"}]}`, `sagas: place: {orchestrator: "orders", steps: [{service: "orders", action: "Reserve"}, {service: "orders", action: "Reserve"}]}`},
		{"/$defs/Composition/properties/from", `services: {extra: port: 9000, more: port: 9001}, compositions: details: {path: "/details", composer: "orders", from: ["extra", "more"]}`, `services: {extra: port: 9000, more: port: 9001}, compositions: details: {path: "/details", composer: "orders", from: ["extra", "extra"]}`},
		{"/$defs/Composition/properties/methods", `services: {extra: port: 9000, more: port: 9001}, compositions: details: {path: "/details", composer: "orders", from: ["extra", "more"], methods: ["GET", "POST"]}`, `services: {extra: port: 9000, more: port: 9001}, compositions: details: {path: "/details", composer: "orders", from: ["extra", "more"], methods: ["GET", "GET"]}`},
	}

	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	lists, marked := map[string]bool{}, map[string]bool{}
	collectLists(doc, "", lists, marked)
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.pointer] = true
	}
	for _, pointer := range slices.Sorted(maps.Keys(lists)) {
		if !tested[pointer] {
			t.Errorf("no case tests the list %s: add one, and mark the list @msgen(unique) in the CUE schema when msgen validate rejects its duplicates", pointer)
		}
	}

	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			if !marked[tt.pointer] {
				t.Errorf("the JSON Schema has no uniqueItems at %s", tt.pointer)
			}

			valid := jsonSchemaBase + tt.valid + "\n"
			if _, err := LoadSource("msgen.cue", []byte(valid)); err != nil {
				t.Fatalf("msgen rejects the spec without a duplicate, so the case tests nothing: %v", err)
			}
			if err := sch.Validate(exportJSON(t, valid)); err != nil {
				t.Fatalf("the JSON Schema rejects the spec without a duplicate, so the case tests nothing: %v", err)
			}

			duplicate := jsonSchemaBase + tt.duplicate + "\n"
			if _, err := LoadSource("msgen.cue", []byte(duplicate)); err == nil {
				t.Errorf("msgen accepts the duplicate item:\n%s", duplicate)
			}
			if err := sch.Validate(exportJSON(t, duplicate)); err == nil {
				t.Errorf("the JSON Schema accepts the duplicate item:\n%s", duplicate)
			}
		})
	}
}

// collectLists records the JSON pointer of every array schema under node
// in lists, and of those that set uniqueItems in marked.
func collectLists(node any, pointer string, lists, marked map[string]bool) {
	switch x := node.(type) {
	case map[string]any:
		if x["type"] == "array" {
			lists[pointer] = true
		}
		if x["uniqueItems"] == true {
			marked[pointer] = true
		}
		for key, child := range x {
			if key == "default" || key == "const" || key == "enum" {
				continue
			}
			escaped := strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
			collectLists(child, pointer+"/"+escaped, lists, marked)
		}
	case []any:
		for i, child := range x {
			collectLists(child, pointer+"/"+strconv.Itoa(i), lists, marked)
		}
	}
}

// Image references follow the grammar of Docker's distribution/reference
// module, in msgen validate and in the JSON Schema alike.
func TestImageReferences(t *testing.T) {
	sch, _ := compileJSONSchema(t)
	sha256 := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		image string
		valid bool
	}{
		{"kong", true},
		{"kong:3.9", true},
		{"registry.local:5000/kong:3.9", true},
		{"localhost:5000/team/kong", true},
		{"ghcr.io/org/team/image:v1.2.3-rc.1", true},
		{"127.0.0.1:5000/kong:3.9", true},
		{"[::1]:5000/kong:3.9", true},
		{"Registry.Example.com/kong", true},
		{"my_org/my__image.v2/a-b--c:latest", true},
		{"kong:3.9_Final", true},
		{"kong:" + strings.Repeat("t", 128), true},
		{"postgres:17@sha256:" + sha256, true},
		{"postgres@sha512:" + sha256 + sha256, true},
		{"Kong:3.9", false},
		{"registry.local:5000/Kong:3.9", false},
		{"kong:", false},
		{":3.9", false},
		{"kong:.9", false},
		{"kong:" + strings.Repeat("t", 129), false},
		{"-kong", false},
		{"kong-", false},
		{"kong/", false},
		{"team//kong", false},
		{"a..b", false},
		{"a___b", false},
		{"registry.local:http/kong", false},
		{"registry-.local/kong", false},
		{"https://registry.local/kong", false},
		{"kong:3.9 ", false},
		{"kong@sha256:0123abcd", false},
		{"kong@sha256:" + strings.ToUpper(sha256), false},
		{"kong@md5:" + sha256[:32], false},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			src := fmt.Sprintf("%sgateway: kong: image: %q\n", jsonSchemaBase, tt.image)
			_, loadErr := LoadSource("msgen.cue", []byte(src))
			schemaErr := sch.Validate(exportJSON(t, src))
			switch {
			case tt.valid && loadErr != nil:
				t.Errorf("msgen rejects a valid image reference: %v", loadErr)
			case !tt.valid && loadErr == nil:
				t.Errorf("msgen accepts an invalid image reference")
			}
			switch {
			case tt.valid && schemaErr != nil:
				t.Errorf("the JSON Schema rejects a valid image reference: %v", schemaErr)
			case !tt.valid && schemaErr == nil:
				t.Errorf("the JSON Schema accepts an invalid image reference")
			}
		})
	}
}
