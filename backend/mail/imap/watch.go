package imap

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// watcher keeps one connection of its own on the open folder: IDLE where
// the server has it, STATUS polling where not. It also refreshes every
// folder's counters now and then, and it is the one that notices a lost
// server, reconnects with backoff and says so.
type watcher struct {
	m       *Mailbox
	changed chan struct{} // the watched folder changed

	mu      sync.Mutex
	folder  string
	started bool
	done    chan struct{}
	last    map[string]mail.FolderStatus // last counters reported, to report changes only
}

func newWatcher(m *Mailbox) *watcher {
	return &watcher{m: m, changed: make(chan struct{}, 1), done: make(chan struct{}), last: map[string]mail.FolderStatus{}}
}

func (w *watcher) setFolder(folder string) {
	w.mu.Lock()
	if w.started && w.folder == folder {
		w.mu.Unlock()
		return // already watching it; do not interrupt IDLE for nothing
	}
	w.folder = folder
	if !w.started {
		w.started = true
		go w.run()
	}
	w.mu.Unlock()
	signal(w.changed)
}

func (w *watcher) current() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.folder
}

func (w *watcher) wait() {
	w.mu.Lock()
	started := w.started
	w.mu.Unlock()
	if started {
		<-w.done
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// errFolderGone stops watching a folder the server will not open, without
// treating the server as lost.
var errFolderGone = errors.New("watched folder cannot be opened")

func (w *watcher) run() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-w.m.closed
		cancel()
	}()

	delay := backoff{}
	lost := false
	for ctx.Err() == nil {
		folder := w.current()
		if folder == "" {
			w.pause(ctx, 0)
			continue
		}
		s := &session{}
		c, err := w.m.dial(ctx, s.handler())
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !lost {
				lost = true
				w.m.pool.drain()
				w.m.emit(mail.Event{Kind: mail.EventConnLost, Err: err})
			}
			w.pause(ctx, retryAfter(err, &delay))
			continue
		}
		if lost {
			lost = false
			w.m.emit(mail.Event{Kind: mail.EventConnRestored})
		}
		s.c = c
		began := time.Now()
		err = w.session(ctx, s, folder)
		closeQuietly(c)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errFolderGone):
			w.pause(ctx, time.Hour) // until the analyst opens another folder
		case err != nil:
			lost = true
			w.m.pool.drain()
			w.m.emit(mail.Event{Kind: mail.EventConnLost, Err: err})
			// A server that drops us right after login must not be
			// hammered: back off unless the session lasted a while.
			if time.Since(began) > time.Minute {
				delay.reset()
			}
			w.pause(ctx, delay.next())
		}
	}
}

// retryAfter is how long to wait before dialling again. A refused login
// is retried rarely: guessing again and again can lock the account.
func retryAfter(err error, delay *backoff) time.Duration {
	var ce *mail.ConnError
	if errors.As(err, &ce) && ce.IsAuth() {
		return 5 * time.Minute
	}
	return delay.next()
}

// pause waits for d (0: forever), a folder change, or the end.
func (w *watcher) pause(ctx context.Context, d time.Duration) {
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
	case <-w.changed:
	case <-ctx.Done():
	}
}

func (w *watcher) session(ctx context.Context, s *session, folder string) error {
	if s.c.Caps().Has(imap.CapIdle) && !w.m.cfg.NoIdle {
		return w.idle(ctx, s, folder)
	}
	return w.poll(ctx, s, folder)
}

// idle examines the folder (read-only: watching must change nothing) and
// idles until something happens, then stops IDLE, reports, and idles again.
func (w *watcher) idle(ctx context.Context, s *session, folder string) error {
	data, err := s.c.Select(w.m.wire(folder), &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		if isAnswer(err) {
			return errFolderGone
		}
		return err
	}
	s.start(data.NumMessages)
	// Fresh counters at once: anything may have changed while we were
	// not watching.
	if err := w.reportActivity(s, folder); err != nil {
		return err
	}
	statusTick := time.NewTicker(w.m.cfg.StatusInterval)
	defer statusTick.Stop()
	for {
		cmd, err := s.c.Idle()
		if err != nil {
			return err
		}
		var wake, switched, refresh bool
		select {
		case <-s.wake:
			wake = true
		case <-statusTick.C:
			refresh = true
		case <-w.changed:
			switched = true
		case <-ctx.Done():
		case <-s.c.Closed():
			return errors.New("server closed the connection")
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		if err := cmd.Wait(); err != nil {
			return err
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case switched && w.current() != folder:
			return nil
		case wake:
			if err := w.reportActivity(s, folder); err != nil {
				return err
			}
		case refresh:
			if err := w.refreshAll(s.c); err != nil {
				return err
			}
		}
	}
}

// reportActivity turns what IDLE told us into events, with fresh counters
// for the folder (SEARCH, since STATUS on the selected folder is advised
// against).
func (w *watcher) reportActivity(s *session, folder string) error {
	arrived, expunged, flags, exists := s.take()
	if arrived > 0 {
		w.m.emit(mail.Event{Kind: mail.EventArrived, Folder: folder, Count: arrived})
	}
	if expunged {
		w.m.emit(mail.Event{Kind: mail.EventExpunged, Folder: folder})
	}
	if flags {
		w.m.emit(mail.Event{Kind: mail.EventFlagsChanged, Folder: folder})
	}
	esearch := s.c.Caps().Has(imap.CapESearch)
	d, err := s.c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, searchReturn(esearch, true)).Wait()
	if err != nil {
		return err
	}
	w.report(mail.FolderStatus{Folder: folder, Known: true, Messages: exists, Unseen: countOf(d, esearch)})
	return nil
}

// poll is the fallback for servers without IDLE: STATUS on the folder every
// PollInterval, compared with the last answer.
func (w *watcher) poll(ctx context.Context, s *session, folder string) error {
	prev, err := statusOne(s.c, w.m.namespace(), folder)
	if err != nil {
		return err
	}
	w.report(prev)
	pollTick := time.NewTicker(w.m.cfg.PollInterval)
	defer pollTick.Stop()
	statusTick := time.NewTicker(w.m.cfg.StatusInterval)
	defer statusTick.Stop()
	for {
		select {
		case <-pollTick.C:
			st, err := statusOne(s.c, w.m.namespace(), folder)
			if err != nil {
				return err
			}
			w.compare(prev, st)
			prev = st
		case <-statusTick.C:
			if err := w.refreshAll(s.c); err != nil {
				return err
			}
		case <-w.changed:
			if w.current() != folder {
				return nil
			}
		case <-ctx.Done():
			return nil
		case <-s.c.Closed():
			return errors.New("server closed the connection")
		}
	}
}

func statusOne(c *imapclient.Client, ns namespace, folder string) (mail.FolderStatus, error) {
	d, err := c.Status(ns.wire(folder), statusItems).Wait()
	if err != nil {
		if isAnswer(err) {
			return mail.FolderStatus{}, errFolderGone
		}
		return mail.FolderStatus{}, err
	}
	return statusFrom(d, folder), nil
}

// compare infers events from two STATUS answers: UIDNEXT grows when mail
// arrives; fewer messages than arrivals explain means some left.
func (w *watcher) compare(prev, cur mail.FolderStatus) {
	arrived := 0
	if cur.UIDNext > prev.UIDNext {
		arrived = int(cur.UIDNext - prev.UIDNext)
		w.m.emit(mail.Event{Kind: mail.EventArrived, Folder: cur.Folder, Count: arrived})
	}
	if int(cur.Messages) < int(prev.Messages)+arrived {
		w.m.emit(mail.Event{Kind: mail.EventExpunged, Folder: cur.Folder})
	} else if cur.Unseen != prev.Unseen && arrived == 0 {
		w.m.emit(mail.Event{Kind: mail.EventFlagsChanged, Folder: cur.Folder})
	}
	w.report(cur)
}

// refreshAll re-reads every folder's counters and reports those that
// changed.
func (w *watcher) refreshAll(c *imapclient.Client) error {
	folders, err := foldersWithStatus(c, w.m.namespace(), w.m.cfg.Roles)
	if err != nil {
		return err
	}
	for _, f := range folders {
		if f.Status.Known {
			w.report(f.Status)
		}
	}
	return nil
}

func (w *watcher) report(st mail.FolderStatus) {
	w.mu.Lock()
	prev, seen := w.last[st.Folder]
	same := seen && prev.Messages == st.Messages && prev.Unseen == st.Unseen
	w.last[st.Folder] = st
	w.mu.Unlock()
	if !same {
		w.m.emit(mail.Event{Kind: mail.EventStatus, Folder: st.Folder, Status: st})
	}
}

// session is the watch connection's state, fed by go-imap's unilateral
// data handlers. Those run on the client's reader goroutine, so they only
// record and wake; commands are sent from the watcher's goroutine.
type session struct {
	c    *imapclient.Client
	wake chan struct{}

	mu       sync.Mutex
	exists   uint32
	arrived  int
	expunged bool
	flags    bool
}

func (s *session) handler() *imapclient.UnilateralDataHandler {
	s.wake = make(chan struct{}, 1)
	return &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				s.onExists(*d.NumMessages)
			}
		},
		Expunge: func(uint32) { s.onExpunge() },
		Fetch: func(msg *imapclient.FetchMessageData) {
			_, _ = msg.Collect()
			s.mu.Lock()
			s.flags = true
			s.mu.Unlock()
			signal(s.wake)
		},
	}
}

func (s *session) start(exists uint32) {
	s.mu.Lock()
	s.exists, s.arrived, s.expunged, s.flags = exists, 0, false, false
	s.mu.Unlock()
	select {
	case <-s.wake:
	default:
	}
}

func (s *session) onExists(n uint32) {
	s.mu.Lock()
	if n > s.exists {
		s.arrived += int(n - s.exists)
	}
	s.exists = n
	s.mu.Unlock()
	signal(s.wake)
}

func (s *session) onExpunge() {
	s.mu.Lock()
	if s.exists > 0 {
		s.exists--
	}
	s.expunged = true
	s.mu.Unlock()
	signal(s.wake)
}

func (s *session) take() (arrived int, expunged, flags bool, exists uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arrived, expunged, flags, exists = s.arrived, s.expunged, s.flags, s.exists
	s.arrived, s.expunged, s.flags = 0, false, false
	return
}

func closeQuietly(c *imapclient.Client) {
	done := make(chan struct{})
	go func() {
		_ = c.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	c.Close()
}

// backoff grows from 1 s to 30 s with jitter, so a fleet of consoles does
// not hammer a recovering server in step.
type backoff struct{ n int }

func (b *backoff) next() time.Duration {
	d := time.Second << min(b.n, 5)
	if d > 30*time.Second {
		d = 30 * time.Second
	}
	b.n++
	jitter := time.Duration(rand.Int64N(int64(d) / 5))
	return d - d/10 + jitter
}

func (b *backoff) reset() { b.n = 0 }
