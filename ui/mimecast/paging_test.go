package mimecast

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mimecast/mimecasttest"
)

const pathManagedSenders = "/api/managedsender/get-managed-senders"

// manySenders is n managed senders, numbered so a row says where it is.
func manySenders(n int) mimecasttest.SeedData {
	out := make([]mimecasttest.ManagedSender, n)
	for i := range out {
		out[i] = mimecasttest.ManagedSender{Sender: fmt.Sprintf("s%05d@bulk.example", i), To: "desk@example.com", Type: "Block"}
	}
	return mimecasttest.SeedData{ManagedSenders: out}
}

func TestALongListLoadsAPieceAndSaysThereIsMore(t *testing.T) {
	h := newHarness(t, 120, 30, manySenders(10000))
	h.tab("Senders")
	h.see(fmt.Sprintf("Managed senders · %d entries so far, more…", pieceRows), "s00000@bulk.example")
	if got := len(h.m.senders); got != pieceRows {
		t.Fatalf("%d rows loaded on opening, want one piece of %d", got, pieceRows)
	}
	h.noErrors()
}

func TestScrollingDownLoadsTheNextPiecesToTheRealEnd(t *testing.T) {
	h := newHarness(t, 120, 30, manySenders(10000))
	h.tab("Senders")
	presses := 0
	for h.m.panes[paneSenders].next != "" || h.m.panes[paneSenders].tbl.cursor < len(h.m.senders)-1 {
		h.press("pgdown")
		if presses++; presses > 10000/h.m.listRows()+5 {
			t.Fatalf("still not at the end after %d pages: cursor %d of %d rows", presses, h.m.panes[paneSenders].tbl.cursor, len(h.m.senders))
		}
	}
	checkWhole(t, h, 10000)
}

func TestLastRowKeyFollowsTheListToItsRealEnd(t *testing.T) {
	h := newHarness(t, 120, 30, manySenders(10000))
	h.tab("Senders")
	before := h.srv.Requests(pathManagedSenders)
	h.press("G")
	checkWhole(t, h, 10000)
	if got, want := h.srv.Requests(pathManagedSenders)-before, (10000-pieceRows)/100; got != want {
		t.Errorf("%d pages fetched after G, want %d (each page once)", got, want)
	}
	h.press("g")
	h.see("s00000@bulk.example")
	if c := h.m.panes[paneSenders].tbl.cursor; c != 0 {
		t.Errorf("g left the cursor on row %d", c)
	}
}

func TestAReloadStartsAtTheHeadAgain(t *testing.T) {
	h := newHarness(t, 120, 30, manySenders(1200))
	h.tab("Senders")
	h.press("G")
	checkWhole(t, h, 1200)
	h.press("g", "ctrl+r") // at the head: only the first piece is needed

	h.see(fmt.Sprintf("%d entries so far, more…", pieceRows))
	if got := len(h.m.senders); got != pieceRows {
		t.Errorf("%d rows after a reload, want the first piece (%d)", got, pieceRows)
	}
	h.press("G") // read again to the end: nothing twice
	checkWhole(t, h, 1200)
}

// checkWhole says every one of n rows is loaded once, in order, the
// cursor is on the last and the title no longer says "more".
func checkWhole(t *testing.T, h *harness, n int) {
	t.Helper()
	h.noErrors()
	if got := len(h.m.senders); got != n {
		t.Fatalf("%d rows loaded, want all %d", got, n)
	}
	for i, s := range h.m.senders {
		if want := fmt.Sprintf("s%05d@bulk.example", i); s.Sender != want {
			t.Fatalf("row %d is %s, want %s (a row lost or repeated)", i, s.Sender, want)
		}
	}
	if c := h.m.panes[paneSenders].tbl.cursor; c != n-1 {
		t.Errorf("cursor on row %d, want the last (%d)", c, n-1)
	}
	h.see(fmt.Sprintf("Managed senders · %d entries", n), fmt.Sprintf("s%05d@bulk.example", n-1))
	if s := h.screen(); strings.Contains(s, "more…") {
		t.Errorf("the whole list still says more:\n%s", s)
	}
}

func TestAPieceThatFailsKeepsTheRowsAndTriesAgainOnTheNextMove(t *testing.T) {
	h := newHarness(t, 120, 30, manySenders(1200))
	h.tab("Senders")
	h.srv.Inject(mimecasttest.Fault{Kind: mimecasttest.FaultStatus, Path: pathManagedSenders, Status: 500})
	h.press("G")
	if len(h.errs) != 1 {
		t.Fatalf("errors after a failed piece: %q, want one", h.errs)
	}
	h.errs = nil
	if got := len(h.m.senders); got != pieceRows {
		t.Fatalf("%d rows after a failed piece, want the first %d kept", got, pieceRows)
	}
	h.see(fmt.Sprintf("%d entries so far, more…", pieceRows))
	h.press("G")
	checkWhole(t, h, 1200)
}
