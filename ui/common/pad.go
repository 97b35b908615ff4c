package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// PadRight makes s (which may hold styling) exactly w cells wide: padded
// with spaces, or cut. s is text already drawn — the console's own labels
// or the output of Cell, Render or EditLine — never a raw string from a
// mail, a server or a gateway: those go through Cell.
//
// A line already w wide is returned as it is without a second look:
// ansi.Truncate would measure it again only to find it fits, and the
// screens pad every line of every frame, most of them already exact.
func PadRight(s string, w int) string {
	switch n := ansi.StringWidth(s); {
	case n < w:
		return s + strings.Repeat(" ", w-n)
	case n == w:
		return s
	}
	return ansi.Truncate(s, w, "")
}

// PadLeft is PadRight aligned right.
func PadLeft(s string, w int) string {
	switch n := ansi.StringWidth(s); {
	case n < w:
		return strings.Repeat(" ", w-n) + s
	case n == w:
		return s
	}
	return ansi.Truncate(s, w, "")
}
