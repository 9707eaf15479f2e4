package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

type initOptions struct {
	io *streams
	// getenv reads the environment, for ACCESSIBLE.
	getenv func(string) string

	dir        string
	name       string
	module     string
	services   []string
	ports      []string
	routes     []string
	plugins    string
	rateLimit  string
	discovery  string
	mesh       string
	targets    []string
	yes        bool
	accessible bool
	noGit      bool
	force      bool
	verbose    bool

	// given reports whether a flag was set on the command line, because an
	// empty --plugins or --routes value is an answer too.
	given func(flag string) bool
}

func newInitCmd(io *streams) *cobra.Command {
	opts := &initOptions{io: io, getenv: os.Getenv}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Ask for a first spec, write it and generate its repository",
		Long: `Init asks for the system's name, its Go module path, the services with their
data patterns, ports and routes, the gateway plugins, service discovery and
the service mesh. It checks each answer as it is typed, by the rules of the
schema. Then it writes DIR/msgen.cue, generates the repository as generate
does, and makes one initial Git commit of what it wrote.

Every answer can be given as a flag. Without a terminal on stdin, init never
asks: it takes the flags, and --yes takes the defaults for what they leave
out. A missing answer then fails at once, naming its flag. --yes also skips
the questions on a terminal.

DIR defaults to the current directory. It must not exist, be empty, or hold
only .git, unless --force is given. Init never overwrites msgen.cue, so it
rejects a directory that has one: that directory is an msgen project
already, so edit its spec and run msgen generate instead. Nothing is written
until every answer is in, and Ctrl-C or Esc leaves nothing behind. Inside an
existing Git repository init commits nothing.

Routes are written as a path, then optionally a colon and comma-separated
methods, with spaces between routes: "/orders:GET,POST /orders/{id}". A
route without methods serves GET.`,
		Example: `  # Ask every question in a terminal
  msgen init shop

  # Without questions: three services, Consul discovery
  msgen init shop --name shop --module example.com/shop \
    --service orders:database-per-service --service payments:cqrs \
    --service inventory:shared-database:warehouse \
    --routes 'orders=/orders:GET,POST /orders/{id}' --discovery consul

  # Take every default: one service named api
  msgen init shop --yes`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{err: fmt.Errorf("init takes one directory, got %q", args), command: cmd.CommandPath()}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = "."
			if len(args) == 1 {
				opts.dir = args[0]
			}
			opts.given = func(flag string) bool { return cmd.Flags().Changed(flag) }
			return runInit(cmd, opts)
		},
	}

	flags := cmd.Flags()
	flags.StringVar(&opts.name, "name", "", "system `name`, a DNS label (default: from DIR)")
	flags.StringVar(&opts.module, "module", "", "Go module `path` of the repository (default: example.com/NAME)")
	flags.StringArrayVar(&opts.services, "service", nil, "add a service as `NAME[:PATTERN[:DATABASE]]`; DATABASE names the database of a shared-database service (repeatable)")
	flags.StringArrayVar(&opts.ports, "port", nil, "set a service's port as `NAME=PORT` (default: 8081 and up, unique; repeatable)")
	flags.StringArrayVar(&opts.routes, "routes", nil, "set a service's routes as `NAME=ROUTES`, such as 'orders=/orders:GET,POST /orders/{id}'; empty for none (default: GET /NAME; repeatable)")
	flags.StringVar(&opts.plugins, "plugins", "", "comma-separated gateway `plugins`: correlationId, rateLimiting; empty for none (default: none)")
	flags.StringVar(&opts.rateLimit, "rate-limit", "", "`requests` per minute and client IP address for rateLimiting, which it turns on (default: "+strconv.Itoa(defaultRateLimit)+")")
	flags.StringVar(&opts.discovery, "discovery", "", "service `discovery`: dns or consul (default: dns)")
	flags.StringVar(&opts.mesh, "mesh", "", "service `mesh`: none, consul-connect (sets discovery consul), linkerd or istio (both add the kubernetes target) (default: none)")
	flags.StringArrayVar(&opts.targets, "target", nil, "deployment `target`: compose or kubernetes, which adds deploy/k8s (default: compose; repeatable)")
	flags.BoolVarP(&opts.yes, "yes", "y", false, "ask nothing and take the defaults for the answers that flags leave out")
	flags.BoolVar(&opts.accessible, "accessible", false, "ask line by line, for screen readers (also when ACCESSIBLE is set)")
	flags.BoolVar(&opts.noGit, "no-git", false, "do not create a Git repository or commit")
	flags.BoolVar(&opts.force, "force", false, "write into a directory that has other files; files that msgen did not generate are still never overwritten")
	flags.BoolVarP(&opts.verbose, "verbose", "v", false, "list each file and what was done with it")
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
	return cmd
}

func runInit(cmd *cobra.Command, opts *initOptions) error {
	target, err := checkTarget(opts.dir, opts.force)
	var notDirectory notDirectoryError
	if errors.As(err, &notDirectory) {
		return usageError{err: err, command: cmd.CommandPath()}
	}
	if err != nil {
		return err
	}

	answers, given, err := answersFromFlags(opts)
	if err != nil {
		return usageError{err: err, command: cmd.CommandPath()}
	}

	// A mesh that contradicts another flag is a usage error, reported
	// before any prompt.
	if given.mesh {
		check := *answers
		check.Targets = slices.Clone(answers.Targets)
		if _, err := resolveMesh(&check, given); err != nil {
			return usageError{err: err, command: cmd.CommandPath()}
		}
	}

	if opts.yes || !isTerminal(opts.io.In) {
		if err := completeAnswers(answers, given, opts.yes, opts.dir); err != nil {
			return usageError{err: err, command: cmd.CommandPath()}
		}
		notes, err := resolveMesh(answers, given)
		if err != nil {
			return usageError{err: err, command: cmd.CommandPath()}
		}
		for _, note := range notes {
			fmt.Fprintf(opts.io.Err, "msgen: note: %s\n", note)
		}

		// Each flag was checked on its own. The spec that they make
		// together may still break a rule across entries, such as two
		// services' routes that conflict.
		problems, err := validateAnswers(answers)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return usageError{err: errors.New(flagProblems(answers, problems)), command: cmd.CommandPath()}
		}
	} else {
		accessible := opts.accessible || opts.getenv("ACCESSIBLE") != "" || !isTerminal(opts.io.Err)
		w := &wizard{io: opts.io, answers: answers, given: given, accessible: accessible, dir: opts.dir}
		err := w.run()
		if errors.Is(err, huh.ErrUserAborted) {
			return cancelledError{errors.New("init cancelled; nothing was written")}
		}
		if err != nil {
			return fmt.Errorf("init: %w; nothing was written", err)
		}
	}

	return writeProject(opts, target, answers)
}

// answerSet records which answers were set by flags.
type answerSet struct {
	name, module, services, plugins, rateLimit, discovery, mesh, targets bool
}

// answersFromFlags returns the answers that the flags set. It validates
// each by the schema's rules and reports every invalid flag at once.
func answersFromFlags(opts *initOptions) (*initAnswers, answerSet, error) {
	a := &initAnswers{}
	given := answerSet{
		name:      opts.given("name"),
		module:    opts.given("module"),
		services:  len(opts.services) > 0,
		plugins:   opts.given("plugins"),
		rateLimit: opts.given("rate-limit"),
		discovery: opts.given("discovery"),
		mesh:      opts.given("mesh"),
		targets:   len(opts.targets) > 0,
	}
	var problems []string
	invalid := func(flag, value string, err error) {
		problems = append(problems, fmt.Sprintf("--%s %s: %v", flag, value, err))
	}

	if given.name {
		a.Name = opts.name
		if err := schema.ValidateSystemName(a.Name); err != nil {
			invalid("name", opts.name, err)
		}
	}
	if given.module {
		a.Module = opts.module
		if err := schema.ValidateModule(a.Module); err != nil {
			invalid("module", opts.module, err)
		}
	}

	_, defaultPattern, err := schema.Choices("services.*.data.pattern")
	if err != nil {
		return nil, given, err
	}
	for _, value := range opts.services {
		parts := strings.SplitN(value, ":", 3)
		svc := serviceAnswer{Name: parts[0], Pattern: defaultPattern}
		if err := schema.ValidateServiceName(svc.Name, moduleForNames(a, given), a.serviceNames()); err != nil {
			invalid("service", value, err)
			continue
		}
		if len(parts) > 1 {
			svc.Pattern = parts[1]
			if err := validateChoice("services.*.data.pattern", svc.Pattern); err != nil {
				invalid("service", value, err)
				continue
			}
		}
		if svc.Pattern == schema.PatternSharedDatabase {
			svc.Database = defaultDatabaseName
		}
		if len(parts) > 2 {
			if svc.Pattern != schema.PatternSharedDatabase {
				invalid("service", value, fmt.Errorf("a database name is only for the %q pattern: remove it or use NAME:%s:DATABASE", schema.PatternSharedDatabase, schema.PatternSharedDatabase))
				continue
			}
			svc.Database = parts[2]
			if err := schema.ValidateDatabaseName(svc.Database); err != nil {
				invalid("service", value, err)
				continue
			}
		}
		a.Services = append(a.Services, svc)
	}

	// --port and --routes name services of --service. Each service
	// without them gets a default port and route below.
	declared := map[string]bool{}
	for _, value := range opts.services {
		declared[strings.SplitN(value, ":", 2)[0]] = true
	}
	service := func(flag, value, example string) (*serviceAnswer, string, bool) {
		name, setting, ok := strings.Cut(value, "=")
		if !ok {
			invalid(flag, value, fmt.Errorf("use NAME=VALUE, such as %s", example))
			return nil, "", false
		}
		if !declared[name] {
			invalid(flag, value, fmt.Errorf("service %q is not declared: add --service %s", name, name))
			return nil, "", false
		}
		for i := range a.Services {
			if a.Services[i].Name == name {
				return &a.Services[i], setting, true
			}
		}
		return nil, "", false // declared, but its --service is invalid and reported
	}
	portGiven := map[string]bool{}
	for _, value := range opts.ports {
		svc, text, ok := service("port", value, "orders=8081")
		if !ok {
			continue
		}
		if portGiven[svc.Name] {
			invalid("port", value, fmt.Errorf("service %q has --port already: give one --port for each service", svc.Name))
			continue
		}
		portGiven[svc.Name] = true
		port, err := schema.ValidatePort(text)
		if err == nil {
			err = schema.CheckPortFree(port, a.usedPorts())
		}
		if err != nil {
			invalid("port", value, err)
			continue
		}
		svc.Port = port
	}
	routesGiven := map[string]bool{}
	for _, value := range opts.routes {
		svc, text, ok := service("routes", value, "orders=/orders")
		if !ok {
			continue
		}
		if routesGiven[svc.Name] {
			invalid("routes", value, fmt.Errorf("service %q has --routes already: give all its routes in one --routes", svc.Name))
			continue
		}
		routesGiven[svc.Name] = true
		routes, err := parseRoutes(text)
		if err == nil {
			svc.Routes = routes
			err = validateRoutesOfService(*svc)
		}
		if err != nil {
			invalid("routes", value, err)
			continue
		}
	}
	for i := range a.Services {
		if a.Services[i].Port == 0 {
			a.Services[i].Port = a.nextPort()
		}
		if !routesGiven[a.Services[i].Name] {
			a.Services[i].Routes = defaultRoutes(a.Services[i].Name)
		}
	}

	if given.plugins {
		for _, plugin := range strings.Split(opts.plugins, ",") {
			plugin = strings.TrimSpace(plugin)
			switch {
			case plugin == "":
			case plugin != pluginCorrelationID && plugin != pluginRateLimiting:
				invalid("plugins", opts.plugins, fmt.Errorf("unknown plugin %q: use %s or %s", plugin, pluginCorrelationID, pluginRateLimiting))
			case !slices.Contains(a.Plugins, plugin):
				a.Plugins = append(a.Plugins, plugin)
			}
		}
	}
	a.RateLimit = defaultRateLimit
	if given.rateLimit {
		limit, err := schema.ValidateRateLimit(opts.rateLimit)
		// A rate limit enables rateLimiting, with or without --plugins,
		// as --database of add service implies its pattern.
		if err != nil {
			invalid("rate-limit", opts.rateLimit, err)
		} else {
			a.RateLimit = limit
			if !slices.Contains(a.Plugins, pluginRateLimiting) {
				a.Plugins = append(a.Plugins, pluginRateLimiting)
			}
		}
	}
	slices.Sort(a.Plugins)

	if given.discovery {
		a.Discovery = opts.discovery
		if err := validateChoice("discovery", a.Discovery); err != nil {
			invalid("discovery", opts.discovery, err)
		}
	}
	if given.mesh {
		a.Mesh = opts.mesh
		if err := validateChoice("mesh", a.Mesh); err != nil {
			invalid("mesh", opts.mesh, err)
		}
	}
	for _, target := range opts.targets {
		switch err := validateChoice("#Target", target); {
		case err != nil:
			invalid("target", target, err)
		case slices.Contains(a.Targets, target):
			invalid("target", target, fmt.Errorf("target %q is given twice: give it once", target))
		default:
			a.Targets = append(a.Targets, target)
		}
	}

	if len(problems) > 0 {
		return nil, given, errors.New(strings.Join(problems, "\n"))
	}
	return a, given, nil
}

// moduleForNames returns the module path under which service names from
// flags are validated: --module, or else the module that --name suggests.
// It returns "" when neither flag is valid, so the schema's placeholder is used.
func moduleForNames(a *initAnswers, given answerSet) string {
	switch {
	case given.module && schema.ValidateModule(a.Module) == nil:
		return a.Module
	case given.name && schema.ValidateSystemName(a.Name) == nil:
		return suggestModule(a.Name)
	}
	return ""
}

// completeAnswers fills in the answers that the flags left out, without
// prompting. With yes it uses the defaults, and fails only when the
// directory name gives no valid system name. Without yes, the system's
// name, its module path and its services must come from flags, and the
// error names each missing one with its flag.
func completeAnswers(a *initAnswers, given answerSet, yes bool, dir string) error {
	var missing []string
	if !given.name {
		a.Name = suggestName(dir)
		switch {
		case !yes:
			missing = append(missing, "the system's name: --name NAME")
		case a.Name == "":
			missing = append(missing, fmt.Sprintf("the system's name: --name NAME, because the directory name %q gives no valid name", filepath.Base(absOrSame(dir))))
		}
	}
	if !given.module {
		switch {
		case !yes:
			missing = append(missing, "the Go module path: --module PATH")
		case a.Name != "":
			a.Module = suggestModule(a.Name)
		}
	}
	if !given.services {
		if !yes {
			missing = append(missing, "at least one service: --service NAME[:PATTERN[:DATABASE]]")
		}
		a.Services = []serviceAnswer{{Name: defaultServiceName, Port: firstServicePort, Routes: defaultRoutes(defaultServiceName)}}
		_, pattern, err := schema.Choices("services.*.data.pattern")
		if err != nil {
			return err
		}
		a.Services[0].Pattern = pattern
	}
	switch {
	case len(missing) > 0 && yes:
		return fmt.Errorf("init is missing answers that no flag set:\n  %s\ngive them as flags", strings.Join(missing, "\n  "))
	case len(missing) > 0:
		return fmt.Errorf("init is missing answers that no flag set, and stdin is not a terminal to prompt for them:\n  %s\ngive them as flags, or --yes to use the defaults", strings.Join(missing, "\n  "))

	}

	if !given.discovery {
		_, def, err := schema.Choices("discovery")
		if err != nil {
			return err
		}
		a.Discovery = def
	}
	if !given.mesh {
		_, def, err := schema.Choices("mesh")
		if err != nil {
			return err
		}
		a.Mesh = def
	}
	if !given.targets {
		a.Targets = defaultTargets()
	}
	return nil
}

// absOrSame returns dir as an absolute path, or dir itself when that fails.
func absOrSame(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// isTerminal reports whether the stream is a terminal.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
