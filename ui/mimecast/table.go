package mimecast

import (
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

// column is one table column. A flex column takes the width the others
// leave; a column with hideBelow is dropped on terminals narrower than
// that, so an 80-column terminal keeps the columns that matter.
type column struct {
	title     string
	width     int
	flex      bool
	hideBelow int
}

// table is a list of rows of server text with a cursor. Cells hold the
// server's strings as they came; they are sanitized when drawn, and only
// the rows on screen are drawn.
type table struct {
	cols   []column
	rows   [][]string
	cursor int
	top    int
}

func (t *table) setRows(rows [][]string) {
	t.rows = rows
	t.cursor = clamp(t.cursor, 0, max(len(rows)-1, 0))
}

func (t *table) move(delta, visible int) {
	t.cursor = clamp(t.cursor+delta, 0, max(len(t.rows)-1, 0))
	t.scroll(visible)
}

func (t *table) scroll(visible int) {
	visible = max(visible, 1)
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+visible {
		t.top = t.cursor - visible + 1
	}
	t.top = clamp(t.top, 0, max(len(t.rows)-visible, 0))
}

// widths lays the columns out in w cells; hidden columns get 0.
func (t *table) widths(w int) []int {
	out := make([]int, len(t.cols))
	used, flex, shown := 0, -1, 0
	for i, c := range t.cols {
		if c.hideBelow > 0 && w < c.hideBelow {
			continue
		}
		shown++
		if c.flex {
			flex = i
			continue
		}
		out[i] = c.width
		used += c.width
	}
	used += max(shown-1, 0) // one space between columns
	if flex >= 0 {
		out[flex] = max(w-used, 8)
	}
	return out
}

// render draws the header and h-1 rows, each exactly w wide.
func (t *table) render(c *session.Session, w, h int, empty string) []string {
	st := c.Styles
	ws := t.widths(w)
	out := make([]string, 0, h)
	var head []string
	for i, col := range t.cols {
		if ws[i] > 0 {
			head = append(head, common.PadRight(col.title, ws[i]))
		}
	}
	out = append(out, st.Header.Render(common.PadRight(strings.Join(head, " "), w)))
	visible := h - 1
	t.scroll(visible)
	if len(t.rows) == 0 && empty != "" && visible > 0 {
		out = append(out, st.Muted.Render(common.PadRight(" "+empty, w)))
	}
	for r := t.top; r < len(t.rows) && len(out) < h; r++ {
		base := st.Text
		if r == t.cursor {
			base = st.Selected
		}
		var cells []string
		for i, cell := range t.rows[r] {
			if i >= len(ws) || ws[i] == 0 {
				continue
			}
			cells = append(cells, common.Cell(analysis.SanitizeLine(cell), ws[i], base, st.Marker))
		}
		out = append(out, common.PadRight(strings.Join(cells, base.Render(" ")), w))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out[:h]
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
