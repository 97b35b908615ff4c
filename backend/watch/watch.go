// Package watch is the new-mail listener of the headless `watch` command:
// every message that arrives in a folder is delivered once to a sink
// (stdout, a command, a signed webhook). A state file holds UIDVALIDITY
// and the last delivered UID and is written after each delivery, so a
// restart or a dropped connection neither loses nor repeats a message.
package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/pull"
	"github.com/mailtriage/mailtriage/backend/safejson"
)

// State is what the state file holds.
type State struct {
	Account     string `json:"account"`
	Folder      string `json:"folder"`
	UIDValidity uint32 `json:"uidvalidity"`
	LastUID     uint32 `json:"last_uid"`
}

// LoadState reads the state file; a missing file is a zero state.
func LoadState(path string) (State, error) {
	var st State
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("state file %s: %w", path, err)
	}
	return st, nil
}

// SaveState writes the state atomically (temp file, fsync, rename), so a
// crash leaves the old state or the new one, never half of either.
func SaveState(path string, st State) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".watch-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Sink receives each new message's record (one JSON object).
type Sink interface {
	Deliver(ctx context.Context, record []byte) error
}

// Options configure a watch.
type Options struct {
	Account   string
	Folder    string
	StatePath string
	Sink      Sink
	// FromStart delivers the messages already in the folder on the first
	// run; by default the first run only remembers where the folder is.
	FromStart bool
	// Recheck is how often the folder is checked even without news from
	// the server (a safety net under IDLE; default 1 minute).
	Recheck time.Duration
	// MaxBytes caps each message read.
	MaxBytes int64
	// Limits bound the parsing of each message (as pull's).
	Limits evidence.Limits
	// Log hears retries and state changes (stderr in the command).
	Log io.Writer
	// Backoff bounds the waits between failed deliveries (default 1 s
	// doubling to 1 min); a delivery is retried until it succeeds or ctx
	// ends, never skipped.
	BackoffMin, BackoffMax time.Duration
}

// Run delivers new mail until ctx ends.
func Run(ctx context.Context, box mail.Mailbox, opts Options) error {
	if opts.Recheck <= 0 {
		opts.Recheck = time.Minute
	}
	if opts.BackoffMin <= 0 {
		opts.BackoffMin = time.Second
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = time.Minute
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	st, err := LoadState(opts.StatePath)
	if err != nil {
		return err
	}
	if st.Folder != "" && (st.Folder != opts.Folder || st.Account != opts.Account) {
		return fmt.Errorf("state file %s belongs to %s/%s, not %s/%s", opts.StatePath, st.Account, st.Folder, opts.Account, opts.Folder)
	}
	w := &watcher{box: box, opts: opts, st: st}
	box.Watch(opts.Folder)
	defer box.Watch("")
	tick := time.NewTicker(opts.Recheck)
	defer tick.Stop()
	for {
		if err := w.catchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			logf(opts.Log, "mailtriage watch: %v (will try again)\n", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case ev, ok := <-box.Events():
			if !ok {
				return errors.New("the mailbox was closed")
			}
			if ev.Kind == mail.EventConnLost {
				logf(opts.Log, "mailtriage watch: connection lost (%v); reconnecting\n", ev.Err)
				continue
			}
			if ev.Kind == mail.EventStatus && ev.Folder != opts.Folder {
				continue
			}
		}
	}
}

type watcher struct {
	box  mail.Mailbox
	opts Options
	st   State
}

// catchUp delivers every message above the last delivered UID, in UID
// order, saving the state after each.
func (w *watcher) catchUp(ctx context.Context) error {
	l, err := w.box.List(ctx, w.opts.Folder, 0)
	if err != nil {
		return err
	}
	if err := w.checkValidity(l); err != nil {
		return err
	}
	var fresh []mail.UID
	for _, uid := range l.UIDs {
		if uint32(uid) > w.st.LastUID {
			fresh = append(fresh, uid)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	return w.box.FetchMany(ctx, l.Folder, fresh, w.opts.MaxBytes, func(msg *mail.RawMessage) error {
		// A message that hits a parsing limit or the deadline still makes a
		// record (saying so): one hostile mail never stalls the watch.
		rec, err := safejson.Marshal(pull.Build(ctx, w.opts.Account, l.Folder, msg, false, w.opts.Limits))
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err() // stopping: the record may be cut short
		}
		if err := w.deliver(ctx, rec, msg.UID); err != nil {
			return err
		}
		w.st.LastUID = uint32(msg.UID)
		return SaveState(w.opts.StatePath, w.st)
	})
}

// checkValidity starts a first run (or a recreated folder) at the
// folder's current end, unless FromStart asks for everything.
func (w *watcher) checkValidity(l mail.Listing) error {
	v := l.Folder.UIDValidity
	if w.st.UIDValidity == v && w.st.Folder != "" {
		return nil
	}
	last := uint32(0)
	if !w.opts.FromStart && len(l.UIDs) > 0 {
		last = uint32(l.UIDs[len(l.UIDs)-1])
	}
	if w.st.Folder != "" {
		logf(w.opts.Log, "mailtriage watch: %s was recreated (UIDVALIDITY %d → %d); continuing after UID %d\n", w.opts.Folder, w.st.UIDValidity, v, last)
	}
	w.st = State{Account: w.opts.Account, Folder: w.opts.Folder, UIDValidity: v, LastUID: last}
	return SaveState(w.opts.StatePath, w.st)
}

// deliver retries with back-off until the sink takes the record.
func (w *watcher) deliver(ctx context.Context, rec []byte, uid mail.UID) error {
	wait := w.opts.BackoffMin
	for attempt := 1; ; attempt++ {
		err := w.opts.Sink.Deliver(ctx, rec)
		if err == nil {
			return nil
		}
		logf(w.opts.Log, "mailtriage watch: delivery of UID %d failed (attempt %d): %v; retrying in %v\n", uid, attempt, err, wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, w.opts.BackoffMax)
	}
}

// logf writes one line to log, sanitized like anything bound for a
// terminal: errors quote the server's words (a NO text may carry escape
// sequences or bidi controls).
func logf(log io.Writer, format string, args ...any) {
	line := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	fmt.Fprintf(log, "%s\n", analysis.SanitizeLine(line))
}
