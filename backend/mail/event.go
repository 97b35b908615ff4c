package mail

// EventKind says what changed.
type EventKind int

// Kinds of mailbox events.
const (
	// EventArrived: new messages in the watched folder (Count of them).
	EventArrived EventKind = iota + 1
	// EventExpunged: messages left the watched folder.
	EventExpunged
	// EventFlagsChanged: another client changed flags in the watched folder.
	EventFlagsChanged
	// EventStatus: fresh counters for a folder (Status).
	EventStatus
	// EventConnLost: the connection dropped; the mailbox is reconnecting.
	EventConnLost
	// EventConnRestored: connected again after EventConnLost. Anything may
	// have changed meanwhile, so listeners should reload what they show.
	EventConnRestored
)

// Event is one change reported by Mailbox.Events.
type Event struct {
	Kind   EventKind
	Folder string
	Count  int
	Status FolderStatus
	Err    error // why the connection was lost (EventConnLost)
}
