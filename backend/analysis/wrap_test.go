package analysis

import (
	"strings"
	"testing"
)

func TestWrapKeepsMarkersWholeAndFitsWidth(t *testing.T) {
	in := SanitizeLine("Click here\u202e to verify your account at https://example.com/a/very/long/path/that/does/not/fit immediately")
	for _, width := range []int{8, 13, 20, 40} {
		lines := in.Wrap(width)
		var joined []string
		for _, l := range lines {
			if l.Width() > width {
				t.Errorf("width %d: line %q is %d wide", width, l.String(), l.Width())
			}
			joined = append(joined, l.String())
		}
		all := strings.Join(joined, "")
		if !strings.Contains(all, "⟨RLO⟩") {
			t.Errorf("width %d: marker split or lost: %q", width, joined)
		}
		if strings.ReplaceAll(all, " ", "") != strings.ReplaceAll(in.String(), " ", "") {
			t.Errorf("width %d: text changed: %q", width, all)
		}
	}
}

func TestWrapShortLineUnchanged(t *testing.T) {
	in := SanitizeLine("short")
	if lines := in.Wrap(80); len(lines) != 1 || lines[0].String() != "short" {
		t.Fatalf("%v", lines)
	}
}

func TestConcatCountsMarkers(t *testing.T) {
	c := Concat(SanitizeLine("a\x1b[31m"), Plain(" b"), SanitizeLine("\u200b"))
	if c.Markers != 2 || c.String() != "a⟨CSI 31m⟩ b⟨ZWSP⟩" {
		t.Fatalf("%q markers=%d", c.String(), c.Markers)
	}
}
