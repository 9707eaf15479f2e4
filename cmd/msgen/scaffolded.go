package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/msgen-dev/msgen/generator"
	"github.com/msgen-dev/msgen/schema"
)

// The functions in this file explain what a run of generate leaves to the
// user in the scaffolded files, which msgen writes once and never rewrites.

// noteMissingHandlers prints, for each routes.go that the run wrote beside a
// kept handlers.go, the methods of the Routes interface that the package's
// Handler lacks: the build fails until the user adds them.
func noteMissingHandlers(io *streams, outDir string, result *generator.WriteResult) {
	for _, written := range result.Written {
		dir, file := path.Split(written)
		if file != "routes.go" || !slices.Contains(result.Skipped, dir+"handlers.go") {
			continue
		}
		routes := displayPath(filepath.Join(outDir, filepath.FromSlash(written)))
		handlers := displayPath(filepath.Join(outDir, filepath.FromSlash(dir+"handlers.go")))

		missing, err := missingHandlerMethods(filepath.Join(outDir, filepath.FromSlash(dir)))
		if err != nil {
			fmt.Fprintf(io.Err, "msgen: note: %s changed, but your %s was kept: make it match, with a method of Handler for each route in the Routes interface, and use only the Dependencies fields that routes.go declares (%v)\n", routes, handlers, err)
			continue
		}
		if len(missing) == 0 {
			continue
		}
		fmt.Fprintf(io.Err, "msgen: note: %s changed, but your %s was kept, so go build ./... fails until you add %s of the Routes interface to it:\n",
			routes, handlers, countNoun(len(missing), "method", "methods"))
		for _, method := range missing {
			fmt.Fprintf(io.Err, "  %s\n", method)
		}
	}
}

// missingHandlerMethods returns the methods of the Routes interface in the
// package in dir that the package's Handler type does not declare, each as
// the first line of its declaration, such as
// "func (h *Handler) GetWeb(w http.ResponseWriter, r *http.Request)".
func missingHandlerMethods(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var routes *ast.InterfaceType
	declared := map[string]bool{}
	handlerType, receiver := false, "h"
	for _, entry := range entries {
		name := entry.Name()
		if entry.IsDir() || filepath.Ext(name) != ".go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("msgen could not list the missing methods: %w", err)
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					typeSpec, ok := spec.(*ast.TypeSpec)
					switch {
					case !ok:
					case typeSpec.Name.Name == "Handler":
						handlerType = true
					case typeSpec.Name.Name == "Routes":
						routes, _ = typeSpec.Type.(*ast.InterfaceType)
					}
				}
			case *ast.FuncDecl:
				if name, ok := handlerReceiver(decl); ok {
					declared[decl.Name.Name] = true
					if name != "" && name != "_" {
						receiver = name
					}
				}
			}
		}
	}
	if routes == nil || !handlerType {
		return nil, fmt.Errorf("msgen found no Handler type or Routes interface in %s", filepath.ToSlash(dir))
	}

	var missing []string
	for _, method := range routes.Methods.List {
		signature, ok := method.Type.(*ast.FuncType)
		if !ok || len(method.Names) != 1 || declared[method.Names[0].Name] {
			continue
		}
		var b bytes.Buffer
		if err := printer.Fprint(&b, fset, signature); err != nil {
			return nil, err
		}
		missing = append(missing, fmt.Sprintf("func (%s *Handler) %s%s", receiver, method.Names[0].Name, strings.TrimPrefix(b.String(), "func")))
	}
	return missing, nil
}

// handlerReceiver reports whether decl is a method of Handler or *Handler,
// and returns the name of its receiver.
func handlerReceiver(decl *ast.FuncDecl) (string, bool) {
	if decl.Recv == nil || len(decl.Recv.List) != 1 {
		return "", false
	}
	field := decl.Recv.List[0]
	typ := field.Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if ident, ok := typ.(*ast.Ident); !ok || ident.Name != "Handler" {
		return "", false
	}
	if len(field.Names) == 1 {
		return field.Names[0].Name, true
	}
	return "", true
}

// warnKeptFiles warns about the scaffolded files that the spec no longer
// generates, which stay because they are the user's, and prints the command
// that deletes them. The command names a service's directory as a whole
// when the service left the spec and every file in it is kept.
func warnKeptFiles(io *streams, outDir string, spec *schema.Spec, kept []string) {
	if len(kept) == 0 {
		return
	}
	if len(kept) == 1 {
		fmt.Fprintln(io.Err, "msgen: warning: 1 scaffolded file is no longer generated, but was kept because it is yours: move the code you need, then delete it:")
	} else {
		fmt.Fprintf(io.Err, "msgen: warning: %d scaffolded files are no longer generated, but were kept because they are yours: move the code you need, then delete them:\n", len(kept))
	}
	for _, p := range kept {
		fmt.Fprintf(io.Err, "  %s\n", p)
	}

	var targets []string
	byService := map[string][]string{}
	for _, p := range kept {
		rest, inServices := strings.CutPrefix(p, "services/")
		name, _, inService := strings.Cut(rest, "/")
		if _, declared := spec.Services[name]; inServices && inService && !declared {
			byService[name] = append(byService[name], p)
			continue
		}
		targets = append(targets, p)
	}
	for name, files := range byService {
		dir := "services/" + name
		if onlyFiles(filepath.Join(outDir, filepath.FromSlash(dir)), files, outDir) {
			targets = append(targets, dir)
		} else {
			targets = append(targets, files...)
		}
	}
	slices.Sort(targets)

	words := []string{"rm", "-r"}
	for _, target := range targets {
		words = append(words, shellQuote(displayPath(filepath.Join(outDir, filepath.FromSlash(target)))))
	}
	fmt.Fprintf(io.Err, "msgen: delete %s with:\n  %s\n", pronoun(len(kept)), strings.Join(words, " "))
}

// onlyFiles reports whether every file under dir is one of files, which are
// slash-separated and relative to outDir.
func onlyFiles(dir string, files []string, outDir string) bool {
	only := true
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(outDir, p)
		if err != nil || !slices.Contains(files, filepath.ToSlash(rel)) {
			only = false
			return filepath.SkipAll
		}
		return nil
	})
	return only && err == nil
}
