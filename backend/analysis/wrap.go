package analysis

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Plain makes a Text of trusted text (the program's own labels). Never
// pass it anything that came from a mail or a server.
func Plain(s string) Text {
	var t Text
	t.add(Seg{S: s})
	return t
}

// Concat joins texts, keeping the invariants (merged plain segments,
// marker count).
func Concat(texts ...Text) Text {
	var out Text
	for _, t := range texts {
		for _, s := range t.Segs {
			out.add(s)
		}
	}
	return out
}

// Wrap breaks one line of text into lines of at most width cells, at
// spaces where it can and inside words where it must. Markers are never
// split; spaces at the start of a continuation line are dropped.
func (t Text) Wrap(width int) []Text {
	if width <= 0 || t.Width() <= width {
		return []Text{t}
	}
	w := wrapper{width: width}
	for _, s := range t.Segs {
		if s.Marker {
			w.place(s, ansi.StringWidth(s.S))
			continue
		}
		for _, word := range splitWords(s.S) {
			w.word(word)
		}
	}
	if len(w.cur.Segs) > 0 || len(w.lines) == 0 {
		w.lines = append(w.lines, w.cur)
	}
	return w.lines
}

type wrapper struct {
	width int
	lines []Text
	cur   Text
	curW  int
}

func (w *wrapper) flush() {
	w.lines = append(w.lines, w.cur)
	w.cur, w.curW = Text{}, 0
}

// place puts a segment on the current line, or on a new one if it does
// not fit.
func (w *wrapper) place(s Seg, width int) {
	if w.curW+width > w.width && w.curW > 0 {
		w.flush()
		if !s.Marker {
			s.S = strings.TrimLeft(s.S, " ")
			width = ansi.StringWidth(s.S)
		}
	}
	w.cur.add(s)
	w.curW += width
}

// word places a word, cutting it across lines when it is longer than one.
func (w *wrapper) word(word string) {
	width := ansi.StringWidth(word)
	for width > w.width {
		room := w.width - w.curW
		if room <= 0 {
			w.flush()
			room = w.width
		}
		head := cutGraphemes(word, room)
		if head == "" {
			head, _ = ansi.FirstGraphemeCluster(word, ansi.GraphemeWidth)
		}
		w.cur.add(Seg{S: head})
		w.curW += ansi.StringWidth(head)
		word = word[len(head):]
		width = ansi.StringWidth(word)
		w.flush()
	}
	if word != "" {
		w.place(Seg{S: word}, width)
	}
}

// splitWords cuts s after each run of spaces, keeping the spaces with the
// word before them.
func splitWords(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}
