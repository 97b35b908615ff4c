package mimecasttest

import (
	"slices"
	"strings"
	"time"
)

// timeLayout is how the API writes times.
const timeLayout = "2006-01-02T15:04:05-0700"

func apiTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a request time: the vendor form or RFC 3339.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{timeLayout, time.RFC3339Nano, "2006-01-02T15:04:05.000-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Policy is a blocked-sender policy held by the server.
type Policy struct {
	ID            string
	Option        string // block_sender | no_action
	Description   string
	FromPart      string // envelope_from | header_from | both
	FromType      string
	FromValue     string
	ToType        string
	ToValue       string
	SourceIPs     []string
	Comment       string
	Bidirectional bool
	Override      bool
	// FromDate and ToDate are zero when eternal.
	FromDate, ToDate        time.Time
	CreateTime, LastUpdated time.Time
}

// Group is a profile group and its members.
type Group struct {
	ID          string
	Description string
	ParentID    string
	Source      string // cloud (default) | ldap
	Members     []Member
}

// Member is a group member: an address or a domain.
type Member struct {
	ID           string
	EmailAddress string
	Domain       string
	Name         string
	Notes        string
	Internal     bool
}

// ManagedSender is a managed-sender entry.
type ManagedSender struct {
	ID     string
	Sender string
	To     string
	Type   string // Block | Permit
}

// ManagedURL is a managed-URL entry.
type ManagedURL struct {
	ID                   string
	URL                  string
	Action               string // block | permit
	MatchType            string // explicit | domain
	Comment              string
	DisableLogClick      bool
	DisableRewrite       bool
	DisableUserAwareness bool
}

// TrackedMessage is a message as message tracking knows it.
type TrackedMessage struct {
	ID             string // Mimecast id; made up when empty
	MessageID      string // Internet Message-ID, with brackets
	From, FromName string
	To             []string
	CC             []string
	Subject        string
	Sent, Received time.Time
	SenderIP       string
	RemoteHost     string
	Route          string // inbound | outbound | internal
	Status         string // delivered | held | rejected | bounced | released
	Info           string
	SpamScore      int
	DetectionLevel string
	Attachments    []string
	Policies       []AppliedPolicy
	TextBody       string
}

// AppliedPolicy is a policy that acted on a tracked message.
type AppliedPolicy struct {
	Type, Name string
	Inherited  bool
}

// ArchiveMessage is an archived message.
type ArchiveMessage struct {
	ID             string
	MessageID      string
	From, FromName string
	To             []string
	CC             []string
	Subject        string
	Received       time.Time
	Size           int
	Headers        []Header
	Attachments    []ArchiveAttachment
	Preview        string
}

// Header is one message header.
type Header struct{ Name, Value string }

// ArchiveAttachment is an attachment of an archived message.
type ArchiveAttachment struct {
	ID, Filename, ContentType, SHA256 string
	Size                              int
}

// ClickLog is a URL Protect click.
type ClickLog struct {
	Date       time.Time
	URL        string
	User       string
	Action     string // allow | block | warn
	ScanResult string // clean | malicious
	Category   string
	Route      string
	Definition string
	MessageID  string
	Sender     string
	Subject    string
}

// HeldMessage is a message in the hold queue.
type HeldMessage struct {
	ID             string
	Received       time.Time
	Subject        string
	From, FromName string
	To             string
	Size           int
	HasAttachments bool
	Route          string
	Reason         string
	ReasonCode     string
	ReasonID       string
	PolicyInfo     string
	HeldGroup      string // administrator | moderator | ...
}

// SearchLog is an archive search someone ran.
type SearchLog struct {
	Time        time.Time
	User        string
	Source      string
	Text        string
	Reason      string
	Description string
	Admin       bool
	Path        string
}

// Alias is an alias address of a user.
type Alias struct {
	EmailAddress, DisplayName, Domain, Type string
	Internal                                bool
}

// state is everything the server holds. Slices keep insertion order, which
// is the order lists are served in.
type state struct {
	policies []Policy
	groups   []Group
	senders  []ManagedSender
	urls     []ManagedURL
	tracked  []TrackedMessage
	archive  []ArchiveMessage
	clicks   []ClickLog
	held     []HeldMessage
	searches []SearchLog
	aliases  map[string][]Alias
}

func newState() *state { return &state{aliases: map[string][]Alias{}} }

func indexByID[T any](items []T, id string, idOf func(T) string) int {
	return slices.IndexFunc(items, func(v T) bool { return idOf(v) == id })
}

func (st *state) group(id string) *Group {
	i := indexByID(st.groups, id, func(g Group) string { return g.ID })
	if i < 0 {
		return nil
	}
	return &st.groups[i]
}

// Policies returns a copy of the blocked-sender policies.
func (s *Server) Policies() []Policy {
	return cloneLocked(s, func(st *state) []Policy { return st.policies })
}

// Groups returns a copy of the groups with their members.
func (s *Server) Groups() []Group {
	return cloneLocked(s, func(st *state) []Group {
		out := slices.Clone(st.groups)
		for i := range out {
			out[i].Members = slices.Clone(out[i].Members)
		}
		return out
	})
}

// ManagedSenders returns a copy of the managed-sender entries.
func (s *Server) ManagedSenders() []ManagedSender {
	return cloneLocked(s, func(st *state) []ManagedSender { return st.senders })
}

// ManagedURLs returns a copy of the managed URLs.
func (s *Server) ManagedURLs() []ManagedURL {
	return cloneLocked(s, func(st *state) []ManagedURL { return st.urls })
}

// HeldMessages returns a copy of the hold queue.
func (s *Server) HeldMessages() []HeldMessage {
	return cloneLocked(s, func(st *state) []HeldMessage { return st.held })
}

// TrackedMessages returns a copy of the tracking data.
func (s *Server) TrackedMessages() []TrackedMessage {
	return cloneLocked(s, func(st *state) []TrackedMessage { return st.tracked })
}

// SearchLogs returns a copy of the archive search log.
func (s *Server) SearchLogs() []SearchLog {
	return cloneLocked(s, func(st *state) []SearchLog { return st.searches })
}

func cloneLocked[T any](s *Server, get func(*state) []T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(get(s.st))
}

// addressMatches is tracking's "address or domain" match.
func addressMatches(addr, want string) bool {
	addr, want = strings.ToLower(addr), strings.ToLower(strings.TrimSpace(want))
	if strings.Contains(want, "@") {
		return addr == want
	}
	return strings.HasSuffix(addr, "@"+strings.TrimPrefix(want, "@"))
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func looksLikeAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " <>,;")
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}
