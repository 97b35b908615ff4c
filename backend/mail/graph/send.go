package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
)

// MaxSendMIME is Graph's limit on a sendMail request with MIME content:
// 4 MB of base64, about 3 MB of message.
const MaxSendMIME = 4 << 20

// SendMIME submits raw through sendMail as MIME. Exchange takes the
// recipients from the To, Cc and Bcc fields (so raw carries Bcc; Exchange
// removes it before delivery) and saves the copy in Sent Items itself.
// A send is never repeated on its own: when the link breaks before Graph
// answers, the error wraps ErrUncertain and the caller must look in Sent
// Items before sending again.
func (m *Mailbox) SendMIME(ctx context.Context, raw []byte) error {
	body := []byte(base64.StdEncoding.EncodeToString(raw))
	if len(body) > MaxSendMIME {
		return fmt.Errorf("send mail: %d bytes is over Graph's sendMail limit of %d bytes of MIME (base64): send fewer or smaller attachments", len(body), MaxSendMIME)
	}
	if _, _, err := m.do(ctx, request{method: http.MethodPost, path: "/sendMail", body: body, contentType: "text/plain"}); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
}
