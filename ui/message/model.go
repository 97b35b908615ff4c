// Package message is the message detail screen, laid out as the
// analyst's evidence board: tabs for the summary and risk signals, the
// authentication results, the Received hops, every URL, the attachments
// with their hashes, the header fields and the raw source. An attached
// message opens as a message of its own, on a stack. Reading uses
// BODY.PEEK: opening a message does not mark it read. Nothing a message
// points at is fetched, and nothing is saved or copied unless the analyst
// asks.
package message

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

type tab int

const (
	tabSummary tab = iota
	tabAuth
	tabHops
	tabURLs
	tabAttachments
	tabHeaders
	tabRaw
	tabReport // only for a report: the reporter, their comment, the report's headers
	numTabs
)

var tabNames = [numTabs]string{"Summary", "Auth", "Hops", "URLs", "Attachments", "Headers", "Raw", "Report"}

// tabs are the tabs d shows: the Report tab only when d is a report.
func (d *document) tabs() []tab {
	out := []tab{tabSummary, tabAuth, tabHops, tabURLs, tabAttachments, tabHeaders, tabRaw}
	if d != nil && d.report != nil {
		out = append(out, tabReport)
	}
	return out
}

// maxStack bounds how deep attached messages open inside each other.
const maxStack = 8

// LoadedMsg carries a fetched and analysed message.
type LoadedMsg struct {
	ticket common.Ticket
	doc    *document
	Err    error
}

// asReceivedMsg carries a report analysed as it came (o).
type asReceivedMsg struct {
	ticket common.Ticket
	doc    *document
}

// nestedLoadedMsg carries an attached message, analysed.
type nestedLoadedMsg struct {
	ticket common.Ticket
	depth  int // stack depth it was opened from
	doc    *document
}

// page is one message on the stack with the analyst's place in each tab.
type page struct {
	doc    *document
	tab    tab
	offset [numTabs]int
	cursor [numTabs]int // item cursor (URLs, Attachments)
	html   bool
	filter string // Headers: fields containing it
	search string // Raw: lines containing it
	match  int    // Raw: the current match
}

// Model is the message screen.
type Model struct {
	c    *session.Session
	keys KeyMap

	width, height int

	acct session.Account
	ref  mail.FolderRef
	env  mail.Envelope
	// load and nested are the screen's request slots: the message being
	// read and the attached message being analysed. opened is the load
	// whose message is shown (a save asked about an earlier one is
	// stale).
	load, nested common.Slot
	opened       common.Ticket

	loading bool
	err     error
	stack   []*page // the opened message first, attached messages above it
	prompt  *prompt // an input or question that has the keyboard

	lay    *layout
	layFor layoutKey
}

// New returns an empty message screen.
func New(c *session.Session, keys KeyMap) *Model {
	return &Model{c: c, keys: keys}
}

// Init does nothing until a message is opened.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize gives the screen its area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.clampOffset()
}

// Keys returns the key map.
func (m *Model) Keys() KeyMap { return m.keys }

// FullHelp is the ? screen.
func (m *Model) FullHelp() [][]key.Binding { return m.keys.FullHelp() }

// Status has nothing to add to the mailbox's status line.
func (m *Model) Status() string { return "" }

// Focus does nothing: a message is shown by Open.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur is called when the analyst leaves the message for the list: the
// read or analysis still running is no longer needed.
func (m *Model) Blur() {
	m.load.Cancel()
	m.nested.Cancel()
	m.loading = false
}

// Capturing reports that a prompt has the keyboard: the root then passes
// every key, even q and digits, to the screen.
func (m *Model) Capturing() bool { return m.prompt != nil }

// ShortHelp is the help bar for the tab shown.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.prompt != nil {
		return nil
	}
	out := []key.Binding{k.NextTab, k.PrevTab}
	switch pg := m.page(); {
	case pg == nil:
	case pg.tab == tabURLs:
		out = append(out, k.Down, k.CopyURL, k.CopyRawURL)
	case pg.tab == tabAttachments:
		out = append(out, k.Down, k.Open, k.Save)
	case pg.tab == tabHeaders:
		out = append(out, k.Filter)
	case pg.tab == tabRaw:
		out = append(out, k.Filter, k.NextMatch, k.PrevMatch)
	case pg.tab == tabSummary:
		out = append(out, k.HTML, k.ToggleRead, k.Save)
	default:
		out = append(out, k.Down)
	}
	return append(out, k.Back)
}

// Target is the message the screen shows, for exports: always the message
// opened from the list (an attached message's evidence is part of it).
type Opened struct {
	Account   session.Account
	Folder    mail.FolderRef
	UID       mail.UID
	Raw       []byte
	Truncated bool
}

// Current returns the open message, if one is loaded.
func (m *Model) Current() (Opened, bool) {
	if m.loading || len(m.stack) == 0 {
		return Opened{}, false
	}
	d := m.stack[0].doc
	return Opened{Account: m.acct, Folder: m.ref, UID: m.env.UID, Raw: d.raw, Truncated: d.truncated}, true
}

// act asks the root to run a mailbox action on the open message (the
// root asks first where needed, and says what it acts on).
func (m *Model) act(name remediate.Action) tea.Cmd {
	if _, ok := m.Target(); !ok {
		return common.Info("no message is open")
	}
	return func() tea.Msg { return session.ActMsg{Action: name} }
}

// ReportContext is, when the open message is a report, the report around
// the original the screen shows (for exports); nil otherwise.
func (m *Model) ReportContext() *evidence.ReportContext {
	if len(m.stack) == 0 || m.stack[0].doc.report == nil {
		return nil
	}
	r := m.stack[0].doc.report
	return &evidence.ReportContext{Kind: string(r.kind), ReporterName: r.reporterName, ReporterAddress: r.reporterAddr,
		Subject: r.subjectRaw, Comment: r.commentRaw, CaseKey: r.caseKey, Reconstructed: r.reconstructed}
}

// Envelope is the open message's envelope.
func (m *Model) Envelope() mail.Envelope { return m.env }

// ActionEnvelope is the envelope of what the screen shows and actions
// aim at: for a report, the reported original's (its sender, its
// Message-ID) with the reporters, who are never targets; otherwise the
// message's own.
func (m *Model) ActionEnvelope() (mail.Envelope, []string) {
	if len(m.stack) == 0 || m.stack[0].doc.report == nil {
		return m.env, nil
	}
	r := m.stack[0].doc.report
	return r.original.Envelope(m.env), []string{r.reporterAddr}
}

// Target is the open message as an action's target: the message in its
// folder (an attached message shown on top is part of it, not a target
// of its own). ok is false when no message is open.
func (m *Model) Target() (t action.Target, ok bool) {
	if m.acct.Mailbox == nil || m.env.UID == 0 {
		return action.Target{}, false
	}
	return action.Target{Account: m.acct.Name, Box: m.acct.Mailbox, Folder: m.ref, UIDs: []mail.UID{m.env.UID}, Subject: m.env.Subject}, true
}

func (m *Model) page() *page {
	if len(m.stack) == 0 {
		return nil
	}
	return m.stack[len(m.stack)-1]
}

// Open starts reading a message; the screen shows it when it arrives.
func (m *Model) Open(acct session.Account, ref mail.FolderRef, env mail.Envelope) tea.Cmd {
	m.nested.Cancel()
	m.acct, m.ref, m.env = acct, ref, env
	m.loading, m.err, m.stack, m.prompt, m.opened = true, nil, nil, nil, common.Ticket{}
	limit, uid, lim := acct.MessageLimit, env.UID, m.c.Limits
	spec := jobs.Spec{Name: fmt.Sprintf("read message %d", uid), Account: acct.Name, Retries: 1}
	return common.Request(m.c.Common, &m.load, spec,
		func(ctx context.Context, _ *jobs.Progress) (*document, error) {
			raw, err := acct.Mailbox.Fetch(ctx, ref, uid, limit)
			if err != nil {
				return nil, err
			}
			return buildDocument(raw, lim), nil
		},
		func(t common.Ticket, doc *document, err error) tea.Msg {
			return LoadedMsg{ticket: t, doc: doc, Err: err}
		})
}

// Update handles keys and the loaded message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		if !msg.ticket.Current() {
			return m, nil
		}
		m.loading, m.err, m.opened = false, msg.Err, msg.ticket
		if msg.Err != nil {
			return m, common.Error(msg.Err)
		}
		m.stack = []*page{newPage(msg.doc)}
	case asReceivedMsg:
		if !msg.ticket.Current() || len(m.stack) != 1 || m.stack[0].doc != msg.doc.original {
			return m, nil
		}
		msg.doc.original.asReceived = msg.doc
		m.stack[0] = newPage(msg.doc)
		return m, common.Info("the report as it came — o goes back to the reported original")
	case nestedLoadedMsg:
		if !msg.ticket.Current() || msg.depth != len(m.stack) {
			return m, nil
		}
		m.stack = append(m.stack, newPage(msg.doc))
		return m, common.Info("attached message opened — esc/q goes back to its parent")
	case saveDoneMsg:
		return m, m.saveDone(msg)
	case session.SeenChangedMsg:
		if msg.Account == m.acct.Name && msg.Folder == m.ref && len(m.stack) > 0 {
			for _, uid := range msg.UIDs {
				if uid == m.env.UID {
					m.stack[0].doc.flags.Seen = msg.Seen
				}
			}
		}
	case tea.KeyPressMsg:
		if m.prompt != nil {
			return m, m.promptKey(msg)
		}
		return m, m.handleKey(msg)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
	}
	return m, nil
}

// switchReportView shows a report as it came, or back its reported
// original; on any other message it says there is nothing to switch to.
func (m *Model) switchReportView() tea.Cmd {
	if len(m.stack) != 1 {
		return common.Info("close the attached message first (esc)")
	}
	d := m.stack[0].doc
	switch {
	case d.asReceived != nil:
		m.stack[0] = newPage(d.asReceived)
		return common.Info("the report as it came — o goes back to the reported original")
	case d.asReceivedFrom != nil:
		lim := m.c.Limits
		return common.Request(m.c.Common, &m.nested, jobs.Spec{Name: "analyse the report as it came", Account: m.acct.Name, Quiet: true},
			func(context.Context, *jobs.Progress) (*document, error) { return buildAsReceived(d, lim), nil },
			func(t common.Ticket, r *document, _ error) tea.Msg { return asReceivedMsg{ticket: t, doc: r} })
	case d.original != nil:
		m.stack[0] = newPage(d.original)
		return common.Info("the reported original — o shows the report as it came")
	}
	return common.Info("this message is not a report: there is no other view")
}

func newPage(d *document) *page {
	pg := &page{doc: d}
	// A message with only an HTML body shows it at once.
	if len(d.html.Segs) > 0 && len(d.text.Segs) == 0 {
		pg.html = true
	}
	return pg
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	pg := m.page()
	if key.Matches(msg, k.Back) {
		return m.back(msg.String() == "esc")
	}
	if pg == nil {
		return nil
	}
	page := max(m.bodyHeight()-1, 1)
	switch {
	case key.Matches(msg, k.NextTab):
		m.setTab(nextTab(pg.doc.tabs(), pg.tab, 1))
	case key.Matches(msg, k.PrevTab):
		m.setTab(nextTab(pg.doc.tabs(), pg.tab, -1))
	case key.Matches(msg, k.Headers):
		m.setTab(tabHeaders)
	case key.Matches(msg, k.Up):
		m.step(-1)
	case key.Matches(msg, k.Down):
		m.step(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-page)
	case key.Matches(msg, k.PageDown):
		m.scroll(page)
	case key.Matches(msg, k.Top):
		pg.offset[pg.tab], pg.cursor[pg.tab] = 0, 0
	case key.Matches(msg, k.Bottom):
		pg.offset[pg.tab] = len(m.currentLayout().lines)
		if n := len(m.currentLayout().items); pg.tab == tabURLs || pg.tab == tabAttachments {
			pg.cursor[pg.tab] = max(n-1, 0)
		}
		m.clampOffset()
	case key.Matches(msg, k.HTML):
		return m.toggleHTML()
	case key.Matches(msg, k.ToggleRead):
		return m.toggleSeen()
	case key.Matches(msg, k.Open) && pg.tab == tabAttachments:
		return m.openAttached()
	case key.Matches(msg, k.Save):
		return m.savePrompt()
	case key.Matches(msg, k.AsReceived):
		return m.switchReportView()
	case key.Matches(msg, k.Trash):
		return m.act(remediate.Trash)
	case key.Matches(msg, k.Delete):
		return m.act(remediate.Delete)
	case key.Matches(msg, k.Flag):
		if len(m.stack) > 0 && m.stack[0].doc.flags.Flagged {
			return m.act(remediate.Unflag)
		}
		return m.act(remediate.Flag)
	case key.Matches(msg, k.Report):
		return m.act(remediate.Report)
	case key.Matches(msg, k.Verdict):
		return m.act(remediate.Verdict)
	case key.Matches(msg, k.Feedback):
		return m.act(remediate.FeedbackSend)
	case key.Matches(msg, k.Purge):
		return m.act(remediate.PurgeSoft)
	case key.Matches(msg, k.BlockSender):
		return m.blockSender()
	case key.Matches(msg, k.Track):
		return m.trackInMimecast()
	case key.Matches(msg, k.BlockURL) && pg.tab == tabURLs:
		return m.urlAction(true)
	case key.Matches(msg, k.PermitURL) && pg.tab == tabURLs:
		return m.urlAction(false)
	case key.Matches(msg, k.DecodeURL) && pg.tab == tabURLs:
		return m.decodeURL()
	case key.Matches(msg, k.CopyURL) && pg.tab == tabURLs:
		return m.copyURL(false)
	case key.Matches(msg, k.CopyRawURL) && pg.tab == tabURLs:
		return m.copyURL(true)
	case key.Matches(msg, k.Filter):
		return m.filterPrompt()
	case key.Matches(msg, k.NextMatch) && pg.tab == tabRaw:
		return m.nextMatch(1)
	case key.Matches(msg, k.PrevMatch) && pg.tab == tabRaw:
		return m.nextMatch(-1)
	}
	return nil
}

// back clears the tab's filter or search first (esc only), then closes an
// attached message, then leaves the screen.
func (m *Model) back(esc bool) tea.Cmd {
	if pg := m.page(); pg != nil && esc {
		switch {
		case pg.tab == tabHeaders && pg.filter != "":
			pg.filter, pg.offset[tabHeaders] = "", 0
			return nil
		case pg.tab == tabRaw && pg.search != "":
			pg.search = ""
			return nil
		}
	}
	if len(m.stack) > 1 {
		m.stack = m.stack[:len(m.stack)-1]
		m.clampOffset()
		return nil
	}
	return func() tea.Msg { return common.BackMsg{} }
}

// nextTab is the tab delta places from cur among tabs, wrapping.
func nextTab(tabs []tab, cur tab, delta int) tab {
	i := slices.Index(tabs, cur)
	if i < 0 {
		return tabs[0]
	}
	return tabs[(i+delta+len(tabs))%len(tabs)]
}

func (m *Model) setTab(t tab) {
	if pg := m.page(); pg != nil {
		pg.tab = t
		m.clampOffset()
	}
}

// step moves the item cursor on tabs that have one, and scrolls on the
// others.
func (m *Model) step(delta int) {
	pg := m.page()
	if pg.tab != tabURLs && pg.tab != tabAttachments {
		m.scroll(delta)
		return
	}
	lay := m.currentLayout()
	if len(lay.items) == 0 {
		m.scroll(delta)
		return
	}
	c := clampInt(pg.cursor[pg.tab]+delta, 0, len(lay.items)-1)
	pg.cursor[pg.tab] = c
	m.reveal(lay.items[c])
}

// reveal scrolls just enough to show sp (its top when it is taller than
// the screen).
func (m *Model) reveal(sp span) {
	pg := m.page()
	h := m.bodyHeight()
	off := pg.offset[pg.tab]
	if sp.start+sp.n > off+h {
		off = sp.start + sp.n - h
	}
	if sp.start < off {
		off = sp.start
	}
	pg.offset[pg.tab] = off
	m.clampOffset()
}

func (m *Model) offset() int {
	if pg := m.page(); pg != nil {
		return pg.offset[pg.tab]
	}
	return 0
}

// bodyHeight is the number of lines of the tab on screen.
func (m *Model) bodyHeight() int {
	h := m.height - 1
	if m.prompt != nil {
		h--
	}
	return max(h, 1)
}

func (m *Model) scroll(delta int) {
	if pg := m.page(); pg != nil {
		pg.offset[pg.tab] += delta
		m.clampOffset()
	}
}

func (m *Model) clampOffset() {
	pg := m.page()
	if pg == nil || m.width <= 0 {
		return
	}
	maxOff := max(len(m.currentLayout().lines)-m.bodyHeight(), 0)
	pg.offset[pg.tab] = clampInt(pg.offset[pg.tab], 0, maxOff)
}

func (m *Model) toggleHTML() tea.Cmd {
	pg := m.page()
	d := pg.doc
	if len(d.html.Segs) == 0 {
		return common.Info("this message has no HTML part")
	}
	if len(d.text.Segs) == 0 && pg.html {
		return common.Info("this message has no text part")
	}
	pg.html = !pg.html
	pg.tab, pg.offset[tabSummary] = tabSummary, 0
	return nil
}

// openAttached opens the attachment under the cursor as a message of its
// own, analysed in a job like the message itself.
func (m *Model) openAttached() tea.Cmd {
	pg := m.page()
	i := pg.cursor[tabAttachments]
	part, ok := pg.doc.partFor(i)
	if !ok {
		return nil
	}
	a := pg.doc.ev.Attachments[i]
	if !a.HasFlag(analysis.AttachNestedMessage) {
		return common.Info("this attachment is not a message; s saves it to a file")
	}
	if len(m.stack) >= maxStack {
		return common.Error(fmt.Errorf("attached messages are nested more than %d deep; not opening further", maxStack))
	}
	depth, lim := len(m.stack), m.c.Limits
	title := fmt.Sprintf("%d %s", i+1, a.Name)
	content := part.Content
	return common.Request(m.c.Common, &m.nested, jobs.Spec{Name: "analyse attached message", Account: m.acct.Name, Quiet: true},
		func(context.Context, *jobs.Progress) (*document, error) {
			return buildNested(content, title, lim), nil
		},
		func(t common.Ticket, doc *document, _ error) tea.Msg {
			return nestedLoadedMsg{ticket: t, depth: depth, doc: doc}
		})
}

// copyURL puts the URL under the cursor on the clipboard (OSC 52) — only
// ever on this explicit request. Defanged by default; the live URL only
// when it holds nothing that could not be shown.
func (m *Model) copyURL(live bool) tea.Cmd {
	pg := m.page()
	urls := pg.doc.ev.URLs
	i := pg.cursor[tabURLs]
	if i >= len(urls) {
		return common.Info("no URL to copy")
	}
	u := urls[i]
	text, what := u.Defanged, "defanged URL"
	if live {
		clean, err := analysis.LiveCopyURL(u.URL)
		if err != nil {
			return common.Error(fmt.Errorf("not copied live: %w; y copies it defanged", err))
		}
		text, what = clean, "live URL (careful: it works when pasted)"
	}
	if safe(text).Markers > 0 {
		return common.Error(errors.New("this URL hides characters (shown as markers); not copied"))
	}
	return tea.Batch(tea.SetClipboard(text), common.Info("copied the "+what+" to the clipboard"))
}

func (m *Model) toggleSeen() tea.Cmd {
	if len(m.stack) == 0 {
		return nil
	}
	if len(m.stack) > 1 {
		return common.Info("an attached message has no read state of its own")
	}
	acct, ref, uids, seen := m.acct, m.ref, []mail.UID{m.env.UID}, !m.stack[0].doc.flags.Seen
	action := remediate.Unread
	if seen {
		action = remediate.Read
	}
	layer := m.c.Actions
	req := remediate.Request{Account: acct.Name, Box: acct.Mailbox, Action: action, Folder: ref, UIDs: uids}
	return common.RunJob(m.c.Common, jobs.Spec{Name: "mark " + string(action), Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (struct{}, error) {
			_, err := layer.Do(ctx, req, nil)
			return struct{}{}, err
		},
		func(_ jobs.ID, _ struct{}, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: err}
			}
			return session.SeenChangedMsg{Account: acct.Name, Folder: ref, UIDs: uids, Seen: seen}
		})
}
