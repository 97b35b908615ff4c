package pull

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// spillKey names one spilled record.
type spillKey struct {
	folder int
	uid    mail.UID
}

// span is where a record's line lies in the spill file (without its
// newline).
type span struct{ off, n int64 }

// writeSpilled writes a merged list whose folders interleave: each folder
// is fetched once, in one pipelined batch, its records spilled to a
// private temporary file, and the records are then copied out in merged
// order. Interleaved runs would cost a folder switch and a fetch per run
// (seconds over a slow link); the spill keeps memory at one record plus
// an offset per message. --mark-read hears each folder's UIDs after the
// whole output is flushed.
func writeSpilled(ctx context.Context, box mail.Mailbox, refs []mail.FolderRef, list []candidate, opts Options, out *writer) (Stats, error) {
	tmp, err := os.CreateTemp("", "mailtriage-pull-*")
	if err != nil {
		return Stats{}, fmt.Errorf("pull: spill file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	order, st, err := spill(ctx, box, refs, list, opts, tmp)
	if err != nil {
		return st, err
	}
	index, err := indexSpill(tmp, order)
	if err != nil {
		return st, err
	}
	written := make([][]mail.UID, len(refs))
	for _, c := range list {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		sp, ok := index[spillKey{c.folder, c.uid}]
		if !ok {
			continue // gone since it was listed
		}
		line := make([]byte, sp.n)
		if _, err := tmp.ReadAt(line, sp.off); err != nil {
			return st, fmt.Errorf("pull: spill file: %w", err)
		}
		if err := out.record(line); err != nil {
			return st, err
		}
		written[c.folder] = append(written[c.folder], c.uid)
		st.Messages++
	}
	return st, markWritten(ctx, refs, written, opts, out)
}

// spill writes each folder's share of list to w as JSON lines and returns
// the order the records were written in.
func spill(ctx context.Context, box mail.Mailbox, refs []mail.FolderRef, list []candidate, opts Options, w io.Writer) ([]spillKey, Stats, error) {
	byFolder := make([][]mail.UID, len(refs))
	for _, c := range list {
		byFolder[c.folder] = append(byFolder[c.folder], c.uid)
	}
	sw := newWriter(w, "jsonl")
	var order []spillKey
	var st Stats
	for f, uids := range byFolder {
		if len(uids) == 0 {
			continue
		}
		sopts := opts
		sopts.Written = func(_ context.Context, _ mail.FolderRef, done []mail.UID) error {
			for _, u := range done {
				order = append(order, spillKey{f, u})
			}
			return nil
		}
		_, b, err := pullFolder(ctx, box, refs[f], uids, sopts, sw)
		st.Bytes += b
		if err != nil {
			return nil, st, err
		}
	}
	return order, st, sw.flush()
}

// indexSpill finds each record's line in the spill file.
func indexSpill(f *os.File, order []spillKey) (map[spillKey]span, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("pull: spill file: %w", err)
	}
	r := bufio.NewReaderSize(f, 256<<10)
	index := make(map[spillKey]span, len(order))
	var off int64
	for _, k := range order {
		n, err := lineLength(r)
		if err != nil {
			return nil, fmt.Errorf("pull: spill file: %w", err)
		}
		index[k] = span{off: off, n: n}
		off += n + 1
	}
	return index, nil
}

// lineLength reads past one line and returns its length without the
// newline, holding no more than the reader's buffer.
func lineLength(r *bufio.Reader) (int64, error) {
	var n int64
	for {
		chunk, err := r.ReadSlice('\n')
		n += int64(len(chunk))
		switch err {
		case nil:
			return n - 1, nil
		case bufio.ErrBufferFull:
			continue
		default:
			return 0, err
		}
	}
}

// markWritten flushes the output, then tells opts.Written each folder's
// UIDs that reached it.
func markWritten(ctx context.Context, refs []mail.FolderRef, written [][]mail.UID, opts Options, out *writer) error {
	if err := out.flush(); err != nil {
		return err
	}
	if opts.Written == nil {
		return nil
	}
	for f, uids := range written {
		if len(uids) == 0 {
			continue
		}
		if err := opts.Written(ctx, refs[f], uids); err != nil {
			return err
		}
	}
	return nil
}
