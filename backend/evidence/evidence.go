// Package evidence analyses one raw message as the analyst's evidence:
// it parses the message with backend/mail and runs every analyser of
// backend/analysis over it, within bounds that keep hostile messages
// cheap. It also exports the result, as JSON in the shape mailbox
// connectors use and as indicator lists.
//
// Nothing a message points at is ever fetched, resolved or executed.
package evidence

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
)

// Limits bound the work Analyze does on one message. A zero field takes
// its default. Whatever a limit cuts off is listed in Evidence.Skipped.
type Limits struct {
	MaxBytes int // raw bytes read (default 25 MiB)
	// MaxDepth bounds multipart nesting (default 10). Keep it small: the
	// MIME parser's cost doubles with each level of unterminated nesting
	// (about 0.5 ms at 10 levels, 0.4 s at 20).
	MaxDepth        int
	MaxParts        int // MIME parts (default 500)
	MaxHeaderFields int // header fields analysed (default 1000)
	MaxHeaderLength int // bytes of one header field value (default 64 KiB)
	MaxURLs         int // distinct URLs kept (default 2000)
	// MaxNested is how deep attached messages (message/rfc822, .eml, .msg) are
	// analysed in their turn (default 3).
	MaxNested int

	Auth    analysis.AuthOptions
	Signals analysis.SignalOptions
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxBytes, 25<<20)
	def(&l.MaxDepth, 10)
	def(&l.MaxParts, 500)
	def(&l.MaxHeaderFields, 1000)
	def(&l.MaxHeaderLength, 64<<10)
	def(&l.MaxURLs, 2000)
	def(&l.MaxNested, 3)
	return l
}

// Evidence is everything the analysers found in one message. Field names
// in JSON are stable lower_snake_case. Every string that comes from the
// message is untrusted: sanitize before display.
type Evidence struct {
	Size        int                   `json:"size"` // bytes of the raw message
	MessageID   string                `json:"message_id,omitempty"`
	Subject     string                `json:"subject"` // decoded
	From        analysis.Address      `json:"from"`
	ReplyTo     analysis.Address      `json:"reply_to,omitzero"`
	ReturnPath  string                `json:"return_path,omitempty"`
	To          string                `json:"to,omitempty"`
	Cc          string                `json:"cc,omitempty"`
	Date        string                `json:"date,omitempty"` // as written
	Auth        analysis.Auth         `json:"auth"`
	Hops        []analysis.Hop        `json:"hops"`
	URLs        []analysis.URL        `json:"urls"`
	Attachments []analysis.Attachment `json:"attachments"`
	Signals     []analysis.Signal     `json:"signals"`
	Campaign    analysis.CampaignKeys `json:"campaign"`
	// Nested holds the evidence of attached messages (.eml, and Outlook
	// .msg read into a synthetic message), in attachment order.
	Nested []*Evidence `json:"nested,omitempty"`
	// Warnings are the MIME parser's complaints: evidence too.
	Warnings []string `json:"warnings,omitempty"`
	// Skipped says what a limit left out.
	Skipped []Skip `json:"skipped,omitempty"`
}

// Skip is one thing a limit left out of the analysis.
type Skip struct {
	What   string `json:"what"`   // bytes, mime, header_fields, header_length, received, urls, parts, nested
	Reason string `json:"reason"` // one line
}

// Analyze analyses one raw message within lim.
func Analyze(raw []byte, lim Limits) *Evidence {
	ev, _ := analyze(raw, lim.withDefaults(), 0)
	return ev
}

// analyze returns the evidence and the parsed message (for exports).
func analyze(raw []byte, lim Limits, nesting int) (*Evidence, *mail.Parsed) {
	ev := &Evidence{Size: len(raw)}
	skip := func(what, format string, args ...any) {
		ev.Skipped = append(ev.Skipped, Skip{What: what, Reason: fmt.Sprintf(format, args...)})
	}
	if len(raw) > lim.MaxBytes {
		skip("bytes", "the message is %d bytes; only the first %d were read", len(raw), lim.MaxBytes)
		raw = raw[:lim.MaxBytes]
	}
	if cut, why := mimeShape(raw, lim.MaxDepth, lim.MaxParts); cut < len(raw) {
		skip("mime", "%s: the last %d bytes were not parsed", why, len(raw)-cut)
		raw = raw[:cut]
	}
	p := mail.ParseMessage(raw)
	ev.Warnings = p.Warnings

	fields := make([]analysis.Field, 0, min(len(p.Header), lim.MaxHeaderFields))
	long := 0
	for i, f := range p.Header {
		if i >= lim.MaxHeaderFields {
			skip("header_fields", "%d header fields; only the first %d were analysed", len(p.Header), lim.MaxHeaderFields)
			break
		}
		if len(f.Value) > lim.MaxHeaderLength {
			f.Value = f.Value[:lim.MaxHeaderLength]
			long++
		}
		fields = append(fields, analysis.Field{Name: f.Name, Value: f.Value})
	}
	if long > 0 {
		skip("header_length", "%d header fields longer than %d bytes were cut", long, lim.MaxHeaderLength)
	}
	header := func(name string) string {
		for _, f := range fields {
			if strings.EqualFold(f.Name, name) {
				return f.Value
			}
		}
		return ""
	}

	ev.MessageID = strings.Trim(strings.TrimSpace(header("Message-ID")), "<>")
	ev.Subject = p.Subject
	ev.From = analysis.ParseAddress(header("From"))
	if rt := header("Reply-To"); rt != "" {
		ev.ReplyTo = analysis.ParseAddress(rt)
	}
	ev.ReturnPath = strings.Trim(strings.TrimSpace(header("Return-Path")), "<>")
	ev.To, ev.Cc, ev.Date = p.To, p.Cc, p.DateText

	ev.Auth = analysis.ParseAuth(fields, lim.Auth)
	ev.Hops = analysis.Hops(fields)
	if n := countFields(fields, "Received"); n > len(ev.Hops) {
		skip("received", "%d Received fields; only the newest %d were parsed", n, len(ev.Hops))
	}
	urls, omitted, complete := analysis.ExtractURLs(analysis.URLInput{Text: p.Text, HTML: p.HTML, Header: fields}, lim.MaxURLs)
	ev.URLs = urls
	if omitted > 0 {
		skip("urls", "more than %d distinct URLs; %d further occurrences were not listed", lim.MaxURLs, omitted)
	}
	if !complete {
		skip("url_search", "the bodies hold more URL text than is searched; later URLs are missing")
	}

	parts := p.Parts
	if len(parts) > lim.MaxParts {
		skip("parts", "%d parts; only the first %d were analysed", len(parts), lim.MaxParts)
		parts = parts[:lim.MaxParts]
	}
	ev.Attachments = make([]analysis.Attachment, 0, len(parts))
	for _, pt := range parts {
		a := analysis.AnalyzeAttachment(pt.Name, pt.ContentType, pt.Disposition, pt.Content)
		ev.Attachments = append(ev.Attachments, a)
		msg, ok := nestedMessage(pt)
		if !ok {
			continue
		}
		if nesting+1 > lim.MaxNested {
			skip("nested", "an attached message %d levels deep was not analysed (limit %d)", nesting+1, lim.MaxNested)
			continue
		}
		nested, _ := analyze(msg.Raw, lim, nesting+1)
		ev.Nested = append(ev.Nested, nested)
	}

	ev.Signals = analysis.Signals(analysis.SignalInput{
		From:        ev.From,
		ReplyTo:     ev.ReplyTo,
		ReturnPath:  ev.ReturnPath,
		Subject:     p.Subject,
		FromHeader:  analysis.DecodeHeader(header("From")),
		Text:        p.Text,
		HTMLText:    analysis.HTMLToText(p.HTML, 1<<20),
		Auth:        ev.Auth,
		URLs:        ev.URLs,
		Attachments: ev.Attachments,
	}, lim.Signals)
	ev.Campaign = analysis.Campaign(p.Subject, ev.From, ev.ReplyTo, ev.URLs, ev.Attachments)

	// Empty lists, not null, so consumers need not tell the two apart.
	if ev.Hops == nil {
		ev.Hops = []analysis.Hop{}
	}
	if ev.URLs == nil {
		ev.URLs = []analysis.URL{}
	}
	if ev.Signals == nil {
		ev.Signals = []analysis.Signal{}
	}
	if ev.Auth.DKIM == nil {
		ev.Auth.DKIM = []analysis.DKIM{}
	}
	if ev.Auth.Fields == nil {
		ev.Auth.Fields = []analysis.AuthResultsField{}
	}
	return ev, p
}

func countFields(fields []analysis.Field, name string) int {
	n := 0
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			n++
		}
	}
	return n
}

// mimeShape walks the raw message line by line, following the multipart
// boundaries declared in part headers as a MIME parser would, and
// returns the offset of the first line past the limits (len(raw) when
// none is exceeded) and why. It costs one pass and O(depth) per
// delimiter line, so it can run before the parser, which has no such
// limits of its own.
func mimeShape(raw []byte, maxDepth, maxParts int) (cut int, why string) {
	var stack [][]byte // open boundaries, innermost last
	inHeader := true
	var field []byte // the header field being gathered, unfolded
	var boundary []byte
	parts := 0
	endField := func() {
		if boundary == nil {
			boundary = multipartBoundary(field)
		}
		field = field[:0]
	}
	for off := 0; off < len(raw); {
		end := bytes.IndexByte(raw[off:], '\n')
		next := len(raw)
		if end >= 0 {
			next = off + end + 1
		}
		line := bytes.TrimRight(raw[off:next], "\r\n")
		if inHeader {
			switch {
			case len(line) == 0:
				endField()
				inHeader = false
				if boundary != nil {
					if len(stack) >= maxDepth {
						return off, fmt.Sprintf("MIME nesting deeper than %d levels", maxDepth)
					}
					stack = append(stack, boundary)
					boundary = nil
				}
			case line[0] == ' ' || line[0] == '\t':
				if len(field) < 16<<10 {
					field = append(field, line...)
				}
			default:
				endField()
				field = append(field, line[:min(len(line), 16<<10)]...)
			}
			off = next
			continue
		}
		if len(stack) > 0 && bytes.HasPrefix(line, []byte("--")) {
			delim := bytes.TrimRight(line[2:], " \t")
			for i := len(stack) - 1; i >= 0; i-- {
				b := stack[i]
				if !bytes.HasPrefix(delim, b) {
					continue
				}
				switch rest := delim[len(b):]; {
				case len(rest) == 0:
					if parts++; parts > maxParts {
						return off, fmt.Sprintf("more than %d MIME parts", maxParts)
					}
					stack = stack[:i+1]
					inHeader, boundary = true, nil
				case string(rest) == "--":
					stack = stack[:i]
				default:
					continue
				}
				break
			}
		}
		off = next
	}
	return len(raw), ""
}

// multipartBoundary returns the boundary of a Content-Type field that
// declares a multipart type, or nil.
func multipartBoundary(field []byte) []byte {
	name, value, ok := bytes.Cut(field, []byte(":"))
	if !ok || !bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Type")) {
		return nil
	}
	lower := bytes.ToLower(value)
	if !bytes.HasPrefix(bytes.TrimSpace(lower), []byte("multipart/")) {
		return nil
	}
	i := bytes.Index(lower, []byte("boundary="))
	if i < 0 {
		return nil
	}
	v := value[i+len("boundary="):]
	if len(v) > 0 && v[0] == '"' {
		if j := bytes.IndexByte(v[1:], '"'); j >= 0 {
			return bytes.Clone(v[1 : j+1])
		}
		return nil
	}
	if j := bytes.IndexAny(v, "; \t"); j >= 0 {
		v = v[:j]
	}
	if len(v) == 0 {
		return nil
	}
	return bytes.Clone(v)
}
