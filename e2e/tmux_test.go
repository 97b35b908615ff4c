// Package e2e drives the built mailtriage binary the way an analyst does:
// in a real terminal (tmux), typing keys and reading the screen, then
// checking what happened on the server.
package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// binary is the mailtriage built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mailtriage-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "mailtriage")
	// Audit logs (also the demo's) go to a state dir of the test's own,
	// never into the home of whoever runs the tests.
	os.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	build := exec.Command("go", "build", "-o", binary, "../cmd/mailtriage")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build mailtriage:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// terminal is one tmux session running the binary, on a private tmux
// server so tests never touch the user's sessions.
type terminal struct {
	t      testing.TB
	socket string
	name   string
}

var sessions atomic.Int64

func requireTmux(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("MAILTRIAGE_REQUIRE_TMUX") == "1" {
			t.Fatal("tmux is not installed (MAILTRIAGE_REQUIRE_TMUX=1)")
		}
		t.Skip("tmux is not installed; skipping (set MAILTRIAGE_REQUIRE_TMUX=1 to make this an error)")
	}
}

// run starts the binary with args in a 160x48 terminal.
func run(t testing.TB, env []string, args ...string) *terminal {
	t.Helper()
	return runProgram(t, env, append([]string{binary}, args...)...)
}

// runProgram starts any program (argv[0]) in a 160x48 terminal.
func runProgram(t testing.TB, env []string, argv ...string) *terminal {
	t.Helper()
	requireTmux(t)
	n := sessions.Add(1)
	term := &terminal{t: t, socket: fmt.Sprintf("mt-e2e-%d-%d", os.Getpid(), n), name: "mt"}
	// The command ends with a pause so the screen (and any error) stays
	// readable after the program exits; "EXITED <status>" marks the end.
	shell := fmt.Sprintf("%s 2>&1; echo EXITED $?; sleep 600", joinQuoted(argv))
	cmd := exec.Command("tmux", "-u", "-L", term.socket, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "48", "-s", term.name, "sh", "-c", shell)
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-L", term.socket, "kill-server").Run()
	})
	return term
}

// keys types into the terminal; each argument is a tmux key name ("j",
// "Enter", "Escape") or, with literal, text.
func (term *terminal) keys(keys ...string) {
	term.t.Helper()
	args := append([]string{"-L", term.socket, "send-keys", "-t", term.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		term.t.Fatalf("send-keys %v: %v: %s", keys, err, out)
	}
}

func (term *terminal) typeText(s string) {
	term.t.Helper()
	args := []string{"-L", term.socket, "send-keys", "-t", term.name, "-l", s}
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		term.t.Fatalf("send-keys -l: %v: %s", err, out)
	}
}

func (term *terminal) screen() string {
	term.t.Helper()
	out, err := exec.Command("tmux", "-L", term.socket, "capture-pane", "-p", "-t", term.name).CombinedOutput()
	if err != nil {
		term.t.Fatalf("capture-pane: %v: %s", err, out)
	}
	return string(out)
}

// waitFor reads the screen until it contains every one of want. The
// deadline only bounds a broken test.
func (term *terminal) waitFor(want ...string) string {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := term.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("screen never showed %q; last screen:\n%s", missing, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitGone reads the screen until it no longer contains s.
func (term *terminal) waitGone(s string) string {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := term.screen()
		if !strings.Contains(scr, s) {
			return scr
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("screen kept showing %q:\n%s", s, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func joinQuoted(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
