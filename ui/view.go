package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/ui/common"
)

// Smallest usable terminal; below it we say so instead of drawing garbage.
const minWidth, minHeight = 40, 8

// View draws the whole console.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mailtriage"
	return v
}

// Render returns the console as text, exactly width × height.
func (m *Model) Render() string {
	if m.width < minWidth || m.height < minHeight {
		return fmt.Sprintf("terminal too small (%dx%d): mailtriage needs at least %dx%d", m.width, m.height, minWidth, minHeight)
	}
	parts := []string{m.tabBar(), m.body(), m.statusBar(), m.bottomLine()}
	return strings.Join(parts, "\n")
}

func (m *Model) body() string {
	b := m.screenBody()
	if m.dialog == nil {
		return b
	}
	// The question takes the bottom of the screen, over what it is about.
	lines := strings.Split(b, "\n")
	st := m.c.Styles
	q := append([]string{st.Border.Render(strings.Repeat("─", m.width))}, m.dialog.Lines(st)...)
	at := max(len(lines)-len(q), 0)
	for i, l := range q {
		if at+i < len(lines) {
			lines[at+i] = common.PadRight(ansi.Truncate(l, m.width, "…"), m.width)
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) screenBody() string {
	h := m.bodyHeight()
	if m.showHelp {
		return m.fullHelp(h)
	}
	if s := m.current(); s != nil {
		return s.Render()
	}
	if m.screen == screenMimecast {
		return m.notConfigured("Mimecast", "Mimecast is not configured in this session: add a [mimecast] table (base_url, auth, keys) to the configuration", h)
	}
	return m.notConfigured("FortiMail", "FortiMail is not configured in this session: add a [fortimail] table (url, username, password_cmd) to the configuration", h)
}

// notConfigured says plainly that a gateway screen cannot be shown, rather than
// showing an empty shell that looks like it works.
func (m *Model) notConfigured(name, how string, h int) string {
	lines := make([]string, h)
	lines[0] = m.c.Styles.Title.Render(name)
	text := analysis.Plain(how + ". Press 1 for the mailbox.")
	for i, l := range text.Wrap(max(m.width-2, 10)) {
		if 2+i < h {
			lines[2+i] = " " + common.Render(l, m.c.Styles.Muted, m.c.Styles.Marker)
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) tabBar() string {
	st := m.c.Styles
	tabs := []struct {
		key  key.Binding
		name string
		on   bool
	}{
		{m.keys.Mailbox, "Mailbox", m.screen == screenMailbox || m.screen == screenMessage},
		{m.keys.Mimecast, "Mimecast", m.screen == screenMimecast},
		{m.keys.FortiMail, "FortiMail", m.screen == screenFortiMail},
		{m.keys.Jobs, "Jobs", m.screen == screenJobs},
	}
	var b strings.Builder
	b.WriteString(st.Accent.Render(" mailtriage "))
	for _, t := range tabs {
		style := st.Tab
		if t.on {
			style = st.ActiveTab
		}
		b.WriteString(" ")
		b.WriteString(style.Render(t.key.Help().Key + " " + t.name))
	}
	right := ""
	if n := len(m.opts.Accounts); n > 1 {
		right = fmt.Sprintf("account %d/%d (%s: next)", m.active+1, n, m.keys.Account.Help().Key)
	}
	return joinEnds(b.String(), st.Muted.Render(right), m.width)
}

// statusBar: account, folder, counts, running jobs, last message.
func (m *Model) statusBar() string {
	st := m.c.Styles
	s := m.box().State()
	left := " " + s.Account
	if s.Folder != "" {
		left += " │ " + analysis.SanitizeLine(s.Folder).String()
	}
	switch {
	case s.Loading:
		left += " │ opening…"
	case s.Query != "":
		left += fmt.Sprintf(" │ /%s · %d match", analysis.SanitizeLine(s.Query).String(), s.Total)
		if s.Total != 1 {
			left += "es"
		}
	case s.Folder != "":
		left += fmt.Sprintf(" │ %d messages · %d unread", s.Total, s.Unseen)
	}
	if s.Selected > 0 {
		left += fmt.Sprintf(" │ %d selected", s.Selected)
	}
	if n := m.c.Jobs.Running(); n > 0 {
		left += fmt.Sprintf(" │ ⟳ %d job", n)
		if n > 1 {
			left += "s"
		}
	}
	if s.ConnLost {
		left += " │ reconnecting…"
	}
	if h := m.current(); h != nil {
		if hs := h.Status(); hs != "" {
			left += " │ " + analysis.SanitizeLine(hs).String()
		}
	}
	bar := st.StatusBar.Render(left + " ")
	if m.flash != "" {
		flashStyle := st.StatusInfo
		if m.flashErr {
			flashStyle = st.StatusError
		}
		text := analysis.SanitizeLine(m.flash).String()
		bar += flashStyle.Render("│ " + text + " ")
	}
	bar = ansi.Truncate(bar, m.width, "…")
	if pad := m.width - ansi.StringWidth(bar); pad > 0 {
		bar += st.StatusBar.Render(strings.Repeat(" ", pad))
	}
	return bar
}

// bottomLine is the command line while typing, the help bar otherwise.
func (m *Model) bottomLine() string {
	if m.cmdActive {
		return ansi.Truncate(m.cmd.View(), m.width, "")
	}
	bindings := m.barBindings()
	key := helpBarKey(m.width, bindings)
	if key != m.helpBar.key {
		m.helpBar = helpBar{key: key, view: ansi.Truncate(m.help.ShortHelpView(bindings), m.width, "…")}
	}
	return m.helpBar.view
}

// barBindings is what the help bar offers: the answers while the root
// asks a question, else the screen's keys and, unless a question, picker
// or form of the screen has every key, the global ones.
func (m *Model) barBindings() []key.Binding {
	if m.dialog != nil {
		return m.dialog.ShortHelp()
	}
	global := m.keys.short()
	switch s := m.current(); {
	case s != nil && s.Capturing():
		global = nil
	case m.screen == screenMessage:
		global = global[:len(global)-1] // q is "back" there
	}
	return append(m.screenHelp(), global...)
}

// helpBar is the help bar as last drawn. Drawing it styles every binding
// through lipgloss, which cost more than drawing the whole mailbox (a
// sixth of a frame's time over SSH, by profile), while it changes only
// when the keys on offer or the width do: so it is drawn again only then.
type helpBar struct{ key, view string }

// helpBarKey names what the help bar shows: the width and every enabled
// binding's help text.
func helpBarKey(width int, bindings []key.Binding) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(width))
	for _, k := range bindings {
		if !k.Enabled() {
			continue
		}
		h := k.Help()
		b.WriteString("\x00")
		b.WriteString(h.Key)
		b.WriteString("\x01")
		b.WriteString(h.Desc)
	}
	return b.String()
}

func (m *Model) screenHelp() []key.Binding {
	if s := m.current(); s != nil {
		return s.ShortHelp()
	}
	return nil
}

func (m *Model) screenFullHelp() [][]key.Binding {
	if s := m.current(); s != nil {
		return s.FullHelp()
	}
	return nil
}

// helpScreen is the ? screen as last laid out (every line, cut to the
// width) and what it was laid out from. Laying it out styles every
// binding through lipgloss, several times the cost of drawing the
// mailbox, while it changes only with the keys on offer, the width and
// the theme (applyHelpStyles drops it): so it is laid out again only then.
type helpScreen struct {
	key   string
	lines []string
}

// helpLines is the ? screen's lines: every key bound on this screen,
// generated from the key maps so it shows rebound keys as they are, and
// the commands.
func (m *Model) helpLines() []string {
	groups := append(m.screenFullHelp(), m.keys.full())
	d := m.c.Dialog.Or()
	var b strings.Builder
	b.WriteString(helpBarKey(m.width, []key.Binding{d.ScrollDown, d.ScrollUp, d.PageDown, d.PageUp}))
	for _, g := range groups {
		b.WriteString("\x02")
		b.WriteString(helpBarKey(0, g))
	}
	if key := b.String(); key != m.helpScreen.key {
		lines := m.layOutHelp(groups, d)
		for i := range lines {
			lines[i] = ansi.Truncate(lines[i], m.width, "…")
		}
		m.helpScreen = helpScreen{key: key, lines: lines}
	}
	return m.helpScreen.lines
}

// layOutHelp draws the ? screen: groups of keys three side by side, the
// commands, the list's flags.
func (m *Model) layOutHelp(groups [][]key.Binding, d common.DialogKeys) []string {
	st := m.c.Styles
	scroll := fmt.Sprintf("  (%s %s scroll, %s %s page, any other key closes)",
		d.ScrollDown.Help().Key, d.ScrollUp.Help().Key, d.PageDown.Help().Key, d.PageUp.Help().Key)
	lines := []string{st.Title.Render("Keys") + st.Muted.Render(scroll), ""}
	// Three groups side by side at most: wider rows would be cut off.
	for i := 0; i < len(groups); i += 3 {
		lines = append(lines, strings.Split(m.help.FullHelpView(groups[i:min(i+3, len(groups))]), "\n")...)
		lines = append(lines, "")
	}
	lines = append(lines, "", st.Title.Render("Commands")+st.Muted.Render("  (type : then a command)"))
	for _, c := range m.commands {
		lines = append(lines, "  "+st.HelpKey.Render(common.PadRight(c.usage, 22))+st.HelpDesc.Render(c.help))
	}
	return append(lines, "", st.Title.Render("List flags")+st.Muted.Render("  N unread · D deleted · ! flagged · r answered · digit attachments · H hidden characters"))
}

// fullHelp is the help screen, scrolled to helpOffset.
func (m *Model) fullHelp(h int) string {
	lines := m.helpLines()
	out := make([]string, h) // lines past the end stay empty
	copy(out, lines[min(m.helpOffset, len(lines)):])
	return strings.Join(out, "\n")
}

func joinEnds(left, right string, w int) string {
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if lw+rw+1 > w {
		return ansi.Truncate(left, w, "…")
	}
	return left + strings.Repeat(" ", w-lw-rw) + right
}
