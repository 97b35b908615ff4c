package fortimail

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
	"github.com/mailtriage/mailtriage/ui/uitest"
)

// Against an appliance that poisons every string it answers with, every
// tab, detail, form (while typing too), diff, input and question draws
// nothing but the console's own styling.
func TestPoisonedApplianceRendersCleanEverywhere(t *testing.T) {
	h := newHarnessOn(t, 160, 45, fortimailtest.Options{Poison: true})
	seen := 0
	check := func(where string) {
		t.Helper()
		out := h.m.Render()
		if bad := uitest.Foreign(out, uitest.MonoScreen); len(bad) > 0 {
			t.Fatalf("%s: foreign bytes on screen: %q\n%s", where, bad, uitest.Plain(out))
		}
		if strings.Contains(uitest.Plain(out), "⟨OSC 8⟩") {
			seen++
		}
	}
	check("domains")
	h.press("j", "enter")
	check("domain")
	h.press("G", "enter")
	check("policy")
	h.press("esc", "esc", "tab")
	check("session profiles")
	h.press("G", "enter")
	check("session profile")
	for range 3 { // every key is shown now: the settings below the first page too
		h.press("pgdown")
		check("session profile, further down")
	}
	h.press("g")
	h.press("e")
	check("form")
	for range 40 {
		h.press("tab")
		check("form, next field")
		h.typeText("1")
		check("form, typing")
	}
	h.press("enter")
	check("form submitted")
	h.press("esc", "esc", "esc", "tab")
	check("antispam profiles")
	h.press("enter")
	check("antispam profile")
	for range 3 {
		h.press("pgdown")
		check("antispam profile, further down")
	}
	h.press("e")
	check("antispam form")
	h.press("esc")
	h.press("esc", "tab")
	check("greylist")
	h.press("tab")
	check("sender lists")
	h.press("enter")
	check("sender list")
	h.press("a")
	check("input")
	h.typeText("x\x1b]8;;y\x07")
	check("input, hostile text typed")
	h.press("esc", "d")
	check("remove question")
	h.press("esc", "esc", "s")
	check("scope switched")
	h.press("[")
	check("previous tab")
	if seen < 8 {
		t.Fatalf("the poison showed (as markers) on only %d screens: the emulator did not poison what was drawn", seen)
	}
}
