package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// cancelKey cancels the wizard. huh's own help line names only the keys of
// the field in focus, so formModel adds this one.
var cancelKey = key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel"))

// wizardKeyMap returns huh's default keys, with Esc cancelling as Ctrl-C
// does.
func wizardKeyMap() *huh.KeyMap {
	keymap := huh.NewDefaultKeyMap()
	keymap.Quit = cancelKey
	return keymap
}

// formModel shows a huh form with a help line of its own, which names the
// keys of the field in focus and the cancel key.
type formModel struct {
	form *huh.Form
	help help.Model
}

func (m formModel) Init() tea.Cmd {
	return m.form.Init()
}

func (m formModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if size, ok := msg.(tea.WindowSizeMsg); ok {
		m.help.Width = size.Width
	}
	form, cmd := m.form.Update(msg)
	if f, ok := form.(*huh.Form); ok {
		m.form = f
	}
	return m, cmd
}

func (m formModel) View() string {
	// A form that is done draws nothing, so that no help line stays on
	// the screen after it.
	if m.form.State != huh.StateNormal {
		return ""
	}
	return m.form.View() + "\n" + m.help.ShortHelpView(append(m.form.KeyBinds(), cancelKey))
}

// runWizardForm runs form full screen, reading keys from in and drawing on out.
// Cancelling returns huh.ErrUserAborted, as huh's Form.Run does.
func runWizardForm(form *huh.Form, in io.Reader, out io.Writer) error {
	form.WithShowHelp(false)
	form.SubmitCmd = tea.Quit
	form.CancelCmd = tea.Interrupt
	model := formModel{form: form, help: help.New()}

	final, err := tea.NewProgram(model, tea.WithInput(in), tea.WithOutput(out), tea.WithReportFocus()).Run()
	if errors.Is(err, tea.ErrInterrupted) {
		return huh.ErrUserAborted
	}
	if err != nil {
		return fmt.Errorf("run the form: %w", err)
	}
	if m, ok := final.(formModel); ok && m.form.State == huh.StateAborted {
		return huh.ErrUserAborted
	}
	return nil
}

// eofReader reads r and records whether it reached the end.
type eofReader struct {
	r   io.Reader
	eof bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		e.eof = true
	}
	return n, err
}
