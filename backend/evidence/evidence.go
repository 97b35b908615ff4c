// Package evidence analyses one raw message as the analyst's evidence:
// it parses the message with backend/mail and runs every analyser of
// backend/analysis over it, within bounds that keep hostile messages
// cheap. It also exports the result, as JSON in the shape mailbox
// connectors use and as indicator lists.
//
// Nothing a message points at is ever fetched, resolved or executed.
package evidence

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
)

// Limits bound the work Analyze does on one message. A zero field takes
// its default. Whatever a limit cuts off is listed in Evidence.Skipped.
type Limits struct {
	MaxBytes        int // raw bytes read (default 25 MiB)
	MaxDepth        int // multipart nesting (default 10; see mail.Limits)
	MaxParts        int // MIME parts (default 500)
	MaxHeaderFields int // header fields analysed (default 1000)
	MaxHeaderLength int // bytes of one header field value (default 64 KiB)
	MaxURLs         int // distinct URLs kept (default 2000)
	// MaxNested is how deep attached messages (message/rfc822, .eml, .msg) are
	// analysed in their turn (default 3).
	MaxNested int
	// ParseTimeout bounds the MIME parse of one message (default 10 s).
	ParseTimeout time.Duration

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

// parse is the part of l that bounds MIME parsing.
func (l Limits) parse() mail.Limits {
	return mail.Limits{MaxBytes: l.MaxBytes, MaxDepth: l.MaxDepth, MaxParts: l.MaxParts, Timeout: l.ParseTimeout}
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
	ev, _ := analyze(context.Background(), raw, lim.withDefaults(), 0)
	return ev
}

// analyze returns the evidence and the parsed message (for exports). The
// message is parsed by mail.Parse, within the same caps as everywhere; a
// cap it runs into is listed in Skipped.
func analyze(ctx context.Context, raw []byte, lim Limits, nesting int) (*Evidence, *mail.Parsed) {
	return analyzeParsed(ctx, raw, mail.Parse(ctx, raw, lim.parse()), lim, nesting)
}

// analyzeParsed is analyze on p, raw as parsed within lim.
func analyzeParsed(ctx context.Context, raw []byte, p *mail.Parsed, lim Limits, nesting int) (*Evidence, *mail.Parsed) {
	ev := &Evidence{Size: len(raw)}
	skip := func(what, format string, args ...any) {
		ev.Skipped = append(ev.Skipped, Skip{What: what, Reason: fmt.Sprintf(format, args...)})
	}
	for _, c := range p.Capped {
		skip(c.What, "%s", c.Reason)
	}
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
		nested, _ := analyze(ctx, msg.Raw, lim, nesting+1)
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
