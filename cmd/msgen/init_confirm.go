package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/term"
)

// The choices of the final confirmation.
const (
	choiceWrite  = "write"
	choiceEdit   = "edit"
	choiceCancel = "cancel"
)

// confirmRows is the number of terminal rows that the final confirmation
// takes besides the summary: the title, a blank line, three choices, a
// blank line, the help line and the rows that huh and Bubble Tea leave
// around the form.
const confirmRows = 10

// confirm validates the answers, shows them and prompts whether to write
// them. It returns nil to write them. When the user chooses Edit, it
// returns the answer to go back to: the first one that breaks a rule, or
// else the first answer. Cancel returns huh.ErrUserAborted.
func (w *wizard) confirm() (*answer, error) {
	a := w.answers
	problems, err := validateAnswers(a)
	if err != nil {
		return nil, err
	}

	title := fmt.Sprintf("Write %s and generate the repository in %s?", specName, describeDir(w.dir))
	options := []huh.Option[string]{
		huh.NewOption("Yes, write them", choiceWrite),
		huh.NewOption("Edit the answers", choiceEdit),
		huh.NewOption("Cancel", choiceCancel),
	}
	var lines []string
	if len(problems) > 0 {
		// This is rare, because each answer was validated as it was typed.
		// It happens when answers from flags break a rule together.

		title = "The answers break these rules of the spec. Edit them?"
		options = options[1:]
		lines = wizardProblems(a, problems)
	} else {
		lines = w.summary()
	}

	height, width := w.terminalSize()
	if !w.accessible {
		lines = fitLines(lines, height-confirmRows, width-4)
	}
	description := strings.Join(lines, "\n")

	choice := options[0].Value
	field := huh.NewSelect[string]().
		Title(title).
		Description(description).
		Options(options...).
		Value(&choice)
	w.describe(field, description)
	if err := w.ask(page{build: func() []huh.Field { return []huh.Field{field} }}); err != nil {
		return nil, err
	}

	switch choice {
	case choiceWrite:
		return nil, nil
	case choiceEdit:
		back := answer{step: stepName}
		if len(problems) > 0 {
			back = answerOf(a, problems[0].Path)
		}
		return &back, nil
	}
	return nil, huh.ErrUserAborted
}

// summary formats the answers as lines: the system, one line per service,
// then one line for the gateway plugins, discovery, mesh and targets.
func (w *wizard) summary() []string {
	a := w.answers
	lines := []string{fmt.Sprintf("%s, module %s", a.Name, a.Module)}
	for _, svc := range a.Services {
		routes := formatRoutes(svc.Routes)
		if routes == "" {
			routes = "no routes"
		}
		pattern := svc.Pattern
		if svc.Database != "" {
			pattern += " of " + svc.Database
		}
		lines = append(lines, fmt.Sprintf("service %s: %s, port %d, %s", svc.Name, pattern, svc.Port, routes))
	}
	plugins := strings.Join(a.Plugins, ", ")
	if plugins == "" {
		plugins = "none"
	}
	return append(lines, fmt.Sprintf("plugins: %s; discovery: %s; mesh: %s; targets: %s", plugins, a.Discovery, a.Mesh, strings.Join(a.Targets, ", ")))
}

// fitLines shortens lines to fit in rows lines of width columns. It cuts
// each line at the width, then keeps the first lines and the last. The
// lines between them that do not fit are replaced by a count. A row count
// or width of 0 or less means no limit.
func fitLines(lines []string, rows, width int) []string {
	if width > 0 {
		cut := make([]string, len(lines))
		for i, line := range lines {
			cut[i] = cutLine(line, width)
		}
		lines = cut
	}
	if rows <= 0 || len(lines) <= rows {
		return lines
	}

	// The first rows-2 lines, the count, and the last line.
	keep := max(rows-2, 1)
	hidden := len(lines) - keep - 1
	fitted := append([]string{}, lines[:keep]...)
	fitted = append(fitted, fmt.Sprintf("... and %d more", hidden))
	return append(fitted, lines[len(lines)-1])
}

// cutLine shortens line to width characters. A shortened line ends in "..."
// unless width is 3 or less.

func cutLine(line string, width int) string {
	runes := []rune(line)
	if len(runes) <= width {
		return line
	}
	if width <= 3 {
		return string(runes[:width])
	}
	return string(runes[:width-3]) + "..."
}

// terminalSize returns the height and width of the terminal that the
// forms draw on, or zeros when stderr is not a terminal.
func (w *wizard) terminalSize() (height, width int) {
	f, ok := w.io.Err.(*os.File)
	if !ok {
		return 0, 0
	}
	width, height, err := term.GetSize(f.Fd())
	if err != nil {
		return 0, 0
	}
	return height, width
}
