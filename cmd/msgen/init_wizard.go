package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"

	"github.com/msgen-dev/msgen/schema"
)

// wizardStep is a group of the wizard's questions. The wizard returns to a
// step when the user edits the answers or an answer there breaks a rule.
type wizardStep int

const (
	stepName wizardStep = iota
	stepModule
	stepServices
	stepPlugins
	stepMesh
)

// wizard prompts with huh forms for the answers that the flags left open.
// It writes nothing. run returns nil once the user chooses to write the
// answers, or huh.ErrUserAborted after Ctrl-C, Esc or Cancel.

type wizard struct {
	io      *streams
	answers *initAnswers
	given   answerSet
	dir     string
	// accessible selects huh's accessible mode, which prompts line by line.
	accessible bool
	// in reads io.In and records the end of input, because huh's
	// accessible mode reads it as an empty answer.
	in *eofReader
	// editing is set once the user chooses to edit the answers. From then
	// on the wizard prompts for every answer, pre-filled, flags included.
	editing bool
	// descriptions are the fields' descriptions, which huh's accessible
	// mode does not print, so the wizard prints them before each prompt.
	descriptions map[huh.Field]string
}

// page is a group of fields that a form shows together. In accessible mode,
// which runs one field at a time, build creates the fields only when the
// page is reached, so titles and defaults can depend on earlier answers.
// The page is skipped when hide returns true.
type page struct {
	build func() []huh.Field
	hide  func() bool
}

func (w *wizard) run() error {
	w.in = &eofReader{r: w.io.In}
	w.descriptions = map[huh.Field]string{}
	// Styles render for the stream that the forms write to, so a stderr
	// that is not a terminal gets no colours, whatever stdout is.
	lipgloss.SetDefaultRenderer(lipgloss.NewRenderer(w.io.Err))

	from, fromService := stepName, 0
	for {
		if err := w.askFrom(from, fromService); err != nil {
			return err
		}
		edit, err := w.confirm()
		if err != nil {
			return err
		}
		if edit == nil {
			return nil
		}
		w.editing = true
		from, fromService = edit.step, 0
		if edit.service != "" {
			fromService = max(slices.Index(w.answers.serviceNames(), edit.service), 0)
		}
	}
}

// asks reports whether the wizard prompts for an answer, given whether its
// flag was set. Once the user edits the answers, it prompts for every one.
func (w *wizard) asks(given bool) bool {
	return w.editing || !given
}

// askFrom prompts for the answers from step from on, and for the services
// from index fromService on.
func (w *wizard) askFrom(from wizardStep, fromService int) error {
	a := w.answers
	if from <= stepName && w.asks(w.given.name) {
		if a.Name == "" {
			a.Name = suggestName(w.dir)
		}
		name := page{build: func() []huh.Field {
			return []huh.Field{w.input("System name", "A DNS label that names the compose project and the images.", &a.Name, schema.ValidateSystemName)}
		}}
		if err := w.ask(name); err != nil {
			return err
		}
	}
	if from <= stepModule && w.asks(w.given.module) {
		if a.Module == "" {
			a.Module = suggestModule(a.Name)
		}
		module := page{build: func() []huh.Field {
			return []huh.Field{w.input("Go module path", "The module path of the generated repository, as in go.mod.", &a.Module, schema.ValidateModule)}
		}}
		if err := w.ask(module); err != nil {
			return err
		}
	}
	if from <= stepServices && w.asks(w.given.services) {
		start := 0
		if from == stepServices {
			start = fromService
		}
		if err := w.askServices(start); err != nil {
			return err
		}
	}
	if from <= stepPlugins && w.asks(w.given.plugins) {
		if err := w.askPlugins(); err != nil {
			return err
		}
	}
	return w.askMesh()
}

// askServices prompts for the services from index start on. It shows the
// existing services pre-filled first, then adds new ones until the user
// declines another service or leaves a name empty.
func (w *wizard) askServices(start int) error {
	a := w.answers
	for i := start; i < len(a.Services); {
		svc := a.Services[i]
		keep, err := w.askService(i, &svc)
		if err != nil {
			return err
		}
		if !keep {
			a.Services = slices.Delete(a.Services, i, i+1)
			continue
		}
		a.Services[i] = svc
		i++
	}

	for {
		if len(a.Services) > 0 {
			another := false
			field := huh.NewConfirm().
				Title("Add another service?").
				Description(fmt.Sprintf("Services so far: %s.", strings.Join(a.serviceNames(), ", "))).
				Value(&another)
			w.describe(field, fmt.Sprintf("Services so far: %s.", strings.Join(a.serviceNames(), ", ")))
			if err := w.ask(page{build: func() []huh.Field { return []huh.Field{field} }}); err != nil {
				return err
			}
			if !another {
				return nil
			}
		}

		svc := serviceAnswer{}
		if len(a.Services) == 0 {
			svc.Name = defaultServiceName
		}
		keep, err := w.askService(len(a.Services), &svc)
		if err != nil {
			return err
		}
		if !keep {
			return nil
		}
		a.Services = append(a.Services, svc)
	}
}

// askService prompts for the service at index in one form, so Shift+Tab
// moves back among its name, data pattern, shared database, port and routes.
// svc contains the answers so far. For a new service it has at most a
// suggested name.
// Each answer is validated as it is typed, by the rules of the whole spec
// and against the other services.
// askService returns false when the user left the name empty. That removes
// this service, or adds no more services when it is a new one.
func (w *wizard) askService(index int, svc *serviceAnswer) (bool, error) {
	a := w.answers
	patterns, defaultPattern, err := schema.Choices("services.*.data.pattern")
	if err != nil {
		return false, err
	}
	existing := index < len(a.Services)
	others := slices.Delete(slices.Clone(a.Services), index, min(index+1, len(a.Services)))
	otherAnswers := *a
	otherAnswers.Services = others

	name := svc.Name
	pattern := cmp.Or(svc.Pattern, defaultPattern)
	database := cmp.Or(svc.Database, defaultDatabaseName)
	port := strconv.Itoa(cmp.Or(svc.Port, otherAnswers.nextPort()))
	routes := ""
	if existing && !slices.EqualFunc(svc.Routes, defaultRoutes(svc.Name), equalRoute) {
		routes = cmp.Or(formatRoutes(svc.Routes), "none")
	}

	// candidate returns the service as answered up to the field upTo.
	// The later fields get values that break no rule.
	candidate := func(upTo string) serviceAnswer {
		c := serviceAnswer{Name: strings.TrimSpace(name), Pattern: schema.PatternStateless, Port: otherAnswers.nextPort()}
		if upTo == "name" {
			return c
		}
		c.Pattern = pattern
		if pattern == schema.PatternSharedDatabase {
			c.Database = strings.TrimSpace(database)
			if upTo == "pattern" {
				c.Pattern, c.Database = schema.PatternStateless, ""
			}
		}
		if upTo == "pattern" || upTo == "database" {
			return c
		}
		c.Port, _ = strconv.Atoi(strings.TrimSpace(port))
		if upTo == "port" {
			return c
		}
		c.Routes, _ = routesFromText(routes, c.Name)
		return c
	}
	checkAcross := func(upTo string) error {
		problems, err := newProblems(a, index, candidate(upTo))
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return errors.New(strings.Join(problems, "; "))
		}
		return nil
	}

	emptyMeans := ""
	switch {
	case index == 0:
	case existing:
		emptyMeans = " Leave it empty to remove the service."
	default:
		emptyMeans = " Leave it empty to add no more services."
	}
	validateName := func(text string) error {
		text = strings.TrimSpace(text)
		if text == "" && emptyMeans != "" {
			return nil
		}
		if err := schema.ValidateServiceName(text, a.Module, otherAnswers.serviceNames()); err != nil {
			return err
		}
		return checkAcross("name")
	}
	validatePattern := func(string) error { return checkAcross("pattern") }
	validateDatabase := func(text string) error {
		if err := schema.ValidateDatabaseName(strings.TrimSpace(text)); err != nil {
			return err
		}
		return checkAcross("database")
	}
	validatePort := func(text string) error {
		n, err := schema.ValidatePort(text)
		if err != nil {
			return err
		}
		if err := schema.CheckPortFree(n, otherAnswers.usedPorts()); err != nil {
			return err
		}
		return checkAcross("port")
	}
	validateRoutes := func(text string) error {
		parsed, err := routesFromText(text, strings.TrimSpace(name))
		if err != nil {
			return err
		}
		check := candidate("port")
		check.Routes = parsed
		if err := validateRoutesOfService(check); err != nil {
			return err
		}
		return checkAcross("routes")
	}

	label := func(field string) func() string {
		return func() string { return strings.TrimSpace(name) + ": " + field }
	}
	nameEmpty := func() bool { return strings.TrimSpace(name) == "" }
	pages := []page{
		{build: func() []huh.Field {
			title := fmt.Sprintf("Service %d: name", index+1)
			return []huh.Field{w.input(title, "A DNS label, such as orders, that names the service, its directory and its Go package."+emptyMeans, &name, validateName)}
		}},
		{hide: nameEmpty, build: func() []huh.Field {
			field := huh.NewSelect[string]().
				Title(label("data pattern")()).TitleFunc(label("data pattern"), &name).
				Description("How the service keeps its data.").
				Options(huh.NewOptions(patterns...)...).
				Value(&pattern).
				Validate(validatePattern)
			w.describe(field, "How the service keeps its data.")
			return []huh.Field{field}
		}},
		{
			hide: func() bool { return nameEmpty() || pattern != schema.PatternSharedDatabase },
			build: func() []huh.Field {
				return []huh.Field{w.dynamicInput(label("shared database"), &name, "The database that the service shares with others, each in its own schema.", &database, validateDatabase)}
			},
		},
		{hide: nameEmpty, build: func() []huh.Field {
			defaultText := func() string { return formatRoutes(defaultRoutes(strings.TrimSpace(name))) }
			routesDescription := "Paths that the gateway forwards, each with optional methods: /orders:GET,POST /orders/{id}. Empty for GET /NAME, \"none\" for no routes."
			if w.accessible && routes == "" {
				// Accessible mode shows the default in the title, and an
				// empty line takes it.
				routes = defaultText()
				routesDescription = "Paths that the gateway forwards, each with optional methods: /orders:GET,POST /orders/{id}. \"none\" for no routes."
			}
			routesInput := w.dynamicInput(label("routes"), &name, routesDescription, &routes, validateRoutes)
			routesInput.PlaceholderFunc(defaultText, &name)
			return []huh.Field{
				w.dynamicInput(label("port"), &name, "The port that the service listens on, unique in the system.", &port, validatePort),
				routesInput,
			}
		}},
	}
	if err := w.ask(pages...); err != nil {
		return false, err
	}
	if nameEmpty() {
		return false, nil
	}

	// Every answer was validated as it was typed.
	*svc = candidate("routes")
	return true, nil
}

// routesFromText parses the routes answer of the service named service.
// An empty answer gives the default route, GET /NAME.
func routesFromText(text, service string) ([]schema.Route, error) {
	if strings.TrimSpace(text) == "" {
		return defaultRoutes(service), nil
	}
	return parseRoutes(text)
}

// equalRoute reports whether two routes have the same path and methods.
func equalRoute(a, b schema.Route) bool {
	return a.Path == b.Path && slices.Equal(a.Methods, b.Methods)
}

// askPlugins prompts in one form for the gateway plugins to enable and,
// when rate limiting is enabled, for the limit.
func (w *wizard) askPlugins() error {
	a := w.answers
	if a.RateLimit == 0 {
		a.RateLimit = defaultRateLimit
	}
	limit := strconv.Itoa(a.RateLimit)
	validateLimit := func(text string) error {
		_, err := schema.ValidateRateLimit(text)
		return err
	}

	description := "Kong plugins that apply to every route. Space selects, Enter goes on."
	if w.accessible {
		description = "Kong plugins that apply to every route."
	}
	plugins := page{build: func() []huh.Field {
		options := []huh.Option[string]{
			huh.NewOption(pluginCorrelationID+": a request id header on every request", pluginCorrelationID).Selected(slices.Contains(a.Plugins, pluginCorrelationID)),
			huh.NewOption(pluginRateLimiting+": a limit of requests per client IP address", pluginRateLimiting).Selected(slices.Contains(a.Plugins, pluginRateLimiting)),
		}
		field := huh.NewMultiSelect[string]().
			Title("Gateway plugins").
			Description(description).
			Options(options...).
			Value(&a.Plugins)
		w.describe(field, description)
		return []huh.Field{field}
	}}
	rateLimit := page{
		hide: func() bool {
			return !slices.Contains(a.Plugins, pluginRateLimiting) || !w.asks(w.given.rateLimit)
		},
		build: func() []huh.Field {
			return []huh.Field{w.input("Rate limit", "Requests per minute that each client IP address may send.", &limit, validateLimit)}
		},
	}

	if err := w.ask(plugins, rateLimit); err != nil {
		return err
	}
	slices.Sort(a.Plugins)
	a.RateLimit, _ = schema.ValidateRateLimit(limit)
	return nil
}

// askMesh prompts for the service mesh, then for the discovery and the
// targets unless the mesh fixes them. consul-connect needs Consul discovery,
// and istio and linkerd need the kubernetes target. The wizard sets the
// values that the mesh fixes and prints a note for each.
func (w *wizard) askMesh() error {
	a := w.answers
	discoveries, defaultDiscovery, err := schema.Choices("discovery")
	if err != nil {
		return err
	}
	meshes, defaultMesh, err := schema.Choices("mesh")
	if err != nil {
		return err
	}
	targets, _, err := schema.Choices("#Target")
	if err != nil {
		return err
	}
	a.Mesh = cmp.Or(a.Mesh, defaultMesh)
	a.Discovery = cmp.Or(a.Discovery, defaultDiscovery)
	if a.Targets == nil {
		a.Targets = defaultTargets()
	}

	askMesh, askDiscovery, askTargets := w.asks(w.given.mesh), w.asks(w.given.discovery), w.asks(w.given.targets)
	// A mesh must not contradict a flag's value that the wizard does not
	// prompt for again.
	validateMesh := func(mesh string) error {
		if !askDiscovery && schema.CheckMeshDiscovery(mesh, a.Discovery) != nil {
			return fmt.Errorf("mesh %q needs Consul, but --discovery is %q: choose another mesh, or run init again with --discovery consul", mesh, a.Discovery)
		}
		if !askTargets && meshNeedsKubernetes(mesh) && !slices.Contains(a.Targets, targetKubernetes) {
			return fmt.Errorf("mesh %q runs only on Kubernetes, but --target leaves out %q: choose another mesh, or run init again with --target %s", mesh, targetKubernetes, targetKubernetes)
		}
		return nil
	}
	meshDescription := "The mesh that connects the services, or none. consul-connect also sets discovery to consul. linkerd and istio run only on Kubernetes, so they add the kubernetes target."
	targetOptions := func() []huh.Option[string] {
		options := make([]huh.Option[string], len(targets))
		for i, target := range targets {
			options[i] = huh.NewOption(target, target).Selected(slices.Contains(a.Targets, target))
		}
		return options
	}
	targetsDescription := "Where the system is deployed. msgen always generates the compose files, and kubernetes adds deploy/k8s. None selected means compose."
	if !w.accessible {
		targetsDescription += " Space selects, Enter goes on."
	}

	var pages []page
	if askMesh {
		pages = append(pages, page{build: func() []huh.Field {
			field := huh.NewSelect[string]().
				Title("Service mesh").
				Description(meshDescription).
				Options(huh.NewOptions(meshes...)...).
				Value(&a.Mesh).
				Validate(validateMesh)
			w.describe(field, meshDescription)
			return []huh.Field{field}
		}})
	}
	if askDiscovery {
		pages = append(pages, page{
			hide: func() bool { return schema.CheckMeshDiscovery(a.Mesh, schema.DiscoveryDNS) != nil },
			build: func() []huh.Field {
				description := "dns uses compose service names. consul registers every service with Consul."

				field := huh.NewSelect[string]().
					Title("Service discovery").
					Description(description).
					Options(huh.NewOptions(discoveries...)...).
					Value(&a.Discovery)
				w.describe(field, description)
				return []huh.Field{field}
			},
		})
	}
	if askTargets {
		pages = append(pages, page{
			hide: func() bool { return meshNeedsKubernetes(a.Mesh) },
			build: func() []huh.Field {
				field := huh.NewMultiSelect[string]().
					Title("Targets").
					Description(targetsDescription).
					Options(targetOptions()...).
					Value(&a.Targets)
				w.describe(field, targetsDescription)
				return []huh.Field{field}
			},
		})
	}
	if err := w.ask(pages...); err != nil {
		return err
	}
	if len(a.Targets) == 0 {
		a.Targets = defaultTargets()
	}
	// Sort the targets in the schema's order, as the spec lists them.
	slices.SortFunc(a.Targets, func(x, y string) int { return slices.Index(targets, x) - slices.Index(targets, y) })

	// The hidden questions get the answers that the mesh needs.
	given := answerSet{discovery: !askDiscovery, targets: !askTargets}
	notes, err := resolveMesh(a, given)
	if err != nil {
		return err
	}
	for _, note := range notes {
		fmt.Fprintf(w.io.Err, "msgen: note: %s\n", note)
	}
	return nil
}

// input returns a text input whose initial value is the default.
// Accessible mode does not show the value, so there the title shows the
// default, and an empty line accepts it.
func (w *wizard) input(title, description string, value *string, validate func(string) error) *huh.Input {
	def := *value
	check := func(text string) error {
		// huh's accessible mode trims the line and uses the default for
		// an empty one, but validates the line as typed.
		if w.accessible {
			text = cmp.Or(strings.TrimSpace(text), def)
		}
		return validate(text)
	}
	if w.accessible && def != "" {
		title += " [" + def + "]"
	}
	field := huh.NewInput().Title(title).Description(description).Value(value).Validate(check)
	w.describe(field, description)
	return field
}

// dynamicInput returns an input as input does, titled title(). In a
// full-screen form the title is updated when the value at binding changes.
func (w *wizard) dynamicInput(title func() string, binding *string, description string, value *string, validate func(string) error) *huh.Input {
	field := w.input(title(), description, value, validate)
	if !w.accessible {
		field.TitleFunc(title, binding)
	}
	return field
}

// describe records the description of a field for accessible mode.
func (w *wizard) describe(field huh.Field, description string) {
	w.descriptions[field] = description
}

// ask runs one form of pages on the wizard's streams. Esc aborts as Ctrl-C
// does. In accessible mode ask prompts for one field at a time after
// printing its description, and skips hidden pages itself. It does this
// because huh's accessible mode prints no descriptions and shows hidden
// groups too.
func (w *wizard) ask(pages ...page) error {
	if len(pages) == 0 {
		return nil
	}
	if w.accessible {
		return w.askAccessible(pages)
	}

	groups := make([]*huh.Group, len(pages))
	for i, p := range pages {
		groups[i] = huh.NewGroup(p.build()...)
		if p.hide != nil {
			groups[i] = groups[i].WithHideFunc(p.hide)
		}
	}
	form := huh.NewForm(groups...).WithKeyMap(wizardKeyMap())
	return runWizardForm(form, w.io.In, w.io.Err)
}

// multiSelectHelp explains how to answer a list of choices in accessible
// mode.
const multiSelectHelp = "Type the number of an option to select or clear it, then 0 to accept the marked options."

// askAccessible prompts for the fields of pages line by line.
func (w *wizard) askAccessible(pages []page) error {
	for _, p := range pages {
		if p.hide != nil && p.hide() {
			continue
		}
		for _, field := range p.build() {
			if description := w.descriptions[field]; description != "" {
				fmt.Fprintln(w.io.Err, description)
			}
			// huh's accessible lists read option numbers, and Enter
			// alone is not an answer there.
			if _, ok := field.(*huh.MultiSelect[string]); ok {
				fmt.Fprintln(w.io.Err, multiSelectHelp)
			}
			field.Init()
			field.Focus()
			if err := field.WithAccessible(true).RunAccessible(w.io.Err, w.in); err != nil {
				return err
			}
			fmt.Fprintln(w.io.Err)

			// huh's accessible mode reads the end of input as an empty
			// answer. That would accept every default and write the
			// project, so treat it as an abort.

			if w.in.eof {
				return huh.ErrUserAborted
			}
		}
	}
	return nil
}
