package uitest

import (
	"strings"
	"testing"
)

func TestForeignFindsEveryHostileKind(t *testing.T) {
	for name, s := range map[string]string{
		"OSC 8":    "a\x1b]8;;https://evil.example/\x07x\x1b]8;;\x07",
		"OSC 52":   "\x1b]52;c;cHduZWQ=\x07",
		"colour":   "\x1b[31mred",
		"C1 CSI":   "\u009b2J",
		"APC":      "\x1b_Gx\x1b\\",
		"PM":       "\x1b^x\x1b\\",
		"SOS":      "\x1bXx\x1b\\",
		"DCS":      "\x1bPqx\x1b\\",
		"cursor":   "\x1b[2J",
		"BEL":      "\x07",
		"DEL":      "\x7f",
		"RLO":      "invoice\u202efdp.exe",
		"ZWSP":     "pay\u200bpal",
		"TAG":      "x\U000E0041",
		"Mongol":   "x\u180ey",
		"VS16":     "x\ufe0f",
		"LS":       "a\u2028b",
		"bad utf8": "caf\xe9",
	} {
		if got := Foreign(s, MonoScreen); len(got) == 0 {
			t.Errorf("%s: %q passed as clean", name, s)
		}
	}
}

func TestForeignPassesTheConsolesOwnOutput(t *testing.T) {
	own := "\x1b[1m Title ⟨RLO⟩ \x1b[0m\n\x1b[7m› row\x1b[27m … ─┼─ \uFFFD café 日本"
	if got := Foreign(own, MonoScreen); len(got) != 0 {
		t.Fatalf("the console's own output was reported: %q", got)
	}
	if !strings.Contains(Foreign("\x1b[1;31m", MonoScreen)[0], "SGR 31") {
		t.Fatal("a colour after an allowed attribute was not named")
	}
}
