package mimecast

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
	"github.com/mailtriage/mailtriage/ui/session"
)

// confirm is the shared question (components.Confirm) drawn at the
// bottom of the screen.
type confirm struct{ q *components.Confirm }

func (c *confirm) key(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd) { return c.q.Key(msg) }

func (c *confirm) lines(cm *session.Session, w int) []string {
	st := cm.Styles
	out := []string{st.Border.Render(strings.Repeat("─", w))}
	for _, l := range c.q.Lines(st) {
		out = append(out, common.PadRight(ansi.Truncate(l, w, "…"), w))
	}
	return out
}

// detail is a scrollable page of label/value lines about one item (a
// policy, a tracked message, an archived message). Labels, values and
// headings are often server text (header names, attachment names,
// recipients), so rows hold them sanitized: add and section are the only
// ways in, and nothing raw is kept to be drawn.
type detail struct {
	title string // sanitized when drawn
	rows  []detailRow
	top   int
}

type detailRow struct {
	label   analysis.Text // empty for a continuation or a plain line
	value   analysis.Text
	section bool // a heading
}

func (d *detail) add(label, value string) {
	d.rows = append(d.rows, detailRow{label: analysis.SanitizeLine(label), value: analysis.SanitizeLine(value)})
}

// addIf adds the row only when value says something.
func (d *detail) addIf(label, value string) {
	if strings.TrimSpace(value) != "" {
		d.add(label, value)
	}
}

func (d *detail) section(title string) {
	d.rows = append(d.rows, detailRow{value: analysis.SanitizeLine(title), section: true})
}

// addText adds multi-line server text line by line.
func (d *detail) addText(label, text string) {
	for i, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if i > 0 {
			label = ""
		}
		d.add(label, l)
	}
}

func (d *detail) scroll(delta, visible int) {
	d.top = clamp(d.top+delta, 0, max(len(d.rows)-visible, 0))
}

func (d *detail) lines(c *session.Session, w, h int) []string {
	st := c.Styles
	out := []string{common.Cell(analysis.SanitizeLine(" "+d.title), w, st.Title, st.Marker)}
	labelW := 0
	for _, r := range d.rows {
		labelW = max(labelW, r.label.Width())
	}
	labelW = min(labelW, 22)
	d.scroll(0, h-2)
	for i := d.top; i < len(d.rows) && len(out) < h-1; i++ {
		r := d.rows[i]
		if r.section {
			out = append(out, " "+common.Cell(r.value, w-1, st.Accent, st.Marker))
			continue
		}
		label := st.Muted.Render("   ") + common.Cell(r.label, labelW, st.Muted, st.Marker) + st.Muted.Render("  ")
		out = append(out, label+common.Cell(r.value, max(w-labelW-5, 1), st.Text, st.Marker))
	}
	for len(out) < h-1 {
		out = append(out, "")
	}
	more := ""
	if len(d.rows) > h-2 {
		more = "  j/k scroll"
	}
	return append(out, common.PadRight(" "+st.Muted.Render("esc back"+more), w))
}
