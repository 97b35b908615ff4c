package fortimail

import (
	"testing"

	"github.com/mailtriage/mailtriage/ui/uitest"
)

// BenchmarkProfileDetailScroll is the analyst reading a session profile
// with every key the appliance sends (about 130 lines): one key press
// scrolls a line and the screen is drawn again.
func BenchmarkProfileDetailScroll(b *testing.B) {
	h := newHarness(b, 120, 40)
	h.press("tab")
	h.requireScreen("Strict_Inbound")
	for i, it := range h.m.session.items {
		if it.Name == "Strict_Inbound" {
			h.m.session.cur.pos = i
		}
	}
	h.press("enter")
	h.requireScreen("Session profiles › Strict_Inbound", "Connection settings")
	down, up := uitest.Key("j"), uitest.Key("k")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := down
		if i/40%2 == 1 {
			k = up
		}
		h.m.Update(k)
		_ = h.m.Render()
	}
}

// BenchmarkProfileFormTab is the analyst moving through the fields of a
// session profile's edit form (every key the appliance sends).
func BenchmarkProfileFormTab(b *testing.B) {
	h := newHarness(b, 120, 40)
	h.press("tab")
	for i, it := range h.m.session.items {
		if it.Name == "Strict_Inbound" {
			h.m.session.cur.pos = i
		}
	}
	h.press("enter", "e")
	h.requireScreen("Edit")
	next, prev := uitest.Key("tab"), uitest.Key("shift+tab")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := next
		if i/60%2 == 1 {
			k = prev
		}
		h.m.Update(k)
		_ = h.m.Render()
	}
}
