package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"

	"github.com/msgen-dev/msgen/schema"
	"github.com/msgen-dev/msgen/templates"
)

// hostDependentFuncs are sprig functions whose result depends on the clock,
// the environment or randomness. They are removed so that the same spec
// always renders the same bytes.
var hostDependentFuncs = []string{
	"now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify",
	"ago", "duration", "durationRound", "unixEpoch", "htmlDate", "htmlDateInZone",
	"mustDateModify", "must_date_modify", "toDate", "mustToDate",
	"env", "expandenv", "getHostByName",
	"randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt",
	"uuidv4", "genPrivateKey", "derivePassword", "buildCustomCert",
	"genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
	"genSignedCert", "genSignedCertWithKey", "shuffle",
	// Random salts or initialisation vectors, and map iteration order.
	"bcrypt", "htpasswd", "encryptAES", "keys", "values",
}

// renderer executes the embedded templates with a fixed function map and
// strict handling of missing keys.
type renderer struct {
	tmpl    *template.Template
	options Options
}

func newRenderer() (*renderer, error) {
	funcs := sprig.TxtFuncMap()
	for _, name := range hostDependentFuncs {
		delete(funcs, name)
	}
	for name, fn := range templateFuncs() {
		funcs[name] = fn
	}

	// Templates are named by their base name, so two of the same base name
	// in different folders would silently replace each other.
	paths, err := fs.Glob(templates.FS, "*/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	seen := map[string]string{}
	for _, p := range paths {
		if other, ok := seen[path.Base(p)]; ok {
			return nil, fmt.Errorf("parse templates: %s and %s have the same base name", other, p)
		}
		seen[path.Base(p)] = p
	}

	tmpl := template.New("msgen").Funcs(funcs).Option("missingkey=error")
	tmpl, err = tmpl.ParseFS(templates.FS, "*/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return &renderer{tmpl: tmpl}, nil
}

// render executes the template named name, such as "service/main.go.tmpl".
func (r *renderer) render(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&buf, path.Base(name), data); err != nil {
		return nil, fmt.Errorf("render template %q: %w", name, err)
	}
	return buf.Bytes(), nil
}

// file renders the template name into a managed file at filePath. Go files
// are formatted later, all at once, by formatGoFiles.
func (r *renderer) file(filePath, name string, data any) (File, error) {
	out, err := r.render(name, data)
	if err != nil {
		return File{}, err
	}
	return File{Path: filePath, Data: out, Mode: 0o644, Ownership: Managed, template: name}, nil
}

// formatGoFiles formats every Go file with go/format, spread over the
// available processors because formatting is most of a run's time. The
// result does not depend on the order in which the files are done.
func formatGoFiles(files []File) error {
	var goFiles []int
	for i, f := range files {
		if strings.HasSuffix(f.Path, ".go") {
			goFiles = append(goFiles, i)
		}
	}

	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(goFiles)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				formatted, err := format.Source(files[i].Data)
				if err != nil {
					errs[i] = fmt.Errorf("format output of template %q for %s: %w", files[i].template, files[i].Path, err)
					continue
				}
				files[i].Data = formatted
			}
		}()
	}
	for _, i := range goFiles {
		next <- i
	}
	close(next)
	wg.Wait()

	return errors.Join(errs...)
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"yamlString": yamlString,
		"goPackage":  schema.GoPackageName,
		"envPrefix":  schema.EnvPrefix,
		"marker":     func() string { return Marker },
	}
}

// yamlString quotes s as a JSON string, which YAML also accepts, so no value
// can change the structure of a YAML document. It leaves <, > and & as they
// are, because YAML readers, unlike HTML, need no escapes for them.
func yamlString(s string) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}
