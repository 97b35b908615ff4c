package mailbox

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
	"github.com/mailtriage/mailtriage/ui/session"
)

// An overlay is a small panel drawn over the bottom of the list that has
// the keyboard while it is open: a confirmation, a picker, an input line
// or an information box.
type overlay interface {
	// key handles a key; done closes the overlay.
	key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd)
	// lines draws the panel at width w.
	lines(st *session.Session, w int) []string
	// help is the keys the panel answers to, for the help bar.
	help() []key.Binding
}

// Capturing reports whether the screen has the keyboard to itself (an
// input, picker or question is open): the root then passes every key on.
func (m *Model) Capturing() bool { return m.overlay != nil }

func (m *Model) overlayKey(msg tea.KeyPressMsg) tea.Cmd {
	ov := m.overlay
	done, cmd := ov.key(msg)
	if done && m.overlay == ov {
		m.overlay = nil
	}
	return cmd
}

// frame draws an overlay panel. The title is analysis.Text because it
// often names a folder or a subject (server- or mail-controlled): a raw
// string cannot be passed by accident.
func frame(c *session.Session, w int, title analysis.Text, body []string) []string {
	st := c.Styles
	out := []string{st.Border.Render(strings.Repeat("─", w))}
	if title.Width() > 0 {
		out = append(out, common.Cell(analysis.Concat(analysis.Plain(" "), title), w, st.Title, st.Marker))
	}
	for _, l := range body {
		out = append(out, common.PadRight(l, w))
	}
	return out
}

// confirm is the shared yes/no question as a list overlay.
type confirm struct{ q *components.Confirm }

func newConfirm(keys common.DialogKeys, text string, onYes func() tea.Cmd, choices ...components.Choice) *confirm {
	return &confirm{q: components.NewConfirm(keys, text, onYes, choices...)}
}

func (c *confirm) key(msg tea.KeyPressMsg) (bool, tea.Cmd) { return c.q.Key(msg) }
func (c *confirm) help() []key.Binding                     { return c.q.ShortHelp() }

func (c *confirm) lines(cm *session.Session, w int) []string {
	return frame(cm, w, analysis.Text{}, c.q.Lines(cm.Styles))
}

// info shows a few lines until any key.
type info struct {
	title analysis.Text
	body  []string // sanitized when drawn
}

func (i *info) key(tea.KeyPressMsg) (bool, tea.Cmd) { return true, nil }
func (i *info) help() []key.Binding                 { return nil } // any key closes it

func (i *info) lines(cm *session.Session, w int) []string {
	body := make([]string, 0, len(i.body)+1)
	for _, l := range i.body {
		body = append(body, " "+common.Cell(analysis.SanitizeLine(l), w-1, cm.Styles.Text, cm.Styles.Marker))
	}
	body = append(body, " "+cm.Styles.Muted.Render("any key closes"))
	return frame(cm, w, i.title, body)
}

// input is a one-line prompt.
type input struct {
	c      *session.Session
	ti     textinput.Model
	onDone func(string) tea.Cmd
}

func newInput(c *session.Session, prompt, value, placeholder string, onDone func(string) tea.Cmd) *input {
	ti := common.SteadyInput()
	ti.Prompt = prompt
	ti.Placeholder = placeholder
	ti.SetValue(value)
	ti.CharLimit = 1000
	return &input{c: c, ti: ti, onDone: onDone}
}

func (in *input) focus() tea.Cmd { return in.ti.Focus() }

func (in *input) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := in.c.Dialog.Or()
	switch {
	case key.Matches(msg, k.Cancel):
		return true, nil
	case key.Matches(msg, k.Submit):
		return true, in.onDone(in.ti.Value())
	}
	var cmd tea.Cmd
	in.ti, cmd = in.ti.Update(msg)
	return false, cmd
}

func (in *input) help() []key.Binding {
	k := in.c.Dialog.Or()
	return []key.Binding{k.Submit, k.Cancel}
}

func (in *input) lines(cm *session.Session, w int) []string {
	// The input may open with a server's value (a folder name): drawn
	// sanitized, edited for real.
	return frame(cm, w, analysis.Text{}, []string{" " + common.EditLine(in.ti, w-1, cm.Styles)})
}

// pickerOverlay hosts the shared picker (components.Picker) over the
// list.
type pickerOverlay struct{ p *components.Picker }

func newPicker(c *session.Session, title analysis.Text, items []components.PickItem, allowNew bool, onPick func(components.PickItem, string) tea.Cmd) *pickerOverlay {
	return &pickerOverlay{p: components.NewPicker(c.Dialog, title, items, allowNew, onPick)}
}

func (o *pickerOverlay) key(msg tea.KeyPressMsg) (bool, tea.Cmd) { return o.p.Key(msg) }
func (o *pickerOverlay) help() []key.Binding                     { return o.p.ShortHelp() }

func (o *pickerOverlay) lines(cm *session.Session, w int) []string {
	return frame(cm, w, o.p.Title(), o.p.Lines(cm.Styles, w))
}

// preview shows what an action will send (replies to reporters) and asks;
// the dialog's scroll keys scroll the lines.
type preview struct {
	keys  common.DialogKeys
	title string // may quote a subject: sanitized when drawn
	body  []string
	top   int
	q     *components.Confirm
}

func newPreview(c *session.Session, title string, body []string, question string, onYes func() tea.Cmd) *preview {
	return &preview{keys: c.Dialog.Or(), title: title, body: body, q: components.NewConfirm(c.Dialog, question, onYes)}
}

// previewRows is how many lines of the preview show at once.
const previewRows = 12

func (p *preview) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch {
	case key.Matches(msg, p.keys.ScrollDown):
		p.top = min(p.top+1, max(len(p.body)-previewRows, 0))
		return false, nil
	case key.Matches(msg, p.keys.ScrollUp):
		p.top = max(p.top-1, 0)
		return false, nil
	}
	return p.q.Key(msg)
}

func (p *preview) help() []key.Binding {
	return append([]key.Binding{p.keys.ScrollDown, p.keys.ScrollUp}, p.q.ShortHelp()...)
}

func (p *preview) lines(cm *session.Session, w int) []string {
	st := cm.Styles
	shown := p.body[min(p.top, len(p.body)):]
	if len(shown) > previewRows {
		shown = shown[:previewRows]
	}
	out := make([]string, 0, len(shown)+2)
	for _, l := range shown {
		out = append(out, " "+common.Cell(analysis.SanitizeLine(l), w-1, st.Text, st.Marker))
	}
	if len(p.body) > previewRows {
		keys := p.keys.ScrollDown.Help().Key + " " + p.keys.ScrollUp.Help().Key
		out = append(out, " "+st.Muted.Render(fmt.Sprintf("%s scroll (%d lines)", keys, len(p.body))))
	}
	return frame(cm, w, analysis.SanitizeLine(p.title), append(out, p.q.Lines(st)...))
}

// formOverlay hosts a shared form (components.Form) over the list.
type formOverlay struct {
	title analysis.Text
	f     *components.Form
	rows  func() int // the most lines the form may take: it scrolls in them
}

func (o *formOverlay) key(msg tea.KeyPressMsg) (bool, tea.Cmd) { return o.f.Key(msg) }
func (o *formOverlay) help() []key.Binding                     { return o.f.ShortHelp() }

func (o *formOverlay) lines(cm *session.Session, w int) []string {
	return frame(cm, w, o.title, o.f.Lines(cm.Styles, w, min(o.f.Height(), o.rows())))
}

// ShowForm opens a form over the list (the root's forms, e.g. a new
// calendar event).
func (m *Model) ShowForm(title string, f *components.Form) {
	// The panel leaves the list its first line and frames the form with a
	// border and a title.
	rows := func() int { return max(m.height-3, 3) }
	m.overlay = &formOverlay{title: analysis.SanitizeLine(title), f: f, rows: rows}
}
