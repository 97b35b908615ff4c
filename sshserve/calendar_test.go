package sshserve

import (
	"context"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/ui/session"
)

// Over SSH a session's account is its view of the shared mailbox
// (fanout.View), and the Graph-only panels find the calendar through it:
// `:calendar` typed over SSH lists the tenant's event.
func TestCalendarOverSSH(t *testing.T) {
	srv := graphtest.New()
	t.Cleanup(srv.Close)
	srv.Deliver("Inbox", []byte("From: a@example.com\r\nSubject: hello\r\nMessage-ID: <g1@x>\r\n\r\nhi\r\n"), time.Now().Add(-time.Hour))
	token := srv.MintToken()
	box := graph.New(graph.Config{BaseURL: srv.BaseURL(), Mailbox: srv.Mailbox, HTTPClient: srv.Client(),
		Token: func(context.Context) (string, error) { return token, nil }})
	at := time.Now().Add(26 * time.Hour).Truncate(time.Hour)
	if _, err := box.CreateEvent(context.Background(), graph.Event{Subject: "Phishing debrief", Location: "Room 4",
		Start: at, End: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f := start(t, func(c *Config) {
		c.Console.Accounts = []session.Account{{Name: "m365", Server: srv.BaseURL(), Mailbox: box, DefaultFolder: "INBOX", MessageLimit: 1 << 20}}
	})
	tm := f.open("viewer", "ann", 140, 30)
	tm.waitFor("hello")
	tm.press(":calendar\r")
	tm.waitFor("Phishing debrief @ Room 4")
}
