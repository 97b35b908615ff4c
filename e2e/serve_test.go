package e2e

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/demo"
)

// serveBinary starts `mailtriage serve` on the demo mailbox with the
// given authorized_keys and [serve] extras, and returns its port and
// process once it listens.
func serveBinary(t *testing.T, dir, authorized, extra string) (string, *exec.Cmd, *strings.Builder) {
	t.Helper()
	s := startServe(t, dir, authorized, extra)
	return s.port, s.cmd, s.log
}

// served is a running `mailtriage serve`: its port, process, log, and
// the configuration and environment it was started with.
type served struct {
	port   string
	cmd    *exec.Cmd
	log    *strings.Builder
	config string
	env    []string
}

func startServe(t *testing.T, dir, authorized, extra string) *served {
	t.Helper()
	srv, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := writeConfig(t, fmt.Sprintf(`audit_log = %q
[[accounts]]
name = "demo"
imap = "imap://%s"
tls = "none"
username = %q
password_env = "DEMO_PW"
[accounts.folders]
trash = "Trash"
junk = "Junk"

[serve]
listen = %q
host_key = %q
authorized_keys = %q
%s`, filepath.Join(dir, "audit.jsonl"), srv.Addr, srv.Username, addr, filepath.Join(dir, "host_key"), authorized, extra))
	cmd := exec.Command(binary, "serve", "--config", cfg)
	env := []string{"DEMO_PW=" + srv.Password}
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	log := &strings.Builder{}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !once && strings.Contains(sc.Text(), "listening on") {
				once = true
				close(ready)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start listening")
	}
	_, port, _ := strings.Cut(addr, ":")
	return &served{port: port, cmd: cmd, log: log, config: cfg, env: env}
}

func sshKey(t *testing.T, dir, comment string) (key, pub string) {
	t.Helper()
	key = filepath.Join(dir, "id_"+strings.ReplaceAll(comment, "@", "_"))
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	data, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return key, string(data)
}

func sshArgs(port, key, user string, extra ...string) []string {
	args := []string{"ssh", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"}
	args = append(args, extra...)
	return append(args, user+"@127.0.0.1")
}

// An analyst with a responder key logs in with OpenSSH, moves a message
// to Trash (audited with the SSH identity), and is told when the server
// is stopped with SIGTERM; the server exits cleanly.
func TestServeOverOpenSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("no ssh client")
	}
	dir := t.TempDir()
	key, pub := sshKey(t, dir, "rita@laptop")
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	port, cmd, log := serveBinary(t, dir, auth, "[[serve.users]]\ncomment = \"rita@laptop\"\nrole = \"responder\"\n")

	term := runProgram(t, nil, sshArgs(port, key, "rita", "-t")...)
	term.waitFor("demo │ INBOX │ 23 messages")
	term.keys("d")
	term.waitFor("moved 1 message to Trash")
	data, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"operator":"rita (SHA256:`, `"via":"ssh"`, `"remote":"127.0.0.1:`, `"action":"trash"`, `"result":"ok"`} {
		if !strings.Contains(string(data), want) {
			t.Fatalf("audit log lacks %s:\n%s", want, data)
		}
	}

	// Without a terminal: one line and status 1.
	out, err := exec.Command(sshArgs(port, key, "rita", "-T")[0], append(sshArgs(port, key, "rita", "-T")[1:], "folders")...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "mailtriage needs an interactive terminal") {
		t.Fatalf("ssh without a terminal: %v: %s", err, out)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	term.waitFor("mailtriage is shutting down", "EXITED 1")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v; log:\n%s", err, log)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not exit after SIGTERM; log:\n%s", log)
	}
}

// The console over SSH runs on a real PTY in raw mode, with no newline
// mapping of its own: its first screen in OpenSSH is, row for row, the
// screen of the same console run locally in the same terminal — every
// time (a run of lines off column 0, or a terminal answer echoed, would
// show).
func TestServeFirstScreenIsTheLocalConsoles(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("no ssh client")
	}
	dir := t.TempDir()
	key, pub := sshKey(t, dir, "val@laptop")
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, dir, auth, "")
	const ready = "demo │ INBOX │ 23 messages"
	local := run(t, srv.env, "--config", srv.config)
	want := settled(local, ready)
	for i := range 3 {
		remote := runProgram(t, nil, sshArgs(srv.port, key, "val", "-t")...)
		if got := settled(remote, ready); got != want {
			t.Fatalf("run %d: the first screen over SSH differs from the local console's:\n%s", i+1, screenDiff(want, got))
		}
	}
}

// settled waits for text, then for the screen to stay the same twice in
// a row, and returns it.
func settled(term *terminal, text string) string {
	term.t.Helper()
	prev := term.waitFor(text)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		cur := term.screen()
		if cur == prev {
			return cur
		}
		prev = cur
	}
	term.t.Fatalf("the screen never settled:\n%s", prev)
	return ""
}

// screenDiff lists the rows where two screens differ.
func screenDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "row %d\n  local: %q\n  ssh:   %q\n", i, wl, gl)
		}
	}
	return b.String()
}
