package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/pull"
	"github.com/mailtriage/mailtriage/backend/safejson"
	"github.com/mailtriage/mailtriage/internal/hostileimap"
)

// hostileConfig writes a configuration for one account on addr, with the
// audit log and state in the test's directory.
func hostileConfig(t *testing.T, addr string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("MT_HOSTILE_PASSWORD", "pw")
	t.Setenv("XDG_STATE_HOME", dir)
	body := fmt.Sprintf("audit_log = %q\n[[accounts]]\nname = \"evil\"\nimap = \"imap://%s\"\ntls = \"none\"\nusername = \"u\"\npassword_env = \"MT_HOSTILE_PASSWORD\"\n", filepath.Join(dir, "audit.jsonl"), addr)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// rawHidden returns the first character of s a terminal would act on or a
// reader miss (line breaks aside), or "".
func rawHidden(s string) string {
	for _, r := range s {
		if r != '\n' && analysis.Hidden(r) {
			return fmt.Sprintf("%U", r)
		}
	}
	return ""
}

func TestFoldersFromAHostileServerStayData(t *testing.T) {
	srv := hostileimap.Start(t, hostileimap.Corpus()...)
	cfg := hostileConfig(t, srv.Addr)

	out, stderr, code := runCLI("folders", "--config", cfg)
	if code != 0 {
		t.Fatalf("folders: %d %s", code, stderr)
	}
	if c := rawHidden(out); c != "" {
		t.Errorf("folders printed a raw %s:\n%s", c, out)
	}
	if n := strings.Count(out, "\n"); n != len(hostileimap.Corpus()) {
		t.Errorf("%d folders listed, want %d:\n%s", n, len(hostileimap.Corpus()), out)
	}
	for _, want := range []string{"⟨OSC 8⟩click⟨OSC 8⟩", "⟨CSI 31m⟩Red", "⟨APC⟩", "⟨CSI 2J⟩C1 CSI", "invoice⟨RLO⟩fdp.exe", "Reports ⟨&Jjo⟩", "Bad⟨&AGE-⟩name"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	out, stderr, code = runCLI("folders", "--json", "--config", cfg)
	if code != 0 {
		t.Fatalf("folders --json: %d %s", code, stderr)
	}
	if !safejson.Clean([]byte(out)) {
		t.Errorf("folders --json holds raw hidden characters: %q", out)
	}
	var folders []folderJSON
	if err := json.Unmarshal([]byte(out), &folders); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range folders {
		names[f.Name] = true
	}
	if !names["\x1b]8;;https://evil.example/\aclick\x1b]8;;\a"] || !names["invoice\u202Efdp.exe"] {
		t.Errorf("JSON does not decode to the names as the server has them: %v", names)
	}
}

func TestPullFromAHostileServerStaysData(t *testing.T) {
	srv := hostileimap.Start(t, hostileimap.Corpus()...)
	cfg := hostileConfig(t, srv.Addr)
	for _, folder := range []string{"INBOX", "Reports ⟨&Jjo⟩"} {
		out, stderr, code := runCLI("pull", "--folder", folder, "--config", cfg)
		if code != 0 {
			t.Fatalf("pull %s: %d %s", folder, code, stderr)
		}
		if !safejson.Clean([]byte(out)) {
			t.Errorf("pull %s holds raw hidden characters", folder)
		}
		sc := bufio.NewScanner(strings.NewReader(out))
		n, escaped := 0, false
		for sc.Scan() {
			var r pull.Record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("pull %s: line %d: %v", folder, n, err)
			}
			n++
			escaped = escaped || strings.Contains(r.Alert.Name, "\x1b]8;;https://evil.example/")
		}
		want := map[string]int{"INBOX": 4, "Reports ⟨&Jjo⟩": 2}[folder]
		if n != want {
			t.Errorf("pull %s: %d records, want %d", folder, n, want)
		}
		if folder == "INBOX" && !escaped {
			t.Error("the hostile subject did not decode back to its value")
		}
	}
}

// Every stderr line quoting a server is sanitized: a refused login, a
// NO for a folder, watch's retries.
func TestServerWordsOnStderrAreSanitized(t *testing.T) {
	srv := hostileimap.Start(t, hostileimap.Corpus()...)
	cfg := hostileConfig(t, srv.Addr)
	check := func(what, stderr string) {
		t.Helper()
		if c := rawHidden(stderr); c != "" {
			t.Errorf("%s: raw %s on stderr: %q", what, c, stderr)
		}
		if !strings.Contains(stderr, "⟨OSC 8⟩click⟨OSC 8⟩") {
			t.Errorf("%s: the server's words are not shown: %q", what, stderr)
		}
	}
	_, stderr, code := runCLI("pull", "--folder", "Refused", "--config", cfg)
	if code != 1 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("pull from a refused folder: %d %q", code, stderr)
	}
	check("pull", stderr)

	var log lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runWatch(ctx, []string{"--folder", "Refused", "--recheck", "50ms"}, cfg, "", io.Discard, &log)
	}()
	timeout := time.After(10 * time.Second)
	for strings.Count(log.String(), "\n") < 2 { // two tries, each logged
		select {
		case <-log.wrote():
		case <-timeout:
			t.Fatalf("watch logged no retries: %q", log.String())
		}
	}
	cancel()
	<-done
	check("watch", log.String())

	srv.RefuseLogin("[AUTHENTICATIONFAILED] " + hostileimap.EscapeText)
	_, stderr, _ = runCLI("folders", "--config", cfg)
	check("login", stderr)
}

// lockedBuffer is a stderr for a command running in another goroutine;
// wrote says when something more was written.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	notify chan struct{}
}

func (l *lockedBuffer) wrote() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.notify == nil {
		l.notify = make(chan struct{}, 1)
	}
	return l.notify
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.notify == nil {
		l.notify = make(chan struct{}, 1)
	}
	select {
	case l.notify <- struct{}{}:
	default:
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestHelperMain runs the command itself when a test starts this binary
// again as a child process.
func TestHelperMain(t *testing.T) {
	if os.Getenv("MT_HELPER_ARGS") == "" {
		t.Skip("a helper for other tests")
	}
	os.Exit(run(strings.Split(os.Getenv("MT_HELPER_ARGS"), "\x1f"), os.Stdout, os.Stderr))
}

// SIGTERM during a long pull: the process ends soon, with status 1, and
// every record it wrote is whole (a JSON array stays an array).
func TestPullStopsCleanlyOnSIGTERM(t *testing.T) {
	var msgs []hostileimap.Message
	for i := range 400 {
		subject := fmt.Sprintf("slow %03d", i)
		msgs = append(msgs, hostileimap.Message{Subject: subject, From: "a@b.example", Delay: 10 * time.Millisecond,
			Raw: []byte("From: a@b.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject + "@b>\r\n\r\n" + strings.Repeat("body line\r\n", 200))})
	}
	srv := hostileimap.Start(t, hostileimap.Folder{Name: "INBOX", Messages: msgs})
	cfg := hostileConfig(t, srv.Addr)
	for _, format := range []string{"jsonl", "json"} {
		t.Run(format, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMain$")
			cmd.Env = append(os.Environ(), "MT_HELPER_ARGS="+strings.Join([]string{"pull", "--format", format, "--config", cfg}, "\x1f"))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(stdout)
			first, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("no output before SIGTERM: %v (%s)", err, stderr.String())
			}
			start := time.Now()
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(r)
			err = cmd.Wait()
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("exit took %v after SIGTERM", d)
			}
			if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("exit %d (%v), stderr %q", code, err, stderr.String())
			}
			out := first + string(rest)
			var n int
			if format == "json" {
				var recs []pull.Record
				if err := json.Unmarshal([]byte(out), &recs); err != nil {
					t.Fatalf("the output is no JSON array: %v\n…%s", err, out[max(0, len(out)-200):])
				}
				n = len(recs)
			} else {
				if !strings.HasSuffix(out, "\n") {
					t.Errorf("the last line is cut: …%q", out[max(0, len(out)-80):])
				}
				for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					var rec pull.Record
					if err := json.Unmarshal([]byte(line), &rec); err != nil {
						t.Fatalf("line %d is not whole: %v", n, err)
					}
					n++
				}
			}
			if n == 0 || n >= len(msgs) {
				t.Errorf("%d records: the pull was not interrupted midway", n)
			}
			t.Logf("%s: %d whole records before SIGTERM ended the pull, %v after it", format, n, time.Since(start).Round(time.Millisecond))
		})
	}
}

func TestActOutputStaysData(t *testing.T) {
	srv := hostileimap.Start(t, hostileimap.Corpus()...)
	cfg := hostileConfig(t, srv.Addr)
	folder := "\x1b]8;;https://evil.example/\aclick\x1b]8;;\a" // the OSC 8 folder, as decoded
	out, stderr, code := runCLI("act", "tag", "Phish \u202Econfirmed", "--dry-run", "--uid", "1", "--folder", folder, "--config", cfg)
	if code != 0 {
		t.Fatalf("act: %d %s", code, stderr)
	}
	if !safejson.Clean([]byte(out)) {
		t.Errorf("act printed raw hidden characters: %q", out)
	}
	var res actResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Folder != folder || len(res.Targets) != 1 || res.Targets[0].Result != "would" {
		t.Errorf("act result %+v", res)
	}
}

// SIGTERM during a watch: whole lines only, and the state file names the
// last message delivered (or the one before, if the signal fell between a
// delivery and its state write: at least once, never lost).
func TestWatchStopsCleanlyOnSIGTERM(t *testing.T) {
	var msgs []hostileimap.Message
	for i := range 200 {
		subject := fmt.Sprintf("slow %03d", i)
		msgs = append(msgs, hostileimap.Message{Subject: subject, From: "a@b.example", Delay: 10 * time.Millisecond,
			Raw: []byte("From: a@b.example\r\nSubject: " + subject + "\r\n\r\nbody\r\n")})
	}
	srv := hostileimap.Start(t, hostileimap.Folder{Name: "INBOX", Messages: msgs})
	cfg := hostileConfig(t, srv.Addr)
	state := filepath.Join(t.TempDir(), "state.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMain$")
	cmd.Env = append(os.Environ(), "MT_HELPER_ARGS="+strings.Join([]string{"watch", "--folder", "INBOX", "--from-start", "--state", state, "--config", cfg}, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("no record before SIGTERM: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		t.Errorf("watch ended with %v", err)
	}
	out := first + string(rest)
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("the last record is cut: …%q", out[max(0, len(out)-80):])
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, line := range lines {
		var rec pull.Record
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.UID != uint32(i+1) {
			t.Fatalf("record %d: UID %d, %v", i, rec.UID, err)
		}
	}
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		LastUID int `json:"last_uid"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if n := len(lines); st.LastUID != n && st.LastUID != n-1 || n >= len(msgs) {
		t.Errorf("%d records delivered, state says last UID %d", n, st.LastUID)
	}
	t.Logf("%d records, state at UID %d", len(lines), st.LastUID)
}
