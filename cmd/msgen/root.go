package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/schema"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // invalid spec or failed generation
	exitUsage   = 2 // bad command line
	// exitNotCompared is the exit code of check and diff when they could
	// not compare, such as for an invalid spec, because 1 means drift.
	exitNotCompared = 3
	// exitCancelled is the exit code after Ctrl-C, Esc or an interrupt
	// signal, as shells report a command that SIGINT ended.
	exitCancelled = 130
)

// streams are the standard streams a command uses: data goes to Out,
// status and errors to Err.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// usageError marks an error in the command line itself. command is the
// path of the command whose help explains the usage, such as "msgen
// generate".
type usageError struct {
	err     error
	command string
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// cancelledError marks a command that the user cancelled or interrupted.
type cancelledError struct{ err error }

func (e cancelledError) Error() string { return e.err.Error() }
func (e cancelledError) Unwrap() error { return e.err }

// reportedError marks an error whose details a command has already printed.
type reportedError struct{ err error }

func (e reportedError) Error() string { return e.err.Error() }
func (e reportedError) Unwrap() error { return e.err }

// Run runs msgen with args and returns the process exit code. Tests call it
// in-process.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	io := &streams{In: stdin, Out: stdout, Err: stderr}
	root := newRootCmd(io)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)

	err := root.Execute()
	if err == nil {
		return exitOK
	}

	var reported reportedError
	if !errors.As(err, &reported) {
		fmt.Fprintf(stderr, "msgen: %v\n", err)
	}
	if command, ok := usageCommand(err); ok {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", command)
		return exitUsage
	}
	var notCompared notComparedError
	if errors.As(err, &notCompared) {
		return exitNotCompared
	}
	var cancelled cancelledError
	if errors.As(err, &cancelled) {
		return exitCancelled
	}
	return exitFailure
}

// usageCommand reports whether err is a usage error and which command's
// help to point at.
func usageCommand(err error) (string, bool) {
	var usage usageError
	if errors.As(err, &usage) {
		return usage.command, true
	}
	// Cobra reports an unknown command as a plain error of the root.
	if strings.HasPrefix(err.Error(), "unknown command") {
		return "msgen", true
	}
	return "", false
}

func newRootCmd(io *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "msgen",
		Short: "Generate a runnable multi-service repository from a CUE architecture spec",
		Long: `msgen turns one declarative architecture spec, msgen.cue, into a repository
that builds and starts: Go services, Dockerfiles, a docker compose file, Kong
gateway configuration, and health and discovery wiring.

The spec is validated against a schema embedded in msgen. Every problem is
reported at once with its file, line, column and field, and nothing is
written while the spec is invalid.`,
		Example: `  msgen validate --spec msgen.cue
  msgen generate --spec msgen.cue --out ./shop`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{err: err, command: cmd.CommandPath()}
	})

	root.AddCommand(
		newGenerateCmd(io),
		newGraphCmd(io),
		newSchemaCmd(io),
		newCheckCmd(io),
		newDiffCmd(io),
		newInitCmd(io),
		newValidateCmd(io),
		newVersionCmd(io),
		newAddCmd(io),
		newRemoveCmd(io),
	)
	rejectUnknownShells(root)
	return root
}

// rejectUnknownShells makes "msgen completion SHELL" a usage error for a
// shell that cobra has no script for. Without a run function, cobra's
// completion command prints its help for any argument and exits 0; with
// one, cobra rejects an unknown subcommand.
func rejectUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	completion, _, err := root.Find([]string{"completion"})
	if err != nil || completion == root {
		return
	}
	completion.RunE = func(cmd *cobra.Command, args []string) error {
		return cmd.Help()
	}
}

// printSpecErrors prints every problem of an invalid spec, one per line,
// then a summary that ends with outcome, and returns an error that Run does
// not print again.
func printSpecErrors(io *streams, specPath string, err error, outcome string) error {
	var specErrs schema.Errors
	if !errors.As(err, &specErrs) {
		return err
	}
	for _, e := range specErrs {
		fmt.Fprintln(io.Err, e.Error())
	}
	noun := "errors"
	if len(specErrs) == 1 {
		noun = "error"
	}
	fmt.Fprintf(io.Err, "msgen: %d %s in %s%s\n", len(specErrs), noun, specPath, outcome)
	return reportedError{err}
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{err: fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0]), command: cmd.CommandPath()}
	}
	return nil
}

// checkSpecFlag rejects an empty --spec as a usage error.
func checkSpecFlag(cmd *cobra.Command, specPath string) error {
	if specPath == "" {
		return usageError{err: errors.New("--spec is empty: give the path of the spec file, such as msgen.cue"), command: cmd.CommandPath()}
	}
	return nil
}
