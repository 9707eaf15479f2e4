// Package schema loads a user's msgen.cue, validates it against the embedded
// CUE schema and turns it into the Spec model that the generator reads.
package schema

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
)

//go:embed msgen.cue
var schemaSource string

// schemaFilename names the embedded schema in positions, so that an error
// never points at a path on the machine that built msgen.
const schemaFilename = "msgen-schema.cue"

// Source returns the text of the embedded CUE schema.
func Source() string {
	return schemaSource
}

// Load reads the spec at path, validates it and returns the model with every
// default filled in. When path's file declares a package, the other .cue
// files of that package in the same directory are part of the spec too. An
// invalid spec, or a path that names a YAML file, gives an Errors value
// listing every problem found.
func Load(path string) (*Spec, error) {
	files, err := ReadFiles(path)
	if err != nil {
		return nil, err
	}
	return LoadFiles(files)
}

// LoadSource validates a spec given as text, named filename in errors.
func LoadSource(filename string, src []byte) (*Spec, error) {
	return LoadFiles([]SourceFile{{Name: filename, Data: src}})
}

// SourceFile is the text of one file of a spec.
type SourceFile struct {
	// Name is the slash-separated path of the file, which errors print.
	Name string
	Data []byte
	// history records how the edits in this package changed Data from
	// the text that was read, so that OriginalPositions can map positions
	// back. It is nil for text that no edit changed.
	history *editHistory
}

// LoadFiles validates a spec given as the text of its files, exactly as
// Load validates the files it reads, and names each file by its Name in
// errors. Commands that edit a spec validate the edited text with it before
// they write anything.
func LoadFiles(files []SourceFile) (*Spec, error) {
	if len(files) == 0 {
		return nil, errors.New("load spec: no files given")
	}

	parsed := make([]*ast.File, 0, len(files))
	var errs Errors
	for _, file := range files {
		f, err := parser.ParseFile(file.Name, file.Data, parser.ParseComments)
		if err != nil {
			errs = append(errs, convertCUEError(err, "")...)
			continue
		}
		parsed = append(parsed, f)
	}
	if len(errs) > 0 {
		return nil, inFile(errs, files[0].Name).sorted()
	}
	return loadFiles(parsed)
}

// ReadFiles reads the spec at path and, when it declares a package, the
// other .cue files of that package in its directory, sorted by name. The
// file at path comes first.
func ReadFiles(path string) ([]SourceFile, error) {
	if err := checkSpecFormat(path); err != nil {
		return nil, err
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return nil, fmt.Errorf("read spec: %s is a directory: give the path of the spec file, such as %s", filepath.ToSlash(path), filepath.ToSlash(filepath.Join(path, "msgen.cue")))
	}
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read spec: %w: run msgen in the directory of msgen.cue, or name the spec with --spec", err)
	}
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}

	// A file whose package clause does not parse is a spec of its own, and
	// LoadFiles reports its syntax error.
	files := []SourceFile{{Name: filepath.ToSlash(path), Data: src}}
	first, err := parser.ParseFile(files[0].Name, src, parser.PackageClauseOnly)
	if err != nil || first.PackageName() == "" {
		return files, nil
	}
	pkg := first.PackageName()

	// os.ReadDir rather than a glob, because a directory name may contain
	// characters that a glob pattern treats as wildcards.
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list spec files: %w", err)
	}
	for _, entry := range entries {
		match := filepath.Join(dir, entry.Name())
		if entry.IsDir() || filepath.Ext(entry.Name()) != ".cue" || filepath.Clean(match) == filepath.Clean(path) {
			continue
		}
		src, err := os.ReadFile(match)
		if err != nil {
			return nil, fmt.Errorf("read spec: %w", err)
		}

		// Only the package clause decides whether a file belongs to the
		// spec, so a broken file of another package is no concern.
		name := filepath.ToSlash(match)
		header, err := parser.ParseFile(name, src, parser.PackageClauseOnly)
		if err != nil || header.PackageName() != pkg {
			continue
		}
		files = append(files, SourceFile{Name: name, Data: src})
	}
	return files, nil
}

func loadFiles(files []*ast.File) (*Spec, error) {
	ctx := cuecontext.New()

	schemaValue := ctx.CompileString(schemaSource, cue.Filename(schemaFilename))
	if err := schemaValue.Err(); err != nil {
		return nil, fmt.Errorf("compile embedded schema: %w", err)
	}
	def := schemaValue.LookupPath(cue.ParsePath("#Architecture"))

	user, err := buildUserValue(ctx, files)
	if err != nil {
		return nil, err
	}
	if user.IncompleteKind() != cue.StructKind {
		e := Error{Message: "the spec is not a struct of fields: write fields such as name: \"shop\" at the top level"}
		if pos := user.Pos(); pos.IsValid() {
			e.File, e.Line, e.Column = pos.Filename(), pos.Line(), pos.Column()
		} else if len(files) > 0 {
			e.File = files[0].Filename
		}
		return nil, Errors{e}
	}

	// A valid spec passes CUE's own validation and exports without a
	// missing required field, which is all that most runs need. Only
	// when that fails does the slower walk below find every problem.
	c := &checker{ctx: ctx, top: ctx.CompileString("_")}
	var errs Errors
	exported, ok := exportValid(def.Unify(user))
	if !ok {
		// The walk reports every unknown field, bad value and missing
		// required field, which a single Validate call does not.
		c.walk(def, user, nil, "")
		errs = c.errs

		// When the walk finds nothing, CUE's own errors are the report.
		if len(errs) == 0 {
			unified := def.Unify(user)
			if err := unified.Validate(cue.Concrete(true), cue.All()); err != nil {
				errs = append(errs, convertCUEError(err, "")...)
			} else if _, err := unified.MarshalJSON(); err != nil {
				errs = append(errs, convertCUEError(err, "")...)
			}
		}
	}

	// The checks across entries run on the valid entries, so that one
	// run reports every problem.
	d, err := decode(c, def, user, exported)
	if err != nil {
		return nil, err
	}
	errs = append(errs, checkSemantics(d, user)...)

	if len(errs) > 0 {
		return nil, inFile(errs, files[0].Filename).sorted()
	}
	d.spec.addCompositionCalls()
	return d.spec, nil
}

// buildUserValue evaluates the user's files as one CUE instance, without
// the schema.
func buildUserValue(ctx *cue.Context, files []*ast.File) (cue.Value, error) {
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			return cue.Value{}, convertCUEError(err, "")
		}
	}
	user := ctx.BuildInstance(inst)
	if err := user.Err(); err != nil {
		return cue.Value{}, inFile(convertCUEError(err, ""), files[0].Filename).sorted()
	}
	return user, nil
}

// exportValid returns the unified spec as JSON when it is concrete, obeys
// the schema and has every required field.
func exportValid(unified cue.Value) ([]byte, bool) {
	if unified.Validate(cue.Concrete(true), cue.All()) != nil {
		return nil, false
	}
	data, err := unified.MarshalJSON()
	return data, err == nil
}

// inFile names file in each error that has no position, such as CUE's
// report of a structural cycle, so that every error names the spec.
func inFile(errs Errors, file string) Errors {
	for i := range errs {
		if errs[i].File == "" {
			errs[i].File = file
		}
	}
	return errs
}

// convertCUEError turns a raw CUE error into Errors, keeping the first
// position that is in the user's files and not in the embedded schema.
func convertCUEError(err error, path string) Errors {
	var errs Errors
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)

		out := Error{Path: path, Message: msg}
		if out.Path == "" {
			out.Path = strings.Join(e.Path(), ".")
			out.Path = strings.TrimPrefix(out.Path, "#Architecture.")
		}
		for _, pos := range cueerrors.Positions(e) {
			if pos.Filename() == schemaFilename || !pos.IsValid() {
				continue
			}
			out.File, out.Line, out.Column = pos.Filename(), pos.Line(), pos.Column()
			break
		}
		errs = append(errs, out)
	}
	return errs
}
