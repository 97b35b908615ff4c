package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// PadRight makes s (which may hold styling) exactly w cells wide: padded
// with spaces, or cut. s is text already drawn — the console's own labels
// or the output of Cell, Render or EditLine — never a raw string from a
// mail, a server or a gateway: those go through Cell.
func PadRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "")
}

// PadLeft is PadRight aligned right.
func PadLeft(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return ansi.Truncate(s, w, "")
}
