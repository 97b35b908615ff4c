package imap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// maxSetBytes keeps a command's UID set well under the ~8 KB line length
// servers accept (RFC 7162 §4): the rest of the line is short.
const maxSetBytes = 7000

// chunks splits uids into UID sets of at most maxSetBytes each, in
// ascending order. Runs of consecutive UIDs are ranges, so a contiguous
// selection of any size is one chunk.
func chunks(uids []mail.UID) []imap.UIDSet {
	var out []imap.UIDSet
	var cur imap.UIDSet
	size := 0
	for _, r := range uidSet(uids) {
		n := len(imap.UIDSet{r}.String()) + 1
		if size+n > maxSetBytes && len(cur) > 0 {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, r)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// uidsOf lists the UIDs of a set that has no open ranges.
func uidsOf(set imap.UIDSet) []mail.UID {
	var out []mail.UID
	for _, r := range set {
		for u := r.Start; u <= r.Stop && u != 0; u++ {
			out = append(out, mail.UID(u))
			if u == r.Stop {
				break
			}
		}
	}
	return out
}

// checkFolderName refuses names go-imap could not send (it would close the
// connection mid-command) or that no server would accept.
func checkFolderName(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("no folder name given")
	}
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }) {
		return fmt.Errorf("folder name %q contains control characters", name)
	}
	return nil
}

// checkFlags refuses flags that are neither system flags nor valid
// keywords: go-imap tears the connection down on an invalid one.
func checkFlags(flags []string) error {
	for _, f := range flags {
		switch f {
		case mail.FlagSeen, mail.FlagFlagged, mail.FlagDeleted, mail.FlagAnswered:
			continue
		}
		if !mail.IsAtom(f) {
			return fmt.Errorf("%q is not a valid IMAP keyword", f)
		}
	}
	return nil
}

// Move moves uids to dest with UID MOVE where the server has it, and
// otherwise with COPY, a wait for the server's OK, then \Deleted and UID
// EXPUNGE of exactly the copied UIDs (never go-imap's own fallback, which
// deletes the originals even when the copy failed). If the link breaks
// half-way, what happened is found out from the source folder rather than
// by trying again.
func (m *Mailbox) Move(ctx context.Context, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	t := mail.Transfer{From: from, To: mail.FolderRef{Name: dest}}
	if err := checkFolderName(dest); err != nil {
		return t, err
	}
	if len(uids) == 0 {
		return t, nil
	}
	var unknown, pending []mail.UID
	err := m.withOnce(ctx, from, func(cn *conn) error {
		var err error
		if cn.c.Caps().Has(imap.CapMove) {
			unknown, err = moveChunks(cn.c, &t, uids, m.wire(dest))
		} else {
			pending, err = copyThenExpunge(cn.c, &t, uids, m.wire(dest))
		}
		t.To.Name = m.CanonicalName(dest)
		return err
	})
	switch {
	case len(unknown) > 0:
		// The link broke with some chunks unanswered: those messages
		// are either moved or untouched. Ask the source which.
		if rerr := m.reconcile(ctx, &t, unknown); rerr != nil {
			return t, fmt.Errorf("move to %q: the connection broke and what became of %d messages could not be checked: %v (first error: %w)", dest, len(unknown), rerr, err)
		}
		t.Reconciled = true
		if len(t.NotDone) == 0 {
			err = nil // everything moved; only the answer was lost
		}
	case len(pending) > 0:
		// Copied, but the originals may still be there: finish the
		// job, which only ever touches the copied UIDs.
		if _, rerr := m.expungeRetrying(ctx, from, pending); rerr != nil {
			return t, fmt.Errorf("moved %d messages to %q, but the originals could not be removed from %q: %w", len(pending), dest, from.Name, rerr)
		}
		err = nil
	}
	return t, wrapTransfer("move", t, len(uids), err)
}

// expungeRetrying is Expunge with a few more tries on a flaky link: it only
// ever touches the given UIDs, so repeating it is harmless.
func (m *Mailbox) expungeRetrying(ctx context.Context, folder mail.FolderRef, uids []mail.UID) ([]mail.UID, error) {
	var gone []mail.UID
	var err error
	for attempt := 0; attempt < 4 && ctx.Err() == nil; attempt++ {
		gone, err = m.Expunge(ctx, folder, uids)
		if err == nil || !isRetryable(err) {
			break
		}
	}
	return gone, err
}

// moveChunks pipelines one UID MOVE per chunk and reads the answers in
// order. It returns the UIDs whose fate is unknown because no answer came.
func moveChunks(c *imapclient.Client, t *mail.Transfer, uids []mail.UID, dest string) ([]mail.UID, error) {
	sets := chunks(uids)
	cmds := make([]*imapclient.MoveCommand, len(sets))
	for i, set := range sets {
		cmds[i] = c.Move(set, dest)
	}
	var firstErr error
	var unknown []mail.UID
	for i, cmd := range cmds {
		data, err := cmd.Wait()
		asked := uidsOf(sets[i])
		switch {
		case err == nil:
			recordMoved(t, asked, data.UIDValidity, data.SourceUIDs, data.DestUIDs)
		case isAnswer(err):
			// NO/BAD: per RFC 6851 nothing of this chunk moved.
			t.NotDone = append(t.NotDone, asked...)
			firstErr = cmp(firstErr, serverWords(err))
		default:
			unknown = append(unknown, asked...)
			firstErr = cmp(firstErr, err)
		}
	}
	return unknown, firstErr
}

func cmp(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// recordMoved books the answer to one MOVE or COPY. With COPYUID the server
// said exactly which UIDs went where; without it, every asked UID counts
// as done with its new UID unknown.
func recordMoved(t *mail.Transfer, asked []mail.UID, validity uint32, src, dst imap.NumSet) {
	if validity != 0 {
		t.To.UIDValidity = validity
	}
	srcSet, ok1 := src.(imap.UIDSet)
	dstSet, ok2 := dst.(imap.UIDSet)
	if !ok1 || !ok2 || len(srcSet) == 0 {
		for _, u := range asked {
			t.Done = append(t.Done, mail.UIDPair{Src: u})
		}
		return
	}
	s, d := uidsOf(srcSet), uidsOf(dstSet)
	moved := make(map[mail.UID]bool, len(s))
	for i, u := range s {
		p := mail.UIDPair{Src: u}
		if i < len(d) {
			p.Dst = d[i]
		}
		t.Done = append(t.Done, p)
		moved[u] = true
	}
	for _, u := range asked {
		if !moved[u] {
			// Already gone from the source (another client): nothing
			// moved, and nothing is left to move.
			t.NotDone = append(t.NotDone, u)
		}
	}
}

// copyThenExpunge is the move for servers without MOVE: COPY each chunk and
// wait for its OK; only then flag exactly the copied UIDs \Deleted and
// UID EXPUNGE them. Without UIDPLUS the originals are left flagged: a bare
// EXPUNGE would also delete what other clients flagged.
func copyThenExpunge(c *imapclient.Client, t *mail.Transfer, uids []mail.UID, dest string) (pending []mail.UID, err error) {
	uidplus := c.Caps().Has(imap.CapUIDPlus)
	sets := chunks(uids)
	for i, set := range sets {
		asked := uidsOf(set)
		data, err := c.Copy(set, dest).Wait()
		if err != nil {
			notDone(t, sets[i:])
			if !isAnswer(err) {
				// The copy may or may not have happened. Keep the
				// originals: a duplicate can be cleaned up, a loss cannot.
				return nil, fmt.Errorf("copy of %d messages to %q got no answer (the originals are kept): %w", len(asked), dest, err)
			}
			return nil, serverWords(err)
		}
		before := len(t.Done)
		recordMoved(t, asked, data.UIDValidity, data.SourceUIDs, data.DestUIDs)
		copied := t.Sources()[before:]
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
		if err := c.Store(uidSet(copied), store, nil).Close(); err != nil {
			notDone(t, sets[i+1:])
			if !uidplus {
				return nil, fmt.Errorf("copied to %q but could not flag the originals: %w", dest, err)
			}
			return copied, err
		}
		if !uidplus {
			t.Flagged = true
			continue
		}
		if _, err := c.UIDExpunge(uidSet(copied)).Collect(); err != nil {
			notDone(t, sets[i+1:])
			return copied, err
		}
	}
	return nil, nil
}

func notDone(t *mail.Transfer, sets []imap.UIDSet) {
	for _, set := range sets {
		t.NotDone = append(t.NotDone, uidsOf(set)...)
	}
}

// reconcile finds out, after a broken link, which of unknown left the
// source folder: those moved, the rest did not. Asking is harmless, so it
// is retried on fresh connections.
func (m *Mailbox) reconcile(ctx context.Context, t *mail.Transfer, unknown []mail.UID) error {
	var still []mail.UID
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = m.with(ctx, t.From, func(cn *conn) error {
			data, err := cn.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{uidSet(unknown)}}, nil).Wait()
			if err != nil {
				return err
			}
			still = toUIDs(data.AllUIDs())
			return nil
		})
		if err == nil || !isRetryable(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	for _, u := range unknown {
		if _, ok := slices.BinarySearch(still, u); ok {
			t.NotDone = append(t.NotDone, u)
		} else {
			t.Done = append(t.Done, mail.UIDPair{Src: u})
		}
	}
	return nil
}

// isRetryable is a failure of the link, not an answer from the server.
func isRetryable(err error) bool {
	return !isAnswer(err) && !errors.Is(err, mail.ErrUIDValidityChanged)
}

// wrapTransfer words a failed move or copy with what it did achieve.
func wrapTransfer(verb string, t mail.Transfer, asked int, err error) error {
	slices.SortFunc(t.Done, func(a, b mail.UIDPair) int { return int(a.Src) - int(b.Src) })
	if err == nil {
		return nil
	}
	if errors.Is(err, mail.ErrUIDValidityChanged) {
		return err
	}
	return fmt.Errorf("%s to %q: %d of %d done: %w", verb, t.To.Name, len(t.Done), asked, err)
}

// Copy copies uids to dest, one pipelined UID COPY per chunk. Copying is
// not destructive, so a broken link only leaves the rest not done.
func (m *Mailbox) Copy(ctx context.Context, from mail.FolderRef, uids []mail.UID, dest string) (mail.Transfer, error) {
	t := mail.Transfer{From: from, To: mail.FolderRef{Name: dest}}
	if err := checkFolderName(dest); err != nil {
		return t, err
	}
	if len(uids) == 0 {
		return t, nil
	}
	err := m.withOnce(ctx, from, func(cn *conn) error {
		sets := chunks(uids)
		cmds := make([]*imapclient.CopyCommand, len(sets))
		for i, set := range sets {
			cmds[i] = cn.c.Copy(set, m.wire(dest))
		}
		t.To.Name = m.CanonicalName(dest)
		var firstErr error
		for i, cmd := range cmds {
			data, err := cmd.Wait()
			asked := uidsOf(sets[i])
			if err != nil {
				t.NotDone = append(t.NotDone, asked...)
				firstErr = cmp(firstErr, serverWords(err))
				continue
			}
			recordMoved(&t, asked, data.UIDValidity, data.SourceUIDs, data.DestUIDs)
		}
		return firstErr
	})
	return t, wrapTransfer("copy", t, len(uids), err)
}

// Store applies change with one silent UID STORE per direction and chunk,
// pipelined behind a UID FETCH FLAGS of the same messages: the server
// answers in order, so the FETCH shows the state before the change, which
// is what tells an undo what to revert.
func (m *Mailbox) Store(ctx context.Context, folder mail.FolderRef, uids []mail.UID, change mail.FlagChange) (mail.StoreResult, error) {
	res := mail.StoreResult{Added: map[string][]mail.UID{}, Removed: map[string][]mail.UID{}}
	if err := checkFlags(append(slices.Clone(change.Add), change.Remove...)); err != nil {
		return res, err
	}
	if len(uids) == 0 {
		return res, nil
	}
	err := m.with(ctx, folder, func(cn *conn) error {
		if addsKeyword(change.Add) && !cn.permKeywords {
			return ErrNoKeywords{Folder: folder.Name}
		}
		res = mail.StoreResult{Added: map[string][]mail.UID{}, Removed: map[string][]mail.UID{}}
		return storeChunks(cn.c, uids, change, &res)
	})
	if err != nil {
		return res, fmt.Errorf("change flags of %d messages in %q: %w", len(uids), folder.Name, err)
	}
	return res, nil
}

func storeChunks(c *imapclient.Client, uids []mail.UID, change mail.FlagChange, res *mail.StoreResult) error {
	type flight struct {
		before *imapclient.FetchCommand
		stores []*imapclient.FetchCommand
	}
	var flights []flight
	for _, set := range chunks(uids) {
		f := flight{before: c.Fetch(set, &imap.FetchOptions{UID: true, Flags: true})}
		if len(change.Add) > 0 {
			f.stores = append(f.stores, c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: toFlags(change.Add)}, nil))
		}
		if len(change.Remove) > 0 {
			f.stores = append(f.stores, c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: toFlags(change.Remove)}, nil))
		}
		flights = append(flights, f)
	}
	var firstErr error
	for _, f := range flights {
		bufs, err := f.before.Collect()
		firstErr = cmp(firstErr, err)
		for _, s := range f.stores {
			firstErr = cmp(firstErr, s.Close())
		}
		if err == nil {
			bookChanges(bufs, change, res)
		}
	}
	if firstErr != nil && isAnswer(firstErr) {
		return serverWords(firstErr)
	}
	return firstErr
}

// bookChanges records which messages each flag of change really changed,
// from their flags before the STORE.
func bookChanges(before []*imapclient.FetchMessageBuffer, change mail.FlagChange, res *mail.StoreResult) {
	for _, b := range before {
		uid := mail.UID(b.UID)
		for _, f := range change.Add {
			if !hasFlag(b.Flags, imap.Flag(f)) {
				res.Added[f] = append(res.Added[f], uid)
			}
		}
		for _, f := range change.Remove {
			if hasFlag(b.Flags, imap.Flag(f)) {
				res.Removed[f] = append(res.Removed[f], uid)
			}
		}
	}
}

func toFlags(in []string) []imap.Flag {
	out := make([]imap.Flag, len(in))
	for i, f := range in {
		out[i] = imap.Flag(f)
	}
	return out
}

func addsKeyword(flags []string) bool {
	for _, f := range flags {
		if !strings.HasPrefix(f, `\`) {
			return true
		}
	}
	return false
}

// ErrNoKeywords is a folder whose server cannot store new keywords (no \*
// in PERMANENTFLAGS), e.g. Exchange: categories cannot be added there.
type ErrNoKeywords struct{ Folder string }

func (e ErrNoKeywords) Error() string {
	return fmt.Sprintf("the server cannot store categories in %q (it does not allow new keywords; on Exchange, categories need the Graph backend)", e.Folder)
}

// Expunge deletes uids permanently: \Deleted on exactly these UIDs, then
// UID EXPUNGE of exactly these UIDs, then a search for any of them still
// there. Without UIDPLUS it refuses: a bare EXPUNGE would also remove
// messages other clients flagged \Deleted.
func (m *Mailbox) Expunge(ctx context.Context, folder mail.FolderRef, uids []mail.UID) ([]mail.UID, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	var gone []mail.UID
	err := m.with(ctx, folder, func(cn *conn) error {
		if !cn.c.Caps().Has(imap.CapUIDPlus) {
			return fmt.Errorf("the server lacks UIDPLUS, so messages cannot be deleted one by one safely; move them to Trash instead")
		}
		var flights []*imapclient.ExpungeCommand
		for _, set := range chunks(uids) {
			store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
			if err := cn.c.Store(set, store, nil).Close(); err != nil {
				return err
			}
			flights = append(flights, cn.c.UIDExpunge(set))
		}
		for _, f := range flights {
			if _, err := f.Collect(); err != nil {
				return err
			}
		}
		left, err := cn.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{uidSet(uids)}}, nil).Wait()
		if err != nil {
			return err
		}
		still := toUIDs(left.AllUIDs())
		gone = gone[:0]
		for _, u := range uids {
			if _, ok := slices.BinarySearch(still, u); !ok {
				gone = append(gone, u)
			}
		}
		return nil
	})
	if err != nil {
		return gone, fmt.Errorf("delete %d messages permanently in %q: %w", len(uids), folder.Name, err)
	}
	return gone, nil
}
