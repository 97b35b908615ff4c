package graph

import (
	"cmp"
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
	// Importance is low, normal or high ("" on create: normal).
	Importance string `json:"importance,omitempty"`
	// Recurrence makes a new event a series (create only; a listing
	// shows the occurrences, each with SeriesID).
	Recurrence *Recurrence `json:"recurrence,omitempty"`
	// SeriesID is the series an occurrence belongs to ("" for a single
	// event).
	SeriesID       string       `json:"series_id,omitempty"`
	HasAttachments bool         `json:"has_attachments,omitempty"`
	Attachments    []Attachment `json:"attachments,omitempty"`
}

// Recurrence repeats an event: every Interval days (daily) or weeks
// (weekly, on Days, default the start's weekday) until Until (a date,
// inclusive) or for Count occurrences; neither means no end.
type Recurrence struct {
	Pattern  string         `json:"pattern"` // daily | weekly
	Interval int            `json:"interval,omitempty"`
	Days     []time.Weekday `json:"days,omitempty"`
	Until    time.Time      `json:"until,omitempty"`
	Count    int            `json:"count,omitempty"`
}

// Attachment is what is known of an event's attachment without reading
// it: nothing an event points at is fetched.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size"`
	Inline      bool   `json:"inline,omitempty"`
}

// EventQuery filters ListEvents. Events are listed in a window, as
// calendarView gives them (each occurrence of a series on its own): those
// overlapping [From, To). A zero From is a year before To (or now), a
// zero To a year after From (or now).
type EventQuery struct {
	Subject  string // contained in the subject (any case)
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
	case e.Importance != "" && e.Importance != "low" && e.Importance != "normal" && e.Importance != "high":
		return fmt.Errorf("event: importance %q is not low, normal or high", e.Importance)
	}
	if r := e.Recurrence; r != nil {
		switch {
		case r.Pattern != "daily" && r.Pattern != "weekly":
			return fmt.Errorf("event: repeat %q is not daily or weekly", r.Pattern)
		case r.Interval < 0 || r.Count < 0:
			return errors.New("event: repeat interval and count must not be negative")
		case !r.Until.IsZero() && r.Until.Before(e.Start.Truncate(24*time.Hour)):
			return errors.New("event: the series ends before it starts")
		case !r.Until.IsZero() && r.Count > 0:
			return errors.New("event: a series ends at a date or after a count, not both")
		}
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
	Categories      []string        `json:"categories,omitempty"`
	ShowAs          string          `json:"showAs,omitempty"`
	IsReminderOn    *bool           `json:"isReminderOn,omitempty"`
	ReminderMinutes *int            `json:"reminderMinutesBeforeStart,omitempty"`
	IsAllDay        bool            `json:"isAllDay"`
	Sensitivity     string          `json:"sensitivity,omitempty"`
	Importance      string          `json:"importance,omitempty"`
	Recurrence      *wireRecurrence `json:"recurrence,omitempty"`
	Type            string          `json:"type,omitempty"`
	SeriesMasterID  string          `json:"seriesMasterId,omitempty"`
	HasAttachments  bool            `json:"hasAttachments,omitempty"`
}

type wireRecurrence struct {
	Pattern struct {
		Type       string   `json:"type"`
		Interval   int      `json:"interval"`
		DaysOfWeek []string `json:"daysOfWeek,omitempty"`
	} `json:"pattern"`
	Range struct {
		Type                string `json:"type"`
		StartDate           string `json:"startDate"`
		EndDate             string `json:"endDate,omitempty"`
		NumberOfOccurrences int    `json:"numberOfOccurrences,omitempty"`
	} `json:"range"`
}

func recurrenceToWire(r *Recurrence, start time.Time) *wireRecurrence {
	if r == nil {
		return nil
	}
	w := &wireRecurrence{}
	w.Pattern.Type, w.Pattern.Interval = r.Pattern, max(r.Interval, 1)
	if r.Pattern == "weekly" {
		days := r.Days
		if len(days) == 0 {
			days = []time.Weekday{start.UTC().Weekday()}
		}
		for _, d := range days {
			w.Pattern.DaysOfWeek = append(w.Pattern.DaysOfWeek, strings.ToLower(d.String()))
		}
	}
	w.Range.StartDate = start.UTC().Format("2006-01-02")
	switch {
	case !r.Until.IsZero():
		w.Range.Type, w.Range.EndDate = "endDate", r.Until.Format("2006-01-02")
	case r.Count > 0:
		w.Range.Type, w.Range.NumberOfOccurrences = "numbered", r.Count
	default:
		w.Range.Type = "noEnd"
	}
	return w
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
	w.Importance = e.Importance
	w.Recurrence = recurrenceToWire(e.Recurrence, e.Start)
	return w
}

func fromWire(w wireEvent) Event {
	e := Event{ID: w.ID, Subject: w.Subject, Categories: w.Categories, ShowAs: w.ShowAs, AllDay: w.IsAllDay, Private: w.Sensitivity == "private",
		Importance: w.Importance, SeriesID: w.SeriesMasterID, HasAttachments: w.HasAttachments}
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

// ListEvents lists the events of the default calendar that overlap the
// query's window, soonest first, a recurring meeting as its occurrences
// (calendarView), each with its importance and what its attachments are
// (names, types, sizes; read in $batch requests, never opened).
func (m *Mailbox) ListEvents(ctx context.Context, q EventQuery) ([]Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	from, to := eventWindow(q, time.Now())
	v := url.Values{}
	v.Set("startDateTime", from.UTC().Format("2006-01-02T15:04:05Z"))
	v.Set("endDateTime", to.UTC().Format("2006-01-02T15:04:05Z"))
	v.Set("$top", fmt.Sprint(min(limit, 100)))
	v.Set("$orderby", "start/dateTime")
	var out []Event
	next := "/calendarView?" + v.Encode()
	// calendarView takes no $filter worth relying on: the subject is
	// matched here, over the pages.
	subject := strings.ToLower(q.Subject)
	for next != "" && len(out) < limit {
		var page struct {
			Value    []wireEvent `json:"value"`
			NextLink string      `json:"@odata.nextLink"`
		}
		if err := m.getJSON(ctx, next, &page); err != nil {
			return out, fmt.Errorf("list events: %w", err)
		}
		for _, w := range page.Value {
			if subject == "" || strings.Contains(strings.ToLower(w.Subject), subject) {
				out = append(out, fromWire(w))
			}
		}
		next = page.NextLink
	}
	if len(out) > limit {
		out = out[:limit]
	}
	if err := m.eventAttachments(ctx, out); err != nil {
		return out, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

func eventWindow(q EventQuery, now time.Time) (from, to time.Time) {
	from, to = q.From, q.To
	switch {
	case from.IsZero() && to.IsZero():
		from, to = now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)
	case from.IsZero():
		from = to.AddDate(-1, 0, 0)
	case to.IsZero():
		to = from.AddDate(1, 0, 0)
	}
	return from, to
}

// eventAttachments fills in the attachments of the events that have
// some, one lookup per series (occurrences share their series').
func (m *Mailbox) eventAttachments(ctx context.Context, events []Event) error {
	var calls []call
	var owners []string
	index := map[string]int{}
	for _, e := range events {
		owner := cmp.Or(e.SeriesID, e.ID)
		if !e.HasAttachments || owner == "" {
			continue
		}
		if _, ok := index[owner]; !ok {
			index[owner] = len(calls)
			owners = append(owners, owner)
			calls = append(calls, call{method: "GET", path: "/events/" + url.PathEscape(owner) + "/attachments?$select=name,contentType,size,isInline"})
		}
	}
	if len(calls) == 0 {
		return nil
	}
	res, err := m.batch(ctx, calls)
	if err != nil {
		return err
	}
	found := make(map[string][]Attachment, len(owners))
	for i, r := range res {
		if r.err != nil {
			if IsNotFound(r.err) {
				continue
			}
			return r.err
		}
		var page struct {
			Value []struct {
				Name        string `json:"name"`
				ContentType string `json:"contentType"`
				Size        int64  `json:"size"`
				IsInline    bool   `json:"isInline"`
			} `json:"value"`
		}
		if err := decode(r.body, &page); err != nil {
			return err
		}
		for _, a := range page.Value {
			found[owners[i]] = append(found[owners[i]], Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size, Inline: a.IsInline})
		}
	}
	for i := range events {
		events[i].Attachments = found[cmp.Or(events[i].SeriesID, events[i].ID)]
	}
	return nil
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
