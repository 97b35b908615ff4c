package mailbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/internal/smtptest"
	"github.com/mailtriage/mailtriage/ui/session"
)

func remedyHarness(t *testing.T, n int) *harness {
	t.Helper()
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	mb.AddFolder("Trash", mail.RoleTrash)
	mb.AddFolder("Phishing reports", mail.RoleNone)
	mb.Generate("INBOX", n, testNow)
	return newHarness(t, mb, 150, 20)
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		k := string(r)
		if r == ' ' {
			k = "space"
		}
		h.press(k)
	}
}

func TestMoveSelectionWithPickerAndUndo(t *testing.T) {
	h := remedyHarness(t, 6)
	h.press("space", "space") // newest two selected, cursor moved down
	if h.m.State().Selected != 2 {
		t.Fatalf("selected %d", h.m.State().Selected)
	}
	h.press("m")
	if !strings.Contains(h.screen(), "move 2 message(s) to") {
		t.Fatalf("picker not shown:\n%s", h.screen())
	}
	// Special-use first: Junk, then Trash, then the rest.
	if v := h.screen(); strings.Index(v, "Junk") > strings.Index(v, "Phishing reports") {
		t.Fatalf("special-use folders not first:\n%s", v)
	}
	h.typeText("phish")
	h.press("enter")
	if h.mb.Count("Phishing reports") != 2 || h.mb.Count("INBOX") != 4 {
		t.Fatalf("after move: INBOX %d, Phishing %d", h.mb.Count("INBOX"), h.mb.Count("Phishing reports"))
	}
	if got := h.m.State(); got.Total != 4 || got.Selected != 0 {
		t.Fatalf("list after move: %+v", got)
	}
	if !strings.Contains(h.infos[len(h.infos)-1], "moved 2 messages to Phishing reports") {
		t.Fatalf("infos %q", h.infos)
	}
	h.press("u")
	if h.mb.Count("INBOX") != 6 || h.mb.Count("Phishing reports") != 0 {
		t.Fatalf("after undo: INBOX %d", h.mb.Count("INBOX"))
	}
	recs, _ := h.m.c.Actions.Remedy.Audit.Recent(10)
	if len(recs) != 4 || recs[3].Action != "move" || recs[3].Dest != "Phishing reports" || len(recs[3].MessageIDs) != 2 {
		t.Fatalf("audit %+v", recs)
	}
}

func TestRefusedMoveComesBack(t *testing.T) {
	h := remedyHarness(t, 3)
	h.mb.FailNext(errors.New("server said NO [OVERQUOTA] Quota exceeded"))
	h.press("d")
	if h.mb.Count("INBOX") != 3 || h.m.State().Total != 3 {
		t.Fatalf("refused trash: INBOX %d on server, %d on screen", h.mb.Count("INBOX"), h.m.State().Total)
	}
	if len(h.errs) == 0 || !strings.Contains(h.errs[0].Error(), "OVERQUOTA") {
		t.Fatalf("errors %v", h.errs)
	}
}

func TestPermanentDeleteAsksWithCount(t *testing.T) {
	h := remedyHarness(t, 4)
	h.press("*", "D")
	if v := h.screen(); !strings.Contains(v, "Delete 4 messages in INBOX permanently?") {
		t.Fatalf("no confirmation:\n%s", v)
	}
	h.press("n")
	if h.mb.Count("INBOX") != 4 {
		t.Fatal("n deleted anyway")
	}
	h.press("D", "y")
	if h.mb.Count("INBOX") != 0 || h.mb.Count("Trash") != 0 {
		t.Fatalf("after D y: INBOX %d Trash %d", h.mb.Count("INBOX"), h.mb.Count("Trash"))
	}
	h.press("u")
	if !strings.Contains(strings.Join(h.infos, "|"), "nothing to undo") {
		t.Fatalf("a permanent delete was offered for undo: %q", h.infos)
	}
}

func TestBigSelectionAsksFirst(t *testing.T) {
	h := remedyHarness(t, 60)
	h.press("*", "d")
	if v := h.screen(); !strings.Contains(v, "Move 60 messages in INBOX to Trash?") {
		t.Fatalf("no confirmation for 60:\n%s", v)
	}
	h.press("y")
	if h.mb.Count("Trash") != 60 {
		t.Fatalf("Trash %d", h.mb.Count("Trash"))
	}
}

func TestSoftDeleteToggleAndTagPicker(t *testing.T) {
	h := remedyHarness(t, 2)
	h.press("X")
	if e, _ := h.mb.Message("INBOX", 2); !e.Flags.Deleted {
		t.Fatal("X did not flag \\Deleted")
	}
	if h.mb.Count("INBOX") != 2 {
		t.Fatal("soft delete removed the message")
	}
	h.press("X")
	if e, _ := h.mb.Message("INBOX", 2); e.Flags.Deleted {
		t.Fatal("second X did not restore")
	}
	h.press("t")
	h.typeText("Phish confirmed")
	h.press("enter")
	e, _ := h.mb.Message("INBOX", 2)
	if len(e.Flags.Keywords) != 1 || mail.DecodeKeyword(e.Flags.Keywords[0]) != "Phish confirmed" {
		t.Fatalf("keywords %q", e.Flags.Keywords)
	}
	if !strings.Contains(h.screen(), "Phish confirmed") {
		t.Fatalf("tag not shown by name:\n%s", h.screen())
	}
	// t again offers it for removal.
	h.press("t")
	if !strings.Contains(h.screen(), "(remove)") {
		t.Fatalf("existing tag not offered for removal:\n%s", h.screen())
	}
	h.press("enter")
	if e, _ := h.mb.Message("INBOX", 2); len(e.Flags.Keywords) != 0 {
		t.Fatalf("untag left %q", e.Flags.Keywords)
	}
}

func TestSelectSameSenderAndSearch(t *testing.T) {
	h := remedyHarness(t, 200) // senders repeat every 97 messages
	h.press("s")
	if got := h.m.State().Selected; got != 3 {
		t.Fatalf("same sender selected %d, want 3", got)
	}
	h.press("esc")
	if h.m.State().Selected != 0 {
		t.Fatal("esc did not clear the selection")
	}
	h.press("/")
	h.typeText("subject:\"Message 19\"")
	h.press("enter")
	st := h.m.State()
	if st.Query != `subject:"Message 19"` || st.Total != 11 { // 19, 190-199
		t.Fatalf("search status %+v", st)
	}
	h.press("*")
	if h.m.State().Selected != 11 {
		t.Fatalf("* selected %d", h.m.State().Selected)
	}
	h.press("esc", "esc")
	if st := h.m.State(); st.Query != "" || st.Total != 200 {
		t.Fatalf("after esc: %+v", st)
	}
}

func TestFolderInfoPanel(t *testing.T) {
	h := remedyHarness(t, 5)
	h.press("i")
	v := h.screen()
	if !strings.Contains(v, "Folder INBOX") || !strings.Contains(v, "messages 5") || !strings.Contains(v, "UIDVALIDITY 1") {
		t.Fatalf("info panel:\n%s", v)
	}
	h.press("j")
	if strings.Contains(h.screen(), "Folder INBOX") {
		t.Fatal("panel did not close")
	}
}

func TestReportForwardsAsAttachmentAndKeepsACopy(t *testing.T) {
	srv := smtptest.Start(t, "soc@example.com", "smtp pw")
	mb := mailtest.New()
	mb.AddFolder("Sent", mail.RoleSent)
	mb.Generate("INBOX", 2, testNow)
	h := newHarness(t, mb, 150, 20)
	h.m.acct.Report = &session.ReportDesk{
		SMTP: report.Server{Addr: srv.Addr, TLS: report.TLSNone, Username: "soc@example.com", Password: func(context.Context) (string, error) { return "smtp pw", nil }},
		From: "soc@example.com", To: []string{"abuse@example.com"},
	}
	h.press("F")
	if !strings.Contains(h.screen(), `Forward 1 message "Message 1" in INBOX to abuse@example.com as an attachment?`) {
		t.Fatalf("no confirmation:\n%s", h.screen())
	}
	h.press("y")
	got := srv.Received()
	if len(got) != 1 || !strings.Contains(string(got[0].Data), "Content-Type: message/rfc822") || !strings.Contains(string(got[0].Data), "Subject: Message 1") {
		t.Fatalf("received %+v (errors %v)", got, h.errs)
	}
	if mb.Count("Sent") != 1 {
		t.Fatal("no copy in Sent")
	}
	if !strings.Contains(h.infos[len(h.infos)-1], "reported to abuse@example.com; copy in Sent") {
		t.Fatalf("infos %q", h.infos)
	}
	recs, _ := h.m.c.Actions.Remedy.Audit.Recent(2)
	if len(recs) != 2 || recs[0].Action != "report" || recs[0].Result != "ok" {
		t.Fatalf("audit %+v", recs)
	}
}

func TestSearchAllFoldersMergesAndOpens(t *testing.T) {
	mb := mailtest.New()
	mb.AddFolder("Junk", mail.RoleJunk)
	mb.Generate("INBOX", 30, testNow)
	mb.Generate("Junk", 12, testNow.Add(-time.Hour))
	h := newHarness(t, mb, 150, 24)
	h.press("/")
	h.typeText("subject:\"Message 1\" in:all")
	h.press("enter")
	v := h.screen()
	// INBOX: 1, 10-19; Junk: 1, 10, 11.
	if !strings.Contains(v, "14 matches for subject:\"Message 1\" in 2 folders") || !strings.Contains(v, "Junk") {
		t.Fatalf("merged list:\n%s", v)
	}
	h.typeText("junk")
	h.press("enter")
	st := h.m.State()
	if st.Folder != "Junk" || st.Query != `subject:"Message 1"` || st.Total != 3 {
		t.Fatalf("opened %+v", st)
	}
	if e, _ := h.m.current(); e == nil || !strings.HasPrefix(e.Subject, "Message 1") {
		t.Fatalf("cursor on %+v", e)
	}
}

func TestRepliesForAnotherAccountAreDropped(t *testing.T) {
	h := remedyHarness(t, 2)
	before := len(h.m.folders)
	h.m.Update(FoldersLoadedMsg{Account: "someone else", Folders: nil})
	// A current reply (its ticket is this screen's latest search), but
	// addressed to another account's screen.
	search := h.m.runSearch("subject:message", false)().(searchDoneMsg)
	search.account = "someone else"
	h.m.Update(search)
	if len(h.m.folders) != before || h.m.Query() != "" {
		t.Fatalf("another account's replies were applied: %d folders, query %q", len(h.m.folders), h.m.Query())
	}
}

// An action refused before the server is touched (here: the audit log
// cannot be written) puts back what it showed: the moved row returns, a
// flag shown goes away.
func TestRefusedActionIsRolledBackOnScreen(t *testing.T) {
	h := remedyHarness(t, 3)
	h.m.c.Actions.Remedy.Audit.Close()
	h.press("d")
	if got := h.m.State().Total; got != 3 {
		t.Fatalf("a refused move left %d rows, want 3 (errors %v)", got, h.errs)
	}
	if len(h.errs) == 0 || !strings.Contains(h.errs[len(h.errs)-1].Error(), "nothing was changed") {
		t.Fatalf("errors %v", h.errs)
	}
	h.press("f")
	uid := h.m.open.uidAt(h.m.open.cursor)
	if h.m.open.env[uid].Flags.Flagged {
		t.Fatal("a refused flag still shows on screen")
	}
	if h.mb.Count("INBOX") != 3 || h.mb.Count("Trash") != 0 {
		t.Fatal("the server changed")
	}
}
