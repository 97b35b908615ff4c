package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// Move moves uids to dest with one /move per message, in $batch requests.
// Each answer carries the message as it now is in dest; it gets a UID
// there. Messages whose move failed are still at the source.
func (m *Mailbox) Move(ctx context.Context, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	return m.transfer(ctx, "move", from, uids, dest)
}

// Copy copies uids to dest with one /copy per message; copies get new ids.
func (m *Mailbox) Copy(ctx context.Context, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	return m.transfer(ctx, "copy", from, uids, dest)
}

func (m *Mailbox) transfer(ctx context.Context, verb string, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	t := mail.Transfer{From: from, To: mail.FolderRef{Name: dest}}
	if len(uids) == 0 {
		return t, nil
	}
	l, err := m.resolveForChange(ctx, from, uids)
	if err != nil {
		return t, err
	}
	destID, err := m.folderID(ctx, dest)
	if err != nil {
		t.NotDone = slices.Clone(uids)
		return t, fmt.Errorf("%s to %q: 0 of %d done: %w", verb, dest, len(uids), err)
	}
	var calls []call
	var asked []mail.UID
	var gids []string
	for _, u := range uids {
		gid, ok := l.ids[u]
		if !ok {
			t.NotDone = append(t.NotDone, u) // not (or no longer) here
			continue
		}
		calls = append(calls, call{method: http.MethodPost, path: msgPath(gid) + "/" + verb, body: map[string]string{"destinationId": destID}})
		asked = append(asked, u)
		gids = append(gids, gid)
	}
	res, berr := m.batch(ctx, calls)
	if verb == "move" && isUncertain(berr) {
		// Never sent again blindly: ask where each unanswered message
		// is, book the moves that happened, resend only the others.
		berr = m.settle(ctx, calls, gids, res, func(parent string) (done, again bool) {
			return parent == destID, parent == l.id
		})
	}
	m.mu.Lock()
	src, dst := m.state(l.id), m.state(destID)
	t.To.UIDValidity = dst.validity
	var firstErr error
	var arrived []message // what arrived in dest, in the order of t.Done
	for i, r := range res {
		u := asked[i]
		var moved message
		if r.err == nil && r.status == 0 {
			r.err = berr // the batch itself failed before this one ran
		}
		if r.err == nil {
			r.err = decode(r.body, &moved)
		}
		if r.err != nil {
			t.NotDone = append(t.NotDone, u)
			if firstErr == nil && !IsNotFound(r.err) {
				firstErr = r.err
			}
			continue
		}
		t.Done = append(t.Done, mail.UIDPair{Src: u})
		arrived = append(arrived, moved)
	}
	// Book the moves in both maps (and journals): the source forgets the
	// UIDs, the destination hands out new ones.
	jerr := src.update(func() error {
		if verb == "move" && src != dst {
			for _, p := range t.Done {
				src.drop(p.Src)
			}
		}
		return nil
	})
	if jerr == nil {
		jerr = dst.update(func() error {
			for i := range t.Done {
				t.Done[i].Dst = dst.add(arrived[i].ID)
			}
			return nil
		})
	}
	m.mu.Unlock()
	firstErr = cmpErr(firstErr, jerr)
	if berr != nil && firstErr == nil {
		firstErr = berr
	}
	slices.SortFunc(t.Done, func(a, b mail.UIDPair) int { return int(a.Src) - int(b.Src) })
	slices.Sort(t.NotDone)
	if firstErr != nil {
		return t, fmt.Errorf("%s to %q: %d of %d done: %w", verb, dest, len(t.Done), len(uids), firstErr)
	}
	return t, nil
}

// Store reads each message's read state, flag and categories, works out
// what the change really alters, and PATCHes only those messages. The
// categories list is replaced whole, so it is written with If-Match on the
// ETag just read; a message changed meanwhile is read and tried again.
func (m *Mailbox) Store(ctx context.Context, folder mail.FolderRef, uids []mail.UID, change mail.FlagChange) (mail.StoreResult, error) {
	res := mail.StoreResult{Added: map[string][]mail.UID{}, Removed: map[string][]mail.UID{}}
	for _, f := range append(slices.Clone(change.Add), change.Remove...) {
		switch f {
		case mail.FlagDeleted:
			return res, errNoDeletedFlag
		case mail.FlagAnswered:
			return res, errors.New(`a Graph mailbox does not let a client set \Answered`)
		}
		if strings.HasPrefix(f, `\`) && f != mail.FlagSeen && f != mail.FlagFlagged {
			return res, fmt.Errorf("flag %s is not supported on Graph", f)
		}
	}
	if len(uids) == 0 {
		return res, nil
	}
	l, err := m.resolveForChange(ctx, folder, uids)
	if err != nil {
		return res, err
	}
	todo := uids
	for round := 0; len(todo) > 0; round++ {
		msgs, err := m.getMany(ctx, l, todo, stateFields)
		if err != nil {
			return res, fmt.Errorf("change flags of %d messages in %q: %w", len(uids), folder.Name, err)
		}
		var calls []call
		var plans []storePlan
		for _, u := range todo {
			msg, ok := msgs[u]
			if !ok {
				continue
			}
			p := planStore(u, msg, change)
			if p.patch == nil {
				continue
			}
			c := call{method: http.MethodPatch, path: msgPath(msg.ID), body: p.patch}
			if _, ok := p.patch["categories"]; ok && msg.ETag != "" {
				c.header = map[string]string{"If-Match": msg.ETag}
			}
			calls = append(calls, c)
			plans = append(plans, p)
		}
		answers, err := m.batch(ctx, calls)
		if err != nil {
			return res, fmt.Errorf("change flags of %d messages in %q: %w", len(uids), folder.Name, err)
		}
		todo = nil
		var firstErr error
		for i, a := range answers {
			switch {
			case a.err == nil:
				plans[i].book(&res)
			case a.status == http.StatusPreconditionFailed && round < 3:
				todo = append(todo, plans[i].uid) // changed meanwhile: read again
			case IsNotFound(a.err):
			default:
				firstErr = cmpErr(firstErr, a.err)
			}
		}
		if firstErr != nil {
			return res, fmt.Errorf("change flags of %d messages in %q: %w", len(uids), folder.Name, firstErr)
		}
	}
	return res, nil
}

func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// storePlan is the PATCH for one message and what it changes.
type storePlan struct {
	uid            mail.UID
	patch          map[string]any
	added, removed []string
}

func (p storePlan) book(res *mail.StoreResult) {
	for _, f := range p.added {
		res.Added[f] = append(res.Added[f], p.uid)
	}
	for _, f := range p.removed {
		res.Removed[f] = append(res.Removed[f], p.uid)
	}
}

func planStore(u mail.UID, msg *message, change mail.FlagChange) storePlan {
	p := storePlan{uid: u}
	set := func(k string, v any) {
		if p.patch == nil {
			p.patch = map[string]any{}
		}
		p.patch[k] = v
	}
	cats := slices.Clone(msg.Categories)
	catsChanged := false
	apply := func(f string, add bool) {
		switch f {
		case mail.FlagSeen:
			if msg.IsRead != add {
				set("isRead", add)
			} else {
				return
			}
		case mail.FlagFlagged:
			if msg.flagged() == add {
				return
			}
			status := "notFlagged"
			if add {
				status = "flagged"
			}
			set("flag", followupFlag{FlagStatus: status})
		default:
			name := mail.DecodeKeyword(f)
			i := slices.IndexFunc(cats, func(c string) bool { return strings.EqualFold(c, name) })
			if (i >= 0) == add {
				return
			}
			if add {
				cats = append(cats, name)
			} else {
				cats = slices.Delete(cats, i, i+1)
			}
			catsChanged = true
		}
		if add {
			p.added = append(p.added, f)
		} else {
			p.removed = append(p.removed, f)
		}
	}
	for _, f := range change.Add {
		apply(f, true)
	}
	for _, f := range change.Remove {
		apply(f, false)
	}
	if catsChanged {
		if cats == nil {
			cats = []string{}
		}
		set("categories", cats)
	}
	return p
}

// Expunge deletes uids permanently (permanentDelete: to Purges, gone after
// the retention period unless on hold). A message already gone counts as
// deleted.
func (m *Mailbox) Expunge(ctx context.Context, folder mail.FolderRef, uids []mail.UID) ([]mail.UID, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	l, err := m.resolveForChange(ctx, folder, uids)
	if err != nil {
		return nil, err
	}
	var calls []call
	var asked []mail.UID
	var gids []string
	for _, u := range uids {
		if gid, ok := l.ids[u]; ok {
			calls = append(calls, call{method: http.MethodPost, path: msgPath(gid) + "/permanentDelete"})
			asked = append(asked, u)
			gids = append(gids, gid)
		}
	}
	res, berr := m.batch(ctx, calls)
	if isUncertain(berr) {
		// A message still there was not deleted: only those go again
		// (one that is gone is answered 404 by the lookup: deleted).
		berr = m.settle(ctx, calls, gids, res, func(parent string) (done, again bool) {
			return false, parent == l.id
		})
	}
	var gone []mail.UID
	var firstErr error
	for i, r := range res {
		if r.status == 0 && r.err == nil {
			continue // never sent
		}
		if r.err == nil || IsNotFound(r.err) {
			gone = append(gone, asked[i])
			continue
		}
		firstErr = cmpErr(firstErr, r.err)
	}
	m.mu.Lock()
	f := m.state(l.id)
	firstErr = cmpErr(firstErr, f.update(func() error {
		for _, u := range gone {
			f.drop(u)
		}
		return nil
	}))
	m.mu.Unlock()
	firstErr = cmpErr(firstErr, berr)
	slices.Sort(gone)
	if firstErr != nil {
		return gone, fmt.Errorf("delete %d messages permanently in %q: %w", len(uids), folder.Name, firstErr)
	}
	return gone, nil
}

// settle finds out what became of the calls a broken link left without
// an answer (status 0): each message is looked up, and judge says from
// its folder now whether its call took effect (the answer becomes the
// message as it is) or certainly did not (the call goes again, once). A
// message the lookup does not find is answered 404. What stays unknown
// keeps the ErrUncertain error.
func (m *Mailbox) settle(ctx context.Context, calls []call, gids []string, res []result, judge func(parent string) (done, again bool)) error {
	var open []int
	var looks []call
	for i, r := range res {
		if r.status == 0 {
			open = append(open, i)
			looks = append(looks, call{method: http.MethodGet, path: msgPath(gids[i]) + "?$select=id,parentFolderId"})
		}
	}
	found, err := m.batch(ctx, looks)
	if err != nil {
		return fmt.Errorf("%w (and the lookup failed: %v)", ErrUncertain, err)
	}
	var again []int
	var unknown error
	for k, i := range open {
		var msg message
		switch f := found[k]; {
		case IsNotFound(f.err):
			res[i] = f
		case f.err != nil:
			unknown = fmt.Errorf("%w (lookup: %v)", ErrUncertain, f.err)
		case decode(f.body, &msg) != nil:
			unknown = ErrUncertain
		default:
			done, resend := judge(msg.ParentFolderID)
			switch {
			case done:
				res[i] = f
			case resend:
				again = append(again, i)
			default:
				unknown = fmt.Errorf("%w: message is in another folder now", ErrUncertain)
			}
		}
	}
	if len(again) == 0 {
		return unknown
	}
	retry := make([]call, len(again))
	for k, i := range again {
		retry[k] = calls[i]
	}
	answers, err := m.batch(ctx, retry)
	for k, i := range again {
		res[i] = answers[k]
	}
	return cmpErr(err, unknown)
}
