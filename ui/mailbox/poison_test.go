package mailbox

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/mailtest"
	"github.com/mailtriage/mailtriage/internal/poison"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// A mailbox whose folder names, keywords, subjects and addresses all
// carry every hostile kind (escapes, OSC 8/52, C1, APC/PM/SOS/DCS, bidi,
// zero-width, TAG characters) draws nothing but the console's own
// styling: in the list and sidebar, the folder-info overlay, the
// campaign pickers, the move and tag pickers, the search results and the
// questions.
func TestHostileNamesRenderCleanInEveryOverlay(t *testing.T) {
	mb := mailtest.New()
	evil := poison.Payload + "Reports"
	mb.AddFolder(evil, mail.RoleNone)
	mb.AddFolder(evil+"/child", mail.RoleNone)
	mb.AddFolder("Trash", mail.RoleTrash)
	for i := range 3 {
		mb.Add(evil, mail.Envelope{
			Subject: fmt.Sprintf("%sinvoice %d", poison.Payload, i/2),
			From:    []mail.Address{{Name: poison.Payload + "CEO", Addr: "ceo@evil.example"}},
			To:      []mail.Address{{Name: poison.Payload, Addr: "soc@example.com"}},
			Flags:   mail.Flags{Keywords: []string{poison.Payload + "kw", "$mt__1b_5b31m"}},
		}, []byte("From: ceo@evil.example\r\nSubject: x\r\n\r\nbody\r\n"))
	}
	h := newHarness(t, mb, 160, 40)
	h.run(h.m.OpenFolder(evil))
	if got := h.m.State().Folder; got != evil {
		t.Fatalf("open folder = %q", got)
	}
	policy := uitest.MonoScreen
	check := func(where string, want ...string) {
		t.Helper()
		out := h.m.Render()
		if bad := uitest.Foreign(out, policy); len(bad) > 0 {
			t.Fatalf("%s: foreign bytes on screen: %q\n%s", where, bad, uitest.Plain(out))
		}
		plain := uitest.Plain(out)
		for _, w := range want {
			if !strings.Contains(plain, w) {
				t.Fatalf("%s: screen lacks %q:\n%s", where, w, plain)
			}
		}
	}
	check("list", "⟨OSC 8⟩")
	h.press("i")
	check("folder info", "Folder ⟨OSC 8⟩")
	h.press("esc", "g")
	check("campaign grouping picker", "campaigns in ⟨OSC 8⟩")
	h.press("enter")
	check("campaign picker")
	h.press("esc", "esc", "m")
	check("move picker", "⟨OSC 8⟩")
	h.typeText("\x1b]8;;x\x07")
	check("move picker, hostile text typed")
	h.press("esc", "esc", "t")
	check("tag picker", "⟨OSC 8⟩")
	h.press("esc", "esc", "d")
	check("trash question")
	h.press("esc", "esc")
	// The compose form's body (bubbles' textarea) brings colours of its
	// own whatever the theme: only those are let through here.
	policy = uitest.AnySGR
	h.run(h.m.Compose("ceo@evil.example", "Re: "+poison.Payload+"invoice", nil))
	// The input drops C0 controls itself; the bidi and invisible
	// characters it keeps are drawn as markers.
	check("compose form, reply subject", "Subject: Re: ]8;;https://evil.example/ln", "⟨RLO⟩⟨LRI⟩⟨ZWSP⟩")
	h.press("tab", "tab", "tab") // the cursor in the subject
	check("compose form, in the subject")
	h.press("esc")
	policy = uitest.MonoScreen
	h.press("esc", "tab")
	check("sidebar")
	if len(h.errs) > 0 {
		t.Fatalf("errors: %v", h.errs)
	}
}
