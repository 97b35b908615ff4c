package analysis

import (
	"strings"
	"testing"
)

func BenchmarkSanitizeLineASCII(b *testing.B) {
	s := "Re: Quarterly invoice INV-2024-0042 for account 12345 - please review"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		SanitizeLine(s)
	}
}

// body64KB is a realistic decoded body: CRLF lines of mostly ASCII prose
// with some accented letters, typographic quotes, a tabbed table, and a few
// hostile bytes scattered through it.
func body64KB() string {
	para := "Dear customer,\r\n" +
		"we noticed an unusual sign-in to your account from Zürich at 03:14.\r\n" +
		"If this wasn’t you, please “verify” your identity within 24 hours —\r\n" +
		"otherwise access will be suspended. Détails:\r\n" +
		"\tDevice:\tWindows 10\r\n\tBrowser:\tChrome 126\r\n\r\n"
	hostile := []string{"\x1b[2J", "Pay\u200BPal", "invoice\u202Efdp.exe", "\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07", "\x00"}
	var sb strings.Builder
	for i := 0; sb.Len() < 64<<10; i++ {
		sb.WriteString(para)
		if i%40 == 20 {
			sb.WriteString(hostile[(i/40)%len(hostile)])
		}
	}
	return sb.String()[:64<<10]
}

func BenchmarkSanitizeBody64KB(b *testing.B) {
	s := body64KB()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Sanitize(s)
	}
}

func BenchmarkHTMLToText(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 64<<10 {
		sb.WriteString(`<table><tr><td class="x"><p>Dear <b>customer</b>, please <a href="https://evil.example/login?id=42">verify</a> your account.</p>` +
			`<img src="https://t.example/p.gif" alt=""><span style="display:none">hidden preheader</span></td></tr></table>` + "\n")
	}
	s := sb.String()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		HTMLToText(s, 1<<20)
	}
}

// BenchmarkSanitizePathological guards linear time on inputs built to
// make a naive scanner quadratic (about 0.3–0.4 MB each).
func BenchmarkSanitizePathological(b *testing.B) {
	for b.Loop() {
		for _, s := range pathologicalText {
			Sanitize(s)
		}
	}
}

// BenchmarkHTMLPathological does the same for HTMLToText and HTMLLinks.
func BenchmarkHTMLPathological(b *testing.B) {
	inputs := pathologicalHTML()
	for b.Loop() {
		for _, in := range inputs {
			HTMLToText(in, 1<<20)
			HTMLLinks(in)
		}
	}
}
