package analysis

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileSeeds are the attacks the table tests cover, as seeds for the
// fuzzers.
func hostileSeeds() []string {
	var seeds []string
	for _, tt := range lineTests {
		seeds = append(seeds, tt.in)
	}
	for _, tt := range multilineTests {
		seeds = append(seeds, tt.in)
	}
	return append(seeds,
		"\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\r\n\tbody",
		"\x1b]0;"+strings.Repeat("a", maxSeq+10),
		"=?UTF-8?B?G1szMW1SRUQ=?=",
		"=?ISO-8859-1?Q?Caf=E9?= =?x-unknown?Q?abc?=",
		"=?utf-8?q?a=0D=0Ab?=\r\n =?utf-8?b?4oCu?=",
	)
}

func FuzzSanitizeLine(f *testing.F) {
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		txt := SanitizeLine(s)
		assertSafeLine(t, txt)
		checkLen(t, txt, min(len(s), maxLine))
		checkTruncate(t, txt)
	})
}

func FuzzSanitize(f *testing.F) {
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		txt := Sanitize(s)
		assertSafe(t, txt)
		checkLen(t, txt, len(s))
		var joined []string
		for _, line := range txt.Lines() {
			assertSafeLine(t, line)
			checkTruncate(t, line)
			joined = append(joined, line.String())
		}
		if strings.Join(joined, "\n") != txt.String() {
			t.Errorf("Lines do not join up to the text")
		}
		if utf8.ValidString(s) && !strings.ContainsAny(s, "\r\t") && len(txt.Segs) == 1 && !txt.Segs[0].Marker && txt.Segs[0].S != s {
			t.Errorf("a single plain segment differs from its input")
		}
	})
}

func FuzzSanitizeHeader(f *testing.F) {
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		txt := SanitizeHeader(s)
		assertSafeLine(t, txt)
		checkLen(t, txt, maxLine)
	})
}

func FuzzHTMLToText(f *testing.F) {
	for _, s := range hostileSeeds() {
		f.Add(s, 1<<12)
	}
	for _, s := range []string{
		`<a href="https://evil.example/">https://paypal.com</a><img src=x alt=y>`,
		`<span style="display:none">a<p>b</span>c<form action=x><input type=hidden>`,
		`<ul><li>a<ol><li>b</ol></ul><table><tr><td>1<td>2</table><pre>	x</pre>`,
		`<head><title>t</title><body><script>x</script><!-- c -->&#27;[2J&#x202e;`,
		strings.Repeat("<div><blockquote><li>", 200) + "deep",
	} {
		f.Add(s, 1<<12)
	}
	f.Fuzz(func(t *testing.T, s string, maxBytes int) {
		maxBytes %= 1 << 16
		out := HTMLToText(s, maxBytes)
		if len(out) > max(maxBytes, 0) {
			t.Fatalf("HTMLToText(…, %d) returned %d bytes", maxBytes, len(out))
		}
		txt := Sanitize(out)
		assertSafe(t, txt)
		for _, l := range HTMLLinks(s) {
			assertSafeLine(t, SanitizeLine(l.Href))
			assertSafeLine(t, SanitizeLine(l.Text))
			if len(l.Text) > maxLinkText {
				t.Errorf("link text of %d bytes", len(l.Text))
			}
		}
	})
}

// checkLen bounds the output: each input byte yields at most one short
// marker, plus the overflow marker.
func checkLen(t *testing.T, txt Text, in int) {
	t.Helper()
	if n := len(txt.String()); n > 16*in+64 {
		t.Errorf("%d bytes of output for %d bytes of input", n, in)
	}
}

func checkTruncate(t *testing.T, txt Text) {
	t.Helper()
	w := txt.Width()
	for _, width := range []int{0, 1, 5, w / 2, w - 1} {
		got := txt.Truncate(width, "…")
		if gw := got.Width(); gw > max(width, 0) {
			t.Errorf("Truncate(%d) is %d cells wide: %q", width, gw, got)
		}
		assertSafeLine(t, got)
	}
}
