package message

import (
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
)

// summaryTab: who sent it and where replies and bounces go, the verdict
// strip of risk signals, what the analysis left out, then the body.
func (m *Model) summaryTab(pg *page) *layout {
	st := m.c.Styles
	d := pg.doc
	ev := d.ev
	var out []string
	if d.report != nil {
		out = append(out, m.reportBanner(d.report)...)
	}
	out = append(out, m.field("Subject", safe(ev.Subject), st.Bold)...)

	from := ev.From
	out = append(out, m.field("From", safe(addressLine(from)), st.Text)...)
	if from.Domain != "" {
		out = append(out, m.noteText(domainNote(from.Domain), st.Muted)...)
	}
	fromOrg := analysis.OrgDomain(from.Domain)
	if ev.ReplyTo.Address != "" {
		elsewhere := analysis.OrgDomain(ev.ReplyTo.Domain) != fromOrg
		out = append(out, m.field("Reply-To", safe(addressLine(ev.ReplyTo)), warnIf(st, elsewhere))...)
		if elsewhere {
			out = append(out, m.noteText(analysis.Concat(analysis.Plain("⚠ replies go to another domain than the sender's ("), safe(ev.ReplyTo.Domain), analysis.Plain(")")), st.Warning)...)
		}
	}
	if ev.ReturnPath != "" {
		rp := analysis.DomainOf(ev.ReturnPath)
		elsewhere := rp != "" && analysis.OrgDomain(rp) != fromOrg
		out = append(out, m.field("Return-Path", safe(ev.ReturnPath), warnIf(st, elsewhere))...)
		if elsewhere {
			out = append(out, m.noteText(analysis.Concat(analysis.Plain("⚠ bounces go to another domain than the sender's ("), safe(rp), analysis.Plain("): the envelope sender is not the From")), st.Warning)...)
		}
	}
	out = append(out, m.field("To", safe(orDash(ev.To)), st.Text)...)
	if ev.Cc != "" {
		out = append(out, m.field("Cc", safe(ev.Cc), st.Text)...)
	}
	out = append(out, m.field("Date", safe(orDash(ev.Date)), st.Text)...)
	out = append(out, m.stateLine(pg))

	out = append(out, m.rule())
	out = append(out, m.verdictLines(ev.Signals)...)
	if len(ev.Skipped) > 0 {
		out = append(out, m.heading("Not analysed", "(limits keep hostile messages cheap)"))
		for _, s := range ev.Skipped {
			out = append(out, m.wrapped(analysis.Concat(analysis.Plain("⚠ "+s.What+": "), safe(s.Reason)), st.Warning, 0)...)
		}
	}
	out = append(out, m.rule())
	out = append(out, m.bodyLines(pg)...)
	if len(d.warnings) > 0 {
		out = append(out, m.rule(), m.heading("Parser warnings", "(malformed structure is itself evidence)"))
		for _, w := range d.warnings {
			out = append(out, m.wrapped(w, st.Muted, 0)...)
		}
	}
	return &layout{lines: out}
}

func warnIf(st *themes.Styles, alert bool) themes.Paint {
	if alert {
		return st.Warning
	}
	return st.Text
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func addressLine(a analysis.Address) string {
	switch {
	case a.Name != "" && a.Address != "":
		return a.Name + " <" + a.Address + ">"
	case a.Address != "":
		return a.Address
	case a.Name != "":
		return a.Name + " (no address)"
	}
	return "—"
}

func domainNote(domain string) analysis.Text {
	t := analysis.Concat(analysis.Plain("domain "), safe(domain))
	if org := analysis.OrgDomain(domain); org != "" && org != domain {
		t = analysis.Concat(t, analysis.Plain(" · registrable "), safe(org))
	}
	return t
}

// stateLine says what the server knows about the message: size, read
// state, and whether we read all of it.
func (m *Model) stateLine(pg *page) string {
	st := m.c.Styles
	d := pg.doc
	parts := []string{humanBytes(d.size)}
	switch {
	case d.nested:
		parts = append(parts, "attached to the message above it (esc/q goes back)")
	case d.flags.Seen:
		parts = append(parts, "read")
	default:
		parts = append(parts, "unread (opening it did not change that)")
	}
	if d.flags.Flagged {
		parts = append(parts, "flagged")
	}
	if n := len(d.ev.Attachments); n > 0 {
		parts = append(parts, plural(n, "attachment", "attachments")+" (Attachments tab)")
	}
	line := st.Muted.Render(strings.Repeat(" ", labelWidth+1) + strings.Join(parts, " · "))
	if d.truncated {
		line += st.Warning.Render(" · only the first part was read (message larger than max_message_bytes)")
	}
	return m.line(line)
}

// verdictLines is the verdict strip: one line per risk signal, most
// serious first, with its reason.
func (m *Model) verdictLines(signals []analysis.Signal) []string {
	st := m.c.Styles
	if len(signals) == 0 {
		return []string{m.heading("Verdict", ""), m.line(st.Success.Render("no risk signal found") + st.Muted.Render(" — that is not a clean bill of health: read on"))}
	}
	count := map[analysis.Severity]int{}
	for _, s := range signals {
		count[s.Severity]++
	}
	var sum []string
	for _, sev := range []analysis.Severity{analysis.High, analysis.Medium, analysis.Low, analysis.Info} {
		if n := count[sev]; n > 0 {
			sum = append(sum, fmt.Sprintf("%d %s", n, sev))
		}
	}
	out := []string{m.heading("Verdict", strings.Join(sum, " · "))}
	for _, s := range signals {
		style := st.Muted
		switch s.Severity {
		case analysis.High:
			style = st.Danger
		case analysis.Medium:
			style = st.Warning
		case analysis.Low:
			style = st.Text
		}
		label := style.Render(fmt.Sprintf("%-6s", strings.ToUpper(string(s.Severity))))
		text := analysis.Concat(safe(s.Title), analysis.Plain(" — "), safe(s.Reason))
		out = append(out, gutter+label+" "+m.textCell(text, m.inner()-7, style))
	}
	return out
}

func (m *Model) bodyLines(pg *page) []string {
	st := m.c.Styles
	d := pg.doc
	body, which := d.text, "text part"
	if pg.html {
		body, which = d.html, "HTML part as text: links show their real target, nothing was loaded"
	}
	var out []string
	if len(d.html.Segs) > 0 && len(d.text.Segs) > 0 {
		other := "HTML"
		if pg.html {
			other = "text"
		}
		out = append(out, m.line(st.Muted.Render(fmt.Sprintf("[%s · v: %s part]", which, other))))
	} else if pg.html {
		out = append(out, m.line(st.Muted.Render("["+which+"]")))
	}
	if len(body.Segs) == 0 {
		return append(out, m.line(st.Muted.Render("(no body text)")))
	}
	for _, l := range body.Lines() {
		out = append(out, m.wrapped(l, st.Text, 0)...)
	}
	return out
}
