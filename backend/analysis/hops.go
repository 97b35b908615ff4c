package analysis

import (
	"net/mail"
	"net/netip"
	"strings"
	"time"
)

// Hop is one Received field: one server handing the message to the next.
// Every string is untrusted: any server on the way, and the sender for the
// oldest hops, could write what it liked.
type Hop struct {
	Index int    `json:"index"`          // 1 for the oldest hop
	From  string `json:"from,omitempty"` // the sending host as named in "from NAME"
	Helo  string `json:"helo,omitempty"` // the name the sender gave in HELO/EHLO
	RDNS  string `json:"rdns,omitempty"` // the receiver's reverse lookup of the sender's IP
	IP    string `json:"ip,omitempty"`
	// IPClass is public, private, loopback, link_local, cgnat, reserved,
	// multicast or unspecified; "" when no IP is stated.
	IPClass string    `json:"ip_class,omitempty"`
	By      string    `json:"by,omitempty"`
	With    string    `json:"with,omitempty"` // protocol: SMTP, ESMTPS, HTTPS, …
	ID      string    `json:"id,omitempty"`
	For     string    `json:"for,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	// DelaySeconds is the time from this hop to the next newer one; nil
	// when either has no usable time or this is the newest hop.
	DelaySeconds *int64 `json:"delay_seconds,omitempty"`
	// Flags: backwards_time (this hop is stamped before the hop that sent
	// it), non_public_ip (a private or reserved address between public
	// hops), helo_mismatch, may_be_forged (the receiver said so),
	// no_date, unparsed_date.
	Flags []string `json:"flags,omitempty"`
	Raw   string   `json:"raw"`
}

// Hop flags.
const (
	FlagBackwardsTime = "backwards_time"
	FlagNonPublicIP   = "non_public_ip"
	FlagHeloMismatch  = "helo_mismatch"
	FlagMayBeForged   = "may_be_forged"
	FlagNoDate        = "no_date"
	FlagUnparsedDate  = "unparsed_date"
)

const (
	// maxHops caps the Received fields read. The newest ones are kept:
	// they were added by servers nearer to us and are more trustworthy.
	maxHops        = 100
	maxReceivedLen = 8 << 10
	maxHopTokens   = 256
)

// Hops parses the Received fields among fields (topmost first, as in the
// message) and returns the hops oldest first.
func Hops(fields []Field) []Hop {
	var raw []string
	for _, f := range fields {
		if strings.EqualFold(f.Name, "Received") && len(raw) < maxHops {
			raw = append(raw, f.Value)
		}
	}
	hops := make([]Hop, len(raw))
	for i, v := range raw {
		h := ParseReceived(v)
		h.Index = len(raw) - i
		hops[len(raw)-1-i] = h
	}
	for i := 0; i+1 < len(hops); i++ {
		a, b := &hops[i], &hops[i+1]
		if a.Time.IsZero() || b.Time.IsZero() {
			continue
		}
		d := int64(b.Time.Sub(a.Time) / time.Second)
		a.DelaySeconds = &d
		if d < 0 {
			b.Flags = append(b.Flags, FlagBackwardsTime)
		}
	}
	markNonPublic(hops)
	return hops
}

// markNonPublic flags private and reserved addresses between the first
// and the last hop with a public address. Before the first public hop is
// the sender's own network and after the last one ours; in between, such
// an address means a made-up Received field.
func markNonPublic(hops []Hop) {
	first, last := -1, -1
	for i, h := range hops {
		if h.IPClass == "public" {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	for i := first + 1; i < last; i++ {
		if c := hops[i].IPClass; c != "" && c != "public" {
			hops[i].Flags = append(hops[i].Flags, FlagNonPublicIP)
		}
	}
}

// ParseReceived parses one Received field value. It never fails: what it
// cannot place is left out, and Raw keeps the whole value.
func ParseReceived(v string) Hop {
	v = capString(v, maxReceivedLen)
	h := Hop{Raw: v}
	clauses, date := receivedClauses(v)
	if date == "" {
		h.Flags = append(h.Flags, FlagNoDate)
	} else if t, ok := parseDate(date); ok {
		h.Time = t
	} else {
		h.Flags = append(h.Flags, FlagUnparsedDate)
	}
	for _, c := range clauses {
		switch c.key {
		case "from":
			h.from(c)
		case "by":
			h.By = c.first()
		case "with":
			h.With = c.first()
		case "id":
			h.ID = c.first()
		case "for":
			h.For = strings.Trim(c.first(), "<>")
		}
	}
	if h.IP != "" {
		h.IPClass = IPClass(h.IP)
	}
	return h
}

// from interprets "from NAME (COMMENT)". There are two conventions:
//
//	Postfix, sendmail, Gmail: from HELO (RDNS [IP])
//	Exim, qmail:              from RDNS ([IP] helo=HELO) / from RDNS (HELO helo) (IP)
//
// Exchange writes "from NAME (IP)". The second form is recognised by a
// helo= or HELO inside the comment.
func (h *Hop) from(c clause) {
	name := c.first()
	h.From = name
	comment := strings.Join(c.comments, " ")
	if strings.Contains(strings.ToLower(comment), "may be forged") {
		h.Flags = append(h.Flags, FlagMayBeForged)
	}
	words := strings.Fields(comment)
	helo := ""
	for i, w := range words {
		lw := strings.ToLower(w)
		switch {
		case strings.HasPrefix(lw, "helo="):
			helo = w[5:]
		case (lw == "helo" || lw == "ehlo") && i+1 < len(words):
			helo = words[i+1]
		}
	}
	for _, w := range append(words, name) {
		if ip := hostIP(w); ip != "" {
			h.IP = ip
			break
		}
	}
	knownName := func(s string) string {
		s = strings.TrimSuffix(s, ".")
		if s == "" || strings.EqualFold(s, "unknown") || hostIP(s) != "" || strings.ContainsAny(s, "=[]()") {
			return ""
		}
		return s
	}
	if helo != "" {
		h.Helo = strings.Trim(helo, "[]")
		h.RDNS = knownName(name)
	} else {
		h.Helo = strings.Trim(name, "[]")
		for _, w := range words {
			if hostIP(w) != "" {
				break
			}
			if n := knownName(w); n != "" && strings.Contains(n, ".") {
				h.RDNS = n
				break
			}
		}
	}
	if h.Helo != "" && h.RDNS != "" && hostIP(h.Helo) == "" &&
		!strings.EqualFold(strings.TrimSuffix(h.Helo, "."), h.RDNS) {
		h.Flags = append(h.Flags, FlagHeloMismatch)
	}
}

// hostIP returns the IP address in w, a word such as "[192.0.2.1]",
// "[IPv6:2001:db8::1]", "[192.0.2.1]:25", "192.0.2.1" or "(10.0.0.1)".
func hostIP(w string) string {
	w = strings.Trim(w, "(),;")
	if strings.HasPrefix(w, "[") {
		if i := strings.IndexByte(w, ']'); i > 0 {
			w = w[1:i]
		}
	}
	if len(w) > 5 && strings.EqualFold(w[:5], "ipv6:") {
		w = w[5:]
	}
	if strings.Count(w, ":") == 1 && strings.Contains(w, ".") {
		w, _, _ = strings.Cut(w, ":") // Exchange/qmail "ip:port"
	}
	ip, err := netip.ParseAddr(w)
	if err != nil {
		return ""
	}
	return ip.Unmap().WithZone("").String()
}

var (
	cgnat    = netip.MustParsePrefix("100.64.0.0/10")
	reserved = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("64:ff9b:1::/48"),
		netip.MustParsePrefix("100::/64"),
	}
)

// IPClass classifies an IP address: public, private, loopback,
// link_local, cgnat, reserved (documentation, benchmarking, future use),
// multicast or unspecified. It returns "" if s is not an address.
func IPClass(s string) string {
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	ip = ip.Unmap()
	switch {
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		return "link_local"
	case ip.IsMulticast():
		return "multicast"
	case cgnat.Contains(ip):
		return "cgnat"
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return "reserved"
		}
	}
	return "public"
}

// clause is one "keyword value…" part of a Received field.
type clause struct {
	key      string
	words    []string
	comments []string
}

func (c clause) first() string {
	if len(c.words) > 0 {
		return c.words[0]
	}
	return ""
}

var receivedKeys = map[string]bool{"from": true, "by": true, "via": true, "with": true, "id": true, "for": true}

// receivedClauses splits a Received value into its clauses and the date
// after the last semicolon outside comments.
func receivedClauses(v string) ([]clause, string) {
	semi := -1
	depth := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth = max(depth-1, 0)
		case ';':
			if depth == 0 {
				semi = i
			}
		}
	}
	date := ""
	if semi >= 0 {
		v, date = v[:semi], strings.TrimSpace(v[semi+1:])
	}
	var out []clause
	cur := -1
	tokens := 0
	for s := v; s != "" && tokens < maxHopTokens; tokens++ {
		s = strings.TrimLeft(s, " \t\r\n")
		if s == "" {
			break
		}
		if s[0] == '(' {
			n := commentEnd(s)
			if cur >= 0 {
				out[cur].comments = append(out[cur].comments, s[1:max(n-1, 1)])
			}
			s = s[n:]
			continue
		}
		n := strings.IndexAny(s, " \t\r\n(")
		if n < 0 {
			n = len(s)
		}
		w := s[:n]
		s = s[n:]
		if lw := strings.ToLower(w); receivedKeys[lw] && (cur < 0 || len(out[cur].words) > 0 || len(out[cur].comments) > 0) {
			out = append(out, clause{key: lw})
			cur = len(out) - 1
			continue
		}
		if cur >= 0 {
			out[cur].words = append(out[cur].words, w)
		}
	}
	return out, date
}

// commentEnd returns the length of the comment at the start of s,
// including its parentheses; an unclosed comment runs to the end.
func commentEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05.999999999 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"Mon, 2 Jan 06 15:04:05 -0700",
	time.RFC3339,
}

// parseDate parses a Received date: RFC 5322 and the variants servers
// actually write (fractional seconds, asctime, missing weekday).
func parseDate(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(stripComments(capString(s, 256))), " ")
	if s == "" {
		return time.Time{}, false
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
