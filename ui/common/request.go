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

// Scope is where a screen keeps requests of one kind that run side by
// side because none replaces another (the pages of list rows near the
// screen: each asks for rows no other asked for). They are cancelled
// together, and their tickets go stale together, when the view they
// serve is left.
//
// Like a Slot, a Scope is used from the UI goroutine only.
type Scope struct {
	seq    uint64
	ctx    context.Context
	cancel context.CancelFunc
}

// Ticket names one request of a slot or scope; replies carry it.
type Ticket struct {
	gen *uint64 // the seq of the slot or scope that issued it
	seq uint64
	// Job is the backend job that ran the request.
	Job jobs.ID
}

// Current reports whether the reply answers a request that was neither
// replaced (in a slot) nor cancelled. A zero Ticket is never current.
func (t Ticket) Current() bool { return t.gen != nil && *t.gen == t.seq }

// Cancel cancels the request in flight, if any: its reply, if one still
// comes, is stale.
func (s *Slot) Cancel() {
	s.seq++
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// Cancel cancels every request of the scope in flight: their replies, if
// any still come, are stale. Requests started afterwards are current.
func (s *Scope) Cancel() {
	s.seq++
	if s.cancel != nil {
		s.cancel()
		s.ctx, s.cancel = nil, nil
	}
}

// Request runs fn as a job in slot s, cancelling the request it replaces,
// and turns its outcome into one message with done.
func Request[T any](c *Common, s *Slot, spec jobs.Spec, fn func(ctx context.Context, p *jobs.Progress) (T, error), done func(t Ticket, v T, err error) tea.Msg) tea.Cmd {
	s.Cancel()
	ctx, cancel := context.WithCancel(c.Ctx)
	s.cancel = cancel
	return runTicketed(ctx, c, cancel, Ticket{gen: &s.seq, seq: s.seq}, spec, fn, done)
}

// RequestIn runs fn as a job in scope s, beside the scope's other
// requests, and turns its outcome into one message with done.
func RequestIn[T any](c *Common, s *Scope, spec jobs.Spec, fn func(ctx context.Context, p *jobs.Progress) (T, error), done func(t Ticket, v T, err error) tea.Msg) tea.Cmd {
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(c.Ctx)
	}
	// The scope's context is released by Scope.Cancel, not when one of
	// its requests ends: its siblings still run under it.
	return runTicketed(s.ctx, c, func() {}, Ticket{gen: &s.seq, seq: s.seq}, spec, fn, done)
}

// runTicketed runs fn as a job under ctx and hands done the ticket with
// the job's id; release is called when the job has ended.
func runTicketed[T any](ctx context.Context, c *Common, release context.CancelFunc, t Ticket, spec jobs.Spec, fn func(ctx context.Context, p *jobs.Progress) (T, error), done func(t Ticket, v T, err error) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		defer release()
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
