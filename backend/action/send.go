package action

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/compose"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/report"
)

// Submitter is a mailbox that sends mail itself and files the copy in
// its Sent folder (Graph's sendMail). It reads the recipients from the
// header, Bcc included, and removes Bcc before delivery.
type Submitter interface {
	SendMIME(ctx context.Context, raw []byte) error
}

// Outgoing is one composed message and the way it leaves.
type Outgoing struct {
	Account string
	// Box files the copy in Sent (SMTP) or sends itself (a Submitter).
	Box     mail.Mailbox
	Message compose.Message
	// Attached is the message attached with --attach-message or the
	// console's reply (zero: none): the audit names it.
	Attached Target
	// SMTP is the submission server; nil sends through Box, which must
	// then be a Submitter.
	SMTP *report.Server
	// Sent is the folder that keeps a copy after an SMTP send ("":
	// none kept).
	Sent string
	Now  time.Time
}

// Send sends o.Message, audited as the send action, and returns the
// status line. The Message-ID is fixed before the audit intent is
// written, so the record names the message that left.
func (l *Layer) Send(ctx context.Context, o Outgoing) (string, error) {
	if o.Message.Date.IsZero() {
		o.Message.Date = o.Now
	}
	if o.Message.MessageID == "" {
		o.Message.MessageID = compose.NewMessageID(o.Message.From)
	}
	if err := o.Message.Validate(); err != nil {
		return "", err
	}
	t := o.Attached
	t.Account = o.Account
	return RunValue(ctx, l, Change{Name: remediate.Send, Target: t, Detail: SendDetail(o.Message)},
		func(ctx context.Context) (string, error) { return submit(ctx, o) })
}

// SendDetail words a message for the audit record: recipients (Bcc
// included: the record says who received it), subject, Message-ID and
// each attachment with its SHA-256.
func SendDetail(m compose.Message) string {
	parts := []string{"to " + strings.Join(m.To, ", ")}
	if len(m.Cc) > 0 {
		parts = append(parts, "cc "+strings.Join(m.Cc, ", "))
	}
	if len(m.Bcc) > 0 {
		parts = append(parts, "bcc "+strings.Join(m.Bcc, ", "))
	}
	parts = append(parts, fmt.Sprintf("subject %q", clip(m.Subject, 120)), "message-id <"+m.MessageID+">")
	for _, a := range m.Attached() {
		parts = append(parts, fmt.Sprintf("attachment %q %d bytes sha256 %s", a.Name, a.Size, a.SHA256))
	}
	return strings.Join(parts, "; ")
}

// submit sends over SMTP and files the copy, or hands the message to a
// mailbox that sends itself.
func submit(ctx context.Context, o Outgoing) (string, error) {
	to := strings.Join(o.Message.Recipients(), ", ")
	if o.SMTP == nil {
		s, ok := o.Box.(Submitter)
		if !ok {
			return "", errors.New("no way to send from this account: configure smtp for it")
		}
		raw, err := o.Message.BytesWithBcc()
		if err != nil {
			return "", err
		}
		if err := s.SendMIME(ctx, raw); err != nil {
			return "", err
		}
		return "sent to " + to + "; copy in Sent Items", nil
	}
	raw, err := o.Message.Bytes()
	if err != nil {
		return "", err
	}
	if err := report.Send(ctx, *o.SMTP, o.Message.From, o.Message.Recipients(), raw); err != nil {
		return "", err
	}
	note := "sent to " + to
	if o.Sent == "" || o.Box == nil {
		return note + " (no Sent folder: no copy kept)", nil
	}
	if _, err := o.Box.Append(ctx, o.Sent, raw, mail.Flags{Seen: true}, o.Now); err != nil {
		return note + "; the copy for Sent failed: " + err.Error(), nil
	}
	return note + "; copy in " + o.Sent, nil
}
