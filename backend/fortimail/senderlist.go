package fortimail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ListKind is a block list or a safe list.
type ListKind int

// List kinds.
const (
	BlockList ListKind = iota
	SafeList
)

func (k ListKind) String() string {
	if k == SafeList {
		return "safe list"
	}
	return "block list"
}

// senderListAPI is the resource and extraParam spelling of the sender
// lists: firmware 7.x has SenderListV2 with blocklist/safelist, 6.x had
// UserMaillist with blacklist/whitelist (the 6.x spelling follows the
// reference and is unverified on a device).
type senderListAPI struct {
	resource  string
	block     string
	safe      string
	scopeName string
}

func (a senderListAPI) param(k ListKind) string {
	if k == SafeList {
		return a.safe
	}
	return a.block
}

// senderList picks the API by the configured version, else the version the
// login reported; an unknown version means the current API.
func (c *Client) senderList(ctx context.Context, scope string) (senderListAPI, error) {
	v := c.version
	if v.IsZero() {
		info, err := c.Login(ctx)
		if err != nil {
			return senderListAPI{}, err
		}
		v = info.version()
	}
	if scope == "" {
		scope = System
	}
	if !v.IsZero() && !v.AtLeast(7, 0) {
		return senderListAPI{resource: "UserMaillist", block: "blacklist", safe: "whitelist", scopeName: scope}, nil
	}
	return senderListAPI{resource: "SenderListV2", block: "blocklist", safe: "safelist", scopeName: scope}, nil
}

func (a senderListAPI) path() string { return a.resource + "/" + seg(a.scopeName) + "/" }

func (a senderListAPI) opName(verb string, k ListKind) string {
	if a.scopeName == System {
		return fmt.Sprintf("%s system sender %s", verb, k)
	}
	return fmt.Sprintf("%s sender %s of %s", verb, k, a.scopeName)
}

// SenderList returns the system ("" or System) or domain sender block or
// safe list: addresses, patterns such as *@example.com, or IP/netmasks.
func (c *Client) SenderList(ctx context.Context, scope string, k ListKind) ([]string, error) {
	api, err := c.senderList(ctx, scope)
	if err != nil {
		return nil, err
	}
	var reply struct {
		Items json.RawMessage `json:"listitems"`
	}
	body := map[string]any{"extraParam": api.param(k), "reqAction": 1}
	o := op{name: api.opName("get", k), method: http.MethodPost, path: api.path(), body: body}
	if err := c.do(ctx, o, &reply); err != nil {
		return nil, err
	}
	items, err := splitItems(reply.Items)
	if err != nil {
		return nil, fmt.Errorf("fortimail: %s: listitems: %w", o.name, err)
	}
	return items, nil
}

// AddToSenderList adds entries to a system or domain sender list.
func (c *Client) AddToSenderList(ctx context.Context, scope string, k ListKind, entries ...string) error {
	return c.changeSenderList(ctx, scope, k, "add to", 2, entries)
}

// RemoveFromSenderList removes entries from a system or domain sender list.
func (c *Client) RemoveFromSenderList(ctx context.Context, scope string, k ListKind, entries ...string) error {
	return c.changeSenderList(ctx, scope, k, "remove from", 3, entries)
}

func (c *Client) changeSenderList(ctx context.Context, scope string, k ListKind, verb string, action int, entries []string) error {
	api, err := c.senderList(ctx, scope)
	if err != nil {
		return err
	}
	name := api.opName(verb, k)
	if len(entries) == 0 {
		return fmt.Errorf("fortimail: %s: no entries", name)
	}
	for _, e := range entries {
		if err := checkEntry(e); err != nil {
			return fmt.Errorf("fortimail: %s: %w", name, err)
		}
	}
	body := map[string]any{"extraParam": api.param(k), "listitems": strings.Join(entries, ","), "reqAction": action}
	return c.do(ctx, op{name: name, method: http.MethodPost, path: api.path(), body: body}, nil)
}

// splitItems reads listitems: one comma-joined string on the wire (an
// array is accepted too, should a firmware send one).
func splitItems(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var parts []string
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &parts); err != nil {
			return nil, err
		}
	} else {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		parts = strings.Split(s, ",")
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}
