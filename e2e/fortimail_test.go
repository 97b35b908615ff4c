package e2e

import (
	"strings"
	"testing"
	"time"
)

// The analyst edits a FortiMail session profile in the demo: 3 opens the
// screen, the profile opens, one field is changed, the diff is confirmed,
// and the profile fetched again shows the new value.
func TestFortiMailSessionProfileEdit(t *testing.T) {
	term := run(t, nil, "demo")
	term.waitFor("demo │ INBOX │ 23 messages")
	term.keys("3")
	term.waitFor("Session profiles", "example.com", "192.0.2.25:25", "subdomain of example.net")
	term.keys("Tab")
	term.waitFor("Strict_Inbound", "Hardened profile for the executive")
	term.keys("j", "j", "Enter")
	term.waitFor("Session profiles › Strict_Inbound", "Connection settings")
	term.waitLine("Connection idle timeout (seconds)", "20")

	term.keys("e")
	term.waitFor(`Edit session profile "Strict_Inbound"`)
	for i := 0; i < 5; i++ { // Comment, then the four limits
		term.keys("Tab")
	}
	term.waitFor("Connection idle timeout (seconds) · conn_idle_timeout · 1–1200")
	term.keys("C-a", "C-k")
	term.typeText("45")
	term.keys("Enter")
	term.waitFor("Connection idle timeout (seconds) (conn_idle_timeout): 20 → 45",
		`Send 1 change(s) to session profile "Strict_Inbound"?`)
	term.keys("y")
	term.waitFor(`session profile "Strict_Inbound" updated (1 field(s))`)

	// Fetched again from the appliance: back to the list, open it anew.
	term.keys("Escape")
	term.waitGone("Session profiles › Strict_Inbound")
	term.keys("C-r", "Enter")
	term.waitFor("Session profiles › Strict_Inbound")
	term.waitLine("Connection idle timeout (seconds)", "45")

	term.keys("q")
	term.waitFor("EXITED 0")
}

// waitLine reads the screen until one line holds label and, after it,
// value.
func (term *terminal) waitLine(label, value string) {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := term.screen()
		for _, l := range strings.Split(s, "\n") {
			if i := strings.Index(l, label); i >= 0 && strings.Contains(l[i+len(label):], " "+value) {
				return
			}
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("no line with %q then %q; last screen:\n%s", label, value, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
