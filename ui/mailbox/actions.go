package mailbox

import (
	"context"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/verdict"
	"github.com/mailtriage/mailtriage/ui/common"
)

// maxUndo bounds the undo history.
const maxUndo = 20

// Target is what the list acts on now: the selection, else the message
// under the cursor, in the open folder at its UIDVALIDITY.
func (m *Model) Target() (action.Target, error) {
	uids, err := m.targets()
	if err != nil {
		return action.Target{}, err
	}
	t := action.Target{Account: m.acct.Name, Box: m.acct.Mailbox, Folder: m.open.ref, UIDs: uids}
	if !m.rawView {
		t = m.wholeCases(t)
	}
	if len(t.UIDs) == 1 {
		if e := m.open.env[t.UIDs[0]]; e != nil {
			t.Subject = m.shown(e).Subject
		}
	}
	return t, nil
}

// Act applies action to the list's target (the selection, else the
// message under the cursor): dest is the folder of move and copy, keyword
// the category of tag and untag (as stored). Permanent deletes and big
// selections ask first, naming the count and the folder.
func (m *Model) Act(name action.Name, dest, keyword string) tea.Cmd {
	t, err := m.Target()
	if err != nil {
		return common.Error(err)
	}
	plan, err := m.Plan(t, name, dest, keyword)
	if err != nil {
		return common.Error(err)
	}
	if plan.NeedsConfirm() {
		m.overlay = newConfirm(m.c.Dialog, plan.Question(), func() tea.Cmd { return m.Run(plan) })
		return nil
	}
	return m.Run(plan)
}

// Plan works out name on exactly t (which may be another screen's target,
// e.g. the open message) with this account's folders.
func (m *Model) Plan(t action.Target, name action.Name, dest, keyword string) (action.MailboxPlan, error) {
	return m.c.Actions.PlanMailbox(t, name, dest, keyword, m.folders)
}

// Run applies a plan: the list shows its effect at once and takes it back
// where the server refuses.
func (m *Model) Run(p action.MailboxPlan) tea.Cmd {
	return m.apply(p.Request())
}

// pendingOp remembers what an action changed on screen before the server
// confirmed it, so that a refusal can put it back.
//
// It is no request of the open folder (see requests): it is never
// cancelled, and its reply always lands. view is the folder opening it
// changed, so a rollback never touches a list opened after it (even of
// the same folder: that list came from the server afterwards).
type pendingOp struct {
	view    *folder
	folder  mail.FolderRef
	removed map[mail.UID]*mail.Envelope // rows taken out of the list
	before  map[mail.UID]*mail.Envelope // rows whose flags were changed
}

// remediatedMsg is the outcome of one action.
type remediatedMsg struct {
	account string
	op      int
	outcome remediate.Outcome
	err     error
}

// apply changes the screen at once and runs the action as a job.
func (m *Model) apply(req remediate.Request) tea.Cmd {
	// Refused before the screen changes, so nothing flickers (Act checks
	// too, before any confirmation; this covers undo).
	if err := m.c.Actions.Check(req.Action); err != nil {
		return common.Error(err)
	}
	m.opSeq++
	id := m.opSeq
	m.pending[id] = m.optimistic(req)
	if f := m.open; f != nil && req.Folder == f.ref {
		// What was acted on leaves the selection; the rest of it stays
		// (an action on the open message leaves the list's selection).
		for _, uid := range req.UIDs {
			delete(f.marked, uid)
		}
	}
	// A plain job under the session's context, in no slot: opening
	// another folder or account must not cancel a half-applied move.
	layer, acct := m.c.Actions, m.acct.Name
	name := fmt.Sprintf("%s %d in %s", req.Action, len(req.UIDs), req.Folder.Name)
	if req.Dest != "" {
		name += " → " + req.Dest
	}
	return common.RunJob(m.c.Common, jobs.Spec{Name: name, Account: acct},
		func(ctx context.Context, p *jobs.Progress) (remediate.Outcome, error) {
			return layer.Do(ctx, req, p.Set)
		},
		func(_ jobs.ID, out remediate.Outcome, err error) tea.Msg {
			return remediatedMsg{account: acct, op: id, outcome: out, err: err}
		})
}

// optimistic shows the action's effect before the server answers.
func (m *Model) optimistic(req remediate.Request) *pendingOp {
	f := m.open
	op := &pendingOp{view: m.open, folder: req.Folder, removed: map[mail.UID]*mail.Envelope{}, before: map[mail.UID]*mail.Envelope{}}
	if f == nil || req.Folder != f.ref {
		return op
	}
	switch req.Action {
	case remediate.Move, remediate.Trash, remediate.Delete, remediate.RemoveCopies:
		keepUID, keepRow := m.cursorAnchor()
		gone := make(map[mail.UID]bool, len(req.UIDs))
		for _, uid := range req.UIDs {
			gone[uid] = true
			op.removed[uid] = f.env[uid]
		}
		f.uids = slices.DeleteFunc(slices.Clone(f.uids), func(u mail.UID) bool { return gone[u] })
		m.restoreCursor(keepUID, keepRow)
	case remediate.Copy:
	default:
		for _, r := range reversalsOrChange(req) {
			for _, uid := range r.UIDs {
				e := f.env[uid]
				if e == nil {
					continue
				}
				if _, seen := op.before[uid]; !seen {
					op.before[uid] = e
				}
				cp := *e
				cp.Flags = applyChange(cp.Flags, r.Change)
				f.env[uid] = &cp
			}
		}
		m.recountUnseen()
	}
	return op
}

// reversalsOrChange expresses any flag action as STOREs on UID sets.
func reversalsOrChange(req remediate.Request) []mail.Reversal {
	if req.Action == remediate.RevertFlags {
		return req.Reversals
	}
	return []mail.Reversal{{Change: remediate.ChangeOf(req), UIDs: req.UIDs}}
}

func applyChange(f mail.Flags, c mail.FlagChange) mail.Flags {
	f.Keywords = slices.Clone(f.Keywords)
	set := func(flag string, on bool) {
		switch flag {
		case mail.FlagSeen:
			f.Seen = on
		case mail.FlagFlagged:
			f.Flagged = on
		case mail.FlagDeleted:
			f.Deleted = on
		case mail.FlagAnswered:
			f.Answered = on
		default:
			i := slices.IndexFunc(f.Keywords, func(k string) bool { return mail.SameKeyword(k, flag) })
			if on && i < 0 {
				f.Keywords = append(f.Keywords, flag)
			} else if !on && i >= 0 {
				f.Keywords = slices.Delete(f.Keywords, i, i+1)
			}
		}
	}
	for _, fl := range c.Add {
		set(fl, true)
	}
	for _, fl := range c.Remove {
		set(fl, false)
	}
	return f
}

// cursorAnchor remembers which message the cursor is on, to keep it there
// (or on its neighbour) when rows vanish.
func (m *Model) cursorAnchor() (mail.UID, int) {
	f := m.open
	if len(f.uids) == 0 {
		return 0, 0
	}
	return f.uidAt(f.cursor), f.cursor
}

func (m *Model) restoreCursor(uid mail.UID, row int) {
	f := m.open
	if len(f.uids) == 0 {
		f.cursor, f.top = 0, 0
		return
	}
	m.scrollTo(m.rowOf(uid, row))
}

func (m *Model) recountUnseen() {
	f := m.open
	n := 0
	for _, e := range f.env {
		if !e.Flags.Seen {
			n++
		}
	}
	// Only loaded rows are known; keep the server's count for the rest.
	if len(f.env) >= len(f.uids) {
		f.unseen = uint32(n)
	}
}

// remediated takes the server's answer: rows it did not act on come back,
// the outcome goes on the undo stack, and counters are refreshed.
func (m *Model) remediated(msg remediatedMsg) tea.Cmd {
	op := m.pending[msg.op]
	delete(m.pending, msg.op)
	out := msg.outcome
	notDone := out.NotDone
	if msg.err != nil && len(out.Done) == 0 && len(notDone) == 0 {
		// Refused before the server was touched (the messages could
		// not be read first, the audit log could not be written):
		// nothing was done, so everything shown comes back.
		notDone = out.Request.UIDs
	}
	if op != nil {
		m.rollback(op, notDone)
	}
	cmds := []tea.Cmd{m.refreshCounts(out.Request.Folder.Name, out.Transfer.To.Name)}
	if f := m.open; f != nil && f.loaded && (out.Transfer.To.Name == f.name || out.Request.Folder.Name == f.name && len(out.Done) > 0) {
		cmds = append(cmds, m.reload())
	}
	undoing := out.Request.Undoes != ""
	if len(out.Done) > 0 && !undoing {
		if _, err := out.Undo(); err == nil {
			m.pushUndo(undoEntry{outcome: &out})
		}
	}
	if msg.err != nil {
		text := out.Summary()
		if len(out.Done) == 0 {
			text = fmt.Sprintf("%s failed", out.Request.Action)
		}
		cmds = append(cmds, common.Error(fmt.Errorf("%s: %w", text, msg.err)))
		return tea.Batch(cmds...)
	}
	text := out.Summary()
	if undoing {
		text = "undone: " + text
	} else if _, err := out.Undo(); err == nil {
		text += " — u undoes"
	}
	cmds = append(cmds, common.Info(text))
	return tea.Batch(cmds...)
}

// rollback puts back on screen what the server did not do.
func (m *Model) rollback(op *pendingOp, notDone []mail.UID) {
	f := m.open
	if f == nil || op.view != f || f.ref != op.folder || len(notDone) == 0 {
		return
	}
	var back []mail.UID
	for _, uid := range notDone {
		if e, ok := op.removed[uid]; ok {
			back = append(back, uid)
			if e != nil {
				f.env[uid] = e
			}
		}
		if e, ok := op.before[uid]; ok {
			f.env[uid] = e
		}
	}
	if len(back) > 0 {
		keepUID, keepRow := m.cursorAnchor()
		f.uids = mergeUIDs(f.uids, back)
		m.restoreCursor(keepUID, keepRow)
	}
	m.recountUnseen()
}

func mergeUIDs(a, b []mail.UID) []mail.UID {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// undoEntry is one thing u can take back: a mailbox remediation or a
// block on a gateway.
type undoEntry struct {
	outcome *remediate.Outcome
	block   *blockDone
	verdict *verdict.Result
	purge   *purgeDone
}

func (m *Model) pushUndo(e undoEntry) {
	m.undo = append(m.undo, e)
	if len(m.undo) > maxUndo {
		m.undo = m.undo[1:]
	}
}

// Undo takes back the last remediation.
func (m *Model) Undo() tea.Cmd {
	if len(m.undo) == 0 {
		return common.Info("nothing to undo")
	}
	last := m.undo[len(m.undo)-1]
	m.undo = m.undo[:len(m.undo)-1]
	if last.block != nil {
		return m.unblock(*last.block)
	}
	if last.verdict != nil {
		return m.undoVerdict(*last.verdict)
	}
	if last.purge != nil {
		return m.undoPurge(*last.purge)
	}
	req, err := last.outcome.Undo()
	if err != nil {
		return common.Error(err)
	}
	return m.apply(req)
}

// refreshCounts asks for fresh counters of the folders an action touched.
func (m *Model) refreshCounts(names ...string) tea.Cmd {
	var want []string
	for _, n := range names {
		if n != "" && !slices.Contains(want, n) {
			want = append(want, n)
		}
	}
	acct := m.acct
	return common.RunJob(m.c.Common, jobs.Spec{Name: "update counters", Account: acct.Name, Quiet: true},
		func(ctx context.Context, _ *jobs.Progress) ([]mail.FolderStatus, error) {
			return acct.Mailbox.Status(ctx, want...)
		},
		func(_ jobs.ID, sts []mail.FolderStatus, err error) tea.Msg {
			return countsMsg{account: acct.Name, statuses: sts}
		})
}

type countsMsg struct {
	account  string
	statuses []mail.FolderStatus
}

// reload re-lists the open folder (or re-runs its search) quietly.
func (m *Model) reload() tea.Cmd {
	f := m.open
	if f.searching != "" {
		return m.runSearch(f.searching, true)
	}
	if f.query != "" {
		return m.runSearch(f.query, true)
	}
	return m.loadListing(f.name, 0, true)
}

// allHave reports whether every target already has the flag, which turns
// a toggle key into its "off" action.
func (m *Model) allHave(has func(mail.Flags) bool) bool {
	uids, err := m.targets()
	if err != nil {
		return false
	}
	for _, uid := range uids {
		e := m.open.env[uid]
		if e == nil || !has(e.Flags) {
			return false
		}
	}
	return true
}

// toggle applies on, or off when every target already has the state.
func (m *Model) toggle(has func(mail.Flags) bool, on, off remediate.Action) tea.Cmd {
	if m.allHave(has) {
		return m.Act(off, "", "")
	}
	return m.Act(on, "", "")
}
