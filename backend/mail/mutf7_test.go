package mail

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeFolderName(t *testing.T) {
	for _, tt := range []struct {
		raw, name string
		exact     bool
	}{
		{"INBOX", "INBOX", true},
		{"Phishing reports", "Phishing reports", true},
		{"R&AOk-sum&AOk-", "Résumé", true},
		{"&ZeVnLIqe-", "日本語", true},
		{"A&-B", "A&B", true},
		{"Caf\u00e9", "Café", true},                               // raw UTF-8, as servers with UTF8=ACCEPT send
		{"&ABs-]8;;x", "\x1b]8;;x", true},                         // valid: an OSC 8 start, sanitized on display
		{"&ABsAXQ-", "⟨&ABsAXQ-⟩", false},                         // "]" must stand for itself
		{"&ICo-", "\u202a", true},                                 // LRE
		{"&Jjo", "⟨&Jjo⟩", false},                                 // unterminated
		{"Bad&Jjo-x&AOk-&AOk-", "Bad\u263ax\u00e9⟨&AOk-⟩", false}, // null shift
		{"&AGE-", "⟨&AGE-⟩", false},                               // encodes printable ASCII
		{"&2D3cAA-", "\U0001f400", true},                          // surrogate pair
		{"&2D0-", "⟨&2D0-⟩", false},                               // lone surrogate
		{"&A=-", "⟨&A=-⟩", false},
		{"a\x01b\x7f", "a⟨0x01⟩b⟨0x7F⟩", false},
		{"\xffname", "⟨0xFF⟩name", false},
		{"&\xff-", "⟨&\\xFF-⟩", false},
	} {
		name, exact := DecodeFolderName(tt.raw)
		if name != tt.name || exact != tt.exact {
			t.Errorf("DecodeFolderName(%q) = %q, %v; want %q, %v", tt.raw, name, exact, tt.name, tt.exact)
		}
	}
}

func TestRawFolderNameTakesMarkersBack(t *testing.T) {
	for _, raw := range []string{"Reports &Jjo", "Bad&AGE-name", "Caf\xe9 \xff", "a\x01b", "&\xff-x", `&a\b`, "Lit&Jjo"} {
		shown, exact := DecodeFolderName(raw)
		if exact {
			t.Fatalf("%q decodes exactly", raw)
		}
		if back, ok := RawFolderName(shown); !ok || back != raw {
			t.Errorf("RawFolderName(%q) = %q, %v; want %q", shown, back, ok, raw)
		}
	}
	for _, shown := range []string{"INBOX", "Résumé", "⟨not ours⟩", "x ⟨&AOk-⟩"} { // the last decodes exactly
		if back, ok := RawFolderName(shown); ok {
			t.Errorf("RawFolderName(%q) = %q, want no raw name", shown, back)
		}
	}
}

func TestEncodeFolderName(t *testing.T) {
	for name, want := range map[string]string{"Résumé": "R&AOk-sum&AOk-", "日本語": "&ZeVnLIqe-", "A&B": "A&-B", "\U0001f400": "&2D3cAA-", "plain": "plain"} {
		if got := EncodeFolderName(name); got != want {
			t.Errorf("EncodeFolderName(%q) = %q, want %q", name, got, want)
		}
	}
}

// FuzzFolderName decodes any name a server may send: never a panic, always
// valid UTF-8, an exact decoding encodes back to a name that decodes the
// same; and any UTF-8 name survives encoding and decoding.
func FuzzFolderName(f *testing.F) {
	for _, s := range []string{"INBOX", "R&AOk-sum&AOk-", "&Jjo", "&AGE-", "&2D0-", "&-&-", "&ABsAWwAzADEAbQ-", "Caf\xc3\xa9", "\xff&", "a&AOk-&AOk-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, exact := DecodeFolderName(raw)
		if !utf8.ValidString(name) {
			t.Fatalf("DecodeFolderName(%q) = %q: not UTF-8", raw, name)
		}
		if exact {
			if again, ok := DecodeFolderName(EncodeFolderName(name)); !ok || again != name {
				t.Fatalf("%q decodes to %q, whose encoding %q decodes to %q, %v", raw, name, EncodeFolderName(name), again, ok)
			}
		} else if !strings.Contains(name, "⟨") {
			t.Fatalf("%q is not exact but %q shows no marker", raw, name)
		} else if back, ok := RawFolderName(name); ok {
			if again, exact := DecodeFolderName(back); exact || again != name {
				t.Fatalf("%q shows as %q, taken back to %q, which shows as %q", raw, name, back, again)
			}
		}
		if utf8.ValidString(raw) {
			if back, ok := DecodeFolderName(EncodeFolderName(raw)); !ok || back != raw {
				t.Fatalf("name %q → %q → %q, %v", raw, EncodeFolderName(raw), back, ok)
			}
		}
	})
}
