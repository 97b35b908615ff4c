package e2e

import (
	"strings"
	"testing"
)

// The newcomer's first command: the demo opens on INBOX, hostile mail is
// shown with markers (and does not clear or recolour the terminal), a
// message opens and closes, :folder switches folders, q quits.
func TestDemoAsAnalyst(t *testing.T) {
	term := run(t, nil, "demo")
	scr := term.waitFor("demo │ INBOX │ 23 messages · 11 unread", "Your Apple ID has been locked", "Folders")
	for _, want := range []string{"Phishing reports", "Quarantine", "Confirmed", "⟨CSI 2J⟩"} {
		if !strings.Contains(scr, want) {
			t.Errorf("first screen lacks %q:\n%s", want, scr)
		}
	}

	// The hostile message: G goes to the oldest, ten up is the one whose
	// subject and sender carry escape sequences.
	term.keys("G")
	for i := 0; i < 10; i++ {
		term.keys("k")
	}
	term.keys("Enter")
	scr = term.waitFor("Subject      ⟨CSI 31m⟩URGENT⟨CSI 0m⟩", "⟨CSI ?1049h⟩", "unread (opening it did not change that)")
	if !strings.Contains(scr, "mailtriage  1 Mailbox") {
		t.Fatalf("the tab bar is gone: the message reached the terminal:\n%s", scr)
	}

	term.keys("h")
	term.waitFor("Headers (", "Received: from")
	term.keys("q")
	term.waitFor("demo │ INBOX │ 23 messages")

	term.keys(":")
	term.typeText("folder Quarantine")
	term.keys("Enter")
	term.waitFor("demo │ Quarantine │ 10 messages", "invoice⟨RLO⟩fdp.exe")

	term.keys("q")
	term.waitFor("EXITED 0")
}

func TestDemoHelpAndScreens(t *testing.T) {
	term := run(t, nil, "demo")
	term.waitFor("demo │ INBOX │ 23 messages")
	term.keys("?")
	term.waitFor("Keys", "Commands", "folder NAME")
	term.keys("Escape")
	term.waitGone("Commands")
	term.keys("2")
	term.waitFor("Blocked-sender policies")
	term.keys("4")
	term.waitFor("Jobs", "open INBOX", "done")
	term.keys("1")
	term.waitFor("Your Apple ID has been locked")
	term.keys("C-c")
	term.waitFor("EXITED 0")
}

// With --new-mail the demo delivers mail by itself; the console shows it
// without a key press (IDLE on the in-process server).
func TestDemoNewMailArrives(t *testing.T) {
	term := run(t, nil, "demo", "--new-mail", "300ms")
	term.waitFor("demo │ INBOX │")
	term.waitFor("new in INBOX")
	term.waitGone("23 messages")
	// The delivered copies are user reports: the list shows the phish
	// they carry, with who reported it.
	term.waitFor("Reported by")
}
