package mimecast

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

// A form is a panel of fields that has the keyboard while open: tab and
// shift+tab (or ↓/↑) move between fields, ←/→ (or space) cycle a choice,
// enter submits, esc cancels. A submit that fails validation keeps the
// form open with the reason shown under it, so nothing half-checked is
// sent.
type form struct {
	title  string
	fields []*field
	focus  int
	err    string
	// submit checks the values and returns the command that acts on them,
	// or an error to show in the form.
	submit func(f *form) (tea.Cmd, error)
}

type field struct {
	name  string // key for get
	label string
	hint  string
	// A text field has ti; a choice field has choices (values) and labels.
	ti      *textinput.Model
	choices []string
	labels  []string
	pick    int
	opened  int // pick when the form opened
	// orig is the value the form opened with, byte for byte, and loaded
	// what the input made of it (it drops control characters): while the
	// input still holds loaded, the field's value is orig, so an untouched
	// field never becomes a change nobody made.
	orig, loaded string
}

func (f *field) value() string {
	if f.ti != nil {
		if f.ti.Value() == f.loaded {
			return f.orig
		}
		return strings.TrimSpace(f.ti.Value())
	}
	return f.choices[f.pick]
}

// changed reports a value other than the one the form opened with.
func (f *field) changed() bool {
	if f.ti != nil {
		return f.value() != f.orig
	}
	return f.pick != f.opened
}

// textField is a one-line input. It holds the real value — the one that
// is edited and sent back — and is drawn through common.EditLine, which
// shows hidden characters as markers without putting the markers in the
// value.
func textField(name, label, value, hint string) *field {
	ti := common.SteadyInput()
	ti.Prompt = ""
	ti.CharLimit = 1000
	ti.SetValue(value)
	return &field{name: name, label: label, hint: hint, ti: &ti, orig: value, loaded: ti.Value()}
}

// choiceField cycles through values; labels are what is shown (nil: the
// values themselves).
func choiceField(name, label string, values, labels []string, current string) *field {
	f := &field{name: name, label: label, choices: values, labels: labels}
	for i, v := range values {
		if v == current {
			f.pick = i
		}
	}
	f.opened = f.pick
	return f
}

func yesNo(name, label string, on bool) *field {
	cur := "no"
	if on {
		cur = "yes"
	}
	return choiceField(name, label, []string{"no", "yes"}, nil, cur)
}

func newForm(title string, submit func(*form) (tea.Cmd, error), fields ...*field) *form {
	f := &form{title: title, fields: fields, submit: submit}
	f.focusField(0)
	return f
}

func (f *form) get(name string) string {
	for _, fl := range f.fields {
		if fl.name == name {
			return fl.value()
		}
	}
	return ""
}

func (f *form) on(name string) bool { return f.get(name) == "yes" }

// unchanged reports that no field differs from what the form opened with:
// saving it would send nothing new.
func (f *form) unchanged() bool {
	for _, fl := range f.fields {
		if fl.changed() {
			return false
		}
	}
	return true
}

func (f *form) focusField(i int) {
	n := len(f.fields)
	i = (i%n + n) % n
	if cur := f.fields[f.focus]; cur.ti != nil {
		cur.ti.Blur()
	}
	f.focus = i
	if next := f.fields[i]; next.ti != nil {
		next.ti.Focus()
		next.ti.CursorEnd()
	}
}

// key handles a key; done closes the form.
func (f *form) key(k common.DialogKeys, msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	cur := f.fields[f.focus]
	k = k.Or()
	switch {
	case key.Matches(msg, k.Cancel):
		return true, common.Info("cancelled")
	case key.Matches(msg, k.Submit):
		cmd, err := f.submit(f)
		if err != nil {
			f.err = err.Error()
			return false, nil
		}
		return true, cmd
	case key.Matches(msg, k.NextField):
		f.focusField(f.focus + 1)
		return false, nil
	case key.Matches(msg, k.PrevField):
		f.focusField(f.focus - 1)
		return false, nil
	}
	if cur.ti == nil {
		switch {
		case key.Matches(msg, k.NextChoice):
			cur.pick = (cur.pick + 1) % len(cur.choices)
		case key.Matches(msg, k.PrevChoice):
			cur.pick = (cur.pick + len(cur.choices) - 1) % len(cur.choices)
		}
		return false, nil
	}
	ti, cmd := cur.ti.Update(msg)
	*cur.ti = ti
	return false, cmd
}

// lines draws the form in at most h lines of width w, keeping the field
// with the cursor in view.
func (f *form) lines(c *session.Session, w, h int) []string {
	st := c.Styles
	labelW := 0
	for _, fl := range f.fields {
		labelW = max(labelW, ansi.StringWidth(fl.label))
	}
	valueW := max(w-labelW-5, 8)
	var body []string
	focusRow := 0
	for i, fl := range f.fields {
		mark, label := "  ", st.Muted
		if i == f.focus {
			mark, label = "› ", st.Accent
			focusRow = len(body)
		}
		var v string
		switch {
		case fl.ti != nil && i == f.focus:
			v = common.EditLine(*fl.ti, valueW, st)
		case fl.ti != nil:
			v = common.Cell(analysis.SanitizeLine(fl.ti.Value()), valueW, st.Text, st.Marker)
		default:
			shown := fl.choices[fl.pick]
			if fl.labels != nil {
				shown = fl.labels[fl.pick]
			}
			style := st.Text
			if i == f.focus {
				style = st.Selected
			}
			v = common.Cell(analysis.SanitizeLine("‹ "+shown+" ›"), valueW, style, st.Marker)
		}
		body = append(body, common.PadRight(mark+label.Render(common.PadRight(fl.label, labelW))+"  "+v, w))
		if i == f.focus && fl.hint != "" {
			body = append(body, common.PadRight(strings.Repeat(" ", labelW+4)+st.Muted.Render(fl.hint), w))
		}
	}
	head := []string{common.Cell(analysis.SanitizeLine(" "+f.title), w, st.Title, st.Marker)}
	var foot []string
	if f.err != "" {
		foot = append(foot, " "+common.Cell(analysis.SanitizeLine("✗ "+f.err), w-1, st.Danger, st.Marker))
	}
	foot = append(foot, common.PadRight(" "+st.HelpKey.Render("tab/shift+tab")+st.HelpDesc.Render(" field  ")+
		st.HelpKey.Render("←/→")+st.HelpDesc.Render(" choose  ")+st.HelpKey.Render("enter")+st.HelpDesc.Render(" submit  ")+
		st.HelpKey.Render("esc")+st.HelpDesc.Render(" cancel"), w))
	room := max(h-len(head)-len(foot), 1)
	top := 0
	if focusRow >= room {
		top = focusRow - room + 2
	}
	top = min(top, max(len(body)-room, 0))
	body = body[top:min(len(body), top+room)]
	out := append(head, body...)
	for len(out) < h-len(foot) {
		out = append(out, "")
	}
	return append(out, foot...)
}
