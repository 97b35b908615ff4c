package mailbox

import (
	"context"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/jobs"
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
