package analysis

import "testing"

func TestDecodeHeader(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"plain", "Quarterly report", "Quarterly report"},
		{"B UTF-8", "=?UTF-8?B?w5xiZXJ3ZWlzdW5n?=", "Überweisung"},
		{"B hides ESC", "=?UTF-8?B?G1szMW1SRUQ=?=", "\x1b[31mRED"},
		{"Q ISO-8859-1", "=?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème"},
		{"Q lower case", "=?iso-8859-1?q?caf=e9?=", "café"},
		{"windows-1252", "=?windows-1252?Q?=80_5?=", "€ 5"},
		{"KOI8-R", "=?koi8-r?B?8NLJ18XU?=", "Привет"},
		{"Shift_JIS", "=?Shift_JIS?B?k/qWe4zq?=", "日本語"},
		{"language suffix", "=?utf-8*en?q?hi?=", "hi"},
		{"around text", "Re: =?utf-8?q?hi?= there", "Re: hi there"},
		{"adjacent words", "=?utf-8?q?a?= =?utf-8?q?b?=\t=?utf-8?q?c?=", "abc"},
		{"adjacent charsets", "=?utf-8?q?a?= =?iso-8859-1?q?=E9?=", "aé"},
		{"rune split across words", "=?UTF-8?B?ww==?= =?UTF-8?B?qQ==?=", "é"},
		{"not delimited", "x=?utf-8?q?y?=z", "xyz"},
		{"unknown charset kept", "Re: =?x-unknown?Q?abc?= =?utf-8?q?ok?=", "Re: =?x-unknown?Q?abc?= ok"},
		{"bad encoding kept", "=?utf-8?x?abc?=", "=?utf-8?x?abc?="},
		{"bad Q escape kept", "=?utf-8?q?a=ZZ?=", "=?utf-8?q?a=ZZ?="},
		{"bad base64 kept", "=?utf-8?b?!!!?=", "=?utf-8?b?!!!?="},
		{"unterminated", "=?utf-8?q?abc", "=?utf-8?q?abc"},
		{"lone opener", "a =? b ?= c", "a =? b ?= c"},
		{"base64 without padding", "=?utf-8?b?aGk?=", "hi"},
		{"invalid UTF-8 survives", "=?utf-8?q?a=FFb?=", "a\xffb"},
		{"folded", "Hello\r\n World", "Hello World"},
		{"folded with LF", "Hello\n\tWorld", "Hello\tWorld"},
		{"injection not unfolded", "Hello\r\nBcc: x", "Hello\r\nBcc: x"},
	} {
		if got := DecodeHeader(tt.in); got != tt.want {
			t.Errorf("%s: DecodeHeader(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestSanitizeHeader(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"=?UTF-8?B?G1szMW1SRUQ=?=", "⟨CSI 31m⟩RED"},
		{"=?utf-8?q?a=0D=0Ab?=", "a⟨CR⟩⟨LF⟩b"},
		{"=?utf-8?q?invoice=E2=80=AEfdp.exe?=", "invoice⟨RLO⟩fdp.exe"},
		{"=?utf-8?q?a=FFb?=", "a⟨0xFF⟩b"},
		{"=?utf-8?b?G10wO3RpdGxlBw==?=", "⟨OSC 0⟩"},
		{"Hello\r\nBcc: x", "Hello⟨CR⟩⟨LF⟩Bcc: x"},
	} {
		got := SanitizeHeader(tt.in)
		if got.String() != tt.want {
			t.Errorf("SanitizeHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
		assertSafeLine(t, got)
	}
}
