package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"path"
	"strings"
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
}

// renderer executes the embedded templates with a fixed function map and
// strict handling of missing keys.
type renderer struct {
	tmpl *template.Template
}

func newRenderer() (*renderer, error) {
	funcs := sprig.TxtFuncMap()
	for _, name := range hostDependentFuncs {
		delete(funcs, name)
	}
	for name, fn := range templateFuncs() {
		funcs[name] = fn
	}

	tmpl := template.New("msgen").Funcs(funcs).Option("missingkey=error")
	tmpl, err := tmpl.ParseFS(templates.FS, "*/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return &renderer{tmpl: tmpl}, nil
}

// render executes the template named name, such as "service/main.go.tmpl",
// and formats the result with go/format when the output is a Go file.
func (r *renderer) render(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&buf, path.Base(name), data); err != nil {
		return nil, fmt.Errorf("render template %q: %w", name, err)
	}

	out := buf.Bytes()
	if strings.HasSuffix(strings.TrimSuffix(name, ".tmpl"), ".go") {
		formatted, err := format.Source(out)
		if err != nil {
			return nil, fmt.Errorf("format output of template %q: %w", name, err)
		}
		out = formatted
	}
	return out, nil
}

// file renders the template name into a managed file at filePath.
func (r *renderer) file(filePath, name string, data any) (File, error) {
	out, err := r.render(name, data)
	if err != nil {
		return File{}, err
	}
	return File{Path: filePath, Data: out, Mode: 0o644, Ownership: Managed}, nil
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
