package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// A folder's members are kept current with delta queries: the first round
// reads every message (ids and state, in pages of PageSize), later rounds
// follow the deltaLink and read only what arrived, changed or left. The
// link is kept in the journal, so a restarted process also reads only
// the changes since it last looked.

// changes is what one delta round found.
type changes struct {
	first                   bool // the folder was read whole: nothing to report as news
	arrived, gone, modified int
}

// sync runs one delta round over folder id and applies it to the UID map.
func (m *Mailbox) sync(ctx context.Context, id string) (changes, error) {
	m.mu.Lock()
	f := m.state(id)
	m.mu.Unlock()
	f.syncMu.Lock()
	defer f.syncMu.Unlock()
	m.mu.Lock()
	err := f.refresh() // another process may have moved the link on
	link := f.delta
	m.mu.Unlock()
	if err != nil {
		return changes{}, err
	}
	items, next, err := m.deltaRound(ctx, id, link)
	if err != nil && link != "" && syncStateLost(err) {
		// The sync state expired (410) or was refused: read it all again.
		link = ""
		items, next, err = m.deltaRound(ctx, id, "")
	}
	if err != nil {
		return changes{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := changes{first: link == "" && f.delta == ""}
	err = f.update(func() error {
		now := time.Now()
		ch.arrived, ch.gone, ch.modified = f.applyDelta(items, link == "", now)
		f.setDelta(next, ch.arrived+ch.gone > 0 || link == "", now)
		return nil
	})
	return ch, err
}

// applyDelta applies a round's items; whole says they are the entire
// folder, so members missing from them left it.
func (f *folderState) applyDelta(items []message, whole bool, now time.Time) (arrived, gone, modified int) {
	f.pruneSeen(now)
	var present map[string]bool
	if whole {
		present = make(map[string]bool, len(items))
	}
	var fresh []message
	for _, msg := range items {
		u, member := f.byID[msg.ID]
		switch {
		case msg.Removed != nil:
			if member {
				f.drop(u)
				gone++
			}
			continue
		case member:
			modified++
		default:
			fresh = append(fresh, msg)
		}
		if present != nil {
			present[msg.ID] = true
		}
		f.seen[msg.ID] = stateSample{msg: msg, at: now}
	}
	if present != nil {
		for id, u := range f.byID {
			if !present[id] {
				f.drop(u)
				gone++
			}
		}
	}
	before := len(f.byID)
	f.assign(fresh)
	return len(f.byID) - before, gone, modified
}

// deltaRound reads one round of the folder's delta: from link, or from
// the start when link is "". It returns the items and the next deltaLink.
func (m *Mailbox) deltaRound(ctx context.Context, id, link string) ([]message, string, error) {
	path := link
	if path == "" {
		path = "/mailFolders/" + url.PathEscape(id) + "/messages/delta?$select=" + stateFields
	}
	header := http.Header{"Prefer": {"odata.maxpagesize=" + strconv.Itoa(m.cfg.PageSize)}}
	var items []message
	var next string
	for path != "" {
		var p page[message]
		body, _, err := m.do(ctx, request{method: http.MethodGet, path: path, header: header})
		if err == nil {
			err = decode(body, &p)
		}
		if err != nil {
			return nil, "", fmt.Errorf("changes in the folder: %w", err)
		}
		items = append(items, p.Value...)
		if p.DeltaLink != "" {
			next = p.DeltaLink
		}
		path = p.NextLink
	}
	return items, next, nil
}

// syncStateLost is Graph saying a deltaLink can no longer be followed
// (410 Gone, or 400 for a token it cannot read): the folder must be read
// whole again. Throttling or a refused token are not that.
func syncStateLost(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && (ge.Status == http.StatusGone || ge.Status == http.StatusBadRequest)
}

// pruneSeen forgets states too old to be used, so that a large folder's
// first read does not stay in memory.
func (f *folderState) pruneSeen(now time.Time) {
	for id, s := range f.seen {
		if now.Sub(s.at) >= stateMaxAge {
			delete(f.seen, id)
		}
	}
}
