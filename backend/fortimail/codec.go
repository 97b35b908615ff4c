package fortimail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Objects are decoded field by field rather than with encoding/json's
// struct decoding for two reasons: firmware versions disagree on the JSON
// type of some fields (a flag may come as true, 1 or "enable"; the seed
// documentation shows every value as a string), and every key we do not
// model must survive in Extra so that a later write does not lose it.

// metaKeys are envelope keys of a single-object reply. They describe the
// reply, not the object, so they are neither modelled nor sent back.
var metaKeys = map[string]bool{
	"objectID":         true,
	"reqAction":        true,
	"nodePermission":   true,
	"isReferenced":     true,
	"errorType":        true,
	"errorMsg":         true,
	"totalRemoteCount": true,
	"subCount":         true,
	"remoteSorting":    true,
	"nextPage":         true,
}

// wireField describes one modelled field of an object type.
type wireField struct {
	index int
	Field
}

// wireType is what the codec knows about one object type.
type wireType struct {
	fields []wireField
	byName map[string]int // wire name → position in fields
	extra  int            // struct index of the Extra map
}

var wireTypes sync.Map // reflect.Type → *wireType

var rawMapType = reflect.TypeFor[map[string]json.RawMessage]()

// wireTypeOf reads the json, label, group and kind tags of t once.
func wireTypeOf(t reflect.Type) *wireType {
	if wt, ok := wireTypes.Load(t); ok {
		return wt.(*wireType)
	}
	wt := &wireType{byName: map[string]int{}, extra: -1}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Name == "Extra" && sf.Type == rawMapType {
			wt.extra = i
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		f := Field{Name: name, Label: sf.Tag.Get("label"), Group: sf.Tag.Get("group"), Kind: kindOf(sf)}
		f.Choices = choicesFor(f)
		wt.byName[name] = len(wt.fields)
		wt.fields = append(wt.fields, wireField{index: i, Field: f})
	}
	if wt.extra < 0 {
		panic("fortimail: " + t.Name() + " has no Extra map")
	}
	actual, _ := wireTypes.LoadOrStore(t, wt)
	return actual.(*wireType)
}

func kindOf(sf reflect.StructField) Kind {
	if k := sf.Tag.Get("kind"); k != "" {
		return Kind(k)
	}
	switch sf.Type.Kind() {
	case reflect.Bool:
		return KindBool
	case reflect.Int:
		return KindInt
	case reflect.Float64:
		return KindFloat
	default:
		return KindString
	}
}

// decodeObject fills the struct dst points to from a JSON object.
func decodeObject(data []byte, dst any) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	v := reflect.ValueOf(dst).Elem()
	v.SetZero()
	wt := wireTypeOf(v.Type())
	extra := map[string]json.RawMessage{}
	for k, r := range raw {
		i, ok := wt.byName[k]
		if !ok {
			if !metaKeys[k] {
				extra[k] = r
			}
			continue
		}
		if err := setFromJSON(v.Field(wt.fields[i].index), r); err != nil {
			return fmt.Errorf("field %s: %w", k, err)
		}
	}
	if len(extra) > 0 {
		v.Field(wt.extra).Set(reflect.ValueOf(extra))
	}
	return nil
}

// encodeObject renders src (a struct value) as a wire object: Extra first,
// then the modelled fields, which win if a key is in both.
func encodeObject(src any) ([]byte, error) {
	v := reflect.ValueOf(src)
	wt := wireTypeOf(v.Type())
	out := map[string]any{}
	for k, r := range v.Field(wt.extra).Interface().(map[string]json.RawMessage) {
		out[k] = r
	}
	for _, f := range wt.fields {
		out[f.Name] = v.Field(f.index).Interface()
	}
	return json.Marshal(out)
}

// setFromJSON stores one raw JSON value into a bool, int, float or string
// field, accepting the spellings firmware versions use for each.
func setFromJSON(field reflect.Value, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		field.SetZero()
		return nil
	}
	var s string
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
	} else {
		s = string(raw)
	}
	return setFromText(field, s)
}

// setFromText converts text to the field's type. It is also how SetField
// turns an analyst's typed input into a value.
func setFromText(field reflect.Value, s string) error {
	s = strings.TrimSpace(s)
	switch field.Kind() {
	case reflect.Bool:
		b, err := parseFlag(s)
		if err != nil {
			return err
		}
		field.SetBool(b)
	case reflect.Int:
		n, err := parseInt(s)
		if err != nil {
			return err
		}
		field.SetInt(n)
	case reflect.Float64:
		if s == "" {
			field.SetFloat(0)
			return nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		field.SetFloat(f)
	default:
		field.SetString(s)
	}
	return nil
}

func parseFlag(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1", "enable", "enabled", "on", "yes":
		return true, nil
	case "false", "0", "disable", "disabled", "off", "no", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not on/off", s)
}

func parseInt(s string) (int64, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "true":
		return 1, nil
	case "false":
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	// Integral values written as 30.0 are still integers.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return int64(f), nil
}

// sortedKeys returns the keys of m in order, so output is stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lenientInt reads an integer sent as a number or a string; 0 if absent.
func lenientInt(raw json.RawMessage) int {
	var n int
	if len(raw) == 0 || setFromJSON(reflect.ValueOf(&n).Elem(), raw) != nil {
		return 0
	}
	return n
}
