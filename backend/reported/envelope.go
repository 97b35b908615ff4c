package reported

import (
	"mime"
	"net/mail"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	mtmail "github.com/mailtriage/mailtriage/backend/mail"
)

// Envelope is the reported original's envelope, read from its own header:
// what the list shows for a report and what actions on it aim at (its
// sender, its Message-ID), never the reporter's. UID and flags are the
// report's, from base.
func (o Original) Envelope(base mtmail.Envelope) mtmail.Envelope {
	p := o.Parsed
	if p == nil {
		p = mtmail.ParseMessage(o.Raw)
	}
	env := mtmail.Envelope{UID: base.UID, Flags: base.Flags, Size: base.Size, Received: base.Received}
	for _, f := range p.Header {
		switch strings.ToLower(f.Name) {
		case "from":
			if a := analysis.ParseAddress(f.Value); a.Address != "" {
				env.From = []mtmail.Address{{Name: a.Name, Addr: a.Address}}
			}
		case "reply-to":
			if a := analysis.ParseAddress(f.Value); a.Address != "" {
				env.ReplyTo = []mtmail.Address{{Name: a.Name, Addr: a.Address}}
			}
		case "to":
			env.To = append(env.To, addresses(f.Value)...)
		case "subject":
			if env.Subject == "" {
				env.Subject = decodeWords(f.Value)
			}
		case "message-id":
			env.MessageID = strings.TrimSpace(f.Value)
		case "date":
			if t, err := mail.ParseDate(strings.TrimSpace(f.Value)); err == nil {
				env.Date = t
			}
		}
	}
	if env.Date.IsZero() {
		env.Date = base.Date
	}
	return env
}

// addresses parses an address list leniently: what net/mail refuses is
// tried one comma-separated piece at a time.
func addresses(v string) []mtmail.Address {
	if list, err := mail.ParseAddressList(v); err == nil {
		out := make([]mtmail.Address, len(list))
		for i, a := range list {
			out[i] = mtmail.Address{Name: a.Name, Addr: a.Address}
		}
		return out
	}
	var out []mtmail.Address
	for _, piece := range strings.Split(v, ",") {
		if a := analysis.ParseAddress(piece); a.Address != "" {
			out = append(out, mtmail.Address{Name: a.Name, Addr: a.Address})
		}
	}
	return out
}

func decodeWords(s string) string {
	var dec mime.WordDecoder
	if d, err := dec.DecodeHeader(s); err == nil {
		return d
	}
	return s
}
