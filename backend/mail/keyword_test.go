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

func FuzzKeyword(f *testing.F) {
	f.Add("Phish – confirmed")
	f.Fuzz(func(t *testing.T, name string) {
		kw, err := EncodeKeyword(name)
		if err != nil {
			return
		}
		if !IsAtom(kw) || len(kw) > MaxKeywordLength {
			t.Fatalf("EncodeKeyword(%q) = %q: not a valid keyword", name, kw)
		}
		if got := DecodeKeyword(kw); got != name {
			t.Fatalf("round trip %q → %q → %q", name, kw, got)
		}
	})
}
