package mailbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// holdingBox is a real (in-memory) mailbox whose listing of one folder,
// envelope fetches or moves wait until released or cancelled, so a test
// can act while they are in flight and see whether they were cancelled.
type holdingBox struct {
	*mailtest.Mailbox
	mu        sync.Mutex
	holdList  string // the folder whose listing waits
	holdPages bool   // envelope fetches wait
	holdMoves bool   // moves wait
	holdFind  bool   // searches wait
	entered   chan context.Context
	release   chan struct{}
}

func newHoldingBox(mb *mailtest.Mailbox) *holdingBox {
	return &holdingBox{Mailbox: mb, entered: make(chan context.Context, 10), release: make(chan struct{})}
}

// hold waits for release or for ctx to be cancelled.
func (b *holdingBox) hold(ctx context.Context) error {
	b.entered <- ctx
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *holdingBox) holding(what func(*holdingBox) bool) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return what(b)
}

func (b *holdingBox) set(fn func(*holdingBox)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn(b)
}

func (b *holdingBox) List(ctx context.Context, name string, prefetch int) (mail.Listing, error) {
	if b.holding(func(b *holdingBox) bool { return b.holdList == name }) {
		if err := b.hold(ctx); err != nil {
			return mail.Listing{}, err
		}
	}
	return b.Mailbox.List(ctx, name, prefetch)
}

func (b *holdingBox) Envelopes(ctx context.Context, ref mail.FolderRef, uids []mail.UID) ([]mail.Envelope, error) {
	if b.holding(func(b *holdingBox) bool { return b.holdPages }) {
		if err := b.hold(ctx); err != nil {
			return nil, err
		}
	}
	return b.Mailbox.Envelopes(ctx, ref, uids)
}

func (b *holdingBox) Move(ctx context.Context, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	if b.holding(func(b *holdingBox) bool { return b.holdMoves }) {
		if err := b.hold(ctx); err != nil {
			return mail.Transfer{}, err
		}
	}
	return b.Mailbox.Move(ctx, from, uids, dest)
}

func (b *holdingBox) Search(ctx context.Context, name string, q mail.Query) (mail.FolderRef, []mail.UID, error) {
	if b.holding(func(b *holdingBox) bool { return b.holdFind }) {
		if err := b.hold(ctx); err != nil {
			return mail.FolderRef{}, nil, err
		}
	}
	return b.Mailbox.Search(ctx, name, q)
}

// waitEntered waits for the held call to start and returns its context.
func (b *holdingBox) waitEntered(t *testing.T, what string) context.Context {
	t.Helper()
	select {
	case ctx := <-b.entered:
		return ctx
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never reached the server", what)
		return nil
	}
}

// waitCancelled fails unless ctx is cancelled within the deadline.
func waitCancelled(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("%s was not cancelled", what)
	}
}

// inBackground runs cmd off the test goroutine, as the runtime would,
// and returns where its message arrives.
func inBackground(cmd tea.Cmd) <-chan tea.Msg {
	out := make(chan tea.Msg, 1)
	go func() { out <- cmd() }()
	return out
}

func receive(t *testing.T, ch <-chan tea.Msg, what string) tea.Msg {
	t.Helper()
	select {
	case msg := <-ch:
		return msg
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never answered", what)
		return nil
	}
}

// jobState finds the state of the job named name.
func jobState(h *harness, name string) (jobs.State, bool) {
	for _, j := range h.m.c.Jobs.Snapshot() {
		if j.Name == name {
			return j.State, true
		}
	}
	return 0, false
}

// Opening another folder cancels the old folder's listing on the server
// (its context ends, so the IMAP call stops), and the answer it still
// gives is dropped: the list shows the folder opened last.
func TestOpeningAnotherFolderCancelsTheOldListing(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Quarantine", mail.RoleNone)
	mb.AddFolder("Junk", mail.RoleJunk)
	mb.Generate("Quarantine", 5, testNow)
	mb.Generate("Junk", 2, testNow)
	h := newHarness(t, mb, 120, 12)
	box := newHoldingBox(mb)
	box.holdList = "Quarantine"
	h.m.acct.Mailbox = box

	reply := inBackground(h.m.OpenFolder("Quarantine"))
	listing := box.waitEntered(t, "the Quarantine listing")
	h.run(h.m.OpenFolder("Junk"))
	waitCancelled(t, listing, "the Quarantine listing")

	h.run(func() tea.Msg { return receive(t, reply, "the Quarantine listing") })
	if got := h.m.State(); got.Folder != "Junk" || got.Total != 2 || len(h.errs) != 0 {
		t.Fatalf("after the cancelled Quarantine listing: status %+v, errors %v", got, h.errs)
	}
	if st, ok := jobState(h, "open Quarantine"); !ok || st != jobs.Canceled {
		t.Fatalf("the Quarantine listing's job: %v (found %v), want cancelled", st, ok)
	}
}

// Opening another folder cancels the other requests about the old one
// too: a search of INBOX still running stops, and its answer neither
// replaces the new folder's list nor names a query.
func TestOpeningAnotherFolderCancelsTheOldSearch(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	mb.Generate("Junk", 2, testNow)
	h, reply, search, _ := heldSearch(t, mb)
	h.run(h.m.OpenFolder("Junk"))
	waitCancelled(t, search, "the INBOX search")

	h.run(func() tea.Msg { return receive(t, reply, "the INBOX search") })
	if got := h.m.State(); got.Folder != "Junk" || got.Total != 2 || got.Query != "" || len(h.errs) != 0 {
		t.Fatalf("after the cancelled INBOX search: status %+v, errors %v", got, h.errs)
	}
}

// heldSearch lists INBOX (5 messages added to mb) and starts a search of
// it that the server holds until cancelled: the search's reply to come,
// its context, and the box holding it.
func heldSearch(t *testing.T, mb *mailtest.Mailbox) (*harness, <-chan tea.Msg, context.Context, *holdingBox) {
	t.Helper()
	mb.Generate("INBOX", 5, testNow)
	h := newHarness(t, mb, 120, 12)
	box := newHoldingBox(mb)
	box.holdFind = true
	h.m.acct.Mailbox = box
	reply := inBackground(h.m.Search("subject:message"))
	return h, reply, box.waitEntered(t, "the INBOX search"), box
}

// Switching to another account cancels what this one asked about its
// folder; coming back asks again, so the search the analyst typed is
// shown after all.
func TestLeavingTheAccountCancelsAndFocusAsksAgain(t *testing.T) {
	h, reply, search, box := heldSearch(t, mailtest.New())
	h.m.Leave()
	waitCancelled(t, search, "the INBOX search")
	h.run(func() tea.Msg { return receive(t, reply, "the INBOX search") })
	if q := h.m.Query(); q != "" {
		t.Fatalf("a cancelled search was shown: %q", q)
	}

	box.set(func(b *holdingBox) { b.holdFind = false })
	h.run(h.m.Focus())
	if got := h.m.State(); got.Query != "subject:message" || got.Total != 5 || len(h.errs) != 0 {
		t.Fatalf("after coming back: status %+v, errors %v", got, h.errs)
	}
}

// Leaving the list for another screen cancels the envelope pages in
// flight (a hidden list draws no rows, and the message opened needs the
// connections); coming back fetches them again.
func TestBlurCancelsRowFetchesAndFocusAsksAgain(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 2000, testNow)
	h := newHarness(t, mb, 120, 12)
	box := newHoldingBox(mb)
	box.holdPages = true
	h.m.acct.Mailbox = box

	_, cmd := h.m.Update(uitest.Key("G")) // to the oldest rows, not loaded
	page := inBackground(cmd)
	fetch := box.waitEntered(t, "the envelope page")
	h.m.Blur()
	waitCancelled(t, fetch, "the envelope page")
	h.run(func() tea.Msg { return receive(t, page, "the envelope page") })

	box.set(func(b *holdingBox) { b.holdPages = false })
	h.run(h.m.Focus())
	if !strings.Contains(h.screen(), "Message 0") || len(h.errs) != 0 {
		t.Fatalf("the oldest rows after coming back (errors %v):\n%s", h.errs, h.screen())
	}
}

// heldMove lists INBOX (4 messages; Junk has 3, Trash none) on a server
// that holds moves until the test closes box.release.
func heldMove(t *testing.T) (*mailtest.Mailbox, *harness, *holdingBox) {
	t.Helper()
	mb := mailtest.New()
	mb.AddFolder("Trash", mail.RoleTrash)
	mb.AddFolder("Junk", mail.RoleJunk)
	mb.Generate("INBOX", 4, testNow)
	mb.Generate("Junk", 3, testNow)
	h := newHarness(t, mb, 120, 12)
	box := newHoldingBox(mb)
	box.holdMoves = true
	h.m.acct.Mailbox = box
	return mb, h, box
}

// moveThenOpenJunk trashes the message under the cursor, and while the
// server holds the move, opens Junk: the move's outcome to come, its
// context, and Junk's UIDs as listed.
func moveThenOpenJunk(t *testing.T, h *harness, box *holdingBox) (<-chan tea.Msg, context.Context, []mail.UID) {
	t.Helper()
	outcome := inBackground(h.m.Act(remediate.Trash, "", ""))
	move := box.waitEntered(t, "the move to Trash")
	h.run(h.m.OpenFolder("Junk"))
	return outcome, move, append([]mail.UID(nil), h.m.open.uids...)
}

// A move started in one folder finishes on the server after the analyst
// opens another folder (it is never cancelled), and its answer leaves the
// other folder's list alone.
func TestMoveFinishesAfterAnotherFolderOpens(t *testing.T) {
	mb, h, box := heldMove(t)
	moving := h.m.open.uidAt(0)
	outcome, move, junk := moveThenOpenJunk(t, h, box)
	if move.Err() != nil {
		t.Fatal("opening another folder cancelled a move in flight")
	}
	close(box.release)
	h.run(func() tea.Msg { return receive(t, outcome, "the move to Trash") })

	if mb.Count("INBOX") != 3 || mb.Count("Trash") != 1 {
		t.Fatalf("on the server: INBOX %d, Trash %d; want the move done (errors %v)", mb.Count("INBOX"), mb.Count("Trash"), h.errs)
	}
	if _, still := mb.Message("INBOX", moving); still {
		t.Fatalf("message %d is still in INBOX", moving)
	}
	st := h.m.State()
	if st.Folder != "Junk" || st.Total != 3 || !slices.Equal(h.m.open.uids, junk) || len(h.errs) != 0 {
		t.Fatalf("Junk after INBOX's move: status %+v, uids %v (were %v), errors %v", st, h.m.open.uids, junk, h.errs)
	}
}

// A move the server refuses after the analyst left its folder puts
// nothing back into the list shown now.
func TestRefusedMoveDoesNotTouchTheFolderOpenedSince(t *testing.T) {
	mb, h, box := heldMove(t)
	outcome, _, junk := moveThenOpenJunk(t, h, box)
	mb.FailNext(errTestRefused)
	close(box.release)
	h.run(func() tea.Msg { return receive(t, outcome, "the move to Trash") })

	if mb.Count("INBOX") != 4 || mb.Count("Trash") != 0 {
		t.Fatalf("on the server: INBOX %d, Trash %d; want the move refused", mb.Count("INBOX"), mb.Count("Trash"))
	}
	if !slices.Equal(h.m.open.uids, junk) || h.m.State().Folder != "Junk" {
		t.Fatalf("Junk after INBOX's refused move: uids %v, were %v", h.m.open.uids, junk)
	}
	if len(h.errs) == 0 {
		t.Fatal("the refusal was not reported")
	}
}

var errTestRefused = errors.New("server said NO [CANNOT] not now")
