package mailbox

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
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

func (c *confirm) lines(cm *session.Session, w int) []string {
	return frame(cm, w, analysis.Text{}, c.q.Lines(cm.Styles))
}

// info shows a few lines until any key.
type info struct {
	title analysis.Text
	body  []string // sanitized when drawn
}

func (i *info) key(tea.KeyPressMsg) (bool, tea.Cmd) { return true, nil }

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

func (in *input) lines(cm *session.Session, w int) []string {
	// The input may open with a server's value (a folder name): drawn
	// sanitized, edited for real.
	return frame(cm, w, analysis.Text{}, []string{" " + common.EditLine(in.ti, w-1, cm.Styles)})
}

// pickItem is one choice of a picker.
type pickItem struct {
	label string // shown (sanitized when drawn)
	value string
	note  string // e.g. "(remove)"
	uid   mail.UID
}

// picker filters its items as the analyst types (fuzzy: the typed
// letters in order); enter takes the highlighted item, or with allowNew
// the typed text when nothing matches exactly.
type picker struct {
	c        *session.Session
	title    analysis.Text
	ti       textinput.Model
	items    []pickItem
	shown    []pickItem
	cursor   int
	allowNew bool
	onPick   func(item pickItem, typed string) tea.Cmd
}

const pickerRows = 8

func newPicker(c *session.Session, title analysis.Text, items []pickItem, allowNew bool, onPick func(pickItem, string) tea.Cmd) *picker {
	ti := common.SteadyInput()
	ti.Prompt = "› "
	ti.Placeholder = "type to filter"
	if allowNew {
		ti.Placeholder = "type to filter, or a new name"
	}
	ti.CharLimit = 200
	ti.Focus()
	p := &picker{c: c, title: title, ti: ti, items: items, allowNew: allowNew, onPick: onPick}
	p.filter()
	return p
}

func (p *picker) filter() {
	typed := strings.ToLower(p.ti.Value())
	p.shown = p.shown[:0]
	for _, it := range p.items {
		if fuzzy(strings.ToLower(it.label), typed) {
			p.shown = append(p.shown, it)
		}
	}
	p.cursor = clamp(p.cursor, 0, max(len(p.shown)-1, 0))
}

// fuzzy reports whether the letters of pattern appear in s in order.
func fuzzy(s, pattern string) bool {
	for _, r := range pattern {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+len(string(r)):]
	}
	return true
}

func (p *picker) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := p.c.Dialog.Or()
	switch {
	case key.Matches(msg, k.Cancel):
		return true, nil
	case key.Matches(msg, k.PickUp):
		p.cursor = max(p.cursor-1, 0)
		return false, nil
	case key.Matches(msg, k.PickDown):
		p.cursor = min(p.cursor+1, max(len(p.shown)-1, 0))
		return false, nil
	case key.Matches(msg, k.Submit):
		typed := strings.TrimSpace(p.ti.Value())
		if p.allowNew && typed != "" && !p.exact(typed) {
			return true, p.onPick(pickItem{label: typed, value: typed}, typed)
		}
		if len(p.shown) == 0 {
			return false, nil
		}
		return true, p.onPick(p.shown[p.cursor], typed)
	}
	var cmd tea.Cmd
	p.ti, cmd = p.ti.Update(msg)
	p.filter()
	return false, cmd
}

func (p *picker) exact(typed string) bool {
	for _, it := range p.shown {
		if strings.EqualFold(it.value, typed) {
			return true
		}
	}
	return false
}

func (p *picker) lines(cm *session.Session, w int) []string {
	st := cm.Styles
	body := []string{" " + common.EditLine(p.ti, w-1, st)}
	top := max(p.cursor-pickerRows+1, 0)
	for i := top; i < len(p.shown) && i < top+pickerRows; i++ {
		it := p.shown[i]
		style := st.Text
		prefix := "  "
		if i == p.cursor {
			style, prefix = st.Selected, "› "
		}
		label := analysis.Concat(analysis.Plain(prefix), analysis.SanitizeLine(it.label))
		if it.note != "" {
			label = analysis.Concat(label, analysis.Plain(" "+it.note))
		}
		body = append(body, common.Cell(label, w, style, st.Marker))
	}
	if len(p.shown) == 0 {
		hint := "  no match"
		if p.allowNew && strings.TrimSpace(p.ti.Value()) != "" {
			hint = "  enter creates " + p.ti.Value()
		}
		body = append(body, st.Muted.Render(analysis.SanitizeLine(hint).String()))
	}
	return frame(cm, w, p.title, body)
}

// preview shows what an action will send (replies to reporters) and asks;
// j/k scroll the lines.
type preview struct {
	title string // may quote a subject: sanitized when drawn
	body  []string
	top   int
	q     *components.Confirm
}

func newPreview(c *session.Session, title string, body []string, question string, onYes func() tea.Cmd) *preview {
	return &preview{title: title, body: body, q: components.NewConfirm(c.Dialog, question, onYes)}
}

// previewRows is how many lines of the preview show at once.
const previewRows = 12

func (p *preview) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "j", "down":
		p.top = min(p.top+1, max(len(p.body)-previewRows, 0))
		return false, nil
	case "k", "up":
		p.top = max(p.top-1, 0)
		return false, nil
	}
	return p.q.Key(msg)
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
		out = append(out, " "+st.Muted.Render(fmt.Sprintf("j/k scroll (%d lines)", len(p.body))))
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
