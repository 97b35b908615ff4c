package common

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
)

// Slot is where a screen keeps its one outstanding request of a kind (the
// message being read, the detail being opened). Starting a request in a
// slot cancels the one it replaces; Cancel (on leaving a view) cancels
// what is in flight. Every reply carries a Ticket, and Ticket.Current is
// the one place that decides whether a reply is stale.
//
// A Slot is used from the UI goroutine only (Update), so it needs no lock;
// the job itself sees only its context.
type Slot struct {
	seq    uint64
	cancel context.CancelFunc
}

// Ticket names one request of a slot; replies carry it.
type Ticket struct {
	slot *Slot
	seq  uint64
	// Job is the backend job that ran the request.
	Job jobs.ID
}

// Current reports whether the reply answers the slot's latest request,
// which was neither replaced nor cancelled. A zero Ticket is never
// current.
func (t Ticket) Current() bool { return t.slot != nil && t.slot.seq == t.seq }

// Cancel cancels the request in flight, if any: its reply, if one still
// comes, is stale.
func (s *Slot) Cancel() {
	s.seq++
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// Request runs fn as a job in slot s, cancelling the request it replaces,
// and turns its outcome into one message with done.
func Request[T any](c *Common, s *Slot, spec jobs.Spec, fn func(ctx context.Context, p *jobs.Progress) (T, error), done func(t Ticket, v T, err error) tea.Msg) tea.Cmd {
	s.Cancel()
	ctx, cancel := context.WithCancel(c.Ctx)
	s.cancel = cancel
	t := Ticket{slot: s, seq: s.seq}
	return func() tea.Msg {
		defer cancel()
		var out T
		id, err := c.Jobs.Run(ctx, spec, func(ctx context.Context, p *jobs.Progress) error {
			v, err := fn(ctx, p)
			out = v
			return err
		})
		t.Job = id
		return done(t, out, err)
	}
}
