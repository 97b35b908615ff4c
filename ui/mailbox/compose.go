package mailbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/compose"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/session"
)

// :send and :reply: a message composed in the console (To, Cc, Bcc,
// subject, body, attached files), previewed, then sent over the
// account's SMTP server or Graph sendMail, audited — the same path as
// `mailtriage send`.

// maxAttachBytes caps what one composed message attaches.
const maxAttachBytes = 25 << 20

// composer is the compose form: one line per header field, the body
// below; the dialog keys move between fields (next_field, prev_field),
// ctrl+s previews, esc cancels.
type composer struct {
	c      *session.Session
	fields []*textinput.Model // To, Cc, Bcc, Subject, Attach
	body   textarea.Model
	focus  int // len(fields) is the body
	reply  compose.Message
	send   key.Binding
	onSend func(compose.Message, []string) tea.Cmd
}

var composeLabels = []string{"To", "Cc", "Bcc", "Subject", "Attach"}

func newComposer(c *session.Session, to, subject, body string, reply compose.Message, onSend func(compose.Message, []string) tea.Cmd) *composer {
	cp := &composer{c: c, reply: reply, onSend: onSend,
		send: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "preview and send"))}
	for i, label := range composeLabels {
		ti := common.SteadyInput()
		ti.Prompt = fmt.Sprintf("%-8s ", label+":")
		ti.CharLimit = 2000
		switch i {
		case 0:
			ti.SetValue(to)
			ti.Placeholder = "addresses, comma-separated"
		case 3:
			ti.SetValue(subject)
		case 4:
			ti.Placeholder = "files to attach, comma-separated paths (~/ is home)"
		}
		cp.fields = append(cp.fields, &ti)
	}
	cp.body = textarea.New()
	cp.body.SetValue(body)
	cp.body.ShowLineNumbers = false
	cp.body.Placeholder = "the message"
	cp.fields[0].Focus()
	return cp
}

func (cp *composer) setFocus(i int) tea.Cmd {
	n := len(cp.fields) + 1
	cp.focus = (i + n) % n
	for j, f := range cp.fields {
		if j == cp.focus {
			f.Focus()
		} else {
			f.Blur()
		}
	}
	if cp.focus == len(cp.fields) {
		return cp.body.Focus()
	}
	cp.body.Blur()
	return nil
}

func (cp *composer) key(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	k := cp.c.Dialog.Or()
	// In the body, the keys it edits with move the text cursor: only the
	// field keys it does not use (tab, shift+tab by default) leave it.
	inBody := cp.focus == len(cp.fields)
	switch {
	case key.Matches(msg, k.Cancel):
		return true, common.Info("not sent")
	case key.Matches(msg, cp.send):
		m, paths, err := cp.message()
		if err != nil {
			return false, common.Error(err)
		}
		return true, cp.onSend(m, paths)
	case !inBody && key.Matches(msg, k.NextField), inBody && key.Matches(msg, cp.bodyExit(k.NextField)):
		return false, cp.setFocus(cp.focus + 1)
	case !inBody && key.Matches(msg, k.PrevField), inBody && key.Matches(msg, cp.bodyExit(k.PrevField)):
		return false, cp.setFocus(cp.focus - 1)
	}
	var cmd tea.Cmd
	if cp.focus == len(cp.fields) {
		cp.body, cmd = cp.body.Update(msg)
		return false, cmd
	}
	*cp.fields[cp.focus], cmd = cp.fields[cp.focus].Update(msg)
	return false, cmd
}

func (cp *composer) help() []key.Binding {
	k := cp.c.Dialog.Or()
	return []key.Binding{k.NextField, k.PrevField, cp.send, k.Cancel}
}

// bodyExit is b without the keys the body edits with — its own line and
// cursor moves, and characters that are typed — so that in the body a
// field key never steals one (down moves a line there; tab leaves).
func (cp *composer) bodyExit(b key.Binding) key.Binding {
	km := cp.body.KeyMap
	edits := []key.Binding{km.LineNext, km.LinePrevious, km.CharacterForward, km.CharacterBackward,
		km.WordForward, km.WordBackward, km.LineStart, km.LineEnd, km.InsertNewline, km.PageUp, km.PageDown}
	var keep []string
	for _, k := range b.Keys() {
		typed := len([]rune(k)) == 1 || k == "space"
		if !typed && !slices.ContainsFunc(edits, func(e key.Binding) bool { return slices.Contains(e.Keys(), k) }) {
			keep = append(keep, k)
		}
	}
	return key.NewBinding(key.WithKeys(keep...))
}

// message is what the form says, checked.
func (cp *composer) message() (compose.Message, []string, error) {
	m := cp.reply
	m.To, m.Cc, m.Bcc = common.SplitList(cp.fields[0].Value()), common.SplitList(cp.fields[1].Value()), common.SplitList(cp.fields[2].Value())
	m.Subject, m.Text = strings.TrimSpace(cp.fields[3].Value()), cp.body.Value()
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return m, nil, errors.New("send: no recipient (To, Cc or Bcc)")
	}
	return m, common.SplitList(cp.fields[4].Value()), nil
}

func (cp *composer) lines(cm *session.Session, w int) []string {
	st := cm.Styles
	out := make([]string, 0, len(cp.fields)+10)
	for _, f := range cp.fields {
		out = append(out, " "+common.EditLine(*f, w-1, st)) // a reply's subject comes from the mail
	}
	cp.body.SetWidth(max(w-4, 10))
	cp.body.SetHeight(6)
	out = append(out, strings.Split(cp.body.View(), "\n")...)
	out = append(out, " "+st.HelpKey.Render("tab")+st.HelpDesc.Render(" next field   ")+st.HelpKey.Render(cp.send.Help().Key)+st.HelpDesc.Render(" preview and send   ")+st.HelpKey.Render("esc")+st.HelpDesc.Render(" cancel"))
	return frame(cm, w, analysis.SanitizeLine("New message (sent as "+cm.Operator+" through the account, audited)"), out)
}

// Compose opens the compose form: to and subject prefilled, and for a
// reply the message it answers.
func (m *Model) Compose(to, subject string, reply *mail.Envelope) tea.Cmd {
	if err := m.c.Actions.Check(remediate.Send); err != nil {
		return common.Error(err)
	}
	base := compose.Message{From: m.acct.FeedbackFrom}
	if reply != nil {
		base.InReplyTo = reply.MessageID
	}
	cp := newComposer(m.c, to, subject, "", base, func(msg compose.Message, paths []string) tea.Cmd {
		return m.previewSend(msg, paths)
	})
	m.overlay = cp
	return nil
}

// previewSend reads the attached files, then shows the message as it
// will leave and asks.
func (m *Model) previewSend(msg compose.Message, paths []string) tea.Cmd {
	total := 0
	for _, p := range paths {
		path, err := action.ExpandHome(p)
		if err != nil {
			return common.Error(err)
		}
		fi, err := os.Stat(path)
		switch {
		case err != nil:
			return common.Error(fmt.Errorf("attach %s: %w", p, err))
		case !fi.Mode().IsRegular():
			return common.Error(fmt.Errorf("attach %s: not a regular file", p))
		case total+int(fi.Size()) > maxAttachBytes:
			return common.Error(fmt.Errorf("attach: more than %d MiB in all", maxAttachBytes>>20))
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return common.Error(fmt.Errorf("attach %s: %w", p, err))
		}
		total += len(data)
		msg.Attachments = append(msg.Attachments, compose.Attachment{Name: filepath.Base(path), Data: data})
	}
	if err := msg.Validate(); err != nil {
		return common.Error(fmt.Errorf("send: %w", err))
	}
	var b bytes.Buffer
	msg.Preview(&b, func(s string) string { return analysis.SanitizeLine(s).String() })
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	q := fmt.Sprintf("Send this message to %d recipient(s)?", len(msg.Recipients()))
	m.overlay = newPreview(m.c, "The message as it will leave", lines, q, func() tea.Cmd { return m.send(msg) })
	return nil
}

// sentMsg is the outcome of a send.
type sentMsg struct {
	account string
	text    string
	err     error
}

func (m *Model) send(msg compose.Message) tea.Cmd {
	layer, acct := m.c.Actions, m.acct
	o := action.Outgoing{Account: acct.Name, Box: acct.Mailbox, Message: msg, SMTP: acct.SMTP,
		Sent: action.FolderWithRole(m.folders, mail.RoleSent), Now: m.c.Now()}
	return common.RunJob(m.c.Common, jobs.Spec{Name: "send " + msg.Subject, Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (string, error) { return layer.Send(ctx, o) },
		func(_ jobs.ID, text string, err error) tea.Msg {
			return sentMsg{account: acct.Name, text: text, err: err}
		})
}

func (m *Model) sent(msg sentMsg) tea.Cmd {
	if msg.err != nil {
		return common.Error(fmt.Errorf("send: %w", msg.err))
	}
	return common.Info(msg.text)
}
