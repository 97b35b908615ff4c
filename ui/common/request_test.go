package common

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
)

type replyMsg struct {
	t   Ticket
	err error
}

// A request replaced by a newer one is cancelled and its reply is stale;
// the newer one's reply is current until the slot is cancelled.
func TestSlotCancelsTheRequestItReplaces(t *testing.T) {
	c := &Common{Ctx: context.Background(), Jobs: jobs.NewRunner(10)}
	var s Slot
	started := make(chan struct{})
	first := Request(c, &s, jobs.Spec{Name: "slow"}, func(ctx context.Context, _ *jobs.Progress) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	}, func(t Ticket, _ int, err error) tea.Msg { return replyMsg{t, err} })
	replies := make(chan tea.Msg, 1)
	go func() { replies <- first() }()
	<-started
	second := Request(c, &s, jobs.Spec{Name: "fast"}, func(context.Context, *jobs.Progress) (int, error) { return 2, nil },
		func(t Ticket, _ int, err error) tea.Msg { return replyMsg{t, err} })
	select {
	case msg := <-replies:
		r := msg.(replyMsg)
		if r.t.Current() || !errors.Is(r.err, context.Canceled) {
			t.Fatalf("replaced request: current %v err %v", r.t.Current(), r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the replaced request was not cancelled")
	}
	r := second().(replyMsg)
	if !r.t.Current() || r.err != nil {
		t.Fatalf("latest request: current %v err %v", r.t.Current(), r.err)
	}
	s.Cancel()
	if r.t.Current() {
		t.Fatal("a reply stayed current after the slot was cancelled")
	}
	if (Ticket{}).Current() {
		t.Fatal("a zero ticket is current")
	}
}

// Requests of a scope run side by side: a second one does not cancel the
// first; Cancel stops both and makes their replies stale, and a request
// started after it is current again.
func TestScopeCancelsItsRequestsTogether(t *testing.T) {
	c := &Common{Ctx: context.Background(), Jobs: jobs.NewRunner(10)}
	var s Scope
	reply := func(t Ticket, _ int, err error) tea.Msg { return replyMsg{t, err} }
	replies := make(chan tea.Msg, 2)
	var ctxs []context.Context
	for _, name := range []string{"page 1", "page 2"} {
		started := make(chan context.Context)
		cmd := RequestIn(c, &s, jobs.Spec{Name: name}, func(ctx context.Context, _ *jobs.Progress) (int, error) {
			started <- ctx
			<-ctx.Done()
			return 0, ctx.Err()
		}, reply)
		go func() { replies <- cmd() }()
		ctxs = append(ctxs, <-started)
	}
	for i, ctx := range ctxs {
		if ctx.Err() != nil {
			t.Fatalf("request %d of the scope was cancelled by its sibling", i+1)
		}
	}
	s.Cancel()
	for range 2 {
		select {
		case msg := <-replies:
			r := msg.(replyMsg)
			if r.t.Current() || !errors.Is(r.err, context.Canceled) {
				t.Fatalf("cancelled request: current %v err %v", r.t.Current(), r.err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Cancel did not stop a request of the scope")
		}
	}
	r := RequestIn(c, &s, jobs.Spec{Name: "page 3"}, func(context.Context, *jobs.Progress) (int, error) { return 3, nil }, reply)().(replyMsg)
	if !r.t.Current() || r.err != nil {
		t.Fatalf("request after Cancel: current %v err %v", r.t.Current(), r.err)
	}
}
