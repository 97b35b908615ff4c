// Package graphtest is an in-process Microsoft Graph emulator for the mail
// endpoints the graph backend uses: mail folders and child folders,
// message listing with OData paging and the $select/$filter/$search
// subsets the client sends, $value, PATCH, move/copy/permanentDelete,
// create-from-MIME, delta queries paged by Prefer: odata.maxpagesize,
// JSON $batch (binary sub-response bodies base64-encoded, as Graph sends
// them), the error envelope, throttling with Retry-After (whole requests,
// sub-requests of a batch, and MailboxConcurrency: four requests at once
// per mailbox), events with calendarView and attachments, contacts,
// sendMail with MIME content (what was sent kept for assertions), and
// an Entra ID token endpoint for client credentials, device code and
// refresh tokens, whose tokens can be revoked early. It counts the HTTP
// requests it receives. It is a test double: state in memory, no
// persistence; one mailbox, unless AddMailboxes makes it a tenant of many
// (see tenant.go: /users, per-mailbox throttling and faults, the hidden
// Recoverable Items folder).
package graphtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server is a running emulator.
type Server struct {
	srv *httptest.Server

	// ClientID and ClientSecret are the app registration the token
	// endpoint accepts; Mailbox is the user /users/{Mailbox} names (/me is
	// the same user).
	ClientID, ClientSecret, Mailbox string

	mu       sync.Mutex
	folders  []*folder
	msgs     map[string]*msg
	removals []removal
	seq      int
	nextID   int
	log      []string

	tokens        map[string]time.Time // access token → expiry
	refresh       map[string]bool
	tokenLifetime time.Duration
	grants        map[string]int
	devices       map[string]*deviceGrant
	devicePolls   int
	deviceInt     int

	throttle, throttleItems int
	retryAfter              int

	httpRequests   int // every HTTP request, token endpoint included
	concurrency    int // MailboxConcurrency: sub-requests in flight per mailbox
	inFlight       int
	maxInFlight    int
	serviceTime    time.Duration
	concurrency429 int

	events   []*event
	contacts []map[string]any
	outgoing []Outgoing

	// The tenant (tenant.go): other users' mailboxes, and this
	// mailbox's fault when it is one of them.
	users     []*user
	userIndex map[string]*user // by lower-case id and address
	userID    string
	sub       bool // a tenant user's mailbox, served by its parent
	fault     int
}

type folder struct {
	id, name, parent, wellKnown string
	// hidden folders (Recoverable Items) are not listed, and their
	// mail is not in /messages, as in Exchange's non-IPM subtree.
	hidden bool
}

type address struct{ Name, Addr string }

type msg struct {
	id, folder string
	raw        []byte
	received   time.Time
	sent       time.Time
	isRead     bool
	isDraft    bool
	flag       string
	categories []string
	changeKey  int
	seq        int

	subject, messageID string
	from               *address
	to, cc, replyTo    []address
	body               string
	attachments        bool
}

type removal struct {
	id, folder string
	seq        int
}

type deviceGrant struct {
	polls   int
	scope   string
	expires time.Time
}

// New starts an emulator with the well-known folders (Inbox, Drafts, Sent
// Items, Deleted Items, Junk Email, Archive) and no mail.
func New() *Server {
	s := &Server{
		ClientID:      "mailtriage-test",
		ClientSecret:  "test-secret",
		Mailbox:       "analyst@example.com",
		msgs:          map[string]*msg{},
		tokens:        map[string]time.Time{},
		refresh:       map[string]bool{},
		tokenLifetime: time.Hour,
		grants:        map[string]int{},
		devices:       map[string]*deviceGrant{},
		devicePolls:   1,
		deviceInt:     1,
		concurrency:   4,
		userID:        "00000000-0000-4000-8000-000000000000",
	}
	s.addWellKnown()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// addWellKnown creates the well-known folders: Inbox, Drafts, Sent
// Items, Deleted Items, Junk Email, Archive, and the hidden Recoverable
// Items Deletions (path "Deletions").
func (s *Server) addWellKnown() {
	for _, wk := range []struct{ name, wk string }{
		{"Inbox", "inbox"}, {"Drafts", "drafts"}, {"Sent Items", "sentitems"},
		{"Deleted Items", "deleteditems"}, {"Junk Email", "junkemail"}, {"Archive", "archive"},
		{"Deletions", "recoverableitemsdeletions"},
	} {
		s.folders = append(s.folders, &folder{id: s.newID("folder"), name: wk.name, wellKnown: wk.wk, hidden: wk.wk == "recoverableitemsdeletions"})
	}
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// URL is the server's root (the token endpoints live under it:
// URL/{tenant}/oauth2/v2.0/token).
func (s *Server) URL() string { return s.srv.URL }

// BaseURL is Graph's versioned root, URL + "/v1.0".
func (s *Server) BaseURL() string { return s.srv.URL + "/v1.0" }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

func (s *Server) newID(kind string) string {
	s.nextID++
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("AAMk%s%04d%s=", kind, s.nextID, hex.EncodeToString(b[:]))
}

// AddFolder creates a folder by path ("Archive/2026" goes under Archive,
// which must exist) and returns its id.
func (s *Server) AddFolder(path string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	parent := ""
	name := path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		p := s.byPath(path[:i])
		if p == nil {
			panic("graphtest: no parent folder for " + path)
		}
		parent, name = p.id, path[i+1:]
	}
	f := &folder{id: s.newID("folder"), name: name, parent: parent}
	s.folders = append(s.folders, f)
	return f.id
}

// DeleteFolder removes a folder and its mail (for tests of recreated
// folders).
func (s *Server) DeleteFolder(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.byPath(path)
	if f == nil {
		return
	}
	s.folders = slices.DeleteFunc(s.folders, func(x *folder) bool { return x == f })
	for id, m := range s.msgs {
		if m.folder == f.id {
			delete(s.msgs, id)
		}
	}
}

func (s *Server) path(f *folder) string {
	if f.parent == "" {
		return f.name
	}
	return s.path(s.folderByID(f.parent)) + "/" + f.name
}

func (s *Server) byPath(path string) *folder {
	for _, f := range s.folders {
		if s.path(f) == path {
			return f
		}
	}
	return nil
}

func (s *Server) folderByID(id string) *folder {
	for _, f := range s.folders {
		if f.id == id || f.wellKnown != "" && strings.EqualFold(f.wellKnown, id) {
			return f
		}
	}
	return nil
}

// Deliver stores raw in the folder at path as received at when, unread,
// and returns its id.
func (s *Server) Deliver(path string, raw []byte, when time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.byPath(path)
	if f == nil {
		panic("graphtest: no folder " + path)
	}
	m := parse(raw)
	m.id, m.folder, m.received = s.newID("msg"), f.id, when.UTC()
	s.touch(m)
	s.msgs[m.id] = m
	return m.id
}

// touch records a change of m for delta queries and ETags.
func (s *Server) touch(m *msg) {
	s.seq++
	m.seq = s.seq
	m.changeKey++
}

func parse(raw []byte) *msg {
	m := &msg{raw: slices.Clone(raw)}
	pm, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.body = string(raw)
		return m
	}
	dec := &mime.WordDecoder{}
	hdr := func(k string) string {
		v, err := dec.DecodeHeader(pm.Header.Get(k))
		if err != nil {
			return pm.Header.Get(k)
		}
		return v
	}
	m.subject = hdr("Subject")
	m.messageID = strings.TrimSpace(pm.Header.Get("Message-Id"))
	if d, err := pm.Header.Date(); err == nil {
		m.sent = d.UTC()
	}
	list := func(k string) []address {
		as, _ := pm.Header.AddressList(k)
		out := make([]address, 0, len(as))
		for _, a := range as {
			out = append(out, address{Name: a.Name, Addr: a.Address})
		}
		return out
	}
	if from := list("From"); len(from) > 0 {
		m.from = &from[0]
	}
	m.to, m.cc, m.replyTo = list("To"), list("Cc"), list("Reply-To")
	body, _ := io.ReadAll(pm.Body)
	m.body = string(body)
	m.attachments = strings.Contains(strings.ToLower(string(raw)), "content-disposition: attachment")
	return m
}

// Message is a message's state, for assertions.
type Message struct {
	ID         string
	Folder     string // path
	IsRead     bool
	Flagged    bool
	IsDraft    bool
	Categories []string
	Raw        []byte
	Subject    string
}

func (s *Server) export(m *msg) Message {
	f := s.folderByID(m.folder)
	return Message{ID: m.id, Folder: s.path(f), IsRead: m.isRead, Flagged: m.flag == "flagged", IsDraft: m.isDraft,
		Categories: slices.Clone(m.categories), Raw: slices.Clone(m.raw), Subject: m.subject}
}

// Message returns the state of the message with id.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.msgs[id]
	if !ok {
		return Message{}, false
	}
	return s.export(m), true
}

// Messages returns the messages in the folder at path, oldest first.
func (s *Server) Messages(path string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.byPath(path)
	if f == nil {
		return nil
	}
	var out []*msg
	for _, m := range s.msgs {
		if m.folder == f.id {
			out = append(out, m)
		}
	}
	sortMsgs(out)
	res := make([]Message, len(out))
	for i, m := range out {
		res[i] = s.export(m)
	}
	return res
}

func sortMsgs(ms []*msg) {
	slices.SortFunc(ms, func(a, b *msg) int {
		if c := a.received.Compare(b.received); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
}

// SetRead changes a message's read state as another client would.
func (s *Server) SetRead(id string, read bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.msgs[id]; ok {
		m.isRead = read
		s.touch(m)
	}
}

// Throttle answers the next n Graph requests (not token requests) with 429
// and Retry-After: seconds.
func (s *Server) Throttle(n, seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retryAfter = n, seconds
}

// ThrottleBatchItems answers the next n requests inside $batch requests
// with 429 and Retry-After: seconds.
func (s *Server) ThrottleBatchItems(n, seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleItems, s.retryAfter = n, seconds
}

// SetMailboxConcurrency sets how many requests may run at once against the
// mailbox (Graph's MailboxConcurrency limit is 4, the default); one more
// is answered 429 with Retry-After: 1. n <= 0 removes the limit.
func (s *Server) SetMailboxConcurrency(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.concurrency = n
}

// SetServiceTime makes every mailbox request (each sub-request of a
// batch too) take at least d, as a real store does, so that concurrent
// clients overlap.
func (s *Server) SetServiceTime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serviceTime = d
}

// MaxInFlight is the most mailbox requests that ran at once (refused ones
// not counted); ConcurrencyRefusals how many were refused for it.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// ConcurrencyRefusals counts the 429s sent for MailboxConcurrency.
func (s *Server) ConcurrencyRefusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.concurrency429
}

// HTTPRequests counts every HTTP request the server received (a $batch is
// one, token requests included) since the last ResetCounts.
func (s *Server) HTTPRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.httpRequests
}

// ResetCounts zeroes HTTPRequests, MaxInFlight, ConcurrencyRefusals and
// the request log.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.httpRequests, s.maxInFlight, s.concurrency429, s.log = 0, 0, 0, nil
}

// Requests returns "METHOD /path?query" of every Graph request so far,
// sub-requests of $batch included (prefixed "batch ").
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}
