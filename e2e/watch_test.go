package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/watch"
	"github.com/mailtriage/mailtriage/internal/watchtest"
)

// startWatch starts `mailtriage watch --config cfg` with args as a
// subprocess, env added to its environment.
func startWatch(t *testing.T, cfg string, env []string, args ...string) *watchtest.Process {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"watch", "--config", cfg}, args...)...)
	cmd.Env = append(append(cmd.Environ(), "E2E_IMAP_PASSWORD="+password), env...)
	return watchtest.Start(t, cmd)
}

// waitState waits until the state file says lastUID was delivered.
func waitState(t *testing.T, path string, lastUID uint32) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		st, err := watch.LoadState(path)
		if err == nil && st.LastUID == lastUID {
			return
		}
	}
	t.Fatalf("state never reached UID %d", lastUID)
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s never appeared", path)
}

// Every new message is delivered exactly once: across kill -9 and a
// restart (mail that arrived meanwhile comes after the restart, nothing
// twice), and across the server dropping every connection.
func TestWatchDeliversOnceAcrossKillAndReconnect(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, "audit_log = "+quoteTOML(t.TempDir()+"/a.jsonl")+"\n"+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	state := t.TempDir() + "/state.json"
	w := startWatch(t, cfg, nil, "--folder", "INBOX", "--state", state, "--recheck", "500ms")
	waitFile(t, state) // the first run remembers where INBOX ends
	appendMail(t, srv, "INBOX", "watch one")
	appendMail(t, srv, "INBOX", "watch two")
	if a, b := w.Next(), w.Next(); a != "watch one" || b != "watch two" {
		t.Fatalf("got %q, %q", a, b)
	}
	// The state is written right after each delivery: a kill between the
	// two would repeat that one message on restart (at least once, never
	// lost). Kill once it is written, as an operator's restart would.
	waitState(t, state, 25)
	w.Kill() // kill -9
	appendMail(t, srv, "INBOX", "while down 1")
	appendMail(t, srv, "INBOX", "while down 2")
	w = startWatch(t, cfg, nil, "--folder", "INBOX", "--state", state, "--recheck", "500ms")
	for _, want := range []string{"while down 1", "while down 2"} {
		if got := w.Next(); got != want {
			t.Fatalf("after restart got %q, want %q (a repeat or a loss)", got, want)
		}
	}
	if err := srv.Kick(user); err != nil {
		t.Fatal(err)
	}
	appendMail(t, srv, "INBOX", "after reconnect")
	if got := w.Next(); got != "after reconnect" {
		t.Fatalf("after the server dropped us: %q", got)
	}
	appendMail(t, srv, "INBOX", "marker")
	if got := w.Next(); got != "marker" {
		t.Fatalf("a repeat before the marker: %q", got)
	}
}

// A failing webhook is retried, never skipped, and every POST is signed.
func TestWatchWebhookIsSignedAndRetried(t *testing.T) {
	const secret = "webhook s3cret"
	var mu sync.Mutex
	var got []string
	calls := 0
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if r.Header.Get(watch.SignatureHeader) != watch.Sign([]byte(secret), body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			t.Errorf("bad signature %q", r.Header.Get(watch.SignatureHeader))
			return
		}
		if calls <= 2 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		var rec struct {
			Alert struct{ Name string } `json:"alert"`
		}
		_ = json.Unmarshal(body, &rec)
		got = append(got, rec.Alert.Name)
	}))
	defer hook.Close()
	srv := startDovecot(t)
	cfg := writeConfig(t, "audit_log = "+quoteTOML(t.TempDir()+"/a.jsonl")+"\n"+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	state := t.TempDir() + "/state.json"
	startWatch(t, cfg, []string{"HOOK_SECRET=" + secret}, "--folder", "INBOX", "--state", state, "--webhook", hook.URL, "--hmac-secret-env", "HOOK_SECRET")
	waitFile(t, state)
	appendMail(t, srv, "INBOX", "to the hook")
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatal("never delivered")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "to the hook" || calls != 3 {
		t.Fatalf("delivered %q after %d calls", got, calls)
	}
	if data, _ := os.ReadFile(state); !strings.Contains(string(data), `"last_uid"`) {
		t.Fatalf("state %s", data)
	}
}

// --exec hands each record to a command on its stdin; a failing command
// is retried (here it fails until a flag file exists).
func TestWatchExecRetriesUntilTheCommandSucceeds(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, "audit_log = "+quoteTOML(t.TempDir()+"/a.jsonl")+"\n"+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	dir := t.TempDir()
	out, ready, tries := dir+"/records.jsonl", dir+"/ready", dir+"/tries"
	cmd := "echo try >> " + tries + "; test -e " + ready + " && cat >> " + out
	state := dir + "/state.json"
	startWatch(t, cfg, nil, "--folder", "INBOX", "--state", state, "--exec", cmd)
	waitFile(t, state)
	appendMail(t, srv, "INBOX", "for the command")
	// The command fails while the flag is missing: wait until it was
	// tried twice (a retry), and the state must not have moved past the
	// message meanwhile.
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		data, _ := os.ReadFile(tries)
		if strings.Count(string(data), "try") >= 2 {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the command was not retried")
		}
	}
	if st, _ := watch.LoadState(state); st.LastUID > 23 {
		t.Fatal("the state moved past a message the command refused")
	}
	if err := os.WriteFile(ready, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	waitState(t, state, 24)
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), `"name":"for the command"`) || strings.Count(string(data), "\n") != 1 {
		t.Fatalf("records file %q %v", data, err)
	}
}
