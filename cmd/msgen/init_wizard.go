package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/huh"

	"github.com/msgen-dev/msgen/schema"
)

// wizardStep is a group of the wizard's questions, where the wizard goes
// back to when the user edits the answers or a problem needs a new answer.
type wizardStep int

const (
	stepName wizardStep = iota
	stepModule
	stepServices
	stepPlugins
	stepMesh
)

// wizard asks, with huh forms, the questions that the flags left open. It
// writes nothing: run returns once every answer is in, or with
// huh.ErrUserAborted after Ctrl-C or Esc.
type wizard struct {
	io      *streams
	answers *initAnswers
	given   answerSet
	dir     string
	// accessible asks line by line, with huh's accessible mode.
	accessible bool
	// in reads io.In and records the end of input, which huh's accessible
	// mode takes as an empty answer.
	in *eofReader
}

func (w *wizard) run() error {
	w.in = &eofReader{r: w.io.In}
	a := w.answers

	if !w.given.name {
		a.Name = suggestName(w.dir)
		err := w.ask(huh.NewGroup(w.input("System name", "A DNS label that names the compose project and the images.", &a.Name, schema.ValidateSystemName)))
		if err != nil {
			return err
		}
	}
	if !w.given.module {
		a.Module = suggestModule(a.Name)
		err := w.ask(huh.NewGroup(w.input("Go module path", "The module path of the generated repository, as in go.mod.", &a.Module, schema.ValidateModule)))
		if err != nil {
			return err
		}
	}
	if !w.given.services {
		if err := w.askServices(); err != nil {
			return err
		}
	}
	if !w.given.plugins {
		if err := w.askPlugins(); err != nil {
			return err
		}
	}
	if err := w.askDiscoveryAndMesh(); err != nil {
		return err
	}
	return w.confirm()
}

// askServices asks for one service after another until the person has no
// more to add.
func (w *wizard) askServices() error {
	a := w.answers
	patterns, defaultPattern, err := schema.Choices("services.*.data.pattern")
	if err != nil {
		return err
	}

	for {
		svc := serviceAnswer{Pattern: defaultPattern, Database: defaultDatabaseName}
		if len(a.Services) == 0 {
			svc.Name = defaultServiceName
		}
		title := fmt.Sprintf("Service %d: name", len(a.Services)+1)
		validateName := func(name string) error { return schema.ValidateServiceName(name, a.Module, a.serviceNames()) }
		err := w.ask(huh.NewGroup(w.input(title, "A DNS label, such as orders, that names the service, its directory and its Go package.", &svc.Name, validateName)))
		if err != nil {
			return err
		}

		port := strconv.Itoa(a.nextPort())
		routes := formatRoutes(defaultRoutes(svc.Name))
		validatePort := func(text string) error {
			n, err := schema.ValidatePort(text)
			if err != nil {
				return err
			}
			return schema.CheckPortFree(n, a.usedPorts())
		}
		validateRoutes := func(text string) error {
			parsed, err := parseRoutes(text)
			if err != nil {
				return err
			}
			check := svc
			check.Routes = parsed
			return validateRoutesOfService(check)
		}
		err = w.ask(huh.NewGroup(huh.NewSelect[string]().
			Title(svc.Name + ": data pattern").
			Description("How the service keeps its data.").
			Options(huh.NewOptions(patterns...)...).
			Value(&svc.Pattern)))
		if err != nil {
			return err
		}

		// TODO: reject here a name too long for the host of the service's
		// own database, which the loader limits to 60 characters. Only the
		// validation of the whole spec, after the last answer, finds it now.

		// A form of its own rather than a hidden group, because huh's
		// accessible mode asks hidden groups too.
		if svc.Pattern == schema.PatternSharedDatabase {
			err := w.ask(huh.NewGroup(w.input(svc.Name+": shared database", "The database that the service shares with others, each in its own schema.", &svc.Database, schema.ValidateDatabaseName)))
			if err != nil {
				return err
			}
		} else {
			svc.Database = ""
		}

		err = w.ask(huh.NewGroup(
			w.input(svc.Name+": port", "The port that the service listens on, unique in the system.", &port, validatePort),
			w.input(svc.Name+": routes", "Paths that the gateway forwards, each with optional methods: /orders:GET,POST /orders/{id}. \"none\" for no routes.", &routes, validateRoutes),
		))
		if err != nil {
			return err
		}

		// Both were checked as they were typed.
		svc.Port, _ = strconv.Atoi(strings.TrimSpace(port))
		svc.Routes, _ = parseRoutes(routes)
		a.Services = append(a.Services, svc)

		another := false
		err = w.ask(huh.NewGroup(huh.NewConfirm().
			Title("Add another service?").
			Description(fmt.Sprintf("Services so far: %s.", strings.Join(a.serviceNames(), ", "))).
			Value(&another)))
		if err != nil {
			return err
		}
		if !another {
			return nil
		}
	}
}

// askPlugins asks which gateway plugins to enable and, for rate limiting,
// the limit.
func (w *wizard) askPlugins() error {
	a := w.answers
	options := []huh.Option[string]{
		huh.NewOption(pluginCorrelationID+": a request id header on every request", pluginCorrelationID).Selected(slices.Contains(a.Plugins, pluginCorrelationID)),
		huh.NewOption(pluginRateLimiting+": a limit of requests per client IP address", pluginRateLimiting).Selected(slices.Contains(a.Plugins, pluginRateLimiting)),
	}
	err := w.ask(huh.NewGroup(huh.NewMultiSelect[string]().
		Title("Gateway plugins").
		Description("Kong plugins that apply to every route. Space selects, Enter goes on.").
		Options(options...).
		Value(&a.Plugins)))
	if err != nil {
		return err
	}
	slices.Sort(a.Plugins)

	if !slices.Contains(a.Plugins, pluginRateLimiting) || w.given.rateLimit {
		return nil
	}
	limit := strconv.Itoa(a.RateLimit)
	validateLimit := func(text string) error {
		_, err := schema.ValidateRateLimit(text)
		return err
	}
	err = w.ask(huh.NewGroup(w.input("Rate limit", "Requests per minute that each client IP address may send.", &limit, validateLimit)))
	if err != nil {
		return err
	}
	a.RateLimit, _ = schema.ValidateRateLimit(limit)
	return nil
}

// askDiscoveryAndMesh asks for service discovery and the service mesh
// unless flags gave them.
func (w *wizard) askDiscoveryAndMesh() error {
	a := w.answers
	discoveries, defaultDiscovery, err := schema.Choices("discovery")
	if err != nil {
		return err
	}
	meshes, defaultMesh, err := schema.Choices("mesh")
	if err != nil {
		return err
	}

	// A mesh from a flag may need a discovery, which the discovery
	// question then checks, and the mesh question checks the discovery.
	if !w.given.mesh {
		a.Mesh = defaultMesh
	}
	var groups []*huh.Group
	if !w.given.discovery {
		a.Discovery = defaultDiscovery
		groups = append(groups, huh.NewGroup(huh.NewSelect[string]().
			Title("Service discovery").
			Description("dns uses compose service names; consul registers every service with Consul.").
			Options(huh.NewOptions(discoveries...)...).
			Value(&a.Discovery).
			Validate(func(discovery string) error { return schema.CheckMeshDiscovery(a.Mesh, discovery) })))
	}
	if !w.given.mesh {
		groups = append(groups, huh.NewGroup(huh.NewSelect[string]().
			Title("Service mesh").
			Description("The mesh that connects the services, or none.").
			Options(huh.NewOptions(meshes...)...).
			Value(&a.Mesh).
			Validate(func(mesh string) error { return schema.CheckMeshDiscovery(mesh, a.Discovery) })))
	}
	if len(groups) == 0 {
		return nil
	}
	return w.ask(groups...)
}

// confirm shows the answers and asks whether to write them. No counts as
// an abort.
func (w *wizard) confirm() error {
	a := w.answers
	var b strings.Builder
	fmt.Fprintf(&b, "%s, module %s\n", a.Name, a.Module)
	for _, svc := range a.Services {
		routes := formatRoutes(svc.Routes)
		if routes == "" {
			routes = "no routes"
		}
		pattern := svc.Pattern
		if svc.Database != "" {
			pattern += " of " + svc.Database
		}
		fmt.Fprintf(&b, "service %s: %s, port %d, %s\n", svc.Name, pattern, svc.Port, routes)
	}
	plugins := strings.Join(a.Plugins, ", ")
	if plugins == "" {
		plugins = "none"
	}
	fmt.Fprintf(&b, "plugins: %s; discovery: %s; mesh: %s", plugins, a.Discovery, a.Mesh)

	write := true
	err := w.ask(huh.NewGroup(huh.NewConfirm().
		Title(fmt.Sprintf("Write %s and generate the repository in %s?", specName, displayPath(w.dir))).
		Description(b.String()).
		Value(&write)))
	if err != nil {
		return err
	}
	if !write {
		return huh.ErrUserAborted
	}
	return nil
}

// input returns a text input whose value starts as the default. In
// accessible mode, where the value is not shown, the title names the
// default, and an empty line takes it.
func (w *wizard) input(title, description string, value *string, validate func(string) error) *huh.Input {
	def := *value
	check := func(text string) error {
		// huh's accessible mode trims the line and takes the default
		// for an empty one, but validates the line as typed.
		if w.accessible {
			text = cmp.Or(strings.TrimSpace(text), def)
		}
		return validate(text)
	}
	if w.accessible && def != "" {
		title += " [" + def + "]"
	}
	return huh.NewInput().Title(title).Description(description).Value(value).Validate(check)
}

// ask runs one form of groups on the wizard's streams. Esc aborts as
// Ctrl-C does.
func (w *wizard) ask(groups ...*huh.Group) error {
	keymap := huh.NewDefaultKeyMap()
	keymap.Quit = key.NewBinding(key.WithKeys("ctrl+c", "esc"), key.WithHelp("esc", "cancel"))
	// Only a terminal itself, not a reader around it, lets huh switch the
	// terminal to raw mode for its full-screen forms.
	in := w.io.In
	if w.accessible {
		in = w.in
	}
	form := huh.NewForm(groups...).
		WithKeyMap(keymap).
		WithInput(in).
		WithOutput(w.io.Err).
		WithAccessible(w.accessible)
	if err := form.Run(); err != nil {
		return err
	}

	// huh's accessible mode takes the end of input as an empty answer,
	// which would accept every default and write the project.
	if w.accessible && w.in.eof {
		return huh.ErrUserAborted
	}
	return nil
}

// eofReader reads r and records whether it reached the end.
type eofReader struct {
	r   io.Reader
	eof bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		e.eof = true
	}
	return n, err
}
