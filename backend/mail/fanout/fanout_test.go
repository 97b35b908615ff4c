package fanout

import (
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
)

func next(t *testing.T, ch <-chan mail.Event) mail.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("stream closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return mail.Event{}
}

func TestEveryViewGetsEveryEvent(t *testing.T) {
	mb := mailtest.New()
	h := New(mb)
	defer h.Close()
	a, b := h.View(), h.View()
	mb.Emit(mail.Event{Kind: mail.EventArrived, Folder: "INBOX", Count: 2})
	for _, v := range []*View{a, b} {
		if ev := next(t, v.Events()); ev.Kind != mail.EventArrived || ev.Count != 2 {
			t.Fatalf("got %+v", ev)
		}
	}
}

func TestSlowViewLosesOldEventsAndNeverBlocksTheOthers(t *testing.T) {
	mb := mailtest.New()
	h := New(mb)
	defer h.Close()
	slow, fast := h.View(), h.View()
	for i := range Buffer + 10 {
		mb.Emit(mail.Event{Kind: mail.EventStatus, Count: i})
		if ev := next(t, fast.Events()); ev.Count != i {
			t.Fatalf("fast view got %d, want %d", ev.Count, i)
		}
	}
	// The slow view holds the newest Buffer events, oldest dropped.
	if ev := next(t, slow.Events()); ev.Count != 10 {
		t.Fatalf("slow view's oldest kept event is %d, want 10", ev.Count)
	}
	if h.Dropped() != 10 {
		t.Fatalf("dropped %d, want 10", h.Dropped())
	}
}

func TestWatchFollowsTheNewestRequestOfALiveView(t *testing.T) {
	mb := mailtest.New()
	h := New(mb)
	defer h.Close()
	a, b := h.View(), h.View()
	a.Watch("INBOX")
	b.Watch("Junk")
	if mb.Watched() != "Junk" {
		t.Fatalf("watched %q, want Junk", mb.Watched())
	}
	b.Close()
	if mb.Watched() != "INBOX" {
		t.Fatalf("after b left: watched %q, want INBOX", mb.Watched())
	}
	a.Watch("")
	if mb.Watched() != "" {
		t.Fatalf("nobody watches, mailbox watches %q", mb.Watched())
	}
}

func TestClosingAViewEndsItsStreamOnly(t *testing.T) {
	mb := mailtest.New()
	h := New(mb)
	a, b := h.View(), h.View()
	a.Close()
	a.Close() // twice is fine
	if _, ok := <-a.Events(); ok {
		t.Fatal("closed view still streams")
	}
	mb.Emit(mail.Event{Kind: mail.EventConnLost})
	if ev := next(t, b.Events()); ev.Kind != mail.EventConnLost {
		t.Fatalf("got %+v", ev)
	}
	if h.Views() != 1 {
		t.Fatalf("%d views open", h.Views())
	}
	h.Close()
	if _, ok := <-b.Events(); ok {
		t.Fatal("view streams after the hub closed")
	}
	if v := h.View(); v == nil {
		t.Fatal("no view after close")
	} else if _, ok := <-v.Events(); ok {
		t.Fatal("a view made after close streams")
	}
}
