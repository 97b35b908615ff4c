package message

import (
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
)

var attachFlagText = map[string]string{
	analysis.AttachExecutable:    "runs when opened",
	analysis.AttachMacros:        "carries VBA macros",
	analysis.AttachMacroCapable:  "a type that can carry macros",
	analysis.AttachArchive:       "an archive",
	analysis.AttachEncrypted:     "password-protected: no scanner could look inside",
	analysis.AttachDiskImage:     "a disk image (bypasses mark-of-the-web)",
	analysis.AttachMismatch:      "the extension does not match the content",
	analysis.AttachDoubleExt:     "double extension",
	analysis.AttachBidiName:      "the name reorders itself (bidi controls)",
	analysis.AttachHiddenChars:   "the name hides characters",
	analysis.AttachNestedMessage: "an attached message: enter opens it",
	analysis.AttachActiveContent: "active content (scripts, actions, objects)",
	analysis.AttachDangerInside:  "holds a dangerous file",
}

// maxEntries is how much of an archive listing is shown per attachment.
const maxEntries = 10

// attachmentsTab: each attachment with its declared and sniffed type,
// size, hashes and what makes it dangerous. Nothing is opened; s saves
// one to a file on request, enter opens an attached message.
func (m *Model) attachmentsTab(pg *page) *layout {
	st := m.c.Styles
	atts := pg.doc.ev.Attachments
	lay := &layout{lines: []string{m.heading(fmt.Sprintf("Attachments (%d)", len(atts)), "s saves the one under the cursor to a file · enter opens an attached message · nothing is opened")}}
	if len(atts) == 0 {
		lay.lines = append(lay.lines, m.line(st.Muted.Render("no attachments")))
		return lay
	}
	const ind = 5
	for i, a := range atts {
		start := len(lay.lines)
		style := st.Text
		if len(a.Flags) > 0 {
			style = st.Warning
		}
		if a.HasFlag(analysis.AttachExecutable) || a.HasFlag(analysis.AttachMacros) || a.HasFlag(analysis.AttachDangerInside) || a.HasFlag(analysis.AttachActiveContent) {
			style = st.Danger
		}
		name := a.Name
		if name == "" {
			name = "(no name)"
		}
		head := gutter + st.Muted.Render(fmt.Sprintf("%3d  ", i+1)) + m.cell(name, max(m.inner()-ind-10, 10), style) + st.Text.Render(fmt.Sprintf("%10s", humanBytes(int64(a.Size))))
		lay.lines = append(lay.lines, head)
		typ := "declared " + orDash(a.DeclaredType)
		if a.SniffedType != "" {
			typ += " · looks like " + a.SniffedType
		}
		if a.Disposition != "" {
			typ += " · " + a.Disposition
		}
		lay.lines = append(lay.lines, m.wrapped(safe(typ), st.Muted, ind)...)
		for _, h := range [][2]string{{"MD5", a.MD5}, {"SHA-1", a.SHA1}, {"SHA-256", a.SHA256}} {
			lay.lines = append(lay.lines, gutter+strings.Repeat(" ", ind)+st.Muted.Render(fmt.Sprintf("%-8s", h[0]))+m.cell(h[1], max(m.inner()-ind-8, 10), st.Text))
		}
		if len(a.Flags) > 0 {
			why := make([]string, len(a.Flags))
			for k, f := range a.Flags {
				why[k] = attachFlagText[f]
				if why[k] == "" {
					why[k] = f
				}
			}
			lay.lines = append(lay.lines, m.wrapped(safe("⚠ "+strings.Join(why, " · ")), style, ind)...)
		}
		if n := len(a.Entries); n > 0 {
			shown := a.Entries[:min(n, maxEntries)]
			text := fmt.Sprintf("contains (%d): %s", n, strings.Join(shown, ", "))
			if n > maxEntries {
				text += ", …"
			}
			lay.lines = append(lay.lines, m.wrapped(safe(text), st.Text, ind)...)
		}
		lay.items = append(lay.items, span{start: start, n: len(lay.lines) - start})
	}
	return lay
}
