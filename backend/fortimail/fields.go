package fortimail

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// Object is every typed FortiMail object: the ones Diff, Fields, FieldValue
// and SetField work on.
type Object interface {
	SessionProfile | AntispamProfile | Domain | RecipientPolicy
}

// Kind is the type of a field's value as the console edits it.
type Kind string

// Field kinds.
const (
	KindBool   Kind = "bool"
	KindInt    Kind = "int"
	KindFloat  Kind = "float"
	KindString Kind = "string"
	// KindAction holds the name of an antispam action profile; see
	// ActionChoices.
	KindAction Kind = "action"
	// KindEnum is an integer with a fixed set of meanings in Choices.
	KindEnum Kind = "enum"
	// KindSessionAction holds a session action; see SessionActionChoices.
	KindSessionAction Kind = "session-action"
)

// Choice is one allowed value of a field, with what the console shows.
type Choice struct {
	Value any
	Label string
}

// Field describes one modelled field, so that screens can be built from
// the list rather than by hand.
type Field struct {
	Name    string // wire name, e.g. "conn_idle_timeout"
	Label   string // what the FortiMail GUI calls it
	Group   string // the connector's field group, e.g. "Connection settings"
	Kind    Kind
	Choices []Choice // for action and enum kinds
}

// Show renders a value of the field for display: the label of the choice
// it is, else the value itself.
func (f Field) Show(v any) string {
	for _, c := range f.Choices {
		if c.Value == v {
			return c.Label
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// Fields lists the modelled fields of T in display order.
func Fields[T Object]() []Field {
	wt := wireTypeOf(reflect.TypeFor[T]())
	out := make([]Field, len(wt.fields))
	for i, f := range wt.fields {
		out[i] = f.Field
	}
	return out
}

// FieldValue returns the value of a field by wire name, modelled or kept in
// Extra; ok is false when obj has no such field.
func FieldValue[T Object](obj T, name string) (value any, ok bool) {
	v := reflect.ValueOf(obj)
	wt := wireTypeOf(v.Type())
	if i, ok := wt.byName[name]; ok {
		return v.Field(wt.fields[i].index).Interface(), true
	}
	raw, ok := v.Field(wt.extra).Interface().(map[string]json.RawMessage)[name]
	if !ok {
		return nil, false
	}
	return rawValue(raw), true
}

// SetField sets a modelled field from text or a Go value of the right kind
// ("60", 60, "enable", true), converting as the wire decoder does. A name
// that is not modelled sets Extra verbatim, which is how an analyst edits a
// field this package does not know.
func SetField[T Object](obj *T, name string, value any) error {
	v := reflect.ValueOf(obj).Elem()
	wt := wireTypeOf(v.Type())
	i, ok := wt.byName[name]
	if !ok {
		return setExtra(v.Field(wt.extra), name, value)
	}
	field := v.Field(wt.fields[i].index)
	if rv := reflect.ValueOf(value); rv.IsValid() && sameKind(rv.Kind(), field.Kind()) {
		field.Set(rv.Convert(field.Type()))
		return nil
	}
	if err := setFromText(field, fmt.Sprint(value)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func setExtra(extra reflect.Value, name string, value any) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	m, _ := extra.Interface().(map[string]json.RawMessage)
	clone := make(map[string]json.RawMessage, len(m)+1)
	for k, r := range m {
		clone[k] = r
	}
	clone[name] = raw
	extra.Set(reflect.ValueOf(clone))
	return nil
}

// rawValue decodes a kept JSON value for display and comparison.
func rawValue(raw json.RawMessage) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	return v
}

// sameKind reports whether a value of kind a can be stored as is in a
// field of kind b (an enum constant into its int field, say).
func sameKind(a, b reflect.Kind) bool {
	isInt := func(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Int64 }
	return a == b || isInt(a) && isInt(b)
}
