package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/generator"
	"github.com/msgen-dev/msgen/schema"
)

// graphFormats are the values of graph --format, the default first.
var graphFormats = []string{"mermaid", "dot"}

type graphOptions struct {
	io *streams

	specPath string
	format   string
}

func newGraphCmd(io *streams) *cobra.Command {
	opts := &graphOptions{io: io}
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Print the architecture as a Mermaid or Graphviz DOT diagram",
		Long: `Graph validates the spec and prints its architecture on stdout: the Kong
gateway with an edge for each route, the services and their databases,
synchronous calls, API compositions, saga steps from the orchestrator to each
step's service, and events from their publishers to their subscribers.

The Mermaid output is the diagram of the generated README. Paste it into a
Markdown file inside a mermaid code block, or render either format with its
own tools. An invalid spec is reported as by msgen validate, and nothing is
printed on stdout.`,
		Example: `  msgen graph
  msgen graph --spec testdata/examples/shop/msgen.cue --format dot | dot -Tsvg -o shop.svg`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpecFlag(cmd, opts.specPath); err != nil {
				return err
			}
			if err := checkFormatFlag(cmd, opts.format, graphFormats); err != nil {
				return err
			}
			return runGraph(opts)
		},
	}
	cmd.Flags().StringVar(&opts.specPath, "spec", "msgen.cue", "spec `file` to read")
	cmd.Flags().StringVar(&opts.format, "format", graphFormats[0], "output `format`: "+strings.Join(graphFormats, " or "))
	_ = cmd.MarkFlagFilename("spec", "cue")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(graphFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runGraph(opts *graphOptions) error {
	specPath := displayPath(opts.specPath)
	spec, err := schema.Load(specPath)
	if err != nil {
		return printSpecErrors(opts.io, specPath, err, "")
	}

	graph := generator.NewGraph(spec)
	text := graph.Mermaid()
	if opts.format == "dot" {
		text = graph.DOT()
	}
	_, err = fmt.Fprint(opts.io.Out, text)
	return err
}

// checkFormatFlag rejects a --format value outside allowed as a usage error.
func checkFormatFlag(cmd *cobra.Command, format string, allowed []string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return usageError{
		err:     fmt.Errorf("invalid value %q for --format: use %s", format, strings.Join(allowed, " or ")),
		command: cmd.CommandPath(),
	}
}
