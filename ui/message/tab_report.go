package message

import (
	"fmt"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/reported"
)

// kindWords says how the report carried the original.
var kindWords = map[reported.Kind]string{
	reported.KindRFC822: "attached message (.eml)",
	reported.KindMsg:    "attached Outlook message (.msg), read by mailtriage",
	reported.KindInline: "inline forward, reconstructed from the reporter's text",
	reported.KindARF:    "ARF feedback report (RFC 5965)",
}

// reportTab: who reported the original, what they said, and the report's
// own header fields. The reporter is a colleague, never a target.
func (m *Model) reportTab(pg *page) *layout {
	st := m.c.Styles
	r := pg.doc.report
	if r == nil {
		return &layout{lines: []string{m.heading("Report", ""), m.line(st.Muted.Render("this message is not a report: it carries no reported original"))}}
	}
	out := []string{m.heading("Report", "the other tabs show the reported original")}
	out = append(out, m.field("Reported by", r.reporter, st.Text)...)
	out = append(out, m.field("Report", r.subject, st.Text)...)
	out = append(out, m.field("Carried as", analysis.Plain(kindWords[r.kind]), st.Text)...)
	if r.reconstructed {
		out = append(out, m.noteText(analysis.Plain("⚠ reconstructed: the original's headers are partial (only what the forward quoted); authentication and hops cannot be trusted"), st.Warning)...)
	}
	if r.originals > 1 {
		out = append(out, m.noteText(analysis.Plain(fmt.Sprintf("the report carries %d messages; the first is shown", r.originals)), st.Muted)...)
	}
	for _, n := range r.notes {
		out = append(out, m.noteText(analysis.Concat(analysis.Plain("⚠ "), n), st.Warning)...)
	}
	out = append(out, m.field("Case", safe(r.caseKey), st.Muted)...)
	out = append(out, m.rule(), m.heading("Reporter's comment", ""))
	if r.comment.String() == "" {
		out = append(out, m.line(st.Muted.Render("(none)")))
	} else {
		for _, l := range r.comment.Lines() {
			out = append(out, m.wrapped(l, st.Text, 0)...)
		}
	}
	out = append(out, m.rule(), m.heading(fmt.Sprintf("Report headers (%d fields, sanitized)", len(r.headers)), ""))
	for _, h := range r.headers {
		line := analysis.Concat(h.name, analysis.Plain(": "), h.value)
		for i, l := range line.Wrap(m.inner() - 4) {
			indent := ""
			if i > 0 {
				indent = "    "
			}
			out = append(out, gutter+indent+m.textCell(l, l.Width(), st.Text))
		}
	}
	return &layout{lines: out}
}

// reportBanner is the Summary's first line for a report: this is the
// reported original, who reported it, and how much of it is real.
func (m *Model) reportBanner(r *reportInfo) []string {
	st := m.c.Styles
	text := analysis.Concat(analysis.Plain("Reported original · reported by "), r.reporter,
		analysis.Plain(" · "+kindWords[r.kind]))
	if r.reconstructed {
		text = analysis.Concat(text, analysis.Plain(" · reconstructed: headers are partial"))
	}
	text = analysis.Concat(text, analysis.Plain(" · o: the report as it came"))
	return m.wrapped(text, st.Warning, 0)
}
