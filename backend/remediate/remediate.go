// Package remediate carries out the analyst's actions on a mailbox —
// move, copy, delete, flags, categories — as audited operations: an intent
// record (with the Message-IDs, so the messages can be found again) before
// the server is touched, a result record after, and an outcome that knows
// how to undo itself. The console, the SSH server and the headless
// commands all go through here, so the audit trail and the permission
// check cannot be bypassed by a front end.
package remediate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail"
)

// Action is what a request does.
type Action string

// Actions. The strings appear in audit records and in `act` commands.
const (
	Move       Action = "move"
	Copy       Action = "copy"
	Trash      Action = "trash"  // move to the account's Trash folder
	Delete     Action = "delete" // permanent: \Deleted + UID EXPUNGE
	SoftDelete Action = "soft-delete"
	Restore    Action = "restore" // clear \Deleted
	Read       Action = "read"
	Unread     Action = "unread"
	Flag       Action = "flag"
	Unflag     Action = "unflag"
	Tag        Action = "tag"
	Untag      Action = "untag"
	// RevertFlags undoes a flag change exactly (Request.Reversals).
	RevertFlags Action = "revert-flags"
	// RemoveCopies undoes a copy: the copies are expunged.
	RemoveCopies Action = "remove-copies"
	// Report forwards a message to the abuse desk (see Audited).
	Report Action = "report"
)

// Destructive reports actions that cannot be undone: the console always
// asks before them.
func (a Action) Destructive() bool { return a == Delete || a == RemoveCopies || a == PurgeHard }

// Request is one remediation on messages of one folder.
type Request struct {
	Account string
	Box     mail.Mailbox
	Action  Action
	Folder  mail.FolderRef
	UIDs    []mail.UID
	// Dest is the target folder of Move, Copy and Trash.
	Dest string
	// Keyword is the category of Tag and Untag, as stored on the server
	// (see mail.EncodeKeyword).
	Keyword string
	// Reversals are the STOREs of RevertFlags.
	Reversals []mail.Reversal
	// Undoes names the audit id this request takes back, if any.
	Undoes string
}

// Outcome is what a request achieved.
type Outcome struct {
	Request  Request
	AuditID  string
	Transfer mail.Transfer    // Move, Copy, Trash
	Store    mail.StoreResult // flag actions
	Expunged []mail.UID       // Delete, RemoveCopies
	// Done and NotDone are the request's UIDs split by result, whatever
	// the action.
	Done, NotDone []mail.UID
}

// Service runs requests for one operator.
type Service struct {
	Audit    *audit.Log
	Operator string
	Via      string // console, ssh, cli
	Remote   string
	// Allow, when set, is asked before anything is done; an error refuses
	// the request (roles, see the SSH server). It is the backend's guard:
	// the UI hiding a key is not enough.
	Allow func(Action) error
	// Batch, when set, splits a selection into backend calls of at most
	// this many messages so that progress moves in steps. By default (0)
	// an action is one call — one IMAP command per action, split only to
	// keep command lines short — and progress goes from 0 to done.
	Batch int
}

// ErrNotUndoable is returned by Outcome.Undo for permanent deletes.
var ErrNotUndoable = errors.New("a permanent delete cannot be undone")

// Do carries out req. progress, when not nil, hears how many messages
// are done of how many.
func (s *Service) Do(ctx context.Context, req Request, progress func(done, total int)) (Outcome, error) {
	out := Outcome{Request: req}
	if err := s.Check(req.Action); err != nil {
		return out, err
	}
	if err := check(req); err != nil {
		return out, err
	}
	ids, err := req.Box.MessageIDs(ctx, req.Folder, req.UIDs)
	if err != nil {
		return out, fmt.Errorf("%s: could not read the messages before acting, nothing was changed: %w", req.Action, err)
	}
	out.AuditID = s.Audit.NewID()
	if err := s.Audit.Write(s.intent(out.AuditID, req, ids)); err != nil {
		return out, fmt.Errorf("%s: the audit log cannot be written, nothing was changed: %w", req.Action, err)
	}
	runErr := interrupted(ctx, s.run(ctx, req, &out, progress))
	if err := s.Audit.Write(s.result(out, runErr)); err != nil && runErr == nil {
		runErr = fmt.Errorf("done, but the result could not be written to the audit log: %w", err)
	}
	return out, runErr
}

func check(req Request) error {
	if req.Box == nil {
		return fmt.Errorf("%s: no mailbox", req.Action)
	}
	if len(req.UIDs) == 0 && req.Action != RevertFlags {
		return fmt.Errorf("%s: no messages selected", req.Action)
	}
	switch req.Action {
	case Move, Copy, Trash:
		if req.Dest == "" {
			return fmt.Errorf("%s: no destination folder", req.Action)
		}
		if req.Dest == req.Folder.Name {
			return fmt.Errorf("%s: the messages are already in %q", req.Action, req.Dest)
		}
	case Tag, Untag:
		if !mail.IsAtom(req.Keyword) {
			return fmt.Errorf("%s: %q is not a valid keyword", req.Action, req.Keyword)
		}
	case Delete, SoftDelete, Restore, Read, Unread, Flag, Unflag, RevertFlags, RemoveCopies:
	default:
		return fmt.Errorf("unknown action %q", req.Action)
	}
	return nil
}

// run does the work in batches, reporting progress after each.
func (s *Service) run(ctx context.Context, req Request, out *Outcome, progress func(int, int)) error {
	if req.Action == RevertFlags {
		return s.revert(ctx, req, out)
	}
	uids := slices.Clone(req.UIDs)
	slices.Sort(uids)
	batch := s.Batch
	if batch <= 0 {
		batch = len(uids)
	}
	if progress != nil {
		progress(0, len(uids))
	}
	var firstErr error
	for start := 0; start < len(uids); start += batch {
		part := uids[start:min(start+batch, len(uids))]
		if err := ctx.Err(); err != nil {
			out.NotDone = append(out.NotDone, uids[start:]...)
			return cmpErr(firstErr, err)
		}
		err := s.step(ctx, req, part, out)
		firstErr = cmpErr(firstErr, err)
		if progress != nil {
			progress(min(start+batch, len(uids)), len(uids))
		}
		if err != nil && errors.Is(err, mail.ErrUIDValidityChanged) {
			out.NotDone = append(out.NotDone, uids[start+len(part):]...)
			break
		}
	}
	return firstErr
}

func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// step runs one batch and books its result in out.
func (s *Service) step(ctx context.Context, req Request, uids []mail.UID, out *Outcome) error {
	box := req.Box
	switch req.Action {
	case Move, Trash, Copy:
		call := box.Move
		if req.Action == Copy {
			call = box.Copy
		}
		t, err := call(ctx, req.Folder, uids, req.Dest)
		mergeTransfer(&out.Transfer, t)
		out.Done = append(out.Done, t.Sources()...)
		out.NotDone = append(out.NotDone, t.NotDone...)
		return err
	case Delete, RemoveCopies:
		gone, err := box.Expunge(ctx, req.Folder, uids)
		out.Expunged = append(out.Expunged, gone...)
		out.Done = append(out.Done, gone...)
		out.NotDone = append(out.NotDone, missing(uids, gone)...)
		return err
	}
	change := ChangeOf(req)
	res, err := box.Store(ctx, req.Folder, uids, change)
	mergeStore(&out.Store, res)
	if err != nil {
		out.NotDone = append(out.NotDone, uids...)
	} else {
		out.Done = append(out.Done, uids...)
	}
	return err
}

// ChangeOf is the STORE a flag action makes.
func ChangeOf(req Request) mail.FlagChange {
	switch req.Action {
	case SoftDelete:
		return mail.FlagChange{Add: []string{mail.FlagDeleted}}
	case Restore:
		return mail.FlagChange{Remove: []string{mail.FlagDeleted}}
	case Read:
		return mail.FlagChange{Add: []string{mail.FlagSeen}}
	case Unread:
		return mail.FlagChange{Remove: []string{mail.FlagSeen}}
	case Flag:
		return mail.FlagChange{Add: []string{mail.FlagFlagged}}
	case Unflag:
		return mail.FlagChange{Remove: []string{mail.FlagFlagged}}
	case Tag:
		return mail.FlagChange{Add: []string{req.Keyword}}
	case Untag:
		return mail.FlagChange{Remove: []string{req.Keyword}}
	}
	return mail.FlagChange{}
}

func (s *Service) revert(ctx context.Context, req Request, out *Outcome) error {
	var firstErr error
	for _, r := range req.Reversals {
		res, err := req.Box.Store(ctx, req.Folder, r.UIDs, r.Change)
		mergeStore(&out.Store, res)
		if err != nil {
			out.NotDone = append(out.NotDone, r.UIDs...)
			firstErr = cmpErr(firstErr, err)
		} else {
			out.Done = append(out.Done, r.UIDs...)
		}
	}
	return firstErr
}

func mergeTransfer(dst *mail.Transfer, t mail.Transfer) {
	if dst.From.Name == "" {
		dst.From = t.From
	}
	if t.To.Name != "" {
		dst.To = t.To
	}
	dst.Done = append(dst.Done, t.Done...)
	dst.NotDone = append(dst.NotDone, t.NotDone...)
	dst.Flagged = dst.Flagged || t.Flagged
	dst.Reconciled = dst.Reconciled || t.Reconciled
}

func mergeStore(dst *mail.StoreResult, r mail.StoreResult) {
	if dst.Added == nil {
		dst.Added, dst.Removed = map[string][]mail.UID{}, map[string][]mail.UID{}
	}
	for f, u := range r.Added {
		dst.Added[f] = append(dst.Added[f], u...)
	}
	for f, u := range r.Removed {
		dst.Removed[f] = append(dst.Removed[f], u...)
	}
}

func missing(asked, got []mail.UID) []mail.UID {
	have := make(map[mail.UID]bool, len(got))
	for _, u := range got {
		have[u] = true
	}
	var out []mail.UID
	for _, u := range asked {
		if !have[u] {
			out = append(out, u)
		}
	}
	return out
}

// Undo returns the request that takes o back.
func (o Outcome) Undo() (Request, error) {
	req := o.Request
	back := Request{Account: req.Account, Box: req.Box, Undoes: o.AuditID}
	switch req.Action {
	case Move, Trash:
		dst := o.Transfer.Destinations()
		if len(dst) == 0 {
			return back, fmt.Errorf("undo: the server did not say where the messages went (no UIDPLUS); move them back from %q by hand", req.Dest)
		}
		back.Action, back.Folder, back.UIDs, back.Dest = Move, o.Transfer.To, dst, req.Folder.Name
	case Copy:
		dst := o.Transfer.Destinations()
		if len(dst) == 0 {
			return back, fmt.Errorf("undo: the server did not say which copies it made")
		}
		back.Action, back.Folder, back.UIDs = RemoveCopies, o.Transfer.To, dst
	case Delete, RemoveCopies:
		return back, ErrNotUndoable
	default:
		rev := o.Store.Reverse()
		if len(rev) == 0 {
			return back, fmt.Errorf("undo: %s changed nothing", req.Action)
		}
		back.Action, back.Folder, back.Reversals = RevertFlags, req.Folder, rev
		for _, r := range rev {
			back.UIDs = append(back.UIDs, r.UIDs...)
		}
	}
	return back, nil
}

// Summary words an outcome for the status bar.
func (o Outcome) Summary() string {
	n := len(o.Done)
	req := o.Request
	what := plural(n, "message")
	var s string
	switch req.Action {
	case Move:
		s = fmt.Sprintf("moved %s to %s", what, req.Dest)
	case Trash:
		s = fmt.Sprintf("moved %s to %s", what, req.Dest)
	case Copy:
		s = fmt.Sprintf("copied %s to %s", what, req.Dest)
	case Delete:
		s = fmt.Sprintf("deleted %s permanently", what)
	case RemoveCopies:
		s = fmt.Sprintf("removed %s", plural(n, "copy"))
	case SoftDelete:
		s = fmt.Sprintf("marked %s deleted", what)
	case Restore:
		s = fmt.Sprintf("restored %s", what)
	case Read, Unread, Flag, Unflag:
		s = fmt.Sprintf("marked %s %s", what, req.Action)
	case Tag:
		s = fmt.Sprintf("tagged %s %s", what, mail.DecodeKeyword(req.Keyword))
	case Untag:
		s = fmt.Sprintf("removed %s from %s", mail.DecodeKeyword(req.Keyword), what)
	case RevertFlags:
		s = fmt.Sprintf("reverted flags of %s", what)
	}
	if len(o.NotDone) > 0 {
		s += fmt.Sprintf(" (%d not done)", len(o.NotDone))
	}
	if o.Transfer.Flagged {
		s += "; originals flagged \\Deleted, not expunged (server lacks UIDPLUS)"
	}
	if o.Transfer.Reconciled {
		s += " (connection dropped; result checked on the server)"
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (s *Service) base(id, phase string, req Request) audit.Record {
	return audit.Record{
		ID: id, Phase: phase, Operator: s.Operator, Via: s.Via, Remote: s.Remote,
		Account: req.Account, Action: string(req.Action), Folder: req.Folder.Name,
		UIDValidity: req.Folder.UIDValidity, Dest: req.Dest,
	}
}

func (s *Service) intent(id string, req Request, ids map[mail.UID]string) audit.Record {
	r := s.base(id, audit.PhaseIntent, req)
	uids := slices.Clone(req.UIDs)
	slices.Sort(uids)
	for _, u := range uids {
		r.UIDs = append(r.UIDs, uint32(u))
		if mid, ok := ids[u]; ok {
			r.MessageIDs = append(r.MessageIDs, mid)
		}
	}
	r.Detail = detail(req)
	return r
}

func detail(req Request) string {
	var parts []string
	if req.Keyword != "" {
		parts = append(parts, "keyword "+req.Keyword)
	}
	if req.Undoes != "" {
		parts = append(parts, "undoes "+req.Undoes)
	}
	for _, r := range req.Reversals {
		parts = append(parts, fmt.Sprintf("+%v -%v on %d", r.Change.Add, r.Change.Remove, len(r.UIDs)))
	}
	return strings.Join(parts, "; ")
}

func (s *Service) result(o Outcome, err error) audit.Record {
	r := s.base(o.AuditID, audit.PhaseResult, o.Request)
	r.Done, r.NotDone = len(o.Done), len(o.NotDone)
	switch {
	case err == nil && len(o.NotDone) == 0:
		r.Result = "ok"
	case len(o.Done) > 0:
		r.Result = "partial"
	default:
		r.Result = "failed"
	}
	if err != nil {
		r.Error = err.Error()
	}
	if len(o.Transfer.Done) > 0 {
		r.Detail = fmt.Sprintf("destination uidvalidity %d, uids %s", o.Transfer.To.UIDValidity, compact(o.Transfer.Destinations()))
	}
	return r
}

// compact writes UIDs as ranges ("1:5,9") to keep records short.
func compact(uids []mail.UID) string {
	u := slices.Clone(uids)
	slices.Sort(u)
	var b strings.Builder
	for i := 0; i < len(u); {
		j := i
		for j+1 < len(u) && u[j+1] == u[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if i == j {
			fmt.Fprintf(&b, "%d", u[i])
		} else {
			fmt.Fprintf(&b, "%d:%d", u[i], u[j])
		}
		i = j + 1
	}
	return b.String()
}

// Audited runs fn, an action that is not a mailbox change (a report to
// the abuse desk, a block on a gateway), between an intent and a result
// record, after the permission check, so every front end audits it the
// same way.
func (s *Service) Audited(ctx context.Context, req Request, detail string, fn func(ctx context.Context) error) error {
	if err := s.Check(req.Action); err != nil {
		return err
	}
	var ids map[mail.UID]string
	if req.Box != nil && len(req.UIDs) > 0 {
		ids, _ = req.Box.MessageIDs(ctx, req.Folder, req.UIDs)
	}
	id := s.Audit.NewID()
	intent := s.intent(id, req, ids)
	intent.Detail = detail
	if err := s.Audit.Write(intent); err != nil {
		return fmt.Errorf("%s: the audit log cannot be written, nothing was done: %w", req.Action, err)
	}
	err := interrupted(ctx, fn(ctx))
	out := Outcome{Request: req, AuditID: id}
	if err == nil {
		out.Done = req.UIDs
	} else {
		out.NotDone = req.UIDs
	}
	if werr := s.Audit.Write(s.result(out, err)); werr != nil && err == nil {
		err = fmt.Errorf("done, but the result could not be written to the audit log: %w", werr)
	}
	return err
}

// interrupted adds why ctx ended to an error it caused, so the result
// record of a job cut short says so ("context canceled: session ended").
func interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() && !errors.Is(err, cause) {
		return fmt.Errorf("%w: %w", err, cause)
	}
	return err
}
