package analysis

import (
	"slices"
	"testing"
)

func TestUnwrap(t *testing.T) {
	for _, tt := range []struct {
		in       string
		via      []string
		original string
		api      bool
		hint     string
	}{
		{
			in:       "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2Flogin%3Fa%3D1&data=05%7C01%7C&sdata=x&reserved=0",
			via:      []string{"safelinks"},
			original: "https://evil.example/login?a=1",
		},
		{
			in:       "https://urldefense.proofpoint.com/v2/url?u=http-3A__links.mkt3337.com_ctt-3Fkn-3D3-26ms-3DMzQ3OTg3MDQS1-26r-3DMzkxNzk3NDkwMDA0S0-26b-3D0-26j-3DMTMwMjA1ODYzNQS2-26mt-3D1-26rt-3D0&d=DwMFaQ&c=Vxt5e0Osvvt2gflwSlsJ5DmPGcPvTRKLJyp031rXjhg&r=xx&m=yy&s=zz&e=",
			via:      []string{"proofpoint"},
			original: "http://links.mkt3337.com/ctt?kn=3&ms=MzQ3OTg3MDQS1&r=MzkxNzk3NDkwMDA0S0&b=0&j=MTMwMjA1ODYzNQS2&mt=1&rt=0",
		},
		{
			in:       "https://urldefense.com/v3/__https://google.com:443/search?q=a*test&gs=ps__;Kw!-612Flbf0JvQ3kNJkRi5Jg!Ue6tQudNKaShHg93trcdjqDP8se2ySE65jyCIe2K1D_uNjZ1Lnf6YLQERujngZv9UWf66ujQIQ$",
			via:      []string{"proofpoint"},
			original: "https://google.com:443/search?q=a+test&gs=ps",
		},
		{
			in:       "https://urldefense.com/v3/__https://x.example/a**Bb__;JiYm!!token$",
			via:      []string{"proofpoint"},
			original: "https://x.example/a&&&b",
		},
		{
			in:   "https://protect-eu.mimecast.com/s/AbCdEfGhIjKl?domain=evil.example",
			via:  []string{"mimecast"},
			api:  true,
			hint: "evil.example",
		},
		{
			in:  "https://url.uk.m.mimecastprotect.com/s/XyZ123",
			via: []string{"mimecast"},
			api: true,
		},
		{
			in:  "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fprotect-us.mimecast.com%2Fs%2Fabc&data=x",
			via: []string{"safelinks", "mimecast"},
			api: true,
		},
		{
			in:       "https://www.google.com/url?q=https://evil.example/&sa=D",
			via:      []string{"google_redirect"},
			original: "https://evil.example/",
		},
		{in: "https://www.mimecast.com/s/not-a-rewrite"},
		{in: "https://urldefense.com/v3/__https://x.example/*__;!!broken"},
	} {
		w := unwrap(tt.in)
		if tt.via == nil {
			if w != nil {
				t.Errorf("unwrap(%q) = %+v, want nothing", tt.in, w)
			}
			continue
		}
		if w == nil || !slices.Equal(w.Via, tt.via) || w.Original != tt.original || w.NeedsAPIDecode != tt.api || w.DomainHint != tt.hint {
			t.Errorf("unwrap(%q) = %+v\nwant via %v original %q api %v hint %q", tt.in, w, tt.via, tt.original, tt.api, tt.hint)
		}
	}
}

func TestWrappedLinkTextMismatch(t *testing.T) {
	html := `<a href="https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2F&amp;data=1">https://www.paypal.com/</a>
<a href="https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.paypal.com%2Fx&amp;data=1">paypal.com</a>
<a href="https://protect-eu.mimecast.com/s/abc">https://www.paypal.com/</a>`
	urls, _, _ := ExtractURLs(URLInput{HTML: html}, 0)
	if len(urls) != 4 || urls[3].URL != "https://www.paypal.com/" || urls[3].Where[0] != "html:text" {
		t.Fatalf("got %d URLs, want the three links and the URL written as link text", len(urls))
	}
	if urls[0].TextMismatch == "" {
		t.Errorf("wrapped link to evil.example with paypal text not flagged")
	}
	if urls[1].TextMismatch != "" || urls[2].TextMismatch != "" {
		t.Errorf("flagged %q / %q: the real target matches or is unknown", urls[1].TextMismatch, urls[2].TextMismatch)
	}
}

// TestEveryRewriterUnwrapsItsLinks runs each row of the rewriter table on
// a link of its own and on a look-alike it must leave alone or refuse.
// Every row needs a case here, so a new rewriter cannot come untested.
func TestEveryRewriterUnwrapsItsLinks(t *testing.T) {
	type sample struct {
		link, original, hint string
		needsAPI             bool
	}
	cases := map[string]struct {
		wrapped sample
		refused string // the rewriter's own host, but nothing to unwrap
	}{
		"Microsoft Defender Safe Links (?url=)": {
			wrapped: sample{link: "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2Fa&data=05", original: "https://evil.example/a"},
			refused: "https://nam12.safelinks.protection.outlook.com/?data=05",
		},
		"Proofpoint URL Defense v1 (/v1/url?u=)": {
			wrapped: sample{link: "https://urldefense.proofpoint.com/v1/url?u=http://evil.example/x&k=abc", original: "http://evil.example/x"},
			refused: "https://urldefense.proofpoint.com/v1/url?k=abc",
		},
		"Proofpoint URL Defense v2 (/v2/url?u=, -XX escapes)": {
			wrapped: sample{link: "https://urldefense.proofpoint.com/v2/url?u=https-3A__evil.example_a-3Fb-3D1&d=DwMF", original: "https://evil.example/a?b=1"},
			refused: "https://urldefense.proofpoint.com/v2/url?d=DwMF",
		},
		"Proofpoint URL Defense v3 (urldefense.com/v3/__URL__;…)": {
			wrapped: sample{link: "https://urldefense.com/v3/__https://evil.example/a*b__;Kw!!tok$", original: "https://evil.example/a+b"},
			refused: "https://urldefense.com/v3/__https://evil.example/a*b__;!!tok$",
		},
		"Mimecast URL Protect (/s/…, decoded only by its API)": {
			wrapped: sample{link: "https://protect-us.mimecast.com/s/Qw3rTy?domain=evil.example", hint: "evil.example", needsAPI: true},
			refused: "https://protect-us.mimecast.com/login",
		},
		"Google redirect (google.*/url?q=)": {
			wrapped: sample{link: "https://www.google.co.uk/url?sa=t&url=https://evil.example/", original: "https://evil.example/"},
			refused: "https://www.google.co.uk/url?q=not-a-url",
		},
	}
	for _, r := range rewriters {
		c, ok := cases[r.what]
		if !ok {
			t.Errorf("rewriter %q has no test case", r.what)
			continue
		}
		service, inner, hint, ok := unwrapOnce(c.wrapped.link)
		if !ok || service != r.via || inner != c.wrapped.original || hint != c.wrapped.hint {
			t.Errorf("%s: unwrapOnce(%q) = %q %q %q %v, want %q %q %q", r.what, c.wrapped.link, service, inner, hint, ok, r.via, c.wrapped.original, c.wrapped.hint)
		}
		if w := unwrap(c.wrapped.link); w == nil || w.NeedsAPIDecode != c.wrapped.needsAPI {
			t.Errorf("%s: unwrap(%q) = %+v, needs the API: %v", r.what, c.wrapped.link, w, c.wrapped.needsAPI)
		}
		if w := unwrap(c.refused); w != nil {
			t.Errorf("%s: unwrap(%q) = %+v, want nothing", r.what, c.refused, w)
		}
	}
	if len(cases) != len(rewriters) {
		t.Errorf("%d cases for %d rewriters: a case names no row", len(cases), len(rewriters))
	}
}
