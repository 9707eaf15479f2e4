package schema

import (
	"fmt"
	"go/token"
	"strings"
)

// reservedNames break generated code or files when used as a service name.
// "main" would turn internal/main into a command. The go tool ignores
// "testdata" directories and gives "vendor" and "internal" special meaning.
// A binary named "test" shadows the shell's test command on the PATH.
var reservedNames = map[string]string{
	"main":     "it would make the service's package a command",
	"test":     "a binary of that name shadows the shell's test command",
	"testdata": "the go tool ignores directories of that name",
	"vendor":   "the go tool treats directories of that name as vendored code",
	"internal": "the go tool restricts imports of directories of that name",
}

// infrastructureNames are compose services that msgen generates: Kong,
// Consul, and the name reserved for the message broker.
var infrastructureNames = []string{"kong", "consul", "nats"}

// platformSuffixes are GOOS and GOARCH values. A file or package name that
// ends in _<value> is compiled only on that platform, so a service name must
// not end in one of them.
var platformSuffixes = []string{
	"aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios",
	"js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1",
	"windows", "zos",
	"386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64",
	"mips", "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc",
	"ppc64", "ppc64le", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64",
	"wasm",
}

// CheckServiceName returns an error when name, a DNS label already checked
// against the schema, would break the generated code or files. The message
// explains why and is meant to follow the field path.
func CheckServiceName(name string) error {
	pkg := GoPackageName(name)
	if token.IsKeyword(pkg) {
		return fmt.Errorf("invalid service name %q: its Go package name %q is a Go keyword; choose another name", name, pkg)
	}
	for _, candidate := range []string{name, pkg} {
		if reason, ok := reservedNames[candidate]; ok {
			return fmt.Errorf("invalid service name %q: %s; choose another name", name, reason)
		}
	}
	for _, infra := range infrastructureNames {
		if name == infra {
			return fmt.Errorf("invalid service name %q: msgen reserves it for a container of its own; choose another name", name)
		}
	}
	for _, suffix := range platformSuffixes {
		if strings.HasSuffix(name, "-"+suffix) {
			return fmt.Errorf("invalid service name %q: it ends in the Go platform name %q, which msgen reserves because the go tool reads such a suffix of a file name as a build constraint; choose another name", name, suffix)
		}
	}
	if strings.Contains(name, "--") {
		return fmt.Errorf("invalid service name %q: consecutive dashes map to the same Go package name and environment variable prefix as one dash; use single dashes", name)
	}
	return nil
}
