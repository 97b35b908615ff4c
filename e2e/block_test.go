package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/audit"
)

// From the mailbox: find the CEO-fraud mail, b, pick Mimecast's managed
// sender block, see the plan, apply it, and find the sender in the
// Mimecast screen's Managed senders tab; then undo it from the mailbox,
// and track the message in Mimecast from its detail screen.
func TestBlockSenderFromTheMailboxShowsInMimecast(t *testing.T) {
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	term := run(t, []string{"MAILTRIAGE_DEMO_AUDIT=" + auditPath}, "demo")
	term.waitFor("demo │ INBOX │ 23 messages")
	term.keys("/")
	term.typeText(`subject:"Quick favour"`)
	term.keys("Enter")
	term.waitFor(`/subject:"Quick favour" · 1 match`)

	term.keys("b")
	term.waitFor(`block the sender(s) of 1 message "Quick favour`, "FortiMail: system block list, address")
	term.typeText("managed")
	term.keys("Enter")
	term.waitFor("Apply? Mimecast: block sender → recipient (managed senders) — 1 entry: m.chen.ceo@gmail.example → soc-reports@northwind.example")
	term.keys("y")
	term.waitFor("blocked 1: Mimecast: block sender → recipient (managed senders) — u undoes")

	term.keys("2")
	term.waitFor("[Policies]")
	term.keys("]")
	term.waitFor("[Senders]")
	term.keys("C-r")
	term.waitFor("m.chen.ceo@gmail.example")

	term.keys("1", "u")
	term.waitFor("undone: Mimecast: block sender → recipient (managed senders)")

	// From the message, T tracks it in Mimecast.
	term.keys("Enter")
	term.waitFor("Summary")
	term.keys("T")
	term.waitFor("[Tracking]", "· 1 message", "Quick favour")
	term.keys("q")
	term.waitFor("EXITED 0")

	log, err := audit.Open(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	recs, _ := log.Recent(10)
	var got []string
	for i := len(recs) - 1; i >= 0; i-- {
		got = append(got, recs[i].Phase+" "+recs[i].Action+" "+recs[i].Result)
	}
	if want := "intent block-sender |result block-sender ok|intent unblock-sender |result unblock-sender ok"; strings.Join(got, "|") != want {
		t.Fatalf("audit:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
}
