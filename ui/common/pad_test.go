package common

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// PadRight and PadLeft give what padding or cutting by the measured width
// gives, for lines shorter, exactly as wide and wider than asked, plain,
// styled, wide and with markers.
func TestPadMatchesMeasuredPaddingAndCutting(t *testing.T) {
	right := func(s string, w int) string {
		if n := ansi.StringWidth(s); n < w {
			return s + strings.Repeat(" ", w-n)
		}
		return ansi.Truncate(s, w, "")
	}
	left := func(s string, w int) string {
		if n := ansi.StringWidth(s); n < w {
			return strings.Repeat(" ", w-n) + s
		}
		return ansi.Truncate(s, w, "")
	}
	lines := []string{"", "a", "hello", "\x1b[1mbold\x1b[0m", "\x1b[38;2;1;2;3mcol\x1b[m our", "日本語テキスト", "e\u0301t\u00e9", "⟨ZWSP⟩x", "👩‍💻 dev", "\x1b]8;;http://x\x07link\x1b]8;;\x07"}
	for _, s := range lines {
		for w := -1; w <= ansi.StringWidth(s)+2; w++ {
			if got, want := PadRight(s, w), right(s, w); got != want {
				t.Errorf("PadRight(%q, %d) = %q, want %q", s, w, got, want)
			}
			if got, want := PadLeft(s, w), left(s, w); got != want {
				t.Errorf("PadLeft(%q, %d) = %q, want %q", s, w, got, want)
			}
		}
	}
}
