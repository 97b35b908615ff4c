package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"
)

// HeaderField is one header line as it stood in the message, unfolded but
// not decoded. Order and duplicates (Received!) are kept.
type HeaderField struct {
	Name  string // "" for a line that had no colon
	Value string
}

// Part is one non-body part of a message: an attachment, an inline part
// or something the parser could not place.
type Part struct {
	ID          string
	Name        string // file name as the sender gave it (untrusted)
	ContentType string // declared type
	Disposition string // attachment, inline, or "" when unspecified
	Size        int    // decoded size in bytes
	Content     []byte
}

// Parsed is a message taken apart for reading. Every string is untrusted:
// sanitize before display.
type Parsed struct {
	Header    []HeaderField
	RawHeader []byte // the header block as received
	Subject   string // RFC 2047-decoded
	From      string
	To        string
	Cc        string
	ReplyTo   string
	Date      time.Time
	DateText  string
	Text      string // the plain-text body
	HTML      string // the HTML body, not rendered
	Parts     []Part
	// Warnings are the parser's complaints about malformed structure:
	// themselves evidence, so they are shown, not hidden.
	Warnings []string
	// Capped lists the limits the parse ran into; the fields above then
	// hold what could be read.
	Capped []Cap
}

// maxHeaderBlock bounds how much of a header block is kept: a hostile
// message may carry megabytes of header.
const maxHeaderBlock = 512 << 10

// Limits bound the work of parsing one message. A zero field takes its
// default. The same limits hold on every path that parses a message: the
// console, the exports, pull and watch.
type Limits struct {
	MaxBytes int // raw bytes parsed (default 25 MiB)
	// MaxDepth bounds multipart nesting (default 10). Keep it small: the
	// MIME parser's cost doubles with each level of unterminated nesting
	// (about 0.5 ms at 10 levels, 0.4 s at 20).
	MaxDepth int
	MaxParts int // MIME parts (default 500)
	// MaxHeaderBytes bounds the header block (default 512 KiB); past it
	// the header is kept cut and the body is not parsed.
	MaxHeaderBytes int
	// Timeout bounds the MIME parse (default 10 s): a backstop behind the
	// caps above for whatever they do not foresee.
	Timeout time.Duration
}

// WithDefaults fills the zero fields of l with their defaults.
func (l Limits) WithDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxBytes, 25<<20)
	def(&l.MaxDepth, 10)
	def(&l.MaxParts, 500)
	def(&l.MaxHeaderBytes, maxHeaderBlock)
	if l.Timeout <= 0 {
		l.Timeout = 10 * time.Second
	}
	return l
}

// Cap is one limit a parse ran into: what it cut off and why.
type Cap struct {
	What   string `json:"what"`   // bytes, mime, header, deadline
	Reason string `json:"reason"` // one line
}

// ParseMessage is Parse within the default limits, for callers that have
// no deadline of their own.
func ParseMessage(raw []byte) *Parsed {
	return Parse(context.Background(), raw, Limits{})
}

// Parse takes a raw message apart within lim; it is the one entry point
// of MIME parsing. It never fails on malformed input: what cannot be
// parsed is kept as text and the problem is listed in Warnings. A message
// that runs into a limit, the deadline or the end of ctx is parsed as far
// as the limit allows (at least its header fields), and Capped says what
// was cut off and why. Parse returns soon after ctx ends, whatever the
// input.
func Parse(ctx context.Context, raw []byte, lim Limits) *Parsed {
	lim = lim.WithDefaults()
	p := &Parsed{}
	if len(raw) > lim.MaxBytes {
		p.cap("bytes", "the message is %d bytes; only the first %d were read", len(raw), lim.MaxBytes)
		raw = raw[:lim.MaxBytes]
	}
	p.RawHeader, p.Header = splitHeader(raw, lim.MaxHeaderBytes)
	if end := headerEnd(raw); end > lim.MaxHeaderBytes || end < 0 && len(raw) > lim.MaxHeaderBytes {
		p.cap("header", "the header block is longer than %d bytes; the body was not parsed", lim.MaxHeaderBytes)
		p.fillFromFields()
		return p
	}
	if cut, why := mimeShape(raw, lim.MaxDepth, lim.MaxParts); cut < len(raw) {
		p.cap("mime", "%s: the last %d bytes were not parsed", why, len(raw)-cut)
		raw = raw[:cut]
	}
	if ctx.Err() != nil {
		p.cap("deadline", "parsing stopped before it began: %v; only the header fields were read", context.Cause(ctx))
		p.fillFromFields()
		return p
	}
	p.parseMIME(ctx, raw, lim.Timeout)
	return p
}

func (p *Parsed) cap(what, format string, args ...any) {
	p.Capped = append(p.Capped, Cap{What: what, Reason: fmt.Sprintf(format, args...)})
}

// parseMIME runs the MIME parser on raw until it is done, timeout passes
// or ctx ends.
func (p *Parsed) parseMIME(ctx context.Context, raw []byte, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type outcome struct {
		env *enmime.Envelope
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			// A parser bug on hostile input must not take the process
			// down: the message is shown raw instead.
			if v := recover(); v != nil {
				done <- outcome{err: fmt.Errorf("parser failure: %v", v)}
			}
		}()
		env, err := parser().ReadEnvelope(bytes.NewReader(raw))
		done <- outcome{env, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			p.Warnings = append(p.Warnings, "MIME structure could not be parsed: "+firstLine(o.err.Error())+"; showing the raw body")
			p.Text = string(bodyOf(raw))
			p.fillFromFields()
			return
		}
		p.fillFromEnvelope(o.env)
	case <-ctx.Done():
		// The parser cannot be stopped; it is left to finish on its own
		// (the caps keep that short) and its result is dropped.
		why := "the caller gave up"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = fmt.Sprintf("it took longer than %v", timeout)
		}
		p.cap("deadline", "parsing stopped: %s; only the header fields were read", why)
		p.fillFromFields()
	}
}

func (p *Parsed) fillFromEnvelope(env *enmime.Envelope) {
	p.Subject = env.GetHeader("Subject")
	p.From = env.GetHeader("From")
	p.To = env.GetHeader("To")
	p.Cc = env.GetHeader("Cc")
	p.ReplyTo = env.GetHeader("Reply-To")
	p.DateText = env.GetHeader("Date")
	if d, err := env.Date(); err == nil {
		p.Date = d
	}
	p.Text = env.Text
	p.HTML = env.HTML
	p.Parts = collectParts(env)
	for _, e := range env.Errors {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s: %s", e.Name, firstLine(e.Detail)))
	}
}

// parser tolerates everything a hostile sender can do, and leaves HTML
// conversion to us (we show link targets; enmime's converter does not).
func parser() *enmime.Parser {
	return enmime.NewParser(
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.DisableTextConversion(true),
		// Trust a declared charset, as mail clients do; guessing runs
		// only for parts that declare none. Guessing every part was
		// half the cost of parsing a typical message.
		enmime.DisableCharacterDetection(true),
		enmime.MaxStoredPartErrors(50),
	)
}

func collectParts(env *enmime.Envelope) []Part {
	var out []Part
	add := func(parts []*enmime.Part) {
		for _, pt := range parts {
			out = append(out, Part{
				ID:          pt.PartID,
				Name:        pt.FileName,
				ContentType: pt.ContentType,
				Disposition: pt.Disposition,
				Size:        len(pt.Content),
				Content:     pt.Content,
			})
		}
	}
	add(env.Attachments)
	add(env.Inlines)
	add(env.OtherParts)
	return out
}

// fillFromFields takes the summary from raw header fields when MIME parsing
// failed altogether.
func (p *Parsed) fillFromFields() {
	for _, f := range p.Header {
		switch strings.ToLower(f.Name) {
		case "subject":
			p.Subject = f.Value
		case "from":
			p.From = f.Value
		case "to":
			p.To = f.Value
		case "cc":
			p.Cc = f.Value
		case "reply-to":
			p.ReplyTo = f.Value
		case "date":
			p.DateText = f.Value
		}
	}
}

// splitHeader returns the header block, cut to limit bytes, and its
// fields, unfolded.
func splitHeader(raw []byte, limit int) ([]byte, []HeaderField) {
	block := raw
	if i := headerEnd(raw); i >= 0 {
		block = raw[:i]
	}
	if len(block) > limit {
		block = block[:limit]
	}
	var fields []HeaderField
	for _, line := range bytes.Split(block, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(fields) > 0 {
			last := &fields[len(fields)-1]
			last.Value += " " + strings.TrimSpace(string(line))
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || bytes.ContainsAny(name, " \t") {
			fields = append(fields, HeaderField{Value: string(line)})
			continue
		}
		fields = append(fields, HeaderField{Name: string(name), Value: strings.TrimSpace(string(value))})
	}
	return block, fields
}

// headerEnd finds the blank line that ends the header block.
func headerEnd(raw []byte) int {
	crlf := bytes.Index(raw, []byte("\r\n\r\n"))
	lf := bytes.Index(raw, []byte("\n\n"))
	switch {
	case crlf >= 0 && (lf < 0 || crlf < lf):
		return crlf
	case lf >= 0:
		return lf
	}
	return -1
}

func bodyOf(raw []byte) []byte {
	i := headerEnd(raw)
	if i < 0 {
		return nil
	}
	body := raw[i:]
	return bytes.TrimLeft(body, "\r\n")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
