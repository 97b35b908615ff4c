package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/block"
	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/reported"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/components"
	"github.com/mailtriage/mailtriage/ui/session"
)

// maxBlockRead bounds how many selected messages the block flow reads to
// find reported originals.
const maxBlockRead = 500

// BlockSender starts "block the sender(s) of the selection" (else of the
// message under the cursor). The messages are read first: a report's
// sender is the colleague who reported it, so for a report the block
// aims at the reported original's sender, and the reporter is recorded
// as never a target.
func (m *Model) BlockSender() tea.Cmd {
	if err := m.c.Actions.Check(remediate.BlockSender); err != nil {
		return common.Error(err)
	}
	t, err := m.Target()
	if err != nil {
		return common.Error(err)
	}
	if t.Count() > maxBlockRead {
		return common.Error(fmt.Errorf("select at most %d messages to block their senders (%d selected): each is read to tell reports from the phish they carry", maxBlockRead, t.Count()))
	}
	envs := make(map[mail.UID]mail.Envelope, len(t.UIDs))
	for _, uid := range t.UIDs {
		if e := m.open.env[uid]; e != nil {
			envs[uid] = *e
		}
	}
	acct := m.acct
	return common.RunJob(m.c.Common, jobs.Spec{Name: "block: read " + t.Describe(), Account: acct.Name},
		func(ctx context.Context, p *jobs.Progress) (blockSendersMsg, error) {
			return readSenders(ctx, acct, t, envs, p)
		},
		func(_ jobs.ID, r blockSendersMsg, err error) tea.Msg {
			r.account, r.target, r.err = acct.Name, t, err
			return r
		})
}

// blockSendersMsg carries the envelopes to block (a report's original's
// in place of the report's) and the reporters found.
type blockSendersMsg struct {
	account   string
	target    action.Target
	envs      []*mail.Envelope
	reporters []string
	err       error
}

// readSenders reads the target's messages and returns, in order, the
// envelope whose sender a block aims at: the original's for a report.
func readSenders(ctx context.Context, acct session.Account, t action.Target, known map[mail.UID]mail.Envelope, p *jobs.Progress) (blockSendersMsg, error) {
	var out blockSendersMsg
	byUID := map[mail.UID]*mail.Envelope{}
	done := 0
	err := acct.Mailbox.FetchMany(ctx, t.Folder, t.UIDs, acct.MessageLimit, func(raw *mail.RawMessage) error {
		base := known[raw.UID]
		base.UID = raw.UID
		env := base
		if orig, reporter, ok := originalIn(raw, base); ok {
			env = orig
			out.reporters = append(out.reporters, reporter)
		} else if len(env.From) == 0 {
			env = reported.Original{Raw: raw.Raw}.Envelope(base)
		}
		byUID[raw.UID] = &env
		done++
		p.Set(done, len(t.UIDs))
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("read the messages to block: %w", err)
	}
	for _, uid := range t.UIDs {
		out.envs = append(out.envs, byUID[uid])
	}
	return out, nil
}

func (m *Model) blockSendersRead(msg blockSendersMsg) tea.Cmd {
	if msg.err != nil {
		return common.Error(msg.err)
	}
	return m.BlockSenders(msg.target, msg.envs, msg.reporters)
}

// BlockSenders starts blocking the senders of exactly t, whose envelopes
// are envs (in t's order): it gathers the senders, asks FortiMail for its
// session profiles if configured, and then offers every way the
// configured gateways can block.
func (m *Model) BlockSenders(t action.Target, envs []*mail.Envelope, reporters []string) tea.Cmd {
	if err := m.c.Actions.Check(remediate.BlockSender); err != nil {
		return common.Error(err)
	}
	gw := m.gateways()
	if gw.Mimecast == nil && gw.FortiMail == nil {
		return common.Error(errors.New("no gateway configured: add a [mimecast] or [fortimail] table to block senders"))
	}
	var senders []block.Sender
	for _, e := range envs {
		if e == nil {
			return common.Error(errors.New("some selected messages are still loading; try again in a moment"))
		}
		if len(e.From) == 0 || e.From[0].Addr == "" {
			continue
		}
		s := block.Sender{Address: e.From[0].Addr}
		if len(e.To) > 0 {
			s.Recipient = e.To[0].Addr
		}
		senders = append(senders, s)
	}
	if len(senders) == 0 {
		return common.Error(errors.New("the selection has no sender address to block"))
	}
	acct := m.acct.Name
	return common.RunJob(m.c.Common, jobs.Spec{Name: "block: list options", Account: acct},
		func(ctx context.Context, _ *jobs.Progress) ([]string, error) {
			if gw.FortiMail == nil {
				return nil, nil
			}
			return gw.FortiMail.ProfileNames(ctx, fortimail.SessionProfiles)
		},
		func(_ jobs.ID, profiles []string, err error) tea.Msg {
			return blockOptionsMsg{account: acct, target: t, senders: senders, reporters: reporters, profiles: profiles, err: err}
		})
}

func (m *Model) gateways() block.Gateways {
	return block.Gateways{Mimecast: m.c.Gateways.Mimecast, FortiMail: m.c.Gateways.FortiMail}
}

type blockOptionsMsg struct {
	account   string
	target    action.Target
	senders   []block.Sender
	reporters []string // who reported the messages: never block targets
	profiles  []string
	err       error
}

func (m *Model) blockOptionsLoaded(msg blockOptionsMsg) tea.Cmd {
	var warn tea.Cmd
	if msg.err != nil {
		// Session profiles are one option among several: offer the rest.
		warn = common.Error(fmt.Errorf("FortiMail session profiles could not be listed: %w", msg.err))
	}
	opts := block.Options(m.gateways(), msg.profiles)
	items := make([]components.PickItem, len(opts))
	for i, o := range opts {
		items[i] = components.PickItem{Label: o.Label, Value: fmt.Sprint(i)}
	}
	title := fmt.Sprintf("block the sender(s) of %s — how? %s", msg.target.Describe(), aimedAt(msg.senders, msg.reporters))
	m.overlay = newPicker(m.c, analysis.SanitizeLine(title), items, false, func(it components.PickItem, _ string) tea.Cmd {
		var i int
		fmt.Sscan(it.Value, &i)
		return m.confirmBlock(msg, opts[i])
	})
	return warn
}

// aimedAt names, before anything is chosen, whose address a block takes:
// the first sender (and how many more), and for reports that it is the
// reported phish's sender, not the colleague who reported it.
func aimedAt(senders []block.Sender, reporters []string) string {
	addrs := map[string]bool{}
	for _, sd := range senders {
		addrs[strings.ToLower(sd.Address)] = true
	}
	s := senders[0].Address
	if len(addrs) > 1 {
		s += fmt.Sprintf(" and %d more", len(addrs)-1)
	}
	if len(reporters) > 0 {
		s += " (the reported phish's)"
	}
	return s
}

func (m *Model) confirmBlock(msg blockOptionsMsg, opt block.Option) tea.Cmd {
	reason := fmt.Sprintf("reported in %s", msg.target.Folder.Name)
	plan, err := block.NewPlan(opt, msg.senders, reason)
	if err != nil {
		return common.Error(err)
	}
	guard := m.guardrails(msg.reporters)
	if concerns := guard.Check(plan); len(concerns) > 0 {
		// The plan says why it stops; the analyst may go ahead only by
		// typing the domain concerned.
		why := concerns[0].Why
		if len(concerns) > 1 {
			why += fmt.Sprintf(" (and %d more)", len(concerns)-1)
		}
		in := newInput(m.c, "Stopped: "+why+". Type "+concerns[0].Domain+" to block anyway: ", "", "esc cancels", func(typed string) tea.Cmd {
			if !block.Confirmed(concerns, typed) {
				return common.Error(fmt.Errorf("not blocked: %q does not confirm %s", typed, concerns[0].Domain))
			}
			return m.applyBlock(msg, plan, guard, typed)
		})
		m.overlay = in
		return in.focus()
	}
	m.overlay = newConfirm(m.c.Dialog, "Apply? "+plan.Summary(), func() tea.Cmd { return m.applyBlock(msg, plan, guard, "") })
	return nil
}

// guardrails are what this account may never block without a typed
// go-ahead: the reporters of the messages, its own domain, the internal
// and protected domains.
func (m *Model) guardrails(reporters []string) block.Guardrails {
	g := block.Guardrails{Reporters: reporters, Internal: m.c.Limits.Signals.InternalDomains, Protected: m.c.Limits.Signals.ProtectedDomains}
	if _, d, ok := strings.Cut(m.acct.Address, "@"); ok {
		g.Own = []string{d}
	}
	return g
}

// blockDone is an applied block and the messages it was for.
type blockDone struct {
	applied block.Applied
	target  action.Target
}

type blockedMsg struct {
	account string
	done    blockDone
	undo    bool
	err     error
}

func (m *Model) applyBlock(msg blockOptionsMsg, plan block.Plan, guard block.Guardrails, confirm string) tea.Cmd {
	layer, acct := m.c.Actions, m.acct
	t := msg.target
	spec := action.BlockSpec{Gateways: m.gateways(), Target: t, Plan: plan, Guard: guard, Confirm: confirm}
	return common.RunJob(m.c.Common, jobs.Spec{Name: "block " + plan.Option.Label, Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (block.Applied, error) {
			return layer.Block(ctx, spec)
		},
		func(_ jobs.ID, a block.Applied, err error) tea.Msg {
			return blockedMsg{account: acct.Name, done: blockDone{applied: a, target: t}, err: err}
		})
}

func (m *Model) unblock(d blockDone) tea.Cmd {
	gw, layer, acct := m.gateways(), m.c.Actions, m.acct
	t := d.target
	return common.RunJob(m.c.Common, jobs.Spec{Name: "undo block " + d.applied.Plan.Option.Label, Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (struct{}, error) {
			return struct{}{}, layer.Unblock(ctx, gw, t, d.applied)
		},
		func(_ jobs.ID, _ struct{}, err error) tea.Msg {
			return blockedMsg{account: acct.Name, done: d, undo: true, err: err}
		})
}

func (m *Model) blocked(msg blockedMsg) tea.Cmd {
	a := msg.done.applied
	if msg.undo {
		if msg.err != nil {
			return common.Error(fmt.Errorf("undo of the block failed: %w", msg.err))
		}
		return common.Info("undone: " + a.Plan.Option.Label)
	}
	if len(a.Added) > 0 || len(a.Policies) > 0 {
		m.pushUndo(undoEntry{block: &msg.done})
	}
	if msg.err != nil {
		return common.Error(fmt.Errorf("block: %d of %d done: %w", len(a.Added), len(a.Plan.Entries), msg.err))
	}
	if len(a.Added) == 0 {
		return common.Info("already blocked: nothing to add (" + a.Plan.Option.Label + ")")
	}
	return common.Info(fmt.Sprintf("blocked %d: %s — u undoes", len(a.Added), a.Plan.Option.Label))
}
