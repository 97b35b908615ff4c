// Package graph implements mail.Mailbox over Microsoft Graph v1.0 with
// plain net/http: the dozen endpoints the console needs do not justify the
// Graph SDK (hundreds of megabytes of generated code).
//
// Graph names messages by opaque string ids; the console speaks of uint32
// UIDs per folder. The Mailbox keeps, per folder, a map between the two,
// handing out UIDs in receivedDateTime order as messages are first seen.
// A folder's UIDVALIDITY is derived from its Graph id and a per-session
// epoch, so UIDs from an earlier session or a recreated folder are refused
// with mail.ErrUIDValidityChanged rather than applied to the wrong mail.
// Requests ask for immutable ids, so a moved message keeps its id.
package graph

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
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
	// PageSize is $top for message listings (default 500; Graph allows
	// up to 1000).
	PageSize int
	// MaxRetries bounds retries of throttled requests (default 4);
	// MaxRetryWait is the longest Retry-After honoured (default 2 min).
	MaxRetries   int
	MaxRetryWait time.Duration
}

func (c Config) withDefaults() Config {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second}
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

// folderState is the UID map of one folder.
type folderState struct {
	id       string
	validity uint32
	next     mail.UID
	byUID    map[mail.UID]string
	byID     map[string]mail.UID
}

// validityOf derives a folder's UIDVALIDITY from its id and the session
// epoch: stable for the session, different in the next one (whose UIDs
// are handed out afresh), never 0.
func (m *Mailbox) validityOf(id string) uint32 {
	h := fnv.New32a()
	h.Write(m.epoch[:])
	h.Write([]byte(id))
	v := h.Sum32()
	if v == 0 {
		v = binary.BigEndian.Uint32(m.epoch[:4]) | 1
	}
	return v
}

// state returns the UID map of folder id, creating it. Call with m.mu held.
func (m *Mailbox) state(id string) *folderState {
	f := m.folders[id]
	if f == nil {
		f = &folderState{id: id, validity: m.validityOf(id), next: 1, byUID: map[mail.UID]string{}, byID: map[string]mail.UID{}}
		m.folders[id] = f
	}
	return f
}

// add gives id a UID in f unless it has one. Call with m.mu held.
func (f *folderState) add(id string) mail.UID {
	if u, ok := f.byID[id]; ok {
		return u
	}
	u := f.next
	f.next++
	f.byID[id] = u
	f.byUID[u] = id
	return u
}

func (f *folderState) drop(u mail.UID) {
	if id, ok := f.byUID[u]; ok {
		delete(f.byUID, u)
		delete(f.byID, id)
	}
}

// assign hands out UIDs to the messages not yet mapped, oldest first, and
// returns the UIDs of all of msgs. Call with m.mu held.
func (f *folderState) assign(msgs []message) []mail.UID {
	fresh := make([]message, 0, len(msgs))
	for _, msg := range msgs {
		if _, ok := f.byID[msg.ID]; !ok {
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
		out = append(out, f.byID[msg.ID])
	}
	slices.Sort(out)
	return slices.Compact(out)
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
