package analysis

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// assertSafe fails t unless txt is display-safe multi-line text: valid
// UTF-8 with no control characters other than '\n', no bidi, zero-width,
// format, TAG or unassigned characters, no runaway combining marks, and
// consistent segments. It judges by the Unicode tables directly, not by the
// sanitizer's own tables.
func assertSafe(t testing.TB, txt Text) {
	t.Helper()
	checkSafe(t, txt, true)
}

// assertSafeLine is assertSafe for one-line text: no '\n' either.
func assertSafeLine(t testing.TB, txt Text) {
	t.Helper()
	checkSafe(t, txt, false)
}

func checkSafe(t testing.TB, txt Text, multiline bool) {
	t.Helper()
	markers := 0
	for i, seg := range txt.Segs {
		if seg.S == "" {
			t.Errorf("segment %d is empty: %#v", i, txt.Segs)
		}
		if seg.Marker {
			markers++
			if seg.Kind == 0 || !strings.HasPrefix(seg.S, "⟨") || !strings.HasSuffix(seg.S, "⟩") {
				t.Errorf("segment %d is a malformed marker: %#v", i, seg)
			}
		} else {
			if seg.Kind != 0 {
				t.Errorf("plain segment %d has kind %v", i, seg.Kind)
			}
			if i > 0 && !txt.Segs[i-1].Marker {
				t.Errorf("segments %d and %d are both plain", i-1, i)
			}
			if n := longestMarkRun(seg.S); n > maxMarks {
				t.Errorf("segment %d has %d combining marks in a row: %q", i, n, seg.S)
			}
		}
		if why := unsafeText(seg.S, multiline && !seg.Marker); why != "" {
			t.Errorf("segment %d %q: %s", i, seg.S, why)
		}
	}
	if markers != txt.Markers {
		t.Errorf("Markers = %d, but %d segments are markers", txt.Markers, markers)
	}
}

// unsafeText says what is unsafe about s, or returns "".
func unsafeText(s string, newlines bool) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n' && newlines:
		case r < 0x20 || r >= 0x7F && r <= 0x9F:
			return fmt.Sprintf("control character %U", r)
		case r >= 0xE0000 && r <= 0xE007F:
			return fmt.Sprintf("TAG character %U", r)
		case r >= 0xE0100 && r <= 0xE01EF:
			return fmt.Sprintf("variation selector %U", r)
		case unicode.Is(unicode.Cf, r): // bidi controls, ZWSP, ZWJ, BOM, SHY…
			return fmt.Sprintf("format character %U", r)
		case unicode.In(r, unicode.Zl, unicode.Zp):
			return fmt.Sprintf("line separator %U", r)
		case strings.ContainsRune("\u034F\u115F\u1160\u3164\uFFA0", r):
			return fmt.Sprintf("invisible character %U", r)
		case !unicode.IsGraphic(r) && !unicode.Is(unicode.Co, r):
			return fmt.Sprintf("unassigned code point %U", r)
		}
	}
	return ""
}

func longestMarkRun(s string) int {
	longest, n := 0, 0
	for _, r := range s {
		if unicode.In(r, unicode.Mn, unicode.Me) {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}
