package mailbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

// Every reply names its account (each account's screen sees every reply
// and keeps its own) and, for a request about the open folder, carries
// the ticket of its slot (see requests): a reply for a folder the analyst
// has already left is dropped, not painted.

// FoldersLoadedMsg carries the folder tree.
type FoldersLoadedMsg struct {
	Account string
	Folders []mail.Folder
	Err     error
}

// ListingLoadedMsg carries the UIDs of a folder (and its newest envelopes).
type ListingLoadedMsg struct {
	Account string
	Ticket  common.Ticket
	Folder  string
	Listing mail.Listing
	Err     error
}

// EnvelopesLoadedMsg carries list rows fetched in the background.
type EnvelopesLoadedMsg struct {
	Account   string
	Ticket    common.Ticket
	Asked     []mail.UID
	Envelopes []mail.Envelope
	Err       error
}

// EventMsg carries one change the server reported.
type EventMsg struct {
	Account string
	Event   mail.Event
	Closed  bool // the event stream ended
}

// envelopeTimeout bounds a background fetch; a hung link is dropped and
// the rows are asked for again on the next scroll.
const envelopeTimeout = 60 * time.Second

func (m *Model) loadFolders() tea.Cmd {
	acct := m.acct
	return common.RunJob(m.c.Common, jobs.Spec{Name: "list folders", Account: acct.Name, Retries: 1, Retryable: retryable},
		func(ctx context.Context, _ *jobs.Progress) ([]mail.Folder, error) {
			return acct.Mailbox.Folders(ctx)
		},
		func(_ jobs.ID, folders []mail.Folder, err error) tea.Msg {
			return FoldersLoadedMsg{Account: acct.Name, Folders: folders, Err: err}
		})
}

// loadListing lists folder in the listing slot: a newer listing (a
// reload, another folder) cancels it.
func (m *Model) loadListing(folder string, prefetch int, quiet bool) tea.Cmd {
	acct := m.acct
	name := "open " + folder
	if quiet {
		name = "reload " + folder // new mail, or after an action
	}
	spec := jobs.Spec{Name: name, Account: acct.Name, Quiet: quiet, Retries: 1, Retryable: retryable}
	return common.Request(m.c.Common, &m.req.list, spec,
		func(ctx context.Context, _ *jobs.Progress) (mail.Listing, error) {
			return acct.Mailbox.List(ctx, folder, prefetch)
		},
		func(t common.Ticket, l mail.Listing, err error) tea.Msg {
			return ListingLoadedMsg{Account: acct.Name, Ticket: t, Folder: folder, Listing: l, Err: err}
		})
}

// loadEnvelopes fetches the rows uids of the open folder beside the other
// pages in flight (see requests.rows).
func (m *Model) loadEnvelopes(ref mail.FolderRef, uids []mail.UID) tea.Cmd {
	acct := m.acct
	spec := jobs.Spec{Name: fmt.Sprintf("fetch %d envelopes in %s", len(uids), ref.Name), Account: acct.Name, Quiet: true, Timeout: envelopeTimeout}
	return common.RequestIn(m.c.Common, &m.req.rows, spec,
		func(ctx context.Context, _ *jobs.Progress) ([]mail.Envelope, error) {
			return acct.Mailbox.Envelopes(ctx, ref, uids)
		},
		func(t common.Ticket, envs []mail.Envelope, err error) tea.Msg {
			return EnvelopesLoadedMsg{Account: acct.Name, Ticket: t, Asked: uids, Envelopes: envs, Err: err}
		})
}

func (m *Model) setSeen(ref mail.FolderRef, uids []mail.UID, seen bool) tea.Cmd {
	acct := m.acct
	verb := "unread"
	if seen {
		verb = "read"
	}
	return common.RunJob(m.c.Common, jobs.Spec{Name: fmt.Sprintf("mark %d %s", len(uids), verb), Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (struct{}, error) {
			return struct{}{}, acct.Mailbox.SetSeen(ctx, ref, uids, seen)
		},
		func(_ jobs.ID, _ struct{}, err error) tea.Msg {
			if err != nil {
				return seenFailedMsg{account: acct.Name, folder: ref, uids: uids, seen: seen, err: err}
			}
			return session.SeenChangedMsg{Account: acct.Name, Folder: ref, UIDs: uids, Seen: seen}
		})
}

// seenFailedMsg undoes an optimistic read/unread change the server refused.
type seenFailedMsg struct {
	account string
	folder  mail.FolderRef
	uids    []mail.UID
	seen    bool
	err     error
}

// listen waits for the next server event. It is re-armed after each one,
// so exactly one reader waits on the channel at any time.
func listen(acct string, ch <-chan mail.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		return EventMsg{Account: acct, Event: ev, Closed: !ok}
	}
}

// retryable: a refused login or a missing folder will not get better by
// asking again.
func retryable(err error) bool {
	var ce *mail.ConnError
	if errors.As(err, &ce) {
		return ce.Stage == "connect"
	}
	return false
}
