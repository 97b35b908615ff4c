package analysis

import (
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"mvdan.cc/xurls/v2"
)

// URL is one distinct URL found in a message. Nothing is fetched or
// resolved. Every string is untrusted and NOT safe to display.
type URL struct {
	URL    string `json:"url"` // as found (a data: URL summarised)
	Scheme string `json:"scheme"`
	// Host is the host in lower-case ASCII (xn--) form; HostUnicode is
	// its Unicode form when that differs, as a browser would show it.
	Host        string `json:"host,omitempty"`
	HostUnicode string `json:"host_unicode,omitempty"`
	Domain      string `json:"domain,omitempty"` // registrable domain (eTLD+1)
	IsIP        bool   `json:"is_ip,omitempty"`
	// Userinfo is set for "https://paypal.com@evil.example/": what stands
	// before the @ is not the host.
	Userinfo bool `json:"userinfo,omitempty"`
	// Found is text, html, both (text and HTML bodies) or header.
	Found string `json:"found"`
	// Where lists each place in detail: text, html:a, html:img, html:form,
	// html:iframe, html:text (written out in the HTML's text),
	// header:list-unsubscribe, …
	Where []string `json:"where"`
	Count int      `json:"count"`
	// Texts are the distinct visible texts of links to this URL (up to 5).
	Texts []string `json:"texts,omitempty"`
	// TextMismatch is a link text that names another registrable domain
	// than the link really goes to (after unwrapping a rewriter).
	TextMismatch string `json:"text_mismatch,omitempty"`
	Hidden       bool   `json:"hidden,omitempty"` // in an element the recipient would not see
	// Wrapped describes a URL rewritten by a mail gateway or redirector.
	Wrapped  *Wrapped `json:"wrapped,omitempty"`
	Defanged string   `json:"defanged"`
}

// URLInput is what ExtractURLs reads.
type URLInput struct {
	Text   string
	HTML   string
	Header []Field // scanned: Subject and List-* fields
}

const (
	maxLinkTexts = 5
	// maxMismatchText caps the link text searched for a domain.
	maxMismatchText = 256
)

var strictRe = sync.OnceValue(func() *regexp.Regexp { return xurls.Strict() })

const (
	// maxCandidate caps the bytes after a scheme's colon searched for one
	// URL.
	maxCandidate = 8 << 10
	// regexBudget caps the bytes given to the URL pattern per message.
	// Go's regexp runs xurls' pattern at only 1–2 MB/s, so it only ever
	// sees the tokens around "://" and "mailto:", each distinct token
	// once, and no more than this in all.
	regexBudget = 1 << 20
)

// ExtractURLs returns the distinct URLs of a message in the order first
// seen: header fields, then the text body, then the HTML body (link
// targets, sources, form actions, and URLs written out in its text). At
// most limit URLs are returned (no cap if limit <= 0); omitted counts
// the occurrences of the others. complete is false when the search was
// cut short because the message holds more URL text than is searched
// (1 MiB).
func ExtractURLs(in URLInput, limit int) (urls []URL, omitted int, complete bool) {
	c := urlCollector{index: map[string]int{}, limit: limit, cache: map[string][]string{}, budget: regexBudget}
	for _, f := range in.Header {
		name := strings.ToLower(f.Name)
		if name == "subject" || strings.HasPrefix(name, "list-") {
			c.scan(capString(f.Value, 64<<10), "header:"+name)
		}
	}
	c.scan(in.Text, "text")
	if in.HTML != "" {
		refs, text := HTMLURLs(in.HTML)
		for _, r := range refs {
			if hasScheme(r.Href) {
				c.add(r.Href, "html:"+r.Tag, r)
			}
		}
		c.scan(text, "html:text")
	}
	for i := range c.urls {
		c.urls[i].Found = found(c.urls[i].Where)
	}
	return c.urls, c.omitted, !c.exhausted
}

type urlCollector struct {
	urls    []URL
	index   map[string]int
	limit   int
	omitted int

	cache     map[string][]string // candidate token → URLs in it
	budget    int                 // bytes the pattern may still see
	exhausted bool
}

// scan finds the URLs written in s: around each "://" and "mailto:" it
// takes the token (scheme before, up to whitespace or <>"` after) and
// lets the xurls pattern find the URLs in it.
func (c *urlCollector) scan(s, where string) {
	for pos := 0; pos < len(s) && !c.exhausted; {
		i := strings.IndexByte(s[pos:], ':')
		if i < 0 {
			return
		}
		i += pos
		if !strings.HasPrefix(s[i+1:], "//") && (i < 6 || !strings.EqualFold(s[i-6:i], "mailto")) {
			pos = i + 1
			continue
		}
		start := i
		for start > pos && i-start < 32 && isSchemeByte(s[start-1]) {
			start--
		}
		end := i + 1
		for end < len(s) && end-i < maxCandidate && !isURLStop(s[end]) {
			end++
		}
		c.candidate(s[start:end], where)
		pos = end
	}
}

func (c *urlCollector) candidate(tok, where string) {
	urls, ok := c.cache[tok]
	if !ok {
		if c.budget -= len(tok); c.budget < 0 {
			c.exhausted = true
			return
		}
		urls = strictRe().FindAllString(tok, -1)
		c.cache[tok] = urls
	}
	for _, u := range urls {
		c.add(u, where, Link{})
	}
}

func isSchemeByte(c byte) bool {
	return isAlpha(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

// isURLStop reports the bytes that end a URL token: ASCII whitespace and
// controls, and the delimiters <, >, " and `.
func isURLStop(c byte) bool {
	return c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '`'
}

func (c *urlCollector) add(raw, where string, link Link) {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(strings.ToLower(raw), "data:") {
		raw = shownURL(raw)
	}
	key := urlKey(raw)
	i, ok := c.index[key]
	if !ok {
		if c.limit > 0 && len(c.urls) >= c.limit {
			c.omitted++
			return
		}
		i = len(c.urls)
		c.index[key] = i
		c.urls = append(c.urls, newURL(raw))
	}
	u := &c.urls[i]
	u.Count++
	if !slices.Contains(u.Where, where) {
		u.Where = append(u.Where, where)
	}
	u.Hidden = u.Hidden || link.Hidden
	if link.Tag == "a" || link.Tag == "area" {
		u.addText(link.Text)
	}
}

func (u *URL) addText(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	if len(u.Texts) < maxLinkTexts && !slices.Contains(u.Texts, text) {
		u.Texts = append(u.Texts, text)
	}
	if u.TextMismatch != "" {
		return
	}
	target := u.Domain
	if u.Wrapped != nil {
		if u.Wrapped.Original == "" {
			return // the real target is unknown here
		}
		target = u.Wrapped.OriginalDomain
	}
	if d := namedDomain(text); d != "" && target != "" && d != target {
		u.TextMismatch = text
	}
}

// namedDomain returns the registrable domain of the first URL, address or
// domain name (with a public suffix) written in a link text, or "". The
// "[image … ⟨src⟩ not loaded]" notes of the renderer are not link text.
func namedDomain(text string) string {
	for {
		i := strings.Index(text, "⟨")
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "⟩")
		if j < 0 {
			break
		}
		text = text[:i] + " " + text[i+j+len("⟩"):]
	}
	text = capString(text, maxMismatchText)
	if !strings.Contains(text, ".") {
		return ""
	}
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("<>()[]{}\"'`,;!|", r)
	}) {
		tok = strings.Trim(tok, ".:?")
		var host string
		switch {
		case strings.Contains(tok, "://") || len(tok) > 7 && strings.EqualFold(tok[:7], "mailto:"):
			_, host, _ = splitURL(tok)
		case strings.Contains(tok, "@"):
			host = DomainOf(tok)
		default:
			h, _, _ := strings.Cut(tok, "/")
			host = DomainOf(h)
		}
		if !strings.Contains(host, ".") {
			continue
		}
		if suffix, icann := publicsuffix.PublicSuffix(host); !icann || suffix == host {
			continue
		}
		return OrgDomain(host)
	}
	return ""
}

func found(where []string) string {
	var text, html, header bool
	for _, w := range where {
		switch {
		case w == "text":
			text = true
		case strings.HasPrefix(w, "html"):
			html = true
		default:
			header = true
		}
	}
	switch {
	case text && html:
		return "both"
	case text:
		return "text"
	case html:
		return "html"
	case header:
		return "header"
	}
	return ""
}

// urlKey is the deduplication key: scheme and host in lower case, a
// trailing slash on an empty path dropped.
func urlKey(raw string) string {
	scheme, host, rest := splitURL(raw)
	if scheme == "" {
		return raw
	}
	if rest == "/" {
		rest = ""
	}
	return strings.ToLower(scheme) + "://" + host + rest
}

func hasScheme(u string) bool {
	scheme, _, _ := splitURL(u)
	switch scheme {
	case "", "cid", "about", "tel", "sms", "callto", "mid":
		return false
	}
	return true
}

func newURL(raw string) URL {
	scheme, host, _ := splitURL(raw)
	u := URL{URL: raw, Scheme: scheme, Defanged: Defang(raw)}
	u.Userinfo = hasUserinfo(raw)
	if host != "" {
		u.Host = host
		if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
			u.IsIP = true
			u.Host = ip.String()
		} else {
			u.Domain = OrgDomain(host)
			if uni := unicodeHost(host); uni != host {
				u.HostUnicode = uni
			}
		}
	}
	u.Wrapped = unwrap(raw)
	return u
}

// splitURL splits u leniently, as a browser would read it: the scheme in
// lower case, the host in lower-case ASCII without port and userinfo
// (for mailto:, the domain of the address), and what follows the host.
func splitURL(u string) (scheme, host, rest string) {
	i := strings.IndexByte(u, ':')
	if i <= 0 || !isScheme(u[:i]) {
		return "", "", u
	}
	scheme = strings.ToLower(u[:i])
	after := u[i+1:]
	if scheme == "mailto" {
		addr, _, _ := strings.Cut(after, "?")
		if d := DomainOf(unescape(addr)); d != "" {
			return scheme, d, ""
		}
		return scheme, "", after
	}
	after = strings.TrimLeft(after, "/\\")
	if len(after) == len(u[i+1:]) {
		return scheme, "", after // "javascript:…", "data:…": no authority
	}
	end := strings.IndexAny(after, "/\\?#")
	if end < 0 {
		end = len(after)
	}
	auth, rest := after[:end], after[end:]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		auth = auth[at+1:]
	}
	if strings.HasPrefix(auth, "[") {
		if j := strings.IndexByte(auth, ']'); j > 0 {
			auth = auth[:j+1]
		}
	} else if j := strings.LastIndexByte(auth, ':'); j >= 0 {
		auth = auth[:j]
	}
	auth = strings.TrimSuffix(unescape(auth), ".")
	if auth == "" {
		return scheme, "", rest
	}
	if strings.HasPrefix(auth, "[") {
		return scheme, strings.ToLower(auth), rest
	}
	return scheme, asciiHost(auth), rest
}

func isScheme(s string) bool {
	if len(s) > 32 || s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func hasUserinfo(u string) bool {
	i := strings.Index(u, "://")
	if i < 0 {
		return false
	}
	after := u[i+3:]
	end := strings.IndexAny(after, "/\\?#")
	if end < 0 {
		end = len(after)
	}
	return strings.Contains(after[:end], "@")
}

// unicodeHost returns the Unicode form of an ASCII host, as a browser's
// address bar would show it.
func unicodeHost(host string) string {
	if !strings.Contains(host, "xn--") {
		return host
	}
	if u, err := idna.Display.ToUnicode(host); err == nil {
		return u
	}
	if u, err := idna.Punycode.ToUnicode(host); err == nil {
		return u
	}
	return host
}

// URLHost returns the scheme and host of u, read leniently as a browser
// would: lower case, ASCII (xn--) form, without userinfo and port.
func URLHost(u string) (scheme, host string) {
	scheme, host, _ = splitURL(u)
	return scheme, host
}
