package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// :event (and :calendar new) creates an event in a Graph account's
// calendar with the fields of the headless `calendar create`, in a form
// (components.Form; `:event key=value …` fills it from the command line).
// Enter previews; a mistake reopens the form as filled, with the reason in
// the status bar; a good one is previewed in a panel and created only on
// y, through the action layer (role, intent and result audited).

// eventCreator is what creating an event needs of an account: a Graph
// mailbox has it, and so does a session's view of one.
type eventCreator interface {
	CreateEvent(ctx context.Context, e graph.Event) (graph.Event, error)
}

// eventKeys are the form's fields in the order the line shows them; the
// ones after "repeat" are taken when typed but not in the starting line.
var eventKeys = []string{"subject", "start", "end", "attendees", "location", "body", "reminder", "show-as", "importance", "repeat",
	"optional", "categories", "all-day", "private", "repeat-every", "repeat-on", "repeat-until", "repeat-count"}

// eventTemplate is the starting line: the next full hour, for an hour,
// a reminder 15 minutes before, busy, normal importance, no series.
func eventTemplate(now time.Time) string {
	start := now.Local().Truncate(time.Hour).Add(time.Hour)
	return fmt.Sprintf(`event subject="" start=%s end=%s attendees="" location="" body="" reminder=15 show-as=busy importance=normal repeat=""`,
		start.Format(eventTimeLayout), start.Add(time.Hour).Format(eventTimeLayout))
}

const eventTimeLayout = "2006-01-02T15:04"

func (m *Model) cmdEvent(arg string) tea.Cmd {
	g, ok := mail.As[eventCreator](m.opts.Accounts[m.active].Mailbox)
	if !ok {
		return m.setFlash("creating an event needs an account on Microsoft Graph (graph = \"https://graph.microsoft.com/v1.0\")", true)
	}
	if err := m.c.Actions.Check(remediate.CalendarCreate); err != nil {
		return m.setFlash(err.Error(), true)
	}
	if strings.TrimSpace(arg) == "" {
		return m.eventForm(eventTemplate(m.c.Now()))
	}
	line := "event " + arg
	ev, err := parseEvent(arg)
	if err == nil {
		err = ev.Validate()
	}
	if err != nil {
		return tea.Batch(m.setFlash(err.Error(), true), m.eventForm(line))
	}
	m.show(screenMailbox)
	// The question takes the last lines of the screen: blank ones keep
	// it off the preview.
	preview := append(eventPreview(ev), "", "")
	m.box().ShowInfo("New event — preview ("+m.opts.Accounts[m.active].Name+")", preview)
	m.dialog = components.NewConfirm(m.c.Dialog, fmt.Sprintf("Create the event %q?", ev.Subject),
		func() tea.Cmd { return m.createEvent(g, ev) },
		components.Choice{Key: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")), Label: "edit",
			Run: func() tea.Cmd { return m.eventForm(line) }})
	// A mistake reported before is not this line's.
	return m.setFlash("new event: check the preview", false)
}

// eventHints say what each field of the event form takes.
var eventHints = map[string]string{
	"start": "YYYY-MM-DDTHH:MM", "end": "YYYY-MM-DDTHH:MM", "attendees": "addresses, comma-separated",
	"reminder": "minutes before, or none", "show-as": "free, tentative, busy, oof, workingElsewhere",
	"importance": "low, normal, high", "repeat": "daily or weekly (empty: once)", "optional": "addresses, comma-separated",
	"categories": "comma-separated", "all-day": "yes or no", "private": "yes or no", "repeat-every": "every N days/weeks",
	"repeat-on": "mon,wed,… (weekly)", "repeat-until": "YYYY-MM-DDTHH:MM", "repeat-count": "occurrences",
}

// eventForm opens a form with the seed's fields, filled from line (the
// template, or what the analyst typed before); enter previews.
func (m *Model) eventForm(line string) tea.Cmd {
	values := map[string]string{}
	if fields, err := splitFields(strings.TrimPrefix(line, "event ")); err == nil {
		for _, f := range fields {
			values[f[0]] = f[1]
		}
	}
	fields := make([]components.Field, 0, len(eventKeys))
	for _, k := range eventKeys {
		// The label is the key `:event key=value` takes.
		fields = append(fields, components.Field{Key: k, Label: k + ":", Value: values[k], Hint: eventHints[k], MaxLen: 2000})
	}
	m.show(screenMailbox)
	f := components.NewForm(components.DialogFormKeys(m.c.Dialog), fields, func(f *components.Form) (tea.Cmd, error) {
		var b strings.Builder
		for _, k := range eventKeys {
			if v := f.Value(k); v != "" {
				fmt.Fprintf(&b, "%s=%s ", k, strconv.Quote(v))
			}
		}
		return m.cmdEvent(strings.TrimSpace(b.String())), nil
	})
	f.ShowKeys, f.SubmitLabel = true, "preview"
	m.box().ShowForm("New event — "+m.opts.Accounts[m.active].Name+" (Graph)", f)
	return nil
}

// createEvent creates ev as an audited job; the outcome is flashed.
func (m *Model) createEvent(g eventCreator, ev graph.Event) tea.Cmd {
	acct := m.opts.Accounts[m.active].Name
	layer := m.c.Actions
	ch := action.Change{Name: remediate.CalendarCreate, Target: action.Target{Account: acct},
		Detail: ev.Subject + " " + ev.Start.Format(time.RFC3339)}
	return common.RunJob(m.c.Common, jobs.Spec{Name: "create event " + ev.Subject, Account: acct},
		func(ctx context.Context, _ *jobs.Progress) (graph.Event, error) {
			return action.RunValue(ctx, layer, ch, func(ctx context.Context) (graph.Event, error) { return g.CreateEvent(ctx, ev) })
		},
		func(_ jobs.ID, created graph.Event, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: fmt.Errorf("create event: %w", err)}
			}
			return common.InfoMsg{Text: fmt.Sprintf("event %q created in %s's calendar (%s)", created.Subject, acct, created.Start.Local().Format("Mon Jan 02 15:04"))}
		})
}

// eventPreview is the event as it will be created, field by field.
func eventPreview(e graph.Event) []string {
	out := []string{
		"Subject:     " + e.Subject,
		"When:        " + e.Start.Format("Mon Jan 02 2006 15:04") + " – " + e.End.Format("Mon Jan 02 2006 15:04 MST"),
	}
	add := func(label, v string) {
		if v != "" {
			out = append(out, fmt.Sprintf("%-12s %s", label+":", v))
		}
	}
	if e.AllDay {
		add("All day", "yes")
	}
	add("Location", e.Location)
	add("Attendees", strings.Join(e.Required, ", "))
	add("Optional", strings.Join(e.Optional, ", "))
	add("Categories", strings.Join(e.Categories, ", "))
	reminder := "none"
	if e.ReminderMinutes != nil {
		reminder = fmt.Sprintf("%d minutes before", *e.ReminderMinutes)
	}
	add("Reminder", reminder)
	add("Show as", e.ShowAs)
	add("Importance", e.Importance)
	if e.Private {
		add("Private", "yes")
	}
	add("Repeats", recurrenceText(e.Recurrence))
	if e.Body != "" {
		out = append(out, "Body:")
		for _, l := range strings.Split(e.Body, "\n") {
			out = append(out, "  "+l)
		}
	}
	return out
}

func recurrenceText(r *graph.Recurrence) string {
	if r == nil {
		return ""
	}
	unit := map[string]string{"daily": "day", "weekly": "week"}[r.Pattern]
	s := fmt.Sprintf("%s, every %d %s(s)", r.Pattern, max(r.Interval, 1), unit)
	if len(r.Days) > 0 {
		days := make([]string, len(r.Days))
		for i, d := range r.Days {
			days[i] = d.String()[:3]
		}
		s += " on " + strings.Join(days, ", ")
	}
	switch {
	case !r.Until.IsZero():
		s += " until " + r.Until.Format("2006-01-02")
	case r.Count > 0:
		s += fmt.Sprintf(", %d times", r.Count)
	default:
		s += ", no end"
	}
	return s
}

// parseEvent reads the form's line (without the command's name).
func parseEvent(line string) (graph.Event, error) {
	fields, err := splitFields(line)
	if err != nil {
		return graph.Event{}, err
	}
	var ev graph.Event
	var rec graph.Recurrence
	var errs []error
	for _, f := range fields {
		if err := setEventField(&ev, &rec, f[0], f[1]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return graph.Event{}, err
	}
	switch {
	case rec.Pattern != "":
		ev.Recurrence = &rec
	case rec.Interval > 1 || len(rec.Days) > 0 || !rec.Until.IsZero() || rec.Count > 0:
		return graph.Event{}, errors.New("event: repeat-every, repeat-on, repeat-until and repeat-count need repeat=daily or weekly")
	}
	return ev, nil
}

func setEventField(ev *graph.Event, rec *graph.Recurrence, k, v string) error {
	var err error
	switch k {
	case "subject":
		ev.Subject = v
	case "start":
		ev.Start, err = parseEventTime(k, v)
	case "end":
		ev.End, err = parseEventTime(k, v)
	case "attendees":
		ev.Required = common.SplitList(v)
	case "optional":
		ev.Optional = common.SplitList(v)
	case "categories":
		ev.Categories = common.SplitList(v)
	case "location":
		ev.Location = v
	case "body":
		ev.Body = strings.ReplaceAll(v, `\n`, "\n")
	case "reminder":
		if v != "" && v != "none" {
			var n int
			n, err = strconv.Atoi(v)
			ev.ReminderMinutes = &n
		}
	case "show-as":
		ev.ShowAs = v
	case "importance":
		ev.Importance = v
	case "all-day":
		ev.AllDay, err = parseYes(v)
	case "private":
		ev.Private, err = parseYes(v)
	case "repeat":
		rec.Pattern = v
	case "repeat-every":
		rec.Interval, err = strconv.Atoi(v)
	case "repeat-count":
		rec.Count, err = strconv.Atoi(v)
	case "repeat-until":
		rec.Until, err = parseEventTime(k, v)
	case "repeat-on":
		rec.Days, err = parseWeekdays(v)
	default:
		return fmt.Errorf("event: no field %q (fields: %s)", k, strings.Join(eventKeys, ", "))
	}
	if err != nil {
		return fmt.Errorf("event: %s=%q: %w", k, v, err)
	}
	return nil
}

func parseEventTime(k, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, eventTimeLayout, "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: use YYYY-MM-DD, YYYY-MM-DDTHH:MM or RFC 3339", k)
}

func parseYes(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "no", "false":
		return false, nil
	case "yes", "true":
		return true, nil
	}
	return false, errors.New("yes or no")
}

func parseWeekdays(v string) ([]time.Weekday, error) {
	names := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	var out []time.Weekday
	for _, d := range common.SplitList(v) {
		i := slices.Index(names, strings.ToLower(d[:min(3, len(d))]))
		if i < 0 {
			return nil, fmt.Errorf("%q is not a weekday (mon … sun)", d)
		}
		out = append(out, time.Weekday(i))
	}
	return out, nil
}

// splitFields splits `k=v k2="a b"` into pairs. A quoted value takes Go
// escapes (\" and \\); a field may appear once.
func splitFields(line string) ([][2]string, error) {
	var out [][2]string
	seen := map[string]bool{}
	rest := strings.TrimSpace(line)
	for rest != "" {
		k, after, ok := strings.Cut(rest, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t\"") {
			return nil, fmt.Errorf("event: expected key=value at %q", clip(rest))
		}
		var v string
		if strings.HasPrefix(after, `"`) {
			end := closingQuote(after)
			if end < 0 {
				return nil, fmt.Errorf("event: %s: the quoted value does not end", k)
			}
			var err error
			if v, err = strconv.Unquote(after[:end+1]); err != nil {
				return nil, fmt.Errorf("event: %s: %w", k, err)
			}
			after = after[end+1:]
		} else {
			v, after, _ = strings.Cut(after, " ")
		}
		if seen[k] {
			return nil, fmt.Errorf("event: %s is given twice", k)
		}
		seen[k] = true
		out = append(out, [2]string{k, v})
		rest = strings.TrimSpace(after)
	}
	return out, nil
}

// closingQuote is the index of the quote ending the value s opens with,
// skipping escaped ones; -1 if none.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}
