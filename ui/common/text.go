package common

import (
	"strings"

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
