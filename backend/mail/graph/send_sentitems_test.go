package graph_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// SendMIME hands the message to sendMail byte for byte; Graph keeps the
// copy in Sent Items. A message without recipients is refused by Graph
// and the error says so.
func TestSendMIMEKeepsTheBytesInSentItems(t *testing.T) {
	srv, m, _ := newBox(t, 0)
	ctx := context.Background()
	msg := []byte("From: soc@example.com\r\nTo: \"Dana K\" <dana@example.com>\r\nSubject: Your report\r\nMessage-ID: <r1@mailtriage>\r\n\r\nThank you.\r\n")
	if err := m.SendMIME(ctx, msg); err != nil {
		t.Fatal(err)
	}
	sent := srv.Messages("Sent Items")
	if len(sent) != 1 || !bytes.Equal(sent[0].Raw, msg) || sent[0].IsDraft {
		t.Fatalf("Sent Items: %+v", sent)
	}
	err := m.SendMIME(ctx, []byte("From: soc@example.com\r\nSubject: nobody\r\n\r\nx\r\n"))
	if err == nil || !strings.Contains(err.Error(), "ErrorInvalidRecipients") {
		t.Fatalf("no recipients: %v", err)
	}
	if n := len(srv.Messages("Sent Items")); n != 1 {
		t.Fatalf("a refused send was kept: %d in Sent Items", n)
	}
}
