package mailbox

import (
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

// openCurrent asks the root to show the message under the cursor.
func (m *Model) openCurrent() tea.Cmd {
	e, err := m.current()
	if err != nil {
		return common.Info(err.Error())
	}
	ref, env := m.open.ref, *e
	acct := m.acct.Name
	return func() tea.Msg { return session.OpenMessageMsg{Account: acct, Folder: ref, Envelope: env} }
}

// moveCursor moves the list cursor by delta rows and fetches rows that
// have come near the screen.
func (m *Model) moveCursor(delta int) tea.Cmd {
	f := m.open
	if f == nil || len(f.uids) == 0 {
		return nil
	}
	m.scrollTo(f.cursor + delta)
	return m.ensureLoaded()
}

// scrollTo puts the cursor on row and scrolls just enough to show it.
func (m *Model) scrollTo(row int) {
	f := m.open
	n := len(f.uids)
	f.cursor = clamp(row, 0, max(n-1, 0))
	rows := m.listRows()
	if f.cursor < f.top {
		f.top = f.cursor
	}
	if f.cursor >= f.top+rows {
		f.top = f.cursor - rows + 1
	}
	f.top = clamp(f.top, 0, max(n-rows, 0))
}

// prefetch is how many of the newest envelopes come with the UIDs.
func (m *Model) prefetch() int { return max(2*m.listRows(), 100) }

// listingLoaded takes a folder's UIDs, keeping what is still valid of
// what we had (envelopes, the cursor's message) when it is a refresh.
func (m *Model) listingLoaded(msg ListingLoadedMsg) tea.Cmd {
	f := m.open
	if !msg.Ticket.Current() || f == nil {
		return nil // replaced by a newer listing, or the analyst has moved on
	}
	if msg.Err != nil {
		if !f.loaded {
			f.err = msg.Err
		}
		return common.Error(msg.Err)
	}
	l := msg.Listing
	keepUID, hadCursor := mail.UID(0), f.loaded && len(f.uids) > 0
	if hadCursor {
		keepUID = f.uidAt(f.cursor)
	}
	if f.ref.UIDValidity != 0 && f.ref.UIDValidity != l.Folder.UIDValidity {
		f.env, f.recognised = map[mail.UID]*mail.Envelope{}, map[mail.UID]*mail.Envelope{}
		hadCursor = false
	}
	if f.query != "" {
		// A search is shown: its matches stay the list; the listing
		// only brings fresh counters and envelopes.
		f.unseen, f.keywords, f.err, f.loaded = l.Unseen, l.CanStoreKeywords, nil, true
		for i := range l.Newest {
			e := l.Newest[i]
			f.env[e.UID] = &e
		}
		m.acct.Mailbox.Watch(f.name)
		return tea.Batch(m.ensureLoaded(), m.reportsAmong(l.Newest))
	}
	f.ref, f.uids, f.unseen, f.keywords, f.err = l.Folder, l.UIDs, l.Unseen, l.CanStoreKeywords, nil
	f.pending = map[mail.UID]bool{}
	for uid := range f.marked {
		if _, ok := searchUID(f.uids, uid); !ok {
			delete(f.marked, uid)
		}
	}
	m.pruneEnvelopes()
	for i := range l.Newest {
		e := l.Newest[i]
		f.env[e.UID] = &e
	}
	f.loaded = true
	if hadCursor {
		m.scrollTo(m.rowOf(keepUID, f.cursor))
	} else {
		m.scrollTo(0)
	}
	m.setFolderStatus(mail.FolderStatus{Folder: f.name, Known: true, Messages: uint32(len(f.uids)), Unseen: f.unseen})
	m.acct.Mailbox.Watch(f.name)
	return tea.Batch(m.ensureLoaded(), m.reportsAmong(l.Newest))
}

// rowOf finds the row showing uid, or falls back to row.
func (m *Model) rowOf(uid mail.UID, fallback int) int {
	f := m.open
	i, found := searchUID(f.uids, uid)
	if !found {
		return min(fallback, len(f.uids)-1)
	}
	return len(f.uids) - 1 - i
}

// searchUID finds uid in the ascending uids.
func searchUID(uids []mail.UID, uid mail.UID) (int, bool) {
	lo, hi := 0, len(uids)
	for lo < hi {
		mid := (lo + hi) / 2
		if uids[mid] < uid {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(uids) && uids[lo] == uid
}

// pruneEnvelopes forgets envelopes of messages that left the folder.
func (m *Model) pruneEnvelopes() {
	f := m.open
	for uid := range f.env {
		if _, ok := searchUID(f.uids, uid); !ok {
			delete(f.env, uid)
		}
	}
}

// ensureLoaded asks for the envelopes of rows on and around the screen
// that we do not have yet: one screen above, two below.
func (m *Model) ensureLoaded() tea.Cmd {
	f := m.open
	if f == nil || !f.loaded || len(f.uids) == 0 || m.hidden {
		return nil // hidden: Focus asks when the list is shown again
	}
	rows := m.listRows()
	from := max(f.top-rows, 0)
	to := min(f.top+2*rows+1, len(f.uids))
	var missing []mail.UID
	for row := from; row < to && len(missing) < 300; row++ {
		uid := f.uidAt(row)
		if f.env[uid] == nil && !f.pending[uid] {
			missing = append(missing, uid)
			f.pending[uid] = true
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return m.loadEnvelopes(f.ref, missing)
}

// envelopesLoaded stores background-fetched rows and asks for more if
// the analyst has scrolled on meanwhile.
func (m *Model) envelopesLoaded(msg EnvelopesLoadedMsg) tea.Cmd {
	f := m.open
	if !msg.Ticket.Current() || f == nil {
		return nil
	}
	for _, uid := range msg.Asked {
		delete(f.pending, uid)
	}
	if msg.Err != nil {
		if errors.Is(msg.Err, mail.ErrUIDValidityChanged) {
			return m.loadListing(f.name, m.prefetch(), false)
		}
		return common.Error(msg.Err)
	}
	for i := range msg.Envelopes {
		e := msg.Envelopes[i]
		if _, ok := searchUID(f.uids, e.UID); ok {
			f.env[e.UID] = &e
		}
	}
	return tea.Batch(m.ensureLoaded(), m.reportsAmong(msg.Envelopes))
}
