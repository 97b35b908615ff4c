package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func urlsByKey(urls []URL) map[string]URL {
	m := map[string]URL{}
	for _, u := range urls {
		m[u.URL] = u
	}
	return m
}

func TestExtractURLs(t *testing.T) {
	in := URLInput{
		Header: []Field{
			{Name: "List-Unsubscribe", Value: "<https://unsub.example/u?id=1>, <mailto:unsub@lists.example>"},
			{Name: "Received", Value: "from https://not-scanned.example/"},
		},
		Text: "Log in at https://login.example/verify or https://LOGIN.example/verify.\n" +
			"Also see https://paypal.com@evil.example/x and https://xn--pypal-4ve.com/.",
		HTML: `<p>Log in: <a href="https://login.example/verify">https://www.paypal.com/signin</a>
<a href="https://shop.example/a">Click here</a> <a href="https://www.paypal.com/x">PayPal.com</a>
<a href="mailto:billing@evil.example">billing@paypal.com</a> <a href="#top">top</a> <a href="/relative">rel</a>
<span style="display:none"><img src="https://track.example/p.gif"></span>
<a href="https://shop.example/a"><img src="https://cdn.other.example/logo.png" alt="logo"></a>
<a href="javascript:alert(1)">js</a></p>`,
	}
	urls, omitted, _ := ExtractURLs(in, 0)
	if omitted != 0 {
		t.Errorf("omitted %d", omitted)
	}
	var order []string
	for _, u := range urls {
		order = append(order, u.URL)
	}
	want := []string{
		"https://unsub.example/u?id=1", "mailto:unsub@lists.example",
		"https://login.example/verify", "https://paypal.com@evil.example/x", "https://xn--pypal-4ve.com/",
		"https://shop.example/a", "https://www.paypal.com/x", "mailto:billing@evil.example",
		"https://track.example/p.gif", "https://cdn.other.example/logo.png", "javascript:alert(1)",
		"https://www.paypal.com/signin",
	}
	if !slices.Equal(order, want) {
		t.Fatalf("URLs\n%s\nwant\n%s", strings.Join(order, "\n"), strings.Join(want, "\n"))
	}
	m := urlsByKey(urls)
	for _, tt := range []struct {
		url, found, mismatch, host, domain string
		count                              int
		where                              []string
	}{
		{"https://unsub.example/u?id=1", "header", "", "unsub.example", "unsub.example", 1, []string{"header:list-unsubscribe"}},
		{"https://login.example/verify", "both", "https://www.paypal.com/signin", "login.example", "login.example", 3, []string{"text", "html:a"}},
		{"https://shop.example/a", "html", "", "shop.example", "shop.example", 2, []string{"html:a"}},
		{"https://www.paypal.com/x", "html", "", "www.paypal.com", "paypal.com", 1, []string{"html:a"}},
		{"mailto:billing@evil.example", "html", "billing@paypal.com", "evil.example", "evil.example", 1, []string{"html:a"}},
		{"https://paypal.com@evil.example/x", "text", "", "evil.example", "evil.example", 1, []string{"text"}},
		{"https://www.paypal.com/signin", "html", "", "www.paypal.com", "paypal.com", 1, []string{"html:text"}},
	} {
		u := m[tt.url]
		if u.Found != tt.found || u.TextMismatch != tt.mismatch || u.Host != tt.host || u.Domain != tt.domain ||
			u.Count != tt.count || !slices.Equal(u.Where, tt.where) {
			t.Errorf("%s: got found=%q mismatch=%q host=%q domain=%q count=%d where=%v\nwant found=%q mismatch=%q host=%q domain=%q count=%d where=%v",
				tt.url, u.Found, u.TextMismatch, u.Host, u.Domain, u.Count, u.Where,
				tt.found, tt.mismatch, tt.host, tt.domain, tt.count, tt.where)
		}
	}
	if u := m["https://paypal.com@evil.example/x"]; !u.Userinfo {
		t.Errorf("userinfo trick not flagged: %+v", u)
	}
	if u := m["https://xn--pypal-4ve.com/"]; u.HostUnicode != "pаypal.com" {
		t.Errorf("punycode host shown as %q, want the Cyrillic form", u.HostUnicode)
	}
	if u := m["https://track.example/p.gif"]; !u.Hidden {
		t.Errorf("image in a hidden span not marked hidden")
	}
	if u := m["https://shop.example/a"]; !slices.Equal(u.Texts, []string{"Click here", "[image: logo ⟨https://cdn.other.example/logo.png⟩ not loaded]"}) || u.TextMismatch != "" {
		t.Errorf("texts %q mismatch %q", u.Texts, u.TextMismatch)
	}
}

func TestExtractURLsUnicodeHost(t *testing.T) {
	urls, _, _ := ExtractURLs(URLInput{HTML: `<a href="https://pаypal.com/login">x</a>`}, 0)
	if len(urls) != 1 || urls[0].Host != "xn--pypal-4ve.com" || urls[0].HostUnicode != "pаypal.com" {
		t.Errorf("got %+v", urls)
	}
}

func TestExtractURLsLimit(t *testing.T) {
	urls, omitted, _ := ExtractURLs(URLInput{Text: "https://a.example/ https://b.example/ https://c.example/ https://c.example/ https://a.example/"}, 2)
	if len(urls) != 2 || omitted != 2 || urls[0].Count != 2 {
		t.Errorf("got %d URLs, %d omitted, first counted %d times", len(urls), omitted, urls[0].Count)
	}
}

func FuzzURLs(f *testing.F) {
	f.Add("see https://a.example/x and http://[::1]:80/", `<a href="https://b.example/">https://c.example</a><img src=//d.example/>`)
	f.Add("https://urldefense.com/v3/__https://x.example/**A__;JiY!!t$", `<form action="https://eur01.safelinks.protection.outlook.com/?url=x">`)
	f.Add("mailto:a@b.example https://xn--80ak6aa92e.com/ https://a@b@c.example", `<a href="https://%65vil.example">paypal.com</a>`)
	f.Fuzz(func(t *testing.T, text, html string) {
		urls, _, _ := ExtractURLs(URLInput{Text: text, HTML: html}, 50)
		if len(urls) > 50 {
			t.Fatalf("%d URLs over the limit", len(urls))
		}
		seen := map[string]bool{}
		for _, u := range urls {
			k := urlKey(u.URL)
			if seen[k] {
				t.Errorf("duplicate %q", u.URL)
			}
			seen[k] = true
			if u.Count < 1 || len(u.Where) == 0 || u.Found == "" {
				t.Errorf("incomplete %+v", u)
			}
			if strings.Contains(u.Defanged, "http://") || strings.Contains(u.Defanged, "https://") {
				t.Errorf("Defang(%q) = %q is still live", u.URL, u.Defanged)
			}
		}
	})
}

func TestExtractURLsBudget(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < regexBudget+(1<<20); i++ {
		fmt.Fprintf(&b, "https://u%d.example/%s ", i, strings.Repeat("p", 200))
	}
	urls, omitted, complete := ExtractURLs(URLInput{Text: b.String()}, 100)
	if complete || len(urls) != 100 || omitted == 0 {
		t.Errorf("complete %v, %d URLs, %d omitted", complete, len(urls), omitted)
	}
	// The same URL repeated costs the pattern one look.
	urls, _, complete = ExtractURLs(URLInput{Text: strings.Repeat("https://same.example/x ", 1<<20)}, 100)
	if !complete || len(urls) != 1 || urls[0].Count != 1<<20 {
		t.Errorf("complete %v, %d URLs", complete, len(urls))
	}
}
