package fortimail

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

// An input of a form: a toggle (enable/disable), a choice cycled with
// left/right (actions, enums), or a line of text (numbers, names,
// comments).
type inputKind int

const (
	toggleInput inputKind = iota
	choiceInput
	textInput
)

type formField struct {
	f       bfm.Field
	kind    inputKind
	orig    any
	on      bool
	choices []bfm.Choice
	idx     int
	ti      textinput.Model
	// touched is set once the analyst edits the text: until then the
	// field's value is the original, byte for byte (the input drops
	// control characters, which must not turn into a change nobody made).
	touched bool
	err     string
}

// fieldValue is one field's value as the form hands it on.
type fieldValue struct {
	name  string
	value any
}

// form edits the modelled fields of a profile, grouped as the connector
// groups them. Nothing is sent from here: submit gets validated values.
type form struct {
	title  string
	fields []*formField
	focus  int
	top    int
	err    string
	// busy is set once the analyst said yes: the change is on its way.
	busy   bool
	submit func(m *Model, vals []fieldValue) tea.Cmd
}

// newForm builds a form for fields with the values get returns.
func newForm(st *themes.Styles, title string, fields []bfm.Field, get func(name string) any) *form {
	f := &form{title: title}
	for _, fd := range fields {
		v := get(fd.Name)
		ff := &formField{f: fd, orig: v}
		switch {
		case fd.Kind == bfm.KindBool:
			ff.kind = toggleInput
			ff.on, _ = v.(bool)
		case len(fd.Choices) > 0:
			ff.kind = choiceInput
			ff.choices = append([]bfm.Choice(nil), fd.Choices...)
			ff.idx = -1
			for i, c := range ff.choices {
				if c.Value == v {
					ff.idx = i
				}
			}
			if ff.idx < 0 {
				// A value the appliance has that the connector does not
				// list (an action profile of its own): keep it choosable.
				ff.choices = append(ff.choices, bfm.Choice{Value: v, Label: fmt.Sprint(v)})
				ff.idx = len(ff.choices) - 1
			}
		default:
			ff.kind = textInput
			ff.ti = steadyInput(st)
			if v != nil {
				ff.ti.SetValue(fmt.Sprint(v))
			}
		}
		f.fields = append(f.fields, ff)
	}
	f.focusField(0)
	return f
}

func (f *form) focusField(i int) {
	if len(f.fields) == 0 {
		return
	}
	if cur := f.fields[f.focus]; cur.kind == textInput {
		cur.ti.Blur()
	}
	f.focus = max(min(i, len(f.fields)-1), 0)
	if cur := f.fields[f.focus]; cur.kind == textInput {
		cur.ti.Focus()
		cur.ti.CursorEnd()
	}
}

// value returns the field's typed value, or why the text is not one.
func (ff *formField) value() (any, error) {
	switch ff.kind {
	case toggleInput:
		return ff.on, nil
	case choiceInput:
		return ff.choices[ff.idx].Value, nil
	}
	if !ff.touched && ff.f.Name != "mkey" {
		return ff.orig, nil
	}
	s := strings.TrimSpace(ff.ti.Value())
	switch ff.f.Kind {
	case bfm.KindInt:
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, errors.New("a whole number, please")
		}
		if l := limitOf(ff.f.Name); n < l.lo || n > l.hi {
			return nil, fmt.Errorf("must be %s", l)
		}
		return n, nil
	case bfm.KindFloat:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errors.New("a number, please")
		}
		return x, nil
	}
	if ff.f.Name == "mkey" {
		return s, checkName(s)
	}
	return s, checkComment(s)
}

// changed reports a value other than the one the form opened with.
func (ff *formField) changed() bool {
	v, err := ff.value()
	return err != nil || v != ff.orig
}

// validate checks every field, marks the bad ones and focuses the first.
func (f *form) validate() ([]fieldValue, bool) {
	var out []fieldValue
	bad := 0
	for i, ff := range f.fields {
		v, err := ff.value()
		if err != nil {
			ff.err = err.Error()
			if bad == 0 {
				f.focusField(i)
			}
			bad++
			continue
		}
		ff.err = ""
		out = append(out, fieldValue{ff.f.Name, v})
	}
	if bad > 0 {
		f.err = fmt.Sprintf("%d field(s) need attention: nothing was sent", bad)
		return nil, false
	}
	f.err = ""
	return out, true
}

func (f *form) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	cur := f.fields[f.focus]
	switch {
	case key.Matches(k, km.Cancel), k.String() == "ctrl+c":
		m.form = nil
		if f.busy {
			return common.Info("the change was already sent; its result will show in the status bar")
		}
		return common.Info("edit cancelled: nothing was sent")
	case key.Matches(k, km.Submit):
		if f.busy {
			return nil
		}
		vals, ok := f.validate()
		if !ok {
			return nil
		}
		return f.submit(m, vals)
	case key.Matches(k, km.NextField), key.Matches(k, km.PrevField):
		if _, err := cur.value(); err != nil {
			cur.err = err.Error()
		} else {
			cur.err = ""
		}
		if key.Matches(k, km.NextField) {
			f.focusField((f.focus + 1) % len(f.fields))
		} else {
			f.focusField((f.focus + len(f.fields) - 1) % len(f.fields))
		}
		return nil
	}
	switch cur.kind {
	case toggleInput:
		if key.Matches(k, km.Toggle) || key.Matches(k, km.ToggleBack) {
			cur.on = !cur.on
		}
		return nil
	case choiceInput:
		n := len(cur.choices)
		switch {
		case key.Matches(k, km.Toggle):
			cur.idx = (cur.idx + 1) % n
		case key.Matches(k, km.ToggleBack):
			cur.idx = (cur.idx + n - 1) % n
		}
		return nil
	}
	cur.err = ""
	before := cur.ti.Value()
	var cmd tea.Cmd
	cur.ti, cmd = cur.ti.Update(k)
	if cur.ti.Value() != before {
		cur.touched = true
	}
	return cmd
}

// render draws the fields under their group headings, keeping the focused
// one in view, with what the focused field is and accepts at the bottom.
func (f *form) render(m *Model, h int) []string {
	st := m.c.Styles
	w := m.width
	labelW, valueW := columns(w)
	var lines []string
	focusLine := 0
	group := "\x00"
	for i, ff := range f.fields {
		if ff.f.Group != group {
			group = ff.f.Group
			name := group
			if name == "" {
				name = "General"
			}
			lines = append(lines, st.Header.Render(" "+name))
		}
		if i == f.focus {
			focusLine = len(lines)
		}
		lines = append(lines, f.fieldLine(m, ff, i == f.focus, labelW, valueW))
	}
	room := max(h-2, 1)
	if focusLine < f.top {
		f.top = focusLine
	}
	if focusLine >= f.top+room {
		f.top = focusLine - room + 1
	}
	f.top = max(min(f.top, len(lines)-room), 0)
	out := lines[f.top:min(f.top+room, len(lines))]
	for len(out) < room {
		out = append(out, "")
	}
	cur := f.fields[f.focus]
	hint := cur.f.Label + " · " + cur.f.Name
	if cur.f.Kind == bfm.KindInt {
		hint += " · " + limitOf(cur.f.Name).String()
	}
	hintStyle := st.Muted
	if cur.err != "" {
		hint, hintStyle = "✗ "+cur.err+" · "+hint, st.Danger
	}
	out = append(out, common.Cell(txt(" "+hint), w, hintStyle, st.Marker))
	switch {
	case f.busy:
		out = append(out, st.Accent.Render(" "+m.spin.View()+" sending…"))
	case f.err != "":
		out = append(out, common.Cell(txt(" "+f.err), w, st.Danger, st.Marker))
	default:
		out = append(out, "") // the help bar below says which keys do what
	}
	return out[:min(len(out), h)]
}

func (f *form) fieldLine(m *Model, ff *formField, focused bool, labelW, valueW int) string {
	st := m.c.Styles
	lead := "  "
	base := st.Text
	if focused {
		lead = "› "
		base = st.Selected
	}
	if ff.changed() {
		lead = lead[:len(lead)-1] + "*"
		if focused {
			lead = "›*"
		}
	}
	label := common.Cell(txt(ff.f.Label), labelW, base, st.Marker)
	var value string
	switch ff.kind {
	case toggleInput:
		value = common.Cell(plain(onOff(ff.on)), valueW, st.Text, st.Marker)
	case choiceInput:
		c := ff.choices[ff.idx]
		s := txt(c.Label)
		if focused {
			s = txt("‹ " + c.Label + " ›")
		}
		value = common.Cell(s, valueW, st.Text, st.Marker)
	default:
		v := ff.ti.Value()
		if !ff.touched && ff.orig != nil {
			v = fmt.Sprint(ff.orig)
		}
		// The input holds the real value; EditLine draws it with hidden
		// characters as markers. An untouched value the input could not
		// hold as is (a control character) is drawn from the original.
		if focused && (ff.touched || ff.ti.Value() == v) {
			value = common.EditLine(ff.ti, valueW, st)
		} else {
			value = common.Cell(txt(v), valueW, st.Text, st.Marker)
		}
	}
	line := base.Render(lead) + label + "  " + value
	if ff.err != "" {
		line = base.Render(lead) + label + "  " + common.Cell(txt(ff.ti.Value()+"  ✗ "+ff.err), valueW, st.Danger, st.Marker)
	}
	return common.PadRight(line, m.width)
}

// columns splits a form or detail line between label and value: values
// are short (numbers, toggles, actions), labels are the GUI's long ones.
func columns(w int) (labelW, valueW int) {
	valueW = min(max(w/3, 16), 40)
	labelW = max(min(w-valueW-4, 64), 8)
	return labelW, valueW
}

func onOff(on bool) string {
	if on {
		return "[x] enabled"
	}
	return "[ ] disabled"
}
