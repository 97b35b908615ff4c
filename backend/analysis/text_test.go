package analysis

import (
	"strings"
	"testing"
)

func TestWidth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"日本語", 6},
		{"👍🏽", 2},
		{"e\u0301", 1},
		{"a\x1b[31mb", 11},   // a ⟨CSI 31m⟩ b
		{"Pay\u200BPal", 12}, // Pay ⟨ZWSP⟩ Pal
	} {
		if got := SanitizeLine(tt.in).Width(); got != tt.want {
			t.Errorf("SanitizeLine(%q).Width() = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width int
		tail  string
		want  string
	}{
		{"short", 10, "…", "short"},
		{"exactly", 7, "…", "exactly"},
		{"abcdefgh", 5, "…", "abcd…"},
		{"abcdefgh", 5, "", "abcde"},
		{"日本語テキスト", 5, "…", "日本…"},
		{"日本語テキスト", 6, "…", "日本…"},
		{"日本語テキスト", 7, "…", "日本語…"},
		{"ab👍🏽cd", 4, "…", "ab…"},
		{"ab👍🏽cd", 5, "…", "ab👍🏽…"},
		{"e\u0301e\u0301e\u0301", 2, "…", "e\u0301…"},
		{"🇩🇪🇫🇷🇮🇹", 5, "…", "🇩🇪🇫🇷…"},
		// Markers are kept or dropped whole.
		{"ab\x1b[31mcd", 6, "…", "ab…"},
		{"ab\x1b[31mcd", 12, "…", "ab⟨CSI 31m⟩…"},
		{"ab\x1b[31mcd", 13, "…", "ab⟨CSI 31m⟩cd"},
		{"\u202Eabc", 3, "…", "…"},
		// A tail wider than the room is left out.
		{"abcdef", 2, "...", "ab"},
		{"abcdef", 0, "…", ""},
		{"abcdef", -1, "…", ""},
	} {
		got := SanitizeLine(tt.in).Truncate(tt.width, tt.tail)
		if got.String() != tt.want {
			t.Errorf("Truncate(%q, %d, %q) = %q, want %q", tt.in, tt.width, tt.tail, got, tt.want)
		}
		if w := got.Width(); w > max(tt.width, 0) {
			t.Errorf("Truncate(%q, %d, %q) is %d cells wide", tt.in, tt.width, tt.tail, w)
		}
		assertSafeLine(t, got)
	}
}

func TestTruncateKeepsMarkers(t *testing.T) {
	got := SanitizeLine("\u200Bab\u202E").Truncate(9, "…")
	if got.Markers != 1 || !got.Segs[0].Marker || got.Segs[0].Kind != ZeroWidth {
		t.Errorf("got %#v, want the leading ZWSP marker kept", got)
	}
}

func TestLines(t *testing.T) {
	txt := Sanitize("first\x1b[1m line\n\u200B\n\nlast\x07\n")
	got := txt.Lines()
	want := []string{"first⟨CSI 1m⟩ line", "⟨ZWSP⟩", "", "last⟨BEL⟩", ""}
	if len(got) != len(want) {
		t.Fatalf("got %d lines %v, want %d", len(got), got, len(want))
	}
	markers := 0
	for i, line := range got {
		if line.String() != want[i] {
			t.Errorf("line %d = %q, want %q", i, line, want[i])
		}
		assertSafeLine(t, line)
		markers += line.Markers
	}
	if markers != txt.Markers {
		t.Errorf("lines have %d markers, text has %d", markers, txt.Markers)
	}
	if n := len(Sanitize("").Lines()); n != 1 {
		t.Errorf("empty text has %d lines, want 1", n)
	}
	if got := Sanitize("one line").Lines(); len(got) != 1 || got[0].String() != "one line" {
		t.Errorf("one line: got %v", got)
	}
}

func TestLinesRoundTrip(t *testing.T) {
	in := strings.Repeat("word \t\x1b[0m\r\n", 50)
	txt := Sanitize(in)
	var parts []string
	for _, l := range txt.Lines() {
		parts = append(parts, l.String())
	}
	if got := strings.Join(parts, "\n"); got != txt.String() {
		t.Errorf("joined lines differ from the text")
	}
}

func TestMarkerKindString(t *testing.T) {
	if got := Bidi.String(); got != "Bidi" {
		t.Errorf("Bidi.String() = %q", got)
	}
	if got := MarkerKind(200).String(); got != "MarkerKind(200)" {
		t.Errorf("MarkerKind(200).String() = %q", got)
	}
}
