package purge

import (
	"context"
	"errors"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph"
)

// task is one Graph request for one mailbox, waiting for its answer.
type task struct {
	user      string // the mailbox's Graph id: what the per-mailbox limit counts
	item      graph.BatchItem
	answer    graph.BatchAnswer
	tries     int
	notBefore time.Time
	// ran is false when the request was never answered because the
	// run was cancelled: it may be asked again later.
	ran bool
}

// scheduler packs tasks for many mailboxes into $batch requests of 20:
// never more than perMailbox requests of one mailbox at once (Graph's
// MailboxConcurrency is 4), a throttled request goes again alone after
// its own Retry-After while the others go on, and at most batches
// $batch requests are in flight.
type scheduler struct {
	tenant     *graph.Tenant
	batches    int
	perMailbox int
	maxTries   int
	maxWait    time.Duration
	// requests counts the $batch requests sent.
	requests int
}

// batchDone is one $batch request come back.
type batchDone struct {
	tasks []*task
	ans   []graph.BatchAnswer
}

// run asks every task and calls done once for each, in the scheduler's
// goroutine; done may return follow-up tasks (the next page of a
// listing). When ctx ends, tasks not yet sent are handed to done with
// ran false.
func (s *scheduler) run(ctx context.Context, tasks []*task, done func(*task) []*task) {
	pending := tasks
	busy := map[string]int{}
	inFlight := 0
	back := make(chan batchDone)
	for len(pending) > 0 || inFlight > 0 {
		if ctx.Err() != nil {
			for _, t := range pending {
				t.answer = graph.BatchAnswer{Err: ctx.Err()}
				done(t)
			}
			pending = nil
		}
		var batch []*task
		var wake time.Time
		if ctx.Err() == nil && inFlight < s.batches {
			batch, pending, wake = s.pick(pending, busy)
		}
		if len(batch) > 0 {
			inFlight++
			go func() {
				items := make([]graph.BatchItem, len(batch))
				for i, t := range batch {
					items[i] = t.item
				}
				ans, _ := s.tenant.Batch(ctx, items)
				back <- batchDone{tasks: batch, ans: ans}
			}()
			s.requests++
			continue
		}
		if inFlight == 0 && len(pending) == 0 {
			break
		}
		s.wait(ctx, wake, back, func(b batchDone) {
			inFlight--
			pending = append(pending, s.settle(b, busy, done)...)
		})
	}
}

// wait waits for a batch to come back (handing it to got), for wake,
// or for ctx to end (once: after that only batches are waited for).
func (s *scheduler) wait(ctx context.Context, wake time.Time, back <-chan batchDone, got func(batchDone)) {
	var timer <-chan time.Time
	if !wake.IsZero() {
		t := time.NewTimer(time.Until(wake))
		defer t.Stop()
		timer = t.C
	}
	cancelled := ctx.Done()
	if ctx.Err() != nil {
		cancelled = nil
	}
	select {
	case b := <-back:
		got(b)
	case <-timer:
	case <-cancelled:
	}
}

// pick takes up to 20 tasks that are due and whose mailbox has a free
// slot; wake is when the earliest task waiting for its Retry-After is
// due (zero if none waits).
func (s *scheduler) pick(pending []*task, busy map[string]int) (batch, rest []*task, wake time.Time) {
	now := time.Now()
	rest = pending[:0:0]
	for _, t := range pending {
		switch {
		case len(batch) == 20 || busy[t.user] >= s.perMailbox:
			rest = append(rest, t)
		case t.notBefore.After(now):
			if wake.IsZero() || t.notBefore.Before(wake) {
				wake = t.notBefore
			}
			rest = append(rest, t)
		default:
			busy[t.user]++
			batch = append(batch, t)
		}
	}
	return batch, rest, wake
}

// settle books a returned batch: throttled tasks wait their Retry-After
// and go again (up to maxTries), the others are done.
func (s *scheduler) settle(b batchDone, busy map[string]int, done func(*task) []*task) []*task {
	var again []*task
	for i, t := range b.tasks {
		busy[t.user]--
		if busy[t.user] == 0 {
			delete(busy, t.user)
		}
		t.tries++
		a := graph.BatchAnswer{Err: errors.New("no answer")}
		if i < len(b.ans) {
			a = b.ans[i]
		}
		if a.Throttled() && t.tries < s.maxTries && a.RetryAfter <= s.maxWait {
			t.notBefore = time.Now().Add(a.RetryAfter)
			again = append(again, t)
			continue
		}
		t.answer, t.ran = a, a.Status != 0
		again = append(again, done(t)...)
	}
	return again
}
