package fortimail

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// ErrNoChanges means an update was asked for with nothing to send.
var ErrNoChanges = errors.New("no changes to send")

// Change is one field that differs between two versions of an object.
type Change struct {
	Field string // wire name
	Label string // GUI label; "" for a field kept in Extra
	Group string
	Old   any // nil when the field was absent
	New   any
}

// String renders the change for a confirmation dialog:
// `Connection idle timeout (seconds) (conn_idle_timeout): 30 → 60`.
func (c Change) String() string {
	name := c.Field
	if c.Label != "" {
		name = c.Label + " (" + c.Field + ")"
	}
	return fmt.Sprintf("%s: %s → %s", name, showValue(c.Old), showValue(c.New))
}

func showValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "(unset)"
	case string:
		if v == "" {
			return `""`
		}
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprint(v)
	}
}

// Diff lists the fields whose values differ from old to new, modelled
// fields first in display order, then fields kept in Extra by name. The key
// (mkey) is not compared: an update cannot rename an object. A key that is
// in old's Extra but not in new's is not reported, because a partial PUT
// cannot remove a field from a FortiMail object.
func Diff[T Object](old, new T) []Change {
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(new)
	wt := wireTypeOf(ov.Type())
	var out []Change
	for _, f := range wt.fields {
		if f.Name == "mkey" {
			continue
		}
		a, b := ov.Field(f.index).Interface(), nv.Field(f.index).Interface()
		if a != b {
			out = append(out, Change{Field: f.Name, Label: f.Label, Group: f.Group, Old: a, New: b})
		}
	}
	oe := ov.Field(wt.extra).Interface().(map[string]json.RawMessage)
	ne := nv.Field(wt.extra).Interface().(map[string]json.RawMessage)
	for _, k := range sortedKeys(ne) {
		before, had := oe[k]
		if had && sameJSON(before, ne[k]) {
			continue
		}
		c := Change{Field: k, New: rawValue(ne[k])}
		if had {
			c.Old = rawValue(before)
		}
		out = append(out, c)
	}
	return out
}

// sameJSON compares two JSON values ignoring insignificant whitespace.
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// changesBody is the partial PUT body: only the changed fields.
func changesBody(changes []Change) (map[string]any, error) {
	if len(changes) == 0 {
		return nil, ErrNoChanges
	}
	body := make(map[string]any, len(changes))
	for _, c := range changes {
		if c.Field == "" || metaKeys[c.Field] || c.Field == "mkey" {
			return nil, fmt.Errorf("field %q cannot be updated", c.Field)
		}
		body[c.Field] = c.New
	}
	return body, nil
}
