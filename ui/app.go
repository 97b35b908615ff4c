// Package ui is the console's root model: it routes keys to the active
// screen and backend replies to the screen that asked, and draws the frame
// around them (tab bar, status bar, help bar, command line, help screen).
package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/verdict"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
	fortimailui "github.com/mailtriage/mailtriage/ui/fortimail"
	jobsui "github.com/mailtriage/mailtriage/ui/jobs"
	"github.com/mailtriage/mailtriage/ui/mailbox"
	"github.com/mailtriage/mailtriage/ui/message"
	mimecastui "github.com/mailtriage/mailtriage/ui/mimecast"
	"github.com/mailtriage/mailtriage/ui/session"
)

type screen int

const (
	screenMailbox screen = iota
	screenMessage
	screenMimecast
	screenFortiMail
	screenJobs
	numScreens
)

// Options configure a console session.
type Options struct {
	Accounts []session.Account
	Initial  int // index of the account shown first
	// Theme is a built-in theme name or "auto" (follow the terminal).
	Theme  string
	Colors map[string]string
	// Keys are per-screen overrides: screen → action → keys.
	Keys     map[string]map[string][]string
	Ctx      context.Context
	Now      func() time.Time
	Operator string
	// Remedy carries out and audits remediations; nil disables them.
	Remedy *remediate.Service
	// Gateways are the configured Mimecast and FortiMail clients.
	Gateways session.Gateways
	// Limits tune and bound the analysis of a message.
	Limits evidence.Limits
	// Verdicts are what :verdict offers (default: phishing, spam, clean,
	// simulation).
	Verdicts verdict.Set
	// Environ is the session's environment (NO_COLOR is honoured).
	Environ []string
	// Jobs runs the session's backend jobs (default: a runner of its
	// own). The SSH server passes one so that it can wait for a session's
	// jobs to end before it lets the session go.
	Jobs *jobs.Runner
}

// Model is the root of the console.
type Model struct {
	c    *session.Session
	opts Options
	keys GlobalKeys

	width, height int
	screen        screen

	active  int
	boxes   []*mailbox.Model // one per account, created when first shown
	message *message.Model
	jobs    *jobsui.Model
	// screens holds every screen by its number; the mailbox slot is the
	// active account's, and a gateway that is not configured has none.
	screens [numScreens]common.Screen
	// focusCmd is what the screen just shown asked for (Focus); Update
	// hands it on.
	focusCmd   tea.Cmd
	boxKeys    mailbox.KeyMap
	help       help.Model
	helpBar    helpBar
	helpScreen helpScreen
	commands   []command // the `:` commands
	showHelp   bool
	helpOffset int

	cmd       textinput.Model
	cmdActive bool

	// dialog is a question the root asks (about the open message); it
	// has the keyboard while it is open.
	dialog *components.Confirm
	// panelReq is the calendar or contacts being read for the panel.
	panelReq common.Slot

	flash    string
	flashErr bool
	flashID  int

	theme     themes.Theme
	autoTheme bool
}

// New builds the console. It fails on a bad theme, colour or key
// override, naming the setting.
func New(opts Options) (*Model, error) {
	if len(opts.Accounts) == 0 {
		return nil, fmt.Errorf("no accounts to show")
	}
	if opts.Ctx == nil {
		opts.Ctx = context.Background()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	theme, auto, err := pickTheme(opts)
	if err != nil {
		return nil, err
	}
	if opts.Jobs == nil {
		opts.Jobs = jobs.NewRunner(200)
	}
	c := &session.Session{
		Common:  &common.Common{Ctx: opts.Ctx, Styles: themes.NewStyles(theme), Jobs: opts.Jobs, Keys: opts.Keys, Now: opts.Now, Operator: opts.Operator},
		Actions: &action.Layer{Remedy: opts.Remedy}, Gateways: opts.Gateways, Limits: opts.Limits, Verdicts: opts.Verdicts,
	}
	if len(c.Verdicts) == 0 {
		c.Verdicts = verdict.DefaultSet()
	}
	m := &Model{c: c, opts: opts, theme: theme, autoTheme: auto, active: opts.Initial, commands: commandTable()}
	if err := m.buildKeys(); err != nil {
		return nil, err
	}
	m.boxes = make([]*mailbox.Model, len(opts.Accounts))
	m.help = help.New()
	m.applyHelpStyles()
	m.cmd = textinput.New()
	m.cmd.Prompt = ":"
	m.cmd.ShowSuggestions = true
	return m, nil
}

func (m *Model) buildKeys() error {
	m.keys = DefaultGlobalKeys()
	if err := common.ApplyKeys("global", m.keys.Bindings(), m.opts.Keys["global"]); err != nil {
		return err
	}
	m.boxKeys = mailbox.DefaultKeyMap()
	if err := common.ApplyKeys("mailbox", m.boxKeys.Bindings(), m.opts.Keys["mailbox"]); err != nil {
		return err
	}
	mk := message.DefaultKeyMap()
	if err := common.ApplyScopedKeys("message", mk.Bindings(), message.Scopes, m.opts.Keys["message"]); err != nil {
		return err
	}
	m.c.Dialog = common.DefaultDialogKeys()
	if err := common.ApplyScopedKeys("dialog", m.c.Dialog.Bindings(), common.DialogScopes, m.opts.Keys["dialog"]); err != nil {
		return err
	}
	jk := jobsui.DefaultKeyMap()
	if err := common.ApplyKeys("jobs", jk.Bindings(), m.opts.Keys["jobs"]); err != nil {
		return err
	}
	for screen := range m.opts.Keys {
		switch screen {
		case "global", "mailbox", "message", "jobs", "mimecast", "fortimail", "dialog":
			// The gateway screens apply [keys.mimecast] and
			// [keys.fortimail] themselves (common.ApplyKeys).
		default:
			return fmt.Errorf("keys.%s: unknown screen (screens: global, mailbox, message, jobs, mimecast, fortimail, dialog)", screen)
		}
	}
	m.message = message.New(m.c, mk)
	m.jobs = jobsui.New(m.c.Common, jk)
	m.screens[screenMessage], m.screens[screenJobs] = m.message, m.jobs
	if m.c.Gateways.Mimecast != nil {
		m.screens[screenMimecast] = mimecastui.New(m.c)
	}
	if m.c.Gateways.FortiMail != nil {
		m.screens[screenFortiMail] = fortimailui.New(m.c)
	}
	return nil
}

// current returns the screen shown now; nil for a gateway that is not
// configured.
func (m *Model) current() common.Screen {
	if m.screen == screenMailbox {
		return m.box()
	}
	return m.screens[m.screen]
}

// show switches to screen s: the screen left is blurred (it cancels what
// it no longer needs), the one shown focused.
func (m *Model) show(s screen) {
	if s == m.screen {
		return
	}
	if old := m.current(); old != nil {
		old.Blur()
	}
	m.screen = s
	if cur := m.current(); cur != nil {
		m.focusCmd = tea.Batch(m.focusCmd, cur.Focus())
	}
}

// gatewayScreens are the hosted gateway screens that exist.
func (m *Model) gatewayScreens() []common.Screen {
	var out []common.Screen
	for _, s := range []screen{screenMimecast, screenFortiMail} {
		if m.screens[s] != nil {
			out = append(out, m.screens[s])
		}
	}
	return out
}

// pickTheme honours NO_COLOR first, then the configured theme; "auto"
// starts dark and follows the terminal's background once it answers.
func pickTheme(opts Options) (themes.Theme, bool, error) {
	if noColor(opts.Environ) {
		t, err := themes.Builtin("none")
		return t, false, err
	}
	name, auto := opts.Theme, false
	if name == "" || name == "auto" {
		name, auto = "dark", true
	}
	t, err := themes.Builtin(name)
	if err != nil {
		return t, false, fmt.Errorf("theme: %w", err)
	}
	t, err = t.Override(opts.Colors)
	return t, auto, err
}

// remote reports a session reached over SSH.
func remote(environ []string) bool {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "SSH_TTY=") || strings.HasPrefix(kv, "SSH_CONNECTION=") {
			return true
		}
	}
	return environ == nil && (os.Getenv("SSH_TTY") != "" || os.Getenv("SSH_CONNECTION") != "")
}

func noColor(environ []string) bool {
	if environ == nil {
		_, set := os.LookupEnv("NO_COLOR")
		return set && os.Getenv("NO_COLOR") != ""
	}
	for _, kv := range environ {
		if len(kv) > len("NO_COLOR=") && kv[:len("NO_COLOR=")] == "NO_COLOR=" {
			return true
		}
	}
	return false
}

// Init opens the first account and starts following jobs.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.box().Init(), waitJobs(m.c.Ctx, m.c.Jobs)}
	for _, s := range m.gatewayScreens() {
		cmds = append(cmds, s.Init())
	}
	if m.autoTheme && !remote(m.opts.Environ) {
		// Over SSH the answer may arrive before the client's terminal is
		// in raw mode and be echoed on screen: keep the dark theme there.
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// box returns the active account's mailbox screen, creating it on first use.
func (m *Model) box() *mailbox.Model {
	if m.boxes[m.active] == nil {
		m.boxes[m.active] = mailbox.New(m.c, m.opts.Accounts[m.active], m.boxKeys)
		m.layout()
	}
	m.screens[screenMailbox] = m.boxes[m.active]
	return m.boxes[m.active]
}

type jobsChangedMsg struct{}

type clearFlashMsg struct{ id int }

// waitJobs wakes the UI when any job starts, progresses or ends, and
// gives up when the session ends (over SSH, a waiter left behind would
// outlive its session).
func waitJobs(ctx context.Context, r *jobs.Runner) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-r.Changed():
			return jobsChangedMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

// Update routes a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.route(msg)
	if m.focusCmd != nil {
		cmd, m.focusCmd = tea.Batch(cmd, m.focusCmd), nil
	}
	return m, cmd
}

func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return nil
	case tea.BackgroundColorMsg:
		if m.autoTheme && !msg.IsDark() {
			m.setTheme("light")
		}
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		return m.routeToScreen(msg)
	case jobsChangedMsg:
		m.jobs.SetJobs(m.c.Jobs.Snapshot())
		return waitJobs(m.c.Ctx, m.c.Jobs)
	case common.ErrorMsg:
		return m.setFlash(msg.Err.Error(), true)
	case common.InfoMsg:
		return m.setFlash(msg.Text, false)
	case clearFlashMsg:
		if msg.id == m.flashID && !m.flashErr {
			m.flash = ""
		}
		return nil
	case session.OpenMessageMsg:
		return m.openMessage(msg)
	case common.BackMsg:
		m.show(screenMailbox)
		return nil
	case session.TrackMsg:
		if t, ok := m.screens[screenMimecast].(*mimecastui.Model); ok {
			m.show(screenMimecast)
			return t.OpenTrackingAt(msg.MessageID, msg.Date)
		}
		return m.setFlash("the Mimecast screens are not available in this session", true)
	case panelMsg:
		return m.showPanel(msg)
	case session.ActMsg:
		switch msg.Action {
		case remediate.Report:
			return m.cmdReport("")
		case remediate.Verdict:
			return m.cmdVerdict("")
		case remediate.FeedbackSend:
			return m.cmdFeedback("")
		case remediate.PurgeSoft:
			return m.cmdPurge("")
		}
		return m.remedy(msg.Action, "", "")
	case session.BlockSenderMsg:
		m.show(screenMailbox)
		return m.box().BlockSenders(msg.Target, []*mail.Envelope{msg.Envelope}, msg.Reporters)
	case common.ShowScreenMsg:
		switch msg.Name {
		case "mimecast":
			m.show(screenMimecast)
		case "fortimail":
			m.show(screenFortiMail)
		}
		return nil
	}
	return m.broadcast(msg)
}

// broadcast hands backend replies to every screen; each keeps only what
// it asked for.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, b := range m.boxes {
		if b != nil {
			_, cmd := b.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	for _, s := range append([]common.Screen{m.message, m.jobs}, m.gatewayScreens()...) {
		_, cmd := s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) openMessage(msg session.OpenMessageMsg) tea.Cmd {
	for _, a := range m.opts.Accounts {
		if a.Name == msg.Account {
			m.show(screenMessage)
			return m.message.Open(a, msg.Folder, msg.Envelope)
		}
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.cmdActive {
		return m.commandKey(msg)
	}
	if m.dialog != nil {
		d := m.dialog
		done, cmd := d.Key(msg)
		if done && m.dialog == d {
			m.dialog = nil
		}
		return cmd
	}
	if m.showHelp {
		return m.helpKey(msg)
	}
	if s := m.current(); s != nil && s.Capturing() {
		return m.routeToScreen(msg)
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.ForceQuit):
		return tea.Quit
	case key.Matches(msg, k.Redraw):
		// Line noise or a terminal that scrolled under us (seen over SSH
		// on a loaded machine): paint everything again.
		return tea.ClearScreen
	case key.Matches(msg, k.Command):
		return m.openCommandLine()
	case key.Matches(msg, k.Help):
		m.showHelp, m.helpOffset = true, 0
		return nil
	case key.Matches(msg, k.Mailbox):
		m.show(screenMailbox)
		return nil
	case key.Matches(msg, k.Mimecast):
		m.show(screenMimecast)
		return nil
	case key.Matches(msg, k.FortiMail):
		m.show(screenFortiMail)
		return nil
	case key.Matches(msg, k.Jobs):
		m.show(screenJobs)
		return nil
	case key.Matches(msg, k.Account):
		return m.switchAccount((m.active + 1) % len(m.opts.Accounts))
	case key.Matches(msg, k.Quit) && m.screen != screenMessage:
		return tea.Quit
	}
	return m.routeToScreen(msg)
}

// helpKey scrolls the help screen (it can be taller than a small
// terminal) with the dialog's scroll keys; any other key closes it.
func (m *Model) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	d, page := m.c.Dialog.Or(), max(m.height-4, 1)
	switch {
	case key.Matches(msg, m.keys.ForceQuit):
		return tea.Quit
	case key.Matches(msg, d.ScrollDown):
		m.helpOffset++
	case key.Matches(msg, d.ScrollUp):
		m.helpOffset = max(m.helpOffset-1, 0)
	case key.Matches(msg, d.PageDown):
		m.helpOffset += page
	case key.Matches(msg, d.PageUp):
		m.helpOffset = max(m.helpOffset-page, 0)
	default:
		m.showHelp = false
	}
	m.helpOffset = min(m.helpOffset, max(len(m.helpLines())-m.bodyHeight(), 0))
	return nil
}

// bodyHeight is the screen area between the tab bar and the status and
// help bars.
func (m *Model) bodyHeight() int { return max(m.height-3, 1) }

func (m *Model) routeToScreen(msg tea.Msg) tea.Cmd {
	s := m.current()
	if s == nil {
		return nil
	}
	_, cmd := s.Update(msg)
	return cmd
}

func (m *Model) switchAccount(i int) tea.Cmd {
	if i == m.active && m.boxes[i] != nil {
		return nil
	}
	// The account left stops what it asked about its open folder (on
	// its own connections); show cannot see it go when the mailbox
	// screen stays the one shown.
	if old := m.boxes[m.active]; old != nil {
		old.Leave()
	}
	m.panelReq.Cancel() // the calendar or contacts of the account left
	wasShown := m.screen == screenMailbox
	m.active = i
	m.show(screenMailbox)
	fresh := m.boxes[i] == nil
	b := m.box()
	info := common.Info("account " + m.opts.Accounts[i].Name)
	if fresh {
		return tea.Batch(b.Init(), info)
	}
	if wasShown {
		return tea.Batch(b.Focus(), info)
	}
	return info
}

func (m *Model) setFlash(text string, isErr bool) tea.Cmd {
	m.flashID++
	m.flash, m.flashErr = text, isErr
	if isErr {
		return nil // errors stay until something else is said
	}
	id := m.flashID
	return tea.Tick(5*time.Second, func(time.Time) tea.Msg { return clearFlashMsg{id: id} })
}

func (m *Model) setTheme(name string) error {
	t, err := themes.Builtin(name)
	if err != nil {
		return err
	}
	if t, err = t.Override(m.opts.Colors); err != nil {
		return err
	}
	m.theme = t
	*m.c.Styles = *themes.NewStyles(t)
	m.applyHelpStyles()
	// The styles changed in place, behind the pointer every screen holds:
	// screens that keep drawn lines drop them.
	for _, s := range m.allScreens() {
		if r, ok := s.(restyler); ok {
			r.InvalidateStyles()
		}
	}
	return nil
}

// restyler is a screen that keeps lines drawn in the current styles.
type restyler interface{ InvalidateStyles() }

var (
	_ restyler = (*mailbox.Model)(nil)
	_ restyler = (*message.Model)(nil)
)

// allScreens is every screen built so far: each account's mailbox, the
// message, the jobs and the gateway screens.
func (m *Model) allScreens() []common.Screen {
	out := []common.Screen{m.message, m.jobs}
	for _, b := range m.boxes {
		if b != nil {
			out = append(out, b)
		}
	}
	return append(out, m.gatewayScreens()...)
}

func (m *Model) applyHelpStyles() {
	st := m.c.Styles
	m.help.Styles = help.Styles{
		Ellipsis: st.HelpSep.Style, ShortKey: st.HelpKey.Style, ShortDesc: st.HelpDesc.Style, ShortSeparator: st.HelpSep.Style,
		FullKey: st.HelpKey.Style, FullDesc: st.HelpDesc.Style, FullSeparator: st.HelpSep.Style,
	}
	m.helpBar, m.helpScreen = helpBar{}, helpScreen{} // drawn in the old styles
}

// layout hands each screen its area: a tab bar above, status and help
// bars below.
func (m *Model) layout() {
	body := m.bodyHeight()
	for _, b := range m.boxes {
		if b != nil {
			b.SetSize(m.width, body)
		}
	}
	for _, s := range append([]common.Screen{m.message, m.jobs}, m.gatewayScreens()...) {
		s.SetSize(m.width, body)
	}
	m.help.SetWidth(m.width)
	m.cmd.SetWidth(max(m.width-2, 10))
}
