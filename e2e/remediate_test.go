package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// An analyst finds a phish with a search, moves it to Junk with the
// picker, undoes that, tags it, looks at the audit trail and backs out of
// a permanent delete; the server agrees at every step.
func TestRemediateOnDovecot(t *testing.T) {
	srv := startDovecot(t)
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := writeConfig(t, "audit_log = "+quoteTOML(auditPath)+"\n"+accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, ""))
	term := run(t, []string{"E2E_IMAP_PASSWORD=" + password}, "--config", cfg)
	term.waitFor("soc │ INBOX │ 23 messages · 11 unread")

	const subject = "Your Apple ID has been locked"
	term.keys("/")
	term.typeText(`subject:"Apple ID"`)
	term.keys("Enter")
	term.waitFor(`/subject:"Apple ID" · 1 match`, subject)

	term.keys("*", "m")
	term.waitFor("move 1 message(s) to")
	term.typeText("junk")
	term.keys("Enter")
	term.waitFor("moved 1 message to Junk — u undoes")
	if inJunk := subjectCount(t, srv, "Junk", subject); inJunk != 1 || subjectCount(t, srv, "INBOX", subject) != 0 {
		t.Fatalf("after the move the server has %d in Junk", inJunk)
	}

	term.keys("u")
	term.waitFor("undone: moved 1 message to INBOX")
	if subjectCount(t, srv, "INBOX", subject) != 1 || subjectCount(t, srv, "Junk", subject) != 0 {
		t.Fatal("undo did not bring the message back on the server")
	}
	term.waitFor(`/subject:"Apple ID" · 1 match`)

	term.keys("t")
	term.waitFor("tag 1 message(s)")
	term.typeText("Phish confirmed")
	term.keys("Enter")
	term.waitFor("tagged 1 message Phish confirmed")
	if !hasFlag(serverFlags(t, srv, "INBOX", subject), imap.Flag("$mt__50hish_20confirmed")) {
		t.Fatalf("keyword not on the server: %v", serverFlags(t, srv, "INBOX", subject))
	}

	term.keys("D")
	term.waitFor(`Delete 1 message "Your Apple ID has been locked" in INBOX permanently? This cannot be undone.`)
	term.keys("n")
	// The question goes away (its "cancelled" may already be replaced on
	// the status line by news of the background work): the server is the
	// proof.
	term.waitGone("This cannot be undone.")
	if subjectCount(t, srv, "INBOX", subject) != 1 {
		t.Fatal("n deleted the message")
	}

	term.keys("Escape")
	term.waitFor("soc │ INBOX │ 23 messages")
	term.keys(":")
	term.typeText("audit")
	term.keys("Enter")
	term.waitFor("Audit log", "result tag", "ok done 1")

	term.keys("Escape")
	term.waitGone("Audit log")
	term.keys("q")
	term.waitFor("EXITED 0")

	data, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct {
			Phase, Action, Operator, Result string
			MessageIDs                      []string `json:"message_ids"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("bad audit line %q: %v", line, err)
		}
		if r.Phase == "intent" && len(r.MessageIDs) != 1 {
			t.Fatalf("intent without the Message-ID: %s", line)
		}
		actions = append(actions, r.Phase+" "+r.Action+" "+r.Result)
	}
	want := "intent move |result move ok|intent move |result move ok|intent tag |result tag ok"
	if got := strings.Join(actions, "|"); got != want {
		t.Fatalf("audit trail:\n got %s\nwant %s", got, want)
	}
	if strings.Contains(string(data), password) {
		t.Fatal("the password is in the audit log")
	}
}

func quoteTOML(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// subjectCount counts messages with subject in folder, asking Dovecot on
// a connection of our own.
func subjectCount(t *testing.T, srv *dovecottest.Server, folder, subject string) int {
	t.Helper()
	c := login(t, srv)
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: subject}}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(found.AllUIDs())
}
