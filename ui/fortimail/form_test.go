package fortimail

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/ui/session"
)

// Typing into a comment that holds hidden characters shows them as
// markers while typing (the input holds the real value); the form refuses
// to send a comment with hidden characters, and once the analyst has
// deleted them — the cursor stops on each marker — the real remaining
// text is what is sent.
func TestTypingInAHiddenCommentEditsTheRealValue(t *testing.T) {
	const comment = "clear\u202eeman\u200b"
	h := newHarness(t, 120, 30, func(d *fortimailtest.SeedData, _ *session.Session) {
		d.SessionProfiles = append(d.SessionProfiles, fortimailtest.Object{"mkey": "Evil_Profile", "comment": comment})
	})
	h.openSessionProfile("Evil_Profile")
	h.press("e")
	h.focus("comment")
	h.press("end")
	h.typeText(" ok")
	if out := h.m.Render(); strings.ContainsAny(out, "\u202e\u200b") {
		t.Fatalf("the field being typed in drew hidden characters raw: %q", out)
	}
	h.requireScreen("clear⟨RLO⟩eman⟨ZWSP⟩ ok")
	h.press("enter")
	h.requireScreen("no control or invisible characters", "nothing was sent")
	if puts := h.requests(http.MethodPut, "Evil_Profile"); len(puts) != 0 {
		t.Fatalf("a refused comment was sent: %d PUTs", len(puts))
	}
	// Delete the ZWSP (before " ok") and the RLO (after "clear").
	h.press("left", "left", "left", "backspace")
	h.press("home", "right", "right", "right", "right", "right", "ctrl+d")
	h.requireScreen("cleareman ok")
	h.press("enter")
	h.requireScreen("Send 1 change(s)")
	h.press("y")
	h.noErrors()
	puts := h.requests(http.MethodPut, "Evil_Profile")
	if len(puts) != 1 {
		t.Fatalf("%d PUTs", len(puts))
	}
	if got := puts[0].Fields()["comment"]; got != "cleareman ok" {
		t.Fatalf("PUT comment %q, want %q", got, "cleareman ok")
	}
}
