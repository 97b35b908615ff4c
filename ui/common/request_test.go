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
