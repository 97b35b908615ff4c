package pull

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// candidate is a message that may be among the newest across folders.
type candidate struct {
	folder int // index into the folders' refs
	uid    mail.UID
	when   time.Time
}

// pullNewestAcross writes the opts.Limit newest (or, with OldestFirst,
// oldest) messages of all opts.Folders, merged by arrival. UIDs grow as
// messages arrive in a folder, so each folder offers only its Limit
// first in output order; their arrival times (INTERNALDATE, else the
// Date header) order them across folders. At most Limit candidates per
// folder and Limit kept across folders are in memory at once.
func pullNewestAcross(ctx context.Context, box mail.Mailbox, opts Options, out *writer) (Stats, error) {
	refs, best, err := newestCandidates(ctx, box, opts)
	if err != nil {
		return Stats{}, err
	}
	if runs(best) == folderCount(best) {
		return writeRuns(ctx, box, refs, best, opts, out)
	}
	return writeSpilled(ctx, box, refs, best, opts, out)
}

// newestCandidates returns the folders' refs and the merged list of the
// messages to write, in output order.
func newestCandidates(ctx context.Context, box mail.Mailbox, opts Options) ([]mail.FolderRef, []candidate, error) {
	var refs []mail.FolderRef
	var best []candidate
	for _, folder := range opts.Folders {
		ref, uids, err := selectUIDs(ctx, box, folder, opts)
		if err != nil {
			return nil, nil, err
		}
		if len(uids) > opts.Limit {
			uids = uids[:opts.Limit]
		}
		if len(uids) == 0 {
			continue
		}
		envs, err := box.Envelopes(ctx, ref, uids)
		if err != nil {
			return nil, nil, err
		}
		refs = append(refs, ref)
		for _, e := range envs {
			best = append(best, candidate{folder: len(refs) - 1, uid: e.UID, when: arrival(e)})
		}
		slices.SortStableFunc(best, order(opts.OldestFirst))
		if len(best) > opts.Limit {
			best = best[:opts.Limit]
		}
	}
	return refs, best, nil
}

// folderCount counts the folders list draws on.
func folderCount(list []candidate) int {
	seen := map[int]bool{}
	for _, c := range list {
		seen[c.folder] = true
	}
	return len(seen)
}

// runs counts the stretches of consecutive messages of one folder.
func runs(list []candidate) int {
	n := 0
	for i := range list {
		if i == 0 || list[i].folder != list[i-1].folder {
			n++
		}
	}
	return n
}

// arrival is when the message arrived, else when it says it was sent.
func arrival(e mail.Envelope) time.Time {
	if !e.Received.IsZero() {
		return e.Received
	}
	return e.Date
}

// order sorts newest first (or oldest first); ties keep folder order,
// then UID order.
func order(oldestFirst bool) func(a, b candidate) int {
	return func(a, b candidate) int {
		c := a.when.Compare(b.when)
		if !oldestFirst {
			c = -c
		}
		if c != 0 {
			return c
		}
		if a.folder != b.folder {
			return a.folder - b.folder
		}
		if oldestFirst {
			return cmp.Compare(a.uid, b.uid)
		}
		return cmp.Compare(b.uid, a.uid)
	}
}

// writeRuns writes the merged list as runs of consecutive messages of one
// folder, each run fetched and written like a folder of its own: the way
// when each folder makes one run (the newest mail sits in a few folders).
func writeRuns(ctx context.Context, box mail.Mailbox, refs []mail.FolderRef, list []candidate, opts Options, out *writer) (Stats, error) {
	var st Stats
	for i := 0; i < len(list); {
		j := i
		var uids []mail.UID
		for ; j < len(list) && list[j].folder == list[i].folder; j++ {
			uids = append(uids, list[j].uid)
		}
		n, b, err := pullFolder(ctx, box, refs[list[i].folder], uids, opts, out)
		st.Messages += n
		st.Bytes += b
		if err != nil {
			return st, err
		}
		i = j
	}
	return st, nil
}
