// Package mailbox is the mailbox screen: the folder sidebar and the message
// list of the open folder. The list is virtual: opening a folder fetches
// its UIDs and the first screen of envelopes in one round trip, and rows
// further away are fetched in the background as the analyst scrolls near
// them, so a 50,000-message folder opens as fast as a small one.
package mailbox

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/campaign"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

type pane int

const (
	paneList pane = iota
	paneFolders
)

// Model is the mailbox screen of one account.
type Model struct {
	c    *session.Session
	acct session.Account
	keys KeyMap

	width, height int
	originY       int // screen row of our first line, for mouse clicks
	focus         pane

	folders      []mail.Folder
	folderCursor int
	folderTop    int
	foldersErr   error

	open      *folder // nil until a folder is chosen
	connLost  bool
	listening bool
	// hidden: another screen is shown; rows are not fetched meanwhile.
	hidden bool
	// away: another account is shown; Focus takes the folder up again.
	away bool
	req  requests

	rows rowCache

	overlay overlay // an open question, picker or input; has the keyboard
	pending map[int]*pendingOp
	opSeq   int
	undo    []undoEntry
	// usedTags are categories added this session (stored form), offered
	// first by the tag picker.
	usedTags []string
	// keyCache holds the campaign keys of messages read for grouping.
	keyCache *campaign.Cache
	scan     scanLimits
	// rawView shows reports as received instead of as their originals.
	rawView bool
}

// folder is the open folder's list state.
type folder struct {
	name     string
	ref      mail.FolderRef
	loaded   bool
	err      error
	uids     []mail.UID // ascending: row i shows uids[len-1-i], newest first
	env      map[mail.UID]*mail.Envelope
	pending  map[mail.UID]bool
	cursor   int
	top      int
	unseen   uint32
	keywords bool
	marked   map[mail.UID]bool // the selection
	anchor   int               // row of the last toggle, for ranges
	query    string            // the search shown, "" for the whole folder
	// searching is the search asked for and not yet answered: a reload
	// (or Focus after Leave) asks it again rather than cancel it for
	// the older one shown.
	searching string
	wantUID   mail.UID // put the cursor here once the search is in
	// reports counts the rows known to be reports; cases counts them by
	// original; reading marks rows read in the background to know.
	reports     int
	cases       map[string]int
	counted     map[mail.UID]countedRow // what reports and cases count, by row
	reading     map[mail.UID]bool
	readingJobs int
	// recognised remembers what reading a row's body found: its
	// original's envelope, or nil for no report (UIDs are stable while
	// the folder's UIDVALIDITY is).
	recognised map[mail.UID]*mail.Envelope
}

func (f *folder) uidAt(row int) mail.UID { return f.uids[len(f.uids)-1-row] }

// New returns the mailbox screen for acct; keys from the configuration
// must already be applied to keys.
func New(c *session.Session, acct session.Account, keys KeyMap) *Model {
	return &Model{c: c, acct: acct, keys: keys, rows: rowCache{}, pending: map[int]*pendingOp{}, keyCache: campaign.NewCache(),
		scan: scanLimits{envelopes: campaign.MaxEnvelopeScan, bodies: campaign.MaxBodyScan}}
}

// Account returns the account this screen shows.
func (m *Model) Account() session.Account { return m.acct }

// Init loads the folder tree and starts listening for server events.
func (m *Model) Init() tea.Cmd {
	m.listening = true
	return tea.Batch(m.loadFolders(), listen(m.acct.Name, m.acct.Mailbox.Events()))
}

// SetSize gives the screen its area; originY is its first row on screen.
func (m *Model) SetSize(width, height int) { m.SetLayout(width, height, 1) }

// SetLayout gives the screen its area and the terminal row it starts at
// (for mouse clicks).
func (m *Model) SetLayout(width, height, originY int) {
	if width != m.width {
		m.rows = rowCache{}
	}
	m.width, m.height, m.originY = width, height, originY
	m.clampFolders()
	if m.open != nil {
		m.scrollTo(m.open.cursor)
	}
}

// InvalidateStyles drops cached rows after a theme change.
func (m *Model) InvalidateStyles() { m.rows = rowCache{} }

// ShortHelp is the help bar.
// ShortHelp is the help bar: the keys of the open question, picker or
// form while one has the keyboard, the list's otherwise.
func (m *Model) ShortHelp() []key.Binding {
	if m.overlay != nil {
		return m.overlay.help()
	}
	return m.keys.ShortHelp()
}

// FullHelp is the ? screen.
func (m *Model) FullHelp() [][]key.Binding { return m.keys.FullHelp() }

// Status has nothing to add: the root draws the mailbox's own status line
// from State.
func (m *Model) Status() string { return "" }

// Focus takes the list up again where Blur or Leave put it down.
func (m *Model) Focus() tea.Cmd {
	m.hidden = false
	return m.resume()
}

// Blur cancels the background work that only draws rows (envelope pages,
// report reads): a hidden list needs none of it, and the message being
// opened needs the connections. What the analyst asked for — the listing,
// a search, a campaign scan — keeps running: its answer is still wanted,
// and the jobs screen shows its progress. The list keeps its folder open
// (its events keep it current); Focus fetches the rows again.
func (m *Model) Blur() {
	m.hidden = true
	m.cancelRows()
}

// Leave cancels every request about the open folder: the analyst switched
// to another account. Remedies in flight are not touched (see apply).
// Focus takes the folder up again.
func (m *Model) Leave() {
	m.hidden, m.away = true, true
	m.cancelFolderWork()
	m.req.searchAll.Cancel()
}

// Keys returns the key map, for the help bar.
func (m *Model) Keys() KeyMap { return m.keys }

// accountMsg is a backend reply for one account's screen.
type accountMsg interface{ ForAccount() string }

// Update handles keys, mouse and backend replies.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if am, ok := msg.(accountMsg); ok && am.ForAccount() != m.acct.Name {
		return m, nil // another account's screen asked for it
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseWheelMsg:
		return m, m.handleWheel(msg)
	case tea.MouseClickMsg:
		return m, m.handleClick(msg)
	case FoldersLoadedMsg:
		return m, m.foldersLoaded(msg)
	case ListingLoadedMsg:
		return m, m.listingLoaded(msg)
	case EnvelopesLoadedMsg:
		return m, m.envelopesLoaded(msg)
	case EventMsg:
		return m, m.handleEvent(msg)
	case session.SeenChangedMsg:
		m.applySeen(msg.Folder, msg.UIDs, msg.Seen)
	case seenFailedMsg:
		m.applySeen(msg.folder, msg.uids, !msg.seen)
		return m, common.Error(msg.err)
	case remediatedMsg:
		return m, m.remediated(msg)
	case countsMsg:
		for _, st := range msg.statuses {
			m.setFolderStatus(st)
		}
	case likeFoundMsg:
		return m, m.likeFound(msg)
	case searchDoneMsg:
		return m, m.searchDone(msg)
	case searchAllMsg:
		return m, m.searchAllDone(msg)
	case reportsReadMsg:
		return m, m.reportsRead(msg)
	case casesMsg:
		return m, m.casesFound(msg)
	case sentMsg:
		return m, m.sent(msg)
	case planMsg:
		return m, m.planned(msg)
	case purgeResultMsg:
		return m, m.purged(msg)
	case verdictDoneMsg:
		return m, m.verdictDone(msg)
	case feedbackPreviewMsg:
		return m, m.feedbackPreviewed(msg)
	case feedbackSentMsg:
		return m, m.feedbackSent(msg)
	case reloadMsg:
		return m, tea.Batch(m.reload(), common.Info(msg.info))
	case blockSendersMsg:
		return m, m.blockSendersRead(msg)
	case blockOptionsMsg:
		return m, m.blockOptionsLoaded(msg)
	case blockedMsg:
		return m, m.blocked(msg)
	case campaignsMsg:
		return m, m.campaignsFound(msg)
	case folderInfoMsg:
		return m, m.folderInfoDone(msg)
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.overlay != nil {
		return m.overlayKey(msg)
	}
	k := m.keys
	if key.Matches(msg, k.NextPane) {
		if m.focus == paneList {
			m.focus = paneFolders
		} else {
			m.focus = paneList
		}
		return nil
	}
	if key.Matches(msg, k.Refresh) {
		return m.Refresh()
	}
	if m.focus == paneFolders {
		return m.folderKey(msg)
	}
	return m.listKey(msg)
}

func (m *Model) folderKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.moveFolderCursor(-1)
	case key.Matches(msg, k.Down):
		m.moveFolderCursor(1)
	case key.Matches(msg, k.Top):
		m.moveFolderCursor(-len(m.folders))
	case key.Matches(msg, k.Bottom):
		m.moveFolderCursor(len(m.folders))
	case key.Matches(msg, k.Open):
		if len(m.folders) > 0 {
			m.focus = paneList
			return m.OpenFolder(m.folders[m.folderCursor].Name)
		}
	case key.Matches(msg, k.Info):
		if len(m.folders) > 0 {
			return m.FolderInfo(m.folders[m.folderCursor].Name)
		}
	}
	return nil
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	f := m.open
	if f == nil || !f.loaded {
		return nil
	}
	k := m.keys
	page := max(m.listRows()-1, 1)
	switch {
	case key.Matches(msg, k.Up):
		return m.moveCursor(-1)
	case key.Matches(msg, k.Down):
		return m.moveCursor(1)
	case key.Matches(msg, k.PageUp):
		return m.moveCursor(-page)
	case key.Matches(msg, k.PageDown):
		return m.moveCursor(page)
	case key.Matches(msg, k.Top):
		return m.moveCursor(-len(f.uids))
	case key.Matches(msg, k.Bottom):
		return m.moveCursor(len(f.uids))
	case key.Matches(msg, k.Open):
		return m.openCurrent()
	}
	return m.actionKey(msg)
}

func (m *Model) handleWheel(msg tea.MouseWheelMsg) tea.Cmd {
	mouse := msg.Mouse()
	if m.inSidebar(mouse.X) {
		switch mouse.Button {
		case tea.MouseWheelUp:
			m.moveFolderCursor(-1)
		case tea.MouseWheelDown:
			m.moveFolderCursor(1)
		}
		return nil
	}
	switch mouse.Button {
	case tea.MouseWheelUp:
		return m.moveCursor(-3)
	case tea.MouseWheelDown:
		return m.moveCursor(3)
	}
	return nil
}

func (m *Model) handleClick(msg tea.MouseClickMsg) tea.Cmd {
	mouse := msg.Mouse()
	if mouse.Button != tea.MouseLeft {
		return nil
	}
	line := mouse.Y - m.originY - 1 // first line is the pane title / header
	if line < 0 {
		return nil
	}
	if m.inSidebar(mouse.X) {
		i := m.folderTop + line
		if i < len(m.folders) {
			m.folderCursor = i
			m.focus = paneList
			return m.OpenFolder(m.folders[i].Name)
		}
		return nil
	}
	f := m.open
	if f == nil || !f.loaded {
		return nil
	}
	row := f.top + line
	if row >= len(f.uids) {
		return nil
	}
	m.focus = paneList
	if row == f.cursor {
		return m.openCurrent()
	}
	m.scrollTo(row)
	return m.ensureLoaded()
}

// Refresh reloads the folder tree and the open folder.
func (m *Model) Refresh() tea.Cmd {
	cmds := []tea.Cmd{m.loadFolders()}
	if m.open != nil {
		cmds = append(cmds, m.loadListing(m.open.name, m.prefetch(), false))
	}
	return tea.Batch(cmds...)
}

// Status is what the status bar shows about this screen.
type Status struct {
	Account  string
	Folder   string
	Total    int
	Unseen   int
	Loading  bool
	ConnLost bool
	Query    string // the search shown, if any
	Selected int
}

// Status reports the open folder's counters.
func (m *Model) State() Status {
	st := Status{Account: m.acct.Name, ConnLost: m.connLost}
	if f := m.open; f != nil {
		st.Folder = f.name
		st.Total = len(f.uids)
		st.Unseen = int(f.unseen)
		st.Loading = !f.loaded && f.err == nil
		st.Query, st.Selected = f.query, len(f.marked)
	}
	return st
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
