package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/internal/corpustest"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

const (
	user     = "analyst"
	password = "e2e pass phrase"
)

func startDovecot(t *testing.T) *dovecottest.Server {
	t.Helper()
	srv := dovecottest.Start(t)
	if err := srv.AddUser(user, password); err != nil {
		t.Fatal(err)
	}
	corpustest.Seed(t, srv, user)
	return srv
}

// writeConfig writes a private configuration file and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func accountConfig(name, url, tls, caFile, extra string) string {
	return fmt.Sprintf(`[[accounts]]
name = %q
imap = %q
tls = %q
ca_file = %q
username = %q
password_env = "E2E_IMAP_PASSWORD"
%s
`, name, url, tls, caFile, user, extra)
}

// serverFlags asks Dovecot, on a connection of our own, for a message's
// flags by subject: the truth, whatever the console shows.
func serverFlags(t *testing.T, srv *dovecottest.Server, folder, subject string) []imap.Flag {
	t.Helper()
	c := login(t, srv)
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	uids := found.AllUIDs()
	if len(uids) != 1 {
		t.Fatalf("%d messages with subject %q", len(uids), subject)
	}
	bufs, err := c.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(bufs) != 1 {
		t.Fatalf("fetch flags: %v", err)
	}
	return bufs[0].Flags
}

func login(t *testing.T, srv *dovecottest.Server) *imapclient.Client {
	return corpustest.Login(t, srv.Addr, user, password)
}

func appendMail(t *testing.T, srv *dovecottest.Server, folder, subject string) {
	corpustest.Append(t, login(t, srv), folder, subject)
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, g := range flags {
		if g == f {
			return true
		}
	}
	return false
}

// The analyst's session against a real Dovecot over implicit TLS: read a
// message (the server must still call it unread), mark it read on request,
// see new mail arrive by itself, survive the server dropping every
// connection, switch folders, quit.
func TestConsoleOnDovecot(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, ""))
	term := run(t, []string{"E2E_IMAP_PASSWORD=" + password}, "--config", cfg)
	term.waitFor("soc │ INBOX │ 23 messages · 11 unread", "Your Apple ID has been locked")

	// Open the look-alike Apple phish (unread, 11th newest).
	const subject = "Your Apple ID has been locked"
	for i := 0; i < 10; i++ {
		term.keys("j")
	}
	term.keys("Enter")
	term.waitFor("Subject      "+subject, "unread (opening it did not change that)")
	if hasFlag(serverFlags(t, srv, "INBOX", subject), imap.FlagSeen) {
		t.Fatal("reading the message marked it read on the server")
	}
	term.keys("r")
	term.waitFor("KB · read")
	if !hasFlag(serverFlags(t, srv, "INBOX", subject), imap.FlagSeen) {
		t.Fatal("r did not mark the message read on the server")
	}
	term.keys("Escape")
	term.waitFor("soc │ INBOX │ 23 messages · 10 unread")

	// New mail appears by itself (IDLE).
	appendMail(t, srv, "INBOX", "Password expiry notice e2e")
	term.waitFor("Password expiry notice e2e", "soc │ INBOX │ 24 messages · 11 unread")

	// The server drops every connection; the console says so, reconnects
	// and keeps receiving mail.
	if err := srv.Kick(user); err != nil {
		t.Fatal(err)
	}
	term.waitFor("reconnected to imaps://" + srv.TLSAddr)
	appendMail(t, srv, "INBOX", "Second notice after reconnect")
	term.waitFor("Second notice after reconnect", "25 messages · 12 unread")

	term.keys(":")
	term.typeText("folder Phishing reports")
	term.keys("Enter")
	term.waitFor("soc │ Phishing reports │ 27 messages")

	term.keys("q")
	term.waitFor("EXITED 0")
}

// A refused login is shown in the console as the server's own words.
func TestConsoleShowsRefusedLogin(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, accountConfig("soc", "imap://"+srv.Addr, "starttls", srv.CAFile, ""))
	term := run(t, []string{"E2E_IMAP_PASSWORD=wrong"}, "--config", cfg)
	term.waitFor("login " + srv.Addr + ": server said [AUTHENTICATIONFAILED]")
	term.keys("q")
	term.waitFor("EXITED 0")
}

// Bad configuration, refused login, unreachable host, wrong TLS: one line
// naming the field or the server's answer, never a stack trace.
func TestCheckReportsEachFailureInOneLine(t *testing.T) {
	srv := startDovecot(t)
	closed := freePort(t)
	tests := []struct {
		name, config, env string
		exit              int
		want              string
	}{
		{"good", accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, ""), password, 0, "soc: ok, 6 folders, INBOX 23 messages (11 unread); server offers CONDSTORE IDLE LIST-STATUS MOVE UIDPLUS"},
		{"refused login", accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, ""), "wrong", 1, "soc: list folders: login " + srv.TLSAddr + ": server said [AUTHENTICATIONFAILED] Authentication failed."},
		{"unreachable", accountConfig("soc", "imaps://"+closed, "implicit", srv.CAFile, ""), password, 1, "soc: list folders: connect " + closed + ": connection refused"},
		{"TLS to a plain port", accountConfig("soc", "imaps://"+srv.Addr, "implicit", srv.CAFile, ""), password, 1, "did not answer with TLS"},
		{"untrusted certificate", strings.Replace(accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, ""), "ca_file", "# ca_file", 1), password, 1, "certificate not trusted: set ca_file"},
		{"bad field", accountConfig("soc", "imaps://"+srv.TLSAddr, "starttls", srv.CAFile, ""), password, 2, `accounts[0] ("soc"): tls: "starttls" contradicts imaps://`},
		{"unknown key", accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, "pasword = \"x\""), password, 2, "unknown setting accounts.pasword"},
		{"missing ca file", accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", "/nonexistent/ca.pem", ""), password, 2, "ca_file: open /nonexistent/ca.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, "check", "--config", writeConfig(t, tt.config))
			cmd.Env = append(os.Environ(), "E2E_IMAP_PASSWORD="+tt.env)
			out, _ := cmd.CombinedOutput()
			text := strings.TrimSpace(string(out))
			if code := cmd.ProcessState.ExitCode(); code != tt.exit {
				t.Errorf("exit %d, want %d: %s", code, tt.exit, text)
			}
			if !strings.Contains(text, tt.want) {
				t.Errorf("output %q lacks %q", text, tt.want)
			}
			if strings.Count(text, "\n") > 0 || strings.Contains(text, "goroutine") {
				t.Errorf("not one line: %q", text)
			}
			if strings.Contains(text, password) {
				t.Error("output contains the password")
			}
		})
	}
}

// The console itself refuses a bad configuration before touching the
// terminal, with one line and status 2.
func TestConsoleRefusesBadConfig(t *testing.T) {
	cfg := writeConfig(t, "[[accounts]]\nname = \"soc\"\nimap = \"imap://mail.example.com\"\ntls = \"none\"\nusername = \"a\"\npassword_env = \"X\"\n")
	cmd := exec.Command(binary, "--config", cfg)
	out, _ := cmd.CombinedOutput()
	want := `mailtriage: config ` + cfg + `: accounts[0] ("soc"): tls: "none" sends the password in clear text`
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.HasPrefix(string(out), want) || strings.Count(string(out), "\n") != 1 {
		t.Fatalf("exit %d, output %q; want status 2 and one line starting %q", code, out, want)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// The server goes away entirely: the console says so, stays usable (keys
// work, other screens open), and when the server is back it reconnects by
// itself and new mail flows again.
func TestConsoleSurvivesServerOutage(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, ""))
	term := run(t, []string{"E2E_IMAP_PASSWORD=" + password}, "--config", cfg)
	term.waitFor("soc │ INBOX │ 23 messages")

	if err := srv.Down(); err != nil {
		t.Fatal(err)
	}
	term.waitFor("lost, reconnecting", "│ reconnecting…")
	// Not frozen: the list still scrolls and other screens still open.
	term.keys("j", "4")
	term.waitFor("Jobs", "open INBOX")
	term.keys("1")
	term.waitFor("Your Apple ID has been locked")

	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	term.waitFor("reconnected to imaps://" + srv.TLSAddr)
	term.waitGone("│ reconnecting…")
	appendMail(t, srv, "INBOX", "Mail after the outage")
	term.waitFor("Mail after the outage", "24 messages")
	term.keys("q")
	term.waitFor("EXITED 0")
}
