package compose

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"path"
	"path/filepath"
	"strings"
)

// writeBody writes Content-Type onwards: the text (or text and HTML as
// multipart/alternative), inside a multipart/mixed when there are
// attachments.
func writeBody(b *bytes.Buffer, m Message) error {
	if len(m.Attachments) == 0 {
		return writeContent(b, m)
	}
	mw := multipart.NewWriter(b)
	fmt.Fprintf(b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", mw.Boundary())
	var content bytes.Buffer
	if err := writeContent(&content, m); err != nil {
		return err
	}
	if err := copyPart(mw, content.Bytes()); err != nil {
		return err
	}
	for _, a := range m.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeContent writes the header fields and body of the readable part.
func writeContent(b *bytes.Buffer, m Message) error {
	if m.HTML == "" {
		writeText(b, "text/plain", m.Text)
		return nil
	}
	mw := multipart.NewWriter(b)
	fmt.Fprintf(b, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", mw.Boundary())
	for _, alt := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		var part bytes.Buffer
		writeText(&part, alt.typ, alt.body)
		if err := copyPart(mw, part.Bytes()); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeText writes a UTF-8 text part, quoted-printable so that any line
// length and any character survive every relay.
func writeText(b *bytes.Buffer, typ, text string) {
	fmt.Fprintf(b, "Content-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", typ)
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	qp := quotedprintable.NewWriter(b)
	_, _ = io.WriteString(qp, text)
	_ = qp.Close()
}

// copyPart adds a part given as its own header and body (as writeText and
// writeContent produce them).
func copyPart(mw *multipart.Writer, part []byte) error {
	head, body, _ := bytes.Cut(part, []byte("\r\n\r\n"))
	h := textproto.MIMEHeader{}
	for _, line := range strings.Split(string(head), "\r\n") {
		k, v, _ := strings.Cut(line, ": ")
		h.Add(k, v)
	}
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

// writeAttachment writes one attachment: base64 for files, the bytes
// themselves for a message/rfc822 (RFC 2046 allows it no other encoding).
func writeAttachment(mw *multipart.Writer, a Attachment) error {
	name := FileName(a.Name)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if a.Message && messageSafe(a.Data) {
		h.Set("Content-Type", "message/rfc822")
		h.Set("Content-Transfer-Encoding", transferEncoding(a.Data))
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		_, err = w.Write(crlf(a.Data))
		return err
	}
	h.Set("Content-Type", mime.FormatMediaType(contentType(a), map[string]string{"name": name}))
	h.Set("Content-Transfer-Encoding", "base64")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	return writeBase64(w, a.Data)
}

// contentType is the declared type, else a guess from the extension,
// else application/octet-stream. A message that cannot travel as
// message/rfc822 goes as a base64 .eml file.
func contentType(a Attachment) string {
	if a.Message {
		return "application/octet-stream"
	}
	if t, _, err := mime.ParseMediaType(a.ContentType); err == nil && a.ContentType != "" {
		return t
	}
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(a.Name))); t != "" {
		if mt, _, err := mime.ParseMediaType(t); err == nil {
			return mt
		}
	}
	return "application/octet-stream"
}

// FileName is the name an attachment is sent under: the last element of
// whatever path it came with, without control characters, at most 200
// bytes; "attachment" when nothing is left.
func FileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '/' {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:200], "")
	}
	if name == "" || name == "." || name == ".." {
		return "attachment"
	}
	return name
}

// messageSafe says whether a message can be attached as message/rfc822:
// no NUL and no line over 998 bytes (RFC 5322); anything else travels as
// a base64 file so that no byte is lost.
func messageSafe(raw []byte) bool {
	if bytes.IndexByte(raw, 0) >= 0 {
		return false
	}
	for len(raw) > 0 {
		line, rest, _ := bytes.Cut(raw, []byte("\n"))
		if len(line) > 998 {
			return false
		}
		raw = rest
	}
	return true
}

func transferEncoding(raw []byte) string {
	for _, c := range raw {
		if c >= 0x80 {
			return "8bit"
		}
	}
	return "7bit"
}

// crlf makes line ends CRLF (SMTP requires it) without touching anything
// else.
func crlf(raw []byte) []byte {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
}

// writeBase64 writes data base64-encoded in 76-character lines.
func writeBase64(w io.Writer, data []byte) error {
	const chunk = 57 // 57 bytes encode to 76 characters
	line := make([]byte, base64.StdEncoding.EncodedLen(chunk)+2)
	for len(data) > 0 {
		n := min(chunk, len(data))
		enc := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(line, data[:n])
		line[enc], line[enc+1] = '\r', '\n'
		if _, err := w.Write(line[:enc+2]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
