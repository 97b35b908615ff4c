package message

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

const labelWidth = 10

// View draws the visible part of the message.
func (m *Model) View() tea.View { return tea.NewView(m.Render()) }

// Render returns exactly height lines.
func (m *Model) Render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := m.renderLines()
	out := make([]string, m.height)
	for i := range out {
		j := m.offset + i
		if j < len(lines) {
			out[i] = lines[j]
		}
	}
	return strings.Join(out, "\n")
}

// renderLines lays the message out for the current width and mode, once:
// scrolling only slices the result.
func (m *Model) renderLines() []string {
	key := layoutKey{width: m.width, raw: m.showRaw, html: m.showHTML, doc: m.doc, styles: m.c.Styles}
	if m.doc != nil {
		key.seen = m.doc.flags.Seen
	}
	if m.lines != nil && key == m.linesFor {
		return m.lines
	}
	m.lines, m.linesFor = m.layout(), key
	return m.lines
}

func (m *Model) layout() []string {
	st := m.c.Styles
	switch {
	case m.loading:
		return []string{st.Muted.Render(" reading message …")}
	case m.err != nil:
		return m.wrapped(analysis.SanitizeLine(m.err.Error()), st.Danger)
	case m.doc == nil:
		return []string{st.Muted.Render(" no message open")}
	}
	d := m.doc
	var out []string
	if m.showRaw {
		out = append(out, st.Title.Render("Raw headers")+st.Muted.Render("  (h: summary)"))
		for _, l := range d.rawHeader {
			out = append(out, m.wrapped(l, st.Text)...)
		}
	} else {
		for _, f := range d.fields {
			out = append(out, m.fieldLines(f)...)
		}
		out = append(out, m.stateLine())
	}
	out = append(out, m.rule())
	out = append(out, m.bodyLines()...)
	out = append(out, m.attachmentLines()...)
	out = append(out, m.warningLines()...)
	return out
}

func (m *Model) fieldLines(f field) []string {
	st := m.c.Styles
	base := st.Text
	if f.label == "Subject" {
		base = st.Bold
	}
	if f.alert {
		base = st.Warning
	}
	valueW := max(m.width-labelWidth-1, 10)
	wrapped := f.value.Wrap(valueW)
	out := make([]string, 0, len(wrapped))
	for i, l := range wrapped {
		label := ""
		if i == 0 {
			label = f.label
		}
		out = append(out, st.Muted.Render(common.PadRight(label, labelWidth))+" "+common.Render(l, base, st.Marker))
	}
	if f.alert {
		out = append(out, st.Warning.Render(common.PadRight("", labelWidth)+" ⚠ replies go to another domain than the sender's"))
	}
	return out
}

// stateLine says what the server knows about the message: size, read
// state, and whether we read all of it.
func (m *Model) stateLine() string {
	st := m.c.Styles
	d := m.doc
	parts := []string{humanBytes(d.size)}
	if d.flags.Seen {
		parts = append(parts, "read")
	} else {
		parts = append(parts, "unread (opening it did not change that)")
	}
	if d.flags.Flagged {
		parts = append(parts, "flagged")
	}
	if len(d.attachments) > 0 {
		parts = append(parts, fmt.Sprintf("%d attachment(s) listed below", len(d.attachments)))
	}
	line := st.Muted.Render(common.PadRight("", labelWidth) + " " + strings.Join(parts, " · "))
	if d.truncated {
		line += st.Warning.Render(" · only the first part was read (message larger than max_message_bytes)")
	}
	return ansi.Truncate(line, m.width, "…")
}

func (m *Model) bodyLines() []string {
	st := m.c.Styles
	d := m.doc
	body, which := d.text, "text"
	if m.showHTML {
		body, which = d.html, "HTML as text: links show their real target, nothing was loaded"
	}
	var out []string
	if len(d.html.Segs) > 0 && len(d.text.Segs) > 0 {
		other := "HTML"
		if m.showHTML {
			other = "text"
		}
		out = append(out, st.Muted.Render(fmt.Sprintf("[%s part · v: %s part]", which, other)))
	} else if m.showHTML {
		out = append(out, st.Muted.Render("["+which+"]"))
	}
	if len(body.Segs) == 0 {
		return append(out, st.Muted.Render("(no body text)"))
	}
	for _, l := range body.Lines() {
		out = append(out, m.wrapped(l, st.Text)...)
	}
	return out
}

func (m *Model) attachmentLines() []string {
	st := m.c.Styles
	d := m.doc
	if len(d.attachments) == 0 {
		return nil
	}
	out := []string{m.rule(), st.Title.Render(fmt.Sprintf("Attachments (%d)", len(d.attachments)))}
	nameW := clampInt(m.width/2, 16, 60)
	typeW := clampInt(m.width-nameW-14, 10, 40)
	for i, a := range d.attachments {
		line := st.Muted.Render(fmt.Sprintf("%3d ", i+1)) +
			common.Cell(a.name, nameW, st.Text, st.Marker) + " " +
			common.Cell(a.contentType, typeW, st.Muted, st.Marker) + " " +
			st.Text.Render(fmt.Sprintf("%8s", humanBytes(int64(a.size))))
		out = append(out, ansi.Truncate(line, m.width, "…"))
	}
	return out
}

func (m *Model) warningLines() []string {
	st := m.c.Styles
	if len(m.doc.warnings) == 0 {
		return nil
	}
	out := []string{m.rule(), st.Warning.Render("Parser warnings (malformed structure is itself evidence)")}
	for _, w := range m.doc.warnings {
		out = append(out, m.wrapped(w, st.Muted)...)
	}
	return out
}

func (m *Model) wrapped(t analysis.Text, base themes.Paint) []string {
	lines := t.Wrap(m.width)
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = common.Render(l, base, m.c.Styles.Marker)
	}
	return out
}

func (m *Model) rule() string { return m.c.Styles.Border.Render(strings.Repeat("─", m.width)) }

func clampInt(v, lo, hi int) int { return max(lo, min(v, hi)) }

func humanBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
