// Package fortimail is the FortiMail screen (key 3): protected domains
// with their antispam profiles and recipient policies, session and
// antispam profiles (details, edit, create, delete), the greylists, and the
// system, domain and session-profile sender lists.
//
// Every server call is a backend job that answers with a typed message;
// every change to the appliance goes through remediate.Service.Audited and
// is shown (as a diff, or a question) before it is sent.
package fortimail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	bfm "github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

// Tabs of the screen.
const (
	tabDomains = iota
	tabSession
	tabAntispam
	tabGreylist
	tabLists
	numTabs
)

var tabNames = [numTabs]string{"Domains", "Session profiles", "Antispam profiles", "Greylist", "Sender lists"}

// account names the appliance in job and audit records.
const account = "fortimail"

// tab is one tab of the screen.
type tab interface {
	// crumbs is the path shown under the tabs ("Session profiles ›
	// Strict_Inbound").
	crumbs() string
	// load fetches what the tab shows (again).
	load(m *Model) tea.Cmd
	loaded() bool
	// busy reports a load in flight.
	busy() bool
	// update takes the tab's own replies; other messages are ignored.
	update(m *Model, msg tea.Msg) tea.Cmd
	key(m *Model, k tea.KeyPressMsg) tea.Cmd
	// render draws the tab's body in at most h lines.
	render(m *Model, h int) []string
	help(m *Model) []key.Binding
	// summary is a few words for the status bar.
	summary() string
}

// Model is the FortiMail screen.
type Model struct {
	c             *session.Session
	keys          KeyMap
	keyErr        error
	width, height int

	cur  int
	tabs [numTabs]tab
	// typed views of tabs, for moves between them.
	domains  *domainsTab
	session  *profilesTab[bfm.SessionProfile]
	antispam *profilesTab[bfm.AntispamProfile]
	lists    *listsTab

	spin     spinner.Model
	spinning bool

	// shown is closed the first time the screen is drawn: the screen logs
	// in then, not when the console starts.
	shown     chan struct{}
	shownOnce sync.Once

	form    *form
	overlay overlay
}

// shownMsg says the screen was drawn for the first time.
type shownMsg struct{}

// New returns the FortiMail screen; [keys.fortimail] overrides apply.
func New(c *session.Session) *Model {
	m := &Model{c: c, keys: DefaultKeyMap(), shown: make(chan struct{})}
	m.keys.answerDialogKeys(c.Dialog)
	m.keyErr = common.ApplyScopedKeys("fortimail", m.keys.Bindings(), scopes, c.Keys["fortimail"])
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m.domains = &domainsTab{}
	m.session = newSessionTab()
	m.antispam = newAntispamTab()
	m.lists = &listsTab{}
	m.tabs = [numTabs]tab{m.domains, m.session, m.antispam, &greyTab{}, m.lists}
	return m
}

// client is the appliance; nil when FortiMail is not configured.
func (m *Model) client() Gateway {
	if m.c.Gateways.FortiMail == nil { // a nil *Client would be a non-nil Gateway
		return nil
	}
	return m.c.Gateways.FortiMail
}

// Init waits until the screen is first shown, then loads the first tab.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.keyErr != nil {
		cmds = append(cmds, common.Error(m.keyErr))
	}
	shown, ctx := m.shown, m.c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	cmds = append(cmds, func() tea.Msg {
		select {
		case <-shown:
			return shownMsg{}
		case <-ctx.Done():
			return nil
		}
	})
	return tea.Batch(cmds...)
}

func (m *Model) markShown() { m.shownOnce.Do(func() { close(m.shown) }) }

// SetSize gives the screen its area.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Capturing reports that a form, input or question has the keyboard.
func (m *Model) Capturing() bool { return m.form != nil || m.overlay != nil }

// ShowSenderLists switches the console to this screen's sender lists and
// reloads them (the mailbox calls it after a block, say).
func (m *Model) ShowSenderLists() tea.Cmd {
	m.markShown()
	m.form, m.overlay = nil, nil
	m.cur = tabLists
	show := func() tea.Msg { return common.ShowScreenMsg{Name: "fortimail"} }
	return tea.Batch(show, m.lists.load(m))
}

// Status is the status bar's part: what is shown, and a warning while TLS
// verification is off.
func (m *Model) Status() string {
	s := "FortiMail"
	if sum := m.tabs[m.cur].summary(); sum != "" {
		s += " · " + sum
	}
	if m.c.Gateways.FortiMailInsecure {
		s += " · ⚠ " + insecureWarning
	}
	return s
}

const insecureWarning = "TLS NOT VERIFIED (verify_tls = false)"

// ShortHelp is the help bar: the keys of what has the keyboard now.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.overlay != nil:
		return m.overlay.help(k)
	case m.form != nil:
		return m.form.ShortHelp()
	}
	return m.tabs[m.cur].help(m)
}

// FullHelp is the ? screen.
func (m *Model) FullHelp() [][]key.Binding { return m.keys.FullHelp() }

// Update handles keys and the replies of this screen's jobs.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case shownMsg:
		return m, m.ensureLoaded()
	case spinner.TickMsg:
		if msg.ID != m.spin.ID() {
			return m, nil
		}
		if !m.anyBusy() {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	}
	var cmds []tea.Cmd
	for _, t := range m.tabs {
		cmds = append(cmds, t.update(m, msg))
	}
	return m, tea.Batch(cmds...)
}

// ensureLoaded loads the current tab the first time it is shown.
func (m *Model) ensureLoaded() tea.Cmd {
	t := m.tabs[m.cur]
	if t.loaded() || t.busy() {
		return nil
	}
	return t.load(m)
}

func (m *Model) anyBusy() bool {
	if m.form != nil && m.form.busy {
		return true
	}
	for _, t := range m.tabs {
		if t.busy() {
			return true
		}
	}
	return false
}

// spinTick starts the spinner unless it turns already.
func (m *Model) spinTick() tea.Cmd {
	if m.spinning {
		return nil
	}
	m.spinning = true
	return m.spin.Tick
}

func (m *Model) handleKey(k tea.KeyPressMsg) tea.Cmd {
	m.markShown()
	if m.overlay != nil {
		ov := m.overlay
		done, cmd := ov.key(m, k)
		if done && m.overlay == ov {
			m.overlay = nil
		}
		return cmd
	}
	if m.form != nil {
		return m.form.key(m, k)
	}
	switch {
	case key.Matches(k, m.keys.NextTab):
		m.cur = (m.cur + 1) % numTabs
		return m.ensureLoaded()
	case key.Matches(k, m.keys.PrevTab):
		m.cur = (m.cur + numTabs - 1) % numTabs
		return m.ensureLoaded()
	case key.Matches(k, m.keys.Reload):
		return m.tabs[m.cur].load(m)
	}
	return m.tabs[m.cur].key(m, k)
}

// errNotConfigured is what every call says without a client.
var errNotConfigured = errors.New("FortiMail is not configured in this session")

// load runs a read in slot as a quiet background job (the spinner shows
// it), cancelling the read it replaces, and turns its outcome into one
// typed message carrying the slot's ticket: the tab drops it unless
// ticket.Current().
func load[T any](m *Model, slot *common.Slot, name string, fn func(ctx context.Context, c Gateway) (T, error), done func(t common.Ticket, v T, err error) tea.Msg) tea.Cmd {
	c := m.client()
	job := common.Request(m.c.Common, slot, jobs.Spec{Name: "FortiMail: " + name, Account: account, Quiet: true},
		func(ctx context.Context, _ *jobs.Progress) (T, error) {
			var zero T
			if c == nil {
				return zero, errNotConfigured
			}
			return fn(ctx, c)
		},
		done)
	return tea.Batch(job, m.spinTick())
}

// change runs a change to the appliance as an audited job: an intent
// record before the call, a result record after.
func change[T any](m *Model, act remediate.Action, name, detail string, fn func(ctx context.Context, c Gateway) (T, error), done func(v T, err error) tea.Msg) tea.Cmd {
	c, layer := m.client(), m.c.Actions
	ch := action.Change{Name: act, Target: action.Target{Account: account}, Detail: detail}
	return common.RunJob(m.c.Common, jobs.Spec{Name: "FortiMail: " + name, Account: account},
		func(ctx context.Context, _ *jobs.Progress) (T, error) {
			if c == nil {
				var zero T
				return zero, errNotConfigured
			}
			return action.RunValue(ctx, layer, ch, func(ctx context.Context) (T, error) { return fn(ctx, c) })
		},
		func(_ jobs.ID, v T, err error) tea.Msg { return done(v, err) })
}

// failed reports err in the status bar, saying what was being done.
func failed(what string, err error) tea.Cmd {
	return common.Error(fmt.Errorf("%s: %w", what, err))
}

// View draws the screen.
func (m *Model) View() tea.View { return tea.NewView(m.Render()) }

// Render returns exactly height lines, none wider than width.
func (m *Model) Render() string {
	m.markShown()
	h := max(m.height, 1)
	lines := make([]string, 0, h)
	lines = append(lines, m.tabBar(), m.crumbLine())
	body := max(h-len(lines), 0)
	// An overlay takes the bottom; the view above keeps what matters
	// (the focused field, the cursor) in the lines left.
	var ov []string
	if m.overlay != nil {
		ov = m.overlay.lines(m, m.width)
		if len(ov) > body {
			ov = ov[len(ov)-body:]
		}
	}
	room := body - len(ov)
	var content []string
	switch {
	case room <= 0:
	case m.form != nil:
		content = m.form.render(m, room)
	default:
		content = m.tabs[m.cur].render(m, room)
	}
	content = content[:min(len(content), room)]
	for len(content) < room {
		content = append(content, "")
	}
	lines = append(lines, content...)
	lines = append(lines, ov...)
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines[:h] {
		lines[i] = common.PadRight(l, m.width)
	}
	return strings.Join(lines[:h], "\n")
}

func (m *Model) tabBar() string {
	st := m.c.Styles
	var b strings.Builder
	for i, name := range tabNames {
		style := st.Tab
		if i == m.cur {
			style = st.ActiveTab
		}
		if i > 0 {
			b.WriteString(st.Muted.Render(" │"))
		}
		b.WriteString(style.Render(" " + name + " "))
	}
	right := ""
	if m.anyBusy() {
		right = m.spin.View() + " loading"
	}
	return joinEnds(b.String(), st.Accent.Render(right), m.width)
}

func (m *Model) crumbLine() string {
	st := m.c.Styles
	title := txt(" " + m.tabs[m.cur].crumbs())
	if m.form != nil {
		title = txt(" " + m.form.title)
	}
	right := ""
	if m.c.Gateways.FortiMailInsecure {
		right = st.Warning.Render("⚠ " + insecureWarning)
	}
	return joinEnds(common.Render(title, st.Title, st.Marker), right, m.width)
}

// joinEnds puts left and right at the two ends of a w-cell line; the left
// part wins when both do not fit.
func joinEnds(left, right string, w int) string {
	lw, rw := cellWidth(left), cellWidth(right)
	if right == "" || lw+1+rw > w {
		return common.PadRight(left, w)
	}
	return left + strings.Repeat(" ", w-lw-rw) + right
}

// Focus does nothing: the screen loaded its tabs at Init and keeps them.
func (m *Model) Focus() tea.Cmd { return nil }

// Blur does nothing: requests in flight still fill the tabs for when the
// analyst comes back.
func (m *Model) Blur() {}
