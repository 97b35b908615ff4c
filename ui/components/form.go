package components

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

// Field is one line of a Form: a label, a starting value and a hint
// shown while it is empty.
type Field struct {
	Key, Label, Value, Hint string
}

// Form is a set of one-line fields the analyst fills in: the dialog keys
// move between them (next_field, prev_field), submit sends them, cancel
// drops them. Values are edited as they are and drawn sanitised
// (common.EditLine), so hidden characters show as markers.
type Form struct {
	keys     common.DialogKeys
	fields   []Field
	inputs   []textinput.Model
	focus    int
	onSubmit func(values map[string]string) tea.Cmd
}

// NewForm asks for fields; onSubmit gets the values by Field.Key.
func NewForm(keys common.DialogKeys, fields []Field, onSubmit func(map[string]string) tea.Cmd) *Form {
	f := &Form{keys: keys.Or(), fields: fields, onSubmit: onSubmit}
	width := 0
	for _, fl := range fields {
		width = max(width, len(fl.Label))
	}
	for i, fl := range fields {
		ti := common.SteadyInput()
		ti.Prompt = fmt.Sprintf("%-*s ", width+1, fl.Label+":")
		ti.Placeholder = fl.Hint
		ti.CharLimit = 2000
		ti.SetValue(fl.Value)
		if i == 0 {
			ti.Focus()
		}
		f.inputs = append(f.inputs, ti)
	}
	return f
}

// Key handles a key; done says the form is over.
func (f *Form) Key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) {
	switch {
	case key.Matches(msg, f.keys.Cancel):
		return true, common.Info("cancelled")
	case key.Matches(msg, f.keys.Submit):
		values := make(map[string]string, len(f.fields))
		for i, fl := range f.fields {
			values[fl.Key] = strings.TrimSpace(f.inputs[i].Value())
		}
		return true, f.onSubmit(values)
	case key.Matches(msg, f.keys.NextField):
		f.move(1)
		return false, nil
	case key.Matches(msg, f.keys.PrevField):
		f.move(-1)
		return false, nil
	}
	var c tea.Cmd
	f.inputs[f.focus], c = f.inputs[f.focus].Update(msg)
	return false, c
}

func (f *Form) move(delta int) {
	f.inputs[f.focus].Blur()
	f.focus = (f.focus + delta + len(f.inputs)) % len(f.inputs)
	f.inputs[f.focus].Focus()
}

// Lines draws the fields and the keys' hint at width w.
func (f *Form) Lines(st *themes.Styles, w int) []string {
	out := make([]string, 0, len(f.inputs)+1)
	for _, ti := range f.inputs {
		out = append(out, " "+common.EditLine(ti, max(w-2, 10), st))
	}
	k := f.keys
	out = append(out, " "+st.HelpKey.Render(k.NextField.Help().Key)+st.HelpDesc.Render(" next field   ")+
		st.HelpKey.Render(k.Submit.Help().Key)+st.HelpDesc.Render(" preview   ")+
		st.HelpKey.Render(k.Cancel.Help().Key)+st.HelpDesc.Render(" cancel"))
	return out
}
