package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	"github.com/mailtriage/mailtriage/backend/watch"
	"github.com/mailtriage/mailtriage/internal/watchtest"
)

// TestMain lets a test run this package's program as a real process
// (MAILTRIAGE_RUN_MAIN=1), to kill it with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("MAILTRIAGE_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func message(subject string) []byte {
	return fmt.Appendf(nil, "From: Reporter <r@example.com>\r\nTo: soc@example.com\r\nSubject: %s\r\nMessage-Id: <%s@example.com>\r\nDate: Sun, 06 Dec 2026 09:00:00 +0000\r\n\r\nbody\r\n",
		subject, strings.ReplaceAll(subject, " ", "."))
}

// startWatchProcess starts `mailtriage watch` with args as a separate
// process: this test binary running the program (see TestMain).
func startWatchProcess(t *testing.T, args ...string) *watchtest.Process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"watch"}, args...)...)
	cmd.Env = append(os.Environ(), "MAILTRIAGE_RUN_MAIN=1")
	return watchtest.Start(t, cmd)
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%s: not within 30 s", what)
		}
	}
}

// A Graph watch killed with SIGKILL and started again delivers exactly
// the mail that arrived while it was down, once, and catches up by
// reading only the changes (its UID map and delta link were kept).
func TestGraphWatchDeliversOnceAcrossKill(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	cfg := graphConfig(t, srv)
	srv.Deliver("Inbox", message("already there"), time.Now().Add(-time.Hour))
	state := filepath.Join(t.TempDir(), "watch.json")
	args := []string{"--config", cfg, "--folder", "Inbox", "--state", state, "--recheck", "300ms"}
	w := startWatchProcess(t, args...)
	waitFor(t, "the first run's state file", func() bool { _, err := os.Stat(state); return err == nil })
	srv.Deliver("Inbox", message("watch one"), time.Now())
	srv.Deliver("Inbox", message("watch two"), time.Now())
	if a, b := w.Next(), w.Next(); a != "watch one" || b != "watch two" {
		t.Fatalf("got %q, %q", a, b)
	}
	waitFor(t, "the state after UID 3", func() bool { st, _ := watch.LoadState(state); return st.LastUID == 3 })
	w.Kill() // kill -9
	srv.Deliver("Inbox", message("while down 1"), time.Now())
	srv.Deliver("Inbox", message("while down 2"), time.Now())
	srv.ResetCounts()
	w = startWatchProcess(t, args...)
	for _, want := range []string{"while down 1", "while down 2"} {
		if got := w.Next(); got != want {
			t.Fatalf("after the restart got %q, want %q (a repeat or a loss)", got, want)
		}
	}
	srv.Deliver("Inbox", message("marker"), time.Now())
	if got := w.Next(); got != "marker" {
		t.Fatalf("a repeat before the marker: %q", got)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r, "/messages/delta") && !strings.Contains(r, "deltatoken") {
			t.Fatalf("the restarted watch read the folder whole: %s", r)
		}
		if strings.Contains(r, "/messages?") {
			t.Fatalf("the restarted watch listed the folder: %s", r)
		}
	}
}

// pull's item_id names the same message in a later process's act; once
// the folder is deleted and created again, the old item id is refused.
func TestGraphItemIDFromPullWorksInALaterAct(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	cfg := graphConfig(t, srv)
	srv.AddFolder("Cases")
	for i, s := range []string{"case a", "case b", "case c"} {
		srv.Deliver("Cases", message(s), time.Now().Add(time.Duration(i)*time.Minute))
	}
	items := pullItemIDs(t, cfg, "Cases")
	if len(items["case b"]) == 0 {
		t.Fatalf("no item id for case b: %v", items)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"act", "move", "--config", cfg, "--item-id", items["case b"], "--to", "Junk Email"}, &out, &errb); code != 0 {
		t.Fatalf("act: %d %s %s", code, out.String(), errb.String())
	}
	junk := srv.Messages("Junk Email")
	if len(junk) != 1 || junk[0].Subject != "case b" || len(srv.Messages("Cases")) != 2 {
		t.Fatalf("after the act: junk %v, cases %d", junk, len(srv.Messages("Cases")))
	}
	// Recreated under the same name: the old ids are refused.
	srv.DeleteFolder("Cases")
	srv.AddFolder("Cases")
	srv.Deliver("Cases", message("new case"), time.Now())
	out.Reset()
	errb.Reset()
	code := run([]string{"act", "delete", "--hard", "--config", cfg, "--item-id", items["case c"]}, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "UIDVALIDITY") || len(srv.Messages("Cases")) != 1 {
		t.Fatalf("an item id of the deleted folder was not refused: %d %s %s", code, out.String(), errb.String())
	}
}

// pullItemIDs runs pull over folder and returns item_id by subject.
func pullItemIDs(t *testing.T, cfg, folder string) map[string]string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run([]string{"pull", "--config", cfg, "--folder", folder, "--format", "jsonl"}, &out, &errb); code != 0 {
		t.Fatalf("pull: %d %s", code, errb.String())
	}
	ids := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec struct {
			ItemID string `json:"item_id"`
			Alert  struct{ Name string }
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("pull line %q: %v", line, err)
		}
		ids[rec.Alert.Name] = rec.ItemID
	}
	return ids
}
