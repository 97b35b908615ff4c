package uitest

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Policy says which escape sequences the console itself writes, so that
// Foreign can tell them from what came in with a mail, a server or a
// gateway.
type Policy struct {
	// SGR allows one SGR parameter (Select Graphic Rendition).
	SGR func(param int) bool
	// CSI allows a control sequence other than SGR (the renderer's cursor
	// moves, erasures and mode switches in a recorded terminal).
	CSI func(seq string) bool
	// OSC allows an operating system command by its data ("2;title").
	OSC func(data string) bool
	// ESC allows a two-byte escape (ESC 7, ESC =…).
	ESC func(seq string) bool
	// Controls are the C0 controls allowed besides newline (a renderer's
	// carriage return and backspace).
	Controls string
}

// MonoScreen is what a screen drawn with the "none" theme may hold: SGR
// attributes without colour (bold, faint, italic, underline, reverse and
// their resets), nothing else. A colour, a cursor move, an OSC, DCS, APC,
// PM or SOS can only have come from outside.
var MonoScreen = Policy{SGR: monoSGR}

// AnySGR allows every SGR, colours included, and nothing else: for a
// component that brings colours of its own (bubbles' textarea), where a
// colour cannot tell the console's styling from content but every other
// foreign byte still can.
var AnySGR = Policy{SGR: func(int) bool { return true }}

func monoSGR(p int) bool {
	switch p {
	case 0, 1, 2, 3, 4, 7, 9, 21, 22, 23, 24, 27, 29:
		return true
	}
	return false
}

// Foreign lists what in out the console did not write by policy: escape
// sequences it does not allow, C0 controls other than newline, DEL, C1
// controls, bidi controls and every other invisible (default-ignorable)
// character, line and paragraph separators. Each entry says what and
// where. An empty list means the output is clean.
func Foreign(out string, pol Policy) []string {
	var found []string
	report := func(at int, what string, seq string) {
		if len(found) < 20 {
			found = append(found, fmt.Sprintf("byte %d: %s %q", at, what, seq))
		}
	}
	p := ansi.NewParser()
	var state byte
	for at := 0; at < len(out); {
		seq, _, n, newState := ansi.DecodeSequence(out[at:], state, p)
		state = newState
		if n <= 0 {
			n = 1
		}
		if what := foreignSeq(seq, p, pol); what != "" {
			report(at, what, seq)
		}
		at += n
	}
	return found
}

// foreignSeq says why seq (one sequence, control or grapheme) is foreign,
// or "" if it is the console's own or plain text.
func foreignSeq(seq string, p *ansi.Parser, pol Policy) string {
	switch {
	case ansi.HasCsiPrefix(seq):
		return foreignCSI(seq, p, pol)
	case ansi.HasOscPrefix(seq):
		if pol.OSC != nil && pol.OSC(string(p.Data())) {
			return ""
		}
		return fmt.Sprintf("OSC %d", oscNumber(p.Data()))
	case ansi.HasDcsPrefix(seq):
		return "DCS"
	case ansi.HasApcPrefix(seq):
		return "APC"
	case ansi.HasPmPrefix(seq):
		return "PM"
	case ansi.HasSosPrefix(seq):
		return "SOS"
	case ansi.HasEscPrefix(seq):
		if pol.ESC != nil && pol.ESC(seq) {
			return ""
		}
		return "ESC sequence"
	}
	return foreignText(seq, pol.Controls)
}

func foreignCSI(seq string, p *ansi.Parser, pol Policy) string {
	cmd := ansi.Cmd(p.Command())
	if cmd.Final() == 'm' && cmd.Prefix() == 0 && cmd.Intermediate() == 0 && seq[0] == 0x1b {
		bad := ""
		p.Params().ForEach(0, func(_, param int, _ bool) {
			if bad == "" && (pol.SGR == nil || !pol.SGR(param)) {
				bad = fmt.Sprintf("SGR %d", param)
			}
		})
		return bad
	}
	if seq[0] == 0x1b && pol.CSI != nil && pol.CSI(seq) {
		return ""
	}
	if seq[0] != 0x1b {
		return "C1 CSI"
	}
	return "CSI"
}

// oscNumber reads the command number that starts an OSC's data.
func oscNumber(data []byte) int {
	n := 0
	for _, c := range data {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// foreignText checks the characters of text (a grapheme or a lone
// control byte).
func foreignText(s, allowed string) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return "invalid UTF-8"
		case r == '\n', r < 0x20 && strings.ContainsRune(allowed, r):
		case r < 0x20, r == 0x7f:
			return fmt.Sprintf("control U+%04X", r)
		case r >= 0x80 && r < 0xa0:
			return fmt.Sprintf("C1 control U+%04X", r)
		case Invisible(r):
			return fmt.Sprintf("invisible U+%04X", r)
		}
	}
	return ""
}

// Invisible reports characters a terminal draws as nothing or that
// reorder what follows: format characters (bidi controls, zero-width,
// TAG characters), Unicode's other default-ignorables, variation
// selectors, and line and paragraph separators.
func Invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}
