// Package reported recognises reports: messages in which a colleague (or a
// feedback loop) hands the SOC a suspicious message, and finds the
// reported original in them — an attached message/rfc822 part, an Outlook
// .msg attachment, an inline forward or an ARF feedback report.
//
// Every function here is pure and bounded: the input is hostile, so sizes,
// counts and nesting are capped, and nothing a message points at is ever
// fetched.
package reported

import (
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	mtmail "github.com/mailtriage/mailtriage/backend/mail"
)

// Kind is how a report carries its original.
type Kind string

// The kinds of report.
const (
	KindRFC822 Kind = "rfc822" // an attached message/rfc822 part (.eml)
	KindMsg    Kind = "msg"    // an attached Outlook .msg
	KindInline Kind = "inline" // forwarded inline, in the report's text
	KindARF    Kind = "arf"    // an RFC 5965 feedback report
)

// Original is one reported message.
type Original struct {
	Kind Kind
	// Raw is the original as an RFC 5322 message: as attached for rfc822
	// and ARF, synthesised for msg and inline (see Synthetic).
	Raw []byte
	// Name is the attachment's file name, as the reporter's client wrote
	// it ("" for inline forwards).
	Name string
	// Synthetic says that mailtriage built Raw: from a .msg's properties,
	// or from an inline forward. Raw then carries SynthesisedHeader.
	Synthetic bool
	// Reconstructed says that the headers are partial: only what the
	// forwarding client quoted (inline forwards, ARF header-only reports).
	Reconstructed bool
	// Notes say what could not be read or what a limit left out.
	Notes []string
	// Parsed is Raw parsed, for the primary original only (Recognize
	// parses it for the case key; callers need not parse it again).
	Parsed *mtmail.Parsed
}

// Feedback holds the machine-readable part of an ARF report (RFC 5965).
type Feedback struct {
	Type             string   `json:"feedback_type"`
	UserAgent        string   `json:"user_agent,omitempty"`
	OriginalMailFrom string   `json:"original_mail_from,omitempty"`
	OriginalRcptTo   []string `json:"original_rcpt_to,omitempty"`
	ArrivalDate      string   `json:"arrival_date,omitempty"`
	SourceIP         string   `json:"source_ip,omitempty"`
	ReportedDomain   []string `json:"reported_domain,omitempty"`
	ReportedURI      []string `json:"reported_uri,omitempty"`
	Incidents        string   `json:"incidents,omitempty"`
}

// Report is a recognised report. Every string is untrusted: sanitize
// before display.
type Report struct {
	Kind Kind // the primary original's
	// Originals lists every reported original found, the primary first.
	Originals []Original
	// ReporterName and ReporterAddress are the report's From.
	ReporterName    string
	ReporterAddress string
	Subject         string // the report's own subject, decoded
	// Comment is the reporter's own text: the report's text part (for
	// inline forwards, what stands above the forwarded block), trimmed
	// and at most MaxComment bytes.
	Comment string
	// Reconstructed is the primary original's Reconstructed.
	Reconstructed bool
	// CaseKey groups reports of one original: "mid:" and the original's
	// Message-ID, else "body:" and a hash of its normalised body (see
	// BodyKey).
	CaseKey  string
	Feedback *Feedback // ARF reports only
}

// Primary is the first reported original.
func (r Report) Primary() Original {
	if len(r.Originals) == 0 {
		return Original{}
	}
	return r.Originals[0]
}

// Limits bound recognition. A zero field takes its default.
type Limits struct {
	MaxBytes     int // of the report read (default 25 MiB)
	MaxOriginals int // originals listed (default 20)
	MaxComment   int // bytes of the reporter's comment (default 4 KiB)
	Msg          MsgLimits
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 25 << 20
	}
	if l.MaxOriginals <= 0 {
		l.MaxOriginals = 20
	}
	if l.MaxComment <= 0 {
		l.MaxComment = 4 << 10
	}
	l.Msg = l.Msg.withDefaults()
	return l
}

// Recognize says whether raw is a report and, if so, what it reports.
func Recognize(raw []byte) (Report, bool) {
	return RecognizeLimited(raw, nil, Limits{})
}

// RecognizeLimited is Recognize within lim; p, when not nil, is raw
// already parsed by mail.ParseMessage (pull and the console have it), so
// the report is not parsed twice.
func RecognizeLimited(raw []byte, p *mtmail.Parsed, lim Limits) (Report, bool) {
	lim = lim.withDefaults()
	if len(raw) > lim.MaxBytes {
		raw = raw[:lim.MaxBytes]
		p = nil
	}
	if p == nil {
		p = mtmail.ParseMessage(raw)
	}
	r := Report{Subject: p.Subject}
	r.ReporterName, r.ReporterAddress = addressOf(p)
	var ok bool
	switch {
	case isARF(p):
		ok = r.fromARF(p, lim)
	default:
		ok = r.fromAttachments(p, lim)
		if !ok {
			ok = r.fromInline(p, lim)
		}
	}
	if !ok {
		return Report{}, false
	}
	if r.Comment == "" && r.Kind != KindInline {
		r.Comment = comment(p.Text, p.HTML, lim.MaxComment)
	}
	primary := &r.Originals[0]
	primary.Parsed = mtmail.ParseMessage(primary.Raw)
	r.Reconstructed = primary.Reconstructed
	r.CaseKey = caseKeyOf(primary.Parsed)
	return r, true
}

// fromAttachments finds attached originals: message/rfc822 parts and .msg
// files, in part order.
func (r *Report) fromAttachments(p *mtmail.Parsed, lim Limits) bool {
	for _, part := range p.Parts {
		if len(r.Originals) >= lim.MaxOriginals {
			break
		}
		if o, ok := attachedOriginal(part, lim); ok {
			r.Originals = append(r.Originals, o)
		}
	}
	if len(r.Originals) == 0 {
		return false
	}
	r.Kind = r.Originals[0].Kind
	return true
}

// attachedOriginal reads one part as a reported original, if it is one.
func attachedOriginal(part mtmail.Part, lim Limits) (Original, bool) {
	a, ok := ReadAttachedMessage(part, lim.Msg)
	if !ok {
		return Original{}, false
	}
	return Original{Kind: a.Kind, Raw: a.Raw, Name: part.Name, Synthetic: a.Kind == KindMsg, Notes: a.Notes}, true
}

// AttachedMessage is a message found in an attachment.
type AttachedMessage struct {
	Kind  Kind   // KindRFC822 or KindMsg
	Raw   []byte // as attached, or synthesised from the .msg
	Notes []string
}

// ReadAttachedMessage reads a part that holds a message: message/rfc822
// (or message/global, or a file named .eml that starts with a header), or
// an Outlook .msg (by name or type, and only when it is a compound file),
// which is read and synthesised.
func ReadAttachedMessage(part mtmail.Part, lim MsgLimits) (AttachedMessage, bool) {
	if len(part.Content) == 0 {
		return AttachedMessage{}, false
	}
	if analysis.IsNestedMessage(part.Name, part.ContentType, part.Content) {
		return AttachedMessage{Kind: KindRFC822, Raw: part.Content}, true
	}
	if !IsMsgAttachment(part) {
		return AttachedMessage{}, false
	}
	m, err := ReadMsg(part.Content, lim)
	if err != nil {
		return AttachedMessage{}, false
	}
	return AttachedMessage{Kind: KindMsg, Raw: Synthesise(m), Notes: m.Notes}, true
}

// IsMsgAttachment says whether a part is an Outlook message: named .msg or
// typed application/vnd.ms-outlook, and a compound file.
func IsMsgAttachment(part mtmail.Part) bool {
	ct := strings.ToLower(strings.TrimSpace(part.ContentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	named := strings.HasSuffix(strings.ToLower(strings.TrimSpace(part.Name)), ".msg")
	return (named || ct == "application/vnd.ms-outlook") && IsCompoundFile(part.Content)
}

// addressOf is the report's From as name and address.
func addressOf(p *mtmail.Parsed) (name, addr string) {
	a := analysis.ParseAddress(headerValue(p.Header, "From"))
	return a.Name, a.Address
}

// headerValue is the first field called name, as written.
func headerValue(fields []mtmail.HeaderField, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}
