package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// PadRight makes s (which may hold styling) exactly w cells wide: padded
// with spaces, or cut.
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
