package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/schema"
)

// runInProcess runs msgen with args and returns its exit code, stdout and
// stderr.
func runInProcess(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := Run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestSchemaPrintsEmbeddedSource(t *testing.T) {
	code, stdout, stderr := runInProcess("schema")
	if code != exitOK {
		t.Fatalf("msgen schema exited %d: %s", code, stderr)
	}
	if stdout != schema.Source() {
		t.Errorf("msgen schema does not print the embedded schema byte for byte")
	}
	if stderr != "" {
		t.Errorf("msgen schema wrote to stderr: %q", stderr)
	}
}

func TestSchemaPrintsJSONSchema(t *testing.T) {
	want, err := schema.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runInProcess("schema", "--format", "jsonschema")
	if code != exitOK {
		t.Fatalf("msgen schema --format jsonschema exited %d: %s", code, stderr)
	}
	if stdout != string(want) {
		t.Errorf("msgen schema --format jsonschema does not print schema.JSONSchema's output")
	}
}
