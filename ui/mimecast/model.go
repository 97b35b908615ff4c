// Package mimecast is the Mimecast screen: one tab per part of the gateway
// the analyst works with — blocked-sender policies, managed senders,
// managed URLs, profile groups, message tracking, archive search, logs,
// tools (URL decoding, aliases) and the held queue. Every call to the
// server is a background job that answers with a typed message; every
// change is audited (intent before, result after) through the session's
// remediation service; everything the server says is sanitized before it
// is drawn.
package mimecast

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mimecast"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
	"github.com/mailtriage/mailtriage/ui/session"
)

// tabID names a tab, in the order they are shown.
type tabID int

const (
	tabPolicies tabID = iota
	tabSenders
	tabURLs
	tabGroups
	tabTracking
	tabArchive
	tabMessages
	tabLogs
	tabTools
	tabHeld
	tabCount
)

// paneID names a list a tab shows; Groups and Logs have two each.
type paneID int

const (
	panePolicies paneID = iota
	paneSenders
	paneURLs
	paneGroups
	paneMembers
	paneTracking
	paneArchive
	paneMessages
	paneClicks
	paneSearchLogs
	paneHeld
	paneCount
)

// pieceRows is how many rows one load brings. A list is read a piece at
// a time as the analyst scrolls towards its end (the page token says
// where the next piece starts), so no list is ever cut short and none is
// read whole when the analyst only looks at its head.
const pieceRows = 500

// account names the gateway in job records and audit records.
const account = "mimecast"

// pane is one list: its rows, its load state and an open detail page.
type pane struct {
	tbl     table
	loading bool
	loaded  bool
	err     error
	// list and open are the pane's request slots: its rows and the
	// detail page being fetched; a newer load, or esc, makes an older
	// answer stale.
	list, open common.Slot
	user       bool // the analyst asked for the load: a failure goes to the status bar
	detail     *detail
	// next is the page token of the piece after the rows loaded ("" at
	// the end of the list); more loads it with the same query. A new
	// load's more waits in nextMore until its first piece arrives: until
	// then the rows, token and query shown are the old load's.
	next           string
	more, nextMore func(token string) tea.Cmd
	// follow is set by the last-row key: each piece that arrives moves
	// the cursor to its end and asks for the next, to the list's end.
	follow bool
}

// Model is the Mimecast screen.
type Model struct {
	c      *session.Session
	client Gateway // nil when Mimecast is not configured
	keys   KeyMap
	keyErr error

	width, height int
	tab           tabID
	tabs          [tabCount]tab
	panes         [paneCount]*pane

	form    *form
	confirm *confirm

	spinner  spinner.Model
	ticking  bool
	inflight int // changes and lookups running

	limitedUntil time.Time // after a rate-limit answer

	policies []mimecast.Policy
	senders  []mimecast.ManagedSender
	urls     []mimecast.ManagedURL
	urlQuery string
	groups   []mimecast.Group
	groupQ   string
	// groupSource narrows the groups to cloud or ldap ("" both).
	groupSource string
	group       *mimecast.Group // the group whose members are shown
	members     []mimecast.Member
	tracked     []mimecast.TrackedMessage
	trackQ      *mimecast.TrackingQuery
	archive     []mimecast.ArchiveHit
	archiveQ    *mimecast.ArchiveSearch
	messages    []mimecast.ArchiveMessage
	messagesQ   *mimecast.MessageListQuery
	logView     paneID // paneClicks or paneSearchLogs
	clicks      []mimecast.ClickLog
	clickQ      mimecast.ClickLogQuery
	searches    []mimecast.SearchLog
	searchQ     mimecast.SearchLogQuery
	held        []mimecast.HeldMessage
	heldQ       mimecast.HeldQuery
	tools       toolsState
}

// New returns the Mimecast screen for c.Gateways.Mimecast, with the keys
// of [keys.mimecast] applied.
func New(c *session.Session) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), logView: paneClicks,
		heldQ: mimecast.HeldQuery{Admin: true}, tabs: newTabs()}
	if c.Gateways.Mimecast != nil { // a nil *Client would be a non-nil Gateway
		m.client = c.Gateways.Mimecast
	}
	m.keyErr = common.ApplyKeys("mimecast", m.keys.Bindings(), c.Keys["mimecast"])
	m.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	for i := range m.panes {
		m.panes[i] = &pane{}
	}
	m.initColumns()
	return m
}

// Init loads the first tab; a bad key override is reported.
func (m *Model) Init() tea.Cmd {
	if m.keyErr != nil {
		return common.Error(m.keyErr)
	}
	if m.client == nil {
		return nil
	}
	return m.loadTab(m.tab, false)
}

// SetSize gives the screen its area.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Keys returns the key map.
func (m *Model) Keys() KeyMap { return m.keys }

// Capturing is true while a form or a question has the keyboard.
func (m *Model) Capturing() bool { return m.form != nil || m.confirm != nil }

// Status names the auth mode and, on a wide terminal, the tenant; it
// says when the server holds calls back or few calls are left. It is
// short because the status bar also carries the last error.
func (m *Model) Status() string {
	if m.client == nil {
		return "Mimecast not configured"
	}
	now := m.c.Now()
	if now.Before(m.limitedUntil) {
		return fmt.Sprintf("Mimecast · rate limited, calls allowed again in %s", m.limitedUntil.Sub(now).Round(time.Second))
	}
	auth := "HMAC"
	if m.client.Auth() == mimecast.AuthOAuth2 {
		auth = "OAuth2"
	}
	s := "Mimecast · " + auth
	if m.width >= 120 {
		host := m.client.BaseURL()
		if u, err := url.Parse(host); err == nil && u.Host != "" {
			host = u.Host
		}
		s += " · " + host
	}
	if rl := m.client.RateLimit(); rl.Limit > 0 && rl.Remaining*10 < rl.Limit {
		s += fmt.Sprintf(" · %d/%d calls left", rl.Remaining, rl.Limit)
	}
	return s
}

// OpenTracking shows the Tracking tab and searches for messageID (as the
// mailbox asks for the message under its cursor).
func (m *Model) OpenTracking(messageID string) tea.Cmd {
	return m.OpenTrackingAt(messageID, time.Time{})
}

// OpenTrackingAt is OpenTracking for a message sent around when: the
// search window is two days either side (tracking otherwise looks at the
// last day only, and the mail under triage is often older).
func (m *Model) OpenTrackingAt(messageID string, when time.Time) tea.Cmd {
	m.form, m.confirm = nil, nil
	m.tab = tabTracking
	m.panes[paneTracking].detail = nil
	q := &mimecast.TrackingQuery{MessageID: messageID, SearchReason: "triage"}
	if !when.IsZero() {
		q.Start, q.End = when.Add(-48*time.Hour), when.Add(48*time.Hour)
	}
	return tea.Batch(showScreen, m.track(q))
}

// ShowManagedSenders shows the Managed senders tab with a fresh list
// (after the mailbox blocked a sender, say).
func (m *Model) ShowManagedSenders() tea.Cmd {
	m.form, m.confirm = nil, nil
	m.tab = tabSenders
	return tea.Batch(showScreen, m.loadTab(tabSenders, true))
}

func showScreen() tea.Msg { return common.ShowScreenMsg{Name: "mimecast"} }

// current is the pane the open tab shows (nil for Tools).
func (m *Model) current() *pane {
	if id, ok := m.paneOf(m.tab); ok {
		return m.panes[id]
	}
	return nil
}

func (m *Model) paneOf(t tabID) (paneID, bool) { return m.tabs[t].list(m) }

// Update handles keys and the answers of the jobs this screen started.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.client == nil {
			return m, nil
		}
		return m, m.handleKey(msg)
	case spinner.TickMsg:
		if msg.ID != m.spinner.ID() {
			return m, nil
		}
		if !m.busy() {
			m.ticking = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case changedMsg:
		return m, m.changed(msg)
	}
	return m, m.answer(msg)
}

func (m *Model) busy() bool {
	if m.inflight > 0 {
		return true
	}
	for _, p := range m.panes {
		if p.loading {
			return true
		}
	}
	return false
}

// spin starts the spinner unless it turns already.
func (m *Model) spin() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	return m.spinner.Tick
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if c := m.confirm; c != nil {
		done, cmd := c.key(msg)
		if done && m.confirm == c {
			m.confirm = nil
		}
		return cmd
	}
	if f := m.form; f != nil {
		done, cmd := f.Key(msg)
		if done && m.form == f {
			m.form = nil
		}
		return cmd
	}
	k := m.keys
	p := m.current()
	visible := m.listRows()
	if p != nil && key.Matches(msg, k.Back) {
		// esc also abandons a detail page still on its way.
		p.open.Cancel()
	}
	if p != nil && p.detail != nil {
		switch {
		case key.Matches(msg, k.Back):
			p.detail = nil
			return nil
		case key.Matches(msg, k.Up):
			p.detail.scroll(-1, visible)
			return nil
		case key.Matches(msg, k.Down):
			p.detail.scroll(1, visible)
			return nil
		case key.Matches(msg, k.PageUp):
			p.detail.scroll(-visible, visible)
			return nil
		case key.Matches(msg, k.PageDown):
			p.detail.scroll(visible, visible)
			return nil
		case key.Matches(msg, k.NextTab), key.Matches(msg, k.PrevTab):
		default:
			return nil
		}
	}
	switch {
	case key.Matches(msg, k.NextTab):
		return m.switchTab((m.tab + 1) % tabCount)
	case key.Matches(msg, k.PrevTab):
		return m.switchTab((m.tab + tabCount - 1) % tabCount)
	case key.Matches(msg, k.Reload):
		return m.loadTab(m.tab, true)
	}
	if p != nil && m.moveKey(p, msg, visible) {
		id, _ := m.paneOf(m.tab)
		return m.moreIfNear(id)
	}
	return m.tabKey(msg)
}

// moveKey moves p's cursor for a movement key and says whether msg was
// one. The last-row key also follows the list to its real end.
func (m *Model) moveKey(p *pane, msg tea.KeyPressMsg, visible int) bool {
	k := m.keys
	t := &p.tbl
	var delta int
	switch {
	case key.Matches(msg, k.Up):
		delta = -1
	case key.Matches(msg, k.Down):
		delta = 1
	case key.Matches(msg, k.PageUp):
		delta = -visible
	case key.Matches(msg, k.PageDown):
		delta = visible
	case key.Matches(msg, k.Top):
		delta = -len(t.rows)
	case key.Matches(msg, k.Bottom):
		delta = len(t.rows)
	default:
		return false
	}
	p.follow = key.Matches(msg, k.Bottom) && p.next != ""
	t.move(delta, visible)
	return true
}

// moreIfNear loads the next piece of pane id when there is one and the
// cursor is within two screens of the last row loaded, so rows arrive
// before the analyst reaches the end of what is there.
func (m *Model) moreIfNear(id paneID) tea.Cmd {
	p := m.panes[id]
	if p.follow && !p.loading {
		p.tbl.move(len(p.tbl.rows), m.listRows())
		p.follow = p.next != ""
	}
	if p.next == "" || p.loading || p.more == nil {
		return nil
	}
	if len(p.tbl.rows)-1-p.tbl.cursor > 2*m.listRows() {
		return nil
	}
	return p.more(p.next)
}

// switchTab shows tab t, loading its list the first time.
func (m *Model) switchTab(t tabID) tea.Cmd {
	m.tab = t
	if t == tabTracking && m.trackQ == nil || t == tabArchive && m.archiveQ == nil || t == tabMessages && m.messagesQ == nil {
		return nil // nothing to show until the analyst searches
	}
	if p := m.current(); p != nil && !p.loaded && !p.loading && p.err == nil {
		return m.loadTab(t, true)
	}
	return nil
}

// tabKey is the open tab's own keys.
func (m *Model) tabKey(msg tea.KeyPressMsg) tea.Cmd { return m.tabs[m.tab].key(m, msg) }

// loadTab (re)loads what tab t shows; user says the analyst asked.
func (m *Model) loadTab(t tabID, user bool) tea.Cmd { return m.tabs[t].load(m, user) }

// loadedMsg carries a piece of a list for a pane, tagged with the load's
// generation; appended says it continues the rows already there.
type loadedMsg[T any] struct {
	pane     paneID
	ticket   common.Ticket
	items    []T
	next     string
	appended bool
	err      error
}

// lister reads one piece of a list with opts (which bound it and say where
// it starts and hand back where the next piece starts).
type lister[T any] func(ctx context.Context, cl Gateway, opts mimecast.ListOptions) ([]T, error)

// load reads the first piece of pane id's list with fn as a job; its
// answer is a loadedMsg[T]. The pane keeps fn to read the pieces after.
func load[T any](m *Model, id paneID, what string, user bool, fn lister[T]) tea.Cmd {
	p := m.panes[id]
	p.follow = false
	p.nextMore = func(token string) tea.Cmd { return loadPiece(m, id, what, true, token, fn) }
	return loadPiece(m, id, what, user, "", fn)
}

// piece is one load's rows and where the list goes on.
type piece[T any] struct {
	items []T
	next  string
}

// loadPiece reads the piece of pane id's list that starts at token ("":
// the list's head).
func loadPiece[T any](m *Model, id paneID, what string, user bool, token string, fn lister[T]) tea.Cmd {
	p := m.panes[id]
	p.loading, p.user, p.err = true, user, nil
	cl := m.client
	job := common.Request(m.c.Common, &p.list, jobs.Spec{Name: "mimecast: " + what, Account: account, Quiet: !user},
		func(ctx context.Context, _ *jobs.Progress) (piece[T], error) {
			var next string
			items, err := fn(ctx, cl, mimecast.ListOptions{Max: pieceRows, PageToken: token, Next: &next})
			return piece[T]{items: items, next: next}, err
		},
		func(t common.Ticket, got piece[T], err error) tea.Msg {
			if err != nil {
				err = fmt.Errorf("%s: %w", what, err)
			}
			return loadedMsg[T]{pane: id, ticket: t, items: got.items, next: got.next, appended: token != "", err: err}
		})
	return tea.Batch(job, m.spin())
}

// arrived settles pane id after an answer and says whether its items
// should be taken.
func (m *Model) arrived(id paneID, t common.Ticket, err error) (bool, tea.Cmd) {
	p := m.panes[id]
	if !t.Current() {
		return false, nil // an older load; a newer one is on its way
	}
	p.loading = false
	if err != nil {
		p.err = err
		m.noteLimit(err)
		if p.user {
			return false, common.Error(err)
		}
		return false, nil
	}
	p.err, p.loaded = nil, true
	return true, nil
}

// answer takes the typed answers of load jobs.
func (m *Model) answer(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg[mimecast.Policy]:
		return take(m, msg, &m.policies)
	case loadedMsg[mimecast.ManagedSender]:
		return take(m, msg, &m.senders)
	case loadedMsg[mimecast.ManagedURL]:
		return take(m, msg, &m.urls)
	case loadedMsg[mimecast.Group]:
		return take(m, msg, &m.groups)
	case loadedMsg[mimecast.Member]:
		return take(m, msg, &m.members)
	case loadedMsg[mimecast.TrackedMessage]:
		return take(m, msg, &m.tracked)
	case loadedMsg[mimecast.ArchiveHit]:
		return take(m, msg, &m.archive)
	case loadedMsg[mimecast.ArchiveMessage]:
		return take(m, msg, &m.messages)
	case loadedMsg[mimecast.ClickLog]:
		return take(m, msg, &m.clicks)
	case loadedMsg[mimecast.SearchLog]:
		return take(m, msg, &m.searches)
	case loadedMsg[mimecast.HeldMessage]:
		return take(m, msg, &m.held)
	case detailMsg:
		m.inflight--
		if !msg.ticket.Current() {
			return nil // the analyst left, or asked for another page
		}
		if msg.err != nil {
			m.noteLimit(msg.err)
			return common.Error(msg.err)
		}
		m.panes[msg.pane].detail = msg.detail
		return nil
	case toolsMsg:
		return m.toolsAnswer(msg)
	}
	return nil
}

// take settles a piece of a list into dst: the head of a list replaces
// what was there, a later piece is added to its end. A cursor near the
// end (or following it) asks for the piece after.
func take[T any](m *Model, msg loadedMsg[T], dst *[]T) tea.Cmd {
	ok, cmd := m.arrived(msg.pane, msg.ticket, msg.err)
	if !ok {
		return cmd
	}
	p := m.panes[msg.pane]
	if msg.appended {
		*dst = append(*dst, msg.items...)
	} else {
		*dst, p.more = msg.items, p.nextMore
	}
	p.next = msg.next
	p.tbl.setRows(m.rowsOf(msg.pane))
	return tea.Batch(cmd, m.moreIfNear(msg.pane))
}

// noteLimit remembers a rate-limit answer for the status line.
func (m *Model) noteLimit(err error) {
	var rl *mimecast.RateLimitError
	if errors.As(err, &rl) {
		m.limitedUntil = m.c.Now().Add(rl.Reset)
	}
}

// detailMsg carries a detail page fetched from the server.
type detailMsg struct {
	pane   paneID
	ticket common.Ticket
	detail *detail
	err    error
}

// fetchDetail runs fn as a job and opens its page on pane id.
func (m *Model) fetchDetail(id paneID, what string, fn func(ctx context.Context, cl Gateway) (*detail, error)) tea.Cmd {
	cl := m.client
	m.inflight++
	job := common.Request(m.c.Common, &m.panes[id].open, jobs.Spec{Name: "mimecast: " + what, Account: account},
		func(ctx context.Context, _ *jobs.Progress) (*detail, error) { return fn(ctx, cl) },
		func(t common.Ticket, d *detail, err error) tea.Msg {
			if err != nil {
				err = fmt.Errorf("%s: %w", what, err)
			}
			return detailMsg{pane: id, ticket: t, detail: d, err: err}
		})
	return tea.Batch(job, m.spin())
}

// changedMsg is the outcome of a change on the gateway.
type changedMsg struct {
	note   string
	err    error
	reload []tabID
}

// change runs fn on the gateway through the action layer: the intent is
// audited before anything is sent and the result after; detail says what
// to whom.
func (m *Model) change(name remediate.Action, detail string, reload []tabID, fn func(ctx context.Context, cl Gateway) (string, error)) tea.Cmd {
	layer, cl := m.c.Actions, m.client
	ch := action.Change{Name: name, Target: action.Target{Account: account}, Detail: detail}
	short := strings.TrimPrefix(string(name), "mimecast-")
	m.inflight++
	job := common.RunJob(m.c.Common, jobs.Spec{Name: "mimecast: " + short + " " + detail, Account: account},
		func(ctx context.Context, _ *jobs.Progress) (string, error) {
			return action.RunValue(ctx, layer, ch, func(ctx context.Context) (string, error) { return fn(ctx, cl) })
		},
		func(_ jobs.ID, note string, err error) tea.Msg {
			if err != nil {
				err = fmt.Errorf("%s: %w", short, err)
			}
			return changedMsg{note: note, err: err, reload: reload}
		})
	return tea.Batch(job, m.spin())
}

// senderAction and urlAction name the managed-sender and managed-URL
// changes for the audit and the role check.
func senderAction(a mimecast.SenderAction) remediate.Action {
	if a == mimecast.SenderPermit {
		return remediate.MimecastPermitSender
	}
	return remediate.MimecastBlockSender
}

func urlAction(a mimecast.URLAction) remediate.Action {
	if a == mimecast.URLPermit {
		return remediate.MimecastPermitURL
	}
	return remediate.MimecastBlockURL
}

func (m *Model) changed(msg changedMsg) tea.Cmd {
	m.inflight--
	if msg.err != nil {
		m.noteLimit(msg.err)
		if errors.Is(msg.err, mimecast.ErrUncertain) {
			// The change may be in place: show the list as it is now.
			cmds := []tea.Cmd{common.Error(msg.err)}
			for _, t := range msg.reload {
				cmds = append(cmds, m.loadTab(t, false))
			}
			return tea.Batch(cmds...)
		}
		return common.Error(msg.err)
	}
	cmds := []tea.Cmd{common.Info(msg.note)}
	for _, t := range msg.reload {
		cmds = append(cmds, m.loadTab(t, true))
	}
	return tea.Batch(cmds...)
}

// ask opens a (y/N) question.
func (m *Model) ask(text string, onYes func() tea.Cmd) {
	m.confirm = &confirm{q: components.NewConfirm(m.c.Dialog, text, onYes)}
}

// selected returns the index of the row under the cursor of pane id, or
// -1 when the list is empty.
func (m *Model) selected(id paneID, n int) int {
	c := m.panes[id].tbl.cursor
	if c < 0 || c >= n {
		return -1
	}
	return c
}

// ShortHelp is the help bar: the open tab's keys.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.form != nil || m.confirm != nil {
		return nil
	}
	if p := m.current(); p != nil && p.detail != nil {
		return []key.Binding{with(k.Back, "back"), k.Down, k.Up, k.NextTab}
	}
	return append(m.tabHelp(), k.NextTab)
}

// FullHelp is the ? screen: moving, tabs, then every tab's actions.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.NextTab, k.PrevTab, k.Open, k.Back, k.Reload, k.Search},
		{with(k.New, "new policy / group / member"), with(k.Edit, "edit policy / group"), with(k.Delete, "delete policy / URL / group / member"),
			with(k.Block, "block sender / URL"), with(k.Permit, "permit sender / URL")},
		{with(k.Release, "release held"), with(k.Reject, "reject held"), k.Decode, k.Aliases, with(k.View, "click / search logs"),
			with(k.ByID, "message info / archive detail by id")},
	}
}

func (m *Model) tabHelp() []key.Binding { return m.tabs[m.tab].help(m) }

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// Focus does nothing: the screen loaded its tabs at Init and keeps them.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur does nothing: requests in flight still fill the tabs for when the
// analyst comes back.
func (m *Model) Blur() {}
