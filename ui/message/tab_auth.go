package message

import (
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
)

// authTab: the verdicts of the receiving servers (nothing is verified
// here), each DKIM signature, ARC, Received-SPF, and the alignment of the
// From domain with MAIL FROM and every DKIM d=.
func (m *Model) authTab(pg *page) *layout {
	st := m.c.Styles
	a := pg.doc.ev.Auth
	var out []string
	out = append(out, m.heading("Authentication", "verdicts of the receiving servers; nothing is re-checked here"))

	spf := []string{}
	if a.SPF.MailFrom != "" {
		spf = append(spf, "mail from "+a.SPF.MailFrom)
	}
	if a.SPF.Domain != "" {
		spf = append(spf, "domain "+a.SPF.Domain)
	}
	if a.SPF.Helo != "" {
		spf = append(spf, "helo "+a.SPF.Helo)
	}
	if a.SPF.ClientIP != "" {
		spf = append(spf, "client "+a.SPF.ClientIP)
	}
	if a.SPF.Source != "" {
		spf = append(spf, "from "+a.SPF.Source)
	}
	out = append(out, m.resultLine("SPF", a.SPF.Result, strings.Join(spf, " · "))...)

	if len(a.DKIM) == 0 {
		out = append(out, m.resultLine("DKIM", "", "no signature")...)
	}
	for i, k := range a.DKIM {
		label := ""
		if i == 0 {
			label = "DKIM"
		}
		if !k.Signed && k.Domain == "" {
			out = append(out, m.resultLine(label, k.Result, "no signature in the header")...)
			continue
		}
		detail := []string{"d=" + orDash(k.Domain)}
		if k.Selector != "" {
			detail = append(detail, "s="+k.Selector)
		}
		if k.Algorithm != "" {
			detail = append(detail, "a="+k.Algorithm)
		}
		if k.Identity != "" {
			detail = append(detail, "i="+k.Identity)
		}
		if !k.Signed {
			detail = append(detail, "(a verdict without a signature in the header)")
		}
		out = append(out, m.resultLine(label, k.Result, strings.Join(detail, "  "))...)
	}

	dmarc := ""
	if a.DMARC.HeaderFrom != "" {
		dmarc = "header.from " + a.DMARC.HeaderFrom
	}
	out = append(out, m.resultLine("DMARC", a.DMARC.Result, dmarc)...)

	arc := a.ARC
	if arc.Sets == 0 {
		out = append(out, m.resultLine("ARC", "", "no ARC headers")...)
	} else {
		structure := "structure ok"
		if !arc.Structural {
			structure = "structure broken"
		}
		detail := fmt.Sprintf("%d set(s) · chain cv=%s · %s (signatures not checked)", arc.Sets, orDash(arc.Chain), structure)
		out = append(out, m.resultLine("ARC", arc.Result, detail)...)
		for _, s := range arc.Instances {
			line := fmt.Sprintf("i=%d cv=%s d=%s authserv %s  %s", s.Instance, orDash(s.CV), orDash(s.Domain), orDash(s.AuthServID), s.Results)
			out = append(out, m.wrapped(safe(line), st.Muted, labelWidth+1)...)
		}
		for _, p := range arc.Problems {
			out = append(out, m.wrapped(analysis.Concat(analysis.Plain("⚠ "), safe(p)), st.Warning, labelWidth+1)...)
		}
	}
	if len(pg.doc.receivedSPF) == 0 {
		out = append(out, m.field("Received-SPF", analysis.Plain("—"), st.Muted)...)
	}
	for i, r := range pg.doc.receivedSPF {
		label := ""
		if i == 0 {
			label = "Received-SPF"
		}
		out = append(out, m.field(label, r, st.Text)...)
	}

	out = append(out, m.rule(), m.heading("Alignment", "From domain against MAIL FROM and each DKIM d=, by registrable domain (relaxed)"))
	out = append(out, m.alignmentTable(a.Alignment)...)

	out = append(out, m.rule(), m.heading("Authentication-Results", "every field, topmost (newest) first; only trusted servers' verdicts count"))
	if len(a.Fields) == 0 {
		out = append(out, m.line(st.Muted.Render("none: no server recorded a verdict")))
	}
	for _, f := range a.Fields {
		trust := st.Success.Render("trusted")
		if !f.Trusted {
			trust = st.Warning.Render("ignored (not our server)")
		}
		head := gutter + m.cell(f.AuthServID, 28, st.Bold) + " " + trust
		out = append(out, head)
		if f.Results != "" {
			out = append(out, m.wrapped(safe(f.Results), st.Text, 4)...)
		}
		if f.Error != "" {
			out = append(out, m.wrapped(analysis.Concat(analysis.Plain("⚠ unparsed: "), safe(f.Error)), st.Warning, 4)...)
		}
	}
	return &layout{lines: out}
}

// resultLine is "SPF  pass  details".
func (m *Model) resultLine(label, result, detail string) []string {
	st := m.c.Styles
	res := result
	if res == "" {
		res = "none"
	}
	head := gutter + st.Muted.Render(fmt.Sprintf("%-*s", labelWidth, label)) + " " + m.cell(res, 11, m.verdict(result)) + " "
	lines := safe(detail).Wrap(max(m.inner()-labelWidth-13, 10))
	out := make([]string, 0, len(lines))
	for i, l := range lines {
		if i == 0 {
			out = append(out, head+renderText(m, l))
			continue
		}
		out = append(out, gutter+strings.Repeat(" ", labelWidth+13)+renderText(m, l))
	}
	if len(out) == 0 {
		out = append(out, head)
	}
	return out
}

func renderText(m *Model, t analysis.Text) string {
	return m.textCell(t, t.Width(), m.c.Styles.Text)
}

var alignSource = map[string]string{"header_from": "From header", "mail_from": "MAIL FROM", "dkim": "DKIM d="}

func (m *Model) alignmentTable(rows []analysis.AlignmentRow) []string {
	st := m.c.Styles
	if len(rows) == 0 {
		return []string{m.line(st.Muted.Render("nothing to compare: no From domain"))}
	}
	dw := clampInt((m.inner()-12-10-10)/2, 12, 40)
	out := []string{gutter + st.Header.Render(fmt.Sprintf("%-12s%-*s%-*s%-10s%s", "identifier", dw, "domain", dw, "registrable", "result", "aligned"))}
	for _, r := range rows {
		src := alignSource[r.Source]
		if src == "" {
			src = r.Source
		}
		aligned := st.Success.Render("yes")
		switch {
		case r.Source == "header_from":
			aligned = st.Muted.Render("—")
		case !r.Aligned:
			aligned = st.Danger.Render("NO")
		}
		out = append(out, gutter+st.Text.Render(fmt.Sprintf("%-12s", src))+m.cell(r.Domain, dw, st.Text)+m.cell(r.OrgDomain, dw, st.Muted)+m.cell(orDash(r.Result), 10, m.verdict(r.Result))+aligned)
	}
	return out
}
