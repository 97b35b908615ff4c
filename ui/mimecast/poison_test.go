package mimecast

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// Against an emulator that poisons every string it answers with, every
// tab, detail page, form and question draws nothing but the console's
// own styling: the hostile text shows as markers, and no escape sequence,
// control, bidi or invisible character from the API reaches the screen.
func TestPoisonedAPIRendersCleanEverywhere(t *testing.T) {
	h := newHarnessOn(t, 160, 48, sample(), mimecasttest.Options{Poison: true})
	seen := 0
	check := func(where string) {
		t.Helper()
		out := h.m.Render()
		if bad := uitest.Foreign(out, uitest.MonoScreen); len(bad) > 0 {
			t.Fatalf("%s: foreign bytes on screen: %q", where, bad)
		}
		if strings.Contains(uitest.Plain(out), "⟨OSC 8⟩") {
			seen++
		}
	}
	for range tabCount {
		name := h.m.tabs[h.m.tab].name()
		check(name)
		h.press("enter")
		check(name + " detail")
		h.press("esc")
		// Every form, question and input the tab has, typed into.
		for _, k := range []string{"n", "e", "d", "b", "p", "R", "X", "/", "u", "a", "v", "i"} {
			h.press(k)
			check(name + " " + k)
			h.typeText("x")
			check(name + " " + k + " typed")
			h.press("esc")
		}
		h.errs = nil // some keys have nothing to act on in some tabs
		h.press("]")
	}
	h.press("e")
	check("policy edit form")
	for range 14 {
		h.press("tab")
		check("policy edit form, next field")
		h.typeText("x")
		check("policy edit form, typing")
	}
	h.press("esc", "d")
	check("delete question")
	h.press("esc")

	h.tab("Tracking")
	h.run(h.m.OpenTracking("invoice-7731@billing-notice.top"))
	check("tracking")
	h.press("enter")
	check("message info")
	h.press("esc")
	h.run(h.m.OpenTracking("weekly-42@news.example.org"))
	h.press("enter")
	check("message info, delivered")
	h.see("Delivered to ⟨OSC 8⟩")
	h.press("esc")

	h.tab("Archive")
	h.press("/")
	h.typeText("invoice")
	h.press("enter")
	check("archive search")
	h.press("enter")
	check("archived message")
	h.press("esc")

	h.press("i")
	h.typeText(mimecasttest.MimecastID("<invoice-7731@billing-notice.top>"))
	h.press("enter")
	check("archived message by id")
	h.press("esc")

	h.tab("Tracking")
	h.press("i")
	h.typeText(mimecasttest.MimecastID("<invoice-7731@billing-notice.top>"))
	h.press("enter")
	check("message info by id")
	h.press("esc")

	h.tab("Messages")
	h.press("/")
	h.typeText("j.doe@example.com")
	h.press("enter")
	check("message list")
	if len(h.m.messages) == 0 {
		t.Fatal("the poisoned message list is empty: nothing was drawn to check")
	}
	h.press("enter")
	check("message list, archived message")
	h.press("esc")

	h.tab("Groups")
	h.press("e")
	check("group edit form")
	h.press("esc", "enter")
	check("group members")
	h.noErrors()
	if seen < 10 {
		t.Fatalf("the poison showed (as markers) on only %d screens: the emulator did not poison what was drawn", seen)
	}
}
