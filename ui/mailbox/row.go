package mailbox

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// rowCache keeps rendered rows. A row is redrawn only when its envelope
// (a new pointer after any change), its width, its selection or, for a
// report, the size of its case ("+N") changes, so moving the cursor
// re-renders two rows, not the screen.
type rowCache map[mail.UID]cachedRow

type cachedRow struct {
	env      *mail.Envelope
	width    int
	selected bool
	marked   bool
	day      int // the clock's day: "today" rows show times only
	caseSize int // a report's: its "+N"
	s        string
}

// maxCachedRows bounds the cache; past it we start over (a long scroll
// through a huge folder must not grow memory without end).
const maxCachedRows = 4096

func (m *Model) row(row int, cols columns, w int, now time.Time) string {
	f := m.open
	uid := f.uidAt(row)
	e := f.env[uid]
	selected, marked := row == f.cursor, f.marked[uid]
	if e == nil {
		return m.placeholderRow(cols, w, selected)
	}
	day, size := now.YearDay()+1000*now.Year(), m.caseSize(e)
	if c, ok := m.rows[uid]; ok && c.env == e && c.width == w && c.selected == selected && c.marked == marked && c.day == day && c.caseSize == size {
		return c.s
	}
	s := m.renderRow(e, cols, selected, marked, now)
	if len(m.rows) >= maxCachedRows {
		m.rows = rowCache{}
	}
	m.rows[uid] = cachedRow{env: e, width: w, selected: selected, marked: marked, day: day, caseSize: size, s: s}
	return s
}

func (m *Model) placeholderRow(cols columns, w int, selected bool) string {
	st := m.c.Styles
	style := st.Muted
	if selected {
		style = st.Selected
	}
	return style.Render(common.PadRight(strings.Repeat(" ", cols.flags)+" ·  loading…", w))
}

func (m *Model) renderRow(report *mail.Envelope, cols columns, selected, marked bool, now time.Time) string {
	st := m.c.Styles
	e := m.shown(report)
	base := st.Text
	switch {
	case selected && !e.Flags.Seen:
		base = st.SelectedUnread
	case selected:
		base = st.Selected
	case !e.Flags.Seen:
		base = st.Unread
	}
	if e.Flags.Deleted {
		base = base.With(func(s lipgloss.Style) lipgloss.Style { return s.Strikethrough(true) })
	}
	marker := st.Marker
	sender := senderText(e)
	subject := analysis.SanitizeLine(e.Subject)
	if e.Subject == "" {
		subject = analysis.Plain("(no subject)")
	}
	var b strings.Builder
	if marked {
		b.WriteString(st.Accent.Render("*"))
	} else {
		b.WriteString(base.Render(" "))
	}
	b.WriteString(base.Render(flagsText(e)))
	// H: the sender or subject hides characters; said here because a
	// narrow column may cut the marker itself off.
	if sender.Markers+subject.Markers > 0 {
		b.WriteString(marker.Render("H"))
	} else {
		b.WriteString(base.Render(" "))
	}
	b.WriteString(base.Render(" "))
	b.WriteString(common.Cell(analysis.Plain(formatDate(e.SortTime(), now)), cols.date-1, base, marker))
	b.WriteString(base.Render(" "))
	b.WriteString(common.Cell(sender, cols.from-1, base, marker))
	b.WriteString(base.Render(" "))
	b.WriteString(common.Cell(subject, cols.subject-1, base, marker))
	if cols.reporter > 0 {
		b.WriteString(base.Render(" "))
		who := m.reporterText(report)
		if m.rawView {
			who = analysis.Plain("")
		}
		b.WriteString(common.Cell(who, cols.reporter-1, base, marker))
	}
	if cols.tags > 0 {
		b.WriteString(base.Render(" "))
		tags := st.Tag
		if selected {
			tags = base
		}
		b.WriteString(common.Cell(tagsText(e), cols.tags-1, tags, marker))
	}
	if cols.size > 0 {
		b.WriteString(base.Render(common.PadLeft(humanSize(e.Size), cols.size)))
	}
	return b.String()
}

// flagsText is the first four characters of the flag column: N unread,
// D deleted, ! flagged, r answered, and the attachment count (+ for ten or
// more). The fifth, H, is drawn by renderRow.
func flagsText(e *mail.Envelope) string {
	b := []byte("    ")
	switch {
	case e.Flags.Deleted:
		b[0] = 'D'
	case !e.Flags.Seen:
		b[0] = 'N'
	}
	if e.Flags.Flagged {
		b[1] = '!'
	}
	if e.Flags.Answered {
		b[2] = 'r'
	}
	switch n := e.Attachments; {
	case n > 9:
		b[3] = '+'
	case n > 0:
		b[3] = byte('0' + n)
	}
	return string(b)
}

func senderText(e *mail.Envelope) analysis.Text {
	if len(e.From) == 0 {
		return analysis.Plain("(no sender)")
	}
	a := e.From[0]
	if strings.TrimSpace(a.Name) != "" {
		return analysis.SanitizeLine(a.Name)
	}
	return analysis.SanitizeLine(a.Addr)
}

func tagsText(e *mail.Envelope) analysis.Text {
	if len(e.Flags.Keywords) == 0 {
		return analysis.Text{}
	}
	names := make([]string, len(e.Flags.Keywords))
	for i, kw := range e.Flags.Keywords {
		names[i] = mail.DecodeKeyword(kw)
	}
	// Servers list keywords in no particular order: sorted, a row looks
	// the same every time it is drawn.
	slices.Sort(names)
	return analysis.SanitizeLine(strings.Join(names, ","))
}

// formatDate shows the time for today, month and day for this year, and
// the full date otherwise, in the local zone.
func formatDate(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(now.Location())
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 02 15:04")
	}
	return t.Format("2006-01-02")
}

func humanSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%dB", n)
	case n < 1000*1024:
		return fmt.Sprintf("%.0fK", float64(n)/1024)
	case n < 10*1024*1024:
		return fmt.Sprintf("%.1fM", float64(n)/(1024*1024))
	}
	return fmt.Sprintf("%.0fM", float64(n)/(1024*1024))
}
