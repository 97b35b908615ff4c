// Package mailtest provides an in-memory mail.Mailbox for screen tests and
// benchmarks: deterministic, instant, and recording what it was asked, so a
// test can check that a screen fetched only what it needed. Protocol
// behaviour is tested against real servers elsewhere (imap package).
package mailtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// Mailbox is an in-memory mail store.
type Mailbox struct {
	mu      sync.Mutex
	folders []*folder
	events  chan mail.Event
	caps    mail.Capabilities
	// FailSeen, when set, makes SetSeen fail with it.
	FailSeen error
	// FailFolders, when set, makes Folders fail with it.
	FailFolders error

	envelopeCalls [][]mail.UID
	watched       string
	calls         []string
	failNext      error
}

type folder struct {
	name     string
	role     mail.Role
	validity uint32
	next     mail.UID
	msgs     map[mail.UID]*message
}

type message struct {
	env mail.Envelope
	raw []byte
}

// New returns an empty store with an INBOX.
func New() *Mailbox {
	m := &Mailbox{events: make(chan mail.Event, 16), caps: mail.Capabilities{Move: true, UIDPlus: true, Idle: true, ServerSearch: true}}
	m.AddFolder("INBOX", mail.RoleInbox)
	return m
}

// AddFolder creates a folder.
func (m *Mailbox) AddFolder(name string, role mail.Role) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.folders = append(m.folders, &folder{name: name, role: role, validity: 1, next: 1, msgs: map[mail.UID]*message{}})
}

// Add stores a message and returns its UID.
func (m *Mailbox) Add(folderName string, env mail.Envelope, raw []byte) mail.UID {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.find(folderName)
	uid := f.next
	f.next++
	env.UID = uid
	if env.Size == 0 {
		env.Size = int64(len(raw))
	}
	f.msgs[uid] = &message{env: env, raw: raw}
	return uid
}

// Generate adds n synthetic messages, oldest first, one minute apart
// ending at base.
func (m *Mailbox) Generate(folderName string, n int, base time.Time) {
	for i := 0; i < n; i++ {
		when := base.Add(-time.Duration(n-1-i) * time.Minute)
		env := mail.Envelope{
			Date:      when,
			Received:  when,
			From:      []mail.Address{{Name: fmt.Sprintf("Sender %d", i%97), Addr: fmt.Sprintf("s%d@example.com", i%97)}},
			To:        []mail.Address{{Addr: "soc@example.com"}},
			Subject:   fmt.Sprintf("Message %d", i),
			MessageID: fmt.Sprintf("m%d@example.com", i),
			Size:      int64(1000 + i%5000),
			Flags:     mail.Flags{Seen: i%3 != 0},
		}
		raw := fmt.Appendf(nil, "From: s%d@example.com\r\nSubject: Message %d\r\n\r\nbody %d\r\n", i%97, i, i)
		m.Add(folderName, env, raw)
	}
}

// Emit sends an event as a server would.
func (m *Mailbox) Emit(ev mail.Event) { m.events <- ev }

// CloseEvents ends the event stream (screens then stop listening).
func (m *Mailbox) CloseEvents() { close(m.events) }

// EnvelopeCalls returns the UID sets Envelopes was asked for.
func (m *Mailbox) EnvelopeCalls() [][]mail.UID {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.envelopeCalls)
}

// Watched returns the folder last passed to Watch.
func (m *Mailbox) Watched() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.watched
}

func (m *Mailbox) find(name string) *folder {
	for _, f := range m.folders {
		if f.name == name {
			return f
		}
	}
	return nil
}

// Capabilities implements mail.Mailbox.
func (m *Mailbox) Capabilities() mail.Capabilities { return m.caps }

// Folders implements mail.Mailbox.
func (m *Mailbox) Folders(context.Context) ([]mail.Folder, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailFolders != nil {
		return nil, m.FailFolders
	}
	out := make([]mail.Folder, 0, len(m.folders))
	for _, f := range m.folders {
		out = append(out, mail.Folder{Name: f.name, Delim: '/', Role: f.role, Status: f.status()})
	}
	return out, nil
}

func (f *folder) status() mail.FolderStatus {
	st := mail.FolderStatus{Folder: f.name, Known: true, Messages: uint32(len(f.msgs)), UIDNext: uint32(f.next), UIDValidity: f.validity}
	for _, msg := range f.msgs {
		if !msg.env.Flags.Seen {
			st.Unseen++
		}
	}
	return st
}

// Status implements mail.Mailbox.
func (m *Mailbox) Status(_ context.Context, names ...string) ([]mail.FolderStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []mail.FolderStatus
	for _, n := range names {
		f := m.find(n)
		if f == nil {
			return nil, fmt.Errorf("no folder %q", n)
		}
		out = append(out, f.status())
	}
	return out, nil
}

// List implements mail.Mailbox.
func (m *Mailbox) List(_ context.Context, name string, prefetch int) (mail.Listing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.find(name)
	if f == nil {
		return mail.Listing{}, fmt.Errorf("open %q: server said [NONEXISTENT] Mailbox doesn't exist", name)
	}
	uids := make([]mail.UID, 0, len(f.msgs))
	for uid := range f.msgs {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	l := mail.Listing{Folder: mail.FolderRef{Name: name, UIDValidity: f.validity}, UIDs: uids, Unseen: f.status().Unseen, CanStoreKeywords: true}
	for i := len(uids) - 1; i >= 0 && len(l.Newest) < prefetch; i-- {
		l.Newest = append(l.Newest, f.msgs[uids[i]].env)
	}
	return l, nil
}

// Envelopes implements mail.Mailbox.
func (m *Mailbox) Envelopes(_ context.Context, ref mail.FolderRef, uids []mail.UID) ([]mail.Envelope, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.envelopeCalls = append(m.envelopeCalls, slices.Clone(uids))
	f, err := m.ref(ref)
	if err != nil {
		return nil, err
	}
	var out []mail.Envelope
	for _, uid := range uids {
		if msg, ok := f.msgs[uid]; ok {
			out = append(out, msg.env)
		}
	}
	return out, nil
}

func (m *Mailbox) ref(ref mail.FolderRef) (*folder, error) {
	f := m.find(ref.Name)
	if f == nil {
		return nil, fmt.Errorf("no folder %q", ref.Name)
	}
	if ref.UIDValidity != 0 && ref.UIDValidity != f.validity {
		return nil, mail.ErrUIDValidityChanged
	}
	return f, nil
}

// Fetch implements mail.Mailbox.
func (m *Mailbox) Fetch(_ context.Context, ref mail.FolderRef, uid mail.UID, limit int64) (*mail.RawMessage, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.ref(ref)
	if err != nil {
		return nil, err
	}
	msg, ok := f.msgs[uid]
	if !ok {
		return nil, mail.ErrNotFound
	}
	raw := msg.raw
	truncated := limit > 0 && int64(len(raw)) > limit
	if truncated {
		raw = raw[:limit]
	}
	return &mail.RawMessage{UID: uid, Raw: raw, Size: int64(len(msg.raw)), Truncated: truncated, Flags: msg.env.Flags, Received: msg.env.Received}, nil
}

// FetchMany implements mail.Mailbox.
func (m *Mailbox) FetchMany(ctx context.Context, ref mail.FolderRef, uids []mail.UID, limit int64, fn func(*mail.RawMessage) error) error {
	for _, uid := range uids {
		msg, err := m.Fetch(ctx, ref, uid, limit)
		if errors.Is(err, mail.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(msg); err != nil {
			return err
		}
	}
	return nil
}

// SetSeen implements mail.Mailbox.
func (m *Mailbox) SetSeen(_ context.Context, ref mail.FolderRef, uids []mail.UID, seen bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailSeen != nil {
		return m.FailSeen
	}
	f, err := m.ref(ref)
	if err != nil {
		return err
	}
	for _, uid := range uids {
		msg, ok := f.msgs[uid]
		if !ok {
			return errors.New("no such message")
		}
		msg.env.Flags.Seen = seen
	}
	return nil
}

// Seen reports a message's read state, for assertions.
func (m *Mailbox) Seen(folderName string, uid mail.UID) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.find(folderName).msgs[uid].env.Flags.Seen
}

// Watch implements mail.Mailbox.
func (m *Mailbox) Watch(folderName string) {
	m.mu.Lock()
	m.watched = folderName
	m.mu.Unlock()
}

// Events implements mail.Mailbox.
func (m *Mailbox) Events() <-chan mail.Event { return m.events }

// Close implements mail.Mailbox.
func (m *Mailbox) Close() error { return nil }

var _ mail.Mailbox = (*Mailbox)(nil)
