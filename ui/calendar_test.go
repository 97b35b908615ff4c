package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail/fanout"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/ui/session"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

func graphAccount(t *testing.T) (*graphtest.Server, session.Account) {
	t.Helper()
	srv := graphtest.New()
	t.Cleanup(srv.Close)
	srv.Deliver("Inbox", []byte("From: a@example.com\r\nSubject: hello\r\nMessage-ID: <g1@x>\r\n\r\nhi\r\n"), testNow.Add(-time.Hour))
	token := srv.MintToken()
	box := graph.New(graph.Config{BaseURL: srv.BaseURL(), Mailbox: srv.Mailbox, HTTPClient: srv.Client(),
		Token: func(context.Context) (string, error) { return token, nil }})
	t.Cleanup(func() { box.Close() })
	return srv, session.Account{Name: "m365", Server: srv.BaseURL(), Mailbox: box, DefaultFolder: "INBOX", MessageLimit: 1 << 20}
}

func TestCalendarAndContactsPanels(t *testing.T) {
	srv, acct := graphAccount(t)
	box := acct.Mailbox.(*graph.Mailbox)
	if _, err := box.CreateEvent(context.Background(), graph.Event{Subject: "Phishing debrief", Location: "Room 4",
		Start: testNow.Add(26 * time.Hour), End: testNow.Add(27 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srv.AddContact(graphtest.Contact{DisplayName: "Jane Doe", Email: "jane@example.com", Company: "Northwind"})
	tm := start(t, 140, 30, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(1))
	keys(tm, ":")
	tm.Type("calendar")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "calendar shown", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).Render()), "Phishing debrief @ Room 4")
	})
	keys(tm, "esc", ":")
	tm.Type("contacts jane")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "contacts shown", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).Render()), "Jane Doe  jane@example.com  · Northwind")
	})
	_ = tm.Quit()
}

// Over SSH every account is a session's view of a shared mailbox
// (fanout.View): the calendar is found through it.
func TestCalendarThroughASharedMailboxView(t *testing.T) {
	srv, acct := graphAccount(t)
	box := acct.Mailbox.(*graph.Mailbox)
	if _, err := box.CreateEvent(context.Background(), graph.Event{Subject: "Shared debrief", Start: testNow.Add(2 * time.Hour), End: testNow.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_ = srv
	hub := fanout.New(box)
	t.Cleanup(func() { hub.Close() })
	acct.Mailbox = hub.View()
	tm := start(t, 140, 30, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(1))
	keys(tm, ":")
	tm.Type("calendar")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "calendar shown through the view", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).Render()), "Shared debrief")
	})
	_ = tm.Quit()
}

func TestCalendarNeedsAGraphAccount(t *testing.T) {
	tm := start(t, 120, 30, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("calendar")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "error shown", func(m tea.Model) bool { return root(m).flashErr })
	if out := screenOf(t, tm); !strings.Contains(out, "calendar and contacts need an account on Microsoft Graph") {
		t.Fatalf("no explanation:\n%s", out)
	}
}
