package message

import (
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
)

var rewriterName = map[string]string{
	"safelinks": "Microsoft SafeLinks", "proofpoint": "Proofpoint URL Defense",
	"mimecast": "Mimecast URL Protect", "google_redirect": "Google redirect",
}

// urlsTab: every distinct URL, defanged, with where it was found, the
// text the reader saw, its registrable domain in ASCII and Unicode form,
// and what a gateway's rewriting wraps. Nothing is fetched or resolved.
func (m *Model) urlsTab(pg *page) *layout {
	st := m.c.Styles
	urls := pg.doc.ev.URLs
	lay := &layout{lines: []string{m.heading(fmt.Sprintf("URLs (%d)", len(urls)), "shown defanged · y copies defanged, Y copies the live URL · nothing was fetched")}}
	if len(urls) == 0 {
		lay.lines = append(lay.lines, m.line(st.Muted.Render("no URL in the bodies or the header")))
		return lay
	}
	const ind = 5
	for i, u := range urls {
		start := len(lay.lines)
		style := st.Text
		if u.TextMismatch != "" || u.Hidden || u.Userinfo {
			style = st.Warning
		}
		where := strings.Join(u.Where, ", ")
		if u.Count > 1 {
			where += fmt.Sprintf(" ×%d", u.Count)
		}
		num := st.Muted.Render(fmt.Sprintf("%3d  ", i+1))
		lines := safe(u.Defanged).Wrap(max(m.inner()-ind, 10))
		for j, l := range lines {
			if j == 0 {
				lay.lines = append(lay.lines, gutter+num+m.textCell(l, l.Width(), style))
				continue
			}
			lay.lines = append(lay.lines, gutter+strings.Repeat(" ", ind)+m.textCell(l, l.Width(), style))
		}
		detail := "found in " + where
		if u.Domain != "" {
			detail += " · domain " + u.Domain
		}
		if u.Host != "" && u.Host != u.Domain {
			detail += " · host " + u.Host
		}
		if u.IsIP {
			detail += " · a bare IP address"
		}
		lay.lines = append(lay.lines, m.wrapped(safe(detail), st.Muted, ind)...)
		if u.HostUnicode != "" && u.HostUnicode != u.Host {
			lay.lines = append(lay.lines, m.wrapped(analysis.Concat(analysis.Plain("⚠ international name: shown as "), safe(u.HostUnicode), analysis.Plain(" · really "), safe(u.Host)), st.Warning, ind)...)
		}
		for _, t := range u.Texts {
			lay.lines = append(lay.lines, m.wrapped(analysis.Concat(analysis.Plain("link text “"), safe(t), analysis.Plain("”")), st.Text, ind)...)
		}
		if u.TextMismatch != "" {
			lay.lines = append(lay.lines, m.wrapped(analysis.Concat(analysis.Plain("⚠ the text names "), safe(u.TextMismatch), analysis.Plain(" but the link goes to "), safe(orDash(u.Domain))), st.Warning, ind)...)
		}
		if w := u.Wrapped; w != nil {
			via := make([]string, len(w.Via))
			for k, v := range w.Via {
				via[k] = rewriterName[v]
				if via[k] == "" {
					via[k] = v
				}
			}
			switch {
			case w.Original != "":
				lay.lines = append(lay.lines, m.wrapped(analysis.Concat(analysis.Plain("unwrapped ("+strings.Join(via, " → ")+"): "), safe(analysis.Defang(w.Original)), analysis.Plain(" · domain "), safe(orDash(w.OriginalDomain))), st.Accent, ind)...)
			case w.NeedsAPIDecode:
				hint := ""
				if w.DomainHint != "" {
					hint = " (it names the domain " + w.DomainHint + ")"
				}
				lay.lines = append(lay.lines, m.wrapped(safe("wrapped by "+strings.Join(via, " → ")+": only the gateway's decode-url API knows the original"+hint), st.Muted, ind)...)
			default:
				lay.lines = append(lay.lines, m.wrapped(safe("wrapped by "+strings.Join(via, " → ")), st.Muted, ind)...)
			}
		}
		if u.Hidden {
			lay.lines = append(lay.lines, m.wrapped(analysis.Plain("⚠ in an element the reader does not see"), st.Warning, ind)...)
		}
		if u.Userinfo {
			lay.lines = append(lay.lines, m.wrapped(analysis.Plain("⚠ user@host form: what stands before the @ is not where it goes"), st.Warning, ind)...)
		}
		lay.items = append(lay.items, span{start: start, n: len(lay.lines) - start})
	}
	return lay
}
