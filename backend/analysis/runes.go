package analysis

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// marker is how one character that must not be displayed is shown instead.
type marker struct {
	kind  MarkerKind
	label string
}

// named holds the labels of characters that have a short mnemonic, plus every
// C0 and C1 control so that their labels need no formatting at run time.
var named = func() map[rune]marker {
	m := map[rune]marker{
		0x00: {Control, "⟨NUL⟩"},
		0x07: {Control, "⟨BEL⟩"},
		0x08: {Control, "⟨BS⟩"},
		0x0A: {LineBreak, "⟨LF⟩"},
		0x0B: {LineBreak, "⟨0x0B⟩"},
		0x0C: {LineBreak, "⟨0x0C⟩"},
		0x0D: {LineBreak, "⟨CR⟩"},
		0x1B: {Escape, "⟨ESC⟩"},
		0x7F: {Control, "⟨DEL⟩"},
		0x85: {LineBreak, "⟨U+0085⟩"}, // NEL

		0x061C: {Bidi, "⟨ALM⟩"},
		0x200E: {Bidi, "⟨LRM⟩"},
		0x200F: {Bidi, "⟨RLM⟩"},
		0x202A: {Bidi, "⟨LRE⟩"},
		0x202B: {Bidi, "⟨RLE⟩"},
		0x202C: {Bidi, "⟨PDF⟩"},
		0x202D: {Bidi, "⟨LRO⟩"},
		0x202E: {Bidi, "⟨RLO⟩"},
		0x2066: {Bidi, "⟨LRI⟩"},
		0x2067: {Bidi, "⟨RLI⟩"},
		0x2068: {Bidi, "⟨FSI⟩"},
		0x2069: {Bidi, "⟨PDI⟩"},

		0x00AD: {ZeroWidth, "⟨SHY⟩"},
		0x034F: {ZeroWidth, "⟨CGJ⟩"},
		0x115F: {ZeroWidth, "⟨U+115F⟩"}, // Hangul choseong filler
		0x1160: {ZeroWidth, "⟨U+1160⟩"}, // Hangul jungseong filler
		0x180E: {ZeroWidth, "⟨MVS⟩"},
		0x200B: {ZeroWidth, "⟨ZWSP⟩"},
		0x200C: {ZeroWidth, "⟨ZWNJ⟩"},
		0x200D: {ZeroWidth, "⟨ZWJ⟩"},
		0x2060: {ZeroWidth, "⟨WJ⟩"},
		0x2061: {ZeroWidth, "⟨U+2061⟩"}, // function application
		0x2062: {ZeroWidth, "⟨U+2062⟩"}, // invisible times
		0x2063: {ZeroWidth, "⟨U+2063⟩"}, // invisible separator
		0x2064: {ZeroWidth, "⟨U+2064⟩"}, // invisible plus
		0x3164: {ZeroWidth, "⟨U+3164⟩"}, // Hangul filler
		0xFEFF: {ZeroWidth, "⟨BOM⟩"},
		0xFFA0: {ZeroWidth, "⟨U+FFA0⟩"}, // halfwidth Hangul filler

		0x2028: {LineBreak, "⟨LSEP⟩"},
		0x2029: {LineBreak, "⟨PSEP⟩"},
	}
	for r := rune(0); r < 0xA0; r++ {
		if _, ok := m[r]; ok {
			continue
		}
		switch {
		case r < 0x20:
			m[r] = marker{Control, fmt.Sprintf("⟨0x%02X⟩", r)}
		case r >= 0x80:
			m[r] = marker{Control, fmt.Sprintf("⟨U+%04X⟩", r)}
		}
	}
	return m
}()

// byteLabels holds the labels of bytes that are not valid UTF-8.
var byteLabels = func() (l [256]string) {
	for i := range l {
		l[i] = fmt.Sprintf("⟨0x%02X⟩", i)
	}
	return l
}()

// class says how a valid, non-ASCII rune is displayed.
type class uint8

const (
	showRune class = iota // as it is
	markRune              // as it is, unless too many follow one base character
	hideRune              // replaced by a marker
)

// classify is the hot path for non-ASCII text, so it settles the common
// cases before consulting the Unicode tables.
func classify(r rune) class {
	switch {
	case r < 0x300:
		if r < 0xA0 || r == 0xAD { // C1 controls, soft hyphen
			return hideRune
		}
		return showRune
	case r < 0x370: // combining diacritical marks
		if r == 0x34F { // combining grapheme joiner
			return hideRune
		}
		return markRune
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205E:
		// Dashes, quotes, bullets, ellipsis and the like, between the
		// invisible characters of the General Punctuation block.
		return showRune
	case unicode.IsLetter(r):
		if _, ok := named[r]; ok { // the Hangul fillers are letters
			return hideRune
		}
		return showRune
	case runeKind(r) != 0:
		return hideRune
	case unicode.In(r, unicode.Mn, unicode.Me):
		if isDefaultIgnorable(r) { // variation selectors, U+17B4/5
			return hideRune
		}
		return markRune
	}
	return showRune
}

// runeKind returns the marker kind for r, or 0 if r may be displayed. It does
// not judge combining marks, which are only hidden in excess.
func runeKind(r rune) MarkerKind {
	if m, ok := named[r]; ok {
		return m.kind
	}
	switch {
	case unicode.Is(unicode.Variation_Selector, r):
		return ZeroWidth
	case unicode.Is(unicode.Cf, r):
		return Format
	case isDefaultIgnorable(r):
		return ZeroWidth
	case unicode.Is(unicode.Co, r):
		// Private use characters render as a glyph (often an icon font).
		return 0
	case !unicode.IsGraphic(r):
		// Unassigned code points and noncharacters: the terminal cannot
		// know their width, and they have no business in a message.
		return Unassigned
	}
	return 0
}

// runeLabel returns the marker label for r.
func runeLabel(r rune) string {
	if m, ok := named[r]; ok {
		return m.label
	}
	if unicode.Is(unicode.Variation_Selector, r) {
		return "⟨VS⟩" // one label, so that runs collapse into ⟨VS×N⟩
	}
	return fmt.Sprintf("⟨U+%04X⟩", r)
}

// TAG characters mirror ASCII and are invisible; they are used to smuggle
// text (including prompts for language models) past human readers.
const (
	tagFirst = 0xE0000
	tagLast  = 0xE007F
)

func isTag(r rune) bool { return r >= tagFirst && r <= tagLast }

// isDefaultIgnorable reports whether r has Unicode's derived property
// Default_Ignorable_Code_Point as far as it is not a format character
// (Cf, marked as such): Other_Default_Ignorable_Code_Point (U+17B4,
// U+17B5, the Hangul fillers, reserved ranges) and the variation
// selectors (U+180B–U+180F, U+FE00–U+FE0F, U+E0100–U+E01EF). UAX #44
// derives the property from these tables; a renderer draws none of them,
// so each can hide text or smuggle data (one byte per variation selector
// behind an innocent-looking character).
func isDefaultIgnorable(r rune) bool {
	return unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// Hidden reports whether the sanitizer replaces r by a marker wherever it
// stands: a C0 or C1 control, DEL, a bidi control, a zero-width, format,
// default-ignorable or TAG character, a line or paragraph separator, an
// unassigned code point or a noncharacter. Machine output escapes exactly
// these, so that it holds no byte a terminal acts on or a reader misses.
// (Combining marks, hidden only in excess, are not included.)
func Hidden(r rune) bool {
	if r < utf8.RuneSelf {
		return r < ' ' || r == 0x7F
	}
	return classify(r) == hideRune || isTag(r)
}
