package analysis

import "unicode/utf8"

// maxSeq bounds how far a control sequence may extend. A terminal would keep
// swallowing an unterminated string sequence forever; we stop after maxSeq
// bytes so that one stray introducer cannot hide the rest of a message and
// so that scanning stays linear.
const maxSeq = 4096

// maxShown caps the printable part of a CSI sequence shown in its label.
const maxShown = 16

// escape returns the length and label of the escape sequence at the start of
// s, which begins with ESC. Anything after ESC that does not form a sequence
// is left for the caller, so a lone ESC always consumes just itself.
func escape(s string) (n int, label string) {
	if len(s) < 2 {
		return 1, "⟨ESC⟩"
	}
	if n, label, ok := sequence(s[1], s[2:]); ok {
		return 2 + n, label
	}
	// ESC, intermediate bytes 0x20–0x2F, one final byte 0x30–0x7E:
	// ESC c, ESC 7, ESC ( B, ESC # 8, ESC \ and so on.
	i := 1
	for i < len(s) && i < maxSeq && s[i] >= 0x20 && s[i] <= 0x2F {
		i++
	}
	if i < len(s) && i < maxSeq && s[i] >= 0x30 && s[i] <= 0x7E {
		i++
	}
	if i == 1 {
		return 1, "⟨ESC⟩"
	}
	return i, "⟨ESC " + shown(s[1:i]) + "⟩"
}

// sequence handles the introducers that start a longer sequence, given as
// the byte that follows ESC (the 8-bit C1 form U+0080+x is ESC followed by
// x+0x40). body is what follows the introducer. It returns the length of
// body that belongs to the sequence.
func sequence(intro byte, body string) (n int, label string, ok bool) {
	switch intro {
	case '[':
		n, label = csi(body)
	case ']':
		n, label = osc(body)
	case 'P':
		n, label = controlString(body, false), "⟨DCS⟩"
	case 'X':
		n, label = controlString(body, false), "⟨SOS⟩"
	case '^':
		n, label = controlString(body, false), "⟨PM⟩"
	case '_':
		n, label = controlString(body, false), "⟨APC⟩"
	default:
		return 0, "", false
	}
	return n, label, true
}

// csi parses a Control Sequence body: parameter bytes 0x30–0x3F and
// intermediate bytes 0x20–0x2F, then one final byte 0x40–0x7E. A body cut
// short by any other byte ends there; the terminal would act on that byte on
// its own, and so do we.
func csi(body string) (n int, label string) {
	limit := min(len(body), maxSeq)
	i := 0
	for i < limit && body[i] >= 0x20 && body[i] <= 0x3F {
		i++
	}
	if i < limit && body[i] >= 0x40 && body[i] <= 0x7E {
		return i + 1, "⟨CSI " + shown(body[:i+1]) + "⟩"
	}
	return i, "⟨CSI⟩"
}

// osc parses an Operating System Command body, showing only its leading
// number: the rest (titles, URLs, base64 clipboard data) is the payload.
func osc(body string) (n int, label string) {
	n = controlString(body, true)
	d := 0
	for d < n && d < 5 && body[d] >= '0' && body[d] <= '9' {
		d++
	}
	if d == 0 {
		return n, "⟨OSC⟩"
	}
	return n, "⟨OSC " + body[:d] + "⟩"
}

// controlString returns the length of a control string body (OSC, DCS, SOS,
// PM, APC) including its terminator: ST as ESC \ or U+009C, or BEL if bel is
// set. Like a terminal, it lets any other ESC abort the string without
// consuming it, so that ESC starts a sequence of its own.
func controlString(body string, bel bool) int {
	limit := min(len(body), maxSeq)
	for i := 0; i < limit; i++ {
		switch body[i] {
		case 0x07:
			if bel {
				return i + 1
			}
		case 0x1B:
			if i+1 < len(body) && body[i+1] == '\\' {
				return i + 2
			}
			return i
		case 0xC2: // U+009C is C2 9C in UTF-8
			if i+1 < len(body) && body[i+1] == 0x9C {
				return i + 2
			}
		}
	}
	// Unterminated: stop at a rune boundary so that the text after the
	// cut is not reported as invalid UTF-8.
	for limit > 0 && limit < len(body) && !utf8.RuneStart(body[limit]) {
		limit--
	}
	return limit
}

// shown returns s, the printable ASCII of a sequence, for display in a
// label, capped at maxShown characters. Callers only pass bytes that the
// sequence grammar has already restricted to 0x20–0x7E, which is what makes
// them safe to show.
func shown(s string) string {
	if len(s) > maxShown {
		return s[:maxShown-1] + "…"
	}
	return s
}
