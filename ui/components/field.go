package components

import (
	"strings"

	"charm.land/bubbles/v2/textinput"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/ui/common"
)

// FieldKind says how the analyst edits a field.
type FieldKind int

const (
	// TextField is a one-line input.
	TextField FieldKind = iota
	// ChoiceField cycles through Options with the choice keys.
	ChoiceField
	// ToggleField is on or off; either choice key flips it.
	ToggleField
)

// Option is one value a ChoiceField offers: Value is what the form
// hands on, Label what the analyst sees (empty: Value).
type Option struct{ Value, Label string }

// Field describes one line of a Form.
type Field struct {
	// Key names the field for Value, On, Pick and Changed.
	Key string
	// Label is drawn left of the value; Hint at the foot of the form
	// while the field has the cursor.
	Label, Hint string
	// Group, when it differs from the previous field's, draws a heading.
	Group string
	Kind  FieldKind
	// Value is a Text field's starting text, or the Value of the Option
	// a Choice starts on (none matching: the first).
	Value string
	// Options are a Choice field's values, in cycling order.
	Options []Option
	// On is a Toggle's starting state.
	On bool
	// Check refuses a Text value the analyst typed; an untouched value is
	// not checked (it is what the server already holds) unless
	// CheckUntouched is set (a name a new object must be given).
	Check          func(value string) error
	CheckUntouched bool
	// MaxLen caps what may be typed (0: 1000 characters).
	MaxLen int
}

// field is a Field being edited.
type field struct {
	Field
	ti *textinput.Model // Text only
	// loaded is what the input made of Value (it drops control
	// characters): while the input still holds loaded, the field's value
	// is Value byte for byte, so an untouched field never becomes a
	// change nobody made.
	loaded       string
	pick, opened int  // Choice
	on           bool // Toggle
	err          string
}

func newField(fd Field) *field {
	f := &field{Field: fd, on: fd.On}
	switch fd.Kind {
	case TextField:
		ti := common.SteadyInput()
		ti.Prompt = ""
		ti.CharLimit = fd.MaxLen
		if ti.CharLimit == 0 {
			ti.CharLimit = 1000
		}
		ti.SetValue(fd.Value)
		f.ti, f.loaded = &ti, ti.Value()
	case ChoiceField:
		for i, o := range fd.Options {
			if o.Value == fd.Value {
				f.pick = i
			}
		}
		f.opened = f.pick
	}
	return f
}

// edited reports that the analyst changed the text since the form opened.
func (f *field) edited() bool { return f.ti != nil && f.ti.Value() != f.loaded }

// value is what the form hands on: a Text field's original until it is
// edited, then the trimmed text; a Choice's option value; a Toggle's
// "yes" or "no".
func (f *field) value() string {
	switch f.Kind {
	case ChoiceField:
		if len(f.Options) == 0 {
			return ""
		}
		return f.Options[f.pick].Value
	case ToggleField:
		if f.on {
			return "yes"
		}
		return "no"
	}
	if !f.edited() {
		return f.Value
	}
	return strings.TrimSpace(f.ti.Value())
}

func (f *field) changed() bool {
	switch f.Kind {
	case ChoiceField:
		return f.pick != f.opened
	case ToggleField:
		return f.on != f.Field.On
	}
	return f.value() != f.Value
}

// check runs the field's Check where it applies and keeps the reason.
func (f *field) check() bool {
	f.err = ""
	if f.Check == nil || f.Kind != TextField || !f.edited() && !f.CheckUntouched {
		return true
	}
	if err := f.Check(f.value()); err != nil {
		f.err = err.Error()
		return false
	}
	return true
}

// cycle moves a Choice by delta, or flips a Toggle.
func (f *field) cycle(delta int) {
	switch f.Kind {
	case ToggleField:
		f.on = !f.on
	case ChoiceField:
		if n := len(f.Options); n > 0 {
			f.pick = (f.pick + delta + n) % n
		}
	}
}

// shown is the field's value as drawn, sanitised: hidden characters
// become markers, never raw bytes.
func (f *field) shown() analysis.Text {
	switch f.Kind {
	case ChoiceField:
		if len(f.Options) == 0 {
			return analysis.Plain("‹ ›")
		}
		o := f.Options[f.pick]
		label := o.Label
		if label == "" {
			label = o.Value
		}
		return analysis.SanitizeLine("‹ " + label + " ›")
	case ToggleField:
		if f.on {
			return analysis.Plain("[x] enabled")
		}
		return analysis.Plain("[ ] disabled")
	}
	if !f.edited() {
		return analysis.SanitizeLine(f.Value)
	}
	return analysis.SanitizeLine(f.ti.Value())
}
