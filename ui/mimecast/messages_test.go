package mimecast

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

func TestMessageListWithItsFiltersOpensDetail(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("Messages")
	h.see("Message list", "/ lists a mailbox's inbox or sent items")
	h.press("/")
	h.see("List a mailbox's messages", "Mailbox", "Folder", "Since", "Until", "Include delegates", "Include aliases")
	h.typeText("not an address")
	h.press("enter")
	h.see("✗ mailbox:")
	h.press("ctrl+u")
	h.typeText("j.doe@example.com")
	h.press("enter")
	h.noErrors()
	h.see("Message list · j.doe@example.com, inbox · 2 messages", "Overdue invoice 7731", "Your weekly digest")

	h.press("enter")
	h.noErrors()
	h.see("Archived message:")
	h.press("esc")
	h.press("/", "tab", "right", "enter") // the sent folder: j.doe sent none of them
	h.noErrors()
	h.see("Message list · j.doe@example.com, sent · 0 messages", "no message in this mailbox, folder and window")

	h.press("/", "tab", "left", "tab", "ctrl+u")
	h.typeText("2026-12-01")
	h.press("tab")
	h.typeText("2026-11-30")
	h.press("enter")
	h.see("✗ until is before since")
}

func TestLookupByIDOpensMessageInfoAndArchiveDetail(t *testing.T) {
	h := newHarness(t, 120, 40, sample())
	id := mimecasttest.MimecastID("<invoice-7731@billing-notice.top>")

	h.tab("Tracking")
	h.press("i")
	h.see("Message info by id", "Mimecast id")
	h.press("enter")
	h.see("✗ id: required")
	h.typeText(id)
	h.press("enter")
	h.noErrors()
	h.see("Message info: Overdue invoice 7731", "billing@billing-notice.top")

	h.tab("Archive")
	h.press("i")
	h.typeText(id)
	h.press("enter")
	h.noErrors()
	h.see("Archived message: Overdue invoice 7731")

	h.press("esc", "i")
	h.typeText("no-such-id")
	h.press("enter")
	if got := strings.Join(h.errs, "\n"); !strings.Contains(got, "no-such-id") {
		t.Errorf("an unknown id gave errors %q, want one naming it", got)
	}
}
