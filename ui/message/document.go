package message

import (
	"bytes"
	"fmt"
	"mime"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
)

// maxBodyBytes caps the text shown of one body: past a megabyte nobody
// reads on a terminal, and wrapping it would cost every resize.
const maxBodyBytes = 1 << 20

// document is a message made safe for display: every string from the mail
// has passed through Sanitize. It is built off the UI goroutine.
type document struct {
	fields      []field
	text        analysis.Text // the text/plain body
	html        analysis.Text // the HTML body as readable text; links show their targets
	rawHeader   []analysis.Text
	attachments []attachment
	warnings    []analysis.Text
	truncated   bool  // the message was cut at the fetch limit
	size        int64 // size on the server
	flags       mail.Flags
}

type field struct {
	label string
	value analysis.Text
	alert bool // worth the analyst's attention (e.g. Reply-To elsewhere)
}

type attachment struct {
	name        analysis.Text
	contentType analysis.Text
	disposition string
	size        int
}

// buildDocument parses and sanitizes a fetched message.
func buildDocument(raw *mail.RawMessage) *document {
	p := mail.ParseMessage(raw.Raw)
	d := &document{truncated: raw.Truncated, size: raw.Size, flags: raw.Flags}
	d.fields = summaryFields(p)
	d.text = analysis.Sanitize(capText(p.Text))
	if p.HTML != "" {
		d.html = analysis.Sanitize(analysis.HTMLToText(p.HTML, maxBodyBytes))
	}
	for _, line := range bytes.Split(p.RawHeader, []byte("\n")) {
		d.rawHeader = append(d.rawHeader, analysis.SanitizeLine(strings.TrimSuffix(string(line), "\r")))
	}
	for _, pt := range p.Parts {
		d.attachments = append(d.attachments, attachment{
			name:        analysis.SanitizeLine(nameOr(pt.Name, "(no name)")),
			contentType: analysis.SanitizeLine(pt.ContentType),
			disposition: pt.Disposition,
			size:        pt.Size,
		})
	}
	for _, w := range p.Warnings {
		d.warnings = append(d.warnings, analysis.SanitizeLine(w))
	}
	return d
}

func summaryFields(p *mail.Parsed) []field {
	fields := []field{
		{label: "Subject", value: analysis.SanitizeLine(p.Subject)},
		{label: "From", value: analysis.SanitizeLine(p.From)},
		{label: "To", value: analysis.SanitizeLine(p.To)},
	}
	if p.Cc != "" {
		fields = append(fields, field{label: "Cc", value: analysis.SanitizeLine(p.Cc)})
	}
	if p.ReplyTo != "" {
		fields = append(fields, field{
			label: "Reply-To",
			value: analysis.SanitizeLine(p.ReplyTo),
			alert: domainOf(p.ReplyTo) != domainOf(p.From),
		})
	}
	date := p.DateText
	if !p.Date.IsZero() {
		date = p.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700")
	}
	fields = append(fields, field{label: "Date", value: analysis.SanitizeLine(date)})
	return fields
}

// domainOf is the domain of the first address in a header value, lower
// case; "" when there is none.
func domainOf(header string) string {
	dec := new(mime.WordDecoder)
	if d, err := dec.DecodeHeader(header); err == nil {
		header = d
	}
	at := strings.LastIndexByte(header, '@')
	if at < 0 {
		return ""
	}
	rest := header[at+1:]
	end := strings.IndexAny(rest, "> ,;\"")
	if end >= 0 {
		rest = rest[:end]
	}
	return strings.ToLower(rest)
}

func capText(s string) string {
	if len(s) <= maxBodyBytes {
		return s
	}
	return s[:maxBodyBytes] + fmt.Sprintf("\n[… %d more bytes not shown]", len(s)-maxBodyBytes)
}

func nameOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
