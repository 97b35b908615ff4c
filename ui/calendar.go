package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/ui/common"
)

// :calendar, :contacts and :event — the Exchange seed's calendar and contacts, for
// accounts on Microsoft Graph, shown in a panel over the mailbox.

type panelMsg struct {
	ticket common.Ticket
	title  string
	lines  []string
	err    error
}

// groupware is what :calendar and :contacts need of an account: a Graph
// mailbox has it, and so does a session's view of one (over SSH).
type groupware interface {
	ListEvents(ctx context.Context, q graph.EventQuery) ([]graph.Event, error)
	ListContacts(ctx context.Context, limit int) ([]graph.Contact, error)
}

func (m *Model) graphBox() (groupware, error) {
	g, ok := mail.As[groupware](m.opts.Accounts[m.active].Mailbox)
	if !ok {
		return nil, errors.New("calendar and contacts need an account on Microsoft Graph (graph = \"https://graph.microsoft.com/v1.0\")")
	}
	return g, nil
}

// cmdCalendar lists the events of the next days ("calendar 14": two weeks;
// default 7), or those matching a subject ("calendar debrief"): a
// recurring meeting as its occurrences, each with its importance and its
// attachments' names and sizes.
// "calendar new [FIELDS]" creates an event, as :event does.
func (m *Model) cmdCalendar(arg string) tea.Cmd {
	if arg == "new" || strings.HasPrefix(arg, "new ") {
		return m.cmdEvent(strings.TrimPrefix(arg, "new"))
	}
	g, err := m.graphBox()
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	days, subject := 7, ""
	if _, err := fmt.Sscan(arg, &days); err != nil || days <= 0 {
		days, subject = 7, strings.TrimSpace(arg)
	}
	from := m.c.Now()
	q := graph.EventQuery{Subject: subject, From: from, To: from.AddDate(0, 0, days), Limit: 200}
	if subject != "" {
		q.From, q.To = time.Time{}, time.Time{}
	}
	title := fmt.Sprintf("Calendar — next %d days", days)
	if subject != "" {
		title = fmt.Sprintf("Calendar — events about %q", subject)
	}
	return common.Request(m.c.Common, &m.panelReq, jobs.Spec{Name: "calendar", Account: m.opts.Accounts[m.active].Name},
		func(ctx context.Context, _ *jobs.Progress) ([]graph.Event, error) { return g.ListEvents(ctx, q) },
		func(t common.Ticket, events []graph.Event, err error) tea.Msg {
			lines := make([]string, 0, len(events))
			for _, e := range events {
				lines = append(lines, eventLines(e)...)
			}
			if len(lines) == 0 {
				lines = []string{"no events"}
			}
			return panelMsg{ticket: t, title: title, lines: lines, err: err}
		})
}

// eventLines is one event of the panel: when, subject, place and
// attendees; its importance, whether it is an occurrence of a series,
// and below it, its attachments by name, type and size (never opened:
// an attachment is the sender's, not something to fetch).
func eventLines(e graph.Event) []string {
	when := e.Start.Local().Format("Mon Jan 02 15:04") + "–" + e.End.Local().Format("15:04")
	if e.AllDay {
		when = e.Start.Format("Mon Jan 02") + " all day"
	}
	line := when + "  " + e.Subject
	if e.Location != "" {
		line += " @ " + e.Location
	}
	if n := len(e.Required) + len(e.Optional); n > 0 {
		line += fmt.Sprintf(" (%d attendees)", n)
	}
	line += "  · importance " + cmp.Or(e.Importance, "normal")
	if e.SeriesID != "" {
		line += " · recurring"
	}
	out := []string{line}
	for _, a := range e.Attachments {
		kind := ""
		if a.ContentType != "" {
			kind = a.ContentType + ", "
		}
		out = append(out, fmt.Sprintf("      attachment: %s (%s%s)", a.Name, kind, sizeText(a.Size)))
	}
	if e.HasAttachments && len(e.Attachments) == 0 {
		out = append(out, "      has attachments (not listed by the server)")
	}
	return out
}

// sizeText writes a byte count the way people read it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (m *Model) cmdContacts(arg string) tea.Cmd {
	g, err := m.graphBox()
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	filter := strings.ToLower(strings.TrimSpace(arg))
	return common.Request(m.c.Common, &m.panelReq, jobs.Spec{Name: "contacts", Account: m.opts.Accounts[m.active].Name},
		func(ctx context.Context, _ *jobs.Progress) ([]graph.Contact, error) { return g.ListContacts(ctx, 1000) },
		func(t common.Ticket, contacts []graph.Contact, err error) tea.Msg {
			var lines []string
			for _, c := range contacts {
				line := c.DisplayName + "  " + strings.Join(c.Emails, ", ")
				if c.Company != "" {
					line += "  · " + c.Company
				}
				if filter == "" || strings.Contains(strings.ToLower(line), filter) {
					lines = append(lines, line)
				}
			}
			if len(lines) == 0 {
				lines = []string{"no contacts"}
			}
			return panelMsg{ticket: t, title: "Contacts", lines: lines, err: err}
		})
}

// showPanel shows the calendar or contacts asked for last, in the account
// that asked: a panel asked for before another, or before the analyst
// switched accounts, is dropped.
func (m *Model) showPanel(msg panelMsg) tea.Cmd {
	if !msg.ticket.Current() {
		return nil
	}
	if msg.err != nil {
		return m.setFlash(msg.err.Error(), true)
	}
	m.show(screenMailbox)
	m.box().ShowInfo(msg.title, msg.lines)
	return nil
}
