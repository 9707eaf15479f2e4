package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

// schemaFormats are the values of schema --format, the default first.
var schemaFormats = []string{"cue", "jsonschema"}

type schemaOptions struct {
	io *streams

	format string
}

func newSchemaCmd(io *streams) *cobra.Command {
	opts := &schemaOptions{io: io}
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the spec's schema, in CUE or as a JSON Schema for editors",
		Long: `Schema prints the CUE schema that msgen validates every spec against, exactly
as msgen embeds it. Every field has a comment, and the @msgen(hint=...)
attributes are the advice that error messages give.

With --format jsonschema it prints the same schema as a JSON Schema (draft
2020-12) of the spec's JSON form, for editors that check JSON as it is typed.
The JSON Schema checks the shape of each entry: field names, types,
enumerations, bounds, name patterns and lists without duplicate items.
It cannot express the rules across entries, which only msgen validate
checks: that calls, saga steps, compositions and shared databases name
declared entries, that every subscribed event has a publisher, that ports
and routes do not clash, that calls form no cycle, and that names avoid
what Go, the go command and msgen reserve. It also accepts a whole number
written as a float, such as 8081.0, where msgen validate requires an
integer written without a decimal point.`,
		Example: `  msgen schema
  msgen schema --format jsonschema > msgen.schema.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormatFlag(cmd, opts.format, schemaFormats); err != nil {
				return err
			}
			return runSchema(opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", schemaFormats[0], "output `format`: "+strings.Join(schemaFormats, " or "))
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(schemaFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSchema(opts *schemaOptions) error {
	if opts.format == "cue" {
		_, err := fmt.Fprint(opts.io.Out, schema.Source())
		return err
	}

	data, err := schema.JSONSchema()
	if err != nil {
		return err
	}
	_, err = opts.io.Out.Write(data)
	return err
}
