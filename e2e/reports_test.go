package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An analyst on the demo's Phishing reports folder: the list names the
// phish's sender, not the colleagues who reported it; b on a report
// proposes the original sender and never a reporter, for all three
// reports of the phish at once; the audit trail agrees.
func TestBlockFromAReportTargetsTheOriginalSender(t *testing.T) {
	auditPath := filepath.Join(t.TempDir(), "audit.jsonl")
	term := run(t, []string{"MAILTRIAGE_DEMO_AUDIT=" + auditPath}, "demo")
	term.waitFor("demo │ INBOX │ 23 messages")
	term.keys(":")
	term.typeText("folder Phishing reports")
	term.keys("Enter")
	// The newest row is one phish reported by three colleagues.
	term.waitFor("demo │ Phishing reports │ 27 messages", "Reported by", "Northwind HR Portal", "Your 2027 salary review letter is ready", "+2")

	term.keys("b")
	term.waitFor("block the sender(s) of 3 reports of one phish in Phishing reports — how?")
	// The question names whose address it takes before anything is chosen.
	term.waitFor("how? hr@nw-payroll-portal.example (the reported phish's)")
	term.typeText("policy for the address")
	term.keys("Enter")
	screen := term.waitFor("Apply? Mimecast: blocked-sender policy for the address, everyone — 1 entry: hr@nw-payroll-portal.example")
	for _, reporter := range []string{"dana.kowalski@", "tom.becker@", "priya.sharma@"} {
		if strings.Contains(screen, reporter) {
			t.Fatalf("the plan names the reporter %s:\n%s", reporter, screen)
		}
	}
	term.keys("y")
	term.waitFor("blocked 1: Mimecast: blocked-sender policy for the address")

	data, err := os.ReadFile(auditPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "hr@nw-payroll-portal.example") || strings.Contains(string(data), "northwind.example —") {
		t.Fatalf("audit:\n%s", data)
	}
	term.keys("q")
	term.waitFor("EXITED 0")
}
