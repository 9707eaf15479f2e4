package main

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/generator"
	"github.com/msgen-dev/msgen/schema"
)

type addServiceOptions struct {
	io *streams
	editOptions

	name       string
	port       int
	pattern    string
	database   string
	routes     []string
	publishes  []string
	subscribes []string
	calls      []string

	// changed records which of the flags above the command line set.
	changed map[string]bool
	// eventsPattern is true when the pattern is the one that events
	// without --pattern choose.
	eventsPattern bool
}

func newAddServiceCmd(io *streams) *cobra.Command {
	opts := &addServiceOptions{io: io}
	cmd := &cobra.Command{
		Use:   "service NAME",
		Short: "Add a service to the spec and generate its files",
		Long: `Add service declares a new service in the spec, where the other services are
declared, and regenerates the repository: the service's files appear, and the
compose file, the Kong configuration and the README gain its entries. Of the
other services' files, only those that depend on the new service change,
such as the events.go of each subscriber to an event that it publishes.

On a terminal, add service asks for each value that no flag gives. Without
one, it uses the defaults: the next free port after the highest in use, the
stateless pattern, and no routes, events or calls. A service with events
needs a database for them, so --publishes or --subscribes without --pattern
choose database-per-service. Each event must be declared under events in the
spec.`,
		Example: `  # Ask for the values on a terminal, or use the defaults without one
  msgen add service billing

  # Give every value
  msgen add service billing --port 8090 --pattern shared-database --database warehouse \
    --route "GET,POST /invoices" --route "GET /invoices/{id}" \
    --publishes InvoiceSent --subscribes OrderCreated --calls orders`,
		Args: exactArgs("the service name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkSpecFlag(cmd, opts.specPath); err != nil {
				return err
			}
			opts.name = args[0]
			opts.changed = map[string]bool{}
			for _, name := range []string{"port", "pattern", "database", "route", "publishes", "subscribes", "calls"} {
				opts.changed[name] = cmd.Flags().Changed(name)
			}
			if err := opts.validate(cmd); err != nil {
				return err
			}
			return runAddService(opts)
		},
	}
	opts.bindFlags(cmd)
	cmd.Flags().IntVar(&opts.port, "port", 0, "`port` the service listens on (default: the next free port after the highest in use)")
	cmd.Flags().StringVar(&opts.pattern, "pattern", schema.PatternStateless, "data management `pattern`: "+strings.Join(dataPatterns, ", "))
	cmd.Flags().StringVar(&opts.database, "database", "", "shared `database` of a shared-database service; implies --pattern shared-database")
	cmd.Flags().StringArrayVar(&opts.routes, "route", nil, "a `route` such as \"GET,POST /invoices\"; repeat the flag for more")
	cmd.Flags().StringSliceVar(&opts.publishes, "publishes", nil, "`events` the service publishes, declared under events")
	cmd.Flags().StringSliceVar(&opts.subscribes, "subscribes", nil, "`events` the service subscribes to, declared under events")
	cmd.Flags().StringSliceVar(&opts.calls, "calls", nil, "`services` the service calls over HTTP")
	return cmd
}

// dataPatterns are the data management patterns in the schema's order.
var dataPatterns = []string{
	schema.PatternStateless,
	schema.PatternDatabasePerService,
	schema.PatternSharedDatabase,
	schema.PatternCQRS,
	schema.PatternEventSourcing,
}

// validate rejects flag values that no spec accepts, and lets --database
// imply the shared-database pattern.
func (o *addServiceOptions) validate(cmd *cobra.Command) error {
	// A zero port would not be written into the spec at all, so the
	// schema would report a missing port instead.
	if o.changed["port"] && (o.port < minPort || o.port > maxPort) {
		return usageError{err: fmt.Errorf("invalid --port %d: use a port from %d to %d", o.port, minPort, maxPort), command: cmd.CommandPath()}
	}
	for _, route := range o.routes {
		if _, err := parseRoute(route); err != nil {
			return usageError{err: fmt.Errorf("--route: %w", err), command: cmd.CommandPath()}
		}
	}
	if o.changed["database"] && !o.changed["pattern"] {
		o.pattern = schema.PatternSharedDatabase
		o.changed["pattern"] = true
	}

	// Events go through the outbox and inbox tables of the service's
	// database. A stateless service has no database, so msgen would not
	// generate its events. A terminal still prompts, with this as the default.
	if !o.changed["pattern"] && (len(o.publishes) > 0 || len(o.subscribes) > 0) {
		o.pattern = schema.PatternDatabasePerService
		o.eventsPattern = true
	}
	return nil
}

func runAddService(opts *addServiceOptions) error {
	edit, err := readSpecForEdit(opts.io, &opts.editOptions)
	if err != nil {
		return err
	}
	spec := edit.spec

	if !opts.changed["port"] {
		opts.port = nextFreePort(spec)
	}
	prompted := false
	if isTerminal(opts.io.In) && opts.missing() {
		if err := promptService(opts, spec); err != nil {
			return err
		}
		prompted = true
	}

	svc := opts.service()
	specPath := displayPath(opts.specPath)
	edited, err := schema.AddService(edit.files, opts.name, svc)
	events := []struct {
		name   string
		events []string
	}{{"publishes", svc.Publishes}, {"subscribes", svc.Subscribes}}
	var problems schema.Errors
	for _, list := range events {
		// The error for an undeclared event points at its list in the new
		// service, which is not on disk yet. When the edit failed, the error
		// only names the list.
		at := schema.Error{File: specPath, Path: fmt.Sprintf("services.%s.%s", opts.name, list.name)}
		if err == nil {
			at = schema.OriginalPositions(edited, schema.Errors{schema.LocateField(edited, "services", opts.name, list.name)})[0]
		}
		problems = append(problems, checkEventsDeclared(spec, at, list.name, list.events)...)
	}
	if err != nil {
		return reportEditError(opts.io, specPath, edit.files, problems, err)
	}
	change := fmt.Sprintf("service %q added", opts.name)
	newSpec, err := edit.apply(edited, problems, change)
	if err != nil {
		return err
	}

	fmt.Fprintf(opts.io.Err, "msgen: added service %q on port %d to %s\n", opts.name, svc.Port, editedFiles(edit.files, edited))
	if opts.eventsPattern && !prompted {
		fmt.Fprintf(opts.io.Err, "msgen: note: service %q uses the %s pattern, because its events need a database for their outbox and inbox: give --pattern to choose another pattern with a database\n", opts.name, svc.Pattern)
	}
	printDatabaseSetup(opts.io, opts.outputDir(), newSpec, opts.name)
	if prompted {
		fmt.Fprintf(opts.io.Err, "msgen: to add the same service without prompts, run:\n  %s\n", opts.commandLine(opts.flagArgs(svc)...))
	}
	fmt.Fprintf(opts.io.Err, "msgen: add routes and events to it with:\n  %s\n  %s\n",
		opts.commandLine("add", "route", opts.name, "METHOD[,METHOD...] /path"),
		opts.commandLine("add", "event", opts.name, "--publishes", "EVENT", "--subscribes", "EVENT"))
	return nil
}

// printDatabaseSetup prints what a new service's database needs before
// docker compose starts it. That is the password of its role in .env and,
// in a shared database that has run before, the role itself. The role is
// needed because the database's init script runs only on an empty data
// volume.
func printDatabaseSetup(io *streams, outDir string, spec *schema.Spec, name string) {
	db, ok := generator.DatabaseOf(spec, name)
	if !ok {
		return
	}
	where := displayPath(outDir)
	kubernetes := ""
	if db.Kubernetes {
		kubernetes = ", and add it to the database's Kubernetes Secret as " + path.Join(where, "README.md") + " shows"
	}
	fmt.Fprintf(io.Err, "msgen: set %s in %s, as .env.example lists it: docker compose fails while it is empty%s\n",
		db.PasswordVariable, path.Join(where, ".env"), kubernetes)
	if !db.Shared {
		return
	}

	in := ""
	if where != "." {
		in = " in " + where
	}
	role := `"` + db.Role + `"`
	command := []string{
		"docker", "compose", "exec", db.Container, "psql", "-U", db.Superuser, "-d", db.Database,
		"-c", "CREATE ROLE " + role + " LOGIN",
		"-c", "CREATE SCHEMA " + role + " AUTHORIZATION " + role,
		"-c", "ALTER ROLE " + role + " SET search_path = " + role,
		"-c", `\password ` + role,
	}
	for i, word := range command {
		command[i] = shellQuote(word)
	}
	fmt.Fprintf(io.Err, "msgen: %s creates the role of %q only when %s starts with an empty data volume. If %s has run before, run this%s to create the role and its schema, and give psql the value of %s when it prompts for the password:\n  %s\n",
		path.Join(where, db.InitScript), name, db.Container, db.Container, in, db.PasswordVariable, strings.Join(command, " "))
}

// missing reports whether a value of the service came from no flag, so
// that a terminal prompts for it.
func (o *addServiceOptions) missing() bool {
	for _, name := range []string{"port", "pattern", "route", "publishes", "subscribes", "calls"} {
		if !o.changed[name] {
			return true
		}
	}
	return false
}

// service returns the declaration to insert. validate has already
// validated the routes.
func (o *addServiceOptions) service() schema.NewService {
	svc := schema.NewService{
		Port:       o.port,
		Pattern:    o.pattern,
		Database:   o.database,
		Publishes:  o.publishes,
		Subscribes: o.subscribes,
		Calls:      o.calls,
	}
	for _, value := range o.routes {
		route, _ := parseRoute(value)
		svc.Routes = append(svc.Routes, route)
	}
	return svc
}

// flagArgs returns the arguments of an add service command that adds svc
// without prompts.
func (o *addServiceOptions) flagArgs(svc schema.NewService) []string {
	args := []string{"add", "service", o.name, "--port", strconv.Itoa(svc.Port), "--pattern", svc.Pattern}
	if svc.Database != "" {
		args = append(args, "--database", svc.Database)
	}
	for _, route := range svc.Routes {
		args = append(args, "--route", formatRoute(route))
	}
	for _, list := range []struct {
		flag   string
		values []string
	}{{"--publishes", svc.Publishes}, {"--subscribes", svc.Subscribes}, {"--calls", svc.Calls}} {
		for _, value := range list.values {
			args = append(args, list.flag, value)
		}
	}
	return args
}

// nextFreePort returns the first port above the highest service port that
// neither a service nor the gateway uses. When none is left above it, it
// returns the lowest free port, or 0 when every port is in use.

func nextFreePort(spec *schema.Spec) int {
	used := map[int]bool{spec.Gateway.Kong.Port: true, spec.Gateway.Kong.AdminPort: true}
	highest := 0
	for _, svc := range spec.Services {
		used[svc.Port] = true
		highest = max(highest, svc.Port)
	}
	for port := highest + 1; port <= maxPort; port++ {
		if !used[port] {
			return port
		}
	}
	for port := minPort; port <= maxPort; port++ {
		if !used[port] {
			return port
		}
	}
	return 0
}

// The bounds of a service port in the schema.
const (
	minPort = 1024
	maxPort = 65535
)
