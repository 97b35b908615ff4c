package common

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	"github.com/charmbracelet/x/ansi"

	"github.com/mailtriage/mailtriage/themes"
)

func input(value string, focused bool) textinput.Model {
	ti := textinput.New()
	ti.Prompt = "› "
	ti.CharLimit = 1000
	ti.SetValue(value)
	if focused {
		ti.Focus()
	}
	return ti
}

// The input keeps the real value; EditLine draws it with markers, with
// the cursor on the character under it (a hidden one shows as its
// marker), and fits the width whatever the value.
func TestEditLineDrawsMarkersNotTheValue(t *testing.T) {
	st := themes.NewPlainStyles()
	ti := input("pay\u202epal\u200b", true)
	out := EditLine(ti, 40, st)
	if strings.ContainsAny(out, "\u202e\u200b") {
		t.Fatalf("hidden characters drawn raw: %q", out)
	}
	if got := ansi.Strip(out); !strings.HasPrefix(got, "› pay⟨RLO⟩pal⟨ZWSP⟩ ") || ansi.StringWidth(got) != 40 {
		t.Fatalf("drawn %q (%d wide)", got, ansi.StringWidth(got))
	}
	if ti.Value() != "pay\u202epal\u200b" {
		t.Fatalf("the value changed: %q", ti.Value())
	}

	ti.SetCursor(3) // on the RLO
	out = EditLine(ti, 40, st)
	if !strings.Contains(out, "\x1b[7m⟨RLO⟩") {
		t.Fatalf("the cursor is not shown on the hidden character: %q", out)
	}
}

func TestEditLineScrollsToTheCursor(t *testing.T) {
	st := themes.NewPlainStyles()
	long := strings.Repeat("a", 50) + "\u202e" + strings.Repeat("b", 50) + "END"
	ti := input(long, true) // the cursor is at the end
	for _, w := range []int{4, 12, 30, 200} {
		got := ansi.Strip(EditLine(ti, w, st))
		if ansi.StringWidth(got) != w {
			t.Fatalf("width %d: drawn %d wide: %q", w, ansi.StringWidth(got), got)
		}
		if w >= 12 && !strings.Contains(got, "END") {
			t.Fatalf("width %d: the text before the cursor is not in view: %q", w, got)
		}
	}
	ti.SetCursor(51)
	if got := ansi.Strip(EditLine(ti, 30, st)); !strings.Contains(got, "⟨RLO⟩") {
		t.Fatalf("the marker under the cursor is not in view: %q", got)
	}
}

func TestEditLineUnfocusedAndPlaceholder(t *testing.T) {
	st := themes.NewPlainStyles()
	ti := input("", false)
	ti.Placeholder = "type \x1b[31mhere"
	if got := ansi.Strip(EditLine(ti, 30, st)); !strings.Contains(got, "type ⟨CSI 31m⟩here") {
		t.Fatalf("placeholder drawn as %q", got)
	}
	ti = input("x\u200by", false)
	if got := ansi.Strip(EditLine(ti, 30, st)); !strings.HasPrefix(got, "› x⟨ZWSP⟩y") {
		t.Fatalf("unfocused value drawn as %q", got)
	}
}

// One redraw of a full 1000-character input with hidden characters in it,
// cursor in the middle, in a narrow field (the scrolling search).
func BenchmarkEditLine1000(b *testing.B) {
	st := themes.NewPlainStyles()
	ti := input(strings.Repeat("abc\u202edef\u200bghi ", 77), true)
	ti.SetCursor(500)
	for b.Loop() {
		_ = EditLine(ti, 40, st)
	}
}
