package mail

import (
	"bytes"
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
}

// maxHeaderBlock bounds how much of a header block is kept: a hostile
// message may carry megabytes of header.
const maxHeaderBlock = 512 << 10

// ParseMessage takes a raw message apart. It never fails on malformed
// input: what cannot be parsed is kept as text and the problem is listed in
// Warnings.
func ParseMessage(raw []byte) *Parsed {
	p := &Parsed{}
	p.RawHeader, p.Header = splitHeader(raw)
	env, err := parser().ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		p.Warnings = append(p.Warnings, "MIME structure could not be parsed: "+firstLine(err.Error())+"; showing the raw body")
		p.Text = string(bodyOf(raw))
		p.fillFromFields()
		return p
	}
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
	return p
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

// splitHeader returns the header block and its fields, unfolded.
func splitHeader(raw []byte) ([]byte, []HeaderField) {
	block := raw
	if i := headerEnd(raw); i >= 0 {
		block = raw[:i]
	}
	if len(block) > maxHeaderBlock {
		block = block[:maxHeaderBlock]
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
