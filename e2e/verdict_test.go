package e2e

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/smtptest"
)

// An analyst on Dovecot: the Phishing reports folder lists the phish the
// reports carry; J gives the phish reported by three colleagues the
// verdict phishing, kept on the server on all three reports; W sends each
// reporter one reply over SMTP, the phish's links and addresses defanged.
func TestVerdictAndFeedbackOnDovecot(t *testing.T) {
	srv := startDovecot(t)
	smtp := smtptest.Start(t, user, password)
	extra := `smtp = "smtp://` + smtp.Addr + `"
smtp_tls = "none"
report_from = "soc@northwind.example"`
	cfg := writeConfig(t, accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, extra))
	term := run(t, []string{"E2E_IMAP_PASSWORD=" + password}, "--config", cfg)
	term.waitFor("soc │ INBOX │ 23 messages")
	term.keys(":")
	term.typeText("folder Phishing reports")
	term.keys("Enter")
	term.waitFor("soc │ Phishing reports │ 27 messages", "Reported by", "Northwind HR Portal", "Your 2027 salary review letter is ready", "+2")

	term.keys("J")
	term.typeText("phishing")
	term.keys("Enter")
	term.waitFor("Verdict phishing on 3 reports of one phish in Phishing reports?")
	term.keys("y")
	term.waitFor("verdict phishing on 3 reports (kept on the server)")
	if n := keywordCount(t, srv, "Phishing reports", "$mt_verdict_20phishing"); n != 3 {
		t.Fatalf("%d reports carry the verdict on the server, want 3", n)
	}

	term.keys("W")
	term.waitFor("Send the phishing reply to 3 reporters?", "To: dana.kowalski@northwind.example")
	term.keys("y")
	term.waitFor("answered 3 reporter(s)")
	got := smtp.Received()
	if len(got) != 3 {
		t.Fatalf("%d replies reached the SMTP server, want 3", len(got))
	}
	for _, m := range got {
		body := string(m.Data)
		if !strings.Contains(body, "nw-payroll-portal[.]example") || strings.Contains(body, "nw-payroll-portal.example") {
			t.Fatalf("a reply names the phish live:\n%s", body)
		}
	}
	term.keys("q")
	term.waitFor("EXITED 0")
}

// keywordCount asks Dovecot how many messages of folder carry keyword.
func keywordCount(t *testing.T, srv *dovecottest.Server, folder, keyword string) int {
	t.Helper()
	c := login(t, srv)
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.Flag(keyword)}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(found.AllUIDs())
}
