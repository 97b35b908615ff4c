package mailbox

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// View draws the sidebar and the list side by side.
func (m *Model) View() tea.View {
	return tea.NewView(m.Render())
}

// Render returns the screen as a string of exactly height lines.
func (m *Model) Render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	sw := m.sidebarWidth()
	if sw == 0 && m.focus == paneFolders {
		// Too narrow for two panes: the folder list takes the screen.
		return strings.Join(m.renderSidebar(m.width), "\n")
	}
	var side []string
	if sw > 0 {
		side = m.renderSidebar(sw - 1)
	}
	list := m.renderList(m.width - sw)
	var b strings.Builder
	sep := m.c.Styles.Border.Render("│")
	for i := 0; i < m.height; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if sw > 0 {
			b.WriteString(side[i])
			b.WriteString(sep)
		}
		b.WriteString(list[i])
	}
	return b.String()
}

// sidebarWidth is 0 when the terminal is too narrow to spare it (the
// folders pane then replaces the list while focused).
func (m *Model) sidebarWidth() int {
	if m.width < 60 {
		return 0
	}
	return clamp(m.width/6, 18, 30)
}

func (m *Model) inSidebar(x int) bool { return x < m.sidebarWidth() }

// listRows is how many message rows fit below the column header.
func (m *Model) listRows() int { return max(m.height-1, 1) }

func (m *Model) clampFolders() {
	n := len(m.folders)
	m.folderCursor = clamp(m.folderCursor, 0, max(n-1, 0))
	rows := max(m.height-1, 1)
	if m.folderCursor < m.folderTop {
		m.folderTop = m.folderCursor
	}
	if m.folderCursor >= m.folderTop+rows {
		m.folderTop = m.folderCursor - rows + 1
	}
	m.folderTop = clamp(m.folderTop, 0, max(n-rows, 0))
}

func (m *Model) moveFolderCursor(delta int) {
	m.folderCursor += delta
	m.clampFolders()
}

func (m *Model) renderSidebar(w int) []string {
	st := m.c.Styles
	lines := make([]string, m.height)
	title := "Folders"
	titleStyle := st.Title
	if m.focus == paneFolders {
		titleStyle = st.FocusBar
	}
	lines[0] = common.PadRight(titleStyle.Render(title), w)
	for i := 1; i < m.height; i++ {
		idx := m.folderTop + i - 1
		if idx >= len(m.folders) {
			lines[i] = strings.Repeat(" ", w)
			continue
		}
		lines[i] = m.folderLine(m.folders[idx], idx, w)
	}
	return lines
}

func (m *Model) folderLine(f mail.Folder, idx, w int) string {
	st := m.c.Styles
	path := f.Path()
	indent := strings.Repeat("  ", len(path)-1)
	name := analysis.SanitizeLine(path[len(path)-1])
	if f.Role != mail.RoleNone && f.Role != mail.RoleInbox && !strings.Contains(strings.ToLower(name.String()), string(f.Role)) {
		name = analysis.Concat(name, analysis.Plain(" ("+string(f.Role)+")"))
	}
	count := ""
	if f.Status.Known {
		count = fmt.Sprint(f.Status.Messages)
		if f.Status.Unseen > 0 {
			count = fmt.Sprintf("%d/%d", f.Status.Unseen, f.Status.Messages)
		}
	}
	base := st.Text
	if f.Status.Unseen > 0 {
		base = st.Unread
	}
	if f.NoSelect {
		base = st.Muted
	}
	if m.open != nil && f.Name == m.open.name {
		base = st.Accent
	}
	selected := idx == m.folderCursor && m.focus == paneFolders
	if selected {
		base = st.Selected
	}
	nameW := max(w-len(indent)-len(count)-1, 1)
	line := base.Render(indent) + common.Cell(name, nameW, base, st.Marker) + base.Render(" ")
	countStyle := st.Muted
	if selected {
		countStyle = st.Selected
	}
	return line + countStyle.Render(count)
}

func (m *Model) renderList(w int) []string {
	lines := make([]string, m.height)
	cols := layoutColumns(w, m.open != nil && m.open.reports > 0 && !m.rawView)
	lines[0] = m.headerLine(cols, w)
	f := m.open
	if msg := m.emptyReason(); msg != "" {
		style := m.c.Styles.Muted
		if f != nil && f.err != nil {
			style = m.c.Styles.Danger
		}
		for i := 1; i < m.height; i++ {
			lines[i] = strings.Repeat(" ", w)
		}
		wrapped := analysis.SanitizeLine(msg).Wrap(max(w-2, 10))
		for i, l := range wrapped {
			if 2+i < m.height {
				lines[2+i] = common.PadRight(" "+common.Render(l, style, m.c.Styles.Marker), w)
			}
		}
		return m.drawOverlay(lines, w)
	}
	now := m.c.Now()
	for i := 1; i < m.height; i++ {
		row := f.top + i - 1
		if row >= len(f.uids) {
			lines[i] = strings.Repeat(" ", w)
			continue
		}
		lines[i] = m.row(row, cols, w, now)
	}
	return m.drawOverlay(lines, w)
}

// drawOverlay lays the open overlay over the bottom of the list.
func (m *Model) drawOverlay(lines []string, w int) []string {
	if m.overlay == nil {
		return lines
	}
	panel := m.overlay.lines(m.c, w)
	if len(panel) > len(lines)-1 {
		panel = panel[:len(lines)-1] // a tall panel keeps its title and first rows
	}
	copy(lines[len(lines)-len(panel):], panel)
	return lines
}

// emptyReason is what the list area says when it has no rows to show.
func (m *Model) emptyReason() string {
	f := m.open
	switch {
	case f == nil && m.foldersErr != nil:
		return m.foldersErr.Error()
	case f == nil:
		return "connecting to " + m.acct.Server + " …"
	case f.err != nil:
		return f.err.Error() + " — ctrl+r to retry"
	case !f.loaded:
		return "opening " + f.name + " …"
	case len(f.uids) == 0 && f.query != "":
		return "no match for " + f.query + " in " + f.name + " — esc shows all"
	case len(f.uids) == 0:
		return f.name + " is empty"
	}
	return ""
}

func (m *Model) headerLine(cols columns, w int) string {
	st := m.c.Styles
	title := st.Header
	if m.focus == paneList {
		title = st.FocusBar
	}
	var b strings.Builder
	b.WriteString(st.Header.Render(common.PadRight("", cols.flags)))
	b.WriteString(st.Header.Render(common.PadRight(" Date", cols.date)))
	b.WriteString(st.Header.Render(common.PadRight(" From", cols.from)))
	b.WriteString(title.Render(common.PadRight(" Subject", cols.subject)))
	if cols.reporter > 0 {
		b.WriteString(st.Header.Render(common.PadRight(" Reported by", cols.reporter)))
	}
	if cols.tags > 0 {
		b.WriteString(st.Header.Render(common.PadRight(" Tags", cols.tags)))
	}
	if cols.size > 0 {
		b.WriteString(st.Header.Render(common.PadLeft("Size", cols.size)))
	}
	return common.PadRight(b.String(), w)
}

// columns are the list's column widths for one list width.
type columns struct {
	flags, date, from, subject, reporter, tags, size int
}

// layoutColumns fits the columns to w: tags and size give way first on
// narrow terminals, then the sender column shrinks. A folder holding
// reports gets a Reported by column.
func layoutColumns(w int, reports bool) columns {
	c := columns{flags: 6, date: 13, from: clamp(w/5, 12, 28)}
	if reports && w >= 70 {
		c.reporter = clamp(w/6, 12, 24)
	}
	if w >= 110 {
		c.tags = 16
	}
	if w >= 80 {
		c.size = 7
	}
	c.subject = w - c.flags - c.date - c.from - c.reporter - c.tags - c.size
	if c.subject < 10 {
		c.date = 7
		c.subject = max(w-c.flags-c.date-c.from-c.reporter-c.tags-c.size, 1)
	}
	return c
}
