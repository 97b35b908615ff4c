package fortimail

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// Golden screens at a fixed size, with plain styles and a fixed clock.
// Run `go test ./ui/fortimail -run Golden -update` after a deliberate
// change and read the diff.

func TestGoldenDomains(t *testing.T) {
	h := newHarness(t, 100, 21)
	golden.RequireEqual(t, h.screen())
}

func TestGoldenDomainPolicies(t *testing.T) {
	h := newHarness(t, 120, 21)
	h.press("j", "enter")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenSessionProfile(t *testing.T) {
	h := newHarness(t, 100, 40)
	h.openSessionProfile("Strict_Inbound")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenEditDiff(t *testing.T) {
	h := newHarness(t, 100, 30)
	h.openSessionProfile("Strict_Inbound")
	h.press("e")
	h.focus("conn_idle_timeout")
	h.setText("60")
	h.focus("eom_ack")
	h.press("space", "enter")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenFormErrors(t *testing.T) {
	h := newHarness(t, 80, 21)
	h.openSessionProfile("Inbound_Session")
	h.press("e")
	h.focus("conn_idle_timeout")
	h.setText("0")
	h.press("enter")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenGreylist(t *testing.T) {
	h := newHarness(t, 100, 21)
	h.press("[", "[")
	golden.RequireEqual(t, h.screen())
}

func TestGoldenSenderList(t *testing.T) {
	h := newHarness(t, 100, 21)
	h.press("[", "enter", "j", "d")
	golden.RequireEqual(t, h.screen())
}
