package analysis

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Text is sanitized, display-safe text: a sequence of segments, each either
// plain printable text or a marker standing for something hidden or dangerous
// that was removed.
//
// A Text produced by this package never contains control characters (other
// than '\n' in multi-line text), escape sequences, bidirectional controls,
// zero-width or other format characters, or invalid UTF-8. Adjacent plain
// segments are merged, so plain and marker segments alternate. Treat a Text
// as immutable: methods may return values that share segments with it.
type Text struct {
	Segs []Seg
	// Markers is the number of marker segments in Segs; a run of identical
	// markers collapsed into one, such as ⟨ZWSP×3⟩, counts once. Callers
	// use it as a risk signal.
	Markers int
}

// Seg is one segment of a Text.
type Seg struct {
	// S is the text to display. For a marker it is the visible label, such
	// as "⟨ESC⟩".
	S      string
	Marker bool
	// Kind says what a marker stands for; it is zero for plain segments.
	Kind MarkerKind
}

// MarkerKind classifies what a marker segment replaced.
// The zero value is used for plain segments.
type MarkerKind uint8

// Marker kinds.
const (
	Control    MarkerKind = iota + 1 // C0 and C1 control characters, DEL
	Escape                           // terminal escape and control sequences
	Bidi                             // bidirectional formatting characters
	ZeroWidth                        // zero-width and invisible characters
	Invalid                          // bytes that are not valid UTF-8
	Format                           // other format characters (Cf) and TAG characters
	LineBreak                        // CR, LF, VT, FF in one-line fields; lone CR; U+2028, U+2029
	Unassigned                       // unassigned code points and noncharacters
	Combining                        // excess combining marks ("zalgo")
	Overflow                         // input beyond a length cap
)

var kindNames = [...]string{
	0:          "Plain",
	Control:    "Control",
	Escape:     "Escape",
	Bidi:       "Bidi",
	ZeroWidth:  "ZeroWidth",
	Invalid:    "Invalid",
	Format:     "Format",
	LineBreak:  "LineBreak",
	Unassigned: "Unassigned",
	Combining:  "Combining",
	Overflow:   "Overflow",
}

func (k MarkerKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "MarkerKind(" + strconv.Itoa(int(k)) + ")"
}

// String returns the plain concatenation of all segments, marker labels
// included.
func (t Text) String() string {
	switch len(t.Segs) {
	case 0:
		return ""
	case 1:
		return t.Segs[0].S
	}
	n := 0
	for _, s := range t.Segs {
		n += len(s.S)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range t.Segs {
		b.WriteString(s.S)
	}
	return b.String()
}

// Width returns the display width of t in terminal cells. It is meant for
// single lines; newlines count as zero cells.
func (t Text) Width() int {
	w := 0
	for _, s := range t.Segs {
		w += ansi.StringWidth(s.S)
	}
	return w
}

// Truncate returns t cut to at most width cells. If anything was cut, tail
// (for example "…") is appended, and the result including tail still fits
// in width; a tail that is itself wider than width is left out. Markers are
// kept whole or dropped whole, and grapheme clusters are never split. The
// tail is not sanitized: pass a constant.
func (t Text) Truncate(width int, tail string) Text {
	if t.Width() <= width {
		return t
	}
	tw := ansi.StringWidth(tail)
	if tw > width {
		tail, tw = "", 0
	}
	room := width - tw
	var out Text
	for _, s := range t.Segs {
		w := ansi.StringWidth(s.S)
		if w <= room {
			out.add(s)
			room -= w
			continue
		}
		if !s.Marker {
			out.add(Seg{S: cutGraphemes(s.S, room)})
		}
		break
	}
	out.add(Seg{S: tail})
	return out
}

// cutGraphemes returns the longest prefix of s made of whole grapheme
// clusters that fits in width cells.
func cutGraphemes(s string, width int) string {
	i := 0
	for i < len(s) {
		g, w := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		if w > width {
			break
		}
		width -= w
		i += len(g)
	}
	return s[:i]
}

// add appends s to t, merging it into a preceding plain segment and
// skipping empty plain segments, so that t keeps its invariants.
func (t *Text) add(s Seg) {
	if s.Marker {
		t.Segs = append(t.Segs, s)
		t.Markers++
		return
	}
	if s.S == "" {
		return
	}
	if n := len(t.Segs); n > 0 && !t.Segs[n-1].Marker {
		t.Segs[n-1].S += s.S
		return
	}
	t.Segs = append(t.Segs, s)
}

// Lines splits t at each '\n', like strings.Split: a Text with n newlines
// yields n+1 lines, and an empty Text yields one empty line. Markers never
// contain newlines, so no marker is split.
func (t Text) Lines() []Text {
	lines := make([]Text, 1, 1+t.newlines())
	for _, s := range t.Segs {
		if s.Marker {
			lines[len(lines)-1].add(s)
			continue
		}
		rest := s.S
		for {
			line, after, found := strings.Cut(rest, "\n")
			lines[len(lines)-1].add(Seg{S: line})
			if !found {
				break
			}
			lines = append(lines, Text{})
			rest = after
		}
	}
	return lines
}

func (t Text) newlines() int {
	n := 0
	for _, s := range t.Segs {
		if !s.Marker {
			n += strings.Count(s.S, "\n")
		}
	}
	return n
}
