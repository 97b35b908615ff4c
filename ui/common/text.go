package common

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
)

// Render draws sanitized text: plain segments in base, markers in the
// theme's marker style so the analyst sees where something was hidden.
func Render(t analysis.Text, base, marker themes.Paint) string {
	if len(t.Segs) == 1 && !t.Segs[0].Marker {
		return base.Render(t.Segs[0].S)
	}
	var b strings.Builder
	for _, s := range t.Segs {
		if s.Marker {
			b.WriteString(marker.Render(s.S))
		} else {
			b.WriteString(base.Render(s.S))
		}
	}
	return b.String()
}

// Cell renders t cut or padded to exactly width cells.
func Cell(t analysis.Text, width int, base, marker themes.Paint) string {
	if width <= 0 {
		return ""
	}
	t = t.Truncate(width, "…")
	out := Render(t, base, marker)
	if pad := width - t.Width(); pad > 0 {
		out += base.Render(strings.Repeat(" ", pad))
	}
	return out
}

// EditLine draws a text input as the analyst edits it. The input keeps
// the real value (what is saved and sent back); what is drawn is that
// value sanitized, so a hidden character shows as its marker, the cursor
// can sit on it (shown in reverse) and delete removes the character
// itself. The input's own View would draw the value as it is: never use
// it for a value that came from a mail, a server or a gateway.
func EditLine(ti textinput.Model, width int, st *themes.Styles) string {
	prompt := analysis.SanitizeLine(ti.Prompt)
	room := width - prompt.Width()
	if room < 2 {
		return Cell(prompt, width, st.Text, st.Marker)
	}
	out := Render(prompt, st.Text, st.Marker)
	value := []rune(ti.Value())
	if len(value) == 0 && !ti.Focused() {
		return out + Cell(analysis.SanitizeLine(ti.Placeholder), room, st.Muted, st.Marker)
	}
	if !ti.Focused() {
		return out + Cell(analysis.SanitizeLine(string(value)), room, st.Text, st.Marker)
	}
	pos := min(max(ti.Position(), 0), len(value))
	under := " "
	after := ""
	if pos < len(value) {
		under, after = string(value[pos]), string(value[pos+1:])
	}
	cursor := analysis.SanitizeLine(under)
	before := tailFitting(value[:pos], room-cursor.Width())
	rest := max(room-before.Width()-cursor.Width(), 0)
	reverse := st.Text.With(func(s lipgloss.Style) lipgloss.Style { return s.Reverse(true) })
	return out + Render(before, st.Text, st.Marker) + Render(cursor, reverse, reverse) +
		Cell(analysis.SanitizeLine(after), rest, st.Text, st.Marker)
}

// tailFitting sanitizes the end of runes that fits in width cells (the
// text before the cursor, which scrolls left as the analyst types).
func tailFitting(runes []rune, width int) analysis.Text {
	if width <= 0 {
		return analysis.Text{}
	}
	if t := analysis.SanitizeLine(string(runes)); t.Width() <= width {
		return t
	}
	// The shortest cut that fits: a marker is wider than the rune it
	// stands for, so search on the sanitized width.
	lo, hi := 1, len(runes)
	for lo < hi {
		mid := (lo + hi) / 2
		if analysis.SanitizeLine(string(runes[mid:])).Width() <= width {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return analysis.SanitizeLine(string(runes[lo:])).Truncate(width, "")
}

// SteadyInput is a text input whose cursor does not blink: over SSH every
// blink is a redraw, and a steady cursor is as easy to find.
func SteadyInput() textinput.Model {
	ti := textinput.New()
	st := ti.Styles()
	st.Cursor.Blink = false
	ti.SetStyles(st)
	return ti
}

// SplitList splits a comma-separated list the analyst typed, trimming
// each item and dropping empty ones.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
