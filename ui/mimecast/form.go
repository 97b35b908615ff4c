package mimecast

import (
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/ui/components"
)

// A form is the shared form (components.Form) with the dialog keys: a
// submit that fails validation keeps it open with the reason shown under
// it, so nothing half-checked is sent.
type form = components.Form

// newForm opens a form titled title; submit checks the values and
// returns the command that acts on them, or an error to show.
func (m *Model) newForm(title string, submit func(f *form) (tea.Cmd, error), fields ...components.Field) *form {
	f := components.NewForm(components.DialogFormKeys(m.c.Dialog), fields, submit)
	f.Title, f.ShowKeys, f.SubmitLabel = title, true, "submit"
	return f
}

// textField is a one-line input; its value stays byte for byte what the
// form opened with until the analyst edits it.
func textField(name, label, value, hint string) components.Field {
	return components.Field{Key: name, Label: label, Value: value, Hint: hint}
}

// choiceField cycles through values; labels are what is shown (nil: the
// values themselves).
func choiceField(name, label string, values, labels []string, current string) components.Field {
	opts := make([]components.Option, len(values))
	for i, v := range values {
		opts[i] = components.Option{Value: v}
		if labels != nil {
			opts[i].Label = labels[i]
		}
	}
	return components.Field{Key: name, Label: label, Kind: components.ChoiceField, Options: opts, Value: current}
}

// yesNo is a choice of "no" and "yes" (form.On reads it).
func yesNo(name, label string, on bool) components.Field {
	cur := "no"
	if on {
		cur = "yes"
	}
	return choiceField(name, label, []string{"no", "yes"}, nil, cur)
}
