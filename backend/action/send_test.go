package action

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/compose"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/report"
	"github.com/mailtriage/mailtriage/internal/smtptest"
)

// A viewer's send is refused before anything leaves or is recorded; a
// responder's is sent, filed in Sent and audited with its recipients and
// Message-ID.
func TestSendChecksRoleAuditsAndFiles(t *testing.T) {
	l, log := layer(t)
	srv := smtptest.Start(t, "soc", "pw")
	smtp := &report.Server{Addr: srv.Addr, TLS: report.TLSNone, Username: "soc", Password: func(context.Context) (string, error) { return "pw", nil }}
	mb := mailtest.New()
	mb.CloseEvents()
	mb.AddFolder("Sent", mail.RoleSent)
	out := Outgoing{Account: "soc", Box: mb, SMTP: smtp, Sent: "Sent", Now: time.Now(),
		Message: compose.Message{From: "soc@example.com", To: []string{"desk@example.com"}, Bcc: []string{"ir@example.com"}, Subject: "Case", Text: "hi"}}
	l.Remedy.Allow = func(a remediate.Action) error { return remediate.RoleAllows(remediate.RoleViewer, a) }
	if _, err := l.Send(context.Background(), out); err == nil || len(srv.Received()) != 0 {
		t.Fatalf("a viewer sent: %v", err)
	}
	if recs, _ := log.Recent(5); len(recs) != 0 {
		t.Fatalf("a refused send was audited: %+v", recs)
	}
	l.Remedy.Allow = func(a remediate.Action) error { return remediate.RoleAllows(remediate.RoleResponder, a) }
	status, err := l.Send(context.Background(), out)
	if err != nil || !strings.Contains(status, "copy in Sent") {
		t.Fatalf("send: %q %v", status, err)
	}
	got := srv.Received()
	if len(got) != 1 || strings.Join(got[0].To, " ") != "desk@example.com ir@example.com" {
		t.Fatalf("received %+v", got)
	}
	l2, _ := mb.List(context.Background(), "Sent", 0)
	if len(l2.UIDs) != 1 {
		t.Fatalf("Sent holds %d", len(l2.UIDs))
	}
	filed, _ := mb.Fetch(context.Background(), l2.Folder, l2.UIDs[0], 1<<20)
	if !bytes.Equal(filed.Raw, got[0].Data) {
		t.Fatalf("the Sent copy is not what was sent:\n%q\n%q", filed.Raw, got[0].Data)
	}
	recs, _ := log.Recent(5)
	if len(recs) != 2 || recs[1].Action != string(remediate.Send) || !strings.Contains(recs[1].Detail, "bcc ir@example.com") ||
		!strings.Contains(recs[1].Detail, "message-id <") || recs[0].Result != "ok" {
		t.Fatalf("audit %+v", recs)
	}
	// A mailbox that cannot send and no smtp: refused, said why.
	out.SMTP = nil
	if _, err := l.Send(context.Background(), out); err == nil || !strings.Contains(err.Error(), "smtp") {
		t.Fatalf("sent without a way: %v", err)
	}
}
