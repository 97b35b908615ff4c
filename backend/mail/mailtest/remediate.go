package mailtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// FailNext, when set, makes the next remediation call fail with it and
// change nothing (a server refusing).
func (m *Mailbox) FailNext(err error) {
	m.mu.Lock()
	m.failNext = err
	m.mu.Unlock()
}

func (m *Mailbox) takeFailure() error {
	err := m.failNext
	m.failNext = nil
	return err
}

// Move implements mail.Remediator.
func (m *Mailbox) Move(ctx context.Context, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	return m.transfer(from, uids, dest, true)
}

// Copy implements mail.Remediator.
func (m *Mailbox) Copy(ctx context.Context, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	return m.transfer(from, uids, dest, false)
}

func (m *Mailbox) transfer(from mail.FolderRef, uids []mail.UID, dest string, move bool) (mail.Transfer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, fmt.Sprintf("%s %d → %s", map[bool]string{true: "move", false: "copy"}[move], len(uids), dest))
	t := mail.Transfer{From: from, To: mail.FolderRef{Name: dest}}
	if err := m.takeFailure(); err != nil {
		t.NotDone = slices.Clone(uids)
		return t, err
	}
	src, err := m.ref(from)
	if err != nil {
		return t, err
	}
	dst := m.find(dest)
	if dst == nil {
		t.NotDone = slices.Clone(uids)
		return t, fmt.Errorf("server said [TRYCREATE] Mailbox doesn't exist: %s", dest)
	}
	t.To.UIDValidity = dst.validity
	for _, uid := range sorted(uids) {
		msg, ok := src.msgs[uid]
		if !ok {
			t.NotDone = append(t.NotDone, uid)
			continue
		}
		env := msg.env
		env.UID = dst.next
		dst.msgs[dst.next] = &message{env: env, raw: msg.raw}
		t.Done = append(t.Done, mail.UIDPair{Src: uid, Dst: dst.next})
		dst.next++
		if move {
			delete(src.msgs, uid)
		}
	}
	return t, nil
}

func sorted(uids []mail.UID) []mail.UID {
	out := slices.Clone(uids)
	slices.Sort(out)
	return out
}

// Store implements mail.Remediator.
func (m *Mailbox) Store(ctx context.Context, ref mail.FolderRef, uids []mail.UID, change mail.FlagChange) (mail.StoreResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, fmt.Sprintf("store %d +%v -%v", len(uids), change.Add, change.Remove))
	res := mail.StoreResult{Added: map[string][]mail.UID{}, Removed: map[string][]mail.UID{}}
	if err := m.takeFailure(); err != nil {
		return res, err
	}
	f, err := m.ref(ref)
	if err != nil {
		return res, err
	}
	for _, uid := range sorted(uids) {
		msg, ok := f.msgs[uid]
		if !ok {
			continue
		}
		for _, fl := range change.Add {
			if setFlag(&msg.env.Flags, fl, true) {
				res.Added[fl] = append(res.Added[fl], uid)
			}
		}
		for _, fl := range change.Remove {
			if setFlag(&msg.env.Flags, fl, false) {
				res.Removed[fl] = append(res.Removed[fl], uid)
			}
		}
	}
	return res, nil
}

// setFlag sets or clears one flag and reports whether it changed.
func setFlag(f *mail.Flags, flag string, on bool) bool {
	var p *bool
	switch flag {
	case mail.FlagSeen:
		p = &f.Seen
	case mail.FlagFlagged:
		p = &f.Flagged
	case mail.FlagDeleted:
		p = &f.Deleted
	case mail.FlagAnswered:
		p = &f.Answered
	}
	if p != nil {
		changed := *p != on
		*p = on
		return changed
	}
	i := slices.IndexFunc(f.Keywords, func(k string) bool { return mail.SameKeyword(k, flag) })
	switch {
	case on && i < 0:
		f.Keywords = append(slices.Clone(f.Keywords), flag)
		return true
	case !on && i >= 0:
		f.Keywords = slices.Delete(slices.Clone(f.Keywords), i, i+1)
		return true
	}
	return false
}

// Expunge implements mail.Remediator.
func (m *Mailbox) Expunge(ctx context.Context, ref mail.FolderRef, uids []mail.UID) ([]mail.UID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, fmt.Sprintf("expunge %d", len(uids)))
	if err := m.takeFailure(); err != nil {
		return nil, err
	}
	f, err := m.ref(ref)
	if err != nil {
		return nil, err
	}
	var gone []mail.UID
	for _, uid := range sorted(uids) {
		if _, ok := f.msgs[uid]; ok {
			delete(f.msgs, uid)
			gone = append(gone, uid)
		}
	}
	return gone, nil
}

// Search implements mail.Remediator with a plain substring match on the
// envelope (the real matching is the server's; see the imap package).
func (m *Mailbox) Search(ctx context.Context, name string, q mail.Query) (mail.FolderRef, []mail.UID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, "search "+name+" "+q.String())
	f := m.find(name)
	if f == nil {
		return mail.FolderRef{}, nil, fmt.Errorf("no folder %q", name)
	}
	var out []mail.UID
	for uid, msg := range f.msgs {
		if matches(&msg.env, q) {
			out = append(out, uid)
		}
	}
	slices.Sort(out)
	return mail.FolderRef{Name: name, UIDValidity: f.validity}, out, nil
}

func matches(e *mail.Envelope, q mail.Query) bool {
	for _, t := range q.Terms {
		if matchTerm(e, t) == t.Not {
			return false
		}
	}
	if !q.Since.IsZero() && e.Received.Before(q.Since) {
		return false
	}
	return q.Before.IsZero() || e.Received.Before(q.Before)
}

func matchTerm(e *mail.Envelope, t mail.Term) bool {
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(t.Value)) }
	addrs := func(as []mail.Address) bool {
		return slices.ContainsFunc(as, func(a mail.Address) bool { return has(a.Name) || has(a.Addr) })
	}
	switch t.Field {
	case mail.FieldFrom:
		return addrs(e.From)
	case mail.FieldTo:
		return addrs(e.To)
	case mail.FieldSubject:
		return has(e.Subject)
	case mail.FieldMessageID:
		return strings.EqualFold(strings.Trim(e.MessageID, "<>"), strings.Trim(t.Value, "<>"))
	case mail.FieldTag:
		kw, _ := mail.EncodeKeyword(t.Value)
		return slices.ContainsFunc(e.Flags.Keywords, func(k string) bool { return mail.SameKeyword(k, kw) })
	case mail.FieldIs:
		switch t.Value {
		case "unread":
			return !e.Flags.Seen
		case "read":
			return e.Flags.Seen
		case "flagged":
			return e.Flags.Flagged
		case "unflagged":
			return !e.Flags.Flagged
		case "deleted":
			return e.Flags.Deleted
		}
	}
	return has(e.Subject) || addrs(e.From) || addrs(e.To)
}

// MessageIDs implements mail.Remediator.
func (m *Mailbox) MessageIDs(ctx context.Context, ref mail.FolderRef, uids []mail.UID) (map[mail.UID]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.ref(ref)
	if err != nil {
		return nil, err
	}
	out := map[mail.UID]string{}
	for _, uid := range uids {
		if msg, ok := f.msgs[uid]; ok && msg.env.MessageID != "" {
			out[uid] = msg.env.MessageID
		}
	}
	return out, nil
}

// Append implements mail.Remediator.
func (m *Mailbox) Append(ctx context.Context, name string, raw []byte, flags mail.Flags, date time.Time) (mail.UID, error) {
	m.mu.Lock()
	f := m.find(name)
	m.mu.Unlock()
	if f == nil {
		return 0, fmt.Errorf("no folder %q", name)
	}
	return m.Add(name, mail.Envelope{Received: date, Flags: flags}, raw), nil
}

// FolderInfo implements mail.Remediator.
func (m *Mailbox) FolderInfo(ctx context.Context, name string) (mail.FolderInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.find(name)
	if f == nil {
		return mail.FolderInfo{}, fmt.Errorf("no folder %q", name)
	}
	st := f.status()
	info := mail.FolderInfo{Name: name, Role: f.role, Messages: st.Messages, Unseen: st.Unseen, UIDNext: st.UIDNext, UIDValidity: st.UIDValidity, CanKeywords: true}
	for _, msg := range f.msgs {
		info.Size += msg.env.Size
		if msg.env.Flags.Deleted {
			info.Deleted++
		}
	}
	for _, other := range m.folders {
		if strings.HasPrefix(other.name, name+"/") && !strings.Contains(other.name[len(name)+1:], "/") {
			info.Children = append(info.Children, other.name)
		}
	}
	return info, nil
}

// Calls returns the remediation calls made so far, for assertions.
func (m *Mailbox) Calls() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls)
}

// Message returns a copy of a message's envelope and whether it exists.
func (m *Mailbox) Message(folderName string, uid mail.UID) (mail.Envelope, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.find(folderName)
	if f == nil {
		return mail.Envelope{}, false
	}
	msg, ok := f.msgs[uid]
	if !ok {
		return mail.Envelope{}, false
	}
	return msg.env, true
}

// Count returns how many messages a folder holds.
func (m *Mailbox) Count(folderName string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f := m.find(folderName); f != nil {
		return len(f.msgs)
	}
	return 0
}
