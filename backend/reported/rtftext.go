package reported

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// rtfSkipped are destinations whose text is not body text.
var rtfSkipped = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "info": true, "pict": true,
	"object": true, "header": true, "footer": true, "listtable": true, "listoverridetable": true,
	"rsidtbl": true, "generator": true, "themedata": true, "datastore": true, "xmlnstbl": true,
}

// rtfGroup is the state an RTF group restores when it closes.
type rtfGroup struct {
	skip    bool // text in this group is not shown
	fldinst bool // inside a field instruction: HYPERLINK targets are kept
	fldRoot bool // this group opened the field instruction
	uc      int  // characters that follow \uN as its fallback
}

// rtfText turns RTF into plain text, well enough to read a message body
// and to find the links in it: paragraphs become line breaks, \'hh and
// \uN become characters, formatting and non-text destinations vanish and
// a HYPERLINK field's target is written after its text, in angle
// brackets. At most maxOut bytes are produced. It never fails: RTF from a
// hostile sender is only ever text to it.
func rtfText(rtf []byte, maxOut int) string {
	t := rtfTexter{in: rtf, max: maxOut, st: rtfGroup{uc: 1}}
	t.run()
	return t.out.String()
}

type rtfTexter struct {
	in    []byte
	pos   int
	out   strings.Builder
	max   int
	st    rtfGroup
	stack []rtfGroup
	skipN int    // fallback characters still to drop after \uN
	inst  []byte // the current field instruction
}

const rtfMaxDepth = 256

func (t *rtfTexter) run() {
	for t.pos < len(t.in) && t.out.Len() < t.max {
		c := t.in[t.pos]
		t.pos++
		switch c {
		case '{':
			t.open()
		case '}':
			t.close()
		case '\\':
			t.control()
		case '\r', '\n':
		default:
			t.emitByte(c)
		}
	}
}

func (t *rtfTexter) open() {
	if len(t.stack) >= rtfMaxDepth {
		t.st.skip = true // absurd nesting: keep counting, show nothing
	}
	t.stack = append(t.stack, t.st)
	t.st.fldRoot = false
}

func (t *rtfTexter) close() {
	if t.st.fldRoot {
		t.endInstruction()
	}
	if n := len(t.stack); n > 0 {
		t.st = t.stack[n-1]
		t.stack = t.stack[:n-1]
	}
}

// control reads one control word or symbol after a backslash.
func (t *rtfTexter) control() {
	if t.pos >= len(t.in) {
		return
	}
	c := t.in[t.pos]
	if !isASCIILetter(c) {
		t.pos++
		t.symbol(c)
		return
	}
	start := t.pos
	for t.pos < len(t.in) && isASCIILetter(t.in[t.pos]) && t.pos-start < 32 {
		t.pos++
	}
	word := string(t.in[start:t.pos])
	numStart := t.pos
	if t.pos < len(t.in) && t.in[t.pos] == '-' {
		t.pos++
	}
	for t.pos < len(t.in) && t.in[t.pos] >= '0' && t.in[t.pos] <= '9' && t.pos-numStart < 10 {
		t.pos++
	}
	arg, hasArg := 0, t.pos > numStart
	if hasArg {
		arg, _ = strconv.Atoi(string(t.in[numStart:t.pos]))
	}
	if t.pos < len(t.in) && t.in[t.pos] == ' ' {
		t.pos++
	}
	t.word(word, arg, hasArg)
}

func (t *rtfTexter) symbol(c byte) {
	switch c {
	case '\\', '{', '}':
		t.emitByte(c)
	case '\'':
		if t.pos+2 <= len(t.in) {
			if v, err := strconv.ParseUint(string(t.in[t.pos:t.pos+2]), 16, 8); err == nil {
				t.pos += 2
				t.emitByte(byte(v))
			}
		}
	case '*':
		t.st.skip = true // an optional destination the reader does not know
	case '~':
		t.emitRune('\u00a0')
	case '\n', '\r':
		t.emitRune('\n')
	}
}

func (t *rtfTexter) word(word string, arg int, hasArg bool) {
	switch {
	case word == "fldinst":
		t.st.fldinst, t.st.fldRoot, t.st.skip = true, true, true
		t.inst = t.inst[:0]
	case rtfSkipped[word]:
		t.st.skip = true
	case word == "par" || word == "line" || word == "row":
		t.emitRune('\n')
	case word == "tab" || word == "cell":
		t.emitRune('\t')
	case word == "uc" && hasArg:
		t.st.uc = max(0, min(arg, 8))
	case word == "u" && hasArg:
		if arg < 0 {
			arg += 65536
		}
		t.emitRune(rune(arg))
		t.skipN = t.st.uc
	case word == "htmlrtf":
		// Encapsulated HTML: \htmlrtf ... \htmlrtf0 is RTF-only markup.
		t.st.skip = !hasArg || arg != 0
	}
}

func (t *rtfTexter) emitByte(c byte) {
	if t.skipN > 0 {
		t.skipN--
		return
	}
	if t.st.fldinst {
		if len(t.inst) < 4096 {
			t.inst = append(t.inst, c)
		}
		return
	}
	if t.st.skip {
		return
	}
	if c < utf8.RuneSelf {
		t.out.WriteByte(c)
		return
	}
	t.out.WriteRune(charmap.Windows1252.DecodeByte(c))
}

func (t *rtfTexter) emitRune(r rune) {
	if t.st.skip || t.st.fldinst {
		return
	}
	t.out.WriteRune(r)
}

// endInstruction writes a HYPERLINK field's target: the link is what the
// analyst needs, whatever text the field shows.
func (t *rtfTexter) endInstruction() {
	f := strings.Fields(string(t.inst))
	if len(f) >= 2 && strings.EqualFold(f[0], "HYPERLINK") {
		target := strings.Trim(f[len(f)-1], `"`)
		if !t.skipParent() {
			t.out.WriteString(" <" + target + "> ")
		}
	}
	t.inst = t.inst[:0]
}

// skipParent says whether the group around the field instruction hides
// its text.
func (t *rtfTexter) skipParent() bool {
	n := len(t.stack)
	return n > 0 && t.stack[n-1].skip
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
