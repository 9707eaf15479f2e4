package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

func newRemoveCmd(io *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remove",
		Short: "Remove a service from the spec and regenerate",
		Args:  cobra.ArbitraryArgs,
		RunE:  subcommandRequired,
	}
	cmd.AddCommand(newRemoveServiceCmd(io))
	return cmd
}

type removeServiceOptions struct {
	io *streams
	editOptions

	name string
}

func newRemoveServiceCmd(io *streams) *cobra.Command {
	opts := &removeServiceOptions{io: io}
	cmd := &cobra.Command{
		Use:   "service NAME",
		Short: "Remove a service from the spec and regenerate",
		Long: `Remove service deletes every declaration of the service from the spec, with
its comments, and regenerates the repository: the compose file, the Kong
configuration and the README lose the service's entries.

When another part of the spec still refers to the service, such as the calls
of another service, a saga step or a subscriber of an event that only this
service publishes, remove service reports each reference as validate does
and changes nothing. Remove the references first.`,
		Example: `  msgen remove service billing`,
		Args:    exactArgs("the service name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpecFlag(cmd, opts.specPath); err != nil {
				return err
			}
			opts.name = args[0]
			return runRemoveService(opts)
		},
	}
	opts.bindFlags(cmd)
	return cmd
}

func runRemoveService(opts *removeServiceOptions) error {
	edit, err := readSpecForEdit(opts.io, &opts.editOptions)
	if err != nil {
		return err
	}

	specPath := displayPath(opts.specPath)
	edited, err := schema.RemoveService(edit.files, opts.name)
	if err != nil {
		return reportEditError(opts.io, specPath, edit.files, nil, err)
	}
	change := fmt.Sprintf("service %q removed", opts.name)
	spec, errs, err := edit.check(edited, nil)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		// The references come from the spec as read, so their positions
		// are those of the files on disk.
		refs, err := schema.ServiceReferences(edit.files, opts.name)
		if err != nil {
			return err
		}
		if len(refs) > 0 {
			fmt.Fprintf(opts.io.Err, "msgen: service %q is still needed by: %s: remove or change each of them first\n", opts.name, formatReferences(refs, specPath))
		}
		return printSpecErrors(opts.io, specPath, errs, " with "+change+"; nothing was written")
	}
	if err := edit.write(edited, spec, change); err != nil {
		return err
	}

	fmt.Fprintf(opts.io.Err, "msgen: removed service %q from %s\n", opts.name, editedFiles(edit.files, edited))
	return nil
}

// formatReferences lists references as "services.storefront.calls[1] (line
// 73)", naming the file only when it is not specPath.
func formatReferences(refs []schema.Reference, specPath string) string {
	parts := make([]string, len(refs))
	for i, ref := range refs {
		switch {
		case ref.Line == 0:
			parts[i] = ref.Path
		case ref.File == specPath:
			parts[i] = fmt.Sprintf("%s (line %d)", ref.Path, ref.Line)
		default:
			parts[i] = fmt.Sprintf("%s (%s:%d)", ref.Path, ref.File, ref.Line)
		}
	}
	return strings.Join(parts, ", ")
}
