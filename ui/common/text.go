package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

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

// Plain wraps trusted text (our own labels) as a Text.
func Plain(s string) analysis.Text {
	if s == "" {
		return analysis.Text{}
	}
	return analysis.Text{Segs: []analysis.Seg{{S: s}}}
}

// Wrap breaks one line of text into lines of at most width cells, at
// spaces where it can and inside words where it must. Markers are never
// split.
func Wrap(t analysis.Text, width int) []analysis.Text {
	if width <= 0 || t.Width() <= width {
		return []analysis.Text{t}
	}
	var lines []analysis.Text
	var cur analysis.Text
	curW := 0
	flush := func() {
		lines = append(lines, cur)
		cur, curW = analysis.Text{}, 0
	}
	place := func(seg analysis.Seg, w int) {
		if curW+w > width && curW > 0 {
			flush()
			if !seg.Marker {
				seg.S = strings.TrimLeft(seg.S, " ")
				w = ansi.StringWidth(seg.S)
			}
		}
		appendSeg(&cur, seg)
		curW += w
	}
	for _, s := range t.Segs {
		if s.Marker {
			place(s, ansi.StringWidth(s.S))
			continue
		}
		for _, word := range splitWords(s.S) {
			w := ansi.StringWidth(word)
			for w > width {
				// A word longer than a line: fill the line, carry the rest.
				room := width - curW
				if room <= 0 {
					flush()
					room = width
				}
				head := cutWidth(word, room)
				if head == "" {
					head = firstGrapheme(word)
				}
				appendSeg(&cur, analysis.Seg{S: head})
				curW += ansi.StringWidth(head)
				word = word[len(head):]
				w = ansi.StringWidth(word)
				flush()
			}
			if word != "" {
				place(analysis.Seg{S: word}, w)
			}
		}
	}
	if len(cur.Segs) > 0 || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// splitWords cuts s after each run of spaces, keeping the spaces with the
// word before them.
func splitWords(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}

func cutWidth(s string, width int) string {
	i := 0
	for i < len(s) {
		g, w := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		if w > width {
			break
		}
		width -= w
		i += len(g)
	}
	return s[:i]
}

func firstGrapheme(s string) string {
	g, _ := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
	return g
}

func appendSeg(t *analysis.Text, s analysis.Seg) {
	if s.Marker {
		t.Segs = append(t.Segs, s)
		t.Markers++
		return
	}
	if s.S == "" {
		return
	}
	if n := len(t.Segs); n > 0 && !t.Segs[n-1].Marker {
		t.Segs[n-1].S += s.S
		return
	}
	t.Segs = append(t.Segs, s)
}
