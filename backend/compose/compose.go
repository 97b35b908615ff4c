// Package compose builds outgoing messages: free To/Cc/Bcc, a subject, a
// plain-text and optionally an HTML body, file attachments and whole
// messages attached as message/rfc822. The headless `send` uses it and
// the console's compose can: one Message in, RFC 5322 bytes out.
//
// Bcc never appears in the bytes handed to SMTP (the recipients travel in
// the envelope); submission APIs that read recipients from the header
// (Graph sendMail) get them from BytesWithBcc and strip them themselves.
package compose

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"
)

// Attachment is one attached file or message.
type Attachment struct {
	// Name is the file name the recipient sees (untrusted names are
	// reduced to their last path element).
	Name string
	// ContentType is the declared type; "" guesses from Name.
	ContentType string
	Data        []byte
	// Message attaches Data as message/rfc822: a whole message, its
	// bytes unchanged.
	Message bool
}

// Message is what to send.
type Message struct {
	From    string
	To      []string
	Cc      []string
	Bcc     []string
	Subject string
	// Text is the plain-text body; HTML, when set, is sent alongside it
	// as multipart/alternative.
	Text string
	HTML string
	// Attachments follow the body in a multipart/mixed.
	Attachments []Attachment
	// InReplyTo is the Message-ID answered (with or without <>); it
	// also starts References.
	InReplyTo string
	// Date defaults to now; MessageID (without <>) to a random one.
	Date      time.Time
	MessageID string
}

// MaxRecipients bounds To, Cc and Bcc together.
const MaxRecipients = 500

// Validate refuses what could not be sent or would be misread: no
// recipient, addresses that are not plain addresses, header injection.
func (m Message) Validate() error {
	if err := plainAddress(m.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	n := len(m.To) + len(m.Cc) + len(m.Bcc)
	switch {
	case n == 0:
		return errors.New("no recipient: give at least one of to, cc or bcc")
	case n > MaxRecipients:
		return fmt.Errorf("%d recipients: at most %d", n, MaxRecipients)
	}
	for _, list := range [][]string{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			if err := plainAddress(a); err != nil {
				return err
			}
		}
	}
	if strings.ContainsAny(m.InReplyTo+m.MessageID, "\r\n") {
		return errors.New("message ids must be one line")
	}
	return nil
}

// plainAddress accepts addr-spec only (user@example.com): no display
// names, no line breaks, nothing a header could be smuggled in.
func plainAddress(a string) error {
	if a == "" || strings.ContainsAny(a, "\r\n<>,;\" ") || strings.Count(a, "@") != 1 {
		return fmt.Errorf("%q is not a plain email address", a)
	}
	p, err := mail.ParseAddress(a)
	if err != nil || p.Address != a {
		return fmt.Errorf("%q is not a plain email address", a)
	}
	return nil
}

// Recipients are the envelope recipients: To, Cc and Bcc, each address
// once.
func (m Message) Recipients() []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]string{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			if k := strings.ToLower(a); !seen[k] {
				seen[k] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// Bytes renders the message for SMTP: Bcc is not in the header.
func (m Message) Bytes() ([]byte, error) { return m.render(false) }

// BytesWithBcc renders the message with a Bcc header field, for
// submission APIs that take recipients from the header and remove Bcc
// before delivery (Graph sendMail); never hand it to SMTP.
func (m Message) BytesWithBcc() ([]byte, error) { return m.render(true) }

func (m Message) render(withBcc bool) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m = m.withDefaults()
	var b bytes.Buffer
	writeHeader(&b, m, withBcc)
	if err := writeBody(&b, m); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		// Lines end in CRLF, the last too: SMTP would add it, and the
		// copy filed in Sent must be the message that left.
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

func (m Message) withDefaults() Message {
	if m.Date.IsZero() {
		m.Date = time.Now()
	}
	if m.MessageID == "" {
		m.MessageID = NewMessageID(m.From)
	}
	m.MessageID = strings.Trim(m.MessageID, "<> ")
	return m
}

// NewMessageID is a fresh Message-ID (without <>) in the domain of from.
func NewMessageID(from string) string { return randomToken() + "@" + domainOf(from) }

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "mailtriage"
}

func writeHeader(b *bytes.Buffer, m Message, withBcc bool) {
	h := func(k, v string) { fmt.Fprintf(b, "%s: %s\r\n", k, v) }
	h("From", m.From)
	if len(m.To) > 0 {
		h("To", strings.Join(m.To, ",\r\n "))
	}
	if len(m.Cc) > 0 {
		h("Cc", strings.Join(m.Cc, ",\r\n "))
	}
	if withBcc && len(m.Bcc) > 0 {
		h("Bcc", strings.Join(m.Bcc, ",\r\n "))
	}
	h("Subject", encodeSubject(m.Subject))
	h("Date", m.Date.Format(time.RFC1123Z))
	h("Message-ID", "<"+m.MessageID+">")
	if id := strings.Trim(m.InReplyTo, "<> "); id != "" {
		h("In-Reply-To", "<"+id+">")
		h("References", "<"+id+">")
	}
	h("MIME-Version", "1.0")
}

// encodeSubject keeps the subject on one line, within the line limit,
// and encodes it (RFC 2047) when it is not plain ASCII.
func encodeSubject(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 900 {
		s = strings.ToValidUTF8(s[:900], "")
	}
	// Encoded words are joined by spaces; fold there so that no line
	// passes RFC 5322's 998 characters.
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}

func randomToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
