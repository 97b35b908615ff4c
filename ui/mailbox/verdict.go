package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/verdict"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// Verdicts and replies to reporters. J (or :verdict NAME) gives every
// report of the case under the cursor — or of each case in the selection
// — a verdict, kept on the server as a keyword (or by folder where the
// server stores no keywords), audited and undoable with u. W (or
// :feedback) then answers each distinct reporter once, from the verdict's
// template, after showing the replies.

// casesMsg carries the cases found for a verdict or for feedback.
type casesMsg struct {
	account string
	ticket  common.Ticket
	verdict string // "" for feedback
	cases   []verdict.Case
	skipped int // messages in the target that are no reports
	err     error
}

// PickVerdict offers the configured verdicts for the list's target, or,
// with open set, for the case of that one report (the open message).
func (m *Model) PickVerdict(open *action.Target) tea.Cmd {
	if err := m.c.Actions.Check(remediate.Verdict); err != nil {
		return common.Error(err)
	}
	if open == nil {
		if _, err := m.Target(); err != nil {
			return common.Error(err)
		}
	}
	items := make([]components.PickItem, 0, len(m.c.Verdicts))
	for _, v := range m.c.Verdicts {
		it := components.PickItem{Label: v.Name, Value: v.Name}
		if v.Folder != "" {
			it.Note = "(→ " + v.Folder + ")"
		}
		items = append(items, it)
	}
	m.overlay = newPicker(m.c, analysis.Plain("verdict on the reports — pick one"), items, false, func(it components.PickItem, _ string) tea.Cmd {
		if open != nil {
			return m.VerdictOn(*open, it.Value)
		}
		return m.GiveVerdict(it.Value)
	})
	return nil
}

// GiveVerdict reads the list's target and groups it into cases, then
// asks before giving each case verdict name.
func (m *Model) GiveVerdict(name string) tea.Cmd {
	if _, err := m.c.Verdicts.Lookup(name); err != nil {
		return common.Error(fmt.Errorf("%w (verdicts: %s)", err, strings.Join(m.c.Verdicts.Names(), ", ")))
	}
	t, err := m.Target()
	if err != nil {
		return common.Error(err)
	}
	return m.casesOf(t, name)
}

// VerdictOn gives the case of one report (the open message) verdict
// name: the other reports of its case are found on the server.
func (m *Model) VerdictOn(t action.Target, name string) tea.Cmd {
	if _, err := m.c.Verdicts.Lookup(name); err != nil {
		return common.Error(err)
	}
	return m.findCaseOf(t, name)
}

// findCaseOf finds, on the server, every report of the case of t's one
// report, for a verdict (name) or for feedback ("").
func (m *Model) findCaseOf(t action.Target, name string) tea.Cmd {
	acct := m.acct
	opt := verdict.Options{MaxBytes: acct.MessageLimit}
	return common.Request(m.c.Common, &m.req.cases, jobs.Spec{Name: "find the case of " + t.Describe(), Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) ([]verdict.Case, error) {
			c, err := verdict.FindCase(ctx, acct.Name, acct.Mailbox, t.Folder, t.UIDs[0], opt)
			return []verdict.Case{c}, err
		},
		func(tk common.Ticket, cases []verdict.Case, err error) tea.Msg {
			return casesMsg{account: acct.Name, ticket: tk, verdict: name, cases: cases, err: err}
		})
}

// Feedback answers the reporters of the target's cases that have a
// verdict.
func (m *Model) Feedback() tea.Cmd {
	if err := m.c.Actions.Check(remediate.FeedbackSend); err != nil {
		return common.Error(err)
	}
	t, err := m.Target()
	if err != nil {
		return common.Error(err)
	}
	return m.casesOf(t, "")
}

// casesOf finds the cases of the list's target. A target that is one
// report, or the reports of one phish, is completed on the server (the
// list may not have loaded every report of it); a wider selection is
// grouped as it is.
func (m *Model) casesOf(t action.Target, name string) tea.Cmd {
	if t.Cases <= 1 {
		first := t
		first.UIDs = t.UIDs[:1]
		return m.findCaseOf(first, name)
	}
	return m.findCases(t, name)
}

func (m *Model) findCases(t action.Target, name string) tea.Cmd {
	acct := m.acct
	opt := verdict.Options{MaxBytes: acct.MessageLimit}
	return common.Request(m.c.Common, &m.req.cases, jobs.Spec{Name: "read the reports of " + t.Describe(), Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (verdict.Scan, error) {
			return verdict.Cases(ctx, acct.Name, acct.Mailbox, t.Folder, t.UIDs, opt)
		},
		func(tk common.Ticket, s verdict.Scan, err error) tea.Msg {
			return casesMsg{account: acct.Name, ticket: tk, verdict: name, cases: s.Cases, skipped: len(s.NotReports), err: err}
		})
}

// casesFound asks before the verdict (or shows the replies before
// feedback).
func (m *Model) casesFound(msg casesMsg) tea.Cmd {
	switch {
	case !msg.ticket.Current():
		return nil // another case was asked for, or the folder was left
	case msg.err != nil:
		return common.Error(fmt.Errorf("reading the reports: %w", msg.err))
	case len(msg.cases) == 0:
		return common.Error(errors.New("no report here: a verdict and replies are for reports that carry a reported original"))
	case msg.verdict == "":
		return m.previewFeedback(msg.cases)
	}
	v, _ := m.c.Verdicts.Lookup(msg.verdict)
	question := verdict.Question(msg.cases[0], v)
	if len(msg.cases) > 1 {
		n := 0
		for _, c := range msg.cases {
			n += len(c.Reports)
		}
		question = fmt.Sprintf("Verdict %s on %d reports of %d phish in %s?", v.Name, n, len(msg.cases), msg.cases[0].Folder.Name)
	}
	if msg.skipped > 0 {
		question += fmt.Sprintf(" (%d selected messages are no reports and are left alone)", msg.skipped)
	}
	cases := msg.cases
	m.overlay = newConfirm(m.c.Dialog, question, func() tea.Cmd { return m.applyVerdict(cases, v) })
	return nil
}

// verdictDoneMsg is the outcome of a verdict on cases.
type verdictDoneMsg struct {
	account string
	results []verdict.Result
	err     error
}

func (m *Model) applyVerdict(cases []verdict.Case, v verdict.Verdict) tea.Cmd {
	layer, set, acct := m.c.Actions, m.c.Verdicts, m.acct.Name
	return common.RunJob(m.c.Common, jobs.Spec{Name: "verdict " + v.Name, Account: acct},
		func(ctx context.Context, p *jobs.Progress) ([]verdict.Result, error) {
			var out []verdict.Result
			for i, c := range cases {
				r, err := verdict.Apply(ctx, layer, c, v, set)
				if err != nil {
					return out, err
				}
				out = append(out, r)
				p.Set(i+1, len(cases))
			}
			return out, nil
		},
		func(_ jobs.ID, rs []verdict.Result, err error) tea.Msg {
			return verdictDoneMsg{account: acct, results: rs, err: err}
		})
}

func (m *Model) verdictDone(msg verdictDoneMsg) tea.Cmd {
	for i := range msg.results {
		r := msg.results[i]
		m.pushUndo(undoEntry{verdict: &r})
	}
	cmds := []tea.Cmd{m.reload()}
	if msg.err != nil {
		return tea.Batch(append(cmds, common.Error(fmt.Errorf("verdict: %d case(s) done: %w", len(msg.results), msg.err)))...)
	}
	text := msg.results[0].Summary()
	if len(msg.results) > 1 {
		text = fmt.Sprintf("verdict %s on %d cases", msg.results[0].Verdict, len(msg.results))
	}
	return tea.Batch(append(cmds, common.Info(text+" — u undoes, "+m.keys.Feedback.Help().Key+" answers the reporters"))...)
}

// undoVerdict takes a verdict back.
func (m *Model) undoVerdict(r verdict.Result) tea.Cmd {
	layer, acct := m.c.Actions, m.acct.Name
	return common.RunJob(m.c.Common, jobs.Spec{Name: "undo verdict " + r.Verdict, Account: acct},
		func(ctx context.Context, _ *jobs.Progress) (string, error) { return verdict.Undo(ctx, layer, r) },
		func(_ jobs.ID, text string, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: fmt.Errorf("undo verdict: %w", err)}
			}
			return reloadMsg{account: acct, info: "undone: " + text}
		})
}

// reloadMsg asks the list to reload and say info.
type reloadMsg struct {
	account string
	info    string
}

// feedbackPreviewMsg carries the replies a verdict would send.
type feedbackPreviewMsg struct {
	account  string
	previews []verdict.Preview
	err      error
}

// previewFeedback renders the replies of every case with a verdict.
func (m *Model) previewFeedback(cases []verdict.Case) tea.Cmd {
	layer, set, acct, analyst, now := m.c.Actions, m.c.Verdicts, m.acct, m.c.Operator, m.c.Now()
	key := m.keys.Verdict.Help().Key
	return common.RunJob(m.c.Common, jobs.Spec{Name: "prepare replies to reporters", Account: acct.Name, Quiet: true},
		func(context.Context, *jobs.Progress) ([]verdict.Preview, error) {
			var out []verdict.Preview
			for _, c := range cases {
				name := c.Verdict(set)
				if name == "" {
					continue
				}
				v, _ := set.Lookup(name)
				p, err := verdict.Prepare(layer, c, v, verdict.Compose{From: acct.FeedbackFrom, Analyst: analyst, Now: now})
				if err != nil {
					return out, err
				}
				out = append(out, p)
			}
			if len(out) == 0 {
				return nil, errors.New("no verdict on these reports yet: give one first (" + key + ")")
			}
			return out, nil
		},
		func(_ jobs.ID, ps []verdict.Preview, err error) tea.Msg {
			return feedbackPreviewMsg{account: acct.Name, previews: ps, err: err}
		})
}

// feedbackPreviewed shows every reply as it will be sent, then asks.
func (m *Model) feedbackPreviewed(msg feedbackPreviewMsg) tea.Cmd {
	if msg.err != nil {
		return common.Error(msg.err)
	}
	var lines []string
	replies := 0
	for _, p := range msg.previews {
		for _, r := range p.Replies {
			replies++
			lines = append(lines, "To: "+r.To.Addr+"   Subject: "+r.Subject)
			for i, l := range strings.Split(strings.TrimRight(r.Body, "\n"), "\n") {
				if i >= 6 {
					lines = append(lines, "  …")
					break
				}
				lines = append(lines, "  "+l)
			}
		}
		for _, s := range p.Skipped {
			lines = append(lines, "not answered: "+s.Address+" — "+s.Why)
		}
	}
	if replies == 0 {
		m.ShowInfo("Replies to reporters", lines)
		return common.Info("no reporter to answer: every one was answered already, or cannot be")
	}
	previews := msg.previews
	question := msg.previews[0].Question()
	if len(msg.previews) > 1 {
		question = fmt.Sprintf("Send %d replies to reporters of %d cases?", replies, len(msg.previews))
	}
	m.overlay = newPreview(m.c, "Replies to reporters (links from the phish are defanged)", lines, question, func() tea.Cmd { return m.sendFeedback(previews) })
	return nil
}

// feedbackSentMsg is the outcome of sending replies.
type feedbackSentMsg struct {
	account string
	sent    []verdict.Sent
	err     error
}

func (m *Model) sendFeedback(previews []verdict.Preview) tea.Cmd {
	layer, acct := m.c.Actions, m.acct
	return common.RunJob(m.c.Common, jobs.Spec{Name: "reply to reporters", Account: acct.Name},
		func(ctx context.Context, p *jobs.Progress) ([]verdict.Sent, error) {
			sender, err := verdict.SenderFor(acct.Mailbox, acct.SMTP)
			if err != nil {
				return nil, err
			}
			var out []verdict.Sent
			for i, pv := range previews {
				s, err := verdict.Send(ctx, layer, pv, sender)
				out = append(out, s)
				if err != nil {
					return out, err
				}
				p.Set(i+1, len(previews))
			}
			return out, nil
		},
		func(_ jobs.ID, sent []verdict.Sent, err error) tea.Msg {
			return feedbackSentMsg{account: acct.Name, sent: sent, err: err}
		})
}

func (m *Model) feedbackSent(msg feedbackSentMsg) tea.Cmd {
	n := 0
	for _, s := range msg.sent {
		n += len(s.To)
	}
	if msg.err != nil {
		return tea.Batch(m.reload(), common.Error(fmt.Errorf("replies: %d sent, then: %w", n, msg.err)))
	}
	return tea.Batch(m.reload(), common.Info(fmt.Sprintf("answered %d reporter(s); their reports are marked so no one answers twice", n)))
}

// FeedbackOn answers the reporters of the case of one report (the open
// message).
func (m *Model) FeedbackOn(t action.Target) tea.Cmd {
	if err := m.c.Actions.Check(remediate.FeedbackSend); err != nil {
		return common.Error(err)
	}
	return m.findCaseOf(t, "")
}
