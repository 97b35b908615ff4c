package message

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

type promptKind int

const (
	promptFilter  promptKind = iota // Headers: filter the fields
	promptSearch                    // Raw: search the source
	promptSave                      // the path to save to
	promptConfirm                   // a question (components.Confirm)
)

// prompt is the line at the bottom of the screen that has the keyboard:
// an input, or a yes/no question.
type prompt struct {
	kind promptKind
	ti   textinput.Model
	save saveReq
	// q is the question of promptConfirm, answered with the dialog keys
	// (or its own choices).
	q *components.Confirm
}

// saveReq is something the analyst asked to write to a file.
type saveReq struct {
	opened common.Ticket // the message it was asked about
	name   action.Name   // SaveAttachment or SaveMessage
	what   string        // "attachment 2 (invoice.zip)", "the message (.eml)"
	data   []byte
	path   string
}

func newInput(label, value, placeholder string) textinput.Model {
	ti := common.SteadyInput()
	ti.Prompt = label
	ti.Placeholder = placeholder
	ti.CharLimit = 1000
	ti.SetValue(value)
	ti.Focus()
	return ti
}

func (p *prompt) view(st *themes.Styles, w int) string {
	if p.kind == promptConfirm {
		return st.Warning.Render(safe(p.q.Question()).String()) + "  " + p.q.Hint(st)
	}
	p.ti.SetWidth(max(w-len([]rune(p.ti.Prompt))-2, 10))
	return p.ti.View()
}

func (m *Model) open(p *prompt) tea.Cmd {
	m.prompt = p
	m.clampOffset()
	return nil
}

// confirm asks q on the prompt line.
func (m *Model) confirm(q *components.Confirm) tea.Cmd {
	return m.open(&prompt{kind: promptConfirm, q: q})
}

func (m *Model) closePrompt() {
	m.prompt = nil
	m.clampOffset()
}

// filterPrompt asks what to filter the header fields by (Headers tab) or
// what to search the source for (Raw tab); elsewhere it goes to Headers.
func (m *Model) filterPrompt() tea.Cmd {
	pg := m.page()
	switch pg.tab {
	case tabRaw:
		return m.open(&prompt{kind: promptSearch, ti: newInput("search source /", pg.search, "text to find; n/N next/previous")})
	case tabHeaders:
	default:
		pg.tab = tabHeaders
	}
	return m.open(&prompt{kind: promptFilter, ti: newInput("filter headers /", pg.filter, "name or value, e.g. received")})
}

// savePrompt asks where to save the attachment under the cursor
// (Attachments tab) or the whole message as .eml (any other tab). The
// suggested name is ours, never the sender's.
func (m *Model) savePrompt() tea.Cmd {
	pg := m.page()
	req := saveReq{opened: m.opened, name: remediate.SaveMessage}
	var suggest string
	if i := pg.cursor[tabAttachments]; pg.tab == tabAttachments {
		part, ok := pg.doc.partFor(i)
		if !ok {
			return common.Info("no attachment to save")
		}
		a := pg.doc.ev.Attachments[i]
		req.name = remediate.SaveAttachment
		req.what = fmt.Sprintf("attachment %d (%s)", i+1, safe(a.Name).String())
		req.data = part.Content
		suggest = fmt.Sprintf("attachment-%s%s", short(a.SHA256), safeExt(a.Extension))
	} else {
		req.what = "the message (.eml)"
		req.data = pg.doc.raw
		suggest = fmt.Sprintf("message-%d.eml", m.env.UID)
		if len(m.stack) > 1 {
			req.what = "the attached message (.eml)"
			suggest = fmt.Sprintf("attached-message-%d.eml", m.env.UID)
		}
	}
	return m.open(&prompt{kind: promptSave, save: req,
		ti: newInput("save "+req.what+" to: ", suggest, "a path; nothing is opened or run")})
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

var plainExt = regexp.MustCompile(`^[a-z0-9]{1,8}$`)

// safeExt keeps an extension that is plain letters and digits; the file
// is evidence, so a program's extension is kept with ".bin" after it.
func safeExt(ext string) string {
	ext = strings.TrimPrefix(strings.ToLower(ext), ".")
	if !plainExt.MatchString(ext) {
		return ".bin"
	}
	return "." + ext + ".bin"
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	if p.kind == promptConfirm {
		done, cmd := p.q.Key(msg)
		if done && m.prompt == p {
			m.closePrompt()
		}
		return cmd
	}
	k := m.c.Dialog.Or()
	switch {
	case key.Matches(msg, k.Cancel):
		m.closePrompt()
		return nil
	case key.Matches(msg, k.Submit):
		m.closePrompt()
		return m.submit(p, strings.TrimSpace(p.ti.Value()))
	}
	var cmd tea.Cmd
	p.ti, cmd = p.ti.Update(msg)
	return cmd
}

func (m *Model) submit(p *prompt, value string) tea.Cmd {
	pg := m.page()
	if pg == nil {
		return nil
	}
	switch p.kind {
	case promptFilter:
		pg.filter, pg.offset[tabHeaders] = value, 0
	case promptSearch:
		pg.search, pg.match = value, 0
		if value == "" {
			return nil
		}
		return m.nextMatch(0)
	case promptSave:
		if value == "" {
			return common.Info("not saved: no path given")
		}
		req := p.save
		req.path = value
		return m.save(req, false)
	}
	return nil
}

// nextMatch moves to the next (delta 1), previous (-1) or current (0)
// match of the source search.
func (m *Model) nextMatch(delta int) tea.Cmd {
	pg := m.page()
	if pg.search == "" {
		return common.Info("/ searches the source first")
	}
	lay := m.currentLayout()
	n := len(lay.matches)
	if n == 0 {
		return common.Info(fmt.Sprintf("%q is not in the source", safe(pg.search).String()))
	}
	pg.match = ((pg.match+delta)%n + n) % n
	m.reveal(lay.items[lay.matches[pg.match]])
	return common.Info(fmt.Sprintf("match %d of %d", pg.match+1, n))
}

type saveDoneMsg struct {
	req    saveReq
	path   string // as written, ~ expanded
	exists bool
	err    error
}

// save writes the file in a job: never over an existing file unless the
// analyst said yes to replacing it.
func (m *Model) save(req saveReq, overwrite bool) tea.Cmd {
	layer := m.c.Actions
	t, _ := m.Target()
	f := action.File{Name: req.name, Target: t, Path: req.path, Replace: overwrite, What: req.what,
		Write: func(w io.Writer) error { _, err := w.Write(req.data); return err }}
	return common.RunJob(m.c.Common, jobs.Spec{Name: "save " + req.what, Account: m.acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (string, error) { return layer.WriteFile(ctx, f) },
		func(_ jobs.ID, path string, err error) tea.Msg {
			return saveDoneMsg{req: req, path: path, exists: errors.Is(err, action.ErrExists), err: err}
		})
}

func (m *Model) saveDone(msg saveDoneMsg) tea.Cmd {
	switch {
	case msg.exists:
		if msg.req.opened != m.opened {
			return common.Error(fmt.Errorf("not saved: %s already exists", msg.path))
		}
		req := msg.req
		m.confirm(components.NewConfirm(m.c.Dialog, msg.path+" exists — replace it?", func() tea.Cmd { return m.save(req, true) }))
		return nil
	case msg.err != nil:
		return common.Error(fmt.Errorf("save %s: %w", msg.req.what, msg.err))
	}
	return common.Info(fmt.Sprintf("saved %s, %s, to %s (mode 0600; not opened)", msg.req.what, humanBytes(int64(len(msg.req.data))), msg.path))
}
