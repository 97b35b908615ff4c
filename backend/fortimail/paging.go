package fortimail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
)

// A collection reply (GET without an id) carries totalRemoteCount, the
// number of items the appliance holds, and nextPage, true when this reply
// is one page of several. The reference documents the paging parameters
// startIndex and pageSize only for the quarantine listing, so the first
// request goes out without them, exactly as before paging was followed,
// and only an appliance that says nextPage is asked for the next pages.

// maxCollection bounds how many items one collection read accepts: far
// above any real list, low enough that a misbehaving appliance cannot
// make the client page forever or fill memory.
const maxCollection = 200_000

// ErrIncomplete means a collection could not be read whole: the appliance
// stopped paging before the count it announced, repeated items, or the
// collection changed while it was read. Match it with errors.Is.
var ErrIncomplete = errors.New("incomplete collection")

// IncompleteError says how much of a collection was read and why the
// rest was not. The items read are returned with it, so a caller may show
// them — saying they are not all — rather than nothing.
type IncompleteError struct {
	Op     string // what we were listing: "list session profiles"
	Got    int    // items read
	Total  int    // items the appliance said it holds (totalRemoteCount)
	Reason string // why the read stopped
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("fortimail: %s: incomplete: read %d of %d items (%s)", e.Op, e.Got, e.Total, e.Reason)
}

// Is matches ErrIncomplete.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// collectionPage is the envelope of one collection reply.
type collectionPage struct {
	Collection json.RawMessage `json:"collection"`
	Total      json.RawMessage `json:"totalRemoteCount"`
	NextPage   json.RawMessage `json:"nextPage"`
}

// pageState is what a collection read has seen so far.
type pageState struct {
	name    string
	items   []json.RawMessage
	keys    map[string]bool // mkeys seen, to notice an appliance that ignores startIndex
	total   int             // the latest totalRemoteCount; -1 when none was sent
	changed bool            // the pages announced different totals
}

// readCollection reads every page of a collection and returns its items
// undecoded. An *IncompleteError comes with the items read.
func (c *Client) readCollection(ctx context.Context, name, path string) ([]json.RawMessage, error) {
	st := &pageState{name: name, keys: map[string]bool{}, total: -1}
	pageSize := 0
	for {
		reqPath := path
		if len(st.items) > 0 {
			reqPath += "?startIndex=" + strconv.Itoa(len(st.items)) + "&pageSize=" + strconv.Itoa(pageSize)
		}
		var page collectionPage
		if err := c.do(ctx, op{name: name, method: http.MethodGet, path: reqPath}, &page); err != nil {
			if len(st.items) > 0 {
				return st.items, fmt.Errorf("%w; %w", st.incomplete("a later page failed"), err)
			}
			return nil, err
		}
		n, more, err := st.add(page)
		if err != nil {
			return st.items, err
		}
		if pageSize == 0 {
			// Never ask for larger pages than the appliance chose itself.
			pageSize = n
		}
		if !more {
			return st.items, st.check()
		}
		if n == 0 {
			return st.items, st.incomplete("the appliance announced another page and sent an empty one")
		}
	}
}

// add takes in one page: its items, its total, whether more follow. It
// returns the number of items the page held.
func (st *pageState) add(page collectionPage) (n int, more bool, err error) {
	items, err := pageItems(page.Collection)
	if err != nil {
		return 0, false, fmt.Errorf("fortimail: %s: collection: %w", st.name, err)
	}
	if len(page.Total) > 0 {
		t := lenientInt(page.Total)
		st.changed = st.changed || (st.total >= 0 && t != st.total)
		st.total = t
	}
	for _, it := range items {
		if k, ok := itemKey(it); ok {
			if st.keys[k] {
				return 0, false, st.incomplete(fmt.Sprintf("the appliance sent %q twice: it does not seem to page by startIndex", k))
			}
			st.keys[k] = true
		}
		st.items = append(st.items, it)
	}
	if len(st.items) > maxCollection {
		return 0, false, st.incomplete(fmt.Sprintf("more than %d items: too large to read whole", maxCollection))
	}
	return len(items), lenientBool(page.NextPage), nil
}

// check compares what was read with the count the appliance announced.
func (st *pageState) check() error {
	switch {
	case st.total < 0 || (len(st.items) == st.total && !st.changed):
		return nil
	case st.changed:
		return st.incomplete("the collection changed while it was read; read it again")
	case len(st.items) < st.total:
		return st.incomplete("the appliance stopped paging early")
	default:
		return st.incomplete("the appliance sent more items than it counted")
	}
}

func (st *pageState) incomplete(reason string) error {
	total := st.total
	if total < 0 {
		total = len(st.items)
	}
	return &IncompleteError{Op: st.name, Got: len(st.items), Total: total, Reason: reason}
}

// pageItems splits a page's collection into its items. Some replies carry
// the collection as the string "[]".
func pageItems(raw json.RawMessage) ([]json.RawMessage, error) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		raw = json.RawMessage(s)
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	return items, nil
}

// itemKey is an item's mkey, as text; false when it has none.
func itemKey(item json.RawMessage) (string, bool) {
	var k struct {
		Key json.RawMessage `json:"mkey"`
	}
	if json.Unmarshal(item, &k) != nil || len(k.Key) == 0 || string(k.Key) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(k.Key, &s) == nil {
		return s, true
	}
	return string(k.Key), true // a number, as sent
}

// lenientBool reads a flag sent as true, 1 or "true"; anything else is
// false.
func lenientBool(raw json.RawMessage) bool {
	var b bool
	if len(raw) == 0 || setFromJSON(reflect.ValueOf(&b).Elem(), raw) != nil {
		return false
	}
	return b
}
