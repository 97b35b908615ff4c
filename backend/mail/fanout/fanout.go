// Package fanout shares one mail.Mailbox between many sessions (the SSH
// server's): every session gets a view with its own Events stream and its
// own watched folder, while the connections, the header cache and the
// watcher stay one per account.
//
// A hub goroutine reads the mailbox's events and hands each to every view.
// It never waits for a session: a view whose reader is behind loses its
// oldest event instead (the periodic STATUS refresh and the next event
// bring the screen back in step), so one slow or stuck session cannot
// hold up the others.
package fanout

import (
	"sync"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// Buffer is how many events a view holds for a reader that is behind.
const Buffer = 64

// Hub owns a mailbox and its views.
type Hub struct {
	mb        mail.Mailbox
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	views   map[*View]struct{}
	closed  bool
	seq     uint64 // orders Watch requests
	watched string // what the mailbox watches now
	dropped uint64
}

// New starts sharing mb. The hub owns it from now on: Close closes it.
func New(mb mail.Mailbox) *Hub {
	h := &Hub{mb: mb, stop: make(chan struct{}), done: make(chan struct{}), views: map[*View]struct{}{}}
	go h.run()
	return h
}

func (h *Hub) run() {
	defer close(h.done)
	events := h.mb.Events()
	for {
		select {
		case <-h.stop:
			return
		case ev, ok := <-events:
			if !ok {
				h.closeViews()
				return
			}
			h.broadcast(ev)
		}
	}
}

func (h *Hub) broadcast(ev mail.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for v := range h.views {
		select {
		case v.events <- ev:
			continue
		default:
		}
		// Full: drop the oldest so the newest news gets through. The hub
		// is the only sender, so after one receive there is room unless
		// the reader took one meanwhile, which also leaves room.
		select {
		case <-v.events:
			h.dropped++
		default:
		}
		select {
		case v.events <- ev:
		default:
			h.dropped++
		}
	}
}

// Dropped reports how many events slow views lost.
func (h *Hub) Dropped() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// View returns a new view of the shared mailbox for one session. Close it
// when the session ends; that closes its Events stream and leaves the
// mailbox open.
func (h *Hub) View() *View {
	v := &View{Mailbox: h.mb, hub: h, events: make(chan mail.Event, Buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(v.events)
		v.closed = true
		return v
	}
	h.views[v] = struct{}{}
	return v
}

// Views reports how many views are open.
func (h *Hub) Views() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.views)
}

// Close ends every view's stream and closes the mailbox.
func (h *Hub) Close() error {
	var err error
	h.closeOnce.Do(func() {
		close(h.stop)
		<-h.done
		h.closeViews()
		err = h.mb.Close()
	})
	return err
}

func (h *Hub) closeViews() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for v := range h.views {
		v.closed = true
		close(v.events)
	}
	clear(h.views)
}

// watch records what v wants watched and points the mailbox at the folder
// asked for most recently by a live view ("" when none wants any).
func (h *Hub) watch(v *View, folder string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if v.closed {
		return
	}
	h.seq++
	v.folder, v.asked = folder, h.seq
	h.follow()
}

// follow must be called with h.mu held.
func (h *Hub) follow() {
	want, newest := "", uint64(0)
	for v := range h.views {
		if v.folder != "" && v.asked > newest {
			want, newest = v.folder, v.asked
		}
	}
	if want != h.watched {
		h.watched = want
		h.mb.Watch(want)
	}
}

func (h *Hub) remove(v *View) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if v.closed {
		return
	}
	v.closed = true
	delete(h.views, v)
	close(v.events)
	h.follow()
}

// View is one session's handle on the shared mailbox. Every call but
// Events, Watch and Close goes straight to the mailbox, which is safe for
// concurrent use.
type View struct {
	mail.Mailbox
	hub    *Hub
	events chan mail.Event

	// Guarded by hub.mu.
	folder string
	asked  uint64
	closed bool
}

var _ mail.Mailbox = (*View)(nil)

// Events delivers the shared mailbox's events to this view until Close.
func (v *View) Events() <-chan mail.Event { return v.events }

// Watch asks for changes in folder. The mailbox watches one folder at a
// time, the one asked for last by any session; the others see their
// folder's counters through the periodic STATUS refresh.
func (v *View) Watch(folder string) { v.hub.watch(v, folder) }

// Unwrap is the shared mailbox, so that capabilities beyond mail.Mailbox
// (a Graph account's calendar) are found through the view (mail.As).
func (v *View) Unwrap() mail.Mailbox { return v.Mailbox }

// Close ends this view's stream; the shared mailbox stays open.
func (v *View) Close() error {
	v.hub.remove(v)
	return nil
}
