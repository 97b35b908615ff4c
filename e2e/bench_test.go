package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/internal/corpustest"
)

// BenchmarkConsoleOn50kFolder runs the real binary in a 160x48 tmux
// terminal against Dovecot (implicit TLS) with a 50,000-message INBOX. It
// reports the time from launch to the first page of the list on screen, and
// the process's resident memory after the analyst has jumped to the oldest
// message and paged back through 2,000 messages.
func BenchmarkConsoleOn50kFolder(b *testing.B) {
	requireTmux(b)
	srv := corpustest.BigInbox(b, 50_000)
	cfgPath := b.TempDir() + "/config.toml"
	cfg := fmt.Sprintf("[[accounts]]\nname = \"bench\"\nimap = \"imaps://%s\"\nca_file = %q\nusername = %q\npassword_env = \"BENCH_PW\"\n",
		srv.TLSAddr, srv.CAFile, corpustest.BigUser)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	var firstScreen time.Duration
	var rssMB float64
	for b.Loop() {
		start := time.Now()
		term := run(b, []string{"BENCH_PW=" + corpustest.BigPassword}, "--config", cfgPath)
		term.waitFor("bench │ INBOX │ 50000 messages")
		term.waitGone("loading…")
		firstScreen += time.Since(start)
		term.keys("G")
		term.waitGone("loading…")
		for i := 0; i < 45; i++ {
			term.keys("PPage")
		}
		term.waitGone("loading…")
		rssMB = max(rssMB, float64(rssOf(b, term))/1024)
		term.keys("q")
		term.waitFor("EXITED 0")
		_ = exec.Command("tmux", "-L", term.socket, "kill-server").Run()
	}
	b.ReportMetric(float64(firstScreen.Milliseconds())/float64(b.N), "ms/first-screen")
	b.ReportMetric(rssMB, "MB-RSS")
}

// rssOf reads the resident set (KiB) of the mailtriage process running in
// term's pane.
func rssOf(b *testing.B, term *terminal) int {
	out, err := exec.Command("tmux", "-L", term.socket, "display", "-p", "-t", term.name, "#{pane_pid}").Output()
	if err != nil {
		b.Fatal(err)
	}
	shell := strings.TrimSpace(string(out))
	child, err := exec.Command("pgrep", "-P", shell, "mailtriage").Output()
	if err != nil {
		b.Fatalf("no mailtriage under pane %s: %v", shell, err)
	}
	pid := strings.Fields(string(child))[0]
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.Fields(rest)[0])
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// BenchmarkPull50k runs `mailtriage pull --format jsonl` over the whole
// 50,000-message folder (output discarded) and reports its peak resident
// memory and throughput: streaming keeps memory bounded whatever the
// folder's size.
func BenchmarkPull50k(b *testing.B) {
	srv := corpustest.BigInbox(b, 50_000)
	cfgPath := b.TempDir() + "/config.toml"
	cfg := fmt.Sprintf("audit_log = %q\n[[accounts]]\nname = \"bench\"\nimap = \"imap://%s\"\ntls = \"none\"\nusername = %q\npassword_env = \"BENCH_PW\"\n",
		b.TempDir()+"/audit.jsonl", srv.Addr, corpustest.BigUser)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	var peakMB float64
	for b.Loop() {
		cmd := exec.Command(binary, "pull", "--config", cfgPath, "--format", "jsonl")
		cmd.Env = append(cmd.Environ(), "BENCH_PW="+corpustest.BigPassword)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		n := 0
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 8<<20)
		for sc.Scan() {
			n++
		}
		if err := cmd.Wait(); err != nil || n != 50_000 {
			b.Fatalf("pull: %d records, %v", n, err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peakMB = max(peakMB, float64(ru.Maxrss)/1024)
		}
	}
	b.ReportMetric(peakMB, "MB-peak-RSS")
}
