package analysis

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"text", "Hello, world", "Hello, world"},
		{"whitespace collapses", "  a \n\t b  <b> c </b>  d ", "a b c d"},
		{"entities", "&lt;b&gt; &amp; &eacute;&#x41;&#66;&nbsp;&copy", "<b> & éAB\u00a0©"},
		{"paragraphs", "<p>one</p><p>two</p>three", "one\n\ntwo\n\nthree"},
		{"implied paragraph end", "<p>one<p>two<div>three</div>", "one\n\ntwo\n\nthree"},
		{"divs", "<div>one</div><div>two</div>", "one\ntwo"},
		{"br", "a<br>b<br><br>c<br/>", "a\nb\n\nc"},
		{"br runs capped", "a" + strings.Repeat("<br>", 50) + "b", "a\n\n\nb"},
		{"headings", "<h1>Title</h1><h3>Sub</h3>text", "# Title\n\n### Sub\n\ntext"},
		{"pre", "<p>x</p><pre>\n  a  b\n\n   c</pre>y", "x\n\n  a  b\n\n   c\n\ny"},
		{"list", "<ul><li>one<li>two</ul>", "• one\n• two"},
		{"ordered list", "<ol start=3><li>a</li><li>b</li></ol>", "3. a\n4. b"},
		{"nested lists", "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>",
			"• a\n  • b\n    1. c\n• d"},
		{"list item lines", "<ul><li>a<br>b</li></ul>", "• a\n  b"},
		{"blockquote", "<blockquote>quoted<br>lines</blockquote>after", "> quoted\n> lines\n\nafter"},
		{"table", "<table><tr><th>A</th><th>B</th></tr><tr><td>1<td>2</table>", "A\tB\n1\t2"},
		{"empty cells", "<table><tr><td></td><td>x</td><td></td><td>y</td></tr></table>", "x\ty"},
		{"hr", "a<hr>b", "a\n--------\nb"},

		{"link", `<a href="https://evil.example/login">PayPal</a>`, "PayPal ⟨→ https://evil.example/login⟩"},
		{"link text is URL", `see <a href="https://x.example/">https://x.example</a>.`, "see https://x.example."},
		{"link text is other URL", `<a href="https://evil.example/">https://paypal.com</a>`, "https://paypal.com ⟨→ https://evil.example/⟩"},
		{"mailto", `<a href="mailto:a@example.com">a@example.com</a>`, "a@example.com"},
		{"empty link", `x<a href="https://t.example/"></a>`, "x ⟨→ https://t.example/⟩"},
		{"href whitespace", "<a href=\" https://a.example/\n\tb \">x</a>", "x ⟨→ https://a.example/b⟩"},
		{"anchor without href", `<a name="top">top</a>`, "top"},
		{"image", `<img src="https://t.example/p.gif" alt="Logo">`, "[image: Logo ⟨https://t.example/p.gif⟩ not loaded]"},
		{"image without alt", `a<img src="x.png">b`, "a [image ⟨x.png⟩ not loaded] b"},
		{"image link", `<a href="https://e.example/"><img src="b.png" alt="Pay"></a>`,
			"[image: Pay ⟨b.png⟩ not loaded] ⟨→ https://e.example/⟩"},
		{"data URL summarised", `<img src="data:image/png;base64,` + strings.Repeat("A", 100) + `">`,
			"[image ⟨data:image/png;base64,… (122 bytes)⟩ not loaded]"},
		{"form", `<form action="https://evil.example/post"><input type=password name=pw></form>`,
			"[form → https://evil.example/post]\n[input password name=pw]"},
		{"iframe", `<iframe src="https://x.example/">fallback</iframe>`, "[iframe ⟨https://x.example/⟩ not loaded]"},

		{"script dropped", "a<script>document.write('evil')</script>b", "ab"},
		{"style dropped", "<style>p{color:red}</style>text", "text"},
		{"head dropped", "<html><head><title>T</title><meta charset=utf-8></head><body>body</body></html>", "body"},
		{"head left open", "<head><title>T</title><body>body", "body"},
		{"head without body tag", "<head><title>T</title><p>body", "body"},
		{"template dropped", "<template><p>x</p></template>y", "y"},
		{"noscript dropped", "<noscript>enable JS</noscript>y", "y"},
		{"comments dropped", "a<!-- hidden comment -->b<!--[if mso]>outlook<![endif]-->c", "abc"},

		{"display none", `a <span style="display:none">secret</span> b`, "a [hidden text: secret] b"},
		{"visibility hidden", `<div style="visibility: hidden !important">x</div>`, "[hidden text: x]"},
		{"hidden attribute", `<p hidden>x</p>`, "[hidden text: x]"},
		{"font-size 0", `<span style="font-size:0">x</span>`, "[hidden text: x]"},
		{"font-size 1px", `<span style="FONT-SIZE: 1px">x</span>`, "[hidden text: x]"},
		{"font-size normal", `<span style="font-size:12px">x</span>`, "x"},
		{"opacity 0", `<span style="opacity:0">x</span>`, "[hidden text: x]"},
		{"mso-hide", `<div style="mso-hide:all">x</div>`, "[hidden text: x]"},
		{"zero height clipped", `<div style="max-height:0;overflow:hidden">x</div>`, "[hidden text: x]"},
		{"zero height alone", `<div style="max-height:0">x</div>`, "x"},
		{"off screen", `<div style="position:absolute;left:-9999px">x</div>`, "[hidden text: x]"},
		{"hidden nested once", `<div style="display:none">a<span hidden>b</span><p>c</p></div>`, "[hidden text: ab\n\nc]"},
		{"hidden empty", `a<div style="display:none"> </div>b`, "a\nb"},
		{"hidden ends before br", `<span hidden>x<br></span>y`, "[hidden text: x]\ny"},
		{"hidden input", `<input type="hidden" name="id" value="42">`, `[hidden text: [input hidden name=id value="42"]]`},
		{"hidden image", `<img hidden src="t.gif">`, "[hidden text: [image ⟨t.gif⟩ not loaded]]"},
		{"hidden link", `<span style="display:none"><a href="https://h.example/">x</a></span>`,
			"[hidden text: x ⟨→ https://h.example/⟩]"},
		{"stray end tag in cell", `<div style="display:none"><table><tr><td>a</div>b</td></tr></table></div>c`,
			"[hidden text: ab]\nc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := HTMLToText(tt.in, 1<<20)
			if got != tt.want {
				t.Errorf("HTMLToText(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLToTextCap(t *testing.T) {
	in := strings.Repeat("<p>paragraph of text</p>", 1000)
	for _, max := range []int{1, 10, len(truncatedNote), 100, 4096} {
		got := HTMLToText(in, max)
		if len(got) > max {
			t.Errorf("HTMLToText(…, %d) returned %d bytes", max, len(got))
		}
		if max > len(truncatedNote) && !strings.HasSuffix(got, truncatedNote) {
			t.Errorf("HTMLToText(…, %d) = %q, want the truncation note", max, got)
		}
	}
	if got := HTMLToText("abc", 0); got != "" {
		t.Errorf("HTMLToText(…, 0) = %q", got)
	}
	if got := HTMLToText("日本語", 5); got != "日" {
		t.Errorf("cut inside a rune: %q", got)
	}
	if got := HTMLToText("short", 100); got != "short" {
		t.Errorf("HTMLToText(short) = %q, no note expected", got)
	}
}

func TestHTMLDeepNesting(t *testing.T) {
	for _, tag := range []string{"div", "span", "ul><li", "table><tr><td", "blockquote", "b", "a href=x"} {
		open, end := "<"+tag+">", "</"+strings.Fields(tag)[0]+">"
		in := strings.Repeat(open, 1000) + "deep" + strings.Repeat(end, 1000) + "after"
		got := HTMLToText(in, 1<<20)
		if !strings.Contains(got, "deep") || !strings.Contains(got, "after") {
			t.Errorf("%s: text lost: %q", tag, got[:min(len(got), 200)])
		}
		if len(got) > 64<<10 {
			t.Errorf("%s: %d bytes of output", tag, len(got))
		}
	}
	// Hidden content beyond the depth limit is still rendered.
	in := strings.Repeat("<div>", 600) + `<span style="display:none">x</span>`
	if got := HTMLToText(in, 1<<20); !strings.Contains(got, "x") || !strings.Contains(got, "flattened") {
		t.Errorf("deep hidden: %q", got)
	}
}

// pathologicalHTML would take quadratic time (or depth × length) if end
// tags or implied ends scanned the stack of open elements. Speed is
// measured by BenchmarkHTMLPathological; here the output must be safe.
func pathologicalHTML() map[string]string {
	deep := strings.Repeat("<span>", maxDepth)
	return map[string]string{
		"unknown end tags":  deep + strings.Repeat("</x>", 50000),
		"list items":        deep + strings.Repeat("<li>", 50000),
		"paragraphs":        deep + strings.Repeat("<p>", 50000),
		"nested lists":      strings.Repeat("<ul><li>", 50000),
		"blocked end tags":  "<li><table>" + deep + strings.Repeat("</li>", 50000),
		"pre breaks":        strings.Repeat("<pre>\n\n", 50000),
		"unclosed links":    strings.Repeat("<a href=x>y", 50000),
		"unclosed hidden":   strings.Repeat("<span hidden>x", 50000),
		"table cells":       strings.Repeat("<table><tr><td>", 50000),
		"formatting":        strings.Repeat("<b><i><u>", 50000),
		"long style values": strings.Repeat("<x style='"+strings.Repeat(";", 100)+"'>", 5000),
	}
}

func TestHTMLPathologicalIsSafe(t *testing.T) {
	for _, in := range pathologicalHTML() {
		out := HTMLToText(in, 1<<20)
		HTMLLinks(in)
		assertSafe(t, Sanitize(out))
	}
}

func TestHTMLToTextUnsanitized(t *testing.T) {
	// Rendering does not sanitize; Sanitize must catch what comes through.
	got := HTMLToText("a&#27;[31mb\u202E<b title='\x1b]52;c;x\x07'>c</b>", 1<<10)
	if !strings.Contains(got, "\x1b[31m") {
		t.Fatalf("escape lost in rendering: %q", got)
	}
	txt := Sanitize(got)
	assertSafe(t, txt)
	if want := "a⟨CSI 31m⟩b⟨RLO⟩c"; txt.String() != want {
		t.Errorf("got %q, want %q", txt, want)
	}
}

func TestHTMLLinks(t *testing.T) {
	in := `<p>Hi <a href="https://one.example/">first  link</a>
<span style="display:none"><a href=" https://hidden.example/ ">hidden</a></span>
<a href="https://img.example/"><img alt="logo" src="l.png"></a><a name=x>no href</a>
<map><area href="https://area.example/" alt="region"></map><a href="https://open.example/">never closed`
	want := []Link{
		{Href: "https://one.example/", Text: "first link", Tag: "a"},
		{Href: "https://hidden.example/", Text: "hidden", Hidden: true, Tag: "a"},
		{Href: "https://img.example/", Text: "[image: logo ⟨l.png⟩ not loaded]", Tag: "a"},
		{Href: "https://area.example/", Text: "region", Tag: "area"},
		{Href: "https://open.example/", Text: "never closed", Tag: "a"},
	}
	got := HTMLLinks(in + strings.Repeat(" long", 1000) + "</a>")
	want[len(want)-1].Text = capBytes("never closed"+strings.Repeat(" long", 1000), maxLinkText)
	if len(got) != len(want) {
		t.Fatalf("got %d links %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestHTMLURLs(t *testing.T) {
	in := `<html><head><title>https://title.example/</title><style>a{background:url(https://css.example/)}</style></head>
<body><p>Visit https://text.example/path now</p><a href="https://a.example/">click</a>
<img src="https://img.example/p.gif"><span style="display:none"><img src=https://hidden-img.example/></span>
<form action="https://form.example/post"><input name=pw></form><iframe src="https://frame.example/">x</iframe>
<object data="https://object.example/"></object><script>var u="https://script.example/"</script></body>`
	refs, text := HTMLURLs(in)
	var got []string
	for _, r := range refs {
		s := r.Tag + " " + r.Href
		if r.Hidden {
			s += " hidden"
		}
		got = append(got, s)
	}
	want := []string{"a https://a.example/", "img https://img.example/p.gif", "img https://hidden-img.example/ hidden",
		"form https://form.example/post", "iframe https://frame.example/", "object https://object.example/"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("refs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(text, "https://text.example/path") {
		t.Errorf("text %q lacks the URL written in it", text)
	}
	for _, bad := range []string{"title.example", "css.example", "script.example"} {
		if strings.Contains(text, bad) {
			t.Errorf("text %q holds %s, which the recipient does not see", text, bad)
		}
	}
}
