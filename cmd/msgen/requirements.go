package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/msgen-dev/msgen/generator"
)

// checkRequirements warns when the team's go.mod in outDir lacks a module
// that the generated code imports, as a go.mod that an older msgen
// scaffolded does. msgen never rewrites go.mod, so the warning names the
// command that adds them.
func checkRequirements(io *streams, outDir string) {
	data, err := os.ReadFile(filepath.Join(outDir, "go.mod"))
	if err != nil {
		return
	}
	missing, err := generator.MissingRequirements(data)
	if err != nil {
		fmt.Fprintf(io.Err, "msgen: warning: cannot check the requirements of go.mod: %v\n", err)
		return
	}
	if len(missing) == 0 {
		return
	}
	fmt.Fprintf(io.Err, "msgen: warning: go.mod does not require %s, which the generated code imports: run go get %s and then go mod tidy in %s\n",
		strings.Join(missing, ", "), strings.Join(missing, " "), displayPath(outDir))
}
