package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// watcher polls the watched folder with a delta query (a terminal has no
// public endpoint for change notifications): the first round only learns
// what is there; later rounds follow the deltaLink and report what
// arrived, left or changed. Every StatusInterval it refreshes the counters
// of all folders and reports those that changed.
type watcher struct {
	m       *Mailbox
	changed chan struct{}

	mu      sync.Mutex
	folder  string
	started bool
	done    chan struct{}
}

func newWatcher(m *Mailbox) *watcher {
	return &watcher{m: m, changed: make(chan struct{}, 1), done: make(chan struct{})}
}

func (w *watcher) setFolder(folder string) {
	w.mu.Lock()
	if w.started && w.folder == folder {
		w.mu.Unlock()
		return
	}
	w.folder = folder
	if !w.started {
		w.started = true
		go w.run()
	}
	w.mu.Unlock()
	select {
	case w.changed <- struct{}{}:
	default:
	}
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

func (w *watcher) run() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-w.m.closed
		cancel()
	}()
	lost := false
	last := map[string]mail.FolderStatus{}
	var lastStatus time.Time
	for ctx.Err() == nil {
		folder := w.current()
		var err error
		if folder != "" {
			err = w.poll(ctx, folder)
		}
		if err == nil && time.Since(lastStatus) >= w.m.cfg.StatusInterval {
			err = w.statuses(ctx, last)
			lastStatus = time.Now()
		}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !isAnswer(err):
			if !lost {
				lost = true
				w.m.emit(mail.Event{Kind: mail.EventConnLost, Err: err})
			}
		case lost:
			lost = false
			w.m.emit(mail.Event{Kind: mail.EventConnRestored})
		}
		t := time.NewTimer(w.m.cfg.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-w.changed:
			t.Stop()
		case <-t.C:
		}
	}
}

// isAnswer is Graph's refusal, not a lost link.
func isAnswer(err error) bool {
	var ge *Error
	var fe *FolderError
	return errors.As(err, &ge) || errors.As(err, &fe)
}

// poll runs one delta round over folder (shared with List: the UID map
// is brought up to date as it goes) and reports the changes. A folder's
// first round, which reads it whole, reports nothing.
func (w *watcher) poll(ctx context.Context, folder string) error {
	id, err := w.m.folderID(ctx, folder)
	if err != nil {
		return err
	}
	ch, err := w.m.sync(ctx, id)
	if err != nil || ch.first {
		return err
	}
	if ch.arrived > 0 {
		w.m.emit(mail.Event{Kind: mail.EventArrived, Folder: folder, Count: ch.arrived})
	}
	if ch.gone > 0 {
		w.m.emit(mail.Event{Kind: mail.EventExpunged, Folder: folder, Count: ch.gone})
	}
	if ch.modified > 0 {
		w.m.emit(mail.Event{Kind: mail.EventFlagsChanged, Folder: folder, Count: ch.modified})
	}
	if ch.arrived+ch.gone+ch.modified > 0 {
		if st, err := w.m.Status(ctx, folder); err == nil && len(st) == 1 {
			w.m.emit(mail.Event{Kind: mail.EventStatus, Folder: folder, Status: st[0]})
		}
	}
	return nil
}

// statuses reports the counters of every folder that changed since last.
func (w *watcher) statuses(ctx context.Context, last map[string]mail.FolderStatus) error {
	folders, err := w.m.Folders(ctx)
	if err != nil {
		return err
	}
	for _, f := range folders {
		st := f.Status
		if prev, ok := last[f.Name]; ok && prev.Messages == st.Messages && prev.Unseen == st.Unseen {
			continue
		}
		last[f.Name] = st
		w.m.emit(mail.Event{Kind: mail.EventStatus, Folder: f.Name, Status: st})
	}
	return nil
}
