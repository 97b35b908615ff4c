package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail/fanout"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/backend/remediate"
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

// A weekly meeting shows as its occurrences, each with its importance and
// its series' attachments (names, types, sizes — never opened); a hostile
// subject or file name reaches the screen sanitised.
func TestCalendarShowsOccurrencesImportanceAndAttachments(t *testing.T) {
	srv, acct := graphAccount(t)
	box := acct.Mailbox.(*graph.Mailbox)
	ctx := context.Background()
	series, err := box.CreateEvent(ctx, graph.Event{Subject: "Weekly triage", Importance: "high",
		Start: testNow.Add(24 * time.Hour), End: testNow.Add(25 * time.Hour),
		Recurrence: &graph.Recurrence{Pattern: "weekly", Interval: 1, Count: 3}})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddEventAttachment(series.ID, graphtest.EventAttachment{Name: "runbook.pdf", ContentType: "application/pdf", Data: make([]byte, 1536)})
	hostile, err := box.CreateEvent(ctx, graph.Event{Subject: "Pay now\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\u202e",
		Start: testNow.Add(48 * time.Hour), End: testNow.Add(49 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddEventAttachment(hostile.ID, graphtest.EventAttachment{Name: "invoice\x1b[2J.html", ContentType: "text/html", Data: []byte("<a href=x>")})
	tm := start(t, 140, 30, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(1))
	keys(tm, ":")
	tm.Type("calendar 30")
	keys(tm, "enter")
	var out string
	uitest.WaitModel(t, tm, "calendar shown", func(m tea.Model) bool {
		out = root(m).Render()
		return strings.Contains(uitest.Plain(out), "Weekly triage")
	})
	plain := uitest.Plain(out)
	if n := strings.Count(plain, "Weekly triage  · importance high · recurring"); n != 3 {
		t.Errorf("%d occurrences of the weekly meeting, want 3:\n%s", n, plain)
	}
	if n := strings.Count(plain, "attachment: runbook.pdf (application/pdf, 1.5 KiB)"); n != 3 {
		t.Errorf("the series' attachment is shown under %d occurrences, want 3:\n%s", n, plain)
	}
	if !strings.Contains(plain, "importance normal") || !strings.Contains(plain, "(text/html, 10 bytes)") {
		t.Errorf("the single event's importance or attachment is missing:\n%s", plain)
	}
	if bad := uitest.Foreign(out, uitest.MonoScreen); len(bad) > 0 {
		t.Fatalf("foreign bytes on screen: %q\n%s", bad, plain)
	}
	_ = tm.Quit()
}

// :event (or :calendar new) opens a form with every field; a mistake
// reopens it as filled; a good one is previewed, and only y creates the
// event, audited.
func TestEventFormPreviewsAndCreatesThroughTheActionLayer(t *testing.T) {
	srv, acct := graphAccount(t)
	tm := start(t, 160, 44, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(1))
	keys(tm, ":")
	tm.Type("calendar new")
	keys(tm, "enter")
	formOpen := func(m tea.Model) bool {
		s := uitest.Plain(root(m).Render())
		return root(m).box().Capturing() && strings.Contains(s, "New event") && strings.Contains(s, "importance:") &&
			strings.Contains(s, "show-as:")
	}
	uitest.WaitModel(t, tm, "the form", formOpen)
	field := func(value string) { // replace the focused field's value, then go to the next
		keys(tm, "ctrl+u")
		tm.Type(value)
		keys(tm, "tab")
	}
	field(`Phishing "debrief"`)
	field("2026-11-23T09:00")
	field("2026-11-23T08:00")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "the mistake reported and the form kept", func(m tea.Model) bool {
		r := root(m)
		return formOpen(m) && r.flashErr && strings.Contains(r.flash, "end must be after start") &&
			strings.Contains(uitest.Plain(r.Render()), "2026-11-23T08:00")
	})
	keys(tm, "tab", "tab") // subject and start stay as typed
	field("2026-11-23T10:00")
	field("soc@example.com, ciso@example.com")
	field("Room 4")
	field(`Campaign review\nBring IOCs`)
	field("10")
	field("tentative")
	field("high")
	field("weekly")
	keys(tm, "tab", "tab", "tab", "tab", "tab") // optional, categories, all-day, private, repeat-every
	field("mon,thu")
	keys(tm, "tab") // repeat-until
	keys(tm, "ctrl+u")
	tm.Type("4")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "the preview and the question", func(m tea.Model) bool {
		s := uitest.Plain(root(m).Render())
		return root(m).dialog != nil && strings.Contains(s, `Subject:     Phishing "debrief"`) &&
			strings.Contains(s, "Attendees:   soc@example.com, ciso@example.com") &&
			strings.Contains(s, "Reminder:    10 minutes before") &&
			strings.Contains(s, "Repeats:     weekly, every 1 week(s) on Mon, Thu, 4 times") &&
			strings.Contains(s, "Bring IOCs") && strings.Contains(s, `Create the event "Phishing \"debrief\""?`)
	})
	if n := len(srv.Events()); n != 0 {
		t.Fatalf("%d events exist before the analyst said yes", n)
	}
	keys(tm, "y")
	uitest.WaitModel(t, tm, "created", func(m tea.Model) bool {
		return strings.Contains(root(m).flash, `event "Phishing \"debrief\"" created in m365's calendar`)
	})
	evs := srv.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	e := evs[0]
	if e["subject"] != `Phishing "debrief"` || e["importance"] != "high" || e["showAs"] != "tentative" || e["recurrence"] == nil ||
		e["reminderMinutesBeforeStart"] != float64(10) {
		t.Errorf("created %v", e)
	}
	var layer *action.Layer
	uitest.WaitModel(t, tm, "the action layer", func(m tea.Model) bool { layer = root(m).c.Actions; return true })
	recs, err := layer.Remedy.Audit.Recent(10)
	if err != nil {
		t.Fatal(err)
	}
	phases := map[string]audit.Record{}
	for _, r := range recs {
		if r.Action == string(remediate.CalendarCreate) {
			phases[r.Phase] = r
		}
	}
	intent, result := phases[audit.PhaseIntent], phases[audit.PhaseResult]
	if intent.Account != "m365" || !strings.Contains(intent.Detail, `Phishing "debrief" 2026-11-23T09:00`) || result.Result != "ok" {
		t.Errorf("audit: intent %+v result %+v", intent, result)
	}
	_ = tm.Quit()
}

func TestEventNeedsAGraphAccount(t *testing.T) {
	tm := start(t, 120, 30, demoAccount(t, "demo"))
	uitest.WaitModel(t, tm, "INBOX listed", settled(23))
	keys(tm, ":")
	tm.Type("event")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "error shown", func(m tea.Model) bool {
		return root(m).flashErr && strings.Contains(root(m).flash, "creating an event needs an account on Microsoft Graph") && !root(m).cmdActive
	})
	_ = tm.Quit()
}

func TestParseEventLine(t *testing.T) {
	ev, err := parseEvent(`subject="a \"b\" c" start=2026-11-23 end=2026-11-24 all-day=yes optional=x@example.com categories="Red, Blue" reminder=none private=yes`)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Subject != `a "b" c` || !ev.AllDay || !ev.Private || ev.ReminderMinutes != nil || len(ev.Optional) != 1 || len(ev.Categories) != 2 || ev.Recurrence != nil {
		t.Errorf("parsed %+v", ev)
	}
	for _, bad := range []string{
		`subject=a nokey`, `subject="open`, `subject=a subject=b`, `colour=red`, `start=tomorrow`,
		`repeat-count=3`, `reminder=soon`, `private=maybe`, `repeat=weekly repeat-on=someday`,
	} {
		if _, err := parseEvent(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// heldCalendar is a Graph mailbox whose calendar answers only when the
// test releases it — and then as if the server had answered, events and
// all, whether or not the console still wants them.
type heldCalendar struct {
	*graph.Mailbox
	release   chan struct{}
	cancelled chan struct{} // closed when the console gives up the request
}

func (h *heldCalendar) ListEvents(ctx context.Context, q graph.EventQuery) ([]graph.Event, error) {
	select {
	case <-ctx.Done():
		close(h.cancelled)
	case <-h.release:
	}
	<-h.release
	return []graph.Event{{Subject: "Stale debrief", Start: testNow, End: testNow.Add(time.Hour)}}, nil
}

// A panel asked for is replaced by the next one asked for: :contacts
// typed while :calendar is still loading cancels the calendar's request,
// and the calendar's answer, when it comes anyway, is not shown over the
// contacts.
func TestANewerPanelReplacesTheOneStillLoading(t *testing.T) {
	srv, acct := graphAccount(t)
	srv.AddContact(graphtest.Contact{DisplayName: "Jane Doe", Email: "jane@example.com"})
	held := &heldCalendar{Mailbox: acct.Mailbox.(*graph.Mailbox), release: make(chan struct{}), cancelled: make(chan struct{})}
	acct.Mailbox = held
	var panels atomic.Int32 // panel replies the console has been handed
	countPanels := func(m tea.Model, msg tea.Msg) tea.Msg {
		if _, ok := msg.(panelMsg); ok {
			panels.Add(1)
		}
		return uitest.ProbeFilter(m, msg)
	}
	tm := startFiltered(t, 140, 30, countPanels, acct)
	uitest.WaitModel(t, tm, "INBOX listed", settled(1))
	keys(tm, ":")
	tm.Type("calendar")
	keys(tm, "enter", ":")
	tm.Type("contacts")
	keys(tm, "enter")
	uitest.WaitModel(t, tm, "contacts shown", func(m tea.Model) bool {
		return strings.Contains(uitest.Plain(root(m).Render()), "Jane Doe")
	})
	select {
	case <-held.cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the calendar's request still runs 10s after :contacts replaced it")
	}
	close(held.release)
	// Both replies handed over (the filter runs before Update, and the
	// probe after it): the calendar's is the second.
	uitest.WaitModel(t, tm, "the calendar's late reply handled", func(tea.Model) bool { return panels.Load() == 2 })
	uitest.WaitModel(t, tm, "(its Update done)", func(tea.Model) bool { return true })
	if out := screenOf(t, tm); strings.Contains(out, "Stale debrief") || !strings.Contains(out, "Jane Doe") {
		t.Fatalf("the replaced calendar was shown:\n%s", out)
	}
}
