package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

type validateOptions struct {
	io *streams

	specPath string
}

func newValidateCmd(io *streams) *cobra.Command {
	opts := &validateOptions{io: io}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the spec against the schema without writing anything",
		Long: `Validate checks the spec against the embedded schema and the rules across its
entries: references between services, port and route conflicts, and cycles of
synchronous calls. It prints every problem with its file, line, column and
field, and exits 1 when there is any.`,
		Example: `  msgen validate
  msgen validate --spec testdata/examples/shop/msgen.cue`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpecFlag(cmd, opts.specPath); err != nil {
				return err
			}
			return runValidate(opts)
		},
	}
	cmd.Flags().StringVar(&opts.specPath, "spec", "msgen.cue", "spec `file` to read")
	_ = cmd.MarkFlagFilename("spec", "cue")
	return cmd
}

func runValidate(opts *validateOptions) error {
	specPath := displayPath(opts.specPath)
	spec, err := schema.Load(specPath)
	if err != nil {
		return printSpecErrors(opts.io, specPath, err, "")
	}

	routes := 0
	for _, svc := range spec.Services {
		routes += len(svc.Routes)
	}
	fmt.Fprintf(opts.io.Err, "msgen: %s is valid: %s, %s, %s, %s, %s\n", specPath,
		plural(len(spec.Services), "service"), plural(routes, "route"),
		plural(len(spec.Databases)+countOwnDatabases(spec), "database"),
		plural(len(spec.Sagas), "saga"), plural(len(spec.Compositions), "composition"))
	return nil
}

func countOwnDatabases(spec *schema.Spec) int {
	n := 0
	for _, svc := range spec.Services {
		if svc.OwnsDatabase() {
			n++
		}
	}
	return n
}

// plural returns "1 service" or "2 services".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
