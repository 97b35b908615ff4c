package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// BenchmarkHelpScreenScroll is the analyst reading the ? screen at
// 160x45 in the dark theme: one key press scrolls a line and the console
// is drawn again.
func BenchmarkHelpScreenScroll(b *testing.B) {
	m := benchConsole(b, 100)
	m.Update(uitest.Key("?"))
	down, up := uitest.Key("j"), uitest.Key("k")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := down
		if i/10%2 == 1 {
			k = up
		}
		m.Update(k)
		_ = m.Render()
	}
	if !m.showHelp {
		b.Fatal("the help screen closed")
	}
}

// The ? screen is laid out again when the width or the theme changes
// while it is open (a resize, the terminal's background answering late).
func TestHelpScreenFollowsWidthAndTheme(t *testing.T) {
	open := func(w int) *Model {
		mb := mailtest.New()
		mb.CloseEvents()
		m, err := New(Options{Accounts: []session.Account{{Name: "t", Mailbox: mb}}, Theme: "none", Environ: []string{},
			Ctx: context.Background(), Now: func() time.Time { return testNow }, Remedy: uitest.Remedy(t)})
		if err != nil {
			t.Fatal(err)
		}
		*m.c.Styles = *themes.NewPlainStyles() // no escape sequences at all
		m.applyHelpStyles()
		m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		m.Update(uitest.Key("?"))
		return m
	}
	m := open(120)
	_ = m.Render()
	m.Update(tea.WindowSizeMsg{Width: 70, Height: 30})
	if got, want := m.Render(), open(70).Render(); got != want {
		t.Fatalf("after a resize to 70 the help screen is not laid out for it:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(m.Render(), "\x1b[") {
		t.Fatal("the plain styles drew escape sequences")
	}
	if err := m.setTheme("dark"); err != nil {
		t.Fatal(err)
	}
	// The first line under the tab bar is the help screen's title.
	if title := strings.Split(m.Render(), "\n")[1]; !strings.Contains(title, "Keys") || !strings.Contains(title, "\x1b[") {
		t.Fatalf("after the theme changed the help screen is not drawn in it: %q", title)
	}
}

// BenchmarkConsoleCursorMove is the whole console drawn after j on the
// mailbox list (tab bar, list, status bar, help bar), 160x45, dark theme.
func BenchmarkConsoleCursorMove(b *testing.B) {
	m := benchConsole(b, 5000)
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
		_ = m.Render()
	}
}

// benchConsole is the console at 160x45 in the dark theme on an INBOX of
// n generated messages, listed.
func benchConsole(b *testing.B, n int) *Model {
	b.Helper()
	mb := mailtest.New()
	mb.Generate("INBOX", n, testNow)
	mb.CloseEvents()
	m, err := New(Options{Accounts: []session.Account{{Name: "bench", Mailbox: mb}}, Theme: "dark", Environ: []string{},
		Ctx: context.Background(), Now: func() time.Time { return testNow }, Remedy: uitest.Remedy(b)})
	if err != nil {
		b.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 45})
	uitest.Drive(m, m.box().Init(), nil) // Init would also wait on the jobs for ever
	return m
}
