package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

type addRouteOptions struct {
	io *streams
	editOptions

	service string
	route   schema.Route
}

func newAddRouteCmd(io *streams) *cobra.Command {
	opts := &addRouteOptions{io: io}
	cmd := &cobra.Command{
		Use:   `route SERVICE "METHOD[,METHOD...] /path"`,
		Short: "Add a route to a service and regenerate its routes",
		Long: `Add route appends a route to the service's routes in the spec and regenerates
the repository. The service's routes.go and the Kong configuration gain the
route. The service's handlers.go is yours and stays as it is, so add the
handler method that routes.go now expects.

A path alone, such as "/invoices", serves GET. When the service routes the
path already, the methods are added to that route.`,
		Example: `  msgen add route billing "GET /invoices/{id}"
  msgen add route billing "PUT,DELETE /invoices/{id}"`,
		Args: exactArgs("the service name", "the route"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpecFlag(cmd, opts.specPath); err != nil {
				return err
			}
			route, err := parseRoute(args[1])
			if err != nil {
				return usageError{err: err, command: cmd.CommandPath()}
			}
			opts.service, opts.route = args[0], route
			return runAddRoute(opts)
		},
	}
	opts.bindFlags(cmd)
	return cmd
}

func runAddRoute(opts *addRouteOptions) error {
	edit, err := readSpecForEdit(opts.io, &opts.editOptions)
	if err != nil {
		return err
	}

	specPath := displayPath(opts.specPath)
	edited, err := schema.AddRoute(edit.files, opts.service, opts.route)
	if err != nil {
		return reportEditError(opts.io, specPath, edit.files, nil, err)
	}
	change := fmt.Sprintf("route %s added to service %q", formatRoute(opts.route), opts.service)
	if _, err := edit.apply(edited, nil, change); err != nil {
		return err
	}

	fmt.Fprintf(opts.io.Err, "msgen: added route %s to service %q in %s\n", formatRoute(opts.route), opts.service, editedFiles(edit.files, edited))
	fmt.Fprintf(opts.io.Err, "msgen: add more routes with:\n  %s\n", opts.commandLine("add", "route", opts.service, "METHOD[,METHOD...] /path"))
	return nil
}
