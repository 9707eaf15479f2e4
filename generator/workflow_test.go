package generator

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow that the tests read.
type workflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		RunsOn string `yaml:"runs-on"`
		Steps  []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// renderWorkflow renders the CI workflow of the shop example as a msgen of
// the given version would.
func renderWorkflow(t *testing.T, version string) (File, workflow) {
	t.Helper()
	files, err := GenerateWithOptions(loadExample(t, "shop"), Options{Version: version})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	for _, f := range files {
		if f.Path == ".github/workflows/msgen.yml" {
			var w workflow
			if err := yaml.Unmarshal(f.Data, &w); err != nil {
				t.Fatalf("workflow is not valid YAML: %v\n%s", err, f.Data)
			}
			return f, w
		}
	}
	t.Fatal("no .github/workflows/msgen.yml generated")
	return File{}, workflow{}
}

func TestWorkflowStepsInOrder(t *testing.T) {
	f, w := renderWorkflow(t, "v1.4.0")
	if f.Ownership != Managed || !HasMarker(f.Data) {
		t.Errorf("workflow is %s, marker %v; want managed with the marker", f.Ownership, HasMarker(f.Data))
	}
	for _, event := range []string{"push", "pull_request"} {
		if _, ok := w.On[event]; !ok {
			t.Errorf("workflow does not run on %s", event)
		}
	}

	job, ok := w.Jobs["check"]
	if !ok || len(w.Jobs) != 1 {
		t.Fatalf("jobs = %v, want the one job check", w.Jobs)
	}
	if job.RunsOn == "" {
		t.Error("job check has no runs-on")
	}

	// Each step, in order: what it uses or the start of what it runs.
	want := []string{
		"uses actions/checkout@",
		"uses actions/setup-go@",
		"run go install github.com/msgen-dev/msgen/cmd/msgen@v1.4.0",
		"run $(go env GOPATH)/bin/msgen check",
		"run go vet ./...",
		"run go build ./...",
		"run go test ./...",
	}
	if len(job.Steps) != len(want) {
		t.Fatalf("%d steps, want %d: %+v", len(job.Steps), len(want), job.Steps)
	}
	for i, step := range job.Steps {
		got := "uses " + step.Uses
		if step.Run != "" {
			got = "run " + step.Run
		}
		if !strings.HasPrefix(got, want[i]) {
			t.Errorf("step %d (%s) = %q, want %q", i+1, step.Name, got, want[i])
		}
		if step.Name == "" {
			t.Errorf("step %d has no name", i+1)
		}
	}
	if got := job.Steps[1].With["go-version-file"]; got != "go.mod" {
		t.Errorf("setup-go go-version-file = %q, want go.mod", got)
	}
	// A new repository has no go.sum, setup-go's default cache key.
	if got := job.Steps[1].With["cache-dependency-path"]; got != "go.mod" {
		t.Errorf("setup-go cache-dependency-path = %q, want go.mod", got)
	}
}

func TestWorkflowInstallsReleaseOnly(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    string
	}{
		{"v1.4.0", "@v1.4.0"},
		{"v1.5.0-rc.1", "@v1.5.0-rc.1"},
		{"v0.0.0-20261204120000-0123456789ab", "@v0.0.0-20261204120000-0123456789ab"},
		{"devel", "@latest"},
		{"", "@latest"},
		{"v1.4.0+dirty", "@latest"},
		{"1.4.0", "@latest"},
	} {
		_, w := renderWorkflow(t, tc.version)
		install := w.Jobs["check"].Steps[2].Run
		if !strings.HasSuffix(install, tc.want) {
			t.Errorf("version %q: install step %q, want it to end in %s", tc.version, install, tc.want)
		}
	}
}

// TestWorkflowMatchesSchema validates the workflow with action-validator,
// which checks it against SchemaStore's JSON schema of GitHub Actions
// workflows. .ci/run installs it from npm. A broken workflow must fail the
// same check, so that a validator that accepts everything cannot pass.
func TestWorkflowMatchesSchema(t *testing.T) {
	validator, err := exec.LookPath("action-validator")
	if err != nil {
		skipUnlessCI(t, "action-validator not found on PATH: install it with npm install --global @action-validator/cli@0.6.0 @action-validator/core@0.6.0 to validate the CI workflow")
	}
	f, _ := renderWorkflow(t, "v1.4.0")
	dir := t.TempDir()

	good := filepath.Join(dir, "msgen.yml")
	if err := os.WriteFile(good, f.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validator, good).CombinedOutput(); err != nil {
		t.Errorf("action-validator rejects the workflow: %v\n%s", err, out)
	}

	broken := filepath.Join(dir, "broken.yml")
	data := strings.Replace(string(f.Data), "runs-on:", "runs_on:", 1)
	if err := os.WriteFile(broken, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(validator, broken).Run(); err == nil {
		t.Error("action-validator accepts a workflow whose job has runs_on instead of runs-on")
	}
}

// TestSpecFileInMakefileAndWorkflow checks that every command of the
// Makefile and the workflow reads the spec file that Options names, so that
// a spec kept as JSON works with make and in CI.
func TestSpecFileInMakefileAndWorkflow(t *testing.T) {
	for _, tc := range []struct {
		specFile string
		want     string
	}{
		{"", "msgen.cue"},
		{"msgen.json", "msgen.json"},
		{"spec/shop.cue", "spec/shop.cue"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			files, err := GenerateWithOptions(loadExample(t, "shop"), Options{Version: "v1.4.0", SpecFile: tc.specFile})
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			byPath := map[string]string{}
			for _, f := range files {
				byPath[f.Path] = string(f.Data)
			}

			makefile := byPath["Makefile"]
			for _, line := range []string{
				"SPEC ?= " + tc.want,
				"\t$(MSGEN) generate --spec $(SPEC) --out .",
				"\t$(MSGEN) check --spec $(SPEC) --out .",
			} {
				if !strings.Contains(makefile, "\n"+line+"\n") {
					t.Errorf("Makefile lacks the line %q:\n%s", line, makefile)
				}
			}
			if strings.Contains(makefile, "msgen.cue") && tc.want != "msgen.cue" {
				t.Errorf("Makefile still names msgen.cue:\n%s", makefile)
			}

			var w workflow
			if err := yaml.Unmarshal([]byte(byPath[".github/workflows/msgen.yml"]), &w); err != nil {
				t.Fatal(err)
			}
			check := w.Jobs["check"].Steps[3].Run
			if want := "$(go env GOPATH)/bin/msgen check --spec " + tc.want + " --out ."; check != want {
				t.Errorf("workflow check step runs %q, want %q", check, want)
			}
			if !strings.Contains(byPath["README.md"], "| `"+tc.want+"` | The architecture spec") {
				t.Errorf("README.md does not name %s as the spec", tc.want)
			}
		})
	}
}

func TestSafeSpecFile(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"msgen.cue", true},
		{"msgen.json", true},
		{"spec/shop-v2_final.cue", true},
		{"", false},
		{"my spec.cue", false},
		{"$(rm -rf x).cue", false},
		{"it's.cue", false},
		{"../msgen.cue", false},
		{"/abs/msgen.cue", false},
		{"./msgen.cue", false},
		{"spec//msgen.cue", false},
	} {
		if got := SafeSpecFile(tc.path); got != tc.want {
			t.Errorf("SafeSpecFile(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}
