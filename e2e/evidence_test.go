package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The analyst opens a phishing message in the demo, walks the evidence
// board tab by tab, sees the risk signals and the link defanged, and
// exports the indicators to a file.
func TestEvidenceBoardAndIOCExport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "iocs.csv")
	term := run(t, nil, "demo")
	term.waitFor("demo │ INBOX │ 23 messages", "Microsoft account unusual sign-in activity")

	// The third newest INBOX message is the rnicrosoft.example phish.
	term.keys("j", "j", "Enter")
	scr := term.waitFor("Summary 4⚑", "Verdict", "HIGH", "Display name claims Microsoft", "Link text names another site")
	if strings.Contains(scr, "EXITED") {
		t.Fatalf("the console died:\n%s", scr)
	}

	term.keys("Tab")
	term.waitFor("Alignment", "MAIL FROM", "softfail")
	term.keys("Tab")
	term.waitFor("Received hops (4)", "clock goes backwards")
	term.keys("Tab")
	scr = term.waitFor("URLs (4)", "hxxps://rnicrosoft[.]example/owa/secure/login.php")
	if strings.Contains(scr, "https://rnicrosoft.example/owa") {
		t.Fatalf("a live phishing link is on screen:\n%s", scr)
	}
	term.keys("Tab")
	term.waitFor("Attachments (0)")
	term.keys("Tab")
	term.waitFor("Headers (17 fields", "Authentication-Results: mx.northwind.example")
	term.keys("Tab")
	term.waitFor("Raw source (", "Return-Path: <account-security-noreply@rnicrosoft.example>")
	term.keys("BTab", "[")
	term.waitFor("Attachments (0)")
	term.keys("]", "]", "]")
	term.waitFor("Verdict")

	term.keys(":")
	term.typeText("export iocs " + out)
	term.keys("Enter")
	term.waitFor("indicators (defanged, CSV)")

	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"type,value,context", "sender,account-security-noreply[@]rnicrosoft[.]example,From", "url,hxxps://rnicrosoft[.]example/owa/secure/login.php"} {
		if !strings.Contains(text, want) {
			t.Errorf("IOC file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "https://rnicrosoft.example") {
		t.Errorf("IOC file holds a live URL:\n%s", text)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("IOC file mode: %v %v", fi.Mode(), err)
	}

	term.keys("q")
	term.waitFor("demo │ INBOX │ 23 messages")
	term.keys("q")
	term.waitFor("EXITED 0")
}
