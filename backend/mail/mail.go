// Package mail defines the mailbox seam between the console and a mail
// server: a small Mailbox interface, the typed values it returns, and the
// errors it reports. Implementations live in sub-packages (imap/); nothing
// protocol-specific leaks out of them.
package mail

import (
	"context"
	"strings"
	"time"
)

// UID identifies a message inside one folder for as long as the folder's
// UIDVALIDITY does not change.
type UID uint32

// Role is what a folder is for, as the server announces it (special-use
// attributes) or as the account configuration says.
type Role string

// Folder roles, in the order the sidebar lists them after INBOX.
const (
	RoleNone    Role = ""
	RoleInbox   Role = "inbox"
	RoleDrafts  Role = "drafts"
	RoleSent    Role = "sent"
	RoleArchive Role = "archive"
	RoleJunk    Role = "junk"
	RoleTrash   Role = "trash"
	RoleAll     Role = "all"
	RoleFlagged Role = "flagged"
)

// Roles lists every role a configuration may assign, in sidebar order.
var Roles = []Role{RoleInbox, RoleDrafts, RoleSent, RoleArchive, RoleJunk, RoleTrash, RoleAll, RoleFlagged}

// Folder is one mailbox in the account's folder tree.
type Folder struct {
	Name     string // full name as the server knows it, e.g. "Phishing reports/Confirmed"
	Delim    rune   // hierarchy delimiter, 0 when the server has none
	Role     Role
	NoSelect bool // a container that holds folders but no messages
	Status   FolderStatus
}

// Path splits the folder name on its hierarchy delimiter.
func (f Folder) Path() []string {
	if f.Delim == 0 {
		return []string{f.Name}
	}
	return strings.Split(f.Name, string(f.Delim))
}

// FolderStatus carries a folder's counters. Known is false when the server
// has not told us yet (the sidebar shows no numbers rather than zeros).
type FolderStatus struct {
	Folder      string
	Known       bool
	Messages    uint32
	Unseen      uint32
	UIDNext     uint32
	UIDValidity uint32
}

// FolderRef names a folder at one UIDVALIDITY, so that UIDs taken from a
// listing are never applied to a folder that has since been recreated.
type FolderRef struct {
	Name        string
	UIDValidity uint32
}

// Listing is the result of opening a folder: every UID in ascending order.
// Ascending UID order is arrival order, which is how the list is sorted.
type Listing struct {
	Folder FolderRef
	UIDs   []UID
	Unseen uint32
	// Newest holds the envelopes of the newest messages when the caller
	// asked for a first page, fetched in the same round trip as the UIDs.
	Newest []Envelope
	// CanStoreKeywords is false when the folder's PERMANENTFLAGS lack \*.
	CanStoreKeywords bool
}

// Address is a mailbox address as the server decoded it. Name and Addr are
// untrusted text: sanitize before display.
type Address struct {
	Name string
	Addr string
}

// Flags is the state the server keeps per message.
type Flags struct {
	Seen     bool
	Answered bool
	Flagged  bool
	Deleted  bool
	Draft    bool
	// Keywords are the non-system flags (IMAP keywords), as the server
	// spells them; compare case-insensitively.
	Keywords []string
}

// Envelope is what the message list needs of one message.
type Envelope struct {
	UID         UID
	Date        time.Time // Date header; zero when absent or unparseable
	Received    time.Time // when the server got it (INTERNALDATE)
	From        []Address
	To          []Address
	Cc          []Address
	ReplyTo     []Address
	Subject     string
	MessageID   string
	InReplyTo   []string
	Size        int64
	Flags       Flags
	Attachments int // parts that are, or look like, attachments
	// Report is set when the message is, or may be, a report that
	// carries a reported original (see ReportHint); nil otherwise.
	Report *ReportHint
}

// ReportHint is what a listing knows of a report without reading it.
// IMAP describes an attached message's envelope inside BODYSTRUCTURE, so
// the list can show the original's sender and subject at no extra cost;
// an Outlook .msg, an ARF report or an inline forward shows its original
// only in the body, which the list reads in the background.
type ReportHint struct {
	// Original is the reported original's envelope, once known.
	Original *Envelope
	// NeedsBody says the body must be read to know (and to fill
	// Original, or to find the message is no report after all).
	NeedsBody bool
}

// SortTime is the time the list sorts and shows: the Date header when it is
// plausible, else the server's arrival time.
func (e *Envelope) SortTime() time.Time {
	if e.Date.IsZero() {
		return e.Received
	}
	return e.Date
}

// RawMessage is a message as fetched for reading, not yet parsed.
type RawMessage struct {
	UID       UID
	Raw       []byte
	Size      int64 // size on the server; may exceed len(Raw) when Truncated
	Truncated bool  // the message was larger than the caller's limit
	Flags     Flags
	Received  time.Time // INTERNALDATE, when fetched
}

// Capabilities say what the server can do, so the UI offers only what will
// work and can say why when it cannot.
type Capabilities struct {
	Move         bool // atomic UID MOVE
	UIDPlus      bool // UID EXPUNGE, COPYUID: needed for safe deletes
	Idle         bool // push of new mail; otherwise we poll
	ServerSearch bool
	ListStatus   bool // folder counts in one LIST
	CondStore    bool
}

// Mailbox is a connection to one account's mail store. Every call takes a
// context; cancelling it abandons the call (the connection it used is
// replaced, never reused half-way through a reply). Implementations are safe
// for concurrent use.
type Mailbox interface {
	// Capabilities are known after the first successful call.
	Capabilities() Capabilities
	// Folders lists the folder tree with counts where the server gives
	// them cheaply.
	Folders(ctx context.Context) ([]Folder, error)
	// Status returns fresh counters for the named folders.
	Status(ctx context.Context, names ...string) ([]FolderStatus, error)
	// List opens a folder and returns every UID in it, plus the envelopes
	// of the newest prefetch messages.
	List(ctx context.Context, folder string, prefetch int) (Listing, error)
	// Envelopes fetches the list data of the given messages. Messages that
	// no longer exist are absent from the result.
	Envelopes(ctx context.Context, folder FolderRef, uids []UID) ([]Envelope, error)
	// Fetch reads a whole message without marking it read, up to limit
	// bytes.
	Fetch(ctx context.Context, folder FolderRef, uid UID, limit int64) (*RawMessage, error)
	// FetchMany reads many whole messages in pipelined batches, calling fn
	// for each in the order of uids; missing messages are skipped.
	FetchMany(ctx context.Context, folder FolderRef, uids []UID, limit int64, fn func(*RawMessage) error) error
	// SetSeen marks messages read or unread.
	SetSeen(ctx context.Context, folder FolderRef, uids []UID, seen bool) error
	// Remediator changes the mailbox: move, copy, flags, delete, search.
	Remediator
	// Watch makes the mailbox report changes in folder (and counters of
	// all folders) on Events. An empty folder stops watching.
	Watch(folder string)
	// Events delivers changes and connection news until Close.
	Events() <-chan Event
	// Close logs out and releases every connection.
	Close() error
}
