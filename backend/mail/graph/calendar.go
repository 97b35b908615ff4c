package graph

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The Exchange seed's calendar and contacts operations: create an event,
// list events (subject, time window), list contacts.

// Event is a calendar event as the console shows and creates it.
type Event struct {
	ID        string    `json:"id,omitempty"`
	Subject   string    `json:"subject"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Location  string    `json:"location,omitempty"`
	Body      string    `json:"body,omitempty"`
	Required  []string  `json:"required_attendees,omitempty"`
	Optional  []string  `json:"optional_attendees,omitempty"`
	Organizer string    `json:"organizer,omitempty"`
	// Categories are Outlook category names.
	Categories []string `json:"categories,omitempty"`
	// ShowAs is free, tentative, busy, oof or workingElsewhere.
	ShowAs          string `json:"show_as,omitempty"`
	ReminderMinutes *int   `json:"reminder_minutes,omitempty"` // nil: no reminder
	AllDay          bool   `json:"all_day,omitempty"`
	Private         bool   `json:"private,omitempty"`
}

// EventQuery filters ListEvents; zero fields do not filter.
type EventQuery struct {
	Subject  string // contained in the subject
	From, To time.Time
	Limit    int // default 100
}

// Contact is one address-book entry.
type Contact struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"display_name"`
	Emails      []string `json:"emails"`
	Company     string   `json:"company,omitempty"`
	JobTitle    string   `json:"job_title,omitempty"`
	Phones      []string `json:"phones,omitempty"`
}

var showAs = map[string]bool{"free": true, "tentative": true, "busy": true, "oof": true, "workingElsewhere": true, "unknown": true}

// Validate refuses what Graph would refuse or misread.
func (e Event) Validate() error {
	switch {
	case strings.TrimSpace(e.Subject) == "":
		return errors.New("event: subject is required")
	case e.Start.IsZero() || e.End.IsZero():
		return errors.New("event: start and end are required")
	case !e.End.After(e.Start):
		return errors.New("event: end must be after start")
	case e.ShowAs != "" && !showAs[e.ShowAs]:
		return fmt.Errorf("event: show-as %q is not free, tentative, busy, oof or workingElsewhere", e.ShowAs)
	case e.ReminderMinutes != nil && *e.ReminderMinutes < 0:
		return errors.New("event: reminder must not be negative")
	}
	if e.AllDay && (!isMidnight(e.Start) || !isMidnight(e.End)) {
		return errors.New("event: an all-day event starts and ends at midnight")
	}
	for _, a := range append(append([]string{}, e.Required...), e.Optional...) {
		if !strings.Contains(a, "@") || strings.ContainsAny(a, " <>\r\n") {
			return fmt.Errorf("event: attendee %q is not an email address", a)
		}
	}
	return nil
}

func isMidnight(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 }

// wire forms
type dateTimeTZ struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

type emailAddr struct {
	Address string `json:"address"`
	Name    string `json:"name,omitempty"`
}

type attendee struct {
	EmailAddress emailAddr `json:"emailAddress"`
	Type         string    `json:"type"`
}

type wireEvent struct {
	ID       string     `json:"id,omitempty"`
	Subject  string     `json:"subject"`
	Start    dateTimeTZ `json:"start"`
	End      dateTimeTZ `json:"end"`
	Location *struct {
		DisplayName string `json:"displayName"`
	} `json:"location,omitempty"`
	Body *struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"body,omitempty"`
	Attendees []attendee `json:"attendees,omitempty"`
	Organizer *struct {
		EmailAddress emailAddr `json:"emailAddress"`
	} `json:"organizer,omitempty"`
	Categories      []string `json:"categories,omitempty"`
	ShowAs          string   `json:"showAs,omitempty"`
	IsReminderOn    *bool    `json:"isReminderOn,omitempty"`
	ReminderMinutes *int     `json:"reminderMinutesBeforeStart,omitempty"`
	IsAllDay        bool     `json:"isAllDay"`
	Sensitivity     string   `json:"sensitivity,omitempty"`
}

const graphTime = "2006-01-02T15:04:05.0000000"

func toWire(e Event) wireEvent {
	w := wireEvent{
		Subject:    e.Subject,
		Start:      dateTimeTZ{DateTime: e.Start.UTC().Format(graphTime), TimeZone: "UTC"},
		End:        dateTimeTZ{DateTime: e.End.UTC().Format(graphTime), TimeZone: "UTC"},
		Categories: e.Categories,
		ShowAs:     e.ShowAs,
		IsAllDay:   e.AllDay,
	}
	if e.AllDay {
		// All-day events are dates, not instants: keep the calendar day.
		w.Start.DateTime = e.Start.Format("2006-01-02") + "T00:00:00.0000000"
		w.End.DateTime = e.End.Format("2006-01-02") + "T00:00:00.0000000"
	}
	if e.Location != "" {
		w.Location = &struct {
			DisplayName string `json:"displayName"`
		}{e.Location}
	}
	if e.Body != "" {
		w.Body = &struct {
			ContentType string `json:"contentType"`
			Content     string `json:"content"`
		}{"text", e.Body}
	}
	for _, a := range e.Required {
		w.Attendees = append(w.Attendees, attendee{EmailAddress: emailAddr{Address: a}, Type: "required"})
	}
	for _, a := range e.Optional {
		w.Attendees = append(w.Attendees, attendee{EmailAddress: emailAddr{Address: a}, Type: "optional"})
	}
	off := false
	w.IsReminderOn = &off
	if e.ReminderMinutes != nil {
		on := true
		w.IsReminderOn, w.ReminderMinutes = &on, e.ReminderMinutes
	}
	if e.Private {
		w.Sensitivity = "private"
	}
	return w
}

func fromWire(w wireEvent) Event {
	e := Event{ID: w.ID, Subject: w.Subject, Categories: w.Categories, ShowAs: w.ShowAs, AllDay: w.IsAllDay, Private: w.Sensitivity == "private"}
	e.Start, _ = parseGraphTime(w.Start)
	e.End, _ = parseGraphTime(w.End)
	if w.Location != nil {
		e.Location = w.Location.DisplayName
	}
	if w.Body != nil {
		e.Body = w.Body.Content
	}
	for _, a := range w.Attendees {
		if a.Type == "optional" {
			e.Optional = append(e.Optional, a.EmailAddress.Address)
		} else {
			e.Required = append(e.Required, a.EmailAddress.Address)
		}
	}
	if w.Organizer != nil {
		e.Organizer = w.Organizer.EmailAddress.Address
	}
	if w.IsReminderOn != nil && *w.IsReminderOn {
		e.ReminderMinutes = w.ReminderMinutes
	}
	return e
}

func parseGraphTime(d dateTimeTZ) (time.Time, error) {
	loc := time.UTC
	if d.TimeZone != "" && d.TimeZone != "UTC" {
		if l, err := time.LoadLocation(d.TimeZone); err == nil {
			loc = l
		}
	}
	s := d.DateTime
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return time.ParseInLocation("2006-01-02T15:04:05", s, loc)
}

// CreateEvent creates e in the mailbox's default calendar.
func (m *Mailbox) CreateEvent(ctx context.Context, e Event) (Event, error) {
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	var out wireEvent
	if err := m.sendJSON(ctx, "POST", "/events", toWire(e), &out); err != nil {
		return Event{}, fmt.Errorf("create event: %w", err)
	}
	return fromWire(out), nil
}

// ListEvents lists events of the default calendar, soonest first,
// filtered by subject and time window (start ≥ From, start < To).
func (m *Mailbox) ListEvents(ctx context.Context, q EventQuery) ([]Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var filters []string
	if !q.From.IsZero() {
		filters = append(filters, "start/dateTime ge '"+q.From.UTC().Format("2006-01-02T15:04:05")+"'")
	}
	if !q.To.IsZero() {
		filters = append(filters, "start/dateTime lt '"+q.To.UTC().Format("2006-01-02T15:04:05")+"'")
	}
	if q.Subject != "" {
		filters = append(filters, "contains(subject,'"+strings.ReplaceAll(q.Subject, "'", "''")+"')")
	}
	v := url.Values{}
	v.Set("$top", fmt.Sprint(min(limit, 100)))
	v.Set("$orderby", "start/dateTime")
	if len(filters) > 0 {
		v.Set("$filter", strings.Join(filters, " and "))
	}
	var out []Event
	next := "/events?" + v.Encode()
	for next != "" && len(out) < limit {
		var page struct {
			Value    []wireEvent `json:"value"`
			NextLink string      `json:"@odata.nextLink"`
		}
		if err := m.getJSON(ctx, next, &page); err != nil {
			return out, fmt.Errorf("list events: %w", err)
		}
		for _, w := range page.Value {
			out = append(out, fromWire(w))
		}
		next = page.NextLink
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ListContacts lists the mailbox's contacts, by display name.
func (m *Mailbox) ListContacts(ctx context.Context, limit int) ([]Contact, error) {
	if limit <= 0 {
		limit = 500
	}
	var out []Contact
	next := fmt.Sprintf("/contacts?$top=%d&$orderby=displayName&$select=id,displayName,emailAddresses,companyName,jobTitle,businessPhones,mobilePhone", min(limit, 100))
	for next != "" && len(out) < limit {
		var page struct {
			Value []struct {
				ID             string      `json:"id"`
				DisplayName    string      `json:"displayName"`
				EmailAddresses []emailAddr `json:"emailAddresses"`
				CompanyName    string      `json:"companyName"`
				JobTitle       string      `json:"jobTitle"`
				BusinessPhones []string    `json:"businessPhones"`
				MobilePhone    string      `json:"mobilePhone"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := m.getJSON(ctx, next, &page); err != nil {
			return out, fmt.Errorf("list contacts: %w", err)
		}
		for _, c := range page.Value {
			ct := Contact{ID: c.ID, DisplayName: c.DisplayName, Company: c.CompanyName, JobTitle: c.JobTitle, Phones: c.BusinessPhones}
			if c.MobilePhone != "" {
				ct.Phones = append(ct.Phones, c.MobilePhone)
			}
			for _, e := range c.EmailAddresses {
				ct.Emails = append(ct.Emails, e.Address)
			}
			out = append(out, ct)
		}
		next = page.NextLink
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
