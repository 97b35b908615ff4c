package graph

import (
	"context"
	"errors"
	"net/url"
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

// deltaState is the delta stream of one folder.
type deltaState struct {
	folder string
	link   string          // the deltaLink to poll next; "" before the first round
	seen   map[string]bool // ids in the folder as of link
}

func (w *watcher) run() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-w.m.closed
		cancel()
	}()
	var d *deltaState
	lost := false
	last := map[string]mail.FolderStatus{}
	var lastStatus time.Time
	for ctx.Err() == nil {
		folder := w.current()
		if d == nil || d.folder != folder {
			d = &deltaState{folder: folder}
		}
		var err error
		if folder != "" {
			err = w.poll(ctx, d)
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

// poll runs one delta round over d's folder and reports the changes.
func (w *watcher) poll(ctx context.Context, d *deltaState) error {
	first := d.link == ""
	path := d.link
	if first {
		id, err := w.m.folderID(ctx, d.folder)
		if err != nil {
			return err
		}
		path = "/mailFolders/" + url.PathEscape(id) + "/messages/delta?$select=id,receivedDateTime,isRead"
		d.seen = map[string]bool{}
	}
	var arrived, gone, changed int
	for path != "" {
		var p page[message]
		if err := w.m.getJSON(ctx, path, &p); err != nil {
			if first || !isAnswer(err) {
				return err
			}
			// The delta token expired (410) or was refused: start over.
			d.link = ""
			return err
		}
		for _, msg := range p.Value {
			switch {
			case msg.Removed != nil:
				if d.seen[msg.ID] {
					delete(d.seen, msg.ID)
					gone++
				}
			case d.seen[msg.ID]:
				changed++
			default:
				d.seen[msg.ID] = true
				arrived++
			}
		}
		path = p.NextLink
		if p.DeltaLink != "" {
			d.link = p.DeltaLink
		}
	}
	if first {
		return nil
	}
	if arrived > 0 {
		w.m.emit(mail.Event{Kind: mail.EventArrived, Folder: d.folder, Count: arrived})
	}
	if gone > 0 {
		w.m.emit(mail.Event{Kind: mail.EventExpunged, Folder: d.folder, Count: gone})
	}
	if changed > 0 {
		w.m.emit(mail.Event{Kind: mail.EventFlagsChanged, Folder: d.folder, Count: changed})
	}
	if arrived+gone+changed > 0 {
		if st, err := w.m.Status(ctx, d.folder); err == nil && len(st) == 1 {
			w.m.emit(mail.Event{Kind: mail.EventStatus, Folder: d.folder, Status: st[0]})
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
