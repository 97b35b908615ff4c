package mailbox

import (
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

// requests are the screen's outstanding server requests about the open
// folder, one slot per kind: a new request of a kind cancels the one it
// replaces, and a reply is painted only while its ticket is current.
// Opening another folder cancels them all (so the old folder's listing,
// scans and reads stop using the account's few connections); remedies
// are not among them: a move the analyst started must finish wherever
// the analyst goes next.
type requests struct {
	list     common.Slot // the folder's listing (open, reload, new mail)
	search   common.Slot // the search shown in the list
	campaign common.Slot // a campaign scan
	cases    common.Slot // reading a case for a verdict or replies
	// finds add to the selection ("same sender", a campaign's older
	// messages): several may run, each adding its own, so a new one
	// must not cancel the one before.
	finds common.Scope
	// rows fetch envelope pages and read possible reports for rows near
	// the screen. Pages run side by side, each asking for rows no other
	// page asked for: a slot would cancel a page whose rows are then
	// never asked for again. So they share a scope, cancelled together
	// with the bookkeeping of what is in flight (see cancelRows).
	rows common.Scope
	// searchAll (in:all) is about the account, not the open folder: a
	// new one replaces it, another folder does not.
	searchAll common.Slot
}

// cancelRows cancels the row fetches and report reads in flight, and
// forgets that their rows were asked for, so ensureLoaded and noteReports
// ask again.
func (m *Model) cancelRows() {
	m.req.rows.Cancel()
	if f := m.open; f != nil {
		f.pending = map[mail.UID]bool{}
		f.reading = map[mail.UID]bool{}
		f.readingJobs = 0
	}
}

// cancelFolderWork cancels every request about the open folder.
func (m *Model) cancelFolderWork() {
	m.cancelRows()
	m.req.list.Cancel()
	m.req.search.Cancel()
	m.req.campaign.Cancel()
	m.req.cases.Cancel()
	m.req.finds.Cancel()
}

// resume takes the open folder up again after Blur (fetch the rows near
// the screen) or Leave (list it again: it may have changed meanwhile,
// and its listing may have been cancelled before it came).
func (m *Model) resume() tea.Cmd {
	f := m.open
	if f == nil {
		return nil
	}
	var cmds []tea.Cmd
	if m.away {
		m.away = false
		switch {
		case !f.loaded && f.err == nil:
			cmds = append(cmds, m.loadListing(f.name, m.prefetch(), false))
			if f.searching != "" {
				cmds = append(cmds, m.runSearch(f.searching, false))
			}
		case f.loaded:
			cmds = append(cmds, m.reload())
		}
	}
	return tea.Batch(append(cmds, m.ensureLoaded(), m.noteReports())...)
}
