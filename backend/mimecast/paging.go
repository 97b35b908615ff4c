package mimecast

import (
	"context"
	"encoding/json"
	"fmt"
)

// ListOptions bound a list call. The zero value lists everything.
type ListOptions struct {
	// Max stops after this many items (0: no limit). Ask for one more than
	// a screen shows to learn whether there are more.
	Max int
	// PageSize overrides the client's page size for this call.
	PageSize int
	// PageToken starts from a page token obtained elsewhere.
	PageToken string
	// Next, when set, receives the token of the page after the last one
	// read ("" when the list is at its end), so a caller can read a long
	// list a piece at a time. With Next set, a page the server made longer
	// than asked is kept whole rather than cut at Max, so no item falls
	// between two pieces.
	Next *string
}

// extractor turns one element of data[] into result items: some endpoints
// put items directly in data[], others nest them in data[0].<field>.
type extractor[T any] func(json.RawMessage) ([]T, error)

func direct[T any](raw json.RawMessage) ([]T, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return []T{v}, nil
}

func nested[T any](field string) extractor[T] {
	return func(raw json.RawMessage) ([]T, error) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, err
		}
		var out []T
		if inner, ok := obj[field]; ok && string(inner) != "null" {
			if err := json.Unmarshal(inner, &out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

// list follows meta.pagination.next until the server stops giving one, ctx
// ends, or opts.Max items are in hand. Reads only: each page is retried.
func list[T any](ctx context.Context, c *Client, path string, item any, opts ListOptions, ex extractor[T]) ([]T, error) {
	var items []any
	if item != nil {
		items = []any{item}
	}
	out := []T{}
	seen := map[string]bool{}
	token := opts.PageToken
	for {
		size := c.pageSize(opts, len(out))
		resp, err := c.call(ctx, path, items, &pageRequest{PageSize: size, PageToken: token}, readCall)
		if err != nil {
			return out, err
		}
		if out, err = appendPage(out, resp, ex); err != nil {
			return out, fmt.Errorf("mimecast %s: unexpected answer: %w", path, err)
		}
		token = resp.Meta.Pagination.Next
		if opts.Next != nil {
			*opts.Next = token
		}
		if opts.Max > 0 && len(out) >= opts.Max {
			if opts.Next != nil {
				return out, nil
			}
			return out[:opts.Max], nil
		}
		if token == "" {
			return out, nil
		}
		if seen[token] {
			return out, fmt.Errorf("mimecast %s: the server repeated a page token; stopped after %d items", path, len(out))
		}
		seen[token] = true
	}
}

func (c *Client) pageSize(opts ListOptions, have int) int {
	size := c.opts.PageSize
	if opts.PageSize > 0 {
		size = opts.PageSize
	}
	if opts.Max > 0 {
		size = min(size, opts.Max-have)
	}
	return size
}

func appendPage[T any](out []T, resp *response, ex extractor[T]) ([]T, error) {
	for _, raw := range resp.Data {
		got, err := ex(raw)
		if err != nil {
			return out, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// one sends a single-item call and decodes data[0] into T.
func one[T any](ctx context.Context, c *Client, path string, item any, kind callKind) (T, error) {
	var v T
	resp, err := c.call(ctx, path, []any{item}, nil, kind)
	if err != nil {
		return v, err
	}
	if len(resp.Data) == 0 {
		return v, &APIError{Path: path, Status: 404}
	}
	if err := json.Unmarshal(resp.Data[0], &v); err != nil {
		return v, fmt.Errorf("mimecast %s: unexpected answer: %w", path, err)
	}
	return v, nil
}
