package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
)

func TestCreateAndListEvents(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	ctx := context.Background()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	reminder := 15
	created, err := m.CreateEvent(ctx, graph.Event{
		Subject: "Phishing debrief", Start: day.Add(9 * time.Hour), End: day.Add(10 * time.Hour),
		Location: "Room 4", Body: "Campaign 42", Required: []string{"ciso@example.com"}, Optional: []string{"ir@example.com"},
		Categories: []string{"Incident"}, ShowAs: "busy", ReminderMinutes: &reminder, Private: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Organizer != srv.Mailbox || created.ReminderMinutes == nil || *created.ReminderMinutes != 15 || !created.Private {
		t.Fatalf("created %+v", created)
	}
	if _, err := m.CreateEvent(ctx, graph.Event{Subject: "Offsite", Start: day.Add(48 * time.Hour), End: day.Add(72 * time.Hour), AllDay: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 12 { // more than one page
		if _, err := m.CreateEvent(ctx, graph.Event{Subject: fmt.Sprintf("Shift %d", i), Start: day.Add(time.Duration(100+i) * time.Hour), End: day.Add(time.Duration(101+i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := m.ListEvents(ctx, graph.EventQuery{})
	if err != nil || len(all) != 14 || all[0].Subject != "Phishing debrief" {
		t.Fatalf("all events: %d %v", len(all), err)
	}
	got, err := m.ListEvents(ctx, graph.EventQuery{Subject: "debrief", From: day, To: day.Add(24 * time.Hour)})
	if err != nil || len(got) != 1 {
		t.Fatalf("filtered: %+v %v", got, err)
	}
	e := got[0]
	if !e.Start.Equal(day.Add(9*time.Hour)) || e.Location != "Room 4" || len(e.Required) != 1 || len(e.Optional) != 1 || e.ShowAs != "busy" {
		t.Fatalf("round trip %+v", e)
	}
	if got, _ := m.ListEvents(ctx, graph.EventQuery{From: day.Add(24 * time.Hour), To: day.Add(72 * time.Hour)}); len(got) != 1 || !got[0].AllDay {
		t.Fatalf("window: %+v", got)
	}
}

func TestEventsAreValidatedBeforeSending(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	bad := []graph.Event{
		{Start: day, End: day.Add(time.Hour)},
		{Subject: "x", Start: day.Add(time.Hour), End: day},
		{Subject: "x", Start: day, End: day.Add(time.Hour), ShowAs: "maybe"},
		{Subject: "x", Start: day.Add(time.Hour), End: day.Add(2 * time.Hour), AllDay: true},
		{Subject: "x", Start: day, End: day.Add(time.Hour), Required: []string{"not an address"}},
	}
	for _, e := range bad {
		if _, err := m.CreateEvent(context.Background(), e); err == nil {
			t.Errorf("%+v accepted", e)
		}
	}
	if n := len(srv.Events()); n != 0 {
		t.Fatalf("%d events reached the server", n)
	}
}

func TestListContacts(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	for i := range 13 {
		srv.AddContact(graphtest.Contact{DisplayName: fmt.Sprintf("Person %02d", i), Email: fmt.Sprintf("p%d@example.com", i), Company: "Northwind"})
	}
	got, err := m.ListContacts(context.Background(), 0)
	if err != nil || len(got) != 13 || got[0].DisplayName != "Person 00" || got[12].Emails[0] != "p12@example.com" || !strings.Contains(got[3].Company, "Northwind") {
		t.Fatalf("contacts %+v %v", got, err)
	}
}

// A weekly meeting is listed as its occurrences in the window, each with
// its series; importance and attachments (names and sizes, shared by
// the series) come with the events.
func TestListEventsShowsOccurrencesImportanceAndAttachments(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	ctx := context.Background()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday
	series, err := m.CreateEvent(ctx, graph.Event{Subject: "Weekly phishing review", Start: day.Add(10 * time.Hour), End: day.Add(11 * time.Hour),
		Importance: "high", Recurrence: &graph.Recurrence{Pattern: "weekly", Days: []time.Weekday{time.Monday, time.Thursday}, Until: day.AddDate(0, 0, 20)}})
	if err != nil {
		t.Fatal(err)
	}
	single, err := m.CreateEvent(ctx, graph.Event{Subject: "Tabletop", Start: day.Add(30 * time.Hour), End: day.Add(32 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddEventAttachment(series.ID, graphtest.EventAttachment{Name: "agenda.pdf", ContentType: "application/pdf", Data: make([]byte, 1234)})
	got, err := m.ListEvents(ctx, graph.EventQuery{From: day, To: day.AddDate(0, 0, 14)})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, e := range got {
		subjects = append(subjects, e.Start.Format("Mon 02 15:04")+" "+e.Subject)
	}
	want := []string{"Mon 23 10:00 Weekly phishing review", "Tue 24 06:00 Tabletop", "Thu 26 10:00 Weekly phishing review",
		"Mon 30 10:00 Weekly phishing review", "Thu 03 10:00 Weekly phishing review"}
	if strings.Join(subjects, "|") != strings.Join(want, "|") {
		t.Fatalf("events\n%s\nwant\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range got {
		if e.Subject == "Tabletop" {
			if e.SeriesID != "" || e.Importance != "normal" || e.HasAttachments || len(e.Attachments) != 0 || e.ID != single.ID {
				t.Fatalf("single event %+v", e)
			}
			continue
		}
		if e.SeriesID != series.ID || e.Importance != "high" || !e.HasAttachments || len(e.Attachments) != 1 ||
			e.Attachments[0] != (graph.Attachment{Name: "agenda.pdf", ContentType: "application/pdf", Size: 1234}) {
			t.Fatalf("occurrence %+v", e)
		}
	}
	// The series ends: nothing after its last day; a subject narrows it.
	later, err := m.ListEvents(ctx, graph.EventQuery{Subject: "REVIEW", From: day.AddDate(0, 0, 14), To: day.AddDate(0, 0, 60)})
	if err != nil || len(later) != 2 || later[0].Start.Day() != 7 || later[1].Start.Day() != 10 {
		t.Fatalf("after two weeks: %+v %v", later, err)
	}
	if _, err := m.CreateEvent(ctx, graph.Event{Subject: "x", Start: day, End: day.Add(time.Hour), Importance: "urgent"}); err == nil {
		t.Fatal("importance urgent accepted")
	}
}
