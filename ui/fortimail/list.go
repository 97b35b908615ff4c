package fortimail

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

// cursor is a position in a list and the first row shown, so that only
// the visible window is drawn however long the list is.
type cursor struct{ pos, top int }

func (c *cursor) clamp(n int) {
	c.pos = max(min(c.pos, n-1), 0)
}

// window returns the rows [from, to) to draw in h lines, scrolling just
// enough to keep the cursor in view.
func (c *cursor) window(n, h int) (from, to int) {
	c.clamp(n)
	h = max(h, 1)
	if c.pos < c.top {
		c.top = c.pos
	}
	if c.pos >= c.top+h {
		c.top = c.pos - h + 1
	}
	c.top = max(min(c.top, n-h), 0)
	return c.top, min(c.top+h, n)
}

// navigate moves c on a list of n rows for the movement keys; it reports
// whether k was one of them.
func (m *Model) navigate(k tea.KeyPressMsg, c *cursor, n int) bool {
	page := max(m.height-4, 1)
	switch {
	case key.Matches(k, m.keys.Up):
		c.pos--
	case key.Matches(k, m.keys.Down):
		c.pos++
	case key.Matches(k, m.keys.PageUp):
		c.pos -= page
	case key.Matches(k, m.keys.PageDown):
		c.pos += page
	case key.Matches(k, m.keys.Top):
		c.pos = 0
	case key.Matches(k, m.keys.Bottom):
		c.pos = n - 1
	default:
		return false
	}
	c.clamp(n)
	return true
}

// column is one cell of a table row; w <= 0 takes what is left.
type column struct {
	t analysis.Text
	w int
}

// txt sanitizes server text for drawing.
func txt(s string) analysis.Text { return analysis.SanitizeLine(s) }

// plain is our own text (no sanitizing needed, but drawn the same way).
func plain(s string) analysis.Text { return analysis.Plain(s) }

// row draws a table row exactly w cells wide.
func (m *Model) row(cols []column, selected bool) string {
	st := m.c.Styles
	base := st.Text
	if selected {
		base = st.Selected
		// The lead column marks the cursor, for terminals without colour.
		if len(cols) > 0 && cols[0].w == 1 {
			cols[0].t = plain("›")
		}
	}
	return rowIn(cols, m.width, base, st.Marker)
}

func rowIn(cols []column, w int, base, marker themes.Paint) string {
	var b strings.Builder
	used := 0
	for i, c := range cols {
		cw := c.w
		if cw <= 0 || i == len(cols)-1 {
			cw = w - used
			if c.w > 0 {
				cw = min(c.w, cw)
			}
		}
		cw = min(cw, w-used)
		if cw <= 0 {
			break
		}
		b.WriteString(common.Cell(c.t, cw, base, marker))
		used += cw
		if used < w && i < len(cols)-1 {
			b.WriteString(base.Render(" "))
			used++
		}
	}
	if used < w {
		b.WriteString(base.Render(strings.Repeat(" ", w-used)))
	}
	return b.String()
}

// header draws column titles.
func (m *Model) header(cols []column) string {
	return rowIn(cols, m.width, m.c.Styles.Header, m.c.Styles.Marker)
}

// table draws rows [from, to) of a list in h lines, with the cursor's row
// highlighted; empty says what an empty list means.
func (m *Model) table(h int, c *cursor, n int, empty string, draw func(i int, selected bool) string) []string {
	if n == 0 {
		return []string{m.c.Styles.Muted.Render(" " + empty)}
	}
	from, to := c.window(n, h)
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, draw(i, i == c.pos))
	}
	return out
}
