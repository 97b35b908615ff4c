package analysis

import (
	"strings"
	"unicode/utf8"
)

// maxNewlines limits runs of line breaks to two blank lines: padding a
// message with hundreds of <br> is a way to push content out of sight.
const maxNewlines = 3

// textWriter accumulates rendered HTML text. Like a browser laying out
// inline content, it collapses whitespace: callers report whitespace with
// space and block boundaries with breakLine, and the writer emits at most
// one separator, and no whitespace at all at the start or end of a line.
type textWriter struct {
	buf   []byte
	limit int
	full  bool // the limit was reached; further writes are dropped

	newlines int    // line breaks owed before the next content
	trailing int    // line breaks at the end of buf
	sep      byte   // ' ' or '\t' owed before the next content on this line
	prefix   string // starts every line: quote marks and list indentation
	lead     string // replaces prefix once, on the next line: a bullet or heading mark
	opener   string // written just before the next content
}

// breakLine asks for content to continue after n line breaks: 1 starts a
// new line, 2 leaves a blank line.
func (w *textWriter) breakLine(n int) {
	w.newlines = max(w.newlines, n)
}

// space records collapsible whitespace.
func (w *textWriter) space() {
	if w.sep == 0 {
		w.sep = ' '
	}
}

// tab separates table cells; it is dropped at the start of a line, so rows
// do not begin with an empty column.
func (w *textWriter) tab() {
	w.sep = '\t'
}

// hardBreak ends the current line even if it is empty, as <br> does.
func (w *textWriter) hardBreak() {
	if len(w.buf) == 0 {
		return
	}
	w.flushBreaks()
	if w.trailing < maxNewlines {
		w.write("\n")
		w.trailing++
	}
	w.sep = 0
}

func (w *textWriter) flushBreaks() {
	if len(w.buf) > 0 {
		for w.trailing < min(w.newlines, maxNewlines) {
			w.write("\n")
			w.trailing++
		}
	}
	w.newlines = 0
}

// content writes s, which is not collapsible whitespace, together with
// whatever line breaks, prefix and separator are owed before it.
func (w *textWriter) content(s string) {
	if s == "" || w.full {
		return
	}
	w.flushBreaks()
	switch {
	case len(w.buf) == 0 || w.trailing > 0:
		if w.lead != "" {
			w.write(w.lead)
			w.lead = ""
		} else {
			w.write(w.prefix)
		}
	case w.sep != 0:
		w.write(string(w.sep))
	}
	w.sep = 0
	if w.opener != "" {
		w.write(w.opener)
		w.opener = ""
	}
	w.write(s)
	w.trailing = 0
}

// openHidden arranges for the next content to be preceded by the opening
// of a hidden-text bracket; closeHidden closes it. Nothing is written for a
// hidden element without content.
func (w *textWriter) openHidden() {
	w.opener = "[hidden text: "
}

func (w *textWriter) closeHidden() {
	if w.opener != "" {
		w.opener = ""
		return
	}
	if w.full {
		return
	}
	// Close the bracket on the last line of content, before any <br>.
	w.buf = w.buf[:len(w.buf)-w.trailing]
	w.write("]")
	w.write("\n\n\n"[:w.trailing])
}

// write appends s, cut at a rune boundary if it would exceed the limit.
func (w *textWriter) write(s string) {
	if w.full {
		return
	}
	if room := w.limit - len(w.buf); len(s) > room {
		for room > 0 && !utf8.RuneStart(s[room]) {
			room--
		}
		s = s[:room]
		w.full = true
	}
	w.buf = append(w.buf, s...)
}

// String returns the text written, without trailing line breaks.
func (w *textWriter) String() string {
	return strings.TrimRight(string(w.buf), "\n")
}
