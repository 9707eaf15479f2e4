package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

func newAddCmd(io *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a service, a route or an event to the spec and regenerate",
		Long: `Add edits msgen.cue the way a careful person would, then regenerates the
repository. It inserts the new declaration where the spec declares the others
and leaves every other byte of the spec, comments included, as it was.

Add edits CUE files only: convert a JSON spec with cue import first.

The edited spec is validated before anything is written. When it is invalid,
add reports the errors as validate does and changes nothing. The spec file
is written last, so a failure on the way leaves it as it was.`,
		Example: `  msgen add service billing --port 8090 --route "GET,POST /invoices" --calls orders
  msgen add route billing "GET /invoices/{id}"
  msgen add event billing --publishes InvoiceSent`,
		Args: cobra.ArbitraryArgs,
		RunE: subcommandRequired,
	}
	cmd.AddCommand(
		newAddServiceCmd(io),
		newAddRouteCmd(io),
		newAddEventCmd(io),
	)
	return cmd
}

// subcommandRequired is the RunE of a parent command, which runs only
// without a known subcommand, and returns a usage error.
func subcommandRequired(cmd *cobra.Command, args []string) error {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	if len(args) == 0 {
		return usageError{err: fmt.Errorf("%s needs a subcommand: %s", cmd.CommandPath(), strings.Join(names, ", ")), command: cmd.CommandPath()}
	}
	return usageError{err: fmt.Errorf("unknown subcommand %q for %s: use %s", args[0], cmd.CommandPath(), strings.Join(names, ", ")), command: cmd.CommandPath()}
}

// exactArgs rejects a command line without exactly the named positional
// arguments as a usage error.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == len(names) {
			return nil
		}
		return usageError{err: fmt.Errorf("%s takes %s, got %s", cmd.CommandPath(), strings.Join(names, " and "), plural(len(args), "argument")), command: cmd.CommandPath()}
	}
}

// editOptions are the flags of every command that edits the spec.
type editOptions struct {
	specPath string
	outDir   string
	verbose  bool
}

func (o *editOptions) bindFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.specPath, "spec", "msgen.cue", "spec `file` to edit")
	cmd.Flags().StringVar(&o.outDir, "out", "", "output `directory` to regenerate (default: the spec's directory)")
	cmd.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "list each file and what was done with it")
	_ = cmd.MarkFlagFilename("spec", "cue")
	_ = cmd.MarkFlagDirname("out")
}

// outputDir returns the directory that the edit regenerates.
func (o *editOptions) outputDir() string {
	if o.outDir == "" {
		return filepath.Dir(o.specPath)
	}
	return o.outDir
}

// commandLine returns an msgen command line for messages that show what to
// run next, with the --spec and --out flags that this run was given.
func (o *editOptions) commandLine(args ...string) string {
	words := append([]string{"msgen"}, args...)
	if o.specPath != "msgen.cue" {
		words = append(words, "--spec", o.specPath)
	}
	if o.outDir != "" {
		words = append(words, "--out", o.outDir)
	}
	for i, word := range words {
		words[i] = shellQuote(word)
	}
	return strings.Join(words, " ")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./,:=@%+-]+$`)

// shellQuote quotes a word for a POSIX shell when it needs quotes.
func shellQuote(word string) string {
	if shellSafe.MatchString(word) {
		return word
	}
	return "'" + strings.ReplaceAll(word, "'", `'\''`) + "'"
}

// specEdit is a spec read for an edit: the text of its files and the valid
// spec that they declare.
type specEdit struct {
	io    *streams
	opts  *editOptions
	files []schema.SourceFile
	spec  *schema.Spec
}

// readSpecForEdit reads the spec and checks that it is valid, because an
// edit of an invalid spec could not be checked on its own.
func readSpecForEdit(io *streams, opts *editOptions) (*specEdit, error) {
	specPath := displayPath(opts.specPath)
	if strings.EqualFold(filepath.Ext(specPath), ".json") {
		// CUE reads JSON, but an edit would write CUE syntax into it.
		cuePath := strings.TrimSuffix(specPath, filepath.Ext(specPath)) + ".cue"
		err := schema.Errors{{
			File:    specPath,
			Message: fmt.Sprintf("msgen add and msgen remove edit CUE files, and %s is JSON: edit it by hand, or convert it with \"cue import %s\", which writes %s, and name that file with --spec", specPath, specPath, cuePath),
		}}
		return nil, printSpecErrors(io, specPath, err, "; nothing was written")
	}
	files, err := schema.ReadFiles(specPath)
	if err != nil {
		return nil, err
	}
	spec, err := schema.LoadFiles(files)
	if err != nil {
		return nil, printSpecErrors(io, specPath, err, "; fix the spec before editing it, nothing was written")
	}
	return &specEdit{io: io, opts: opts, files: files, spec: spec}, nil
}

// apply validates the edited files and reports their errors together with
// problems, which the command found itself. It then writes the edit as
// write does. change describes the edit in messages, such as `service
// "billing" added`.
func (e *specEdit) apply(edited []schema.SourceFile, problems schema.Errors, change string) (*schema.Spec, error) {
	spec, errs, err := e.check(edited, problems)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, printSpecErrors(e.io, displayPath(e.opts.specPath), errs, " with "+change+"; nothing was written")
	}
	return spec, e.write(edited, spec, change)
}

// check validates the edited files. It returns the spec, or the problems
// and the errors of the edited spec, with positions in the files on disk.
func (e *specEdit) check(edited []schema.SourceFile, problems schema.Errors) (*schema.Spec, schema.Errors, error) {
	spec, err := schema.LoadFiles(edited)
	var errs schema.Errors
	if err != nil && !errors.As(err, &errs) {
		return nil, nil, err
	}
	if errs = append(problems, schema.OriginalPositions(edited, errs)...); len(errs) > 0 {
		return nil, errs, nil
	}
	return spec, nil, nil
}

// write regenerates the repository from the edited spec, and writes the
// changed spec files last, so that an error on the way leaves the spec as
// it was.
func (e *specEdit) write(edited []schema.SourceFile, spec *schema.Spec, change string) error {
	specPath := displayPath(e.opts.specPath)
	if err := generateSpec(e.io, spec, e.opts.specPath, e.opts.outputDir(), e.opts.verbose); err != nil {
		// Conflicts are printed already, and stop generate before it
		// writes anything.
		var reported reportedError
		if errors.As(err, &reported) {
			fmt.Fprintf(e.io.Err, "%s was not changed\n", specPath)
			return err
		}
		return fmt.Errorf("%w\n%s was not changed; run msgen generate to bring any files written back in line with it", err, specPath)
	}

	// TODO: an edit that changes several files of a package, such as
	// removing a service declared in two files, writes them one by one.
	// Each write is atomic, but a failure after the first leaves the spec
	// half edited, because POSIX renames cannot replace several files at once.
	for i, file := range edited {
		if bytes.Equal(file.Data, e.files[i].Data) {
			continue
		}
		if err := writeSpecFile(filepath.FromSlash(file.Name), file.Data, e.files[i].Data); err != nil {
			return fmt.Errorf("%w\nthe repository was generated with %s, but the spec was not: fix the problem and run the command again, or run msgen generate to undo the change", err, change)
		}
	}
	return nil
}

// editedFiles names the files that differ between before and edited, such
// as "spec/orders.cue and spec/routes.cue", for the messages of a finished
// edit.
func editedFiles(before, edited []schema.SourceFile) string {
	var names []string
	for i, file := range edited {
		if !bytes.Equal(file.Data, before[i].Data) {
			names = append(names, file.Name)
		}
	}
	switch len(names) {
	case 0:
		return "no file"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// reportEditError prints the error of an edit that could not be made, such
// as one of a service that is not declared, together with the problems that
// the command found itself. files are the files that the edit was given,
// which may carry earlier edits.
func reportEditError(io *streams, specPath string, files []schema.SourceFile, problems schema.Errors, err error) error {
	var errs schema.Errors
	if !errors.As(err, &errs) {
		return err
	}
	return printSpecErrors(io, specPath, append(problems, schema.OriginalPositions(files, errs)...), "; nothing was written")
}

// writeSpecFile replaces the spec file at path with data atomically, through
// a temporary file and a rename in its directory, and keeps its mode. It
// writes nothing when the file no longer holds original, because then
// someone changed it while msgen ran. A symbolic link is followed, so that
// it keeps pointing at the spec.
func writeSpecFile(path string, data, original []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("write spec: %w", err)
	}
	info, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("write spec: %w", err)
	}
	current, err := os.ReadFile(target)
	if err != nil {
		return fmt.Errorf("write spec: %w", err)
	}
	if !bytes.Equal(current, original) {
		return fmt.Errorf("write spec: %s changed while msgen was running, so msgen left it alone", filepath.ToSlash(path))
	}

	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".msgen-tmp-*")
	if err != nil {
		return fmt.Errorf("write spec: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), info.Mode().Perm())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), target)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write spec %s: %w", filepath.ToSlash(path), err)
	}
	return nil
}

// parseRoute parses a route flag or argument such as "GET,POST /orders".
// A path alone gets the schema's default method, GET. The schema checks the
// methods and the path themselves.
func parseRoute(value string) (schema.Route, error) {
	fields := strings.Fields(value)
	switch {
	case len(fields) == 1 && strings.HasPrefix(fields[0], "/"):
		return schema.Route{Path: fields[0]}, nil
	case len(fields) == 2 && strings.HasPrefix(fields[1], "/"):
		var methods []string
		for _, method := range strings.Split(fields[0], ",") {
			if method == "" {
				return schema.Route{}, fmt.Errorf("invalid route %q: separate the methods with single commas, such as \"GET,POST /orders\"", value)
			}
			methods = append(methods, strings.ToUpper(method))
		}
		return schema.Route{Path: fields[1], Methods: methods}, nil
	}
	return schema.Route{}, fmt.Errorf("invalid route %q: give the methods and the path, such as \"GET,POST /orders\" or \"GET /orders/{id}\"", value)
}

// formatRoute returns a route in the form that parseRoute reads.
func formatRoute(route schema.Route) string {
	if len(route.Methods) == 0 {
		return route.Path
	}
	return strings.Join(route.Methods, ",") + " " + route.Path
}

// checkEventsDeclared returns an error for each event of the flag --list
// that the spec's events do not declare, at the place that at gives. Every
// event that a command adds must be declared, so that its fields are known.
func checkEventsDeclared(spec *schema.Spec, at schema.Error, list string, events []string) schema.Errors {
	var errs schema.Errors
	for _, event := range events {
		if _, ok := spec.Events[event]; ok {
			continue
		}
		e := at
		e.Message = fmt.Sprintf("event %q from --%s is not declared: declare it under events with its fields, such as events: %s: {id: \"string\"}, then run the command again", event, list, event)
		errs = append(errs, e)
	}
	return errs
}
