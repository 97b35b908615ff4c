package mailbox

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui/common"
)

// Report forwards the message under the cursor to the account's report
// desk as an attachment, after asking, and keeps a copy in Sent.
func (m *Model) Report() tea.Cmd {
	t, err := m.Target()
	if err != nil {
		return common.Error(err)
	}
	return m.ReportTarget(t)
}

// ReportTarget forwards exactly t (one message) after asking.
func (m *Model) ReportTarget(t action.Target) tea.Cmd {
	f := action.Forward{Target: t, Desk: m.acct.Report, Sent: action.FolderWithRole(m.folders, mail.RoleSent), MaxBytes: m.acct.MessageLimit}
	switch {
	case f.Desk == nil:
		return common.Error(errors.New("no report desk configured (set smtp and report_to for this account)"))
	case t.Count() != 1:
		return common.Error(fmt.Errorf("report one message at a time (%d selected)", t.Count()))
	}
	if err := m.c.Actions.Check(remediate.Report); err != nil {
		return common.Error(err)
	}
	m.overlay = newConfirm(m.c.Dialog, f.Question(), func() tea.Cmd { return m.sendReport(f) })
	return nil
}

func (m *Model) sendReport(f action.Forward) tea.Cmd {
	layer := m.c.Actions
	f.Now = m.c.Now()
	return common.RunJob(m.c.Common, jobs.Spec{Name: "report " + f.Target.Describe(), Account: f.Target.Account},
		func(ctx context.Context, _ *jobs.Progress) (string, error) { return layer.Report(ctx, f) },
		func(_ jobs.ID, note string, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: fmt.Errorf("report: %w", err)}
			}
			return common.InfoMsg{Text: note}
		})
}
