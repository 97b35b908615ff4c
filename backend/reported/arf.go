package reported

import (
	"bytes"
	"mime"
	"strings"

	mtmail "github.com/mailtriage/mailtriage/backend/mail"
)

// maxFeedbackValues bounds repeated fields of a feedback report.
const maxFeedbackValues = 100

// isARF says whether the report is an RFC 5965 feedback report.
func isARF(p *mtmail.Parsed) bool {
	mt, params, err := mime.ParseMediaType(headerValue(p.Header, "Content-Type"))
	return err == nil && mt == "multipart/report" && strings.EqualFold(params["report-type"], "feedback-report")
}

// fromARF reads the feedback fields (second part) and the original (third
// part: the whole message, or only its header as text/rfc822-headers).
func (r *Report) fromARF(p *mtmail.Parsed, lim Limits) bool {
	var o *Original
	for _, part := range p.Parts {
		ct := strings.ToLower(part.ContentType)
		switch {
		case ct == "message/feedback-report" && r.Feedback == nil:
			r.Feedback = parseFeedback(part.Content)
		case ct == "message/rfc822" && o == nil:
			o = &Original{Kind: KindARF, Raw: part.Content, Name: part.Name}
		case ct == "text/rfc822-headers" && o == nil:
			head := bytes.TrimRight(part.Content, "\r\n")
			o = &Original{Kind: KindARF, Raw: append(head, "\r\n\r\n"...), Name: part.Name, Reconstructed: true,
				Notes: []string{"the feedback report carries only the original's header"}}
		}
	}
	if o == nil || len(o.Raw) == 0 {
		return false
	}
	r.Kind = KindARF
	r.Originals = []Original{*o}
	if r.Feedback == nil {
		r.Feedback = &Feedback{}
	}
	return true
}

// parseFeedback reads the machine-readable part: header-like fields.
func parseFeedback(b []byte) *Feedback {
	f := &Feedback{}
	b = b[:min(len(b), 64<<10)]
	var name, value string
	flush := func() {
		if name != "" {
			f.set(strings.ToLower(name), strings.TrimSpace(value))
		}
		name, value = "", ""
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if line == "" {
			flush()
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && name != "" {
			value += " " + strings.TrimSpace(line)
			continue
		}
		flush()
		n, v, ok := strings.Cut(line, ":")
		if ok {
			name, value = strings.TrimSpace(n), v
		}
	}
	flush()
	return f
}

func (f *Feedback) set(name, value string) {
	add := func(list *[]string) {
		if len(*list) < maxFeedbackValues {
			*list = append(*list, value)
		}
	}
	switch name {
	case "feedback-type":
		f.Type = value
	case "user-agent":
		f.UserAgent = value
	case "original-mail-from":
		f.OriginalMailFrom = value
	case "original-rcpt-to":
		add(&f.OriginalRcptTo)
	case "arrival-date", "received-date":
		f.ArrivalDate = value
	case "source-ip":
		f.SourceIP = value
	case "reported-domain":
		add(&f.ReportedDomain)
	case "reported-uri":
		add(&f.ReportedURI)
	case "incidents":
		f.Incidents = value
	}
}
