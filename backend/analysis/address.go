package analysis

import (
	"net/mail"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Field is one header field as it stood in the message, unfolded but not
// decoded. Lists of fields keep the message's order and duplicates.
type Field struct {
	Name  string
	Value string
}

// firstField returns the value of the first field called name.
func firstField(fields []Field, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Address is a mailbox taken from an address header. Both parts are
// untrusted and NOT safe to display.
type Address struct {
	Name    string `json:"name,omitempty"` // display name, RFC 2047-decoded
	Address string `json:"address"`        // local@domain, as given
	Domain  string `json:"domain"`         // lower case, ASCII (xn--) form
}

// ParseAddress takes the first mailbox from a From-like header value. It
// accepts what net/mail refuses (unquoted specials in display names, bare
// addresses in angle brackets after garbage) because a sender that wants
// to mislead does not follow RFC 5322, and the analyst still needs the
// address.
func ParseAddress(v string) Address {
	v = DecodeHeader(capString(v, maxLine))
	if a, err := mail.ParseAddress(v); err == nil {
		return Address{Name: a.Name, Address: a.Address, Domain: DomainOf(a.Address)}
	}
	var a Address
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		rest := v[i+1:]
		if j := strings.IndexByte(rest, '>'); j >= 0 {
			a.Address = strings.TrimSpace(rest[:j])
			a.Name = strings.Trim(strings.TrimSpace(v[:i]), `"`)
		}
	}
	if a.Address == "" {
		for _, w := range strings.Fields(v) {
			if strings.Contains(w, "@") {
				a.Address = strings.Trim(w, `<>"',;()`)
				break
			}
		}
		if a.Address == "" {
			a.Name = strings.TrimSpace(v)
		}
	}
	a.Domain = DomainOf(a.Address)
	return a
}

// DomainOf returns the domain of an address or a bare domain, in lower
// case and ASCII (xn--) form, without brackets, trailing dots or angle
// brackets. It returns "" when there is nothing that looks like a domain.
func DomainOf(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "<>")
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Trim(strings.TrimSpace(s), ".[]")
	if s == "" || strings.ContainsAny(s, " \t<>()\"\\;,") {
		return ""
	}
	return asciiHost(s)
}

// asciiHost lowers host and converts it to its xn-- form when possible.
func asciiHost(host string) string {
	host = strings.ToLower(host)
	if ascii, err := idna.Lookup.ToASCII(host); err == nil && ascii != "" {
		return ascii
	}
	if ascii, err := idna.Punycode.ToASCII(host); err == nil && ascii != "" {
		return ascii
	}
	return host
}

// OrgDomain returns the registrable domain (eTLD+1) of domain, as used for
// relaxed DMARC alignment: "mail.paypal.co.uk" → "paypal.co.uk". A domain
// that is itself a public suffix, or that cannot be parsed, is returned
// as it is.
func OrgDomain(domain string) string {
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	if domain == "" {
		return ""
	}
	if org, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil {
		return org
	}
	return domain
}

// capString cuts s to at most n bytes (not at a rune boundary: callers
// treat the result as bytes or sanitize it).
func capString(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
