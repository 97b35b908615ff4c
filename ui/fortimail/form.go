package fortimail

import (
	"errors"
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// fieldValue is one field's value as the form hands it on.
type fieldValue struct {
	name  string
	value any
}

// form edits the modelled fields of a profile, grouped as the connector
// groups them, in the shared form (components.Form): booleans are
// toggles, fields with choices are choices, the rest text, checked and
// typed here. Nothing is sent from here: submit gets validated values.
type form struct {
	*components.Form
	title string
	specs []bfm.Field
	orig  map[string]any
	// choices are each choice field's values; the form's options are
	// their indexes.
	choices map[string][]bfm.Choice
	// busy is set once the analyst said yes: the change is on its way.
	busy bool
	// submit acts on the values; an error keeps the form open with it.
	// The form stays open either way: a question about the values follows.
	submit func(m *Model, vals []fieldValue) (tea.Cmd, error)
}

// newForm builds a form for fields with the values get returns.
func newForm(m *Model, title string, fields []bfm.Field, get func(name string) any) *form {
	f := &form{title: title, specs: fields, orig: map[string]any{}, choices: map[string][]bfm.Choice{}}
	in := make([]components.Field, 0, len(fields))
	for _, fd := range fields {
		v := get(fd.Name)
		f.orig[fd.Name] = v
		in = append(in, f.field(fd, v))
	}
	f.Form = components.NewForm(formKeys(m.keys), in, func(*components.Form) (tea.Cmd, error) { return f.send(m) })
	f.Cancelled = func() tea.Cmd {
		if f.busy {
			return common.Info("the change was already sent; its result will show in the status bar")
		}
		return common.Info("edit cancelled: nothing was sent")
	}
	return f
}

// formKeys are the form keys of [keys.fortimail].
func formKeys(k KeyMap) components.FormKeys {
	return components.FormKeys{NextField: k.NextField, PrevField: k.PrevField, NextChoice: k.Toggle, PrevChoice: k.ToggleBack,
		Submit: k.Submit, Cancel: k.Cancel}
}

// field maps a connector field with value v onto a form field.
func (f *form) field(fd bfm.Field, v any) components.Field {
	group := fd.Group
	if group == "" {
		group = "General"
	}
	hint := fd.Label + " · " + fd.Name
	if fd.Kind == bfm.KindInt {
		hint += " · " + limitOf(fd.Name).String()
	}
	out := components.Field{Key: fd.Name, Label: fd.Label, Hint: hint, Group: group}
	switch {
	case fd.Kind == bfm.KindBool:
		out.Kind = components.ToggleField
		out.On, _ = v.(bool)
	case len(fd.Choices) > 0:
		out.Kind = components.ChoiceField
		choices := append([]bfm.Choice(nil), fd.Choices...)
		pick := -1
		for i, c := range choices {
			if c.Value == v {
				pick = i
			}
		}
		if pick < 0 {
			// A value the appliance has that the connector does not list
			// (an action profile of its own): keep it choosable.
			choices = append(choices, bfm.Choice{Value: v, Label: fmt.Sprint(v)})
			pick = len(choices) - 1
		}
		f.choices[fd.Name] = choices
		for i, c := range choices {
			out.Options = append(out.Options, components.Option{Value: strconv.Itoa(i), Label: c.Label})
		}
		out.Value = strconv.Itoa(pick)
	default:
		out.MaxLen = 512
		if v != nil {
			out.Value = fmt.Sprint(v)
		}
		out.Check = func(s string) error { _, err := parse(fd, s); return err }
		// A new profile's name must be given and valid even untouched.
		out.CheckUntouched = fd.Name == "mkey"
	}
	return out
}

// parse types a text field's value, or says why it is not one.
func parse(fd bfm.Field, s string) (any, error) {
	switch fd.Kind {
	case bfm.KindInt:
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, errors.New("a whole number, please")
		}
		if l := limitOf(fd.Name); n < l.lo || n > l.hi {
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
	if fd.Name == "mkey" {
		return s, checkName(s)
	}
	return s, checkComment(s)
}

// values are the fields' typed values: an unchanged one is the value the
// profile has, as it has it.
func (f *form) values() ([]fieldValue, error) {
	out := make([]fieldValue, 0, len(f.specs))
	for _, fd := range f.specs {
		var v any
		switch {
		case fd.Kind == bfm.KindBool:
			v = f.On(fd.Name)
		case f.choices[fd.Name] != nil:
			v = f.choices[fd.Name][f.Pick(fd.Name)].Value
		case !f.FieldChanged(fd.Name) && fd.Name != "mkey":
			v = f.orig[fd.Name]
		default:
			var err error
			if v, err = parse(fd, f.Value(fd.Name)); err != nil {
				return nil, fmt.Errorf("%s: %w", fd.Label, err)
			}
		}
		out = append(out, fieldValue{fd.Name, v})
	}
	return out, nil
}

// send hands the checked values to submit; the form stays open for the
// question that follows, and ignores a second submit once the change is
// on its way.
func (f *form) send(m *Model) (tea.Cmd, error) {
	if f.busy {
		return nil, components.ErrStayOpen
	}
	vals, err := f.values()
	if err != nil {
		return nil, err
	}
	cmd, err := f.submit(m, vals)
	if err == nil {
		err = components.ErrStayOpen
	}
	return cmd, err
}

// key hands a key to the form; done closes it.
func (f *form) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	done, cmd := f.Key(k)
	if done && m.form == f {
		m.form = nil
	}
	return cmd
}

// render draws the form in h lines; while the change is on its way the
// spinner says so.
func (f *form) render(m *Model, h int) []string {
	f.SetNote("")
	if f.busy {
		f.SetNote(ansi.Strip(m.spin.View()) + " sending…")
	}
	return f.Lines(m.c.Styles, m.width, h)
}

// columns splits a detail line between label and value: values are short
// (numbers, toggles, actions), labels are the GUI's long ones.
func columns(w int) (labelW, valueW int) {
	valueW = min(max(w/3, 16), 40)
	labelW = max(min(w-valueW-4, 64), 8)
	return labelW, valueW
}
