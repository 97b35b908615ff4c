package pull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/safejson"
)

// Options choose what is pulled and how it is written.
type Options struct {
	Account string
	Folders []string
	Unread  bool
	Since   time.Time
	// Query narrows the selection further (the console's search
	// language, mail.ParseQuery); its in:all is the caller's to act on.
	Query mail.Query
	// Limit caps the messages written; across several folders they are
	// the Limit newest (or oldest) by arrival, merged.
	Limit       int // 0: no limit
	OldestFirst bool
	// SaveEmail fills each record's email_as_attachment with the
	// message's bytes in base64.
	SaveEmail bool
	// AttachmentsDir, when set, is an existing directory each
	// attachment is written to (0600, under a name of our making) and
	// listed in the record's attachment_files; "" writes nothing.
	AttachmentsDir string
	// WithAnalysis adds the full evidence (auth, hops, URLs, signals),
	// tuned and bounded by Limits.
	WithAnalysis bool
	Limits       evidence.Limits
	// Format is "jsonl" (one object a line) or "json" (one array).
	Format string
	// MaxBytes caps each message read (0: no cap).
	MaxBytes int64
	// Workers parse in parallel (default GOMAXPROCS).
	Workers int
	// Written, when set, hears the UIDs of each folder whose records have
	// been written and flushed: the caller marks them read (--mark-read),
	// so nothing is marked that did not reach the output.
	Written func(ctx context.Context, folder mail.FolderRef, uids []mail.UID) error
}

// Stats says what a pull did.
type Stats struct {
	Messages int
	Bytes    int64
}

// Pull writes the records of the selected messages to w, in order.
func Pull(ctx context.Context, box mail.Mailbox, opts Options, w io.Writer) (Stats, error) {
	if opts.Format != "json" && opts.Format != "jsonl" {
		return Stats{}, fmt.Errorf("format %q: use json or jsonl", opts.Format)
	}
	out := newWriter(w, opts.Format)
	if opts.Limit > 0 && len(opts.Folders) > 1 {
		st, err := pullNewestAcross(ctx, box, opts, out)
		if err != nil {
			_ = out.close() // what was written stays whole
			return st, err
		}
		return st, out.close()
	}
	var st Stats
	left := opts.Limit
	for _, folder := range opts.Folders {
		if opts.Limit > 0 && left <= 0 {
			break
		}
		ref, uids, err := selectUIDs(ctx, box, folder, opts)
		if err != nil {
			_ = out.close()
			return st, err
		}
		if opts.Limit > 0 && len(uids) > left {
			uids = uids[:left]
		}
		n, b, err := pullFolder(ctx, box, ref, uids, opts, out)
		st.Messages += n
		st.Bytes += b
		left -= n
		if err != nil {
			_ = out.close() // what was written stays whole
			return st, err
		}
	}
	return st, out.close()
}

// selectUIDs finds the messages to pull in folder, in output order.
func selectUIDs(ctx context.Context, box mail.Mailbox, folder string, opts Options) (mail.FolderRef, []mail.UID, error) {
	q := opts.Query
	q.Terms = slices.Clone(q.Terms)
	q.AllFolders = false
	if opts.Unread {
		q.Terms = append(q.Terms, mail.Term{Field: mail.FieldIs, Value: "unread"})
	}
	if opts.Since.After(q.Since) {
		q.Since = opts.Since
	}
	var ref mail.FolderRef
	var uids []mail.UID
	if q.Empty() {
		l, err := box.List(ctx, folder, 0)
		if err != nil {
			return ref, nil, err
		}
		ref, uids = l.Folder, l.UIDs
	} else {
		var err error
		if ref, uids, err = box.Search(ctx, folder, q); err != nil {
			return ref, nil, err
		}
	}
	uids = slices.Clone(uids)
	if !opts.OldestFirst {
		slices.Reverse(uids) // newest first: highest UID first
	}
	return ref, uids, nil
}

type job struct {
	seq int
	msg *mail.RawMessage
}

type result struct {
	seq  int
	uid  mail.UID
	line []byte
	err  error
}

// pullFolder fetches uids in pipelined batches, parses them on workers and
// writes the records in order. Memory is bounded by the channels: at most
// a few batches of raw messages and of records exist at once.
func pullFolder(ctx context.Context, box mail.Mailbox, ref mail.FolderRef, uids []mail.UID, opts Options, out *writer) (int, int64, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, 4*workers)
	results := make(chan result, 4*workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				rec, p := buildParsed(ctx, opts.Account, ref, j.msg, opts.WithAnalysis, opts.Limits)
				err := extras(&rec, p, j.msg, opts)
				var line []byte
				if err == nil {
					line, err = safejson.Marshal(rec)
				}
				select {
				case results <- result{seq: j.seq, uid: j.msg.UID, line: line, err: err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var fetchErr error
	var bytes int64
	go func() {
		seq := 0
		fetchErr = box.FetchMany(ctx, ref, uids, opts.MaxBytes, func(m *mail.RawMessage) error {
			bytes += int64(len(m.Raw))
			select {
			case jobs <- job{seq: seq, msg: m}:
				seq++
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(jobs)
		wg.Wait()
		close(results)
	}()
	written, err := writeInOrder(ctx, results, out)
	if err != nil {
		cancel()
		for range results {
		}
		return len(written), bytes, err
	}
	if fetchErr != nil {
		return len(written), bytes, fetchErr
	}
	if err := out.flush(); err != nil {
		return len(written), bytes, err
	}
	if opts.Written != nil && len(written) > 0 {
		if err := opts.Written(ctx, ref, written); err != nil {
			return len(written), bytes, err
		}
	}
	return len(written), bytes, nil
}

// writeInOrder writes results by sequence number as they complete, until
// ctx ends: a record built after that may be cut short by the ended
// parse, so it is not written.
func writeInOrder(ctx context.Context, results <-chan result, out *writer) ([]mail.UID, error) {
	pending := map[int]result{}
	next := 0
	var written []mail.UID
	for r := range results {
		if ctx.Err() != nil {
			return written, ctx.Err()
		}
		pending[r.seq] = r
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if p.err != nil {
				return written, p.err
			}
			if err := out.record(p.line); err != nil {
				return written, err
			}
			written = append(written, p.uid)
		}
	}
	return written, nil
}

// writer streams records as JSON lines or as one JSON array. It hands
// the output only whole records (never a buffer cut mid-line), so an
// interrupted pull leaves complete lines behind.
type writer struct {
	w      io.Writer
	buf    []byte
	format string
	n      int
	closed bool
}

// flushAt is how much is gathered before it is written.
const flushAt = 256 << 10

func newWriter(w io.Writer, format string) *writer {
	return &writer{w: w, format: format}
}

func (w *writer) record(line []byte) error {
	if w.format == "json" {
		sep := ",\n"
		if w.n == 0 {
			sep = "[\n"
		}
		w.buf = append(w.buf, sep...)
	}
	w.n++
	w.buf = append(w.buf, line...)
	if w.format == "jsonl" {
		w.buf = append(w.buf, '\n')
	}
	if len(w.buf) >= flushAt {
		return w.flush()
	}
	return nil
}

func (w *writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// close ends the output: the array's end for json, whatever stopped the
// pull, so the output always parses.
func (w *writer) close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.format == "json" {
		end := "\n]\n"
		if w.n == 0 {
			end = "[]\n"
		}
		w.buf = append(w.buf, end...)
	}
	return w.flush()
}

// ErrNoFolders is returned when nothing was asked for.
var ErrNoFolders = errors.New("no folder to pull from")
