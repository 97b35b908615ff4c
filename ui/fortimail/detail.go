package fortimail

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// detailLines draws an object's modelled fields under their group
// headings, label and value side by side. extra counts the settings kept
// but not modelled, so the analyst knows they exist.
func (m *Model) detailLines(fields []bfm.Field, get func(name string) (any, bool), extra int) []string {
	st := m.c.Styles
	w := m.width
	labelW, _ := columns(w)
	group := "\x00"
	var out []string
	for _, f := range fields {
		if f.Group != group {
			group = f.Group
			name := group
			if name == "" {
				name = "General"
			}
			if len(out) > 0 {
				out = append(out, "")
			}
			out = append(out, st.Header.Render(" "+name))
		}
		v, ok := get(f.Name)
		shown := "(not set)"
		if ok {
			shown = showValue(f, v)
		}
		out = append(out, rowIn([]column{{plain(""), 2}, {txt(f.Label), labelW + 1}, {txt(shown), 0}}, w, st.Text, st.Marker))
	}
	if extra > 0 {
		out = append(out, "", st.Muted.Render(fmt.Sprintf("   + %d more settings the console does not edit; updates leave them as they are", extra)))
	}
	return out
}

// showValue renders a field's value for the detail view.
func showValue(f bfm.Field, v any) string {
	if b, ok := v.(bool); ok {
		if b {
			return "enabled"
		}
		return "disabled"
	}
	if s, ok := v.(string); ok && s == "" && len(f.Choices) == 0 {
		return "—"
	}
	return f.Show(v)
}

// scroller is the first line shown of a detail view.
type scroller struct{ top int }

func (s *scroller) key(m *Model, k tea.KeyPressMsg, n, h int) bool {
	page := max(h-1, 1)
	switch {
	case key.Matches(k, m.keys.Up):
		s.top--
	case key.Matches(k, m.keys.Down):
		s.top++
	case key.Matches(k, m.keys.PageUp):
		s.top -= page
	case key.Matches(k, m.keys.PageDown):
		s.top += page
	case key.Matches(k, m.keys.Top):
		s.top = 0
	case key.Matches(k, m.keys.Bottom):
		s.top = n
	default:
		return false
	}
	s.top = max(min(s.top, n-h), 0)
	return true
}

func (s *scroller) window(lines []string, h int) []string {
	s.top = max(min(s.top, len(lines)-h), 0)
	return lines[s.top:min(s.top+h, len(lines))]
}

// bodyHeight is the lines a tab has under the tab bar and crumbs.
func (m *Model) bodyHeight() int { return max(m.height-2, 1) }

// loadingLine and errorLine are what a view shows before its data.
func (m *Model) loadingLine(what string) string {
	return m.c.Styles.Muted.Render(" " + m.spin.View() + " loading " + what + "…")
}

func (m *Model) errorLines(what string, err error) []string {
	st := m.c.Styles
	return []string{
		common.Cell(txt(" could not load "+what+": "+err.Error()), m.width, st.Danger, st.Marker),
		st.Muted.Render(" " + m.keys.Reload.Help().Key + " tries again"),
	}
}
