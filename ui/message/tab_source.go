package message

import (
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
)

// headersTab: every header field as it stands in the message, in order,
// sanitized; / keeps the fields whose name or value contains the filter.
func (m *Model) headersTab(pg *page) *layout {
	st := m.c.Styles
	d := pg.doc
	filter := strings.ToLower(pg.filter)
	var shown []headerField
	for _, h := range d.headers {
		if filter == "" || strings.Contains(h.plain, filter) {
			shown = append(shown, h)
		}
	}
	title := fmt.Sprintf("Headers (%d fields, as received, sanitized)", len(d.headers))
	hint := "/ filters"
	if pg.filter != "" {
		title = fmt.Sprintf("Headers: %d of %d fields contain “%s”", len(shown), len(d.headers), safe(pg.filter).String())
		hint = "esc shows all"
	}
	lay := &layout{lines: []string{m.heading(title, hint)}}
	if len(shown) == 0 {
		lay.lines = append(lay.lines, m.line(st.Muted.Render("no field matches")))
	}
	for _, h := range shown {
		start := len(lay.lines)
		line := analysis.Concat(h.name, analysis.Plain(": "), h.value)
		for i, l := range line.Wrap(m.inner() - 4) {
			indent := ""
			if i > 0 {
				indent = "    "
			}
			lay.lines = append(lay.lines, gutter+indent+m.textCell(l, l.Width(), st.Text))
		}
		lay.items = append(lay.items, span{start: start, n: len(lay.lines) - start})
	}
	return lay
}

// rawTab: the source as fetched, line by line, sanitized (hidden
// characters as markers); / searches it, n/N walk the matches.
func (m *Model) rawTab(pg *page) *layout {
	st := m.c.Styles
	d := pg.doc
	hint := "/ searches · n/N next/previous match"
	lay := &layout{}
	search := strings.ToLower(pg.search)
	for _, l := range d.rawLines {
		start := len(lay.lines)
		if search != "" && strings.Contains(strings.ToLower(l.String()), search) {
			lay.matches = append(lay.matches, len(lay.items))
		}
		lay.lines = append(lay.lines, m.wrapped(l, st.Text, 0)...)
		lay.items = append(lay.items, span{start: start + 1, n: len(lay.lines) - start})
	}
	title := fmt.Sprintf("Raw source (%s, sanitized)", humanBytes(int64(len(d.raw))))
	if pg.search != "" {
		title = fmt.Sprintf("Raw source: %d lines contain “%s”", len(lay.matches), safe(pg.search).String())
		hint = "n/N next/previous · esc ends the search"
	}
	lines := []string{m.heading(title, hint)}
	lay.lines = append(lines, lay.lines...)
	if d.rawCut > 0 || d.truncated {
		what := fmt.Sprintf("[… %d more bytes not shown]", d.rawCut)
		if d.truncated {
			what = "[the rest of the message was not fetched: larger than max_message_bytes]"
		}
		lay.lines = append(lay.lines, m.line(st.Warning.Render(what)))
	}
	return lay
}
