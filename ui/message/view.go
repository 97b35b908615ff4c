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

// Every tab is laid out as lines that start with a two-cell gutter; the
// item under the cursor (a URL, an attachment, a search match) is shown
// by drawing a marker in its gutter, so moving the cursor never lays the
// tab out again.
const gutter = "  "

// labelWidth is the label column of the field lists.
const labelWidth = 12

// View draws the visible part of the message.
func (m *Model) View() tea.View { return tea.NewView(m.Render()) }

// Render returns exactly height lines: the tab bar, the visible part of
// the tab, and the prompt when one is open.
func (m *Model) Render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	out := make([]string, 0, m.height)
	out = append(out, m.tabBar())
	lay := m.currentLayout()
	bodyH := m.bodyHeight()
	hl := m.highlighted(lay)
	for i := 0; i < bodyH; i++ {
		j := m.offset() + i
		line := ""
		if j < len(lay.lines) {
			line = lay.lines[j]
			if hl.n > 0 && j >= hl.start && j < hl.start+hl.n && strings.HasPrefix(line, gutter) {
				line = m.c.Styles.Accent.Render("▌") + " " + line[len(gutter):]
			}
		}
		out = append(out, line)
	}
	if m.prompt != nil {
		out = append(out, ansi.Truncate(m.prompt.view(m.c.Styles, m.width), m.width, "…"))
	}
	return strings.Join(out[:m.height], "\n")
}

// highlighted is the span marked in the gutter: the item under the
// cursor, or the current search match.
func (m *Model) highlighted(lay *layout) span {
	pg := m.page()
	if pg == nil {
		return span{}
	}
	switch pg.tab {
	case tabURLs, tabAttachments:
		if c := pg.cursor[pg.tab]; c < len(lay.items) {
			return lay.items[c]
		}
	case tabRaw:
		if pg.search != "" && len(lay.matches) > 0 {
			return lay.items[lay.matches[pg.match%len(lay.matches)]]
		}
	}
	return span{}
}

// tabBar names the tabs, the current one highlighted, with counts where
// they help choose ("URLs 12").
func (m *Model) tabBar() string {
	st := m.c.Styles
	pg := m.page()
	if pg == nil {
		return st.Title.Render(" Message")
	}
	var tabs strings.Builder
	for _, t := range pg.doc.tabs() {
		name := tabNames[t]
		switch t {
		case tabSummary:
			if n := len(pg.doc.ev.Signals); n > 0 {
				name += fmt.Sprintf(" %d⚑", n)
			}
		case tabHops:
			name += fmt.Sprintf(" %d", len(pg.doc.ev.Hops))
		case tabURLs:
			name += fmt.Sprintf(" %d", len(pg.doc.ev.URLs))
		case tabAttachments:
			name += fmt.Sprintf(" %d", len(pg.doc.ev.Attachments))
		}
		style := st.Tab
		if t == pg.tab {
			style = st.ActiveTab
		}
		tabs.WriteString(style.Render(" " + name + " "))
	}
	bar := tabs.String()
	switch {
	case len(m.stack) == 1 && pg.doc.report != nil:
		bar = st.Warning.Render(" reported original ") + bar
	case len(m.stack) == 1 && pg.doc.original != nil:
		bar = st.Warning.Render(" report as received ") + bar
	}
	if len(m.stack) > 1 {
		// Where we are comes first, but never pushes the tabs off screen.
		prefix := st.Warning.Render(fmt.Sprintf(" ↳ attached message (level %d): ", len(m.stack)-1)) +
			common.Render(pg.doc.title.Truncate(30, "…"), st.Muted, st.Marker) + " "
		room := m.width - ansi.StringWidth(bar)
		if ansi.StringWidth(prefix) > room {
			prefix = ansi.Truncate(prefix, max(room, 0), "…")
		}
		bar = prefix + bar
	}
	return ansi.Truncate(bar, m.width, "…")
}

// layout is one tab laid out for one width: its lines and the spans of
// its items (URLs, attachments, header fields, source lines).
type layout struct {
	lines   []string
	items   []span
	matches []int // items matching the search (Raw tab)
}

type span struct{ start, n int }

// layoutKey is everything a tab's layout depends on.
type layoutKey struct {
	tab    tab
	width  int
	html   bool
	doc    *document
	styles *themes.Styles
	seen   bool
	filter string
	search string
	state  string // loading / error
}

// InvalidateStyles drops the laid-out tab after a theme change (the
// styles change in place, so the layout key cannot see it).
func (m *Model) InvalidateStyles() { m.lay = nil }

// currentLayout lays the tab out once per change of what it depends on:
// scrolling and cursor moves only slice the result.
func (m *Model) currentLayout() *layout {
	key := layoutKey{width: m.width, styles: m.c.Styles}
	pg := m.page()
	switch {
	case m.loading:
		key.state = "loading"
	case m.err != nil:
		key.state = "error " + m.err.Error()
	case pg == nil:
		key.state = "none"
	default:
		key.tab, key.html, key.doc, key.seen = pg.tab, pg.html, pg.doc, pg.doc.flags.Seen
		switch pg.tab {
		case tabHeaders:
			key.filter = pg.filter
		case tabRaw:
			key.search = pg.search
		}
	}
	if m.lay != nil && key == m.layFor {
		return m.lay
	}
	m.lay, m.layFor = m.build(key), key
	return m.lay
}

func (m *Model) build(key layoutKey) *layout {
	st := m.c.Styles
	switch {
	case m.loading:
		return &layout{lines: []string{gutter + st.Muted.Render("reading and analysing the message …")}}
	case m.err != nil:
		return &layout{lines: m.wrapped(analysis.SanitizeLine(m.err.Error()), st.Danger, 0)}
	case key.doc == nil:
		return &layout{lines: []string{gutter + st.Muted.Render("no message open")}}
	}
	pg := m.page()
	switch key.tab {
	case tabAuth:
		return m.authTab(pg)
	case tabHops:
		return m.hopsTab(pg)
	case tabURLs:
		return m.urlsTab(pg)
	case tabAttachments:
		return m.attachmentsTab(pg)
	case tabHeaders:
		return m.headersTab(pg)
	case tabRaw:
		return m.rawTab(pg)
	case tabReport:
		return m.reportTab(pg)
	}
	return m.summaryTab(pg)
}

// inner is the width right of the gutter.
func (m *Model) inner() int { return max(m.width-len(gutter), 10) }

// wrapped wraps sanitized text to the width, indented by indent cells
// after the gutter.
func (m *Model) wrapped(t analysis.Text, base themes.Paint, indent int) []string {
	lines := t.Wrap(max(m.inner()-indent, 10))
	out := make([]string, len(lines))
	pad := gutter + strings.Repeat(" ", indent)
	for i, l := range lines {
		out[i] = pad + common.Render(l, base, m.c.Styles.Marker)
	}
	return out
}

// field draws "label  value", the value wrapped under itself.
func (m *Model) field(label string, value analysis.Text, base themes.Paint) []string {
	st := m.c.Styles
	lines := value.Wrap(max(m.inner()-labelWidth-1, 10))
	out := make([]string, len(lines))
	for i, l := range lines {
		lab := ""
		if i == 0 {
			lab = label
		}
		out[i] = gutter + st.Muted.Render(common.PadRight(lab, labelWidth)) + " " + common.Render(l, base, st.Marker)
	}
	return out
}

// noteText is a line under a field, in the value column.
func (m *Model) noteText(t analysis.Text, style themes.Paint) []string {
	return m.wrapped(t, style, labelWidth+1)
}

// line is one line of the program's own text, cut to the width.
func (m *Model) line(s string) string {
	return gutter + ansi.Truncate(s, m.inner(), "…")
}

func (m *Model) heading(title, hint string) string {
	st := m.c.Styles
	s := st.Title.Render(title)
	if hint != "" {
		s += st.Muted.Render("  " + hint)
	}
	return m.line(s)
}

func (m *Model) rule() string { return m.c.Styles.Border.Render(strings.Repeat("─", m.width)) }

// safe sanitizes one line of untrusted text.
func safe(s string) analysis.Text { return analysis.SanitizeLine(s) }

// cell draws untrusted text cut or padded to w cells.
func (m *Model) cell(s string, w int, base themes.Paint) string {
	return common.Cell(safe(s), w, base, m.c.Styles.Marker)
}

// verdict styles an authentication result by what it means.
func (m *Model) verdict(result string) themes.Paint {
	st := m.c.Styles
	switch strings.ToLower(result) {
	case "pass":
		return st.Success
	case "fail", "softfail", "permerror", "temperror", "hardfail":
		return st.Danger
	}
	return st.Muted
}

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

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// textCell draws sanitized text cut or padded to w cells.
func (m *Model) textCell(t analysis.Text, w int, base themes.Paint) string {
	return common.Cell(t, w, base, m.c.Styles.Marker)
}
