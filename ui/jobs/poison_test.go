package jobs

import (
	"context"
	"errors"
	"testing"

	bjobs "github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/internal/poison"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// Job names quote folder names and errors quote servers: both draw with
// markers, selected or not, and nothing foreign reaches the screen.
func TestHostileJobNamesAndErrorsRenderClean(t *testing.T) {
	m, r := newScreen()
	_, _ = r.Run(context.Background(), bjobs.Spec{Name: "open " + poison.Payload, Account: "soc"}, func(context.Context, *bjobs.Progress) error {
		return errors.New("server said " + poison.Payload)
	})
	_, _ = r.Run(context.Background(), bjobs.Spec{Name: "campaigns in " + poison.Payload}, func(context.Context, *bjobs.Progress) error { return nil })
	m.SetJobs(r.Snapshot())
	for _, where := range []string{"first selected", "second selected"} {
		out := m.Render()
		if bad := uitest.Foreign(out, uitest.MonoScreen); len(bad) > 0 {
			t.Fatalf("%s: foreign bytes on screen: %q", where, bad)
		}
		_, _ = m.Update(uitest.Key("j"))
	}
}
