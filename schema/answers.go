package schema

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
)

// The functions in this file validate one value of a spec at a time, such as
// a value typed into the msgen init wizard. They apply the rules that Load
// applies to the whole spec: the embedded schema's constraint for the field,
// then the loader's Go checks. Their messages are the ones that Load gives
// for the same value, without the file position and path.

// answerSchema is the embedded schema, compiled once for these checks. A
// cue.Context is not safe for concurrent use, so mu guards every use.
type answerSchema struct {
	mu           sync.Mutex
	c            *checker
	root         cue.Value
	architecture cue.Value
}

var compileAnswerSchema = sync.OnceValues(func() (*answerSchema, error) {
	ctx := cuecontext.New()
	root := ctx.CompileString(schemaSource, cue.Filename(schemaFilename))
	if err := root.Err(); err != nil {
		return nil, fmt.Errorf("compile embedded schema: %w", err)
	}
	return &answerSchema{
		c:            &checker{ctx: ctx, top: ctx.CompileString("_")},
		root:         root,
		architecture: root.LookupPath(cue.ParsePath("#Architecture")),
	}, nil
})

// lookup returns the schema of the field at path, a dot-separated path from
// the top of a spec, such as "services.*.data.pattern", where "*" matches
// any key of a map. A path that starts with a definition, such as
// "#Route.path", starts there instead.
func (s *answerSchema) lookup(path string) (cue.Value, error) {
	parts := strings.Split(path, ".")
	v := s.architecture
	if strings.HasPrefix(parts[0], "#") {
		v = s.root.LookupPath(cue.MakePath(cue.Def(parts[0])))
		parts = parts[1:]
	}
	for i, part := range parts {
		if part == "*" {
			rule, ok := keyRules[strings.Join(parts[:i], ".")]
			if !ok {
				return cue.Value{}, fmt.Errorf("schema path %q: %q is not a map", path, strings.Join(parts[:i], "."))
			}
			part = rule.example
		}
		v = s.c.fieldSchema(v, cue.Str(part))
	}
	if !v.Exists() {
		return cue.Value{}, fmt.Errorf("schema path %q: no such field", path)
	}
	return v, nil
}

// checkValue validates value against the schema of the field at path, and
// explains a violation with the field's hint, as Load does.
func checkValue(path string, value any) error {
	s, err := compileAnswerSchema()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	field, err := s.lookup(path)
	if err != nil {
		return err
	}
	encoded := s.c.ctx.Encode(value)
	unified := field.Unify(encoded)
	if err := unified.Validate(cue.Concrete(true)); err != nil {
		if hint := hintOf(field, ""); hint != "" {
			return fmt.Errorf("invalid value %s: %s", describe(encoded), hint)
		}
		return fmt.Errorf("invalid value %s: %s", describe(encoded), cleanMessage(err))
	}
	return nil
}

// checkKey validates key as the name of an entry of the map at path, such
// as "services", by the schema's pattern constraint on the map's keys.
func checkKey(path, key string) error {
	s, err := compileAnswerSchema()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	m, err := s.lookup(path)
	if err != nil {
		return err
	}
	if !m.Allows(cue.Str(key)) {
		return fmt.Errorf("invalid %s %q: %s", keyRules[path].noun, key, keyRules[path].text)
	}
	return nil
}

// Choices returns the values that the schema allows for the field at path,
// in the schema's order, and the default among them. path is as in Hint.
// The field must be a disjunction of concrete values, such as discovery's
// *"dns" | "consul".
func Choices(path string) (values []string, def string, err error) {
	s, err := compileAnswerSchema()
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	field, err := s.lookup(path)
	if err != nil {
		return nil, "", err
	}
	if d, ok := field.Default(); ok {
		def, _ = d.String()
	}
	op, args := field.Expr()
	if op != cue.OrOp {
		return nil, "", fmt.Errorf("schema path %q: not a choice of values", path)
	}
	for _, arg := range args {
		value, err := arg.String()
		if err != nil {
			return nil, "", fmt.Errorf("schema path %q: a choice is not a string: %w", path, err)
		}
		values = append(values, value)
	}
	return values, def, nil
}

// Default decodes the schema's default for the field at path into target,
// as encoding/json would. path is as in Hint.
func Default(path string, target any) error {
	s, err := compileAnswerSchema()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	field, err := s.lookup(path)
	if err != nil {
		return err
	}
	def, ok := field.Default()
	if !ok {
		return fmt.Errorf("schema path %q: no default", path)
	}
	if err := def.Decode(target); err != nil {
		return fmt.Errorf("schema path %q: decode default: %w", path, err)
	}
	return nil
}

// Hint returns the advice that the schema gives for the field at path, such
// as "use a port from 1024 to 65535", or "" when it gives none. path is
// dot-separated from the top of a spec, with "*" for any key of a map, as in
// "services.*.port", or starts with a definition, as in "#Route.path".
func Hint(path string) (string, error) {
	s, err := compileAnswerSchema()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	field, err := s.lookup(path)
	if err != nil {
		return "", err
	}
	return hintOf(field, ""), nil
}

// Fields returns the names of the fields that the schema allows in the
// struct at path, in the schema's order. path is as in Hint, and "" is the
// top of a spec.
func Fields(path string) ([]string, error) {
	s, err := compileAnswerSchema()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	v := s.architecture
	if path != "" {
		if v, err = s.lookup(path); err != nil {
			return nil, err
		}
	}
	iter, err := v.Fields(cue.Optional(true))
	if err != nil {
		return nil, fmt.Errorf("schema path %q: %w", path, err)
	}
	var names []string
	for iter.Next() {
		names = append(names, iter.Selector().Unquoted())
	}
	return names, nil
}

// ValidateSystemName validates the system's name, the spec's name field.
func ValidateSystemName(name string) error {
	return checkValue("name", name)
}

// ValidateModule validates the Go module path of the generated repository
// by the schema's pattern, then by the go command's rules for an import path.
func ValidateModule(modulePath string) error {
	if err := checkValue("module", modulePath); err != nil {
		return err
	}
	return checkModuleImportPath(modulePath)
}

// ValidateServiceName validates the name of a new service. It applies the
// schema's rule for the keys of services and the Go rules of
// CheckServiceName. It then applies the go command's rules to the
// service's import path under modulePath, or under a placeholder module
// path when modulePath is "". taken lists the services declared before it,
// whose names and Go package names the new name must not repeat.
func ValidateServiceName(name, modulePath string, taken []string) error {
	if err := checkKey("services", name); err != nil {
		return err
	}
	if err := CheckServiceName(name); err != nil {
		return err
	}
	if modulePath == "" {
		modulePath = placeholderModule
	}
	if err := checkServiceImportPath(modulePath, name); err != nil {
		return err
	}

	byPackage := map[string]string{}
	for _, other := range taken {
		if other == name {
			return fmt.Errorf("service %q is already declared: choose another name", name)
		}
		byPackage[GoPackageName(other)] = other
	}
	return checkPackageConflict(name, byPackage)
}

// ValidateDatabaseName validates the name of a shared database, a key of
// the spec's databases.
func ValidateDatabaseName(name string) error {
	return checkKey("databases", name)
}

// ValidatePort parses and validates the port that a service listens on.
func ValidatePort(text string) (int, error) {
	return parseInt("services.*.port", text)
}

// CheckPortFree rejects a service port that another service uses already.
// usedBy maps each used port to its service.
func CheckPortFree(port int, usedBy map[int]string) error {
	if other, ok := usedBy[port]; ok {
		return fmt.Errorf("port %d is already used by service %q: choose a free port", port, other)
	}
	return nil
}

// ValidateRoutePath validates the path template of a route by the schema's
// pattern, then by the rules of Go's http.ServeMux for its segments and
// parameters.
func ValidateRoutePath(path string) error {
	if err := checkValue("#Route.path", path); err != nil {
		return err
	}
	if problem := pathParamProblem(path); problem != "" {
		return fmt.Errorf("%s", problem)
	}
	return nil
}

// ValidateMethod validates the HTTP method of a route.
func ValidateMethod(method string) error {
	return checkValue("#Method", method)
}

// ValidateRateLimit parses and validates the number of requests per minute
// that Kong's rate-limiting plugin allows for each client IP address.
func ValidateRateLimit(text string) (int, error) {
	return parseInt("gateway.kong.plugins.rateLimiting.minute", text)
}

// CheckMeshDiscovery rejects a service mesh that needs another discovery.
func CheckMeshDiscovery(mesh, discovery string) error {
	if mesh == "consul-connect" && discovery != DiscoveryConsul {
		return fmt.Errorf("mesh \"consul-connect\" needs Consul: set discovery: \"consul\"")
	}
	return nil
}

// parseInt parses text as a decimal integer and validates it against the
// schema of the field at path. The error for text that is not an integer
// also contains the field's hint.

func parseInt(path, text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		hint, hintErr := Hint(path)
		if hintErr != nil {
			return 0, hintErr
		}
		if hint == "" {
			hint = "use a whole number"
		}
		return 0, fmt.Errorf("invalid value %q: %s", text, hint)
	}
	if err := checkValue(path, n); err != nil {
		return 0, err
	}
	return n, nil
}
