package mimecast

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TimeLayout is how the API writes times, e.g. 2015-11-16T14:49:18+0000.
const TimeLayout = "2006-01-02T15:04:05-0700"

// Time is a timestamp from the API. It reads the vendor's +0000 form and,
// defensively, RFC 3339 forms; an empty or missing value is the zero time.
type Time struct{ time.Time }

var timeLayouts = []string{TimeLayout, time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02"}

// UnmarshalJSON accepts a string in any of timeLayouts, or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time: %s is not a string", b)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			*t = Time{v}
			return nil
		}
	}
	return fmt.Errorf("time %q: not in the API's format", s)
}

// MarshalJSON writes the vendor form, or "" for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(t.UTC().Format(TimeLayout))
}

// apiTime formats a request time; the zero time is left out (omitempty on
// the string).
func apiTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// Address is an email address with its display name.
type Address struct {
	EmailAddress    string `json:"emailAddress"`
	DisplayableName string `json:"displayableName,omitempty"`
}

// String is "Name <addr>" or the bare address.
func (a Address) String() string {
	if a.DisplayableName == "" || a.DisplayableName == a.EmailAddress {
		return a.EmailAddress
	}
	return a.DisplayableName + " <" + a.EmailAddress + ">"
}

// Strings is a list the API documents only as "[]": it reads an array of
// strings, or of objects from which it keeps the first of emailAddress,
// filename, name or value, so an undocumented shape degrades to text
// instead of failing the call.
type Strings []string

// UnmarshalJSON implements the tolerant reading described on Strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if string(b) == "null" || string(b) == `""` {
		*s = nil
		return nil
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		var one string
		if json.Unmarshal(b, &one) == nil {
			*s = Strings{one}
			return nil
		}
		return err
	}
	out := make(Strings, 0, len(raw))
	for _, r := range raw {
		out = append(out, textOf(r))
	}
	*s = out
	return nil
}

func textOf(r json.RawMessage) string {
	var str string
	if json.Unmarshal(r, &str) == nil {
		return str
	}
	var obj map[string]any
	if json.Unmarshal(r, &obj) == nil {
		for _, k := range []string{"emailAddress", "filename", "name", "value"} {
			if v, ok := obj[k].(string); ok {
				return v
			}
		}
	}
	return strings.TrimSpace(string(r))
}
