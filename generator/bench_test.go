package generator

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/msgen-dev/msgen/generator/gitrepo"
	"github.com/msgen-dev/msgen/schema"
)

// syntheticSpec returns a valid spec of n services. Every service has two
// routes. Every third owns a database and publishes an event that the next
// service subscribes to. Every service but the first calls its predecessor,
// which makes one long chain of calls for the cycle check.
func syntheticSpec(n int) []byte {
	var b strings.Builder
	b.WriteString("name: \"synthetic\"\nmodule: \"example.com/synthetic\"\n")
	b.WriteString("gateway: kong: plugins: {correlationId: true, rateLimiting: minute: 600}\n")
	b.WriteString("databases: shared: {}\n")
	b.WriteString("services: {\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\t\"svc-%d-api\": {\n\t\tport: %d\n", i, 10000+i)
		fmt.Fprintf(&b, "\t\troutes: [{path: \"/svc-%d-api/items\", methods: [\"GET\", \"POST\"]}, {path: \"/svc-%d-api/items/{id}\", methods: [\"GET\", \"PUT\", \"DELETE\"]}]\n", i, i)
		switch i % 3 {
		case 0:
			b.WriteString("\t\tdata: pattern: \"database-per-service\"\n")
			fmt.Fprintf(&b, "\t\tpublishes: [\"Event%d\"]\n", i)
		case 1:
			b.WriteString("\t\tdata: {pattern: \"shared-database\", database: \"shared\"}\n")
			fmt.Fprintf(&b, "\t\tsubscribes: [\"Event%d\"]\n", i-1)
		}
		if i > 0 {
			fmt.Fprintf(&b, "\t\tcalls: [\"svc-%d-api\"]\n", i-1)
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// BenchmarkValidateAndGenerate measures what msgen generate does before it
// writes: load and validate the spec, then render every file in memory.
func BenchmarkValidateAndGenerate(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		src := syntheticSpec(n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for b.Loop() {
				spec, err := schema.LoadSource("msgen.cue", src)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Generate(spec); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e3, "µs/service")
		})
	}
}

// BenchmarkCheck measures msgen check on a repository without drift: load
// and validate the spec, render it, and compare every file with the
// directory and the manifest. The -git variants first commit the repository
// and open it, as check does inside Git.
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{100, 1000} {
		src := syntheticSpec(n)
		spec, err := schema.LoadSource("msgen.cue", src)
		if err != nil {
			b.Fatal(err)
		}
		files, err := Generate(spec)
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		if _, err := Write(dir, files); err != nil {
			b.Fatal(err)
		}

		check := func(b *testing.B, withGit bool) {
			for b.Loop() {
				spec, err := schema.LoadSource("msgen.cue", src)
				if err != nil {
					b.Fatal(err)
				}
				files, err := Generate(spec)
				if err != nil {
					b.Fatal(err)
				}
				opts := PlanOptions{}
				if withGit {
					repo, err := gitrepo.Open(dir)
					if err != nil || repo == nil {
						b.Fatalf("open the repository: %v", err)
					}
					opts.Repository = repo
				}
				plan, err := NewPlan(dir, files, opts)
				if err != nil {
					b.Fatal(err)
				}
				if plan.Drift() {
					b.Fatal("drift in a repository just generated")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e3, "µs/service")
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) { check(b, false) })

		git, err := exec.LookPath("git")
		if err != nil {
			continue
		}
		for _, args := range [][]string{
			{"init", "--quiet"},
			{"add", "--all"},
			{"-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "--quiet", "--message", "generated"},
		} {
			cmd := exec.Command(git, args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("git %s: %v\n%s", args[0], err, out)
			}
		}
		b.Run(fmt.Sprintf("services=%d-git", n), func(b *testing.B) { check(b, true) })
	}
}

// BenchmarkValidate measures loading and validating alone.
func BenchmarkValidate(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		src := syntheticSpec(n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := schema.LoadSource("msgen.cue", src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSyntheticSpecIsValid(t *testing.T) {
	spec, err := schema.LoadSource("msgen.cue", syntheticSpec(10))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(spec.Services) != 10 {
		t.Errorf("services = %d, want 10", len(spec.Services))
	}
}
