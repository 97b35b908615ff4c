package analysis

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// Mail gateways and redirectors rewrite the links of a message so that a
// click passes through them first. Each rewriter below is one row of a
// table: how to recognise its links and how to get the original back,
// locally and only from the link itself. Nothing is fetched.

// Wrapped is what a rewritten URL stands for.
type Wrapped struct {
	// Via lists the rewriters, outermost first: safelinks, proofpoint,
	// mimecast, google_redirect.
	Via []string `json:"via"`
	// Original is the URL decoded locally from the link itself; "" when
	// the link does not carry it.
	Original       string `json:"original,omitempty"`
	OriginalDomain string `json:"original_domain,omitempty"`
	// NeedsAPIDecode is set for Mimecast links (/s/…): the original is
	// held by Mimecast and only its decode-url API can tell it.
	NeedsAPIDecode bool `json:"needs_api_decode,omitempty"`
	// DomainHint is the domain Mimecast appends as ?domain=, when present.
	DomainHint string `json:"domain_hint,omitempty"`
}

// maxUnwrap caps how many rewriters deep a link is unwrapped.
const maxUnwrap = 4

// rewriter is one kind of rewritten link.
type rewriter struct {
	// via is the rewriter's name in Wrapped.Via; variants of one
	// service (Proofpoint v1, v2, v3) share it.
	via string
	// what names the row for people: the service and the link form.
	what string
	// recognise says whether a link is this rewriter's, from its host
	// (lower-case ASCII) and parsed form.
	recognise func(host string, p *url.URL) bool
	// unwrap returns the wrapped URL. inner "" with ok means the service
	// keeps the original (hint: a domain the link names, if any); !ok
	// means the link is the rewriter's but carries nothing readable.
	unwrap func(raw string, p *url.URL) (inner, hint string, ok bool)
}

// rewriters are tried in order; the first that recognises a link decides.
var rewriters = []rewriter{
	{via: "safelinks", what: "Microsoft Defender Safe Links (?url=)", recognise: isSafeLinks, unwrap: queryURL("url")},
	{via: "proofpoint", what: "Proofpoint URL Defense v1 (/v1/url?u=)", recognise: urldefensePath("/v1/url"), unwrap: queryURL("u")},
	{via: "proofpoint", what: "Proofpoint URL Defense v2 (/v2/url?u=, -XX escapes)", recognise: urldefensePath("/v2/url"), unwrap: unwrapProofpointV2},
	{via: "proofpoint", what: "Proofpoint URL Defense v3 (urldefense.com/v3/__URL__;…)", recognise: hostIs("urldefense.com"), unwrap: unwrapProofpointV3},
	{via: "mimecast", what: "Mimecast URL Protect (/s/…, decoded only by its API)", recognise: isMimecastLink, unwrap: mimecastHint},
	{via: "google_redirect", what: "Google redirect (google.*/url?q=)", recognise: isGoogleRedirect, unwrap: googleTarget},
}

// unwrap decodes URLs rewritten by mail gateways and redirectors, locally
// and only from the link itself.
func unwrap(raw string) *Wrapped {
	var w *Wrapped
	cur := raw
	for range maxUnwrap {
		service, inner, hint, ok := unwrapOnce(cur)
		if !ok {
			break
		}
		if w == nil {
			w = &Wrapped{}
		}
		w.Via = append(w.Via, service)
		if inner == "" {
			w.NeedsAPIDecode = true
			w.DomainHint = hint
			w.Original, w.OriginalDomain = "", ""
			break
		}
		cur = inner
		w.Original = inner
		_, host, _ := splitURL(inner)
		w.OriginalDomain = OrgDomain(host)
	}
	return w
}

// unwrapOnce removes one layer: the rewriter's name, the URL it wraps
// (or "" and a domain hint when only the service knows it).
func unwrapOnce(raw string) (service, inner, hint string, ok bool) {
	scheme, host, _ := splitURL(raw)
	if scheme != "http" && scheme != "https" {
		return "", "", "", false
	}
	p, err := url.Parse(raw)
	if err != nil {
		return "", "", "", false
	}
	for _, r := range rewriters {
		if r.recognise(host, p) {
			inner, hint, ok := r.unwrap(raw, p)
			return r.via, inner, hint, ok
		}
	}
	return "", "", "", false
}

func hostIs(want string) func(string, *url.URL) bool {
	return func(host string, _ *url.URL) bool { return host == want }
}

func isSafeLinks(host string, _ *url.URL) bool {
	return strings.HasSuffix(host, ".safelinks.protection.outlook.com") ||
		strings.HasSuffix(host, ".safelinks.protection.office365.us")
}

// urldefensePath recognises urldefense.proofpoint.com links of one version.
func urldefensePath(path string) func(string, *url.URL) bool {
	return func(host string, p *url.URL) bool { return host == "urldefense.proofpoint.com" && p.Path == path }
}

func isMimecastLink(host string, p *url.URL) bool {
	return isMimecast(host) && strings.HasPrefix(p.Path, "/s/")
}

func isGoogleRedirect(host string, p *url.URL) bool {
	return strings.HasPrefix(OrgDomain(host), "google.") && p.Path == "/url"
}

// queryURL unwraps a link that carries the original, as is, in one query
// parameter.
func queryURL(param string) func(string, *url.URL) (string, string, bool) {
	return func(_ string, p *url.URL) (string, string, bool) {
		u := p.Query().Get(param)
		return u, "", u != ""
	}
}

func unwrapProofpointV2(_ string, p *url.URL) (string, string, bool) {
	u := p.Query().Get("u")
	if u == "" {
		return "", "", false
	}
	return proofpointV2(u), "", true
}

func unwrapProofpointV3(raw string, _ *url.URL) (string, string, bool) {
	u, ok := proofpointV3(raw)
	return u, "", ok
}

// mimecastHint: Mimecast keeps the original; the link may name its
// domain in ?domain=.
func mimecastHint(_ string, p *url.URL) (string, string, bool) {
	return "", DomainOf(p.Query().Get("domain")), true
}

// googleTarget reads q= or url=, whichever holds a URL with a scheme.
func googleTarget(_ string, p *url.URL) (string, string, bool) {
	q := p.Query()
	for _, k := range []string{"q", "url"} {
		if u := q.Get(k); hasScheme(u) {
			return u, "", true
		}
	}
	return "", "", false
}

func isMimecast(host string) bool {
	if strings.HasSuffix(host, ".mimecastprotect.com") {
		return true
	}
	if strings.HasSuffix(host, ".mimecast.com") {
		label := strings.TrimSuffix(host, ".mimecast.com")
		return label == "protect" || strings.HasPrefix(label, "protect-")
	}
	return false
}

// proofpointV2 decodes the u= of a urldefense v2 link: "-" stands for "%"
// and "_" for "/", then percent-decoding.
func proofpointV2(u string) string {
	u = strings.NewReplacer("-", "%", "_", "/").Replace(u)
	if d, err := url.PathUnescape(u); err == nil {
		return d
	}
	return u
}

// proofpointV3 decodes "https://urldefense.com/v3/__URL__;BYTES!!…": each
// "*" in URL stands for the next character of base64url(BYTES), and "**X"
// for a run of them whose length X encodes (A=2, B=3, …).
func proofpointV3(raw string) (string, bool) {
	const prefix = "/v3/__"
	i := strings.Index(raw, prefix)
	if i < 0 {
		return "", false
	}
	body := raw[i+len(prefix):]
	end := strings.Index(body, "__;")
	if end < 0 {
		return "", false
	}
	enc, tail := body[:end], body[end+3:]
	b64, _, _ := strings.Cut(tail, "!")
	if d, err := url.PathUnescape(enc); err == nil {
		enc = d
	}
	chars, err := base64URLDecode(b64)
	if err != nil {
		return "", false
	}
	subst := []rune(string(chars))
	const runAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b strings.Builder
	next := 0
	for j := 0; j < len(enc); j++ {
		if enc[j] != '*' {
			b.WriteByte(enc[j])
			continue
		}
		n := 1
		if j+2 < len(enc) && enc[j+1] == '*' {
			k := strings.IndexByte(runAlphabet, enc[j+2])
			if k < 0 {
				return "", false
			}
			n = k + 2
			j += 2
		}
		if next+n > len(subst) {
			return "", false
		}
		b.WriteString(string(subst[next : next+n]))
		next += n
	}
	return b.String(), true
}

// base64URLDecode decodes URL-safe base64 with or without padding.
func base64URLDecode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
