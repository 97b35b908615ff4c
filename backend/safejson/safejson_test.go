package safejson

import (
	"encoding/json"
	"strings"
	"testing"
)

// hostile holds every kind of character machine output must not carry raw.
var hostile = []string{
	"\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07",
	"\x1b[31mred\x1b[0m",
	"\u009b31mC1 CSI\u009c",
	"del\x7f",
	"invoice\u202Efdp.exe",
	"\u2066isolate\u2069",
	"zero\u200Bwidth\u200D\uFEFF",
	"khmer\u17B4\u17B5 mongol\u180B selector\uFE0F",
	"tag\U000E0041\U000E007F",
	"line\u2028para\u2029",
	"nul\x00bel\x07",
	"unassigned\u0378 nonchar\uFFFF",
	"plain Grüße 日本語",
}

func TestMarshalEscapesHiddenAndRoundTrips(t *testing.T) {
	for _, s := range hostile {
		v := map[string]any{"subject": s, "list": []string{s, "x"}}
		for _, indent := range []bool{false, true} {
			var b []byte
			var err error
			if indent {
				b, err = MarshalIndent(v, "", "  ")
			} else {
				b, err = Marshal(v)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !Clean(b) {
				t.Errorf("%q: output holds a raw hidden character: %q", s, b)
			}
			var back map[string]any
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%q: output does not decode: %v", s, err)
			}
			if back["subject"] != s {
				t.Errorf("decoded %q, want %q", back["subject"], s)
			}
		}
	}
}

func TestEscapeSpelling(t *testing.T) {
	b, _ := Marshal("a\u202Eb\x7fc\U000E0041")
	if want := `"a\u202eb\u007fc\udb40\udc41"`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	// Clean text passes through unchanged (and unallocated).
	in := []byte(`{"a":"Grüße 日本語"}`)
	if out := Escape(in); &out[0] != &in[0] {
		t.Error("clean JSON was copied")
	}
}

func TestEncoderWritesWholeLines(t *testing.T) {
	var w strings.Builder
	enc := NewEncoder(&w)
	enc.SetIndent("", "  ")
	if err := enc.Encode([]string{"\u202E"}); err != nil {
		t.Fatal(err)
	}
	if got := w.String(); got != "[\n  \"\\u202e\"\n]\n" {
		t.Errorf("got %q", got)
	}
}
