package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// headlessRun runs the binary without a terminal and returns stdout,
// stderr and the exit status.
func headlessRun(t *testing.T, cfg string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--config", cfg)...)
	cmd.Env = append(cmd.Environ(), "E2E_IMAP_PASSWORD="+password)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

const pullProbe = "From: \"Payroll Team\" <payroll@evil.example>\r\n" +
	"To: ap@example.com\r\n" +
	"Subject: Salary update e2e\r\n" +
	"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n" +
	"Message-ID: <probe-1@evil.example>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b1\r\n\r\n" +
	"--b1\r\nContent-Type: text/plain\r\n\r\nSign here: https://login.evil.example/reset?u=1 today\r\n" +
	"--b1\r\nContent-Type: application/pdf; name=letter.pdf\r\nContent-Disposition: attachment; filename=letter.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSBwcm9iZQo=\r\n" +
	"--b1--\r\n"

func TestPullEmitsAlertsFieldByField(t *testing.T) {
	srv := startDovecot(t)
	if err := srv.Deliver(user, "INBOX", dovecottest.Message{Raw: []byte(pullProbe), InternalDate: time.Date(2026, 11, 2, 10, 0, 5, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, "audit_log = "+quoteTOML(t.TempDir()+"/a.jsonl")+"\n"+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	out, stderr, code := headlessRun(t, cfg, "pull", "--unread", "--format", "jsonl")
	if code != 0 {
		t.Fatalf("pull: %d %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 12 { // 11 unread in the corpus + the probe
		t.Fatalf("%d records", len(lines))
	}
	var rec struct {
		ItemID     string            `json:"item_id"`
		FolderPath string            `json:"folder_path"`
		Headers    map[string]any    `json:"headers"`
		Body       map[string]string `json:"body"`
		Attach     []struct {
			Metadata map[string]any `json:"metadata"`
		} `json:"attachments"`
		Alert struct {
			DisplayID string `json:"display_id"`
			Name      string `json:"name"`
			StartTime int64  `json:"start_time"`
			Priority  int    `json:"priority"`
			Vendor    string `json:"device_vendor"`
			Events    []map[string]any
		} `json:"alert"`
	}
	found := false
	for _, l := range lines {
		if !strings.Contains(l, "probe-1@evil.example") {
			continue
		}
		found = true
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatal("probe message not pulled")
	}
	pdf := []byte("%PDF-1.4\n% probe\n")
	sum := sha256.Sum256(pdf)
	checks := []struct {
		what      string
		got, want any
	}{
		{"folder", rec.FolderPath, "INBOX"},
		{"item id prefix", strings.HasPrefix(rec.ItemID, "soc/INBOX/"), true},
		{"subject header", rec.Headers["subject"], "Salary update e2e"},
		{"body text", strings.Contains(rec.Body["text"], "Sign here"), true},
		{"attachment name", rec.Attach[0].Metadata["filename"], "letter.pdf"},
		{"attachment sha256", rec.Attach[0].Metadata["sha256"], hex.EncodeToString(sum[:])},
		{"attachment size", rec.Attach[0].Metadata["content_length"], float64(len(pdf))},
		{"alert id", rec.Alert.DisplayID, "probe-1@evil.example"},
		{"alert name", rec.Alert.Name, "Salary update e2e"},
		{"alert time", rec.Alert.StartTime, time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC).UnixMilli()},
		{"priority", rec.Alert.Priority, 60},
		{"vendor", rec.Alert.Vendor, "Mail"},
		{"event source", rec.Alert.Events[0]["SourceUserName"], `"Payroll Team" <payroll@evil.example>`},
		{"event destination", rec.Alert.Events[0]["DestinationUserName"], "ap@example.com"},
		{"event urls", rec.Alert.Events[0]["found_url"], "https://login.evil.example/reset?u=1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
	// Pulling never marks read by itself.
	if hasFlag(serverFlags(t, srv, "INBOX", "Salary update e2e"), imap.FlagSeen) {
		t.Fatal("pull marked a message read")
	}
}

func TestPullMarkReadMarksOnlyWhatWasWritten(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, "audit_log = "+quoteTOML(t.TempDir()+"/a.jsonl")+"\n"+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	out, stderr, code := headlessRun(t, cfg, "pull", "--unread", "--limit", "3", "--mark-read", "--format", "json")
	if code != 0 {
		t.Fatalf("pull: %d %s", code, stderr)
	}
	var recs []map[string]any
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 3 {
		t.Fatalf("json array of 3: %d %v", len(recs), err)
	}
	again, _, _ := headlessRun(t, cfg, "pull", "--unread", "--format", "jsonl")
	if n := len(strings.Split(strings.TrimSpace(again), "\n")); n != 11-3 {
		t.Fatalf("%d unread left, want 8", n)
	}
}

func TestActOnEachKindOfTargetAndDryRun(t *testing.T) {
	srv := startDovecot(t)
	auditPath := t.TempDir() + "/a.jsonl"
	cfg := writeConfig(t, "audit_log = "+quoteTOML(auditPath)+"\n"+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	const subject = "Your Apple ID has been locked"

	out, _, code := headlessRun(t, cfg, "act", "move", "--search", `subject:"Apple ID"`, "--to", "Junk", "--dry-run")
	if code != 0 || !strings.Contains(out, `"result": "would"`) || subjectCount(t, srv, "INBOX", subject) != 1 {
		t.Fatalf("dry run: %d %s", code, out)
	}
	out, stderr, code := headlessRun(t, cfg, "act", "move", "--search", `subject:"Apple ID"`, "--to", "Junk")
	if code != 0 || !strings.Contains(out, `"result": "done"`) || subjectCount(t, srv, "Junk", subject) != 1 {
		t.Fatalf("move by search: %d %s %s", code, out, stderr)
	}
	var res struct {
		Targets []struct {
			UID       uint32 `json:"uid"`
			MessageID string `json:"message_id"`
			DestUID   uint32 `json:"dest_uid"`
		}
	}
	_ = json.Unmarshal([]byte(out), &res)
	id := res.Targets[0].MessageID
	out, _, code = headlessRun(t, cfg, "act", "tag", "Phish confirmed", "--message-id", id, "--folder", "Junk")
	if code != 0 || !hasFlag(serverFlags(t, srv, "Junk", subject), imap.Flag("$mt__50hish_20confirmed")) {
		t.Fatalf("tag by Message-ID: %d %s", code, out)
	}
	uid := res.Targets[0].DestUID
	out, _, code = headlessRun(t, cfg, "act", "read", "--uid", itoa(uid), "--uid", "99999", "--folder", "Junk")
	if code != 1 || !strings.Contains(out, `"result": "not_found"`) || !hasFlag(serverFlags(t, srv, "Junk", subject), imap.FlagSeen) {
		t.Fatalf("read by UID with a missing one: %d %s", code, out)
	}
	if _, stderr, code := headlessRun(t, cfg, "act", "move", "--uid", "1"); code != 2 || !strings.Contains(stderr, "--to FOLDER") {
		t.Fatalf("usage error: %d %q", code, stderr)
	}
	// Every change is in the audit trail, via "cli".
	data := readFile(t, auditPath)
	sc := bufio.NewScanner(strings.NewReader(data))
	n := 0
	for sc.Scan() {
		if !strings.Contains(sc.Text(), `"via":"cli"`) {
			t.Fatalf("audit line without via cli: %s", sc.Text())
		}
		n++
	}
	if n != 6 {
		t.Fatalf("%d audit lines, want 6 (3 actions × intent + result)", n)
	}
}

func TestFoldersJSON(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, "audit_log = "+quoteTOML(t.TempDir()+"/a.jsonl")+"\n"+accountConfig("soc", "imap://"+srv.Addr, "none", "", ""))
	out, stderr, code := headlessRun(t, cfg, "folders", "--json")
	if code != 0 {
		t.Fatalf("%d %s", code, stderr)
	}
	var fs []struct {
		Name     string
		Role     string
		Messages int
		Unseen   int
	}
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Name == "INBOX" && f.Messages == 23 && f.Unseen == 11 {
			return
		}
	}
	t.Fatalf("INBOX 23/11 not in %s", out)
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
