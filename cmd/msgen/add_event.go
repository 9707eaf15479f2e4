package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

type addEventOptions struct {
	io *streams
	editOptions

	service    string
	publishes  []string
	subscribes []string
}

func newAddEventCmd(io *streams) *cobra.Command {
	opts := &addEventOptions{io: io}
	cmd := &cobra.Command{
		Use:   "event SERVICE --publishes EVENT | --subscribes EVENT",
		Short: "Make a service publish or subscribe to an event and regenerate",
		Long: `Add event appends events to the publishes or subscribes list of a service in
the spec and regenerates the repository. Each event must be declared under
events in the spec, with its fields, and each event that a service subscribes
to needs a publisher.`,
		Example: `  msgen add event billing --publishes InvoiceSent
  msgen add event billing --subscribes OrderCreated --subscribes PaymentAuthorized`,
		Args: exactArgs("the service name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpecFlag(cmd, opts.specPath); err != nil {
				return err
			}
			if len(opts.publishes) == 0 && len(opts.subscribes) == 0 {
				return usageError{err: fmt.Errorf("%s needs --publishes EVENT or --subscribes EVENT", cmd.CommandPath()), command: cmd.CommandPath()}
			}
			opts.service = args[0]
			return runAddEvent(opts)
		},
	}
	opts.bindFlags(cmd)
	cmd.Flags().StringSliceVar(&opts.publishes, "publishes", nil, "`events` the service publishes, declared under events")
	cmd.Flags().StringSliceVar(&opts.subscribes, "subscribes", nil, "`events` the service subscribes to, declared under events")
	return cmd
}

func runAddEvent(opts *addEventOptions) error {
	edit, err := readSpecForEdit(opts.io, &opts.editOptions)
	if err != nil {
		return err
	}

	specPath := displayPath(opts.specPath)
	// The service is on disk, so an undeclared event points at its list,
	// or at the service when it has no list yet.
	var problems schema.Errors
	for _, list := range []struct {
		name   string
		events []string
	}{{"publishes", opts.publishes}, {"subscribes", opts.subscribes}} {
		at := schema.LocateField(edit.files, "services", opts.service, list.name)
		problems = append(problems, checkEventsDeclared(edit.spec, at, list.name, list.events)...)
	}

	edited := edit.files
	var doing, does []string
	for _, list := range []struct {
		name   string
		events []string
		verbs  [2]string
	}{
		{"publishes", opts.publishes, [2]string{"publishing", "publishes"}},
		{"subscribes", opts.subscribes, [2]string{"subscribing to", "subscribes to"}},
	} {
		if len(list.events) == 0 {
			continue
		}
		for _, event := range list.events {
			next, err := schema.AddEvent(edited, opts.service, list.name, event)
			if err != nil {
				return reportEditError(opts.io, specPath, edited, problems, err)
			}
			edited = next
		}
		doing = append(doing, list.verbs[0]+" "+strings.Join(list.events, ", "))
		does = append(does, list.verbs[1]+" "+strings.Join(list.events, ", "))
	}
	change := fmt.Sprintf("service %q %s", opts.service, strings.Join(doing, " and "))
	if _, err := edit.apply(edited, problems, change); err != nil {
		return err
	}

	fmt.Fprintf(opts.io.Err, "msgen: service %q now %s in %s\n", opts.service, strings.Join(does, " and "), editedFiles(edit.files, edited))
	fmt.Fprintf(opts.io.Err, "msgen: add more events with:\n  %s\n", opts.commandLine("add", "event", opts.service, "--publishes", "EVENT", "--subscribes", "EVENT"))
	return nil
}
