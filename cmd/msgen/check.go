package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msgen-dev/msgen/generator"
	"github.com/msgen-dev/msgen/schema"
)

// errDrift marks a check that found drift, which exits 1.
var errDrift = errors.New("the repository differs from the spec")

type checkOptions struct {
	io *streams

	specPath string
	outDir   string
	format   string
	// summary prints a closing line on stderr, as check does and diff
	// does not.
	summary bool
}

func newCheckCmd(io *streams) *cobra.Command {
	opts := &checkOptions{io: io, summary: true}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Report whether the repository matches the spec, for CI",
		Long: `Check renders the spec as generate does, writes nothing, and compares the
result with the output directory. With no drift it exits 0. Otherwise it
prints what generate would change as a unified diff on stdout, and each
conflict that would stop generate on stderr, and exits 1. When it cannot
compare, because the spec is invalid or a file cannot be read, it exits 3.

Drift is a file that generate would create, update, delete or change the
mode of: the spec or msgen changed, or a managed file was edited, deleted
or made executable by hand. The manifest, .msgen/manifest.json, counts too.
Scaffolded files are the user's and never drift. Neither is a managed file
that holds a clean merge of the user's edits (generate --merge), which the
rendering has not changed since: check names it in a note on stderr, and
generate --force replaces it with the rendering.

--format json prints a report instead: a status (ok, drift, conflict or
error) and every file with its path, class (managed or scaffolded), action
(create, update, delete, mode, unchanged, keep or merged), the reason, and
the conflict, if any. An error report lists the errors instead of files.`,
		Example: `  # In CI, after checkout
  msgen check

  # A report for tools
  msgen check --format json`,
		Args: noArgs,
		RunE: runCheckCmd(opts),
	}
	addCheckFlags(cmd, opts)
	return cmd
}

// runCheckCmd returns the run function of check and diff, which check their
// flags and then compare the output directory with the spec.
func runCheckCmd(opts *checkOptions) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := checkSpecFlag(cmd, opts.specPath); err != nil {
			return err
		}
		if err := checkFormatFlag(cmd, opts.format, reportFormats); err != nil {
			return err
		}
		return runCheck(opts)
	}
}

// addCheckFlags binds the flags that check and diff share.
func addCheckFlags(cmd *cobra.Command, opts *checkOptions) {
	cmd.Flags().StringVar(&opts.specPath, "spec", "msgen.cue", "spec `file` to read")
	cmd.Flags().StringVar(&opts.outDir, "out", "", "output `directory` (default: the spec's directory)")
	cmd.Flags().StringVar(&opts.format, "format", "text", "report `format`: text, a unified diff, or json")
	_ = cmd.MarkFlagFilename("spec", "cue")
	_ = cmd.MarkFlagDirname("out")
}

// reportFormats are the values of --format for check, diff and generate
// --check.
var reportFormats = []string{"text", "json"}

func runCheck(opts *checkOptions) error {
	specPath := displayPath(opts.specPath)
	outDir := opts.outDir
	if outDir == "" {
		outDir = filepath.Dir(opts.specPath)
	}
	outName := displayPath(outDir)

	spec, err := schema.Load(specPath)
	if err != nil {
		return failCheck(opts, specPath, outName, err, printSpecErrors(opts.io, specPath, err, "; nothing was compared"))
	}
	plan, err := planSpec(spec, opts.specPath, outDir, generator.PlanOptions{})
	if err != nil {
		err = fmt.Errorf("check %s: %w", outName, err)
		return failCheck(opts, specPath, outName, err, err)
	}

	if opts.format == "json" {
		if err := writeJSON(opts.io, newCheckReport(specPath, outName, plan)); err != nil {
			return err
		}
	} else {
		writePatch(opts.io.Out, plan, colorEnabled(opts.io.Out))
		printCheckNotes(opts.io, plan)
		if opts.summary {
			printCheckSummary(opts.io, specPath, outName, plan)
		}
	}

	if plan.Drift() {
		return reportedError{errDrift}
	}
	return nil
}

// notComparedError marks an error that stopped check or diff before they
// could compare, which exits 3, so that CI can tell it from drift.
type notComparedError struct{ err error }

func (e notComparedError) Error() string { return e.err.Error() }
func (e notComparedError) Unwrap() error { return e.err }

// failCheck ends a check that err stopped. With --format json, it prints a
// report with the status "error" and the messages of err. result is what
// the command returns for Run to print, or a reportedError when the
// messages are printed already.
func failCheck(opts *checkOptions, specPath, outName string, err, result error) error {
	if opts.format == "json" {
		report := checkReport{Status: statusError, Spec: specPath, Out: outName, Errors: reportErrors(err)}
		if writeErr := writeJSON(opts.io, report); writeErr != nil {
			return writeErr
		}
	}
	return notComparedError{result}
}

// printCheckNotes lists on stderr what the patch does not show: conflicts
// that would stop generate, and the scaffolded files of services that left
// the spec, which generate keeps.
func printCheckNotes(io *streams, plan *generator.Plan) {
	blockers := map[string]bool{}
	for _, c := range plan.Changes {
		switch {
		case c.Conflict == generator.ConflictNotDirectory:
			// One file in place of a directory blocks every file under it.
			if !blockers[c.BlockedBy] {
				blockers[c.BlockedBy] = true
				fmt.Fprintf(io.Err, "msgen: conflict: %s: a file, where msgen needs a directory\n", c.BlockedBy)
			}
		case c.Conflict != generator.NoConflict:
			fmt.Fprintf(io.Err, "msgen: conflict: %s: %s\n", c.Path, c.Reason)
		case c.Action == generator.ActionKeep && c.Removed:
			fmt.Fprintf(io.Err, "msgen: note: %s: %s\n", c.Path, c.Reason)
		case c.Action == generator.ActionMerged:
			fmt.Fprintf(io.Err, "msgen: note: %s: %s; msgen generate --force replaces them with the rendering\n", c.Path, c.Reason)
		}
	}
}

// printCheckSummary prints one line: no drift, or how many files of each
// action differ and what to run.
func printCheckSummary(io *streams, specPath, outName string, plan *generator.Plan) {
	if !plan.Drift() {
		merged := 0
		for _, c := range plan.Changes {
			if c.Action == generator.ActionMerged {
				merged++
			}
		}
		if merged > 0 {
			fmt.Fprintf(io.Err, "msgen: no drift: %s matches %s; %s merged edits\n", outName, specPath, countNoun(merged, "managed file contains", "managed files contain"))
			return
		}
		fmt.Fprintf(io.Err, "msgen: no drift: %s matches %s\n", outName, specPath)
		return
	}
	counts := map[generator.Action]int{}
	conflicts := 0
	for _, c := range plan.Changes {
		counts[c.Action]++
		if c.Conflict != generator.NoConflict {
			conflicts++
		}
	}
	var parts []string
	for _, a := range []generator.Action{generator.ActionCreate, generator.ActionUpdate, generator.ActionDelete} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", counts[a], a))
		}
	}
	if n := counts[generator.ActionMode]; n > 0 {
		parts = append(parts, plural(n, "mode change"))
	}
	next := "run msgen generate"
	if conflicts > 0 {
		parts = append(parts, plural(conflicts, "conflict"))
		next = "resolve the conflicts, then run msgen generate"
	}
	fmt.Fprintf(io.Err, "msgen: drift: %s differs from %s: %s; %s\n", outName, specPath, strings.Join(parts, ", "), next)
}

// The statuses of a checkReport.
const (
	statusOK       = "ok"       // no drift
	statusDrift    = "drift"    // generate would change files
	statusConflict = "conflict" // a conflict would stop generate
	statusError    = "error"    // the spec or the directory could not be compared
)

// checkReport is the JSON report of check --format json.
type checkReport struct {
	Status string `json:"status"`
	Spec   string `json:"spec"`
	Out    string `json:"out"`
	// Drift, Summary and Files are left out when the status is "error".
	Drift *bool `json:"drift,omitempty"`
	// Summary counts the files by action, and the conflicts.
	Summary map[string]int `json:"summary,omitempty"`
	Files   []reportFile   `json:"files,omitempty"`
	// Errors are the problems that stopped the check.
	Errors []reportError `json:"errors,omitempty"`
}

// reportFile is one file of a checkReport.
type reportFile struct {
	Path     string `json:"path"`
	Class    string `json:"class"`
	Action   string `json:"action"`
	Reason   string `json:"reason"`
	Conflict string `json:"conflict,omitempty"`
}

// reportError is one problem of a checkReport: a problem in the spec, with
// its position and field, or another error with only its message.
type reportError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func reportErrors(err error) []reportError {
	var specErrs schema.Errors
	if !errors.As(err, &specErrs) {
		return []reportError{{Message: err.Error()}}
	}
	out := make([]reportError, len(specErrs))
	for i, e := range specErrs {
		out[i] = reportError{File: e.File, Line: e.Line, Column: e.Column, Field: e.Path, Message: e.Message}
	}
	return out
}

func newCheckReport(specPath, outName string, plan *generator.Plan) checkReport {
	drift := plan.Drift()
	report := checkReport{
		Status:  statusOK,
		Spec:    specPath,
		Out:     outName,
		Drift:   &drift,
		Summary: map[string]int{"conflict": 0},
		Files:   []reportFile{},
	}
	switch {
	case len(plan.Conflicts()) > 0:
		report.Status = statusConflict
	case drift:
		report.Status = statusDrift
	}
	for _, a := range []generator.Action{generator.ActionCreate, generator.ActionUpdate, generator.ActionDelete, generator.ActionMode, generator.ActionUnchanged, generator.ActionKeep, generator.ActionMerged} {
		report.Summary[string(a)] = 0
	}
	for _, c := range plan.Changes {
		report.Summary[string(c.Action)]++
		if c.Conflict != generator.NoConflict {
			report.Summary["conflict"]++
		}
		report.Files = append(report.Files, reportFile{
			Path:     c.Path,
			Class:    c.Ownership.String(),
			Action:   string(c.Action),
			Reason:   c.Reason,
			Conflict: string(c.Conflict),
		})
	}
	return report
}

func writeJSON(io *streams, report checkReport) error {
	enc := json.NewEncoder(io.Out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(report); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	return nil
}
