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
// policy, a tracked message, an archived message). Values are server text
// and are sanitized when drawn.
type detail struct {
	title string
	rows  []detailRow
	top   int
}

type detailRow struct {
	label   string // "" for a continuation or a plain line
	value   string
	section bool // a heading
}

func (d *detail) add(label, value string) {
	d.rows = append(d.rows, detailRow{label: label, value: value})
}

// addIf adds the row only when value says something.
func (d *detail) addIf(label, value string) {
	if strings.TrimSpace(value) != "" {
		d.add(label, value)
	}
}

func (d *detail) section(title string) {
	d.rows = append(d.rows, detailRow{value: title, section: true})
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
		labelW = max(labelW, len(r.label))
	}
	labelW = min(labelW, 22)
	d.scroll(0, h-2)
	for i := d.top; i < len(d.rows) && len(out) < h-1; i++ {
		r := d.rows[i]
		if r.section {
			out = append(out, common.PadRight(" "+st.Accent.Render(r.value), w))
			continue
		}
		label := "   " + common.PadRight(r.label, labelW) + "  "
		out = append(out, st.Muted.Render(label)+common.Cell(analysis.SanitizeLine(r.value), max(w-len([]rune(label)), 1), st.Text, st.Marker))
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
