package mail

import (
	"strings"
	"testing"
)

func TestKeywordEncoding(t *testing.T) {
	tests := []struct{ name, kw string }{
		{"SOC_Phish_Confirmed", "SOC_Phish_Confirmed"},
		{"$Phishing", "$Phishing"},
		{"Phish confirmed", "$mt__50hish_20confirmed"},
		{"Phish – ok", "$mt__50hish_20_e2_80_93_20ok"},
		{"$mt_sneaky", "$mt__24mt_5fsneaky"},
		{`a\b`, "$mt_a_5cb"},
	}
	for _, tt := range tests {
		kw, err := EncodeKeyword(tt.name)
		if err != nil {
			t.Fatalf("EncodeKeyword(%q): %v", tt.name, err)
		}
		if kw != tt.kw {
			t.Errorf("EncodeKeyword(%q) = %q, want %q", tt.name, kw, tt.kw)
		}
		if !IsAtom(kw) {
			t.Errorf("%q is not an atom", kw)
		}
		if got := DecodeKeyword(kw); got != tt.name {
			t.Errorf("DecodeKeyword(%q) = %q, want %q", kw, got, tt.name)
		}
		// imapmemserver lower-cases keywords: the name must survive.
		if got := DecodeKeyword(strings.ToLower(kw)); kw != tt.name && got != tt.name {
			t.Errorf("DecodeKeyword(lower %q) = %q, want %q", kw, got, tt.name)
		}
	}
}

func TestKeywordRefusals(t *testing.T) {
	if _, err := EncodeKeyword(""); err == nil {
		t.Error("empty name accepted")
	}
	if _, err := EncodeKeyword(strings.Repeat("Ä", 20)); err == nil {
		t.Error("name too long once encoded accepted")
	}
	for _, bad := range []string{"$mt_a_4", "$mt__g0"} {
		if got := DecodeKeyword(bad); got != bad {
			t.Errorf("DecodeKeyword(%q) = %q, want it unchanged", bad, got)
		}
	}
}

// FuzzKeyword checks the category encoding on any name and any keyword a
// server may send: an encoded name is an atom within the length limit
// that decodes to the name again, also after a server lower-cased it; any
// keyword decodes without panicking.
func FuzzKeyword(f *testing.F) {
	for _, s := range []string{"Phish – confirmed", "$mt_abc", "$MT_5f", "\\Seen", "a_zz", "$mt__", "$mt_+f", "\x1b[31m", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = DecodeKeyword(s)
		kw, err := EncodeKeyword(s)
		if err != nil {
			return
		}
		if !IsAtom(kw) || len(kw) > MaxKeywordLength {
			t.Fatalf("EncodeKeyword(%q) = %q: not an atom within %d bytes", s, kw, MaxKeywordLength)
		}
		if got := DecodeKeyword(kw); got != s {
			t.Fatalf("DecodeKeyword(EncodeKeyword(%q)) = %q", s, got)
		}
		if kw != s {
			if got := DecodeKeyword(strings.ToLower(kw)); got != s {
				t.Fatalf("lower-cased %q decodes to %q, want %q", kw, got, s)
			}
		}
	})
}
