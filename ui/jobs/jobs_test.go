package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	bjobs "github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/themes"
	"github.com/mailtriage/mailtriage/ui/common"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

func newScreen() (*Model, *bjobs.Runner) {
	r := bjobs.NewRunner(20)
	c := &common.Common{Ctx: context.Background(), Styles: themes.NewPlainStyles(), Jobs: r, Now: time.Now}
	m := New(c, DefaultKeyMap())
	m.SetSize(120, 10)
	return m, r
}

func TestListsJobsWithOutcome(t *testing.T) {
	m, r := newScreen()
	_, _ = r.Run(context.Background(), bjobs.Spec{Name: "open INBOX", Account: "soc"}, func(context.Context, *bjobs.Progress) error { return nil })
	_, _ = r.Run(context.Background(), bjobs.Spec{Name: "read message 7"}, func(context.Context, *bjobs.Progress) error {
		return errors.New("server said [UNAVAILABLE] \x1b[31mred")
	})
	_, _ = r.Run(context.Background(), bjobs.Spec{Name: "fetch envelopes", Quiet: true}, func(context.Context, *bjobs.Progress) error { return nil })
	m.SetJobs(r.Snapshot())
	out := uitest.Plain(m.Render())
	for _, want := range []string{"open INBOX", "done", "soc", "read message 7", "failed", "⟨CSI 31m⟩red"} {
		if !strings.Contains(out, want) {
			t.Errorf("jobs screen lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "fetch envelopes") {
		t.Error("a quiet background job is listed by default")
	}
	_, _ = m.Update(uitest.Key("a"))
	if !strings.Contains(uitest.Plain(m.Render()), "fetch envelopes") {
		t.Error("a did not show background jobs")
	}
}

func TestCancelRunningJob(t *testing.T) {
	m, r := newScreen()
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(context.Background(), bjobs.Spec{Name: "slow search"}, func(ctx context.Context, p *bjobs.Progress) error {
			p.Set(1, 4)
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		done <- err
	}()
	<-started
	m.SetJobs(r.Snapshot())
	if out := uitest.Plain(m.Render()); !strings.Contains(out, "running") || !strings.Contains(out, "1/4") {
		t.Fatalf("running job not shown with progress:\n%s", out)
	}
	_, cmd := m.Update(uitest.Key("x"))
	if cmd == nil {
		t.Fatal("x gave no feedback")
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("job ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("x did not cancel the job")
	}
}

func TestJobNamesAreSanitized(t *testing.T) {
	m, r := newScreen()
	_, _ = r.Run(context.Background(), bjobs.Spec{Name: "open Evil\x1b]52;c;ZWNobyBoaQ==\x07Folder"}, func(context.Context, *bjobs.Progress) error { return nil })
	m.SetJobs(r.Snapshot())
	out := m.Render()
	if strings.Contains(out, "\x1b]52") || !strings.Contains(out, "⟨OSC 52⟩") {
		t.Fatalf("job name not sanitized: %q", out)
	}
}
