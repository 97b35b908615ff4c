package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
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
	fs, cfgFlag, acctFlag := newHeadless("calendar",
		"mailtriage calendar list|create [flags]",
		"List the events of a Graph account's calendar, or create one (audited).\n"+
			"list takes --subject, --from, --to and --limit; create takes --subject, --start, --end and the rest.", cfgPath, account)
	subject := fs.String("subject", "", "list: contained in the subject; create: the subject")
	from := fs.String("from", "", "list: start of the window; events overlapping it are listed, a series as its occurrences (default: a year before --to, or now)")
	to := fs.String("to", "", "list: end of the window (default: a year after --from, or now)")
	start := fs.String("start", "", "create: start")
	end := fs.String("end", "", "create: end")
	var required, optional, categories listFlag
	fs.Var(&required, "attendee", "create: required `attendee` (repeatable)")
	fs.Var(&optional, "optional", "create: `optional` attendee (repeatable)")
	fs.Var(&categories, "category", "create: `category` (repeatable)")
	location := fs.String("location", "", "create: location")
	body := fs.String("body", "", "create: body text")
	showAs := fs.String("show-as", "", "create: free, tentative, busy, oof, workingElsewhere")
	reminder := fs.Int("reminder", -1, "create: reminder minutes before start (-1: none)")
	allDay := fs.Bool("all-day", false, "create: all-day event (dates only)")
	private := fs.Bool("private", false, "create: private")
	importance := fs.String("importance", "", "create: low, normal or high")
	repeat := fs.String("repeat", "", "create: daily or weekly (a series)")
	every := fs.Int("repeat-every", 1, "create: every N days or weeks")
	var onDays listFlag
	fs.Var(&onDays, "repeat-on", "create: weekly on these `days` (mon,thu; default the start's day)")
	until := fs.String("repeat-until", "", "create: last day of the series (YYYY-MM-DD)")
	count := fs.Int("repeat-count", 0, "create: number of occurrences")
	limit := fs.Int("limit", 100, "list: at most this many")
	if len(args) == 0 || (args[0] != "list" && args[0] != "create") {
		// No verb: maybe --help, else a usage error either way.
		if status, ok := fs.parse(args, stdout, stderr); !ok {
			return status
		}
		return fs.usageError(stderr, errors.New("list or create?"))
	}
	verb, args := args[0], args[1:]
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
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
	ev.Importance = *importance
	if ev.Recurrence, err = recurrenceFlags(*repeat, *every, onDays, *until, *count); err != nil {
		return fail(stderr, 2, err)
	}
	if err := ev.Validate(); err != nil {
		return fail(stderr, 2, err)
	}
	ch := action.Change{Name: remediate.CalendarCreate, Target: action.Target{Account: h.acct.Name}, Detail: ev.Subject + " " + ev.Start.Format(time.RFC3339)}
	created, err := action.RunValue(ctx, h.actions, ch, func(ctx context.Context) (graph.Event, error) { return g.CreateEvent(ctx, ev) })
	if err != nil {
		return fail(stderr, 1, err)
	}
	return printJSON(stdout, stderr, created)
}

func runContacts(ctx context.Context, args []string, cfgPath, account string, stdout, stderr io.Writer) int {
	fs, cfgFlag, acctFlag := newHeadless("contacts", "mailtriage contacts [--limit N]",
		"List the contacts of a Graph account's address book as JSON.", cfgPath, account)
	limit := fs.Int("limit", 500, "at most this many")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
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

// recurrenceFlags builds a series from create's --repeat flags.
func recurrenceFlags(pattern string, every int, days []string, until string, count int) (*graph.Recurrence, error) {
	if pattern == "" {
		if len(days) > 0 || until != "" || count != 0 {
			return nil, errors.New("calendar create: --repeat-on, --repeat-until and --repeat-count need --repeat")
		}
		return nil, nil
	}
	r := &graph.Recurrence{Pattern: pattern, Interval: every, Count: count}
	for _, d := range days {
		wd, ok := weekdays[strings.ToLower(d)]
		if !ok {
			return nil, fmt.Errorf("calendar create: --repeat-on %q is not a weekday (mon … sun)", d)
		}
		r.Days = append(r.Days, wd)
	}
	var err error
	if r.Until, err = parseWhen("repeat-until", until); err != nil {
		return nil, err
	}
	return r, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}
