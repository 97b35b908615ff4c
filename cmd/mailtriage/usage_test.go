package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinary builds mailtriage once per test into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mailtriage")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs the built binary with args in an environment that has
// no configuration, and returns its stdout, stderr and exit status.
func runBinary(t *testing.T, bin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(),
		"MAILTRIAGE_CONFIG="+filepath.Join(dir, "missing.toml"),
		"XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+dir, "HOME="+dir)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		status = exitErr.ExitCode()
	default:
		t.Fatalf("mailtriage %s: %v (stderr %q)", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), errOut.String(), status
}

// commandLines is every way of invoking a command in the table: the
// binary itself, each subcommand, and the verbs that come before flags.
func commandLines() [][]string {
	lines := [][]string{{}}
	for _, s := range subcommands {
		lines = append(lines, []string{s.name})
	}
	return append(lines, []string{"act", "move"}, []string{"calendar", "list"}, []string{"calendar", "create"})
}

func TestHelpPrintsUsageOnStdoutAndExitsZero(t *testing.T) {
	bin := buildBinary(t)
	for _, line := range commandLines() {
		name := strings.TrimSpace("mailtriage " + strings.Join(line, " "))
		for _, help := range []string{"--help", "-h"} {
			t.Run(name+" "+help, func(t *testing.T) {
				stdout, stderr, status := runBinary(t, bin, append(line, help)...)
				if status != 0 || stderr != "" {
					t.Fatalf("exit %d, stderr %q; want 0 and nothing", status, stderr)
				}
				// A verb's usage is its command's: "mailtriage act".
				want := "Usage: mailtriage"
				if len(line) > 0 {
					want += " " + line[0]
				}
				if !strings.HasPrefix(stdout, want) || !strings.Contains(stdout, "\nFlags:\n") {
					t.Fatalf("stdout does not start with %q and list the flags:\n%s", want, stdout)
				}
			})
		}
	}
}

func TestHelpCommandPrintsACommandsUsage(t *testing.T) {
	bin := buildBinary(t)
	stdout, stderr, status := runBinary(t, bin, "help")
	if status != 0 || stderr != "" || !strings.HasPrefix(stdout, "Usage: mailtriage [") {
		t.Fatalf("help: exit %d, stderr %q, stdout:\n%s", status, stderr, stdout)
	}
	// The overview names every subcommand, so none is undocumented.
	for _, s := range subcommands {
		if !strings.Contains(stdout, "\n  mailtriage "+s.name+" ") && !strings.Contains(stdout, "\n  mailtriage "+s.name+"\n") {
			t.Errorf("mailtriage help does not list %q", s.name)
		}
	}
	stdout, stderr, status = runBinary(t, bin, "help", "pull")
	if status != 0 || stderr != "" || !strings.HasPrefix(stdout, "Usage: mailtriage pull") {
		t.Fatalf("help pull: exit %d, stderr %q, stdout:\n%s", status, stderr, stdout)
	}
}

func TestUsageErrorIsOneLineOnStderrWithStatusTwo(t *testing.T) {
	bin := buildBinary(t)
	type usageCase struct {
		args []string
		want string // the start of the one stderr line
	}
	var cases []usageCase
	for _, line := range commandLines() {
		name := strings.TrimSpace("mailtriage " + strings.Join(line, " "))
		if len(line) > 0 {
			name = "mailtriage " + line[0]
		}
		cases = append(cases, usageCase{append(line, "--no-such-flag"), name + ": flag provided but not defined: -no-such-flag (see " + name + " --help)"})
	}
	cases = append(cases,
		usageCase{[]string{"no-such-command"}, `mailtriage: unknown command "no-such-command" (see mailtriage --help)`},
		usageCase{[]string{"help", "no-such-command"}, `mailtriage: help: unknown command "no-such-command"`},
		usageCase{[]string{"pull", "--limit", "many"}, `mailtriage pull: invalid value "many" for flag -limit`},
		usageCase{[]string{"pull", "--since", "yesterday"}, `mailtriage pull: --since "yesterday": use YYYY-MM-DD`},
		usageCase{[]string{"serve", "--idle-timeout", "soon"}, `mailtriage serve: invalid value "soon" for flag -idle-timeout`},
		usageCase{[]string{"act"}, "mailtriage act: which verb?"},
		usageCase{[]string{"act", "shred", "--uid", "1"}, `mailtriage act: unknown verb "shred"`},
		usageCase{[]string{"act", "move", "--to", "Junk"}, "mailtriage act: give exactly one of --uid, --message-id, --search"},
		usageCase{[]string{"calendar"}, "mailtriage calendar: list or create?"},
		usageCase{[]string{"watch"}, "mailtriage watch: --folder is required"},
	)
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			stdout, stderr, status := runBinary(t, bin, c.args...)
			if status != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want 2 and nothing", status, stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.HasPrefix(stderr, c.want) {
				t.Fatalf("stderr %q; want one line starting %q", stderr, c.want)
			}
		})
	}
}
