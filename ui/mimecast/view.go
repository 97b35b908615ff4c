package mimecast

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/ui/common"
)

// View draws the screen.
func (m *Model) View() tea.View { return tea.NewView(m.Render()) }

// listRows is how many rows a list shows below its title and header.
func (m *Model) listRows() int { return max(m.height-3, 1) }

// Render returns exactly height lines, none wider than width.
func (m *Model) Render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := []string{m.tabStrip()}
	switch {
	case m.client == nil:
		lines = append(lines, " "+m.c.Styles.Muted.Render("Mimecast is not configured in this session."))
	case m.form != nil:
		lines = append(lines, m.form.Lines(m.c.Styles, w, h-1)...)
	default:
		lines = append(lines, m.body(h-1)...)
	}
	if m.confirm != nil {
		q := m.confirm.lines(m.c, w)
		start := max(h-len(q), 1)
		lines = append(lines[:min(start, len(lines))], q...)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i := range lines {
		lines[i] = common.PadRight(lines[i], w)
	}
	return strings.Join(lines[:h], "\n")
}

// tabStrip names the tabs, the open one in brackets. When the padded
// strip is wider than the terminal the tabs lose their padding, so every
// tab stays in sight on 80 columns.
func (m *Model) tabStrip() string {
	if s := m.tabStripPadded(" ", " "); ansi.StringWidth(s) <= m.width {
		return common.PadRight(s, m.width)
	}
	return common.PadRight(m.tabStripPadded("", ""), m.width)
}

// tabStripPadded draws the strip with pad either side of a closed tab's name.
func (m *Model) tabStripPadded(left, right string) string {
	st := m.c.Styles
	var b strings.Builder
	for t := tabID(0); t < tabCount; t++ {
		if t == m.tab {
			b.WriteString(st.ActiveTab.Render("[" + m.tabs[t].name() + "]"))
		} else {
			b.WriteString(st.Tab.Render(left + m.tabs[t].name() + right))
		}
		b.WriteString(" ")
	}
	return b.String()
}

// body is the open tab below the tab strip: a title line, then a list or
// a detail page.
func (m *Model) body(h int) []string { return m.tabs[m.tab].body(m, h) }

// listBody is a list tab's body: pane id's detail page when one is open,
// else its title line and rows.
func (m *Model) listBody(id paneID, h int) []string {
	p := m.panes[id]
	if p.detail != nil {
		return p.detail.lines(m.c, m.width, h)
	}
	out := []string{m.titleLine(id, p)}
	empty := m.emptyText(id)
	if p.err != nil && len(p.tbl.rows) == 0 {
		// The list could not be loaded: do not claim it is empty.
		empty = m.keys.Reload.Help().Key + " tries again"
	}
	return append(out, p.tbl.render(m.c, m.width, h-1, empty)...)
}

// titleLine says what the list is, how long it is, and whether it is
// loading or failed.
func (m *Model) titleLine(id paneID, p *pane) string {
	st := m.c.Styles
	title, count := m.describe(id)
	line := " " + common.Render(analysis.SanitizeLine(title), st.Title, st.Marker)
	if p.loaded {
		if p.next != "" {
			// The server has more: never let a piece pass for the whole.
			count += " so far, more…"
		}
		line += st.Muted.Render(" · " + count)
	}
	switch {
	case p.loading:
		line += " " + st.Accent.Render(m.spinner.View()+" loading…")
	case m.inflight > 0:
		line += " " + st.Accent.Render(m.spinner.View()+" working…")
	case p.err != nil:
		line += " " + common.Render(analysis.SanitizeLine("✗ "+p.err.Error()), st.Danger, st.Marker)
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// describe is a pane's title and count.
func (m *Model) describe(id paneID) (string, string) {
	switch id {
	case panePolicies:
		return "Blocked-sender policies", plural(len(m.policies), "policy", "policies")
	case paneSenders:
		return "Managed senders", plural(len(m.senders), "entry", "entries")
	case paneURLs:
		t := "Managed URLs"
		if m.urlQuery != "" {
			t += " matching " + m.urlQuery
		}
		return t, plural(len(m.urls), "entry", "entries")
	case paneGroups:
		t := "Profile groups"
		if m.groupQ != "" {
			t += " matching " + m.groupQ
		}
		if m.groupSource != "" {
			t += " · source " + m.groupSource
		}
		return t, plural(len(m.groups), "group", "groups")
	case paneMembers:
		return "Members of " + m.group.Description, plural(len(m.members), "member", "members")
	case paneTracking:
		return "Message tracking" + querySummary(m.trackQ), plural(len(m.tracked), "message", "messages")
	case paneArchive:
		return "Archive search" + archiveSummary(m.archiveQ), plural(len(m.archive), "message", "messages")
	case paneMessages:
		return "Message list" + messagesSummary(m.messagesQ), plural(len(m.messages), "message", "messages")
	case paneClicks:
		return "URL Protect clicks" + m.clickSummary(), plural(len(m.clicks), "click", "clicks")
	case paneSearchLogs:
		return "Archive search logs" + m.searchLogSummary(), plural(len(m.searches), "search", "searches")
	case paneHeld:
		return "Held messages" + heldSummary(m.heldQ), plural(len(m.held), "message", "messages")
	}
	return "", ""
}

func (m *Model) emptyText(id paneID) string {
	k := m.keys
	switch id {
	case panePolicies:
		return "no blocked-sender policies; " + k.New.Help().Key + " creates one"
	case paneSenders:
		return "no managed senders; " + k.Block.Help().Key + " blocks a sender"
	case paneURLs:
		return "no managed URLs; " + k.Block.Help().Key + " blocks a URL"
	case paneGroups:
		return "no groups"
	case paneMembers:
		return "no members; " + k.New.Help().Key + " adds some"
	case paneTracking:
		if m.trackQ == nil {
			return k.Search.Help().Key + " searches by sender, recipient, subject, Message-ID, sender IP and time; " + k.ByID.Help().Key + " opens a Mimecast id"
		}
		return "no message matches"
	case paneArchive:
		if m.archiveQ == nil {
			return k.Search.Help().Key + " searches the archive; " + k.ByID.Help().Key + " opens a Mimecast id"
		}
		return "no message matches"
	case paneMessages:
		if m.messagesQ == nil {
			return k.Search.Help().Key + " lists a mailbox's inbox or sent items; " + k.ByID.Help().Key + " opens a Mimecast id"
		}
		return "no message in this mailbox, folder and window"
	case paneClicks:
		return "no clicks in this window; " + k.View.Help().Key + " shows search logs"
	case paneSearchLogs:
		return "no searches in this window; " + k.View.Help().Key + " shows click logs"
	case paneHeld:
		return "nothing is held"
	}
	return ""
}
