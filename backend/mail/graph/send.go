package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
)

// SendMIME sends msg, a complete RFC 5322 message, as the mailbox's user
// (POST sendMail with the message base64-encoded as text/plain); Graph
// keeps a copy in Sent Items. The recipients are the message's To, Cc
// and Bcc. A send is never repeated on its own: when the link breaks
// before Graph answers, the error wraps ErrUncertain.
func (m *Mailbox) SendMIME(ctx context.Context, msg []byte) error {
	body := []byte(base64.StdEncoding.EncodeToString(msg))
	_, _, err := m.do(ctx, request{method: http.MethodPost, path: "/sendMail", body: body, contentType: "text/plain"})
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
}
