package reported

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// SynthesisedHeader marks a message that mailtriage built rather than
// received: its value says from what and which parts were made up.
const SynthesisedHeader = "X-Mailtriage-Synthesised"

// mimeFields are the transport header fields that describe the original
// body's MIME structure; the synthetic message has its own.
var mimeFields = map[string]bool{
	"content-type": true, "content-transfer-encoding": true, "mime-version": true,
	"content-disposition": true, "content-id": true, "content-description": true,
}

// Synthesise turns a decoded .msg into an RFC 5322 message the console
// analyses like any other: its own transport headers when the file kept
// them (all but the MIME fields), else headers built from the properties;
// the bodies and attachments as MIME parts; embedded messages as
// message/rfc822 parts, synthesised in their turn. The SynthesisedHeader
// field lists what was made up.
func Synthesise(m *Msg) []byte {
	var out bytes.Buffer
	made := writeMsgHeader(&out, m)
	boundary := newBoundary()
	fmt.Fprintf(&out, "%s: from an Outlook .msg; %s\r\n", SynthesisedHeader, strings.Join(made, ", "))
	fmt.Fprintf(&out, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%q\r\n\r\n", boundary)
	mw := multipart.NewWriter(&out)
	_ = mw.SetBoundary(boundary)
	writeBodies(mw, m)
	for _, a := range m.Attachments {
		writeAttachment(mw, a)
	}
	_ = mw.Close()
	return out.Bytes()
}

// writeMsgHeader writes the header fields and returns what was
// synthesised.
func writeMsgHeader(out *bytes.Buffer, m *Msg) []string {
	if fields := transportFields(m.TransportHeaders); len(fields) > 0 {
		for _, f := range fields {
			out.WriteString(f)
			out.WriteString("\r\n")
		}
		return []string{"transport headers kept", "MIME structure rebuilt from properties"}
	}
	made := []string{"no transport headers", "header built from properties"}
	if m.SenderAddress != "" || m.SenderName != "" {
		writeField(out, "From", formatAddress(m.SenderName, m.SenderAddress))
	}
	for _, kind := range []struct {
		name string
		typ  int
	}{{"To", 1}, {"Cc", 2}} {
		var list []string
		for _, r := range m.Recipients {
			if r.Type == kind.typ {
				list = append(list, formatAddress(r.Name, r.Address))
			}
		}
		if len(list) > 0 {
			writeField(out, kind.name, strings.Join(list, ", "))
		}
	}
	writeField(out, "Subject", m.Subject)
	if !m.Date.IsZero() {
		writeField(out, "Date", m.Date.Format(time.RFC1123Z))
	}
	if m.MessageID != "" {
		writeField(out, "Message-ID", m.MessageID)
	}
	if m.InReplyTo != "" {
		writeField(out, "In-Reply-To", m.InReplyTo)
	}
	return made
}

// transportFields splits the transport headers into unfolded-as-written
// fields, dropping the MIME ones and anything after the header block.
func transportFields(h string) []string {
	// A lone CR would end the line for some parsers and not for others:
	// it becomes a space, so every reader sees the same fields.
	h = strings.ReplaceAll(strings.ReplaceAll(h, "\r\n", "\n"), "\r", " ")
	if i := strings.Index(h, "\n\n"); i >= 0 {
		h = h[:i]
	}
	var fields []string
	for _, line := range strings.Split(h, "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1] += "\r\n" + line
			continue
		}
		fields = append(fields, line)
	}
	kept := fields[:0]
	for _, f := range fields {
		name, _, ok := strings.Cut(f, ":")
		if !ok {
			continue
		}
		if !mimeFields[strings.ToLower(strings.TrimSpace(name))] {
			kept = append(kept, f)
		}
	}
	return kept
}

// writeField writes one field, encoding non-ASCII text as RFC 2047 and
// replacing line breaks, which would start a new field.
func writeField(out *bytes.Buffer, name, value string) {
	value = strings.NewReplacer("\r", " ", "\n", " ").Replace(strings.ToValidUTF8(value, "\uFFFD"))
	fmt.Fprintf(out, "%s: %s\r\n", name, encodeWord(value))
}

func encodeWord(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] < ' ' {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}

// formatAddress writes a mailbox; without an SMTP address (an Exchange
// DN, or nothing) it writes the name as an empty group, which is valid
// and says that the address is not known.
func formatAddress(name, addr string) string {
	if strings.Contains(addr, "@") {
		return (&mail.Address{Name: name, Address: addr}).String()
	}
	if name == "" {
		name = addr
	}
	const placeholder = " <x@invalid>"
	phrase := strings.TrimSuffix((&mail.Address{Name: name, Address: "x@invalid"}).String(), placeholder)
	return phrase + ":;"
}

func newBoundary() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "mailtriage-" + hex.EncodeToString(b[:])
}

// writeBodies writes the plain and HTML bodies (as multipart/alternative
// when both exist); a message with only RTF gets its text.
func writeBodies(mw *multipart.Writer, m *Msg) {
	text, html := m.Body, m.HTML
	if text == "" && html == "" && len(m.RTF) > 0 {
		text = rtfText(m.RTF, 4<<20)
	}
	switch {
	case text != "" && html != "":
		alt := newBoundary()
		h := textproto.MIMEHeader{"Content-Type": {fmt.Sprintf("multipart/alternative; boundary=%q", alt)}}
		w, _ := mw.CreatePart(h)
		inner := multipart.NewWriter(w)
		_ = inner.SetBoundary(alt)
		writeTextPart(inner, "text/plain", text)
		writeTextPart(inner, "text/html", html)
		_ = inner.Close()
	case html != "":
		writeTextPart(mw, "text/html", html)
	default:
		writeTextPart(mw, "text/plain", text)
	}
}

func writeTextPart(mw *multipart.Writer, typ, text string) {
	h := textproto.MIMEHeader{
		"Content-Type":              {typ + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	}
	w, _ := mw.CreatePart(h)
	qp := quotedprintable.NewWriter(w)
	_, _ = qp.Write([]byte(strings.ToValidUTF8(text, "\uFFFD")))
	_ = qp.Close()
}

func writeAttachment(mw *multipart.Writer, a MsgAttachment) {
	name := a.Name
	if a.Embedded != nil {
		if name == "" {
			name = "attached message"
		}
		h := textproto.MIMEHeader{
			"Content-Type":        {"message/rfc822"},
			"Content-Disposition": {mime.FormatMediaType("attachment", map[string]string{"filename": name + ".eml"})},
		}
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(Synthesise(a.Embedded))
		return
	}
	typ := "application/octet-stream"
	if mt, params, err := mime.ParseMediaType(a.MimeType); err == nil {
		if t := mime.FormatMediaType(mt, params); t != "" {
			typ = t
		}
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disp == "" {
		disp = "attachment"
	}
	h := textproto.MIMEHeader{
		"Content-Type":              {typ},
		"Content-Disposition":       {disp},
		"Content-Transfer-Encoding": {"base64"},
	}
	if a.ContentID != "" {
		h.Set("Content-ID", "<"+strings.Trim(strings.Map(dropControl, a.ContentID), "<>")+">")
	}
	w, _ := mw.CreatePart(h)
	writeBase64(w, a.Data)
}

// writeBase64 writes data base64-encoded in 76-character lines.
func writeBase64(w io.Writer, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		_, _ = io.WriteString(w, enc[:76]+"\r\n")
		enc = enc[76:]
	}
	_, _ = io.WriteString(w, enc+"\r\n")
}

func dropControl(r rune) rune {
	if r < ' ' || r == 0x7f {
		return -1
	}
	return r
}
