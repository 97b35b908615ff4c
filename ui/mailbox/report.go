package mailbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/ui/common"
)

// Report forwards the message under the cursor to the account's report
// desk as an attachment, after asking, and keeps a copy in Sent.
func (m *Model) Report() tea.Cmd {
	desk := m.acct.Report
	if desk == nil {
		return common.Error(errors.New("no report desk configured (set smtp and report_to for this account)"))
	}
	uids, err := m.targets()
	if err != nil {
		return common.Error(err)
	}
	if len(uids) != 1 {
		return common.Error(fmt.Errorf("report one message at a time (%d selected)", len(uids)))
	}
	e := m.open.env[uids[0]]
	if e == nil {
		return common.Error(errors.New("this message's envelope is still loading"))
	}
	ref, env := m.open.ref, *e
	text := fmt.Sprintf("Forward %q to %s as an attachment?", env.Subject, strings.Join(desk.To, ", "))
	m.overlay = newConfirm(text, func() tea.Cmd { return m.sendReport(ref, env) })
	return nil
}

func (m *Model) sendReport(ref mail.FolderRef, env mail.Envelope) tea.Cmd {
	acct, svc, sent, now := m.acct, m.c.Remedy, m.folderWithRole(mail.RoleSent), m.c.Now()
	desk := acct.Report
	req := remediate.Request{Account: acct.Name, Box: acct.Mailbox, Action: remediate.Report, Folder: ref, UIDs: []mail.UID{env.UID}}
	detail := "to " + strings.Join(desk.To, ", ")
	return common.RunJob(m.c, jobs.Spec{Name: "report message " + fmt.Sprint(env.UID), Account: acct.Name},
		func(ctx context.Context, _ *jobs.Progress) (string, error) {
			if svc == nil {
				return "", errors.New("remediation is not available in this session")
			}
			var note string
			err := svc.Audited(ctx, req, detail, func(ctx context.Context) error {
				var err error
				note, err = deliverReport(ctx, acct, ref, env, sent, now)
				return err
			})
			return note, err
		},
		func(_ jobs.ID, note string, err error) tea.Msg {
			if err != nil {
				return common.ErrorMsg{Err: fmt.Errorf("report: %w", err)}
			}
			return common.InfoMsg{Text: note}
		})
}

// deliverReport reads the whole message, sends the report and files a
// copy in Sent.
func deliverReport(ctx context.Context, acct common.Account, ref mail.FolderRef, env mail.Envelope, sent string, now time.Time) (string, error) {
	desk := acct.Report
	raw, err := acct.Mailbox.Fetch(ctx, ref, env.UID, acct.MessageLimit)
	if err != nil {
		return "", err
	}
	if raw.Truncated {
		return "", fmt.Errorf("the message is larger than max_message_bytes (%d bytes); it would arrive cut off", acct.MessageLimit)
	}
	msg, _, err := report.Build(report.Report{From: desk.From, To: desk.To, Subject: env.Subject, Original: raw.Raw, Date: now})
	if err != nil {
		return "", err
	}
	if err := report.Send(ctx, desk.SMTP, desk.From, desk.To, msg); err != nil {
		return "", err
	}
	note := "reported to " + strings.Join(desk.To, ", ")
	if sent == "" {
		return note + " (no Sent folder: no copy kept)", nil
	}
	if _, err := acct.Mailbox.Append(ctx, sent, msg, mail.Flags{Seen: true}, now); err != nil {
		return note + "; the copy for Sent failed: " + err.Error(), nil
	}
	return note + "; copy in " + sent, nil
}
