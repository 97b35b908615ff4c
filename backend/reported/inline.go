package reported

import (
	"bytes"
	"fmt"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	mtmail "github.com/mailtriage/mailtriage/backend/mail"
)

// InlineForward is a message forwarded in a report's text: the header
// fields the forwarding client quoted, as written, and the text below.
type InlineForward struct {
	Client  string // outlook, gmail, apple, thunderbird
	Comment string // the reporter's text above the forwarded block
	From    string
	Date    string
	To      string
	Cc      string
	ReplyTo string
	Subject string
	Body    string
}

// Bounds of the inline-forward search.
const (
	maxInlineText  = 1 << 20 // text searched
	maxInlineLines = 50_000
	maxBlockLines  = 30 // header lines in a forwarded block
)

// separators are the lines mail clients put above a forwarded message,
// by client. Matching is case-insensitive on the line with quote markers
// and surrounding space removed.
var separators = []struct {
	client string
	re     *regexp.Regexp
}{
	// Gmail: "---------- Forwarded message ---------", localised.
	{"gmail", regexp.MustCompile(`(?i)^-{10,}\s*(forwarded message|weitergeleitete nachricht|message transféré|doorgestuurd bericht|doorgestuurd e-mailbericht|mensaje reenviado|mensagem encaminhada|messaggio inoltrato)\s*-{5,}$`)},
	// Thunderbird: "-------- Forwarded Message --------", localised.
	{"thunderbird", regexp.MustCompile(`(?i)^-{5,9}\s*(forwarded message|weitergeleitete nachricht|message transféré|doorgestuurd bericht|mensaje reenviado|original-nachricht|message original)\s*-{5,}$`)},
	// Apple Mail: "Begin forwarded message:", localised.
	{"apple", regexp.MustCompile(`(?i)^(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|begin doorgestuurd bericht|inicio del mensaje reenviado|comienzo del mensaje reenviado)\s*:$`)},
	// Outlook: "-----Original Message-----" (older) or a rule of underscores.
	{"outlook", regexp.MustCompile(`(?i)^(-{4,}\s*(original message|ursprüngliche nachricht|message d'origine|oorspronkelijk bericht|mensaje original)\s*-{4,}|_{10,})$`)},
}

// fieldNames maps the header labels of forwarded blocks, in English,
// German, French, Dutch, Spanish (and a few more), to the field.
var fieldNames = map[string]string{
	"from": "from", "von": "from", "de": "from", "van": "from", "da": "from", "från": "from",
	"sent": "date", "date": "date", "gesendet": "date", "datum": "date", "envoyé": "date", "envoyé le": "date",
	"verzonden": "date", "enviado": "date", "enviado el": "date", "fecha": "date", "inviato": "date", "data": "date",
	"to": "to", "an": "to", "à": "to", "a": "to", "aan": "to", "para": "to", "til": "to", "till": "to",
	"cc": "cc", "kopie": "cc", "copie": "cc",
	"subject": "subject", "betreff": "subject", "sujet": "subject", "pour": "to", "objet": "subject", "onderwerp": "subject", "asunto": "subject",
	"oggetto": "subject", "assunto": "subject", "ämne": "subject",
	"reply-to": "reply-to", "antwort an": "reply-to", "répondre à": "reply-to", "beantwoorden aan": "reply-to",
	"responder a": "reply-to",
}

// replyPrefix marks a reply: a quoted header block in a reply is the
// thread, not a forwarded report.
var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|aw|antw|sv|r|res|rif)\s*:`)

// ParseInlineForward finds the first forwarded message in text: a
// client's separator line followed by a block of header fields, or (for
// Outlook, which often writes none) a bare block that starts with From
// and names a date and a subject.
func ParseInlineForward(text string) (InlineForward, bool) {
	text = capText(text, maxInlineText)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) > maxInlineLines {
		lines = lines[:maxInlineLines]
	}
	for i := 0; i < len(lines); i++ {
		line, depth := unquote(lines[i])
		client := separatorClient(line)
		start := i + 1
		if client == "" {
			if key, _ := headerLine(line); key != "from" {
				continue
			}
			client, start = "outlook", i
		}
		for start < len(lines) && start < i+3 && isBlank(lines[start]) {
			start++
		}
		if start < len(lines) && start > i {
			_, depth = unquote(lines[start]) // Apple Mail quotes the block below its separator
		}
		f, end, ok := parseBlock(lines, start, depth)
		if !ok || (start == i && (f.Date == "" || f.Subject == "")) {
			continue
		}
		f.Client = client
		f.Comment = strings.TrimSpace(strings.Join(lines[:i], "\n"))
		f.Body = strings.TrimSpace(bodyLines(lines[end:], depth))
		return f, true
	}
	return InlineForward{}, false
}

// parseBlock reads header lines from lines[start:], quoted depth deep.
// It needs a From and a Date or Subject.
func parseBlock(lines []string, start, depth int) (InlineForward, int, bool) {
	var f InlineForward
	last := ""
	i := start
	for ; i < len(lines) && i < start+maxBlockLines; i++ {
		line := stripQuotes(lines[i], depth)
		if strings.TrimSpace(line) == "" {
			break
		}
		key, value := headerLine(line)
		if key == "" {
			if last != "" && (line[0] == ' ' || line[0] == '\t') {
				f.set(last, f.get(last)+" "+strings.TrimSpace(line))
				continue
			}
			break
		}
		if f.get(key) == "" {
			f.set(key, value)
		}
		last = key
	}
	return f, i, f.From != "" && (f.Date != "" || f.Subject != "")
}

// headerLine reads "Label: value" (Outlook's HTML bodies as text may
// write "*From:*"), returning the field the label names.
func headerLine(line string) (key, value string) {
	label, value, ok := strings.Cut(line, ":")
	if !ok || len(label) > 24 {
		return "", ""
	}
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), "*"))
	key = fieldNames[label]
	value = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(value), "*"))
	return key, value
}

func (f *InlineForward) field(key string) *string {
	switch key {
	case "from":
		return &f.From
	case "date":
		return &f.Date
	case "to":
		return &f.To
	case "cc":
		return &f.Cc
	case "reply-to":
		return &f.ReplyTo
	case "subject":
		return &f.Subject
	}
	return nil
}

func (f *InlineForward) get(key string) string { return *f.field(key) }

func (f *InlineForward) set(key, value string) {
	*f.field(key) = capText(value, 4<<10)
}

// isBlank says whether a line is empty but for quote markers and space.
func isBlank(line string) bool {
	l, _ := unquote(line)
	return l == ""
}

func separatorClient(line string) string {
	line = strings.TrimSpace(line)
	if len(line) > 200 {
		return ""
	}
	for _, s := range separators {
		if s.re.MatchString(line) {
			return s.client
		}
	}
	return ""
}

// unquote removes ">" quote markers and says how many there were.
func unquote(line string) (string, int) {
	depth := 0
	for {
		t := strings.TrimLeft(line, " \t")
		if !strings.HasPrefix(t, ">") {
			return strings.TrimSpace(line), depth
		}
		line = t[1:]
		depth++
	}
}

// stripQuotes removes up to depth quote markers.
func stripQuotes(line string, depth int) string {
	for d := 0; d < depth; d++ {
		t := strings.TrimLeft(line, " \t")
		if !strings.HasPrefix(t, ">") {
			break
		}
		line = strings.TrimPrefix(t[1:], " ")
	}
	return line
}

func bodyLines(lines []string, depth int) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(stripQuotes(l, depth))
		b.WriteByte('\n')
	}
	return b.String()
}

// fromInline recognises an inline forward in the report's text (or its
// HTML as text).
func (r *Report) fromInline(p *mtmail.Parsed, lim Limits) bool {
	if replyPrefix.MatchString(p.Subject) {
		return false
	}
	text := p.Text
	if strings.TrimSpace(text) == "" {
		text = analysis.HTMLToText(p.HTML, maxInlineText)
	}
	f, ok := ParseInlineForward(text)
	if !ok {
		return false
	}
	r.Kind = KindInline
	r.Comment = capText(f.Comment, lim.MaxComment)
	r.Originals = []Original{{Kind: KindInline, Raw: f.Message(), Synthetic: true, Reconstructed: true}}
	return true
}

// mailtoAddr matches Outlook's "Name [mailto:a@b]" and "<mailto:a@b>".
var mailtoAddr = regexp.MustCompile(`(?i)[\[<]\s*mailto:([^\]>\s]+)\s*[\]>]`)

// Message builds the reconstructed original: the quoted fields as header
// fields (the date as written when it cannot be read), the text as a
// UTF-8 body, and SynthesisedHeader saying that the headers are partial.
func (f InlineForward) Message() []byte {
	var out bytes.Buffer
	if f.From != "" {
		writeField(&out, "From", forwardedAddress(f.From))
	}
	for _, h := range []struct{ name, value string }{{"To", f.To}, {"Cc", f.Cc}, {"Reply-To", f.ReplyTo}} {
		if h.value != "" {
			writeField(&out, h.name, forwardedAddressList(h.value))
		}
	}
	writeField(&out, "Subject", f.Subject)
	if d, ok := parseForwardDate(f.Date); ok {
		writeField(&out, "Date", d.Format(time.RFC1123Z))
	} else if f.Date != "" {
		writeField(&out, "X-Mailtriage-Forwarded-Date", f.Date)
	}
	fmt.Fprintf(&out, "%s: from an inline forward (%s); reconstructed: only the quoted header fields, no Message-ID, no Received, no authentication results\r\n", SynthesisedHeader, f.Client)
	out.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&out)
	_, _ = qp.Write([]byte(strings.ToValidUTF8(f.Body, "\uFFFD")))
	_ = qp.Close()
	out.WriteString("\r\n")
	return out.Bytes()
}

// forwardedAddress turns a quoted From into a mailbox when it can be
// read as one; else it is kept as written (the header then says so by
// being unparseable, which is evidence too).
func forwardedAddress(v string) string {
	v = mailtoAddr.ReplaceAllString(v, "<$1>")
	a := analysis.ParseAddress(v)
	if a.Address != "" {
		return (&mail.Address{Name: a.Name, Address: a.Address}).String()
	}
	return v
}

func forwardedAddressList(v string) string {
	v = mailtoAddr.ReplaceAllString(v, "<$1>")
	var out []string
	for _, part := range strings.Split(v, ";") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, forwardedAddress(part))
		}
	}
	return strings.Join(out, ", ")
}

// forwardDateLayouts are the date formats of the clients' English
// forward blocks; other languages keep their date as written.
var forwardDateLayouts = []string{
	"Monday, January 2, 2006 3:04 PM",
	"Monday, January 2, 2006 15:04",
	"Monday, 2 January 2006 15:04",
	"Monday, 2 January 2006 3:04 PM",
	"Mon, Jan 2, 2006 3:04 PM",
	"Mon, 2 Jan 2006 15:04",
	"2 January 2006 15:04:05 MST",
	"January 2, 2006 3:04:05 PM MST",
	"1/2/2006 3:04:05 PM",
	"02/01/2006 15:04",
}

func parseForwardDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if d, err := mail.ParseDate(s); err == nil {
		return d, true
	}
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, " at ", " ")), " ")
	for _, layout := range forwardDateLayouts {
		if d, err := time.Parse(layout, s); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}
