package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/msgen-dev/msgen/schema"
)

// promptService prompts on the terminal for each value of the new service
// that no flag gave, with the defaults filled in. The environment variable
// ACCESSIBLE, which huh documents, switches to plain numbered prompts that
// screen readers can follow.
func promptService(opts *addServiceOptions, spec *schema.Spec) error {
	// The database prompt depends on the chosen pattern. huh's accessible
	// mode also shows the fields of hidden groups, so the prompts come in
	// two forms, one after the other.
	var first []huh.Field
	portText := strconv.Itoa(opts.port)
	if !opts.changed["port"] {
		title, description := promptText(fmt.Sprintf("Port (default %d)", opts.port), "The port the service listens on, unique in the system.")
		first = append(first, huh.NewInput().
			Title(title).
			Description(description).
			Value(&portText).
			Validate(func(text string) error {
				// An empty input keeps the default in huh's accessible mode.
				if strings.TrimSpace(text) == "" {
					return nil
				}
				return checkFreePort(spec, text)
			}))
	}
	if !opts.changed["pattern"] {
		patterns := dataPatterns
		if len(spec.Databases) == 0 {
			patterns = slices.DeleteFunc(slices.Clone(patterns), func(p string) bool { return p == schema.PatternSharedDatabase })
		}
		title, description := promptText("Data pattern", "How the service manages its data. shared-database needs a database declared under databases.")
		first = append(first, huh.NewSelect[string]().
			Title(title).
			Description(description).
			Options(huh.NewOptions(patterns...)...).
			Value(&opts.pattern))
	}
	if err := runForm(opts.io, first); err != nil {
		return err
	}
	if port, err := strconv.Atoi(strings.TrimSpace(portText)); err == nil {
		opts.port = port
	}

	var second []huh.Field
	if opts.pattern == schema.PatternSharedDatabase && !opts.changed["database"] && len(spec.Databases) > 0 {
		opts.database = spec.DatabaseNames()[0]
		second = append(second, huh.NewSelect[string]().
			Title("Shared database").
			Options(huh.NewOptions(spec.DatabaseNames()...)...).
			Value(&opts.database))
	}
	routesText := ""
	if !opts.changed["route"] {
		title, description := promptText("Routes", "Separated by semicolons, such as GET,POST /invoices; GET /invoices/{id}. Leave it empty for none.")
		second = append(second, huh.NewInput().
			Title(title).
			Description(description).
			Value(&routesText).
			Validate(func(text string) error {
				_, err := splitRoutes(text)
				return err
			}))
	}
	events := slices.Sorted(maps.Keys(spec.Events))
	for _, list := range []struct {
		flag   string
		title  string
		values *[]string
	}{
		{"publishes", "Events it publishes", &opts.publishes},
		{"subscribes", "Events it subscribes to", &opts.subscribes},
	} {
		if !opts.changed[list.flag] && len(events) > 0 {
			second = append(second, huh.NewMultiSelect[string]().
				Title(list.title).
				Options(huh.NewOptions(events...)...).
				Value(list.values))
		}
	}
	if services := spec.ServiceNames(); !opts.changed["calls"] && len(services) > 0 {
		second = append(second, huh.NewMultiSelect[string]().
			Title("Services it calls over HTTP").
			Options(huh.NewOptions(services...)...).
			Value(&opts.calls))
	}
	if err := runForm(opts.io, second); err != nil {
		return err
	}
	if !opts.changed["route"] {
		opts.routes, _ = splitRoutes(routesText)
	}
	return nil
}

// runForm prompts for the fields on the terminal of io.
func runForm(io *streams, fields []huh.Field) error {
	if len(fields) == 0 {
		return nil
	}
	form := huh.NewForm(huh.NewGroup(fields...)).
		WithKeyMap(wizardKeyMap()).
		WithInput(io.In).
		WithOutput(io.Err).
		WithAccessible(accessible())
	err := form.Run()
	if errors.Is(err, huh.ErrUserAborted) {
		return cancelledError{errors.New("add cancelled; nothing was written")}
	}
	if err != nil {
		return fmt.Errorf("prompt for the service's values: %w", err)
	}
	return nil
}

// accessible reports whether the environment variable ACCESSIBLE asks for
// huh's accessible mode.
func accessible() bool {
	return os.Getenv("ACCESSIBLE") != ""
}

// promptText returns the title and description of a prompt. huh's
// accessible mode prints the title only, so there the description joins it.
func promptText(title, description string) (string, string) {
	if accessible() {
		return title + ". " + description, ""
	}
	return title, description
}

// checkFreePort returns an error unless text is a port in the schema's
// range that no service uses.
func checkFreePort(spec *schema.Spec, text string) error {
	port, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || port < minPort || port > maxPort {
		return fmt.Errorf("use a port from %d to %d", minPort, maxPort)
	}
	for _, svc := range spec.SortedServices() {
		if svc.Port == port {
			return fmt.Errorf("port %d is already used by service %q: choose a free port", port, svc.Name)
		}
	}
	return nil
}

// splitRoutes splits routes separated by semicolons, such as
// "GET,POST /invoices; GET /invoices/{id}", and checks each.
func splitRoutes(text string) ([]string, error) {
	var routes []string
	for _, part := range strings.Split(text, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if _, err := parseRoute(part); err != nil {
			return nil, err
		}
		routes = append(routes, part)
	}
	return routes, nil
}
