package mailbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type harness struct {
	t      *testing.T
	m      *Model
	mb     *mailtest.Mailbox
	errs   []error
	infos  []string
	opened []session.OpenMessageMsg
}

func newHarness(t *testing.T, mb *mailtest.Mailbox, w, h int) *harness {
	t.Helper()
	mb.CloseEvents() // nothing pushes events unless a test sends them itself
	theme, _ := themes.Builtin("none")
	remedy := uitest.Remedy(t)
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewStyles(theme), Jobs: jobs.NewRunner(50), Now: func() time.Time { return testNow }}, Actions: &action.Layer{Remedy: remedy}}
	acct := session.Account{Name: "test", Server: "imap://test", Mailbox: mb, MessageLimit: 1 << 20}
	hs := &harness{t: t, m: New(c, acct, DefaultKeyMap()), mb: mb}
	hs.m.SetLayout(w, h, 1)
	hs.run(hs.m.Init())
	return hs
}

func (h *harness) run(cmd tea.Cmd) {
	uitest.Drive(h.m, cmd, func(msg tea.Msg) {
		switch msg := msg.(type) {
		case common.ErrorMsg:
			h.errs = append(h.errs, msg.Err)
		case common.InfoMsg:
			h.infos = append(h.infos, msg.Text)
		case session.OpenMessageMsg:
			h.opened = append(h.opened, msg)
		}
	})
}

func (h *harness) press(keys ...string) {
	for _, k := range keys {
		_, cmd := h.m.Update(uitest.Key(k))
		h.run(cmd)
	}
}

func (h *harness) screen() string { return uitest.Plain(h.m.Render()) }

func TestOpensInboxNewestFirst(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	mb.Generate("INBOX", 5, testNow)
	h := newHarness(t, mb, 120, 20)
	lines := strings.Split(h.screen(), "\n")
	if !strings.Contains(lines[1], "Message 4") || !strings.Contains(lines[5], "Message 0") {
		t.Fatalf("list not newest first:\n%s", h.screen())
	}
	if mb.Watched() != "INBOX" {
		t.Errorf("watching %q, want INBOX", mb.Watched())
	}
	st := h.m.State()
	if st.Folder != "INBOX" || st.Total != 5 || st.Unseen != 2 {
		t.Errorf("status = %+v", st)
	}
}

func TestDefaultFolderFromAccount(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Phishing reports", mail.RoleNone)
	mb.Generate("Phishing reports", 2, testNow)
	mb.CloseEvents()
	theme, _ := themes.Builtin("none")
	remedy := uitest.Remedy(t)
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewStyles(theme), Jobs: jobs.NewRunner(50), Now: func() time.Time { return testNow }}, Actions: &action.Layer{Remedy: remedy}}
	m := New(c, session.Account{Name: "t", Mailbox: mb, DefaultFolder: "Phishing reports"}, DefaultKeyMap())
	m.SetLayout(100, 20, 1)
	uitest.Drive(m, m.Init(), nil)
	if got := m.State().Folder; got != "Phishing reports" {
		t.Fatalf("opened %q, want the default_folder", got)
	}
}

// A 50,000-message folder opens with one listing plus envelopes for the
// rows near the screen only.
func TestLargeFolderFetchesOnlyRowsNearScreen(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 50_000, testNow)
	h := newHarness(t, mb, 120, 40)
	fetched := 0
	for _, call := range mb.EnvelopeCalls() {
		fetched += len(call)
	}
	if fetched > 0 {
		t.Fatalf("opening fetched %d more envelopes; the first screen should come with the listing", fetched)
	}
	h.press("G") // to the oldest message
	fetched = 0
	for _, call := range mb.EnvelopeCalls() {
		fetched += len(call)
	}
	if fetched == 0 || fetched > 300 {
		t.Fatalf("jumping to the end fetched %d envelopes, want a few screens' worth", fetched)
	}
	if !strings.Contains(h.screen(), "Message 0") {
		t.Fatalf("oldest message not shown after G:\n%s", h.screen())
	}
}

func TestScrollKeysMoveCursorAndWindow(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 100, testNow)
	h := newHarness(t, mb, 120, 12)
	h.press("j", "j", "j")
	if got := h.m.open.cursor; got != 3 {
		t.Fatalf("cursor after jjj = %d, want 3", got)
	}
	h.press("pgdown")
	if got := h.m.open.cursor; got != 13 {
		t.Fatalf("cursor after pgdown = %d, want 13", got)
	}
	if top := h.m.open.top; top == 0 {
		t.Fatal("window did not scroll with the cursor")
	}
	h.press("home")
	if h.m.open.cursor != 0 || h.m.open.top != 0 {
		t.Fatalf("g did not go to the newest message: cursor %d top %d", h.m.open.cursor, h.m.open.top)
	}
	h.press("k")
	if h.m.open.cursor != 0 {
		t.Fatal("cursor moved above the first row")
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 50, testNow)
	h := newHarness(t, mb, 120, 12)
	_, cmd := h.m.Update(tea.MouseWheelMsg{X: 60, Y: 5, Button: tea.MouseWheelDown})
	h.run(cmd)
	if h.m.open.cursor != 3 {
		t.Fatalf("cursor after wheel down = %d, want 3", h.m.open.cursor)
	}
}

func TestEnterOpensMessage(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 3, testNow)
	h := newHarness(t, mb, 120, 12)
	h.press("j", "enter")
	if len(h.opened) != 1 || h.opened[0].Envelope.Subject != "Message 1" {
		t.Fatalf("opened %+v, want Message 1", h.opened)
	}
}

func TestSidebarOpensFolder(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Quarantine", mail.RoleNone)
	mb.Add("Quarantine", mail.Envelope{Subject: "held invoice", From: []mail.Address{{Addr: "x@evil.example"}}}, []byte("x"))
	h := newHarness(t, mb, 120, 12)
	h.press("tab", "j", "enter")
	if got := h.m.State().Folder; got != "Quarantine" {
		t.Fatalf("open folder = %q, want Quarantine", got)
	}
	if !strings.Contains(h.screen(), "held invoice") {
		t.Fatalf("Quarantine rows not shown:\n%s", h.screen())
	}
}

func TestOpenFolderByNameIgnoresCaseAndReportsUnknown(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	h := newHarness(t, mb, 120, 12)
	h.run(h.m.OpenFolder("junk"))
	if got := h.m.State().Folder; got != "Junk" {
		t.Fatalf("open folder = %q, want Junk", got)
	}
	h.run(h.m.OpenFolder("Nope"))
	if len(h.errs) == 0 || !strings.Contains(h.errs[len(h.errs)-1].Error(), `no folder named "Nope"`) {
		t.Fatalf("errors = %v", h.errs)
	}
}

// A reply for a folder the analyst has left must not be painted.
func TestStaleListingIsDropped(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	mb.Generate("INBOX", 3, testNow)
	h := newHarness(t, mb, 120, 12)
	stale := h.m.loadListing("INBOX", 10, false)() // answered, not yet taken
	h.run(h.m.OpenFolder("Junk"))
	h.m.Update(stale)
	if got := h.m.State(); got.Folder != "Junk" || got.Total != 0 {
		t.Fatalf("status after a stale INBOX reply = %+v", got)
	}
}

func TestToggleReadIsOptimisticAndRollsBack(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 3, testNow) // message 0 (the oldest) is unread
	h := newHarness(t, mb, 120, 12)
	h.press("G", "r")
	if !mb.Seen("INBOX", 1) {
		t.Fatal("r did not mark the message read on the server")
	}
	if h.m.State().Unseen != 0 {
		t.Fatalf("unseen = %d after reading the only unread message", h.m.State().Unseen)
	}
	mb.FailNext(errors.New("server said [CANNOT] read-only folder"))
	h.press("r")
	if !mb.Seen("INBOX", 1) || h.m.open.env[1].Flags.Seen != true {
		t.Fatal("refused change was not rolled back on screen")
	}
	if len(h.errs) == 0 || !strings.Contains(h.errs[0].Error(), "read-only") {
		t.Fatalf("refusal not reported: %v", h.errs)
	}
}

func TestConnectionErrorIsShownInList(t *testing.T) {
	mb := mailtest.New()
	mb.FailFolders = &mail.ConnError{Stage: "login", Server: "mail.example.com:993", Err: errors.New("server said [AUTHENTICATIONFAILED] Authentication failed.")}
	h := newHarness(t, mb, 120, 12)
	if !strings.Contains(h.screen(), "login mail.example.com:993: server said [AUTHENTICATIONFAILED]") {
		t.Fatalf("login failure not on screen:\n%s", h.screen())
	}
}

func TestHostileSubjectIsSanitizedInList(t *testing.T) {
	mb := mailtest.New()
	mb.Add("INBOX", mail.Envelope{Subject: "\x1b[2Jinvoice\u202efdp.exe", From: []mail.Address{{Name: "Pay\u200bPal", Addr: "x@paypa1.example"}}}, []byte("x"))
	h := newHarness(t, mb, 120, 12)
	out := h.m.Render()
	if strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\u202e") || strings.Contains(out, "\u200b") {
		t.Fatal("a raw escape, bidi or zero-width character reached the screen")
	}
	plain := h.screen()
	for _, want := range []string{"⟨CSI 2J⟩invoice⟨RLO⟩fdp.exe", "Pay⟨ZWSP⟩Pal"} {
		if !strings.Contains(plain, want) {
			t.Errorf("screen lacks %q:\n%s", want, plain)
		}
	}
}

func TestArrivalEventRelistsFolder(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 2, testNow)
	h := newHarness(t, mb, 120, 12)
	mb.Add("INBOX", mail.Envelope{Subject: "fresh phish", From: []mail.Address{{Addr: "a@b.example"}}}, []byte("x"))
	h.run(func() tea.Msg {
		return EventMsg{Account: "test", Event: mail.Event{Kind: mail.EventArrived, Folder: "INBOX", Count: 1}}
	})
	if !strings.Contains(strings.Split(h.screen(), "\n")[1], "fresh phish") {
		t.Fatalf("new mail not at the top:\n%s", h.screen())
	}
	if len(h.infos) == 0 || !strings.Contains(h.infos[len(h.infos)-1], "1 new in INBOX") {
		t.Fatalf("infos = %v", h.infos)
	}
}

func TestCursorStaysOnMessageWhenMailArrives(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 5, testNow)
	h := newHarness(t, mb, 120, 12)
	h.press("j", "j") // on Message 2
	mb.Add("INBOX", mail.Envelope{Subject: "new"}, []byte("x"))
	h.run(func() tea.Msg {
		return EventMsg{Account: "test", Event: mail.Event{Kind: mail.EventArrived, Folder: "INBOX", Count: 1}}
	})
	f := h.m.open
	if got := f.env[f.uidAt(f.cursor)].Subject; got != "Message 2" {
		t.Fatalf("cursor on %q after new mail, want Message 2", got)
	}
}

func TestConnectionLostAndRestoredAreReported(t *testing.T) {
	mb := mailtest.New()
	h := newHarness(t, mb, 120, 12)
	h.run(func() tea.Msg {
		return EventMsg{Account: "test", Event: mail.Event{Kind: mail.EventConnLost, Err: errors.New("EOF")}}
	})
	if !h.m.State().ConnLost || len(h.errs) == 0 || !strings.Contains(h.errs[0].Error(), "lost, reconnecting") {
		t.Fatalf("loss not reported: %+v %v", h.m.State(), h.errs)
	}
	h.run(func() tea.Msg { return EventMsg{Account: "test", Event: mail.Event{Kind: mail.EventConnRestored}} })
	if h.m.State().ConnLost || !strings.Contains(strings.Join(h.infos, "|"), "reconnected to imap://test") {
		t.Fatalf("restore not reported: %+v %v", h.m.State(), h.infos)
	}
}

func TestNarrowTerminalStillFits(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 30, testNow)
	h := newHarness(t, mb, 80, 21)
	for i, line := range strings.Split(h.m.Render(), "\n") {
		if w := len([]rune(uitest.Plain(line))); w > 80 {
			t.Fatalf("line %d is %d cells wide at 80 columns", i, w)
		}
	}
	if n := strings.Count(h.m.Render(), "\n") + 1; n != 21 {
		t.Fatalf("rendered %d lines, want 21", n)
	}
}

func TestMouseClickSelectsThenOpens(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 10, testNow)
	h := newHarness(t, mb, 120, 12)
	// originY is 1 and the list's first line is its header: row 2 of the
	// list is screen line 4.
	click := tea.MouseClickMsg{X: 60, Y: 4, Button: tea.MouseLeft}
	_, cmd := h.m.Update(click)
	h.run(cmd)
	if h.m.open.cursor != 2 {
		t.Fatalf("click selected row %d, want 2", h.m.open.cursor)
	}
	_, cmd = h.m.Update(click)
	h.run(cmd)
	if len(h.opened) != 1 || h.opened[0].Envelope.Subject != "Message 7" {
		t.Fatalf("second click opened %+v, want Message 7", h.opened)
	}
}

func TestMouseClickOnSidebarOpensFolder(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	h := newHarness(t, mb, 120, 12)
	_, cmd := h.m.Update(tea.MouseClickMsg{X: 3, Y: 3, Button: tea.MouseLeft})
	h.run(cmd)
	if got := h.m.State().Folder; got != "Junk" {
		t.Fatalf("clicked folder opened %q, want Junk", got)
	}
}

func TestMissingDefaultFolderFallsBackToInbox(t *testing.T) {
	mb := mailtest.New()
	mb.Generate("INBOX", 2, testNow)
	mb.CloseEvents()
	theme, _ := themes.Builtin("none")
	remedy := uitest.Remedy(t)
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewStyles(theme), Jobs: jobs.NewRunner(50), Now: func() time.Time { return testNow }}, Actions: &action.Layer{Remedy: remedy}}
	m := New(c, session.Account{Name: "t", Mailbox: mb, DefaultFolder: "Reports"}, DefaultKeyMap())
	m.SetLayout(100, 20, 1)
	var errs []error
	uitest.Drive(m, m.Init(), func(msg tea.Msg) {
		if e, ok := msg.(common.ErrorMsg); ok {
			errs = append(errs, e.Err)
		}
	})
	if got := m.State(); got.Folder != "INBOX" || got.Total != 2 {
		t.Fatalf("status = %+v, want INBOX with 2 messages", got)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `default_folder "Reports": no such folder`) {
		t.Fatalf("errors = %v", errs)
	}
}
