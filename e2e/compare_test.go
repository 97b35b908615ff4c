package e2e

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/internal/corpustest"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
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
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				term := runProgram(b, env, args...)
				term.waitFor(newestSubject)
				total += time.Since(start)
				_ = exec.Command("tmux", "-L", term.socket, "kill-server").Run()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/first-page")
		})
	}
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
