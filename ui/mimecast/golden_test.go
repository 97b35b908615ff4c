package mimecast

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Golden screens: fixed size, fixed clock, colourless styles. Refresh
// with go test ./ui/mimecast -run Golden -update.

func TestGoldenPolicies80x24(t *testing.T) {
	h := newHarness(t, 80, 24, sample())
	golden.RequireEqual(t, h.screen())
}

func TestGoldenPolicyForm80x24(t *testing.T) {
	h := newHarness(t, 80, 24, sample())
	h.press("n", "tab")
	h.typeText("Block the 7731 campaign")
	h.press("enter")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenMessageInfo160x48(t *testing.T) {
	h := newHarness(t, 160, 48, sample())
	h.run(h.m.OpenTracking("weekly-42@news.example.org"))
	h.press("enter")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenTabs160x48(t *testing.T) {
	h := newHarness(t, 160, 48, sample())
	for _, tab := range []string{"Senders", "URLs", "Logs", "Held"} {
		t.Run(tab, func(t *testing.T) {
			h.tab(tab)
			golden.RequireEqual(t, h.screen())
		})
	}
}

func TestGoldenMessageList120x30(t *testing.T) {
	h := newHarness(t, 120, 30, sample())
	h.tab("Messages")
	h.press("/")
	h.typeText("j.doe@example.com")
	h.press("enter")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenGroupEditForm80x24(t *testing.T) {
	h := newHarness(t, 80, 24, sample())
	h.tab("Groups")
	h.press("e")
	golden.RequireEqual(t, h.screen())
}
