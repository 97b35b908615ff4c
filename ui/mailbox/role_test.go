package mailbox

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/remediate"
)

// A refused action is refused before the list changes: no row vanishes
// and comes back, no flag flips and flips back.
func TestViewerIsRefusedBeforeTheScreenChanges(t *testing.T) {
	h := remedyHarness(t, 3)
	h.m.c.Actions.Remedy.Allow = func(a remediate.Action) error { return remediate.RoleAllows(remediate.RoleViewer, a) }
	before := h.screen()
	for _, k := range []string{"d", "r", "m", "t", "b", "D"} {
		h.errs = nil
		h.press(k)
		if len(h.errs) != 1 || !strings.HasPrefix(h.errs[0].Error(), "role viewer may not ") {
			t.Fatalf("key %s: errors %v", k, h.errs)
		}
		if got := h.screen(); got != before {
			t.Fatalf("key %s changed the screen:\n%s\nwas:\n%s", k, got, before)
		}
	}
	if h.mb.Count("INBOX") != 3 || h.mb.Count("Trash") != 0 {
		t.Fatalf("server changed: INBOX %d, Trash %d", h.mb.Count("INBOX"), h.mb.Count("Trash"))
	}
	if recs, _ := h.m.c.Actions.Remedy.Audit.Recent(5); len(recs) != 0 {
		t.Fatalf("refusals audited: %+v", recs)
	}
	if h.errs[0].Error() != "role viewer may not delete messages permanently" {
		t.Fatalf("D: %v", h.errs[0])
	}
}
