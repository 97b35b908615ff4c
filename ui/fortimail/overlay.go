package fortimail

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// An overlay is a panel over the bottom of the screen that has the
// keyboard while it is open: a question (with the diff of an update) or an
// input line.
type overlay interface {
	// key handles a key; done closes the overlay.
	key(m *Model, k tea.KeyPressMsg) (done bool, cmd tea.Cmd)
	lines(m *Model, w int) []string
	help(k KeyMap) []key.Binding
}

func cellWidth(s string) int { return ansi.StringWidth(s) }

func frame(m *Model, w int, title string, body []string) []string {
	st := m.c.Styles
	out := []string{st.Border.Render(strings.Repeat("─", w))}
	if title != "" {
		out = append(out, common.Cell(txt(" "+title), w, st.Title, st.Marker))
	}
	for _, l := range body {
		out = append(out, common.PadRight(l, w))
	}
	return out
}

// confirm asks a yes/no question (components.Confirm: only the Yes key
// says yes) with a body shown above it, sanitized (it quotes what the
// server sent).
type confirm struct {
	title  string
	body   []string
	danger bool
	onYes  func() tea.Cmd
	onNo   func() tea.Cmd
	q      *components.Confirm
}

// question is the shared question, made on first use with the screen's
// answer keys.
func (c *confirm) question(m *Model) *components.Confirm {
	if c.q == nil {
		no := c.onNo
		if no == nil {
			no = func() tea.Cmd { return common.Info("cancelled: nothing was sent") }
		}
		c.q = components.NewConfirm(m.keys.dialog(m.c.Dialog), c.title, c.onYes).OnNo(no)
	}
	return c.q
}

func (c *confirm) key(m *Model, k tea.KeyPressMsg) (bool, tea.Cmd) { return c.question(m).Key(k) }

func (c *confirm) lines(m *Model, w int) []string {
	st := m.c.Styles
	room := max(m.height-6, 3)
	var body []string
	for i, l := range c.body {
		if i == room-1 && len(c.body) > room {
			body = append(body, st.Muted.Render(fmt.Sprintf("   … and %d more", len(c.body)-i)))
			break
		}
		body = append(body, "   "+common.Cell(txt(l), max(w-3, 1), st.Text, st.Marker))
	}
	q := st.Accent
	if c.danger {
		q = st.Danger
	}
	body = append(body, " "+q.Render(txt(c.title).String())+"  "+c.question(m).Hint(st))
	return frame(m, w, "", body)
}

func (c *confirm) help(k KeyMap) []key.Binding { return []key.Binding{k.Yes, k.No} }

// input is a one-line prompt whose value is checked before onDone runs.
type input struct {
	prompt string
	ti     textinput.Model
	check  func(string) error
	err    string
	onDone func(string) tea.Cmd
}

// steadyInput is a text input whose cursor does not blink: over SSH every
// blink is a redraw.
func steadyInput(th *themes.Styles) textinput.Model {
	ti := common.SteadyInput()
	st := ti.Styles()
	for _, s := range []*textinput.StyleState{&st.Focused, &st.Blurred} {
		s.Text, s.Placeholder, s.Prompt = th.Text.Style, th.Muted.Style, th.Accent.Style
	}
	ti.SetStyles(st)
	ti.Prompt = ""
	ti.CharLimit = 512
	return ti
}

func newInput(th *themes.Styles, prompt, placeholder string, check func(string) error, onDone func(string) tea.Cmd) *input {
	ti := steadyInput(th)
	ti.Placeholder = placeholder
	ti.Focus()
	return &input{prompt: prompt, ti: ti, check: check, onDone: onDone}
}

func (in *input) key(m *Model, k tea.KeyPressMsg) (bool, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Cancel):
		return true, nil
	case key.Matches(k, m.keys.Submit):
		v := strings.TrimSpace(in.ti.Value())
		if in.check != nil {
			if err := in.check(v); err != nil {
				in.err = err.Error()
				return false, nil
			}
		}
		return true, in.onDone(v)
	}
	in.err = ""
	var cmd tea.Cmd
	in.ti, cmd = in.ti.Update(k)
	return false, cmd
}

func (in *input) lines(m *Model, w int) []string {
	st := m.c.Styles
	// The prompt may name a list from the appliance, and what is typed or
	// pasted is drawn sanitized too (the real value is what is sent).
	prompt := analysis.Concat(analysis.Plain(" "), analysis.SanitizeLine(in.prompt), analysis.Plain(" "))
	room := max(w-prompt.Width(), 10)
	body := []string{common.Render(prompt, st.Accent, st.Marker) + common.EditLine(in.ti, room, st)}
	if in.err != "" {
		body = append(body, " "+common.Cell(analysis.SanitizeLine(in.err), w-1, st.Danger, st.Marker))
	}
	return frame(m, w, "", body)
}

func (in *input) help(k KeyMap) []key.Binding { return []key.Binding{k.Submit, k.Cancel} }
