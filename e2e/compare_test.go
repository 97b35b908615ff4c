package e2e

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/internal/corpustest"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/imapservers"
)

// newestSubject is the subject of the newest generated message in the
// 50,000-message folder (GenerateMessages with seed 1).
const newestSubject = "Weekly report 1382"

// BenchmarkFirstPageCompared times launch to the first page of the 50k
// folder on screen, in the same tmux terminal against the same Dovecot over
// implicit TLS, for mailtriage and for the clients analysts compare it
// with, where they are installed (Debian: aerc, neomutt). neomutt runs
// without a header cache, as in the figure, and sorted newest first
// so that its first screen shows the same messages as the others'.
func BenchmarkFirstPageCompared(b *testing.B) {
	requireTmux(b)
	srv := corpustest.BigInbox(b, 50_000)
	clients := map[string]func(b *testing.B) (env, args []string){
		"mailtriage": func(b *testing.B) ([]string, []string) { return mailtriageArgs(b, srv) },
		"aerc":       func(b *testing.B) ([]string, []string) { return aercArgs(b, srv) },
		"neomutt":    func(b *testing.B) ([]string, []string) { return neomuttArgs(b, srv) },
	}
	for _, name := range []string{"mailtriage", "aerc", "neomutt"} {
		b.Run(name, func(b *testing.B) {
			if name != "mailtriage" {
				if _, err := exec.LookPath(name); err != nil {
					b.Skipf("%s is not installed", name)
				}
			}
			env, args := clients[name](b)
			timeFirstPage(b, env, args, newestSubject)
		})
	}
}

// timeFirstPage is the benchmark loop of a client's first page: each
// iteration launches the client (env, args) in a fresh tmux terminal and
// times it until subject is on screen. The metric is ms/first-page.
func timeFirstPage(b *testing.B, env, args []string, subject string) {
	b.Helper()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		term := runProgram(b, env, args...)
		term.waitFor(subject)
		total += time.Since(start)
		_ = exec.Command("tmux", "-L", term.socket, "kill-server").Run()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-page")
}

func mailtriageArgs(b *testing.B, srv *dovecottest.Server) ([]string, []string) {
	cfg := filepath.Join(b.TempDir(), "config.toml")
	body := fmt.Sprintf("[[accounts]]\nname = \"bench\"\nimap = \"imaps://%s\"\nca_file = %q\nusername = %q\npassword_env = \"BENCH_PW\"\n",
		srv.TLSAddr, srv.CAFile, corpustest.BigUser)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	return []string{"BENCH_PW=" + corpustest.BigPassword}, []string{binary, "--config", cfg}
}

func aercArgs(b *testing.B, srv *dovecottest.Server) ([]string, []string) {
	home := b.TempDir()
	dir := filepath.Join(home, "aerc")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	src := url.URL{Scheme: "imaps", User: url.UserPassword(corpustest.BigUser, corpustest.BigPassword), Host: srv.TLSAddr}
	accounts := fmt.Sprintf("[bench]\nsource = %s\noutgoing = /bin/false\ndefault = INBOX\nfrom = bench <bench@example.com>\n", src.String())
	if err := os.WriteFile(filepath.Join(dir, "accounts.conf"), []byte(accounts), 0o600); err != nil {
		b.Fatal(err)
	}
	// aerc is written in Go: SSL_CERT_FILE makes it trust the test CA.
	return []string{"XDG_CONFIG_HOME=" + home, "SSL_CERT_FILE=" + srv.CAFile, "HOME=" + home}, []string{"aerc"}
}

func neomuttArgs(b *testing.B, srv *dovecottest.Server) ([]string, []string) {
	rc := filepath.Join(b.TempDir(), "muttrc")
	body := fmt.Sprintf(`set folder = "imaps://%s@%s/"
set spoolfile = "+INBOX"
set imap_pass = "%s"
set ssl_ca_certificates_file = "%s"
set header_cache = ""
set message_cachedir = ""
set mail_check = 0
set imap_check_subscribed = no
set sort = reverse-date-received
`, corpustest.BigUser, srv.TLSAddr, corpustest.BigPassword, srv.CAFile)
	if err := os.WriteFile(rc, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	return nil, []string{"neomutt", "-n", "-F", rc}
}

// BenchmarkFirstPage20kEachServer is BenchmarkFirstPageCompared on the
// three servers of the test suite (internal/imapservers): a 20,000-message
// INBOX on Dovecot, Cyrus and Courier, plain IMAP on loopback (the private
// Cyrus and Courier have no TLS), mailtriage and aerc in the same tmux
// terminal, launch until the newest message's subject is on screen.
func BenchmarkFirstPage20kEachServer(b *testing.B) {
	requireTmux(b)
	const n = 20_000
	newest := newestGeneratedSubject(b, n)
	for _, kind := range imapservers.Kinds {
		b.Run(string(kind), func(b *testing.B) {
			srv := imapservers.Big(b, kind, n)
			for _, client := range []string{"mailtriage", "aerc"} {
				b.Run(client, func(b *testing.B) {
					if client == "aerc" && kind == imapservers.Courier {
						// Measured 2026-12-06: aerc 0.14.0 reads 55 MB of
						// bodies in 20 s, then stops with "failed to read
						// part header: message: malformed MIME header
						// line" and shows no list at all.
						b.Skip("aerc 0.14.0 shows no first page on Courier (see docs/benchmarks.md)")
					}
					env, args := plainClientArgs(b, client, srv.Addr())
					timeFirstPage(b, env, args, newest)
				})
			}
		})
	}
}

// newestGeneratedSubject is the subject imapservers.Big's newest message
// shows on screen.
func newestGeneratedSubject(b *testing.B, n int) string {
	msgs := dovecottest.GenerateMessages(n, 1, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	msg, err := mail.ReadMessage(bytes.NewReader(msgs[len(msgs)-1].Raw))
	if err != nil {
		b.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject == "" {
		b.Fatalf("subject of the newest message: %q %v", subject, err)
	}
	return subject
}

// plainClientArgs runs client against addr over plain IMAP as
// imapservers.BigUser.
func plainClientArgs(b *testing.B, client, addr string) (env, args []string) {
	home := b.TempDir()
	switch client {
	case "mailtriage":
		cfg := filepath.Join(home, "config.toml")
		body := fmt.Sprintf("[[accounts]]\nname = \"bench\"\nimap = \"imap://%s\"\ntls = \"none\"\nusername = %q\npassword_env = \"BENCH_PW\"\n",
			addr, imapservers.BigUser)
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			b.Fatal(err)
		}
		return []string{"BENCH_PW=" + imapservers.BigPassword}, []string{binary, "--config", cfg}
	case "aerc":
		if _, err := exec.LookPath("aerc"); err != nil {
			b.Skip("aerc is not installed (Debian: apt-get install aerc)")
		}
		dir := filepath.Join(home, "aerc")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			b.Fatal(err)
		}
		src := url.URL{Scheme: "imap+insecure", User: url.UserPassword(imapservers.BigUser, imapservers.BigPassword), Host: addr}
		accounts := fmt.Sprintf("[bench]\nsource = %s\noutgoing = /bin/false\ndefault = INBOX\nfrom = bench <bench@example.com>\n", src.String())
		if err := os.WriteFile(filepath.Join(dir, "accounts.conf"), []byte(accounts), 0o600); err != nil {
			b.Fatal(err)
		}
		return []string{"XDG_CONFIG_HOME=" + home, "HOME=" + home}, []string{"aerc"}
	}
	b.Fatalf("unknown client %q", client)
	return nil, nil
}
