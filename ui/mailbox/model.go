// Package mailbox is the mailbox screen: the folder sidebar and the message
// list of the open folder. The list is virtual: opening a folder fetches
// its UIDs and the first screen of envelopes in one round trip, and rows
// further away are fetched in the background as the analyst scrolls near
// them, so a 50,000-message folder opens as fast as a small one.
package mailbox

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/ui/common"
)

type pane int

const (
	paneList pane = iota
	paneFolders
)

// Model is the mailbox screen of one account.
type Model struct {
	c    *common.Common
	acct common.Account
	keys KeyMap

	width, height int
	originY       int // screen row of our first line, for mouse clicks
	focus         pane

	folders      []mail.Folder
	folderCursor int
	folderTop    int
	foldersErr   error

	gen       int     // bumped whenever another folder is opened
	open      *folder // nil until a folder is chosen
	connLost  bool
	listening bool

	rows rowCache
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
}

func (f *folder) uidAt(row int) mail.UID { return f.uids[len(f.uids)-1-row] }

// New returns the mailbox screen for acct; keys from the configuration
// must already be applied to keys.
func New(c *common.Common, acct common.Account, keys KeyMap) *Model {
	return &Model{c: c, acct: acct, keys: keys, rows: rowCache{}}
}

// Account returns the account this screen shows.
func (m *Model) Account() common.Account { return m.acct }

// Init loads the folder tree and starts listening for server events.
func (m *Model) Init() tea.Cmd {
	m.listening = true
	return tea.Batch(m.loadFolders(), listen(m.acct.Name, m.acct.Mailbox.Events()))
}

// SetSize gives the screen its area; originY is its first row on screen.
func (m *Model) SetSize(width, height, originY int) {
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

// Keys returns the key map, for the help bar.
func (m *Model) Keys() KeyMap { return m.keys }

// Update handles keys, mouse and backend replies.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseWheelMsg:
		return m, m.handleWheel(msg)
	case tea.MouseClickMsg:
		return m, m.handleClick(msg)
	case FoldersLoadedMsg:
		if msg.Account == m.acct.Name {
			return m, m.foldersLoaded(msg)
		}
	case ListingLoadedMsg:
		if msg.Account == m.acct.Name {
			return m, m.listingLoaded(msg)
		}
	case EnvelopesLoadedMsg:
		if msg.Account == m.acct.Name {
			return m, m.envelopesLoaded(msg)
		}
	case EventMsg:
		if msg.Account == m.acct.Name {
			return m, m.handleEvent(msg)
		}
	case common.SeenChangedMsg:
		if msg.Account == m.acct.Name {
			m.applySeen(msg.Folder, msg.UIDs, msg.Seen)
		}
	case seenFailedMsg:
		if msg.account == m.acct.Name {
			m.applySeen(msg.folder, msg.uids, !msg.seen)
			return m, common.Error(msg.err)
		}
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
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
	case key.Matches(msg, k.ToggleRead):
		return m.toggleSeen()
	}
	return nil
}

func (m *Model) openCurrent() tea.Cmd {
	f := m.open
	if len(f.uids) == 0 {
		return nil
	}
	e := f.env[f.uidAt(f.cursor)]
	if e == nil {
		return common.Info("still loading this message's envelope")
	}
	ref, env := f.ref, *e
	acct := m.acct.Name
	return func() tea.Msg { return common.OpenMessageMsg{Account: acct, Folder: ref, Envelope: env} }
}

// moveCursor moves the list cursor by delta rows and fetches rows that
// have come near the screen.
func (m *Model) moveCursor(delta int) tea.Cmd {
	f := m.open
	if f == nil || len(f.uids) == 0 {
		return nil
	}
	m.scrollTo(f.cursor + delta)
	return m.ensureLoaded()
}

func (m *Model) scrollTo(row int) {
	f := m.open
	n := len(f.uids)
	f.cursor = clamp(row, 0, max(n-1, 0))
	rows := m.listRows()
	if f.cursor < f.top {
		f.top = f.cursor
	}
	if f.cursor >= f.top+rows {
		f.top = f.cursor - rows + 1
	}
	f.top = clamp(f.top, 0, max(n-rows, 0))
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

// OpenFolder opens the named folder (case-insensitively for INBOX-like
// names) and reports an error when there is none.
func (m *Model) OpenFolder(name string) tea.Cmd {
	target, ok := m.findFolder(name)
	if !ok && len(m.folders) > 0 {
		return common.Error(fmt.Errorf("no folder named %q", name))
	}
	if ok {
		if target.NoSelect {
			return common.Error(fmt.Errorf("%q holds folders only, no messages", target.Name))
		}
		name = target.Name
	}
	for i, f := range m.folders {
		if f.Name == name {
			m.folderCursor = i
			m.clampFolders()
		}
	}
	m.gen++
	m.open = &folder{name: name, env: map[mail.UID]*mail.Envelope{}, pending: map[mail.UID]bool{}}
	return m.loadListing(name, m.gen, m.prefetch(), false)
}

func (m *Model) findFolder(name string) (mail.Folder, bool) {
	for _, f := range m.folders {
		if f.Name == name {
			return f, true
		}
	}
	for _, f := range m.folders {
		if strings.EqualFold(f.Name, name) {
			return f, true
		}
	}
	return mail.Folder{}, false
}

// Refresh reloads the folder tree and the open folder.
func (m *Model) Refresh() tea.Cmd {
	cmds := []tea.Cmd{m.loadFolders()}
	if m.open != nil {
		cmds = append(cmds, m.loadListing(m.open.name, m.gen, m.prefetch(), false))
	}
	return tea.Batch(cmds...)
}

// prefetch is how many of the newest envelopes come with the UIDs.
func (m *Model) prefetch() int { return max(2*m.listRows(), 100) }

func (m *Model) foldersLoaded(msg FoldersLoadedMsg) tea.Cmd {
	if msg.Err != nil {
		m.foldersErr = msg.Err
		if m.open == nil {
			m.open = &folder{name: m.startFolder(), err: msg.Err}
		}
		return common.Error(msg.Err)
	}
	m.foldersErr = nil
	m.mergeFolders(msg.Folders)
	if m.open != nil && (m.open.loaded || m.open.err == nil) {
		return nil
	}
	start := m.startFolder()
	if f, ok := m.findFolder(start); ok && !f.NoSelect {
		return m.OpenFolder(f.Name)
	}
	// The configured folder is not there: say so, and show INBOX rather
	// than nothing.
	err := common.Error(fmt.Errorf("default_folder %q: no such folder; opened INBOX", start))
	return tea.Batch(err, m.OpenFolder("INBOX"))
}

func (m *Model) startFolder() string {
	if m.acct.DefaultFolder != "" {
		return m.acct.DefaultFolder
	}
	return "INBOX"
}

// mergeFolders takes a new folder tree, keeping counters we already know
// better (the open folder's come from its listing).
func (m *Model) mergeFolders(folders []mail.Folder) {
	cur := ""
	if len(m.folders) > 0 {
		cur = m.folders[m.folderCursor].Name
	}
	m.folders = folders
	for i, f := range m.folders {
		if f.Name == cur {
			m.folderCursor = i
		}
		if m.open != nil && m.open.loaded && f.Name == m.open.name {
			m.folders[i].Status.Known = true
			m.folders[i].Status.Messages = uint32(len(m.open.uids))
			m.folders[i].Status.Unseen = m.open.unseen
		}
	}
	m.clampFolders()
}

func (m *Model) listingLoaded(msg ListingLoadedMsg) tea.Cmd {
	f := m.open
	if msg.Gen != m.gen || f == nil || f.name != msg.Folder {
		return nil // the analyst has moved on
	}
	if msg.Err != nil {
		if !f.loaded {
			f.err = msg.Err
		}
		return common.Error(msg.Err)
	}
	l := msg.Listing
	keepUID, hadCursor := mail.UID(0), f.loaded && len(f.uids) > 0
	if hadCursor {
		keepUID = f.uidAt(f.cursor)
	}
	if f.ref.UIDValidity != 0 && f.ref.UIDValidity != l.Folder.UIDValidity {
		f.env = map[mail.UID]*mail.Envelope{}
		hadCursor = false
	}
	f.ref, f.uids, f.unseen, f.keywords, f.err = l.Folder, l.UIDs, l.Unseen, l.CanStoreKeywords, nil
	f.pending = map[mail.UID]bool{}
	m.pruneEnvelopes()
	for i := range l.Newest {
		e := l.Newest[i]
		f.env[e.UID] = &e
	}
	f.loaded = true
	if hadCursor {
		m.scrollTo(m.rowOf(keepUID, f.cursor))
	} else {
		m.scrollTo(0)
	}
	m.setFolderStatus(mail.FolderStatus{Folder: f.name, Known: true, Messages: uint32(len(f.uids)), Unseen: f.unseen})
	m.acct.Mailbox.Watch(f.name)
	return m.ensureLoaded()
}

// rowOf finds the row showing uid, or falls back to row.
func (m *Model) rowOf(uid mail.UID, fallback int) int {
	f := m.open
	i, found := searchUID(f.uids, uid)
	if !found {
		return min(fallback, len(f.uids)-1)
	}
	return len(f.uids) - 1 - i
}

func searchUID(uids []mail.UID, uid mail.UID) (int, bool) {
	lo, hi := 0, len(uids)
	for lo < hi {
		mid := (lo + hi) / 2
		if uids[mid] < uid {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(uids) && uids[lo] == uid
}

// pruneEnvelopes forgets envelopes of messages that left the folder.
func (m *Model) pruneEnvelopes() {
	f := m.open
	for uid := range f.env {
		if _, ok := searchUID(f.uids, uid); !ok {
			delete(f.env, uid)
		}
	}
}

// ensureLoaded asks for the envelopes of rows on and around the screen
// that we do not have yet: one screen above, two below.
func (m *Model) ensureLoaded() tea.Cmd {
	f := m.open
	if f == nil || !f.loaded || len(f.uids) == 0 {
		return nil
	}
	rows := m.listRows()
	from := max(f.top-rows, 0)
	to := min(f.top+2*rows+1, len(f.uids))
	var missing []mail.UID
	for row := from; row < to && len(missing) < 300; row++ {
		uid := f.uidAt(row)
		if f.env[uid] == nil && !f.pending[uid] {
			missing = append(missing, uid)
			f.pending[uid] = true
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return m.loadEnvelopes(f.ref, m.gen, missing)
}

func (m *Model) envelopesLoaded(msg EnvelopesLoadedMsg) tea.Cmd {
	f := m.open
	if msg.Gen != m.gen || f == nil {
		return nil
	}
	for _, uid := range msg.Asked {
		delete(f.pending, uid)
	}
	if msg.Err != nil {
		if errors.Is(msg.Err, mail.ErrUIDValidityChanged) {
			return m.loadListing(f.name, m.gen, m.prefetch(), false)
		}
		return common.Error(msg.Err)
	}
	for i := range msg.Envelopes {
		e := msg.Envelopes[i]
		if _, ok := searchUID(f.uids, e.UID); ok {
			f.env[e.UID] = &e
		}
	}
	return m.ensureLoaded()
}

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
		if current {
			cmds = append(cmds, m.loadListing(f.name, m.gen, clamp(ev.Count, 1, 200), true))
			cmds = append(cmds, common.Info(fmt.Sprintf("%d new in %s", ev.Count, f.name)))
		}
	case mail.EventExpunged:
		if current {
			cmds = append(cmds, m.loadListing(f.name, m.gen, 0, true))
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

func (m *Model) setFolderStatus(st mail.FolderStatus) {
	for i := range m.folders {
		if m.folders[i].Name == st.Folder {
			m.folders[i].Status = st
		}
	}
}

// toggleSeen flips read state of the current message: at once on screen,
// rolled back if the server refuses.
func (m *Model) toggleSeen() tea.Cmd {
	f := m.open
	if len(f.uids) == 0 {
		return nil
	}
	e := f.env[f.uidAt(f.cursor)]
	if e == nil {
		return nil
	}
	seen := !e.Flags.Seen
	uids := []mail.UID{e.UID}
	m.applySeen(f.ref, uids, seen)
	return m.setSeen(f.ref, uids, seen)
}

func (m *Model) applySeen(ref mail.FolderRef, uids []mail.UID, seen bool) {
	f := m.open
	if f == nil || f.ref != ref {
		return
	}
	for _, uid := range uids {
		e := f.env[uid]
		if e == nil || e.Flags.Seen == seen {
			continue
		}
		cp := *e
		cp.Flags.Seen = seen
		f.env[uid] = &cp
		if seen && f.unseen > 0 {
			f.unseen--
		} else if !seen {
			f.unseen++
		}
	}
	m.setFolderStatus(mail.FolderStatus{Folder: f.name, Known: true, Messages: uint32(len(f.uids)), Unseen: f.unseen})
}

// Status is what the status bar shows about this screen.
type Status struct {
	Account  string
	Folder   string
	Total    int
	Unseen   int
	Loading  bool
	ConnLost bool
}

// Status reports the open folder's counters.
func (m *Model) Status() Status {
	st := Status{Account: m.acct.Name, ConnLost: m.connLost}
	if f := m.open; f != nil {
		st.Folder = f.name
		st.Total = len(f.uids)
		st.Unseen = int(f.unseen)
		st.Loading = !f.loaded && f.err == nil
	}
	return st
}

// FolderNames lists folders, for command completion.
func (m *Model) FolderNames() []string {
	out := make([]string, 0, len(m.folders))
	for _, f := range m.folders {
		out = append(out, f.Name)
	}
	return out
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

// SetCurrentSeen marks the message under the cursor read or unread.
func (m *Model) SetCurrentSeen(seen bool) tea.Cmd {
	f := m.open
	if f == nil || !f.loaded || len(f.uids) == 0 {
		return common.Error(errors.New("no message selected"))
	}
	e := f.env[f.uidAt(f.cursor)]
	if e == nil {
		return common.Error(errors.New("the message is still loading"))
	}
	uids := []mail.UID{e.UID}
	m.applySeen(f.ref, uids, seen)
	return m.setSeen(f.ref, uids, seen)
}
