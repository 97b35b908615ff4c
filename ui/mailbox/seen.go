package mailbox

import (
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// applySeen changes read state on screen (and the unread counters).
func (m *Model) applySeen(ref mail.FolderRef, uids []mail.UID, seen bool) {
	f := m.open
	if f == nil || f.ref != ref {
		return
	}
	for _, uid := range uids {
		e := f.env[uid]
		if e == nil || e.Flags.Seen == seen {
			continue
		}
		cp := *e
		cp.Flags.Seen = seen
		f.env[uid] = &cp
		if seen && f.unseen > 0 {
			f.unseen--
		} else if !seen {
			f.unseen++
		}
	}
	m.setFolderStatus(mail.FolderStatus{Folder: f.name, Known: true, Messages: uint32(len(f.uids)), Unseen: f.unseen})
}

// SetCurrentSeen marks the message under the cursor read or unread: at
// once on screen, rolled back if the server refuses.
func (m *Model) SetCurrentSeen(seen bool) tea.Cmd {
	e, err := m.current()
	if err != nil {
		return common.Error(err)
	}
	ref, uids := m.open.ref, []mail.UID{e.UID}
	m.applySeen(ref, uids, seen)
	return m.setSeen(ref, uids, seen)
}

// current is the envelope under the cursor.
func (m *Model) current() (*mail.Envelope, error) {
	f := m.open
	if f == nil || !f.loaded || len(f.uids) == 0 {
		return nil, errors.New("no message selected")
	}
	e := f.env[f.uidAt(f.cursor)]
	if e == nil {
		return nil, errors.New("this message's envelope is still loading")
	}
	return e, nil
}

// CurrentMessage is the message under the cursor and its folder, for
// commands that act on one message (:export).
func (m *Model) CurrentMessage() (mail.FolderRef, mail.Envelope, error) {
	e, err := m.current()
	if err != nil {
		return mail.FolderRef{}, mail.Envelope{}, err
	}
	return m.open.ref, *e, nil
}
