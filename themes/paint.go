package themes

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Paint is a style reduced to the escape sequences before and after the
// text. lipgloss's Render does layout work (borders, margins, widths) that
// list rows never need; painting is two string concatenations. The list
// draws thousands of cells per second, so this matters.
type Paint struct {
	Style     lipgloss.Style
	pre, post string
}

// sentinel is a private-use rune lipgloss passes through untouched.
const sentinel = "\uE000"

// NewPaint captures style's sequences.
func NewPaint(style lipgloss.Style) Paint {
	out := style.Render(sentinel)
	pre, post, _ := strings.Cut(out, sentinel)
	return Paint{Style: style, pre: pre, post: post}
}

// Render paints the text. Like lipgloss, it takes several strings and
// joins them with spaces.
func (p Paint) Render(strs ...string) string {
	s := strings.Join(strs, " ")
	if s == "" || p.pre == "" && p.post == "" {
		return s
	}
	return p.pre + s + p.post
}

// With derives another paint (slow: for rare variants only).
func (p Paint) With(fn func(lipgloss.Style) lipgloss.Style) Paint {
	return NewPaint(fn(p.Style))
}
