package purge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
)

// Local purges the configured account's own mailbox only (an IMAP
// account, where other users' mailboxes cannot be reached): every folder
// is searched for the Message-ID. Soft moves the copies to the Trash
// folder, junk to the Junk folder, hard expunges them (\Deleted + UID
// EXPUNGE of exactly those UIDs); Undo moves soft and junk ones back.
// The plan is labelled "this mailbox only".
type Local struct {
	Box     mail.Mailbox
	Actions *action.Layer
	Account string
	// Address names the mailbox in plans and audit records (default:
	// the account name).
	Address  string
	Progress func(Progress)
	// Guard and Confirm: as Graph's.
	Guard   Guard
	Confirm string
}

func (l *Local) progress(p Progress) {
	if l.Progress != nil {
		l.Progress(p)
	}
}

func (l *Local) address() string { return cmpOr(l.Address, l.Account) }

// Plan searches every folder of the mailbox.
func (l *Local) Plan(ctx context.Context, messageID string) (*Plan, error) {
	id, err := NormalizeID(messageID)
	if err != nil {
		return nil, err
	}
	p := &Plan{MessageID: id, Scope: ScopeMailbox}
	return p, l.Continue(ctx, p)
}

// Continue searches the mailbox again if it failed; a complete plan is
// left as it is.
func (l *Local) Continue(ctx context.Context, p *Plan) error {
	if p.Listed && len(p.Failed) == 0 {
		return nil
	}
	p.Failed, p.Boxes, p.Searched = nil, nil, 0
	b, err := l.search(ctx, p.MessageID)
	if err != nil {
		p.Failed = []Failure{{Mailbox: l.address(), Error: err.Error()}}
		return fmt.Errorf("search for %s: %w", p.MessageID, err)
	}
	p.Listed, p.Searched = true, 1
	if len(b.Copies) > 0 {
		p.Boxes = []*Box{b}
	}
	return nil
}

// search looks in every selectable folder.
func (l *Local) search(ctx context.Context, id string) (*Box, error) {
	folders, err := l.Box.Folders(ctx)
	if err != nil {
		return nil, err
	}
	b := &Box{Mailbox: l.address()}
	q := mail.Query{Terms: []mail.Term{{Field: mail.FieldMessageID, Value: id}}}
	for i, f := range folders {
		if f.NoSelect {
			continue
		}
		ref, uids, err := l.Box.Search(ctx, f.Name, q)
		if err != nil {
			return nil, fmt.Errorf("folder %q: %w", f.Name, err)
		}
		if len(uids) > 0 {
			envs, err := l.Box.Envelopes(ctx, ref, uids)
			if err != nil {
				return nil, fmt.Errorf("folder %q: %w", f.Name, err)
			}
			for _, e := range envs {
				c := &Copy{ID: strconv.FormatUint(uint64(e.UID), 10), Folder: f.Name, UIDValidity: ref.UIDValidity, Received: e.Received, Subject: e.Subject}
				if len(e.From) > 0 {
					c.From = e.From[0].Addr
				}
				for _, a := range e.To {
					c.Recipients = append(c.Recipients, a.Addr)
				}
				b.Copies = append(b.Copies, c)
			}
		}
		l.progress(Progress{Phase: "search", Done: i + 1, Total: len(folders)})
	}
	return b, nil
}

// roleFolder is the folder with role, by name.
func (l *Local) roleFolder(ctx context.Context, role mail.Role) (string, error) {
	folders, err := l.Box.Folders(ctx)
	if err != nil {
		return "", err
	}
	for _, f := range folders {
		if f.Role == role {
			return f.Name, nil
		}
	}
	return "", fmt.Errorf("the mailbox has no %s folder (set one under [accounts.folders])", role)
}

// Apply purges the open copies, as one audited change.
func (l *Local) Apply(ctx context.Context, p *Plan, mode Mode) (Result, error) {
	res := Result{Mode: mode}
	if err := l.Actions.Check(mode.Action()); err != nil {
		return res, err
	}
	override, err := guarded(l.Guard, p, l.Confirm)
	if err != nil {
		return res, err
	}
	dest := ""
	if mode != Hard {
		role := mail.RoleTrash
		if mode == Junk {
			role = mail.RoleJunk
		}
		var err error
		if dest, err = l.roleFolder(ctx, role); err != nil {
			return res, err
		}
	}
	var open []*Copy
	for _, b := range p.Boxes {
		for _, c := range b.Copies {
			switch {
			case !c.open():
				res.Already++
			case c.Folder == dest:
				c.Purged, c.Untouched = mode, true // already there
				res.Already++
			default:
				open = append(open, c)
			}
		}
	}
	if len(open) == 0 {
		return res, nil
	}
	what := "deleted permanently"
	if dest != "" {
		what = "to " + dest
	}
	err = l.run(ctx, p, mode.Action(), open, string(mode)+" purge, "+what+override, &res, func(ctx context.Context, folder mail.FolderRef, cs []*Copy) error {
		return l.purgeFolder(ctx, folder, cs, mode, dest)
	})
	return res, err
}

// Undo moves soft- and junk-purged copies back, as one audited change.
func (l *Local) Undo(ctx context.Context, p *Plan) (Result, error) {
	res := Result{Mode: "undo"}
	if err := l.Actions.Check(remediate.PurgeUndo); err != nil {
		return res, err
	}
	var moved []*Copy
	for _, b := range p.Boxes {
		for _, c := range b.Copies {
			if c.MovedTo != nil && !c.Untouched {
				moved = append(moved, c)
			}
		}
	}
	if len(moved) == 0 {
		return res, nil
	}
	err := l.run(ctx, p, remediate.PurgeUndo, moved, "undo purge, back to the folders they were found in", &res, l.restoreFolder)
	return res, err
}

// run applies fn folder by folder (copies grouped by where they are
// now) inside one audited change, and counts the result.
func (l *Local) run(ctx context.Context, p *Plan, name remediate.Action, cs []*Copy, what string, res *Result, fn func(context.Context, mail.FolderRef, []*Copy) error) error {
	detail := fmt.Sprintf("mailbox %s (this mailbox only): %s of %s: %s; uids %s", l.address(), plural(len(cs), "copy"), p.MessageID, what, localIDs(cs))
	groups := map[mail.FolderRef][]*Copy{}
	var order []mail.FolderRef
	for _, c := range cs {
		ref := mail.FolderRef{Name: c.Folder, UIDValidity: c.UIDValidity}
		if c.MovedTo != nil && name == remediate.PurgeUndo {
			ref = mail.FolderRef{Name: c.MovedTo.Folder, UIDValidity: c.MovedTo.UIDValidity}
		}
		if _, ok := groups[ref]; !ok {
			order = append(order, ref)
		}
		groups[ref] = append(groups[ref], c)
	}
	err := l.Actions.Run(ctx, action.Change{Name: name, Target: action.Target{Account: l.Account, Box: l.Box}, Detail: detail}, func(ctx context.Context) error {
		var errs []error
		done := 0
		for _, ref := range order {
			if err := fn(ctx, ref, groups[ref]); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", ref.Name, err))
			}
			done += len(groups[ref])
			l.progress(Progress{Phase: phaseOf(name), Done: done, Total: len(cs), Failed: len(errs)})
		}
		return errors.Join(errs...)
	})
	for _, c := range cs {
		switch {
		case c.Gone:
			res.Gone++
		case name == remediate.PurgeUndo && c.MovedTo == nil, name != remediate.PurgeUndo && c.Purged != "":
			res.Done++
		}
	}
	if err != nil {
		res.Failed = []Failure{{Mailbox: l.address(), Error: err.Error()}}
	}
	return err
}

// localIDs names the copies as folder/uidvalidity/uid, the first 20.
func localIDs(cs []*Copy) string {
	named := make([]*Copy, 0, min(len(cs), 20))
	for _, c := range cs[:min(len(cs), 20)] {
		at := fmt.Sprintf("%s/%d/%s", c.Folder, c.UIDValidity, c.ID)
		if c.MovedTo != nil {
			at = fmt.Sprintf("%s/%d/%d", c.MovedTo.Folder, c.MovedTo.UIDValidity, c.MovedTo.UID)
		}
		named = append(named, &Copy{ID: at})
	}
	s := idList(named)
	if len(cs) > 20 {
		s += fmt.Sprintf(" and %d more", len(cs)-20)
	}
	return s
}

func phaseOf(name remediate.Action) string {
	if name == remediate.PurgeUndo {
		return "undo"
	}
	return "apply"
}

// uidsOf maps the copies by UID.
func uidsOf(cs []*Copy, at func(*Copy) uint32) ([]mail.UID, map[mail.UID]*Copy) {
	byUID := map[mail.UID]*Copy{}
	var uids []mail.UID
	for _, c := range cs {
		u := mail.UID(at(c))
		byUID[u] = c
		uids = append(uids, u)
	}
	slices.Sort(uids)
	return uids, byUID
}

func uidOf(c *Copy) uint32 {
	u, _ := strconv.ParseUint(c.ID, 10, 32)
	return uint32(u)
}

// purgeFolder moves (or expunges) the copies of one folder; each copy
// records what became of it.
func (l *Local) purgeFolder(ctx context.Context, ref mail.FolderRef, cs []*Copy, mode Mode, dest string) error {
	uids, byUID := uidsOf(cs, uidOf)
	if mode == Hard {
		gone, err := l.Box.Expunge(ctx, ref, uids)
		for _, u := range gone {
			byUID[u].Purged, byUID[u].Error = Hard, ""
		}
		markFailed(uids, gone, byUID, err)
		return err
	}
	t, err := l.Box.Move(ctx, ref, uids, dest)
	var done []mail.UID
	for _, pair := range t.Done {
		c := byUID[pair.Src]
		c.Purged, c.Error = mode, ""
		c.MovedTo = &Location{Folder: dest, UIDValidity: t.To.UIDValidity, UID: uint32(pair.Dst)}
		done = append(done, pair.Src)
	}
	markFailed(uids, done, byUID, err)
	return err
}

// restoreFolder moves purged copies back from one folder.
func (l *Local) restoreFolder(ctx context.Context, ref mail.FolderRef, cs []*Copy) error {
	uids, byUID := uidsOf(cs, func(c *Copy) uint32 { return c.MovedTo.UID })
	// Grouped by where they are now; each goes back where it came from.
	var errs []error
	byOrigin := map[string][]mail.UID{}
	for _, u := range uids {
		byOrigin[byUID[u].Folder] = append(byOrigin[byUID[u].Folder], u)
	}
	for origin, back := range byOrigin {
		t, err := l.Box.Move(ctx, ref, back, origin)
		var done []mail.UID
		for _, pair := range t.Done {
			c := byUID[pair.Src]
			c.Purged, c.MovedTo, c.Error = "", nil, ""
			c.ID, c.UIDValidity = strconv.FormatUint(uint64(pair.Dst), 10), t.To.UIDValidity
			done = append(done, pair.Src)
		}
		markFailed(back, done, byUID, err)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// markFailed gives the copies of asked that are not in done the error
// (or, without one, says they were not found).
func markFailed(asked, done []mail.UID, byUID map[mail.UID]*Copy, err error) {
	for _, u := range asked {
		if slices.Contains(done, u) {
			continue
		}
		if err != nil {
			byUID[u].Error = err.Error()
		} else {
			byUID[u].Gone = true
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
