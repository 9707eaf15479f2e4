package schema

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// loadErrors validates files and returns their errors, failing the test
// when they are valid.
func loadErrors(t *testing.T, files []SourceFile) Errors {
	t.Helper()
	_, err := LoadFiles(files)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("LoadFiles returned %v, want spec errors", err)
	}
	return errs
}

// positionOf returns "line:column" of the first text after anchor in src.
func positionOf(t *testing.T, src, anchor, text string) string {
	t.Helper()
	start := strings.Index(src, anchor)
	if start < 0 {
		t.Fatalf("%q not found in the spec", anchor)
	}
	i := strings.Index(src[start:], text)
	if i < 0 {
		t.Fatalf("%q not found after %q in the spec", text, anchor)
	}
	i += start
	line := strings.Count(src[:i], "\n") + 1
	return fmt.Sprintf("%d:%d", line, i-strings.LastIndex(src[:i], "\n"))
}

// errorPositions returns "file:line:column" of each error by field path.
func errorPositions(errs Errors) map[string]string {
	out := map[string]string{}
	for _, e := range errs {
		out[e.Path] = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	return out
}

func TestOriginalPositionsAfterRemoval(t *testing.T) {
	src := editBase + `
services: {
	orders: {port: 8081, publishes: ["OrderCreated"]}

	// billing doc
	billing: {
		port: 8082
		subscribes: ["OrderCreated"]
	}
	inventory: {port: 8083, calls: ["orders", "billing"]}
}

// billing's routes, declared apart
services: billing: routes: [{path: "/invoices"}]

compositions: invoices: {path: "/invoice-summaries/{id}", composer: "inventory", from: ["orders", "billing"]}
`
	files := sources("msgen.cue", src)
	edited, err := RemoveService(files, "billing")
	if err != nil {
		t.Fatalf("RemoveService: %v", err)
	}
	got := errorPositions(OriginalPositions(edited, loadErrors(t, edited)))

	want := map[string]string{
		"services.inventory.calls[1]":   "msgen.cue:" + positionOf(t, src, "inventory: {", `"billing"`),
		"compositions.invoices.from[1]": "msgen.cue:" + positionOf(t, src, "compositions:", `"billing"`),
	}
	if len(got) != len(want) {
		t.Errorf("errors at %v, want %v", got, want)
	}
	for path, at := range want {
		if got[path] != at {
			t.Errorf("%s is at %s, want %s, where the file on disk has it", path, got[path], at)
		}
	}
}

func TestOriginalPositionsInInsertedText(t *testing.T) {
	src := editBase + "services: {\n\torders: {port: 8081, publishes: [\"OrderCreated\"]}\n}\n"
	files := sources("msgen.cue", src)
	edited, err := AddService(files, "billing", NewService{Port: 8081, Calls: []string{"payments"}})
	if err != nil {
		t.Fatalf("AddService: %v", err)
	}
	errs := OriginalPositions(edited, loadErrors(t, edited))

	wantPaths := []string{"services.billing.port (in the new service)", "services.billing.calls[0] (in the new service)"}
	if len(errs) != len(wantPaths) {
		t.Fatalf("errors:\n%v\nwant one at each of %q", errs, wantPaths)
	}
	for i, e := range errs {
		if e.Path != wantPaths[i] {
			t.Errorf("error %d is at %q, want %q", i, e.Path, wantPaths[i])
		}
		if e.File != "msgen.cue" || e.Line != 0 || e.Column != 0 {
			t.Errorf("error %d is at %s:%d:%d, want msgen.cue without a line, which the file on disk does not have", i, e.File, e.Line, e.Column)
		}
	}
}

func TestOriginalPositionsAfterSeveralEdits(t *testing.T) {
	src := editBase + `services: {
	orders: port: 8081
	inventory: {
		port: 8082
		subscribes: ["OrderCreated"]
	}
}
sagas: restock: {orchestrator: "inventory", steps: [{service: "billing", action: "Bill"}]}
`
	files := sources("msgen.cue", src)
	edited, err := AddEvent(files, "orders", "publishes", "OrderCreated")
	if err != nil {
		t.Fatalf("AddEvent: %v", err)
	}
	edited, err = AddEvent(edited, "inventory", "subscribes", "OrderCreated")
	if err != nil {
		t.Fatalf("AddEvent again: %v", err)
	}
	got := errorPositions(OriginalPositions(edited, loadErrors(t, edited)))

	want := map[string]string{
		"services.inventory.subscribes[1] (in the added event)": "msgen.cue:0:0",
		"sagas.restock.steps[0].service":                        "msgen.cue:" + positionOf(t, src, "sagas:", "service:"),
	}
	if len(got) != len(want) {
		t.Errorf("errors at %v, want %v", got, want)
	}
	for path, at := range want {
		if got[path] != at {
			t.Errorf("%s is at %s, want %s", path, got[path], at)
		}
	}
}

func TestOriginalPositionsCRLF(t *testing.T) {
	src := strings.ReplaceAll(editBase+"services: {\n\torders: {port: 8081, publishes: [\"OrderCreated\"]}\n\tbilling: port: 8082\n\tinventory: {port: 8083, calls: [\"billing\"]}\n}\n", "\n", "\r\n")
	files := sources("msgen.cue", src)
	edited, err := RemoveService(files, "billing")
	if err != nil {
		t.Fatalf("RemoveService: %v", err)
	}
	got := errorPositions(OriginalPositions(edited, loadErrors(t, edited)))
	if want := "msgen.cue:" + positionOf(t, src, "inventory:", `"billing"`); got["services.inventory.calls[0]"] != want {
		t.Errorf("errors at %v, want services.inventory.calls[0] at %s", got, want)
	}
}

func TestOriginalPositionsUneditedFiles(t *testing.T) {
	errs := Errors{{File: "msgen.cue", Line: 3, Column: 4, Path: "name", Message: "invalid"}}
	got := OriginalPositions(sources("msgen.cue", "name: 1\n"), errs)
	if len(got) != 1 || got[0] != errs[0] {
		t.Errorf("OriginalPositions changed an error of an unedited file: %v", got)
	}
}
