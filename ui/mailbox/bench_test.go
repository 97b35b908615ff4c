package mailbox

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// benchModel is a mailbox screen on a 50,000-message folder at 160x45,
// with the rows around the cursor loaded, in the dark theme (colour costs
// more to render than none).
func benchModel(b *testing.B) *Model {
	mb := mailtest.New()
	mb.Generate("INBOX", 50_000, testNow)
	return benchModelOn(b, mb)
}

// benchModelOn is benchModel on the INBOX of mb.
func benchModelOn(b *testing.B, mb *mailtest.Mailbox) *Model {
	b.Helper()
	mb.CloseEvents()
	theme, _ := themes.Builtin("dark")
	c := &session.Session{Common: &common.Common{Ctx: context.Background(), Styles: themes.NewStyles(theme), Jobs: jobs.NewRunner(50), Now: func() time.Time { return testNow }}}
	m := New(c, session.Account{Name: "bench", Mailbox: mb}, DefaultKeyMap())
	m.SetLayout(160, 45, 1)
	uitest.Drive(m, m.Init(), nil)
	return m
}

// BenchmarkListViewCursorMove is the common case: one key press moves the
// cursor one row and the screen is drawn again.
func BenchmarkListViewCursorMove(b *testing.B) {
	m := benchModel(b)
	down, up := uitest.Key("j"), uitest.Key("k")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := down
		if i/20%2 == 1 {
			k = up
		}
		_, cmd := m.Update(k)
		uitest.Drive(m, cmd, nil)
		_ = m.View()
	}
}

// BenchmarkListViewPageDown is the worst case: every row on screen is new
// and must be rendered from scratch.
func BenchmarkListViewPageDown(b *testing.B) {
	m := benchModel(b)
	down, top := uitest.Key("pgdown"), uitest.Key("home")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := down
		if i%200 == 199 {
			k = top
		}
		_, cmd := m.Update(k)
		uitest.Drive(m, cmd, nil)
		_ = m.View()
	}
}

// benchReports is a triage folder of 20,000 reports, three colleagues
// reporting each phish (the list knows each original from BODYSTRUCTURE).
func benchReports(b *testing.B) *Model {
	mb := mailtest.New()
	const n = 20_000
	for i := range n {
		when := testNow.Add(-time.Duration(n-1-i) * time.Minute)
		phish := i / 3
		orig := mail.Envelope{Date: when.Add(-time.Hour), Subject: fmt.Sprintf("Invoice %d overdue", phish),
			From: []mail.Address{{Name: "Accounts", Addr: fmt.Sprintf("billing@evil%d.example", phish%50)}}, MessageID: fmt.Sprintf("<p%d@evil.example>", phish)}
		env := mail.Envelope{Date: when, Received: when, Subject: "Fwd: " + orig.Subject, MessageID: fmt.Sprintf("<r%d@example.com>", i),
			From:   []mail.Address{{Name: fmt.Sprintf("Colleague %d", i%40), Addr: fmt.Sprintf("c%d@example.com", i%40)}},
			Report: &mail.ReportHint{Original: &orig}, Size: 4000, Attachments: 1, Flags: mail.Flags{Seen: i%3 != 0}}
		mb.Add("INBOX", env, []byte("Subject: report\r\n\r\nsee attached\r\n"))
	}
	return benchModelOn(b, mb)
}

// BenchmarkListScrollReports holds j down in a folder of reports: each
// key press scrolls a row, the list fetches the row that comes into its
// window below, and the screen is drawn again. BenchmarkListScroll is the
// same in the 50,000-message folder without reports, for scale.
func BenchmarkListScrollReports(b *testing.B) { benchScroll(b, benchReports(b)) }
func BenchmarkListScroll(b *testing.B)        { benchScroll(b, benchModel(b)) }

func benchScroll(b *testing.B, m *Model) {
	down, top := uitest.Key("j"), uitest.Key("home")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := down
		if i%5000 == 4999 {
			k = top
		}
		_, cmd := m.Update(k)
		uitest.Drive(m, cmd, nil)
		_ = m.View()
	}
}
