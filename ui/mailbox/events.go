package mailbox

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// handleEvent keeps the screen in step with the server: new or vanished
// mail re-lists the folder (keeping the cursor on its message), flag
// changes re-fetch the rows near the screen, counters update the sidebar,
// and connection news reaches the status bar.
func (m *Model) handleEvent(msg EventMsg) tea.Cmd {
	if msg.Closed {
		m.listening = false
		return nil
	}
	cmds := []tea.Cmd{listen(m.acct.Name, m.acct.Mailbox.Events())}
	ev := msg.Event
	f := m.open
	current := f != nil && f.loaded && ev.Folder == f.name
	switch ev.Kind {
	case mail.EventArrived:
		if current && f.query != "" {
			cmds = append(cmds, m.reload(), common.Info(fmt.Sprintf("%d new in %s (search re-run)", ev.Count, f.name)))
		} else if current {
			cmds = append(cmds, m.loadListing(f.name, clamp(ev.Count, 1, 200), true))
			cmds = append(cmds, common.Info(fmt.Sprintf("%d new in %s", ev.Count, f.name)))
		}
	case mail.EventExpunged:
		if current {
			cmds = append(cmds, m.reload())
		}
	case mail.EventFlagsChanged:
		if current {
			cmds = append(cmds, m.reloadVisible())
		}
	case mail.EventStatus:
		m.setFolderStatus(ev.Status)
		if current {
			f.unseen = ev.Status.Unseen
		}
	case mail.EventConnLost:
		m.connLost = true
		cmds = append(cmds, common.Error(fmt.Errorf("connection to %s lost, reconnecting: %w", m.acct.Server, ev.Err)))
	case mail.EventConnRestored:
		m.connLost = false
		cmds = append(cmds, common.Info("reconnected to "+m.acct.Server), m.Refresh())
	}
	return tea.Batch(cmds...)
}

// reloadVisible re-fetches the rows near the screen (flags changed
// elsewhere).
func (m *Model) reloadVisible() tea.Cmd {
	f := m.open
	rows := m.listRows()
	for row := max(f.top-rows, 0); row < min(f.top+2*rows+1, len(f.uids)); row++ {
		delete(f.env, f.uidAt(row))
	}
	return m.ensureLoaded()
}
