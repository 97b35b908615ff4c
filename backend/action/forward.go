package action

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/report"
)

// Desk is an account's abuse/report desk and how to reach it.
type Desk struct {
	SMTP report.Server
	From string
	To   []string
}

// Forward is one message sent to the report desk as an attachment.
type Forward struct {
	Target Target // one message
	Desk   *Desk
	// Sent is the folder that keeps a copy ("": none kept).
	Sent     string
	MaxBytes int64
	Now      time.Time
}

// Question is the confirm line.
func (f Forward) Question() string {
	return fmt.Sprintf("Forward %s to %s as an attachment?", f.Target.Describe(), strings.Join(f.Desk.To, ", "))
}

// Report forwards the message to the desk (audited) and files a copy in
// Sent; it returns the status line.
func (l *Layer) Report(ctx context.Context, f Forward) (string, error) {
	if f.Desk == nil {
		return "", errors.New("no report desk configured (set smtp and report_to for this account)")
	}
	if n := f.Target.Count(); n != 1 {
		return "", fmt.Errorf("report one message at a time (%d selected)", n)
	}
	return RunValue(ctx, l, Change{Name: remediate.Report, Target: f.Target, Detail: "to " + strings.Join(f.Desk.To, ", ")},
		func(ctx context.Context) (string, error) { return deliver(ctx, f) })
}

// deliver reads the whole message, sends the report and files a copy in
// Sent.
func deliver(ctx context.Context, f Forward) (string, error) {
	t, desk := f.Target, f.Desk
	raw, err := t.Box.Fetch(ctx, t.Folder, t.UIDs[0], f.MaxBytes)
	if err != nil {
		return "", err
	}
	if raw.Truncated {
		return "", fmt.Errorf("the message is larger than max_message_bytes (%d bytes); it would arrive cut off", f.MaxBytes)
	}
	msg, _, err := report.Build(report.Report{From: desk.From, To: desk.To, Subject: t.Subject, Original: raw.Raw, Date: f.Now})
	if err != nil {
		return "", err
	}
	if err := report.Send(ctx, desk.SMTP, desk.From, desk.To, msg); err != nil {
		return "", err
	}
	note := "reported to " + strings.Join(desk.To, ", ")
	if f.Sent == "" {
		return note + " (no Sent folder: no copy kept)", nil
	}
	if _, err := t.Box.Append(ctx, f.Sent, msg, mail.Flags{Seen: true}, f.Now); err != nil {
		return note + "; the copy for Sent failed: " + err.Error(), nil
	}
	return note + "; copy in " + f.Sent, nil
}
