package generator

import (
	"bufio"
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/msgen-dev/msgen/schema"
)

var shopSpecPath = filepath.Join("..", "testdata", "examples", "shop", "msgen.cue")

// shopSpec loads the shop example, which uses discovery "dns".
func shopSpec(t *testing.T) *schema.Spec {
	t.Helper()
	spec, err := schema.Load(shopSpecPath)
	if err != nil {
		t.Fatalf("load %s: %v", shopSpecPath, err)
	}
	return spec
}

// shopConsulSpec loads the shop example with discovery "consul", through the
// same validation as a user's file.
func shopConsulSpec(t *testing.T) *schema.Spec {
	t.Helper()
	src, err := os.ReadFile(shopSpecPath)
	if err != nil {
		t.Fatal(err)
	}
	const dns = `discovery: "dns"`
	if !bytes.Contains(src, []byte(dns)) {
		t.Fatalf("%s no longer contains %s; update this helper", shopSpecPath, dns)
	}
	src = bytes.Replace(src, []byte(dns), []byte(`discovery: "consul"`), 1)
	spec, err := schema.LoadSource("msgen.cue", src)
	if err != nil {
		t.Fatalf("load consul variant of the shop: %v", err)
	}
	return spec
}

// shopMeshSpec loads the shop example with discovery "consul" and Consul's
// service mesh: services with databases, events and an API composition in
// the mesh.
func shopMeshSpec(t *testing.T) *schema.Spec {
	t.Helper()
	src, err := os.ReadFile(shopSpecPath)
	if err != nil {
		t.Fatal(err)
	}
	for old, replacement := range map[string]string{
		`discovery: "dns"`:  `discovery: "consul"`,
		`mesh:      "none"`: `mesh:      "consul-connect"`,
	} {
		if !bytes.Contains(src, []byte(old)) {
			t.Fatalf("%s no longer contains %s; update this helper", shopSpecPath, old)
		}
		src = bytes.Replace(src, []byte(old), []byte(replacement), 1)
	}
	spec, err := schema.LoadSource("msgen.cue", src)
	if err != nil {
		t.Fatalf("load the mesh variant of the shop: %v", err)
	}
	return spec
}

// boutiqueSpec loads the online-boutique example: discovery "consul", no
// admin port and no shared database.
func boutiqueSpec(t *testing.T) *schema.Spec {
	t.Helper()
	path := filepath.Join("..", "testdata", "examples", "online-boutique", "msgen.cue")
	spec, err := schema.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return spec
}

var specVariants = []struct {
	name string
	load func(*testing.T) *schema.Spec
}{
	{"shop", shopSpec},
	{"shop-consul", shopConsulSpec},
	{"shop-mesh", shopMeshSpec},
	{"online-boutique", boutiqueSpec},
}

// generateFiles runs Generate and returns its files by path.
func generateFiles(t *testing.T, spec *schema.Spec) map[string]File {
	t.Helper()
	files, err := Generate(spec)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	byPath := make(map[string]File, len(files))
	for _, f := range files {
		byPath[f.Path] = f
	}
	return byPath
}

// writeFiles writes files into a new temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]File) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// exampleEnv parses .env.example and gives every variable in it a distinct
// test value.
func exampleEnv(t *testing.T, files map[string]File) map[string]string {
	t.Helper()
	f, ok := files[".env.example"]
	if !ok {
		t.Fatal(".env.example was not generated")
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(f.Data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, found := strings.Cut(line, "=")
		if !found {
			t.Fatalf(".env.example: line %q is not NAME=value", line)
		}
		if value != "" {
			t.Errorf(".env.example: %s has the value %q; it must be empty", name, value)
		}
		env[name] = "test-" + strings.ToLower(name)
	}
	if len(env) == 0 {
		t.Fatal(".env.example lists no variable")
	}
	return env
}

// loadCompose loads dir/docker-compose.yml with compose-go, the loader of
// Docker Compose v2, interpolating env.
func loadCompose(dir string, env map[string]string) (*types.Project, error) {
	path := filepath.Join(dir, "docker-compose.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: data}},
		Environment: types.Mapping(env),
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("msgen-test", true)
	})
}

func TestComposeLoadsAndIsConsistent(t *testing.T) {
	for _, variant := range specVariants {
		t.Run(variant.name, func(t *testing.T) {
			spec := variant.load(t)
			files := generateFiles(t, spec)
			dir := writeFiles(t, files)
			env := exampleEnv(t, files)

			project, err := loadCompose(dir, env)
			if err != nil {
				t.Fatalf("compose-go rejects docker-compose.yml: %v", err)
			}

			checkComposeContainers(t, project, dir, files)
			checkComposeServices(t, spec, project, env)
			checkComposeDatabases(t, spec, project)
			checkComposeBroker(t, spec, project)
			checkComposeKong(t, spec, project)
			if spec.Discovery == schema.DiscoveryConsul {
				checkComposeConsul(t, spec, project)
			}
			if composeMeshEnabled(spec) {
				checkComposeMesh(t, spec, project, dir, files)
			}
		})
	}
}

// checkComposeContainers checks rules that hold for every container.
func checkComposeContainers(t *testing.T, project *types.Project, dir string, files map[string]File) {
	t.Helper()
	for name, svc := range project.Services {
		for dep, cfg := range svc.DependsOn {
			if _, ok := project.Services[dep]; !ok {
				t.Errorf("%s depends on %q, which is not a compose service", name, dep)
			}
			want := types.ServiceConditionHealthy
			if name == kongContainer && dep != consulContainer {
				// Kong's upstream health checks cover a started service.
				want = types.ServiceConditionStarted
			}
			if cfg.Condition != want {
				t.Errorf("%s depends on %s with condition %q; want %q", name, dep, cfg.Condition, want)
			}
		}

		hc := svc.HealthCheck
		if hc == nil || len(hc.Test) == 0 {
			t.Errorf("%s has no healthcheck", name)
		} else {
			if hc.Test[0] != "CMD" {
				t.Errorf("%s healthcheck test %q is not in exec form", name, hc.Test)
			}
			if hc.Interval == nil || hc.Timeout == nil || hc.Retries == nil || hc.StartPeriod == nil {
				t.Errorf("%s healthcheck lacks interval, timeout, retries or start_period: %+v", name, hc)
			}
		}

		if svc.Restart != types.RestartPolicyUnlessStopped {
			t.Errorf("%s restart is %q; want %q", name, svc.Restart, types.RestartPolicyUnlessStopped)
		}

		if name != kongContainer && len(svc.Ports) > 0 {
			t.Errorf("%s publishes ports %+v; only Kong may", name, svc.Ports)
		}

		for _, vol := range svc.Volumes {
			if vol.Type == types.VolumeTypeVolume {
				if _, ok := project.Volumes[vol.Source]; !ok {
					t.Errorf("%s mounts volume %q, which is not declared under volumes", name, vol.Source)
				}
			}
		}

		if svc.Build != nil {
			dockerfile := svc.Build.Dockerfile
			if filepath.IsAbs(dockerfile) {
				rel, err := filepath.Rel(dir, dockerfile)
				if err != nil {
					t.Fatal(err)
				}
				dockerfile = rel
			}
			if svc.Build.Context != dir {
				t.Errorf("%s build context is %q; want the repository root %q", name, svc.Build.Context, dir)
			}
			if _, ok := files[filepath.ToSlash(dockerfile)]; !ok {
				t.Errorf("%s is built from %q, which is not a generated file", name, dockerfile)
			}
		}
	}
}

// checkComposeServices checks the container of every service in the spec.
func checkComposeServices(t *testing.T, spec *schema.Spec, project *types.Project, env map[string]string) {
	t.Helper()
	for _, want := range spec.SortedServices() {
		svc, ok := project.Services[want.Name]
		if !ok {
			t.Errorf("service %s has no compose service", want.Name)
			continue
		}
		if svc.Build == nil {
			t.Errorf("%s is not built from its Dockerfile", want.Name)
		}
		if !svc.ReadOnly {
			t.Errorf("%s does not have a read-only file system", want.Name)
		}

		wantTest := []string{"CMD", "/usr/local/bin/" + want.Name, "healthcheck"}
		if hc := svc.HealthCheck; hc != nil {
			if !slices.Equal(hc.Test, wantTest) {
				t.Errorf("%s healthcheck test = %q; want %q", want.Name, hc.Test, wantTest)
			}
			checkDuration(t, want.Name+" healthcheck interval", hc.Interval, want.Health.Interval)
			checkDuration(t, want.Name+" healthcheck start_period", hc.StartPeriod, want.Health.StartPeriod)
			if hc.Retries == nil || *hc.Retries != uint64(want.Health.Retries) {
				t.Errorf("%s healthcheck retries = %v; want %d", want.Name, hc.Retries, want.Health.Retries)
			}
		}

		wantDeps := slices.Clone(want.Calls)
		if want.OwnsDatabase() {
			wantDeps = append(wantDeps, want.Name+"-db")
		}
		if want.Data.Pattern == schema.PatternSharedDatabase {
			wantDeps = append(wantDeps, want.Data.Database+"-db")
		}
		if spec.Discovery == schema.DiscoveryConsul {
			wantDeps = append(wantDeps, "consul")
		}
		if usesBroker(spec, want) {
			wantDeps = append(wantDeps, "nats")
			checkEnv(t, svc, "NATS_URL", "nats://nats:4222")
		}
		for _, dep := range wantDeps {
			if _, ok := svc.DependsOn[dep]; !ok {
				t.Errorf("%s does not depend on %s", want.Name, dep)
			}
		}

		checkEnv(t, svc, "PORT", strconv.Itoa(want.Port))
		if want.UsesDatabase() {
			// A service in a shared database logs in as its own role, with
			// its own password, on the shared database's host.
			url := envValue(svc, "DATABASE_URL")
			owner := want.Name
			if want.Data.Pattern == schema.PatternSharedDatabase {
				owner = want.Data.Database
			}
			role := strings.ReplaceAll(want.Name, "-", "_")
			password := env[want.EnvPrefix()+"DB_PASSWORD"]
			if password == "" || !strings.HasPrefix(url, "postgres://"+role+":"+password+"@"+owner+"-db:5432/") {
				t.Errorf("%s DATABASE_URL = %q; want role %s, the password from %sDB_PASSWORD and host %s-db", want.Name, url, role, want.EnvPrefix(), owner)
			}
		}
		for _, secret := range want.Secrets {
			checkEnv(t, svc, secret, env[want.EnvPrefix()+secret])
		}
		for name, value := range want.Env {
			checkEnv(t, svc, name, value)
		}
		for _, callee := range want.Calls {
			name := schema.EnvPrefix(callee) + "URL"
			if composeMeshEnabled(spec) {
				// Every call goes through the sidecar's upstream listener.
				checkEnv(t, svc, name, "http://127.0.0.1:"+strconv.Itoa(spec.Services[callee].Port))
				continue
			}
			if spec.Discovery == schema.DiscoveryConsul {
				if _, set := svc.Environment[name]; set {
					t.Errorf("%s sets %s, which would override discovery through Consul", want.Name, name)
				}
				continue
			}
			checkEnv(t, svc, name, "http://"+callee+":"+strconv.Itoa(spec.Services[callee].Port))
		}
	}
}

// checkComposeDatabases checks the PostgreSQL container of every service
// that owns a database and of every shared database.
func checkComposeDatabases(t *testing.T, spec *schema.Spec, project *types.Project) {
	t.Helper()
	var owners []string
	for _, svc := range spec.SortedServices() {
		if svc.OwnsDatabase() {
			owners = append(owners, svc.Name)
		}
	}
	owners = append(owners, spec.DatabaseNames()...)

	for _, owner := range owners {
		name := owner + "-db"
		db, ok := project.Services[name]
		if !ok {
			t.Errorf("database container %s is missing", name)
			continue
		}
		ident := strings.ReplaceAll(owner, "-", "_")
		checkEnv(t, db, "POSTGRES_USER", ident)
		checkEnv(t, db, "POSTGRES_DB", ident)

		hasVolume := false
		for _, vol := range db.Volumes {
			if vol.Type == types.VolumeTypeVolume && vol.Target == "/var/lib/postgresql/data" {
				hasVolume = true
			}
		}
		if !hasVolume {
			t.Errorf("%s keeps its data in no named volume: %+v", name, db.Volumes)
		}

		if hc := db.HealthCheck; hc != nil && !slices.Contains(hc.Test, "pg_isready") {
			t.Errorf("%s healthcheck %q does not run pg_isready", name, hc.Test)
		}
	}

	// A shared database runs the script that creates a role for each
	// service in it, and gets their passwords.
	for _, database := range spec.DatabaseNames() {
		services := sharingServices(spec, database)
		if len(services) == 0 {
			continue
		}
		db := project.Services[database+"-db"]
		mounted := false
		for _, vol := range db.Volumes {
			if vol.Type == types.VolumeTypeBind && strings.HasSuffix(vol.Source, sharedDatabaseInitPath(database)) &&
				strings.HasPrefix(vol.Target, postgresInitDir+"/") && vol.ReadOnly {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("%s-db does not mount %s read-only into %s: %+v", database, sharedDatabaseInitPath(database), postgresInitDir, db.Volumes)
		}
		for _, service := range services {
			if envValue(db, service.PasswordVar) == "" {
				t.Errorf("%s-db does not get %s, the password of service %s", database, service.PasswordVar, service.Name)
			}
		}
	}
}

// checkComposeBroker checks the NATS container: JetStream on, its store in
// a volume, and a health check that every service that uses it waits for.
func checkComposeBroker(t *testing.T, spec *schema.Spec, project *types.Project) {
	t.Helper()
	broker, ok := project.Services["nats"]
	if !specUsesBroker(spec) {
		if ok {
			t.Error("a system whose services use no events has a nats container")
		}
		return
	}
	if !ok {
		t.Fatal("the nats container is missing")
	}
	if !slices.Contains(broker.Command, "--jetstream") {
		t.Errorf("nats command %q does not enable JetStream", broker.Command)
	}
	if broker.HealthCheck == nil || !strings.Contains(strings.Join(broker.HealthCheck.Test, " "), "/healthz?js-enabled-only=true") {
		t.Errorf("nats healthcheck = %+v; want a check of JetStream's health", broker.HealthCheck)
	}
	if len(broker.Ports) != 0 {
		t.Errorf("nats publishes ports %+v on the host; want none", broker.Ports)
	}
	for _, svc := range spec.SortedServices() {
		dep, ok := project.Services[svc.Name].DependsOn["nats"]
		if usesBroker(spec, svc) && (!ok || dep.Condition != "service_healthy") {
			t.Errorf("%s does not wait for nats to be healthy", svc.Name)
		}
	}
}

func checkComposeKong(t *testing.T, spec *schema.Spec, project *types.Project) {
	t.Helper()
	kong, ok := project.Services[kongContainer]
	if !ok {
		t.Fatal("kong container is missing")
	}
	if kong.Image != spec.Gateway.Kong.Image {
		t.Errorf("kong image = %q; want %q", kong.Image, spec.Gateway.Kong.Image)
	}
	checkEnv(t, kong, "KONG_DATABASE", "off")
	checkEnv(t, kong, "KONG_DECLARATIVE_CONFIG", "/kong/declarative/kong.yml")

	mounted := false
	for _, vol := range kong.Volumes {
		if vol.Type == types.VolumeTypeBind && vol.Target == "/kong/declarative/kong.yml" {
			mounted = true
			if !vol.ReadOnly {
				t.Error("kong.yml is not mounted read-only")
			}
			if filepath.Base(vol.Source) != "kong.yml" || filepath.Base(filepath.Dir(vol.Source)) != "gateway" {
				t.Errorf("kong mounts %q; want gateway/kong.yml", vol.Source)
			}
		}
	}
	if !mounted {
		t.Error("kong does not mount its declarative configuration")
	}

	var proxy, admin bool
	for _, port := range kong.Ports {
		switch port.Target {
		case kongProxyPort:
			proxy = true
			if port.Published != strconv.Itoa(spec.Gateway.Kong.Port) {
				t.Errorf("kong proxy published on %q; want %d", port.Published, spec.Gateway.Kong.Port)
			}
		case kongAdminPort:
			admin = true
			if port.HostIP != "127.0.0.1" {
				t.Errorf("kong admin API published on host IP %q; want 127.0.0.1", port.HostIP)
			}
			if port.Published != strconv.Itoa(spec.Gateway.Kong.AdminPort) {
				t.Errorf("kong admin API published on %q; want %d", port.Published, spec.Gateway.Kong.AdminPort)
			}
		default:
			t.Errorf("kong publishes the unexpected port %+v", port)
		}
	}
	if !proxy {
		t.Error("kong does not publish its proxy port")
	}
	if admin != (spec.Gateway.Kong.AdminPort != 0) {
		t.Errorf("kong admin API published = %v; spec adminPort is %d", admin, spec.Gateway.Kong.AdminPort)
	}

	for _, name := range gatewayServices(spec) {
		if _, ok := kong.DependsOn[name]; !ok {
			t.Errorf("kong does not wait for %s, which it routes to", name)
		}
	}
}

func checkComposeConsul(t *testing.T, spec *schema.Spec, project *types.Project) {
	t.Helper()
	consul, ok := project.Services[consulContainer]
	if !ok {
		t.Fatal("consul container is missing")
	}

	network, ok := project.Networks[composeNetwork]
	if !ok || len(network.Ipam.Config) != 1 {
		t.Fatalf("network %s has no single IPAM pool: %+v", composeNetwork, network)
	}
	pool := network.Ipam.Config[0]
	subnet, err := netip.ParsePrefix(pool.Subnet)
	if err != nil {
		t.Fatalf("network subnet: %v", err)
	}
	if subnet.String() != spec.Network.Subnet {
		t.Errorf("network subnet = %s; want %s", subnet, spec.Network.Subnet)
	}
	ipRange, err := netip.ParsePrefix(pool.IPRange)
	if err != nil {
		t.Fatalf("network ip_range: %v", err)
	}

	netCfg := consul.Networks[composeNetwork]
	if netCfg == nil {
		t.Fatalf("consul is not on network %s", composeNetwork)
	}
	addr, err := netip.ParseAddr(netCfg.Ipv4Address)
	if err != nil {
		t.Fatalf("consul ipv4_address: %v", err)
	}
	if !subnet.Contains(addr) {
		t.Errorf("consul address %s is outside the subnet %s", addr, subnet)
	}
	if ipRange.Contains(addr) {
		t.Errorf("consul address %s is inside ip_range %s, where Docker assigns dynamic addresses", addr, ipRange)
	}

	// In the mesh, Kong's targets are its sidecar on 127.0.0.1.
	kong := project.Services[kongContainer]
	if composeMeshEnabled(spec) {
		if _, set := kong.Environment["KONG_DNS_RESOLVER"]; set {
			t.Error("kong resolves names through Consul's DNS, but in the mesh its targets are its sidecar")
		}
	} else {
		checkEnv(t, kong, "KONG_DNS_RESOLVER", addr.String()+":8600")
	}
	for _, svc := range spec.SortedServices() {
		checkEnv(t, project.Services[svc.Name], "CONSUL_HTTP_ADDR", "consul:8500")
	}
}

func TestComposeMissingVariableFails(t *testing.T) {
	files := generateFiles(t, shopSpec(t))
	dir := writeFiles(t, files)
	env := exampleEnv(t, files)

	if _, err := loadCompose(dir, nil); err == nil {
		t.Error("docker-compose.yml loads with no variable set")
	}
	for name := range env {
		partial := map[string]string{}
		for k, v := range env {
			if k != name {
				partial[k] = v
			}
		}
		_, err := loadCompose(dir, partial)
		if err == nil {
			t.Errorf("docker-compose.yml loads without %s", name)
			continue
		}
		if !strings.Contains(err.Error(), name+" is required") {
			t.Errorf("error without %s does not name it: %v", name, err)
		}
	}
}

func TestComposeEnvValueIsLiteral(t *testing.T) {
	spec := shopSpec(t)
	const value = "costs $5 or ${PRICE}"
	spec.Services["storefront"].Env["BANNER"] = value
	files := generateFiles(t, spec)
	dir := writeFiles(t, files)

	project, err := loadCompose(dir, exampleEnv(t, files))
	if err != nil {
		t.Fatal(err)
	}
	checkEnv(t, project.Services["storefront"], "BANNER", value)
}

func TestConsulNetwork(t *testing.T) {
	tests := []struct {
		subnet, wantSubnet, wantRange, wantGateway, wantConsul string
	}{
		{"172.30.0.0/24", "172.30.0.0/24", "172.30.0.0/25", "172.30.0.1", "172.30.0.254"},
		{"10.1.2.3/16", "10.1.0.0/16", "10.1.0.0/17", "10.1.0.1", "10.1.255.254"},
		{"192.168.7.8/29", "192.168.7.8/29", "192.168.7.8/30", "192.168.7.9", "192.168.7.14"},
	}
	for _, tc := range tests {
		t.Run(tc.subnet, func(t *testing.T) {
			network, consul, err := consulNetwork(tc.subnet)
			if err != nil {
				t.Fatal(err)
			}
			if network.Subnet != tc.wantSubnet {
				t.Errorf("subnet = %s; want %s", network.Subnet, tc.wantSubnet)
			}
			if network.IPRange != tc.wantRange {
				t.Errorf("ip_range = %s; want %s", network.IPRange, tc.wantRange)
			}
			if network.Gateway != tc.wantGateway {
				t.Errorf("gateway = %s; want %s", network.Gateway, tc.wantGateway)
			}
			if consul.String() != tc.wantConsul {
				t.Errorf("consul = %s; want %s", consul, tc.wantConsul)
			}
		})
	}

	for _, subnet := range []string{"10.0.0.0/30", "fd00::/64", "not-a-subnet"} {
		if _, _, err := consulNetwork(subnet); err == nil {
			t.Errorf("consulNetwork(%q) returns no error", subnet)
		}
	}
}

func TestEnvExampleListsRequiredVariables(t *testing.T) {
	spec := shopSpec(t)
	files := generateFiles(t, spec)
	env := exampleEnv(t, files)

	want := []string{
		"INVENTORY_DB_PASSWORD",
		"ORDERS_DB_PASSWORD",
		"ORDER_HISTORY_DB_PASSWORD",
		"PAYMENTS_DB_PASSWORD",
		"PAYMENTS_PAYMENT_PROVIDER_KEY",
		"SHIPPING_DB_PASSWORD",
		"WAREHOUSE_DB_PASSWORD",
	}
	var got []string
	for name := range env {
		got = append(got, name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf(".env.example lists %q; want %q", got, want)
	}

	compose := string(files["docker-compose.yml"].Data)
	for _, name := range want {
		if !strings.Contains(compose, "${"+name+":?") {
			t.Errorf("docker-compose.yml does not require %s", name)
		}
	}
}

func checkEnv(t *testing.T, svc types.ServiceConfig, name, want string) {
	t.Helper()
	value, set := svc.Environment[name]
	if !set || value == nil {
		t.Errorf("%s: %s is not set; want %q", svc.Name, name, want)
		return
	}
	if *value != want {
		t.Errorf("%s: %s = %q; want %q", svc.Name, name, *value, want)
	}
}

func envValue(svc types.ServiceConfig, name string) string {
	if value := svc.Environment[name]; value != nil {
		return *value
	}
	return ""
}

func checkDuration(t *testing.T, field string, got *types.Duration, want string) {
	t.Helper()
	d, err := time.ParseDuration(want)
	if err != nil {
		t.Fatalf("%s: spec duration %q: %v", field, want, err)
	}
	if got == nil || time.Duration(*got) != d {
		t.Errorf("%s = %v; want %s", field, got, want)
	}
}
