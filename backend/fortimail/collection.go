package fortimail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// list fetches a whole collection, page after page, and decodes its
// items. A list that ends short of the appliance's own count is an
// *IncompleteError, returned with the items that were read.
func list[T any](ctx context.Context, c *Client, name, path string) ([]T, error) {
	raw, err := c.readCollection(ctx, name, path)
	if err != nil && !errors.Is(err, ErrIncomplete) {
		return nil, err
	}
	items, derr := decodeItems[T](raw)
	if derr != nil {
		return nil, fmt.Errorf("fortimail: %s: collection: %w", name, derr)
	}
	return items, err
}

// decodeCollection decodes the items of one reply's collection (which
// some appliances send as the string "[]").
func decodeCollection[T any](raw json.RawMessage) ([]T, error) {
	items, err := pageItems(raw)
	if err != nil {
		return nil, err
	}
	return decodeItems[T](items)
}

// decodeItems decodes each item of a collection.
func decodeItems[T any](raw []json.RawMessage) ([]T, error) {
	items := make([]T, 0, len(raw))
	for _, r := range raw {
		var it T
		if err := json.Unmarshal(r, &it); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// get fetches one object.
func get[T any](ctx context.Context, c *Client, name, path string) (T, error) {
	var out T
	err := c.do(ctx, op{name: name, method: http.MethodGet, path: path}, &out)
	return out, err
}

// write sends a body (POST create, PUT update) and decodes the object the
// appliance returns.
func write[T any](ctx context.Context, c *Client, name, method, path string, body any) (T, error) {
	var out T
	err := c.do(ctx, op{name: name, method: method, path: path, body: body}, &out)
	return out, err
}

// remove deletes an object.
func remove(ctx context.Context, c *Client, name, path string) error {
	return c.do(ctx, op{name: name, method: http.MethodDelete, path: path}, nil)
}

// Entry is an item of a collection this package does not model field by
// field (greylist entries: their fields were never documented).
type Entry struct {
	Key    string         // mkey
	Fields map[string]any // every other key, as sent
}

// UnmarshalJSON decodes one collection item.
func (e *Entry) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*e = Entry{Fields: m}
	if k, ok := m["mkey"]; ok && k != nil {
		e.Key = fmt.Sprint(k)
	}
	delete(m, "mkey")
	return nil
}

// ProfileSummary is an item of a profile collection: the appliance lists
// only a few keys (name, comment, and per type a few more); fetch the
// profile for the rest.
type ProfileSummary struct {
	Name    string `json:"mkey"`
	Comment string `json:"comment"`
	// Domain is the owning domain in domain-level lists.
	Domain string `json:"mdomain"`
	// References counts the policies using the profile (a referenced
	// profile cannot be deleted).
	References int `json:"isReferenced"`

	Extra map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the wire form, keeping unknown keys in Extra.
func (p *ProfileSummary) UnmarshalJSON(b []byte) error { return decodeObject(b, p) }
