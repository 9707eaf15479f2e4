package generator

import (
	"encoding/binary"
	"fmt"
	"maps"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/msgen-dev/msgen/schema"
)

// Names and fixed settings of the containers that msgen adds next to the
// services.
const (
	kongContainer    = "kong"
	consulContainer  = "consul"
	consulImage      = "hashicorp/consul:1.20"
	consulHTTPPort   = 8500
	consulDNSPort    = 8600
	composeNetwork   = "backend"
	kongConfigFile   = "/kong/declarative/kong.yml"
	kongProxyPort    = 8000
	kongAdminPort    = 8001
	postgresPort     = 5432
	dataVolumeSuffix = "-data"
	databaseSuffix   = "-db"
	// defaultShutdownTimeout is the platform's SHUTDOWN_TIMEOUT when the
	// spec's env does not set it.
	defaultShutdownTimeout = 15 * time.Second
	// stopGraceMargin is how much longer compose waits after SIGTERM than
	// the service's drain delay and shutdown timeout before it kills the
	// service, so that a graceful shutdown is never cut short by SIGKILL.
	stopGraceMargin = 5 * time.Second
)

// composeView is the data of the docker-compose.yml template.
type composeView struct {
	Project   string
	Network   composeNet
	Kong      composeKong
	Consul    *composeConsul
	Broker    *composeBroker
	Services  []composeService
	Databases []composeDatabase
	// Sidecars are the Envoy sidecars of Consul's service mesh, if any.
	Sidecars []composeSidecar
}

// composeNet is the network that every container joins. Subnet is empty
// unless a container needs a fixed address.
type composeNet struct {
	Name    string
	Subnet  string
	IPRange string
	Gateway string
}

type composeHealth struct {
	Interval    string
	Timeout     string
	Retries     int
	StartPeriod string
}

type composeKong struct {
	Image     string
	Port      int
	AdminPort int
	Env       []envVar
	DependsOn []dependency
	Health    composeHealth
}

// dependency is an entry of a container's depends_on.
type dependency struct {
	Name string
	// Condition is "service_healthy" or "service_started".
	Condition string
}

// healthy returns a dependency on each of names becoming healthy.
func healthy(names []string) []dependency {
	deps := make([]dependency, 0, len(names))
	for _, name := range sortedUnique(names) {
		deps = append(deps, dependency{Name: name, Condition: "service_healthy"})
	}
	return deps
}

type composeConsul struct {
	Name    string
	Image   string
	Address string
	Command []string
	Health  composeHealth
	// ConfigDir is the agent's configuration directory of the service
	// mesh, mounted at ConfigMount, and ConfigHash the SHA-256 of its
	// files. All three are empty without the mesh.
	ConfigDir   string
	ConfigMount string
	ConfigHash  string
}

type composeService struct {
	Name       string
	Dockerfile string
	Env        []envVar
	DependsOn  []dependency
	Health     composeHealth
	StopGrace  string
}

type composeDatabase struct {
	Name     string
	Image    string
	User     string
	Database string
	Password string
	Volume   string
	Health   composeHealth
	// InitScript is the script that creates the role and schema of each
	// service in a shared database, and InitEnv the password variables it
	// reads. Both are empty for a service's own database.
	InitScript string
	InitEnv    []envVar
}

// envVar is one variable of a container's environment. Value is the text
// that compose interpolates, so a literal "$" must already be doubled.
type envVar struct {
	Name  string
	Value string
}

// requiredVar is a variable that the operator must set before starting the
// system, because the compose file refers to it with ${NAME:?...}.
type requiredVar struct {
	Name    string
	Comment string
}

// renderCompose renders docker-compose.yml and .env.example.
func renderCompose(r *renderer, spec *schema.Spec) ([]File, error) {
	view, err := newComposeView(spec)
	if err != nil {
		return nil, fmt.Errorf("render docker-compose.yml: %w", err)
	}
	// The label of the Consul agent carries the hash of its configuration,
	// so the configuration is rendered first.
	var agentConfig []File
	if composeMeshEnabled(spec) {
		agentConfig, err = renderConsulAgentConfig(r, spec)
		if err != nil {
			return nil, err
		}
		view.Consul.ConfigHash = configHash(agentConfig)
	}
	compose, err := r.file("docker-compose.yml", "deploy/docker-compose.yml.tmpl", view)
	if err != nil {
		return nil, err
	}
	scripts, err := renderSharedDatabaseInit(r, spec)
	if err != nil {
		return nil, err
	}

	vars, err := requiredVariables(spec)
	if err != nil {
		return nil, fmt.Errorf("render .env.example: %w", err)
	}
	env, err := r.file(".env.example", "repo/env.example.tmpl", map[string]any{"Variables": vars})
	if err != nil {
		return nil, err
	}
	files := append([]File{compose, env}, scripts...)
	return append(files, agentConfig...), nil
}

// newComposeView relies on schema.Load's checks: unique container and
// variable names, and no cycle of calls.
func newComposeView(spec *schema.Spec) (*composeView, error) {
	view := &composeView{
		Project: spec.Name,
		Network: composeNet{Name: composeNetwork},
	}
	if spec.Discovery == schema.DiscoveryConsul {
		network, consulAddr, err := consulNetwork(spec.Network.Subnet)
		if err != nil {
			return nil, err
		}
		view.Network = network
		// TODO: controlPlane.replicas is not used here: compose always runs
		// a single Consul agent in development mode.
		view.Consul = &composeConsul{
			Name:    consulContainer,
			Image:   consulImage,
			Address: consulAddr.String(),
			Command: []string{"agent", "-dev", "-client=0.0.0.0"},
			Health:  newComposeHealth(spec.Health),
		}
		if composeMeshEnabled(spec) {
			view.Consul.Command = append(view.Consul.Command, "-bind="+consulAddr.String(), "-config-dir="+consulAgentConfigMount)
			view.Consul.ConfigDir = "./" + consulAgentConfigDir
			view.Consul.ConfigMount = consulAgentConfigMount
		}
	}

	for _, svc := range spec.SortedServices() {
		service, err := newComposeService(spec, svc)
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", svc.Name, err)
		}
		view.Services = append(view.Services, service)

		if svc.OwnsDatabase() {
			view.Databases = append(view.Databases, newComposeDatabase(svc.Name, svc.Data.Image, spec.Health))
		}
	}
	for _, name := range spec.DatabaseNames() {
		db := newComposeDatabase(name, spec.Databases[name].Image, spec.Health)
		if services := sharingServices(spec, name); len(services) > 0 {
			db.InitScript = "./" + sharedDatabaseInitPath(name)
			for _, service := range services {
				db.InitEnv = append(db.InitEnv, envVar{Name: service.PasswordVar, Value: requiredRef(service.PasswordVar)})
			}
		}
		view.Databases = append(view.Databases, db)
	}
	view.Broker = newComposeBroker(spec)
	sort.Slice(view.Databases, func(i, j int) bool { return view.Databases[i].Name < view.Databases[j].Name })

	sidecars, err := newComposeSidecars(spec)
	if err != nil {
		return nil, err
	}
	view.Sidecars = sidecars

	view.Kong = newComposeKong(spec, view.Consul)
	return view, nil
}

func newComposeService(spec *schema.Spec, svc *schema.Service) (composeService, error) {
	env := map[string]string{
		"PORT": strconv.Itoa(svc.Port),
	}
	var dependsOn []string

	switch {
	case svc.OwnsDatabase():
		env["DATABASE_URL"] = databaseURL(svc.Name)
		dependsOn = append(dependsOn, svc.Name+databaseSuffix)
	case svc.Data.Pattern == schema.PatternSharedDatabase:
		if _, ok := spec.Databases[svc.Data.Database]; !ok {
			return composeService{}, fmt.Errorf("shared database %q is not declared under databases", svc.Data.Database)
		}
		env["DATABASE_URL"] = sharedServiceDatabaseURL(svc)
		dependsOn = append(dependsOn, svc.Data.Database+databaseSuffix)
	}
	if usesBroker(spec, svc) {
		env["NATS_URL"] = brokerURL()
		dependsOn = append(dependsOn, brokerContainer)
	}

	if spec.Discovery == schema.DiscoveryConsul {
		env["CONSUL_HTTP_ADDR"] = consulContainer + ":" + strconv.Itoa(consulHTTPPort)
		dependsOn = append(dependsOn, consulContainer)
	}
	for _, callee := range svc.Calls {
		target, ok := spec.Services[callee]
		if !ok {
			return composeService{}, fmt.Errorf("called service %q is not declared under services", callee)
		}
		// With Consul the service resolves its callees through the
		// agent, and a <CALLEE>_URL variable would override that.
		if spec.Discovery != schema.DiscoveryConsul {
			env[schema.EnvPrefix(callee)+"URL"] = "http://" + callee + ":" + strconv.Itoa(target.Port)
		}
		dependsOn = append(dependsOn, callee)
	}
	// In the mesh, the service listens on 127.0.0.1, where only its
	// sidecar reaches it, and every call goes through the sidecar.
	if composeMeshEnabled(spec) {
		env["LISTEN_ADDRESS"] = "127.0.0.1"
		maps.Copy(env, meshCalleeURLs(spec, svc))
	}

	for _, secret := range svc.Secrets {
		if _, defined := env[secret]; defined {
			return composeService{}, fmt.Errorf("secret %q has the name of a variable that msgen sets; rename the secret", secret)
		}
		env[secret] = requiredRef(svc.EnvPrefix() + secret)
	}
	for name, value := range svc.Env {
		if _, defined := env[name]; defined {
			return composeService{}, fmt.Errorf("env %q has the name of a variable that msgen sets or of a secret; rename it", name)
		}
		// The spec's values are literal, but compose interpolates "$" in
		// values, so each "$" is doubled.
		env[name] = strings.ReplaceAll(value, "$", "$$")
	}

	return composeService{
		Name:       svc.Name,
		Dockerfile: "services/" + svc.Name + "/Dockerfile",
		Env:        sortedEnv(env),
		DependsOn:  healthy(dependsOn),
		Health:     newComposeHealth(svc.Health),
		StopGrace:  stopGrace(svc),
	}, nil
}

// stopGrace returns the stop_grace_period of a service: its DRAIN_DELAY and
// SHUTDOWN_TIMEOUT from the spec's env, or their defaults, plus
// stopGraceMargin. The schema has checked that both parse.
func stopGrace(svc *schema.Service) string {
	shutdown := defaultShutdownTimeout
	if d, err := time.ParseDuration(svc.Env["SHUTDOWN_TIMEOUT"]); err == nil {
		shutdown = d
	}
	var drain time.Duration
	if d, err := time.ParseDuration(svc.Env["DRAIN_DELAY"]); err == nil {
		drain = d
	}
	return (drain + shutdown + stopGraceMargin).String()
}

// newComposeDatabase returns the PostgreSQL container named after owner, a
// service or shared database.
func newComposeDatabase(owner, image string, health schema.Health) composeDatabase {
	ident := databaseIdent(owner)
	return composeDatabase{
		Name:     owner + databaseSuffix,
		Image:    image,
		User:     ident,
		Database: ident,
		Password: requiredRef(databasePasswordVar(owner)),
		Volume:   owner + databaseSuffix + dataVolumeSuffix,
		Health:   newComposeHealth(health),
	}
}

func newComposeKong(spec *schema.Spec, consul *composeConsul) composeKong {
	env := map[string]string{
		"KONG_DATABASE":           "off",
		"KONG_DECLARATIVE_CONFIG": kongConfigFile,
		// The container's file system is read-only, so the prefix, where
		// Kong writes its nginx configuration and pid files, is a tmpfs.
		"KONG_PREFIX":            "/var/run/kong",
		"KONG_PROXY_LISTEN":      "0.0.0.0:" + strconv.Itoa(kongProxyPort),
		"KONG_ADMIN_LISTEN":      "off",
		"KONG_PROXY_ACCESS_LOG":  "/dev/stdout",
		"KONG_PROXY_ERROR_LOG":   "/dev/stderr",
		"KONG_ANONYMOUS_REPORTS": "off",
	}
	if spec.Gateway.Kong.AdminPort != 0 {
		env["KONG_ADMIN_LISTEN"] = "0.0.0.0:" + strconv.Itoa(kongAdminPort)
		env["KONG_ADMIN_ACCESS_LOG"] = "/dev/stdout"
		env["KONG_ADMIN_ERROR_LOG"] = "/dev/stderr"
	}

	// Upstream targets are <name>.service.consul names that only Consul's
	// DNS interface resolves. In the mesh they are Kong's sidecar on
	// 127.0.0.1 instead, and the sidecar waits for Consul.
	var dependsOn []dependency
	if consul != nil && !composeMeshEnabled(spec) {
		env["KONG_DNS_RESOLVER"] = consul.Address + ":" + strconv.Itoa(consulDNSPort)
		dependsOn = append(dependsOn, dependency{Name: consul.Name, Condition: "service_healthy"})
	}
	// Kong waits only for the services to start: its upstream health
	// checks keep traffic away from an instance until /readyz passes, so
	// one unhealthy service does not keep the whole gateway down.
	for _, name := range sortedUnique(gatewayServices(spec)) {
		dependsOn = append(dependsOn, dependency{Name: name, Condition: "service_started"})
	}

	return composeKong{
		Image:     spec.Gateway.Kong.Image,
		Port:      spec.Gateway.Kong.Port,
		AdminPort: spec.Gateway.Kong.AdminPort,
		Env:       sortedEnv(env),
		DependsOn: dependsOn,
		Health:    newComposeHealth(spec.Health),
	}
}

// consulNetwork returns a network with a fixed subnet and the address of the
// Consul agent in it. Docker assigns dynamic addresses from the lower half of
// the subnet only (ip_range), and Consul gets the last host address of the
// upper half, so no container started before Consul can take its address.
func consulNetwork(subnet string) (composeNet, netip.Addr, error) {
	prefix, err := netip.ParsePrefix(subnet)
	if err != nil {
		return composeNet{}, netip.Addr{}, fmt.Errorf("network subnet %q: %w", subnet, err)
	}
	prefix = prefix.Masked()
	// A /29 still leaves the lower half with the gateway and two dynamic
	// addresses.
	if !prefix.Addr().Is4() || prefix.Bits() > 29 {
		return composeNet{}, netip.Addr{}, fmt.Errorf("network subnet %q: use an IPv4 subnet with a prefix of at most /29", subnet)
	}

	base := prefix.Addr().As4()
	hostBits := 32 - prefix.Bits()
	last := binary.BigEndian.Uint32(base[:]) | (uint32(1)<<hostBits - 1)
	var consul [4]byte
	binary.BigEndian.PutUint32(consul[:], last-1) // last-1: skip the broadcast address

	network := composeNet{
		Name:    composeNetwork,
		Subnet:  prefix.String(),
		IPRange: netip.PrefixFrom(prefix.Addr(), prefix.Bits()+1).String(),
		Gateway: prefix.Addr().Next().String(),
	}
	return network, netip.AddrFrom4(consul), nil
}

// gatewayServices returns the sorted names of the services that Kong routes
// to: those with routes and those that compose an API.
func gatewayServices(spec *schema.Spec) []string {
	var names []string
	for _, svc := range spec.SortedServices() {
		if len(svc.Routes) > 0 || len(compositionsOf(spec, svc.Name)) > 0 {
			names = append(names, svc.Name)
		}
	}
	return names
}

// requiredVariables returns, sorted by name, every variable that the compose
// file requires: database passwords and service secrets.
func requiredVariables(spec *schema.Spec) ([]requiredVar, error) {
	var vars []requiredVar
	for _, svc := range spec.SortedServices() {
		if svc.OwnsDatabase() {
			vars = append(vars, requiredVar{
				Name: databasePasswordVar(svc.Name),
				Comment: fmt.Sprintf("Password of the PostgreSQL user %q in container %q, the database of service %q.",
					databaseIdent(svc.Name), svc.Name+databaseSuffix, svc.Name),
			})
		}
		for _, secret := range svc.Secrets {
			vars = append(vars, requiredVar{
				Name:    svc.EnvPrefix() + secret,
				Comment: fmt.Sprintf("Secret %s of service %q.", secret, svc.Name),
			})
		}
	}
	for _, name := range spec.DatabaseNames() {
		vars = append(vars, requiredVar{
			Name: databasePasswordVar(name),
			Comment: fmt.Sprintf("Password of the PostgreSQL user %q in container %q, the shared database %q.",
				databaseIdent(name), name+databaseSuffix, name),
		})
		for _, service := range sharingServices(spec, name) {
			vars = append(vars, requiredVar{
				Name: service.PasswordVar,
				Comment: fmt.Sprintf("Password of the PostgreSQL role %q of service %q in the shared database %q.",
					service.Role, service.Name, name),
			})
		}
	}

	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	for i := 1; i < len(vars); i++ {
		if vars[i].Name == vars[i-1].Name {
			return nil, fmt.Errorf("two settings need the variable %s (%s / %s); rename a secret, service or database",
				vars[i].Name, vars[i-1].Comment, vars[i].Comment)
		}
	}
	return vars, nil
}

func newComposeHealth(h schema.Health) composeHealth {
	return composeHealth{
		Interval:    h.Interval,
		Timeout:     h.Timeout,
		Retries:     h.Retries,
		StartPeriod: h.StartPeriod,
	}
}

// databaseIdent maps a service or database name to the PostgreSQL user and
// database name: "order-history" becomes "order_history".
func databaseIdent(name string) string {
	return strings.ReplaceAll(name, "-", "_")
}

// databasePasswordVar returns the variable that holds the password of the
// database named after a service or shared database.
func databasePasswordVar(name string) string {
	return schema.EnvPrefix(name) + "DB_PASSWORD"
}

// databaseURL returns the DATABASE_URL of the database container named after
// owner, a service or shared database.
func databaseURL(owner string) string {
	ident := databaseIdent(owner)
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable",
		ident, requiredRef(databasePasswordVar(owner)), owner+databaseSuffix, postgresPort, ident)
}

// requiredRef returns a compose interpolation of name that fails, naming the
// variable, when it is unset or empty.
func requiredRef(name string) string {
	return "${" + name + ":?" + name + " is required, see .env.example}"
}

func sortedEnv(env map[string]string) []envVar {
	vars := make([]envVar, 0, len(env))
	for name, value := range env {
		vars = append(vars, envVar{Name: name, Value: value})
	}
	sort.Slice(vars, func(i, j int) bool { return vars[i].Name < vars[j].Name })
	return vars
}

func sortedUnique(names []string) []string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	unique := sorted[:0]
	for i, name := range sorted {
		if i == 0 || name != sorted[i-1] {
			unique = append(unique, name)
		}
	}
	return unique
}
