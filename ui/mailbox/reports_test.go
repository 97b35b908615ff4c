package mailbox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
)

// addReport files a report of phish (its original known from the
// listing, as BODYSTRUCTURE gives it) by colleague.
func addReport(mb *mailtest.Mailbox, colleague string, phish int) mail.UID {
	orig := mail.Envelope{Date: testNow.Add(-48 * time.Hour), Subject: fmt.Sprintf("Invoice %d overdue", phish),
		From: []mail.Address{{Name: "Accounts", Addr: "billing@evil.example"}}, MessageID: fmt.Sprintf("<p%d@evil.example>", phish)}
	env := mail.Envelope{Date: testNow, Received: testNow, Subject: "Fwd: " + orig.Subject,
		From:   []mail.Address{{Name: colleague, Addr: strings.ToLower(colleague) + "@example.com"}},
		Report: &mail.ReportHint{Original: &orig}, Attachments: 1}
	return mb.Add("INBOX", env, []byte("Subject: report\r\n\r\nsee attached\r\n"))
}

// rowOfColleague is the screen line of colleague's report.
func rowOfColleague(t *testing.T, screen, colleague string) string {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, colleague) {
			return l
		}
	}
	t.Fatalf("no row reported by %s:\n%s", colleague, screen)
	return ""
}

// A report that arrives counts on the rows of its case that were drawn
// before it ("+1" becomes "+2"), though their envelopes did not change.
func TestCaseCountOnRowsFollowsReportsThatComeAndGo(t *testing.T) {
	mb := mailtest.New()
	addReport(mb, "Anna", 1)
	addReport(mb, "Bert", 1)
	addReport(mb, "Cleo", 2)
	h := newHarness(t, mb, 140, 12)
	scr := h.screen()
	if !strings.Contains(rowOfColleague(t, scr, "Anna"), "Anna +1") || !strings.Contains(rowOfColleague(t, scr, "Bert"), "Bert +1") {
		t.Fatalf("the two reports of one phish do not show +1:\n%s", scr)
	}
	if strings.Contains(rowOfColleague(t, scr, "Cleo"), "+") {
		t.Fatalf("a phish reported once shows a count:\n%s", scr)
	}

	dirk := addReport(mb, "Dirk", 1)
	_, cmd := h.m.Update(EventMsg{Account: "test", Event: mail.Event{Kind: mail.EventArrived, Folder: "INBOX", Count: 1}})
	h.run(cmd)
	scr = h.screen()
	for _, who := range []string{"Anna", "Bert", "Dirk"} {
		if !strings.Contains(rowOfColleague(t, scr, who), who+" +2") {
			t.Errorf("after a third report of the phish, %s's row does not show +2:\n%s", who, scr)
		}
	}
	if strings.Contains(rowOfColleague(t, scr, "Cleo"), "+") {
		t.Errorf("the other phish's row changed:\n%s", scr)
	}

	// And one that leaves (expunged elsewhere) counts no more.
	if _, err := mb.Expunge(context.Background(), h.m.open.ref, []mail.UID{dirk}); err != nil {
		t.Fatal(err)
	}
	_, cmd = h.m.Update(EventMsg{Account: "test", Event: mail.Event{Kind: mail.EventExpunged, Folder: "INBOX", Count: 1}})
	h.run(cmd)
	scr = h.screen()
	if strings.Contains(scr, "Dirk") {
		t.Fatalf("the expunged report is still listed:\n%s", scr)
	}
	for _, who := range []string{"Anna", "Bert"} {
		if !strings.Contains(rowOfColleague(t, scr, who), who+" +1") {
			t.Errorf("after a report of the phish left, %s's row does not show +1:\n%s", who, scr)
		}
	}
}
