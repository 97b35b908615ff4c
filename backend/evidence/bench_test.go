package evidence

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkAnalyzeTypical analyses a typical phishing report: three
// hops, failing authentication, a rewritten link, an executable and an
// attached message.
func BenchmarkAnalyzeTypical(b *testing.B) {
	raw := phish()
	Analyze(raw, Limits{}) // compile the URL pattern outside the timing
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(raw, Limits{})
	}
}

// pathological messages are built to make a careless analyser slow or
// hungry (about 0.5–2 MB each). Linear time shows as a flat MB/s across
// them.
func pathological() map[string][]byte {
	m := map[string][]byte{}
	var b strings.Builder

	b.WriteString("From: a@b.example\r\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "Received: from h%d (h%d.example [185.220.%d.%d]) by mx (Postfix) with ESMTP id %d; Tue, 5 Mar 2024 10:%02d:00 +0000\r\n", i, i, i%256, i%200, i, i%60)
	}
	b.WriteString("X-Long: " + strings.Repeat("(((;a=b ", 40000) + "\r\n\r\nbody\r\n")
	m["huge header"] = []byte(b.String())

	b.Reset()
	b.WriteString("From: a@b.example\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "https://u%d.evil%d.example/p?q=%d\r\n", i, i%97, i)
	}
	b.WriteString("--x\r\nContent-Type: text/html\r\n\r\n")
	for i := range 10000 {
		fmt.Fprintf(&b, `<a href="https://u%d.evil%d.example/p?q=%d">paypal%d.com</a><img src="https://t.example/%d.gif">`, i, i%97, i, i, i)
	}
	b.WriteString("\r\n--x--\r\n")
	m["10k URLs"] = []byte(b.String())

	b.Reset()
	b.WriteString("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	m["deep MIME nesting"] = []byte(b.String())

	b.Reset()
	b.WriteString("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f%d.pdf.exe\"\r\n\r\nMZ%d\r\n", i, i)
	}
	b.WriteString("--x--\r\n")
	m["many parts"] = []byte(b.String())

	b.Reset()
	b.WriteString("From: a@b.example\r\nContent-Type: text/html\r\n\r\n")
	b.WriteString(strings.Repeat(`<div><a href="https://x.example/">`, 30000))
	m["deep HTML"] = []byte(b.String())

	inner := "From: x@y.example\r\n\r\nbody\r\n"
	for i := range 50 {
		z := fmt.Sprintf("z%d", i)
		inner = "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=" + z + "\r\n\r\n--" + z +
			"\r\nContent-Type: message/rfc822\r\n\r\n" + inner + strings.Repeat("https://n.example/ ", 1000) + "\r\n--" + z + "--\r\n"
	}
	m["nested messages"] = []byte(inner)
	return m
}

// BenchmarkAnalyzePathological runs Analyze with the default limits on
// each pathological message.
func BenchmarkAnalyzePathological(b *testing.B) {
	for name, raw := range pathological() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				Analyze(raw, Limits{})
			}
		})
	}
}
