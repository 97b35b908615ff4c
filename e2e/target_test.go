package e2e

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// The reproduction of "every action names its target", as an analyst on
// Dovecot: three messages selected in the list, a fourth opened, :delete
// typed. The question names the open message and offers the selection as
// the other answer; y moves the open message to Trash and nothing else.
func TestDeleteFromTheMessageActsOnWhatIsShown(t *testing.T) {
	srv := startDovecot(t)
	cfg := writeConfig(t, accountConfig("soc", "imaps://"+srv.TLSAddr, "implicit", srv.CAFile, ""))
	term := run(t, []string{"E2E_IMAP_PASSWORD=" + password}, "--config", cfg)
	term.waitFor("soc │ INBOX │ 23 messages")
	trashBefore := folderCount(t, srv, "Trash")

	// Rows 8–10 selected (space moves down), row 11 — the Apple ID phish —
	// opened.
	const subject = "Your Apple ID has been locked"
	for i := 0; i < 7; i++ {
		term.keys("j")
	}
	term.keys("Space", "Space", "Space")
	term.waitFor("3 selected")
	term.keys("Enter")
	term.waitFor("Subject      " + subject)

	term.keys(":")
	term.typeText("delete")
	term.keys("Enter")
	term.waitFor(`Move 1 message "`+subject+`" in INBOX to Trash?`, "the 3 messages in INBOX selected instead")
	term.keys("y")
	term.waitFor("soc │ INBOX │ 22 messages")

	if n := subjectCount(t, srv, "Trash", subject); n != 1 {
		t.Fatalf("the open message is not in Trash on the server (%d)", n)
	}
	if got := folderCount(t, srv, "Trash"); got != trashBefore+1 {
		t.Fatalf("Trash holds %d, had %d: more than the open message was moved", got, trashBefore)
	}
	if got := folderCount(t, srv, "INBOX"); got != 22 {
		t.Fatalf("INBOX holds %d on the server, want 22", got)
	}
	// The selection survived, untouched, for an explicit action.
	if !strings.Contains(term.screen(), "3 selected") {
		t.Fatalf("the selection was lost:\n%s", term.screen())
	}
	term.keys("q")
	term.waitFor("EXITED 0")
}

// folderCount asks Dovecot how many messages folder holds.
func folderCount(t *testing.T, srv *dovecottest.Server, folder string) int {
	t.Helper()
	c := login(t, srv)
	defer c.Close()
	data, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return int(data.NumMessages)
}
