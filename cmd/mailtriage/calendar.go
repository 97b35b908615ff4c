package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/safejson"
)

// The Exchange seed's calendar and contacts, for Graph accounts.

// openGraph opens the account for a calendar or contacts command, which
// needs it to be on Microsoft Graph.
func openGraph(cfgPath, account string) (*headless, *graph.Mailbox, error) {
	h, err := openHeadless(cfgPath, account)
	if err != nil {
		return nil, nil, err
	}
	g, ok := h.acct.Mailbox.(*graph.Mailbox)
	if !ok {
		h.close()
		return nil, nil, fmt.Errorf("account %q is not a Graph account: calendar and contacts need graph = \"https://graph.microsoft.com/v1.0\"", h.acct.Name)
	}
	return h, g, nil
}

func parseWhen(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s %q: use YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC 3339", flag, v)
}

func runCalendar(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "create") {
		return fail(stderr, 2, errors.New("calendar: list or create?"))
	}
	verb, args := args[0], args[1:]
	fs, cfgFlag, acctFlag := newFlags("calendar", cfgPath, account)
	subject := fs.String("subject", "", "list: contained in the subject; create: the subject")
	from := fs.String("from", "", "list: events starting at or after")
	to := fs.String("to", "", "list: events starting before")
	start := fs.String("start", "", "create: start")
	end := fs.String("end", "", "create: end")
	var required, optional, categories listFlag
	fs.Var(&required, "attendee", "create: required attendee (repeatable)")
	fs.Var(&optional, "optional", "create: optional attendee (repeatable)")
	fs.Var(&categories, "category", "create: category (repeatable)")
	location := fs.String("location", "", "create: location")
	body := fs.String("body", "", "create: body text")
	showAs := fs.String("show-as", "", "create: free, tentative, busy, oof, workingElsewhere")
	reminder := fs.Int("reminder", -1, "create: reminder minutes before start (-1: none)")
	allDay := fs.Bool("all-day", false, "create: all-day event (dates only)")
	private := fs.Bool("private", false, "create: private")
	limit := fs.Int("limit", 100, "list: at most this many")
	if err := fs.Parse(args); err != nil {
		return fail(stderr, 2, err)
	}
	h, g, err := openGraph(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	if verb == "list" {
		f, err1 := parseWhen("from", *from)
		t, err2 := parseWhen("to", *to)
		if err := errors.Join(err1, err2); err != nil {
			return fail(stderr, 2, err)
		}
		events, err := g.ListEvents(ctx, graph.EventQuery{Subject: *subject, From: f, To: t, Limit: *limit})
		if err != nil {
			return fail(stderr, 1, err)
		}
		return printJSON(stdout, stderr, events)
	}
	s, err1 := parseWhen("start", *start)
	e, err2 := parseWhen("end", *end)
	if err := errors.Join(err1, err2); err != nil {
		return fail(stderr, 2, err)
	}
	ev := graph.Event{Subject: *subject, Start: s, End: e, Location: *location, Body: *body, Required: required,
		Optional: optional, Categories: categories, ShowAs: *showAs, AllDay: *allDay, Private: *private}
	if *reminder >= 0 {
		ev.ReminderMinutes = reminder
	}
	if err := ev.Validate(); err != nil {
		return fail(stderr, 2, err)
	}
	var created graph.Event
	req := remediate.Request{Account: h.acct.Name, Action: "calendar-create-event"}
	err = h.remedy.Audited(ctx, req, ev.Subject+" "+ev.Start.Format(time.RFC3339), func(ctx context.Context) error {
		var err error
		created, err = g.CreateEvent(ctx, ev)
		return err
	})
	if err != nil {
		return fail(stderr, 1, err)
	}
	return printJSON(stdout, stderr, created)
}

func runContacts(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newFlags("contacts", cfgPath, account)
	limit := fs.Int("limit", 500, "at most this many")
	if err := fs.Parse(args); err != nil {
		return fail(stderr, 2, err)
	}
	h, g, err := openGraph(*cfgFlag, *acctFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	defer h.close()
	contacts, err := g.ListContacts(ctx, *limit)
	if err != nil {
		return fail(stderr, 1, err)
	}
	return printJSON(stdout, stderr, contacts)
}

func printJSON(stdout, stderr io.Writer, v any) int {
	enc := safejson.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(stderr, 1, err)
	}
	return 0
}
