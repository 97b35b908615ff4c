package analysis

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

const (
	// maxLine caps one-line fields: no legitimate subject or file name is
	// longer, and the cap bounds the work done per field.
	maxLine = 4096
	// More than maxMarks combining marks on one base are "zalgo" text, which
	// smears over neighbouring lines; only keepMarks of them are kept.
	maxMarks  = 4
	keepMarks = 2
	// Runs of more than maxInvalid bad bytes are summarised in one marker.
	maxInvalid = 8
	// maxTagShown caps the decoded text shown in a TAG marker.
	maxTagShown = 32
	tabWidth    = 8
)

// SanitizeLine makes s, a one-line field such as a subject, a display name,
// an address or a file name, safe to display. Each of these becomes one
// marker segment:
//
//   - control characters: C0 (including CR and LF), DEL and C1, as ⟨NUL⟩,
//     ⟨ESC⟩, ⟨0x1F⟩, ⟨U+0085⟩;
//   - escape sequences, swallowed whole: ⟨CSI 31m⟩, ⟨OSC 8⟩, ⟨DCS⟩, ⟨ESC c⟩,
//     in their 7-bit and 8-bit (U+0080–U+009F) forms;
//   - bidirectional controls (⟨RLO⟩), zero-width and invisible characters
//     (⟨ZWSP⟩, ⟨BOM⟩, Hangul fillers), line separators (⟨LSEP⟩), other
//     format characters, unassigned code points and noncharacters;
//   - a run of TAG characters, showing the ASCII it spells: ⟨TAG "text"⟩;
//   - bytes that are not UTF-8, as ⟨0x9B⟩, or ⟨N invalid bytes⟩ for long runs;
//   - combining marks beyond 4 on one character, all but 2: ⟨+N marks⟩.
//
// A run of identical markers collapses into one, as in ⟨ZWSP×3⟩. TAB is not
// marked but becomes a single space: header unfolding leaves tabs in
// ordinary subjects, and one space cannot move anything on screen. Input
// beyond 4096 bytes is cut and replaced by a ⟨+N bytes⟩ marker.
func SanitizeLine(s string) Text {
	cut := 0
	if len(s) > maxLine {
		n := maxLine
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, cut = s[:n], len(s)-n
	}
	return sanitize(s, false, cut)
}

// Sanitize makes s, multi-line text such as a message body, safe to display.
// It is like SanitizeLine but keeps '\n', turns "\r\n" into "\n", expands
// '\t' to spaces up to the next multiple of 8 columns, and marks a lone
// '\r'. It does not cap its input, and it runs in time linear in len(s).
func Sanitize(s string) Text {
	return sanitize(s, true, 0)
}

func sanitize(s string, multiline bool, cut int) Text {
	n := cleanRun(s, multiline)
	if n == len(s) && cut == 0 {
		if s == "" {
			return Text{}
		}
		return Text{Segs: []Seg{{S: s}}} // the fast path: nothing to change
	}
	b := builder{multiline: multiline}
	for {
		b.plain(s[:n])
		if s = s[n:]; s == "" {
			break
		}
		s = s[b.special(s):]
		n = cleanRun(s, multiline)
	}
	if cut > 0 {
		b.marker(Overflow, "⟨+"+strconv.Itoa(cut)+" bytes⟩")
	}
	return b.text()
}

// cleanRun returns the length of the longest prefix of s that can be shown
// as is. It stops at the start of a run of more than maxMarks combining
// marks, which special then trims.
func cleanRun(s string, multiline bool) int {
	i := 0
	marks, run := 0, 0 // length and start of the current run of marks
	for i < len(s) {
		c := s[i]
		if c >= ' ' && c < 0x7F || c == '\n' && multiline {
			i++
			marks = 0
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 {
			return i
		}
		switch classify(r) {
		case showRune:
			marks = 0
		case markRune:
			if marks == 0 {
				run = i
			}
			if marks++; marks > maxMarks {
				return run
			}
		case hideRune:
			return i
		}
		i += size
	}
	return i
}

// special handles the item at the start of s, which cleanRun stopped at,
// and returns how many bytes it consumed.
func (b *builder) special(s string) int {
	if s[0] == 0x1B {
		n, label := escape(s)
		b.marker(Escape, label)
		return n
	}
	if s[0] < utf8.RuneSelf {
		return b.control(s[0], s[1:])
	}
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case size == 1:
		return b.invalid(s)
	case r < 0xA0:
		// The 8-bit form of ESC x is the rune U+0080+x-0x40.
		if n, label, ok := sequence(byte(r-0x40), s[size:]); ok {
			b.marker(Escape, label)
			return size + n
		}
	case isTag(r):
		return b.tags(s)
	case classify(r) == markRune:
		return b.marks(s)
	}
	if k := runeKind(r); k != 0 {
		b.marker(k, runeLabel(r))
	} else {
		b.plain(s[:size])
	}
	return size
}

// control handles the ASCII control character c; rest is what follows it.
func (b *builder) control(c byte, rest string) int {
	switch {
	case c == '\t' && b.multiline:
		b.tab()
		return 1
	case c == '\t':
		b.plain(" ")
		return 1
	case c == '\r' && b.multiline && strings.HasPrefix(rest, "\n"):
		b.plain("\n")
		return 2
	}
	m := named[rune(c)]
	b.marker(m.kind, m.label)
	return 1
}

// invalid marks the run of bytes that are not valid UTF-8 at the start of s.
func (b *builder) invalid(s string) int {
	n := 0
	for n < len(s) {
		if _, size := utf8.DecodeRuneInString(s[n:]); size != 1 || s[n] < utf8.RuneSelf {
			break
		}
		n++
	}
	if n > maxInvalid {
		b.marker(Invalid, "⟨"+strconv.Itoa(n)+" invalid bytes⟩")
		return n
	}
	for i := range n {
		b.marker(Invalid, byteLabels[s[i]])
	}
	return n
}

// tags collapses the run of TAG characters at the start of s into one
// marker showing the ASCII text they spell.
func (b *builder) tags(s string) int {
	var text []byte
	more := false
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !isTag(r) {
			break
		}
		n += size
		c := r - tagFirst
		switch {
		case c < 0x20 || c > 0x7E:
			// LANGUAGE TAG, CANCEL TAG and unassigned tags spell nothing.
		case len(text) < maxTagShown:
			text = append(text, byte(c))
		default:
			more = true
		}
	}
	label := "⟨TAG⟩"
	if len(text) > 0 {
		if more {
			text = append(text, "…"...)
		}
		label = "⟨TAG " + strconv.Quote(string(text)) + "⟩"
	}
	b.marker(Format, label)
	return n
}

// marks handles the run of combining marks at the start of s, hiding all
// but keepMarks of them if there are more than maxMarks.
func (b *builder) marks(s string) int {
	n, count, keep := 0, 0, 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if size == 1 || classify(r) != markRune {
			break
		}
		n += size
		if count++; count == keepMarks {
			keep = n
		}
	}
	if count <= maxMarks {
		b.plain(s[:n])
		return n
	}
	b.plain(s[:keep])
	b.marker(Combining, "⟨+"+strconv.Itoa(count-keepMarks)+" marks⟩")
	return n
}

// builder accumulates the segments of a Text. Plain text is gathered in buf
// and becomes a segment when a marker follows; a marker equal to the one
// before it only bumps a repeat count, so runs collapse into ⟨ZWSP×3⟩.
type builder struct {
	segs      []Seg
	markers   int
	buf       []byte // plain text not yet in segs
	repeat    int    // >0 while the last segment is a marker that may still repeat
	multiline bool

	// For tab expansion in multi-line text: col is the display column
	// after buf[:synced] (or after the last segment if synced is 0).
	col    int
	synced int
}

func (b *builder) plain(s string) {
	if s == "" {
		return
	}
	b.closeMarker()
	b.buf = append(b.buf, s...)
}

func (b *builder) marker(kind MarkerKind, label string) {
	b.flush()
	if b.repeat > 0 {
		last := b.segs[len(b.segs)-1]
		if last.Kind == kind && last.S == label {
			b.repeat++
			return
		}
		b.closeMarker()
	}
	b.segs = append(b.segs, Seg{S: label, Marker: true, Kind: kind})
	b.markers++
	b.repeat = 1
}

// closeMarker ends the repeat run of the last marker, if any, and gives it
// its final label.
func (b *builder) closeMarker() {
	if b.repeat == 0 {
		return
	}
	last := &b.segs[len(b.segs)-1]
	if b.repeat > 1 {
		last.S = strings.TrimSuffix(last.S, "⟩") + "×" + strconv.Itoa(b.repeat) + "⟩"
	}
	b.repeat = 0
	if b.multiline {
		b.col += ansi.StringWidth(last.S)
	}
}

// flush turns the pending plain text into a segment.
func (b *builder) flush() {
	if len(b.buf) == 0 {
		return
	}
	b.sync()
	b.segs = append(b.segs, Seg{S: string(b.buf)})
	b.buf = b.buf[:0]
	b.synced = 0
}

// sync brings col up to date with the plain text gathered since the last
// sync. Each byte is measured at most once, which keeps Sanitize linear.
func (b *builder) sync() {
	if !b.multiline {
		return
	}
	tail := b.buf[b.synced:]
	if i := bytes.LastIndexByte(tail, '\n'); i >= 0 {
		b.col = 0
		tail = tail[i+1:]
	}
	b.col += width(tail)
	b.synced = len(b.buf)
}

// width returns the display width of b, plain text without newlines.
func width(b []byte) int {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return ansi.StringWidth(string(b))
		}
	}
	return len(b) // plain ASCII text holds only printable characters
}

// tab expands a tab to the next tab stop. Markers count as the cells they
// occupy, so columns line up as the analyst sees them.
func (b *builder) tab() {
	b.closeMarker()
	b.sync()
	n := tabWidth - b.col%tabWidth
	b.buf = append(b.buf, "        "[:n]...)
	b.col += n
	b.synced = len(b.buf)
}

func (b *builder) text() Text {
	b.flush()
	b.closeMarker()
	return Text{Segs: b.segs, Markers: b.markers}
}
