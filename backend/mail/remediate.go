package mail

import (
	"context"
	"slices"
	"time"
)

// Remediator is what a Mailbox offers to change a mailbox. Every method
// acts on UIDs of one folder at one UIDVALIDITY: if the folder was
// recreated meanwhile the call fails with ErrUIDValidityChanged and
// touches nothing. Bulk calls use one server command per action over the
// whole UID set (split only to keep command lines short).
type Remediator interface {
	// Move moves uids to dest. Each message is either moved or left where
	// it was; the Transfer says which, also when the call fails half-way.
	Move(ctx context.Context, from FolderRef, uids []UID, dest string) (Transfer, error)
	// Copy copies uids to dest.
	Copy(ctx context.Context, from FolderRef, uids []UID, dest string) (Transfer, error)
	// Store adds and removes flags and keywords. The result lists, per
	// change, the messages whose state it really changed, which is what
	// an undo must revert.
	Store(ctx context.Context, folder FolderRef, uids []UID, change FlagChange) (StoreResult, error)
	// Expunge deletes uids permanently: \Deleted, then UID EXPUNGE of
	// exactly these UIDs. Never a bare EXPUNGE.
	Expunge(ctx context.Context, folder FolderRef, uids []UID) ([]UID, error)
	// Search returns the UIDs in folder that match q, ascending.
	Search(ctx context.Context, folder string, q Query) (FolderRef, []UID, error)
	// MessageIDs returns the Message-ID of each of uids that has one
	// (for audit records and for finding messages again).
	MessageIDs(ctx context.Context, folder FolderRef, uids []UID) (map[UID]string, error)
	// Append stores raw in folder (e.g. the copy of a sent report).
	Append(ctx context.Context, folder string, raw []byte, flags Flags, date time.Time) (UID, error)
	// FolderInfo returns a folder's metadata.
	FolderInfo(ctx context.Context, name string) (FolderInfo, error)
}

// UIDPair maps a message's UID in the source folder to its UID in the
// destination after a move or copy.
type UIDPair struct {
	Src UID `json:"src"`
	Dst UID `json:"dst,omitempty"` // 0 when the server did not say (no UIDPLUS)
}

// Transfer is the outcome of a move or copy.
type Transfer struct {
	From FolderRef
	To   FolderRef // UIDValidity 0 when the server did not say
	// Done are the messages that reached the destination.
	Done []UIDPair
	// NotDone are the messages that did not, and are still at the source.
	NotDone []UID
	// Flagged is set by a move on a server without MOVE or UIDPLUS: the
	// copies exist and the originals carry \Deleted but were not expunged
	// (a bare EXPUNGE could delete other people's messages).
	Flagged bool
	// Reconciled is set when the link broke before the server answered
	// and the outcome was read back from the source folder instead.
	Reconciled bool
}

// Sources returns the source UIDs of Done.
func (t Transfer) Sources() []UID {
	out := make([]UID, len(t.Done))
	for i, p := range t.Done {
		out[i] = p.Src
	}
	return out
}

// Destinations returns the destination UIDs of Done that are known.
func (t Transfer) Destinations() []UID {
	out := make([]UID, 0, len(t.Done))
	for _, p := range t.Done {
		if p.Dst != 0 {
			out = append(out, p.Dst)
		}
	}
	return out
}

// System flags, as Store spells them in FlagChange.
const (
	FlagSeen     = `\Seen`
	FlagFlagged  = `\Flagged`
	FlagDeleted  = `\Deleted`
	FlagAnswered = `\Answered`
)

// FlagChange is one STORE: flags (system flags as above, or keywords
// already encoded with EncodeKeyword) to add and to remove.
type FlagChange struct {
	Add    []string
	Remove []string
}

// StoreResult tells, for each flag of the change, which messages it really
// changed: an added flag the message did not have, a removed flag it had.
type StoreResult struct {
	Added   map[string][]UID
	Removed map[string][]UID
}

// Reversal is one STORE that takes back part of a StoreResult.
type Reversal struct {
	Change FlagChange
	UIDs   []UID
}

// Reverse returns the STOREs that take r back: each flag removed from
// exactly the messages it was added to, and the other way round.
func (r StoreResult) Reverse() []Reversal {
	var out []Reversal
	for _, f := range sortedKeys(r.Added) {
		if uids := r.Added[f]; len(uids) > 0 {
			out = append(out, Reversal{Change: FlagChange{Remove: []string{f}}, UIDs: uids})
		}
	}
	for _, f := range sortedKeys(r.Removed) {
		if uids := r.Removed[f]; len(uids) > 0 {
			out = append(out, Reversal{Change: FlagChange{Add: []string{f}}, UIDs: uids})
		}
	}
	return out
}

// Count is how many messages the change touched (a message counted once
// per flag).
func (r StoreResult) Count() int {
	n := 0
	for _, u := range r.Added {
		n += len(u)
	}
	for _, u := range r.Removed {
		n += len(u)
	}
	return n
}

func sortedKeys(m map[string][]UID) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// FolderInfo is a folder's metadata, for the analyst's "what is this
// folder" key.
type FolderInfo struct {
	Name        string
	Role        Role
	Messages    uint32
	Unseen      uint32
	Deleted     uint32
	Size        int64 // bytes; -1 when the server cannot say (no STATUS=SIZE)
	UIDNext     uint32
	UIDValidity uint32
	Children    []string
	CanKeywords bool
}
