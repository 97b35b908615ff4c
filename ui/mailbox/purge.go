package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/purge"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
)

// Purge every copy: Z (or :purge) finds every copy of the message under
// the cursor — a report's original, by its Message-ID — in every mailbox
// of the tenant (Graph) or every folder of this mailbox (IMAP), shows the
// plan, and on the analyst's word moves them to Recoverable Items (y),
// to Junk (j), or deletes them for good (H, asked twice, admins only).
// u puts soft- and junk-purged copies back.

// purgeDone is a purge applied, for undo.
type purgeDone struct {
	plan *purge.Plan
	mode purge.Mode
}

// planMsg carries a purge plan.
type planMsg struct {
	account string
	plan    *purge.Plan
	err     error
}

// resultMsg carries what applying (or undoing) a purge did.
type purgeResultMsg struct {
	account string
	plan    *purge.Plan
	mode    purge.Mode
	undo    bool
	result  purge.Result
	err     error
}

// PurgeMessageID plans the purge of every copy of messageID.
func (m *Model) PurgeMessageID(messageID string) tea.Cmd {
	if err := m.c.Actions.Check(remediate.PurgeSoft); err != nil {
		return common.Error(err)
	}
	id, err := purge.NormalizeID(messageID)
	if err != nil {
		return common.Error(fmt.Errorf("purge: %w", err))
	}
	acct, opts := m.acct, m.purgeOptions("")
	return common.RunJob(m.c.Common, jobs.Spec{Name: "purge: find every copy of " + id, Account: acct.Name},
		func(ctx context.Context, p *jobs.Progress) (*purge.Plan, error) {
			opts.Progress = func(pr purge.Progress) { p.Set(pr.Done, pr.Total) }
			pg, release := purge.New(acct.Mailbox, opts)
			defer release()
			return pg.Plan(ctx, id)
		},
		func(_ jobs.ID, plan *purge.Plan, err error) tea.Msg {
			return planMsg{account: acct.Name, plan: plan, err: err}
		})
}

// Purge plans the purge of the message under the cursor (for a report,
// its original).
func (m *Model) Purge() tea.Cmd {
	t, err := m.Target()
	if err != nil {
		return common.Error(err)
	}
	e := m.open.env[t.UIDs[0]]
	if e == nil {
		return common.Error(errors.New("this message's envelope is still loading"))
	}
	id := m.shown(e).MessageID
	if id == "" {
		return common.Error(errors.New("this message has no Message-ID to look for"))
	}
	return m.PurgeMessageID(id)
}

func (m *Model) purgeOptions(confirm string) purge.Options {
	g := purge.Guard{Internal: m.c.Limits.Signals.InternalDomains, Protected: m.c.Limits.Signals.ProtectedDomains}
	if _, d, ok := strings.Cut(m.acct.Address, "@"); ok {
		g.Own = []string{d}
	}
	return purge.Options{Actions: m.c.Actions, Account: m.acct.Name, Address: m.acct.Address, Guard: g, Confirm: confirm}
}

// planned shows the plan and asks how to purge.
func (m *Model) planned(msg planMsg) tea.Cmd {
	if msg.plan == nil {
		return common.Error(fmt.Errorf("purge: %w", msg.err))
	}
	p := msg.plan
	warn := ""
	if msg.err != nil || !p.Complete() {
		warn = " — the search is not complete, only what was found would be purged"
	}
	if p.Open() == 0 {
		return common.Info("purge: no copy to purge (" + p.Summary() + ")" + warn)
	}
	where := "this mailbox only"
	if p.Scope == purge.ScopeTenant {
		where = "the tenant"
	}
	q := fmt.Sprintf("Purge every copy of %s in %s: %s%s.", p.MessageID, where, p.Summary(), warn)
	junk := key.NewBinding(key.WithKeys("j"), key.WithHelp("j", "to Junk"))
	hard := key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "delete for good"))
	m.overlay = newConfirm(m.c.Dialog, q+" y: to Recoverable Items",
		func() tea.Cmd { return m.applyPurge(p, purge.Soft, "") },
		components.Choice{Key: junk, Label: "to Junk", Run: func() tea.Cmd { return m.applyPurge(p, purge.Junk, "") }},
		components.Choice{Key: hard, Label: "delete for good", Run: func() tea.Cmd { return m.askHardPurge(p) }})
	return nil
}

// askHardPurge asks a second time, naming the count: a permanent delete
// across mailboxes cannot be undone.
func (m *Model) askHardPurge(p *purge.Plan) tea.Cmd {
	if err := m.c.Actions.Check(remediate.PurgeHard); err != nil {
		return common.Error(err)
	}
	q := fmt.Sprintf("Delete %d copies of %s for good, in %d mailboxes? This cannot be undone.", p.Open(), p.MessageID, len(p.Boxes))
	m.overlay = newConfirm(m.c.Dialog, q, func() tea.Cmd { return m.applyPurge(p, purge.Hard, "") })
	return nil
}

func (m *Model) applyPurge(p *purge.Plan, mode purge.Mode, confirm string) tea.Cmd {
	acct, opts := m.acct, m.purgeOptions(confirm)
	return common.RunJob(m.c.Common, jobs.Spec{Name: fmt.Sprintf("purge %s: %d copies", mode, p.Open()), Account: acct.Name},
		func(ctx context.Context, pj *jobs.Progress) (purge.Result, error) {
			opts.Progress = func(pr purge.Progress) { pj.Set(pr.Done, pr.Total) }
			pg, release := purge.New(acct.Mailbox, opts)
			defer release()
			return pg.Apply(ctx, p, mode)
		},
		func(_ jobs.ID, r purge.Result, err error) tea.Msg {
			return purgeResultMsg{account: acct.Name, plan: p, mode: mode, result: r, err: err}
		})
}

func (m *Model) undoPurge(d purgeDone) tea.Cmd {
	acct, opts := m.acct, m.purgeOptions("")
	return common.RunJob(m.c.Common, jobs.Spec{Name: "undo purge of " + d.plan.MessageID, Account: acct.Name},
		func(ctx context.Context, pj *jobs.Progress) (purge.Result, error) {
			pg, release := purge.New(acct.Mailbox, opts)
			defer release()
			return pg.Undo(ctx, d.plan)
		},
		func(_ jobs.ID, r purge.Result, err error) tea.Msg {
			return purgeResultMsg{account: acct.Name, plan: d.plan, mode: d.mode, undo: true, result: r, err: err}
		})
}

// purged says what happened; a guard stop asks for the domain typed.
func (m *Model) purged(msg purgeResultMsg) tea.Cmd {
	var ge *purge.GuardError
	if errors.As(msg.err, &ge) && !msg.undo {
		c := ge.Concerns[0]
		p, mode := msg.plan, msg.mode
		in := newInput(m.c, "Stopped: "+c.Why+". Type "+c.Domain+" to purge anyway: ", "", "esc cancels", func(typed string) tea.Cmd {
			return m.applyPurge(p, mode, typed)
		})
		m.overlay = in
		return in.focus()
	}
	r := msg.result
	text := fmt.Sprintf("purge %s: %d copies done, %d already, %d gone", msg.mode, r.Done, r.Already, r.Gone)
	if msg.undo {
		text = fmt.Sprintf("undone: %d purged copies moved back", r.Done)
	}
	if len(r.Failed) > 0 {
		text += fmt.Sprintf(", %d mailboxes failed (Z searches again and purges what is left)", len(r.Failed))
	}
	cmds := []tea.Cmd{m.reload()}
	if !msg.undo && r.Done > 0 && msg.mode != purge.Hard {
		m.pushUndo(undoEntry{purge: &purgeDone{plan: msg.plan, mode: msg.mode}})
		text += " — u puts them back"
	}
	if msg.err != nil {
		return tea.Batch(append(cmds, common.Error(fmt.Errorf("%s: %w", text, msg.err)))...)
	}
	return tea.Batch(append(cmds, common.Info(text))...)
}
