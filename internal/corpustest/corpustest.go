// Package corpustest seeds test servers with the demo corpus, so
// integration and end-to-end tests see the same mail the demo shows.
package corpustest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// Seed delivers the corpus into user's Maildir on srv, with its folders
// (plus Trash and Junk), flags and dates.
func Seed(tb testing.TB, srv *dovecottest.Server, user string) {
	tb.Helper()
	seed(tb, srv, user, true)
}

func seed(tb testing.TB, srv *dovecottest.Server, user string, inbox bool) {
	tb.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		tb.Fatal(err)
	}
	byFolder := map[string][]dovecottest.Message{}
	var order []string
	for _, m := range msgs {
		if _, ok := byFolder[m.Folder]; !ok {
			order = append(order, m.Folder)
		}
		flags := make([]string, len(m.Flags))
		for i, f := range m.Flags {
			flags[i] = string(f)
		}
		byFolder[m.Folder] = append(byFolder[m.Folder], dovecottest.Message{Raw: m.Raw, Flags: flags, InternalDate: m.Date})
	}
	for _, f := range append(order, "Trash", "Junk") {
		if f == "INBOX" {
			continue
		}
		if err := srv.CreateFolder(user, f); err != nil {
			tb.Fatal(err)
		}
	}
	for _, f := range order {
		if f == "INBOX" && !inbox {
			continue
		}
		if err := srv.Deliver(user, f, byFolder[f]...); err != nil {
			tb.Fatal(err)
		}
	}
}

// BigUser and BigPassword log in to the server BigInbox returns.
const (
	BigUser     = "bench"
	BigPassword = "bench pass"
)

// BigInbox returns a Dovecot whose user BigUser has n generated messages
// in INBOX (and the corpus folders beside it). Seeding 50,000 messages
// takes a while, so the Maildir is kept in the system temp directory and
// reused by later runs; only the server process is new each time.
func BigInbox(tb testing.TB, n int) *dovecottest.Server {
	tb.Helper()
	if _, err := exec.LookPath("dovecot"); err != nil {
		if _, err := os.Stat("/usr/sbin/dovecot"); err != nil {
			tb.Skip("dovecot is not installed")
		}
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("mailtriage-bench-%d", n))
	srv, err := dovecottest.StartDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Stop() })
	marker := filepath.Join(dir, "seeded")
	if _, err := os.Stat(marker); err == nil {
		return srv
	}
	if err := srv.AddUser(BigUser, BigPassword); err != nil {
		tb.Fatal(err)
	}
	msgs := dovecottest.GenerateMessages(n, 1, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	if err := srv.Deliver(BigUser, "INBOX", msgs...); err != nil {
		tb.Fatal(err)
	}
	seed(tb, srv, BigUser, false) // the other folders, to switch between
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	return srv
}

// Login opens a second IMAP session on addr (plain text: loopback test
// servers only), playing another analyst or the mail server's delivery.
func Login(tb testing.TB, addr, user, password string) *imapclient.Client {
	tb.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Login(user, password).Wait(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// Append stores a small phishing message with subject in folder, as new
// mail arriving would.
func Append(tb testing.TB, c *imapclient.Client, folder, subject string) {
	tb.Helper()
	raw := []byte("From: \"IT Helpdesk\" <helpdesk@micros0ft-login.example>\r\nTo: soc-reports@northwind.example\r\n" +
		"Subject: " + subject + "\r\nDate: Sun, 22 Nov 2026 11:00:00 +0000\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") +
		"@micros0ft-login.example>\r\n\r\nReset your password now.\r\n")
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		tb.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		tb.Fatal(err)
	}
}

// SelectionInbox returns a fresh Dovecot whose user BigUser has n
// generated messages in INBOX and an empty Junk: the ground for bulk
// remediation benchmarks, which change the folders and so cannot share
// BigInbox's.
func SelectionInbox(tb testing.TB, n int) *dovecottest.Server {
	tb.Helper()
	srv := dovecottest.Start(tb)
	if err := srv.AddUser(BigUser, BigPassword); err != nil {
		tb.Fatal(err)
	}
	if err := srv.CreateFolder(BigUser, "Junk"); err != nil {
		tb.Fatal(err)
	}
	if err := srv.Deliver(BigUser, "INBOX", dovecottest.GenerateMessages(n, 3, time.Now())...); err != nil {
		tb.Fatal(err)
	}
	return srv
}
