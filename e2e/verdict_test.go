package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
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

// On Dovecot with a FortiMail appliance (its emulator): b on a report
// blocks the phish's sender for all three reports of it, and never a
// reporter; the appliance's block list says so.
func TestBlockFromAReportOnDovecot(t *testing.T) {
	srv := startDovecot(t)
	fm := fortimailtest.New(fortimailtest.Options{})
	t.Cleanup(fm.Close)
	fm.Seed(fortimailtest.DefaultSeed())
	extra := `report_from = "soc@northwind.example"

[fortimail]
url = "` + fm.URL() + `"
username = "` + fm.Username() + `"
password_env = "FM_PASSWORD"`
	cfg := writeConfig(t, accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, extra))
	term := run(t, []string{"E2E_IMAP_PASSWORD=" + password, "FM_PASSWORD=" + fm.Password()}, "--config", cfg)
	term.waitFor("soc │ INBOX │ 23 messages")
	term.keys(":")
	term.typeText("folder Phishing reports")
	term.keys("Enter")
	term.waitFor("soc │ Phishing reports │ 27 messages", "Reported by", "Northwind HR Portal", "+2")
	term.keys("b")
	term.waitFor("block the sender(s) of 3 reports of one phish in Phishing reports — how?")
	term.typeText("system block list, addr")
	term.keys("Enter")
	screen := term.waitFor("Apply? FortiMail: system block list, address — 1 entry: hr@nw-payroll-portal.example")
	if strings.Contains(screen, "@northwind.example —") || strings.Contains(screen, "dana.kowalski@") {
		t.Fatalf("the plan names a reporter:\n%s", screen)
	}
	term.keys("y")
	term.waitFor("blocked 1: FortiMail: system block list, address")
	client, err := fortimail.New(fortimail.Options{URL: fm.URL(), Username: fm.Username(),
		Password: func(context.Context) (string, error) { return fm.Password(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	list, err := client.SenderList(context.Background(), "", fortimail.BlockList)
	if err != nil || !slices.Contains(list, "hr@nw-payroll-portal.example") {
		t.Fatalf("block list %q (%v)", list, err)
	}
	for _, e := range list {
		if strings.HasSuffix(e, "@northwind.example") {
			t.Fatalf("a reporter was blocked: %q", list)
		}
	}
	term.keys("q")
	term.waitFor("EXITED 0")
}
