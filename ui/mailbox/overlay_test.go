package mailbox

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/mailtriage/mailtriage/ui/common"
)

// rebind gives the screen's dialogs the keys of a [keys.dialog] table.
func (h *harness) rebind(overrides map[string][]string) {
	h.t.Helper()
	keys := common.DefaultDialogKeys()
	if err := common.ApplyScopedKeys("dialog", keys.Bindings(), common.DialogScopes, overrides); err != nil {
		h.t.Fatal(err)
	}
	h.m.c.Dialog = keys
}

// The replies preview scrolls with the dialog's scroll keys: rebound,
// the new keys scroll, the old ones no longer do, and the hint names
// the keys bound.
func TestPreviewScrollsWithTheDialogBindings(t *testing.T) {
	h := remedyHarness(t, 1)
	h.rebind(map[string][]string{"scroll_down": {"ctrl+d"}, "scroll_up": {"ctrl+u"}})
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("reply line %02d", i))
	}
	sent := false
	h.m.overlay = newPreview(h.m.c, "Replies", lines, "Send 3 replies?", func() tea.Cmd { sent = true; return nil })
	pv := h.m.overlay.(*preview)
	h.press("j", "down")
	if pv.top != 0 {
		t.Fatalf("the old scroll keys still scroll (top %d)", pv.top)
	}
	h.press("ctrl+d", "ctrl+d", "ctrl+u")
	if pv.top != 1 {
		t.Fatalf("the rebound scroll keys left the preview at line %d, want 1", pv.top)
	}
	if out := h.screen(); !strings.Contains(out, "ctrl+d ctrl+u scroll (30 lines)") || !strings.Contains(out, "reply line 01") || strings.Contains(out, "reply line 00") {
		t.Fatalf("preview after scrolling:\n%s", out)
	}
	h.press("y")
	if !sent || h.m.overlay != nil {
		t.Fatal("y did not answer the preview's question")
	}
}

// In the compose form's body the keys it edits with stay there (down
// moves a line): only a field key it does not use leaves it — tab by
// default, or whatever next_field is bound to besides.
func TestComposeBodyKeepsItsEditingKeys(t *testing.T) {
	h := remedyHarness(t, 1)
	h.rebind(map[string][]string{"next_field": {"tab", "down", "ctrl+t"}})
	h.run(h.m.Compose("ciso@example.com", "weekly", nil))
	cp := h.m.overlay.(*composer)
	body := len(cp.fields)
	h.run(cp.setFocus(body))
	h.press("down")
	if cp.focus != body {
		t.Fatalf("down left the body for field %d", cp.focus)
	}
	h.press("ctrl+t")
	if cp.focus != 0 {
		t.Fatalf("the rebound next_field left the body for field %d, want 0 (To)", cp.focus)
	}
	h.press("down")
	if cp.focus != 1 {
		t.Fatalf("down in a header field moved to %d, want 1 (Cc)", cp.focus)
	}
}
