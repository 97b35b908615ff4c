package e2e

import (
	"path/filepath"
	"testing"

	"github.com/mailtriage/mailtriage/backend/audit"
)

// The analyst blocks a sender on Mimecast from the console: 2 opens the
// Mimecast screen, ] goes to Managed senders, b opens the form, and the
// new entry is listed as the server now holds it; the audit log has the
// intent and the result.
func TestMimecastBlockSenderFromTheScreen(t *testing.T) {
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	term := run(t, []string{"MAILTRIAGE_DEMO_AUDIT=" + auditPath}, "demo")
	term.waitFor("demo │ INBOX │ 23 messages")

	term.keys("2")
	term.waitFor("[Policies]", "Blocked-sender policies · 1 policy", "Block known invoice-fraud domain")
	term.keys("]")
	term.waitFor("[Senders]", "Managed senders · 1 entry", "spam@bulk-mailer.xyz")

	term.keys("b")
	term.waitFor("Block a sender", "Recipient")
	term.typeText("ceo@examp1e-payroll.top")
	term.keys("Tab")
	term.typeText("j.doe@example.com")
	term.keys("Enter")
	term.waitFor("Managed senders · 2 entries", "ceo@examp1e-payroll.top", "blocked ceo@examp1e-payroll.top for j.doe@example.com")

	// The list after a change is read back from the server; read it again
	// on request to be sure it was not painted from memory.
	term.keys("C-r")
	term.waitFor("Managed senders · 2 entries", "ceo@examp1e-payroll.top")

	term.keys("q")
	term.waitFor("EXITED 0")

	log, err := audit.Open(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	recs, err := log.Recent(10)
	if err != nil {
		t.Fatal(err)
	}
	var intent, result bool
	for _, r := range recs {
		if r.Action != "mimecast-block-sender" || r.Account != "mimecast" {
			continue
		}
		intent = intent || r.Phase == audit.PhaseIntent && r.Detail == "ceo@examp1e-payroll.top → j.doe@example.com"
		result = result || r.Phase == audit.PhaseResult && r.Result == "ok"
	}
	if !intent || !result {
		t.Fatalf("audit log lacks the block's intent or result: %+v", recs)
	}
}
