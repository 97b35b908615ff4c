package analysis

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CampaignKeys are the values that group messages of one campaign: two
// reports sharing any key are worth looking at together.
type CampaignKeys struct {
	Subject string `json:"subject"` // NormalizeSubject(subject, false)
	// SubjectPattern is the subject with every run of digits as "#", for
	// campaigns that number their messages.
	SubjectPattern   string   `json:"subject_pattern"`
	Sender           string   `json:"sender,omitempty"`        // lower-case address
	SenderDomain     string   `json:"sender_domain,omitempty"` // registrable domain
	ReplyTo          string   `json:"reply_to,omitempty"`
	URLDomains       []string `json:"url_domains,omitempty"` // registrable domains (or IPs), sorted
	AttachmentSHA256 []string `json:"attachment_sha256,omitempty"`
}

// subjectTags are the reply/forward prefixes of many languages and the
// banners gateways put in front of subjects.
var subjectTags = []string{
	"re:", "fw:", "fwd:", "aw:", "wg:", "sv:", "vs:", "tr:", "rv:", "antw:", "doorst:", "r:", "ref:", "enc:", "odp:", "rif:", "i:",
	"[external]", "[ext]", "external:", "[external email]", "*external*", "[external sender]", "[extern]", "extern:",
	"[suspicious]", "[spam]", "[possible spam]", "***spam***", "[phishing]", "[warning]", "[caution]", "caution:",
}

// NormalizeSubject reduces a decoded subject to a campaign key: lower
// case, invisible characters dropped, reply/forward prefixes and gateway
// banners stripped however often they repeat, whitespace collapsed; with
// numbers, runs of digits become "#".
func NormalizeSubject(s string, numbers bool) string {
	s = capString(s, maxLine)
	var b strings.Builder
	b.Grow(len(s))
	digits := false
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			continue // an invalid byte, not a real U+FFFD
		case isInvisible(r), unicode.IsControl(r) && !unicode.IsSpace(r):
			continue
		case unicode.IsSpace(r):
			r = ' '
		case numbers && unicode.IsDigit(r):
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(unicode.ToLower(r))
	}
	s = strings.Join(strings.Fields(b.String()), " ")
	for changed := true; changed; {
		changed = false
		for _, tag := range subjectTags {
			if strings.HasPrefix(s, tag) {
				s = strings.TrimSpace(s[len(tag):])
				changed = true
			}
		}
		// "Re[2]:", "RE(3):", "re#:"
		if i := strings.IndexByte(s, ':'); i > 2 && i < 8 && (s[:2] == "re" || s[:2] == "fw") {
			if inner := strings.Trim(s[2:i], "[]()#0123456789"); inner == "" {
				s = strings.TrimSpace(s[i+1:])
				changed = true
			}
		}
	}
	// Lowering may lengthen a few letters: cap the result, so that a
	// normalised subject is its own normal form.
	return strings.TrimSpace(capBytesRune(s, maxLine))
}

// capBytesRune cuts s to at most n bytes at a rune boundary.
func capBytesRune(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Campaign computes the campaign keys of one message.
func Campaign(subject string, from, replyTo Address, urls []URL, atts []Attachment) CampaignKeys {
	k := CampaignKeys{
		Subject:        NormalizeSubject(subject, false),
		SubjectPattern: NormalizeSubject(subject, true),
		Sender:         strings.ToLower(from.Address),
		SenderDomain:   OrgDomain(from.Domain),
		ReplyTo:        strings.ToLower(replyTo.Address),
	}
	for _, u := range urls {
		d := u.Domain
		if u.IsIP {
			d = u.Host
		}
		if u.Wrapped != nil && u.Wrapped.OriginalDomain != "" {
			d = u.Wrapped.OriginalDomain
		}
		if d != "" {
			k.URLDomains = append(k.URLDomains, d)
		}
	}
	for _, a := range atts {
		k.AttachmentSHA256 = append(k.AttachmentSHA256, a.SHA256)
	}
	slices.Sort(k.URLDomains)
	k.URLDomains = slices.Compact(k.URLDomains)
	slices.Sort(k.AttachmentSHA256)
	k.AttachmentSHA256 = slices.Compact(k.AttachmentSHA256)
	return k
}

// Keys returns the keys as "kind:value" strings, for an index that maps
// each key to the messages carrying it. Empty values are left out.
func (k CampaignKeys) Keys() []string {
	var out []string
	add := func(kind, v string) {
		if v != "" {
			out = append(out, kind+":"+v)
		}
	}
	add("subject", k.Subject)
	add("subject_pattern", k.SubjectPattern)
	add("sender", k.Sender)
	add("sender_domain", k.SenderDomain)
	add("reply_to", k.ReplyTo)
	for _, d := range k.URLDomains {
		add("url_domain", d)
	}
	for _, h := range k.AttachmentSHA256 {
		add("sha256", h)
	}
	return out
}
