package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRunRecordsSuccessAndProgress(t *testing.T) {
	r := NewRunner(10)
	id, err := r.Run(context.Background(), Spec{Name: "open INBOX"}, func(ctx context.Context, p *Progress) error {
		p.Set(3, 4)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	snap := r.Snapshot()
	if len(snap) != 1 || snap[0].ID != id || snap[0].State != Done || snap[0].Done != 3 || snap[0].Total != 4 {
		t.Fatalf("snapshot = %+v, want one done job with progress 3/4", snap)
	}
}

func TestRetriesOnlyRetryableErrors(t *testing.T) {
	r := NewRunner(10)
	flaky := errors.New("connection reset")
	fatal := errors.New("no such folder")
	calls := 0
	_, err := r.Run(context.Background(), Spec{Name: "x", Retries: 3, Retryable: func(err error) bool { return errors.Is(err, flaky) }},
		func(ctx context.Context, p *Progress) error {
			calls++
			if calls == 1 {
				return flaky
			}
			return fatal
		})
	if !errors.Is(err, fatal) || calls != 2 {
		t.Fatalf("err = %v after %d calls, want the fatal error after 2 calls", err, calls)
	}
	if got := r.Snapshot()[0]; got.State != Failed || got.Attempts != 2 {
		t.Fatalf("job = %+v, want failed after 2 attempts", got)
	}
}

func TestCancelStopsRunningJob(t *testing.T) {
	r := NewRunner(10)
	started := make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := r.Run(context.Background(), Spec{Name: "slow", Retries: 5}, func(ctx context.Context, p *Progress) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		done <- err
	}()
	<-started
	id := r.Snapshot()[0].ID
	if r.Running() != 1 {
		t.Fatalf("Running() = %d, want 1", r.Running())
	}
	if !r.Cancel(id) {
		t.Fatal("Cancel returned false for a running job")
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("job did not stop after Cancel")
	}
	if got := r.Snapshot()[0]; got.State != Canceled || got.Attempts != 1 {
		t.Fatalf("job = %+v, want canceled without retries", got)
	}
}

func TestPruneKeepsRunningJobs(t *testing.T) {
	r := NewRunner(2)
	for i := 0; i < 5; i++ {
		_, _ = r.Run(context.Background(), Spec{Name: "quick"}, func(context.Context, *Progress) error { return nil })
	}
	if n := len(r.Snapshot()); n != 2 {
		t.Fatalf("remembered %d jobs, want 2", n)
	}
}

func TestChangedIsSignalled(t *testing.T) {
	r := NewRunner(2)
	_, _ = r.Run(context.Background(), Spec{Name: "quick"}, func(context.Context, *Progress) error { return nil })
	select {
	case <-r.Changed():
	default:
		t.Fatal("Changed was not signalled after a job ran")
	}
}
