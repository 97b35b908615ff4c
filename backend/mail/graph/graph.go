// Package graph implements mail.Mailbox over Microsoft Graph v1.0 with
// plain net/http: the dozen endpoints the console needs do not justify the
// Graph SDK (hundreds of megabytes of generated code).
//
// Graph names messages by opaque string ids; the console speaks of uint32
// UIDs per folder. The Mailbox keeps, per folder, a map between the two,
// handing out UIDs in receivedDateTime order as messages are first seen.
// With Config.StateDir the map is kept in a journal per folder (see
// journal.go), so a later process uses the same UIDs; a folder's
// UIDVALIDITY is derived from its immutable id and the journal, so UIDs
// of a recreated folder (or a lost journal) are refused with
// mail.ErrUIDValidityChanged rather than applied to the wrong mail.
// Without it, a per-process epoch stands in for the journal.
// Requests ask for immutable ids, so a moved message keeps its id.
package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// DefaultBaseURL is Graph's v1.0 endpoint in the global cloud.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// Config says how to reach one mailbox over Graph.
type Config struct {
	// BaseURL is Graph's versioned root (default DefaultBaseURL).
	BaseURL string
	// Mailbox is the user (UPN, address or id) whose mail is read; empty
	// means the signed-in user (/me), which app-only tokens do not have.
	Mailbox string
	// Token returns a bearer token for Graph; it is asked before every
	// request and is expected to cache.
	Token func(ctx context.Context) (string, error)
	// HTTPClient defaults to one with a 60 s timeout.
	HTTPClient *http.Client
	// Roles assigns roles to folders by name, beside the well-known ones.
	Roles map[string]mail.Role
	// PollInterval is how often the watched folder is polled with a delta
	// query (default 30 s); StatusInterval how often every folder's
	// counters are refreshed (default 60 s).
	PollInterval   time.Duration
	StatusInterval time.Duration
	// PageSize is $top for message listings and the odata.maxpagesize
	// asked of delta queries (default 500; Graph allows up to 1000).
	PageSize int
	// StateDir keeps each folder's UID map (0600), so that UIDs and
	// UIDVALIDITY survive the process; "" keeps them in memory, valid
	// for this process only.
	StateDir string
	// TokenRejected is told the token Graph refused with 401, so the
	// token source drops it (from memory and its disk cache) and the
	// next Token call gets a new one.
	TokenRejected func(token string)
	// MaxRetries bounds retries of throttled requests (default 4);
	// MaxRetryWait is the longest Retry-After honoured (default 2 min).
	MaxRetries   int
	MaxRetryWait time.Duration
	// MaxNetRetries bounds how often a read is sent again after the
	// link failed (default 3, with back-off from 0.25 s).
	MaxNetRetries int
	// Concurrency is how many requests run at once (default 4, Graph's
	// MailboxConcurrency limit per app and mailbox).
	Concurrency int
}

func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.HTTPClient == nil {
		// Keep as many idle connections as requests may run at once, or
		// each burst of batches would pay for new connections.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 8
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second, Transport: tr}
	}
	if c.MaxNetRetries <= 0 {
		c.MaxNetRetries = 3
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 30 * time.Second
	}
	if c.StatusInterval <= 0 {
		c.StatusInterval = 60 * time.Second
	}
	if c.PageSize <= 0 {
		c.PageSize = 500
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 4
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 2 * time.Minute
	}
	return c
}

// Mailbox is one Graph mailbox. Create it with New; it connects on first
// use. It is safe for concurrent use.
type Mailbox struct {
	cfg    Config
	http   *http.Client
	base   string // BaseURL
	prefix string // "/me" or "/users/{id}"
	root   string // base + prefix
	epoch  [8]byte
	slots  chan struct{} // one per request in flight

	mu      sync.Mutex
	folders map[string]*folderState // by Graph folder id
	names   map[string]string       // folder path → id, from the last Folders
	roles   map[string]mail.Role    // folder id → well-known role

	events    chan mail.Event
	watch     *watcher
	closeOnce sync.Once
	closed    chan struct{}
}

var _ mail.Mailbox = (*Mailbox)(nil)

// New returns a Mailbox for cfg without calling the server.
func New(cfg Config) *Mailbox {
	cfg = cfg.withDefaults()
	prefix := "/me"
	if cfg.Mailbox != "" {
		prefix = "/users/" + url.PathEscape(cfg.Mailbox)
	}
	m := &Mailbox{
		cfg:     cfg,
		http:    cfg.HTTPClient,
		base:    cfg.BaseURL,
		prefix:  prefix,
		root:    cfg.BaseURL + prefix,
		folders: map[string]*folderState{},
		names:   map[string]string{},
		events:  make(chan mail.Event, 64),
		slots:   make(chan struct{}, cfg.Concurrency),
		closed:  make(chan struct{}),
	}
	_, _ = rand.Read(m.epoch[:])
	m.watch = newWatcher(m)
	return m
}

// Capabilities are fixed for Graph: moves are atomic and report the new
// id, deletes name exactly the messages meant, search runs on the server;
// new mail is polled with delta queries, not pushed.
func (m *Mailbox) Capabilities() mail.Capabilities {
	return mail.Capabilities{Move: true, UIDPlus: true, ServerSearch: true, ListStatus: true}
}

// Events delivers new-mail and connection news.
func (m *Mailbox) Events() <-chan mail.Event { return m.events }

// Watch switches the polled folder; "" stops polling it.
func (m *Mailbox) Watch(folder string) { m.watch.setFolder(folder) }

// Close stops the watcher. There is no connection to log out of.
func (m *Mailbox) Close() error {
	m.closeOnce.Do(func() {
		close(m.closed)
		m.watch.wait()
		m.http.CloseIdleConnections()
	})
	return nil
}

func (m *Mailbox) emit(ev mail.Event) {
	select {
	case m.events <- ev:
	case <-m.closed:
	}
}

// folderState is the UID map of one folder: the messages known to be in
// it (byID), each with its UID, and the deltaLink they are as of.
type folderState struct {
	id       string
	validity uint32
	next     mail.UID
	byUID    map[mail.UID]string
	byID     map[string]mail.UID
	delta    string                 // deltaLink of the last round; "" before a full read
	salt     string                 // the journal's, hex
	savedAt  time.Time              // when a deltaLink was last written to the journal
	seen     map[string]stateSample // last state read of each message, for FetchMany
	journal  *journal               // nil: the map lives only as long as the process
	pending  []journalEntry         // changes of the running update
	syncMu   sync.Mutex             // one delta round of the folder at a time
}

// stateSample is a message's state and when it was read.
type stateSample struct {
	msg message
	at  time.Time
}

// state returns the UID map of folder id, loading it from the journal
// the first time. Call with m.mu held.
func (m *Mailbox) state(id string) *folderState {
	f := m.folders[id]
	if f != nil {
		return f
	}
	f = &folderState{id: id, next: 1, byUID: map[mail.UID]string{}, byID: map[string]mail.UID{}, seen: map[string]stateSample{}}
	f.validity = validityOf(m.epoch[:], id)
	if m.cfg.StateDir != "" {
		f.journal = &journal{path: journalPath(m.cfg.StateDir, m.root, id)}
		if err := f.refresh(); err != nil {
			// Unreadable: this process keeps its own map, under a
			// validity no other process uses, so nothing is mixed up.
			f.journal = nil
			f.validity = validityOf(m.epoch[:], id)
			f.next, f.byUID, f.byID, f.delta = 1, map[mail.UID]string{}, map[string]mail.UID{}, ""
		}
	}
	m.folders[id] = f
	return f
}

// refresh applies what other processes appended to the journal.
func (f *folderState) refresh() error { return f.update(func() error { return nil }) }

// update runs change with the journal locked and what others appended
// applied first; the entries change records (add, drop, setDelta) are
// appended before the lock is released. Call with m.mu held.
func (f *folderState) update(change func() error) error {
	f.pending = f.pending[:0]
	if f.journal == nil {
		return change()
	}
	lj, entries, err := f.journal.open(f.id)
	if err != nil {
		return err
	}
	defer lj.close()
	if lj.reset {
		// Rewritten as a snapshot by another process: it is the whole
		// map now.
		f.next, f.byUID, f.byID, f.delta = 1, map[mail.UID]string{}, map[string]mail.UID{}, ""
	}
	for _, e := range entries {
		f.apply(e)
	}
	if err := change(); err != nil {
		return err
	}
	for _, e := range f.pending {
		if err := lj.append(e); err != nil {
			return err
		}
	}
	f.pending = f.pending[:0]
	if err := lj.flush(); err != nil {
		return err
	}
	return lj.compact(len(f.byUID), f.snapshot)
}

// snapshot is the journal that describes the map as it is.
func (f *folderState) snapshot() []journalEntry {
	out := []journalEntry{{Folder: f.id, Salt: f.salt}, {Next: f.next}}
	for _, u := range f.uids() {
		out = append(out, journalEntry{UID: u, ID: f.byUID[u]})
	}
	if f.delta != "" {
		out = append(out, journalEntry{Delta: f.delta})
	}
	return out
}

// apply replays one journal entry.
func (f *folderState) apply(e journalEntry) {
	switch {
	case e.Salt != "":
		salt, _ := hex.DecodeString(e.Salt)
		f.salt, f.validity = e.Salt, validityOf(salt, f.id)
	case e.Next != 0:
		f.next = max(f.next, e.Next)
	case e.UID != 0 && e.ID != "":
		if old, ok := f.byUID[e.UID]; ok {
			delete(f.byID, old)
		}
		f.byUID[e.UID], f.byID[e.ID] = e.ID, e.UID
		f.next = max(f.next, e.UID+1)
	case e.Gone != 0:
		f.forget(e.Gone)
	case e.Delta != "":
		f.delta = e.Delta
	}
}

// add gives id a UID in f unless it has one. Call inside update.
func (f *folderState) add(id string) mail.UID {
	if u, ok := f.byID[id]; ok {
		return u
	}
	u := f.next
	f.next++
	f.byID[id] = u
	f.byUID[u] = id
	f.pending = append(f.pending, journalEntry{UID: u, ID: id})
	return u
}

// drop forgets a UID whose message left the folder; UIDs are never
// reused. Call inside update.
func (f *folderState) drop(u mail.UID) {
	if _, ok := f.byUID[u]; ok {
		f.forget(u)
		f.pending = append(f.pending, journalEntry{Gone: u})
	}
}

func (f *folderState) forget(u mail.UID) {
	if id, ok := f.byUID[u]; ok {
		delete(f.byUID, u)
		delete(f.byID, id)
		delete(f.seen, id)
	}
}

// setDelta moves the folder on to a new deltaLink. It is written to the
// journal when the members changed with it, or hourly: following an older
// link again only repeats changes already applied, and a link is written
// on every poll would grow the journal by a line every 30 seconds.
func (f *folderState) setDelta(link string, membersChanged bool, now time.Time) {
	if link == "" || link == f.delta {
		return
	}
	f.delta = link
	if membersChanged || now.Sub(f.savedAt) >= time.Hour {
		f.savedAt = now
		f.pending = append(f.pending, journalEntry{Delta: link})
	}
}

// assign hands out UIDs to the messages not yet mapped, oldest first, and
// returns the UIDs of all of msgs. Call inside update.
func (f *folderState) assign(msgs []message) []mail.UID {
	fresh := make([]message, 0, len(msgs))
	for _, msg := range msgs {
		if _, ok := f.byID[msg.ID]; !ok && cleanID(msg.ID) {
			fresh = append(fresh, msg)
		}
	}
	slices.SortStableFunc(fresh, func(a, b message) int {
		if c := a.ReceivedDateTime.Compare(b.ReceivedDateTime); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, msg := range fresh {
		f.add(msg.ID)
	}
	out := make([]mail.UID, 0, len(msgs))
	for _, msg := range msgs {
		if u, ok := f.byID[msg.ID]; ok {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// uids returns every UID of the folder, ascending.
func (f *folderState) uids() []mail.UID {
	out := make([]mail.UID, 0, len(f.byUID))
	for u := range f.byUID {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

// lookup is a resolved FolderRef: the folder's id and validity, and the
// Graph ids of the UIDs asked for (unknown UIDs are left out).
type lookup struct {
	id       string
	validity uint32
	ids      map[mail.UID]string
}

// resolveRef resolves ref and refuses a stale UIDVALIDITY.
func (m *Mailbox) resolveRef(ctx context.Context, ref mail.FolderRef, uids []mail.UID) (lookup, error) {
	id, err := m.folderID(ctx, ref.Name)
	if err != nil {
		return lookup{}, err
	}
	return m.lookupIn(id, ref, uids)
}

// resolveForChange is resolveRef for calls that change mail: it first
// makes sure the folder id the name stood for still exists, so that UIDs
// of a folder deleted and created again under the same name are refused
// rather than reported as vanished messages.
func (m *Mailbox) resolveForChange(ctx context.Context, ref mail.FolderRef, uids []mail.UID) (lookup, error) {
	id, err := m.folderID(ctx, ref.Name)
	if err != nil {
		return lookup{}, err
	}
	var f mailFolder
	err = m.getJSON(ctx, "/mailFolders/"+url.PathEscape(id)+"?$select=id", &f)
	if IsNotFound(err) {
		m.mu.Lock()
		delete(m.names, ref.Name)
		m.mu.Unlock()
		if id, err = m.folderID(ctx, ref.Name); err != nil {
			return lookup{}, err
		}
	} else if err != nil {
		return lookup{}, fmt.Errorf("folder %q: %w", ref.Name, err)
	}
	return m.lookupIn(id, ref, uids)
}

func (m *Mailbox) lookupIn(id string, ref mail.FolderRef, uids []mail.UID) (lookup, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.state(id)
	if ref.UIDValidity != 0 && ref.UIDValidity != f.validity {
		return lookup{}, mail.ErrUIDValidityChanged
	}
	for _, u := range uids {
		if _, ok := f.byUID[u]; !ok {
			// Perhaps handed out by another process (a pull before
			// this act): read what it appended.
			if err := f.refresh(); err != nil {
				return lookup{}, err
			}
			break
		}
	}
	l := lookup{id: id, validity: f.validity, ids: make(map[mail.UID]string, len(uids))}
	for _, u := range uids {
		if gid, ok := f.byUID[u]; ok {
			l.ids[u] = gid
		}
	}
	return l, nil
}

// FolderError is a folder that does not exist (or cannot be opened).
type FolderError struct {
	Name string
	Err  error
}

func (e *FolderError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("no folder %q in this mailbox", e.Name)
	}
	return fmt.Sprintf("folder %q: %v", e.Name, e.Err)
}

func (e *FolderError) Unwrap() error { return e.Err }

// errNoDeletedFlag answers a \Deleted store: Graph has no such state.
var errNoDeletedFlag = errors.New(`a Graph mailbox has no \Deleted flag: move the messages to Deleted Items, or delete them permanently`)
