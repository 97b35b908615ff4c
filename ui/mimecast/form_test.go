package mimecast

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

// hiddenDescription holds an RLO and a zero-width space: what the form
// shows as markers and must never send back as marker text.
const hiddenDescription = "Block \u202einvoice\u200b.exe senders"

func hiddenPolicySeed() mimecasttest.SeedData {
	seed := sample()
	seed.Policies = []mimecasttest.Policy{{Option: "block_sender", Description: hiddenDescription,
		FromType: "email_domain", FromValue: "billing-notice.top", ToType: "everyone", Comment: "kept"}}
	return seed
}

// policyWrites counts the calls that change a policy (an update is a
// create and a delete).
func policyWrites(srv *mimecasttest.Server) int {
	return srv.Requests("/api/policy/blockedsenders/create-policy") + srv.Requests("/api/policy/blockedsenders/delete-policy")
}

// Re-saving a policy unchanged sends nothing: the description with
// hidden characters stays byte-identical on the server.
func TestUnchangedPolicySaveSendsNothing(t *testing.T) {
	h := newHarness(t, 120, 30, hiddenPolicySeed())
	before := h.srv.Policies()
	writes := policyWrites(h.srv)
	h.press("e")
	h.see("Edit policy Block ⟨RLO⟩invoice⟨ZWSP⟩.exe senders")
	if out := h.m.Render(); strings.ContainsAny(out, "\u202e\u200b") {
		t.Fatalf("the form drew the hidden characters raw: %q", out)
	}
	h.press("tab") // the description field has the cursor
	h.see("Block ⟨RLO⟩invoice⟨ZWSP⟩.exe senders")
	if out := h.m.Render(); strings.ContainsAny(out, "\u202e\u200b") {
		t.Fatalf("the focused input drew the hidden characters raw: %q", out)
	}
	h.press("enter")
	h.noErrors()
	if n := policyWrites(h.srv); n != writes {
		t.Fatalf("an unchanged save sent %d write(s)", n-writes)
	}
	after := h.srv.Policies()
	if len(after) != 1 || after[0].Description != hiddenDescription || after[0].ID != before[0].ID {
		t.Fatalf("after an unchanged save the server holds %+v", after)
	}
}

// Editing another field sends the description back as it really is,
// not as the markers that showed it.
func TestPolicyEditKeepsTheRealDescription(t *testing.T) {
	h := newHarness(t, 120, 30, hiddenPolicySeed())
	h.press("e")
	for range 8 { // to the comment field
		h.press("tab")
	}
	h.press("ctrl+u")
	h.typeText("reviewed")
	h.press("enter")
	h.noErrors()
	ps := h.srv.Policies()
	if len(ps) != 1 || ps[0].Comment != "reviewed" || ps[0].Description != hiddenDescription {
		t.Fatalf("after editing the comment the server holds %q / %q", ps[0].Description, ps[0].Comment)
	}
}

// Typing in a field with hidden characters edits the real value: the
// characters typed are added, the hidden ones stay what they are.
func TestTypingEditsTheRealValue(t *testing.T) {
	h := newHarness(t, 120, 30, hiddenPolicySeed())
	h.press("e", "tab")
	h.typeText(" too")
	h.see("⟨RLO⟩invoice⟨ZWSP⟩.exe senders too")
	h.press("enter")
	h.noErrors()
	ps := h.srv.Policies()
	if len(ps) != 1 || ps[0].Description != hiddenDescription+" too" {
		t.Fatalf("after typing the server holds %q", ps[0].Description)
	}
}
