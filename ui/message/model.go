// Package message is the message detail screen: sanitized summary
// headers, the body (HTML shown as text with every link's real target),
// the attachment list, parser warnings, and the raw header block on a
// toggle. Reading uses BODY.PEEK: opening a message does not mark it read.
package message

import (
	"context"
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
)

// LoadedMsg carries a fetched, parsed and sanitized message.
type LoadedMsg struct {
	Gen int
	doc *document
	Err error
}

// Model is the message screen.
type Model struct {
	c    *common.Common
	keys KeyMap

	width, height int

	acct common.Account
	ref  mail.FolderRef
	env  mail.Envelope
	gen  int

	loading bool
	err     error
	doc     *document

	showRaw  bool
	showHTML bool
	offset   int
	lines    []string // rendered for the current width and mode
	linesFor layoutKey
}

// layoutKey is everything the rendered lines depend on.
type layoutKey struct {
	width     int
	raw, html bool
	doc       *document
	styles    *themes.Styles
	seen      bool
}

// New returns an empty message screen.
func New(c *common.Common, keys KeyMap) *Model {
	return &Model{c: c, keys: keys}
}

// Init does nothing until a message is opened.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize gives the screen its area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.clampOffset()
}

// Keys returns the key map, for the help bar.
func (m *Model) Keys() KeyMap { return m.keys }

// Open starts reading a message; the screen shows it when it arrives.
func (m *Model) Open(acct common.Account, ref mail.FolderRef, env mail.Envelope) tea.Cmd {
	m.gen++
	m.acct, m.ref, m.env = acct, ref, env
	m.loading, m.err, m.doc = true, nil, nil
	m.offset, m.showRaw, m.showHTML = 0, false, false
	m.lines = nil
	gen, limit, uid := m.gen, acct.MessageLimit, env.UID
	spec := jobs.Spec{Name: fmt.Sprintf("read message %d", uid), Account: acct.Name, Retries: 1}
	return common.RunJob(m.c, spec,
		func(ctx context.Context, _ *jobs.Progress) (*document, error) {
			raw, err := acct.Mailbox.Fetch(ctx, ref, uid, limit)
			if err != nil {
				return nil, err
			}
			return buildDocument(raw), nil
		},
		func(_ jobs.ID, doc *document, err error) tea.Msg {
			return LoadedMsg{Gen: gen, doc: doc, Err: err}
		})
}

// Update handles keys and the loaded message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.Gen != m.gen {
			return m, nil
		}
		m.loading = false
		m.err = msg.Err
		m.doc = msg.doc
		if m.doc != nil && m.doc.html.Width() > 0 && len(m.doc.text.Segs) == 0 {
			m.showHTML = true
		}
		if msg.Err != nil {
			return m, common.Error(msg.Err)
		}
	case common.SeenChangedMsg:
		if msg.Account == m.acct.Name && msg.Folder == m.ref && m.doc != nil {
			for _, uid := range msg.UIDs {
				if uid == m.env.UID {
					m.doc.flags.Seen = msg.Seen
				}
			}
		}
	case tea.KeyPressMsg:
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

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	page := max(m.height-1, 1)
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return common.BackMsg{} }
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-page)
	case key.Matches(msg, k.PageDown):
		m.scroll(page)
	case key.Matches(msg, k.Top):
		m.offset = 0
	case key.Matches(msg, k.Bottom):
		m.offset = len(m.renderLines())
		m.clampOffset()
	case key.Matches(msg, k.RawHeaders):
		m.showRaw = !m.showRaw
		m.offset = 0
	case key.Matches(msg, k.HTML):
		return m.toggleHTML()
	case key.Matches(msg, k.ToggleRead):
		return m.toggleSeen()
	}
	return nil
}

func (m *Model) toggleHTML() tea.Cmd {
	if m.doc == nil {
		return nil
	}
	if len(m.doc.html.Segs) == 0 {
		return common.Info("this message has no HTML part")
	}
	if len(m.doc.text.Segs) == 0 && m.showHTML {
		return common.Info("this message has no text part")
	}
	m.showHTML = !m.showHTML
	m.offset = 0
	return nil
}

func (m *Model) toggleSeen() tea.Cmd {
	if m.doc == nil {
		return nil
	}
	acct, ref, uids, seen := m.acct, m.ref, []mail.UID{m.env.UID}, !m.doc.flags.Seen
	action := remediate.Unread
	if seen {
		action = remediate.Read
	}
	svc := m.c.Remedy
	req := remediate.Request{Account: acct.Name, Box: acct.Mailbox, Action: action, Folder: ref, UIDs: uids}
	return common.RunJob(m.c, jobs.Spec{Name: "mark " + string(action), Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (struct{}, error) {
			if svc == nil {
				return struct{}{}, errors.New("remediation is not available in this session")
			}
			_, err := svc.Do(ctx, req, nil)
			return struct{}{}, err
		},
		func(_ jobs.ID, _ struct{}, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: err}
			}
			return common.SeenChangedMsg{Account: acct.Name, Folder: ref, UIDs: uids, Seen: seen}
		})
}

func (m *Model) scroll(delta int) {
	m.offset += delta
	m.clampOffset()
}

func (m *Model) clampOffset() {
	maxOff := max(len(m.renderLines())-m.height, 0)
	m.offset = max(min(m.offset, maxOff), 0)
}
