// Package jobs runs backend work asynchronously and keeps a record of it:
// every server call gets an id, a cancellable context, progress, optional
// retries, and a place in the activity list the UI shows.
package jobs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// ID identifies a job for the life of the process.
type ID uint64

// State is where a job is in its life.
type State int

// Job states.
const (
	Running State = iota
	Done
	Failed
	Canceled
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Done:
		return "done"
	case Failed:
		return "failed"
	case Canceled:
		return "canceled"
	}
	return "unknown"
}

// Info is a snapshot of one job.
type Info struct {
	ID       ID
	Name     string // what the analyst sees: "open INBOX", "read message 42"
	Account  string
	State    State
	Started  time.Time
	Ended    time.Time
	Done     int // progress: units done of Total; Total 0 means unknown
	Total    int
	Attempts int
	Err      error
	// Quiet jobs (background refreshes) are listed but do not count as
	// "running" in the status bar.
	Quiet bool
}

// Spec describes a job to run.
type Spec struct {
	Name    string
	Account string
	Quiet   bool
	// Retries is how many more attempts a failing job gets. Only give
	// retries to work that is safe to repeat.
	Retries int
	// Retryable decides which errors are worth another attempt; nil means
	// any error but cancellation.
	Retryable func(error) bool
	// Timeout bounds each attempt; 0 means none.
	Timeout time.Duration
}

// Progress lets a job report how far it is.
type Progress struct {
	r  *Runner
	id ID
}

// Set records done of total units.
func (p *Progress) Set(done, total int) {
	p.r.update(p.id, func(j *job) { j.info.Done, j.info.Total = done, total })
}

type job struct {
	info   Info
	cancel context.CancelFunc
}

// Runner runs jobs and remembers the last few finished ones.
type Runner struct {
	keep int

	mu      sync.Mutex
	next    ID
	jobs    map[ID]*job
	order   []ID
	changed chan struct{}
	now     func() time.Time
}

// NewRunner returns a Runner that remembers up to keep finished jobs.
func NewRunner(keep int) *Runner {
	if keep <= 0 {
		keep = 200
	}
	return &Runner{keep: keep, jobs: map[ID]*job{}, changed: make(chan struct{}, 1), now: time.Now}
}

// Changed is signalled (coalesced) whenever any job starts, progresses or
// ends; read Snapshot after it fires.
func (r *Runner) Changed() <-chan struct{} { return r.changed }

// Run runs fn as a job and waits for it. The job's context is a child of
// ctx and is cancelled by Cancel(id).
func (r *Runner) Run(ctx context.Context, spec Spec, fn func(ctx context.Context, p *Progress) error) (ID, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	id := r.start(spec, cancel)
	p := &Progress{r: r, id: id}

	var err error
	for attempt := 0; ; attempt++ {
		r.update(id, func(j *job) { j.info.Attempts = attempt + 1 })
		err = runAttempt(ctx, spec.Timeout, p, fn)
		if err == nil || attempt >= spec.Retries || ctx.Err() != nil || !retryable(spec, err) {
			break
		}
		if !sleep(ctx, retryDelay(attempt)) {
			break
		}
	}
	r.finish(id, err, ctx.Err() != nil)
	return id, err
}

func runAttempt(ctx context.Context, timeout time.Duration, p *Progress, fn func(context.Context, *Progress) error) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return fn(ctx, p)
}

func retryable(spec Spec, err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if spec.Retryable == nil {
		return true
	}
	return spec.Retryable(err)
}

func retryDelay(attempt int) time.Duration {
	return time.Duration(250<<min(attempt, 4)) * time.Millisecond
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Cancel asks a running job to stop. It reports whether the job was running.
func (r *Runner) Cancel(id ID) bool {
	r.mu.Lock()
	j, ok := r.jobs[id]
	running := ok && j.info.State == Running
	r.mu.Unlock()
	if running {
		j.cancel()
	}
	return running
}

// Snapshot returns every remembered job, newest first.
func (r *Runner) Snapshot() []Info {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Info, 0, len(r.order))
	for i := len(r.order) - 1; i >= 0; i-- {
		out = append(out, r.jobs[r.order[i]].info)
	}
	return out
}

// Running counts jobs in flight that are not quiet.
func (r *Runner) Running() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, j := range r.jobs {
		if j.info.State == Running && !j.info.Quiet {
			n++
		}
	}
	return n
}

func (r *Runner) start(spec Spec, cancel context.CancelFunc) ID {
	r.mu.Lock()
	r.next++
	id := r.next
	r.jobs[id] = &job{
		info:   Info{ID: id, Name: spec.Name, Account: spec.Account, Quiet: spec.Quiet, State: Running, Started: r.now()},
		cancel: cancel,
	}
	r.order = append(r.order, id)
	r.mu.Unlock()
	r.notify()
	return id
}

func (r *Runner) finish(id ID, err error, canceled bool) {
	r.update(id, func(j *job) {
		j.info.Ended = r.now()
		j.info.Err = err
		switch {
		case err == nil:
			j.info.State = Done
		case canceled:
			j.info.State = Canceled
		default:
			j.info.State = Failed
		}
	})
	r.prune()
}

func (r *Runner) update(id ID, fn func(*job)) {
	r.mu.Lock()
	if j, ok := r.jobs[id]; ok {
		fn(j)
	}
	r.mu.Unlock()
	r.notify()
}

// prune forgets the oldest finished jobs beyond keep.
func (r *Runner) prune() {
	r.mu.Lock()
	defer r.mu.Unlock()
	finished := 0
	for _, id := range r.order {
		if r.jobs[id].info.State != Running {
			finished++
		}
	}
	for i := 0; finished > r.keep && i < len(r.order); {
		id := r.order[i]
		if r.jobs[id].info.State == Running {
			i++
			continue
		}
		delete(r.jobs, id)
		r.order = slices.Delete(r.order, i, i+1)
		finished--
	}
}

func (r *Runner) notify() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}
