package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// AttachmentInfo is what a preview shows of an attachment.
type AttachmentInfo struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

// Attached lists the attachments as they will be sent: name, type, size
// and SHA-256 of the bytes.
func (m Message) Attached() []AttachmentInfo {
	out := make([]AttachmentInfo, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		typ := contentType(a)
		if a.Message && messageSafe(a.Data) {
			typ = "message/rfc822"
		}
		sum := sha256.Sum256(crlfIf(a))
		out = append(out, AttachmentInfo{Name: FileName(a.Name), ContentType: typ, Size: len(crlfIf(a)), SHA256: hex.EncodeToString(sum[:])})
	}
	return out
}

// crlfIf is the attachment's bytes as they travel: a message/rfc822 gets
// CRLF line ends, a file is sent unchanged.
func crlfIf(a Attachment) []byte {
	if a.Message && messageSafe(a.Data) {
		return crlf(a.Data)
	}
	return a.Data
}

// Preview writes what would be sent, for a confirm or --dry-run: the
// header fields (Bcc included, marked as not sent in the header), a
// summary of the body and every attachment with its size and SHA-256.
// clean makes each line safe for a terminal (the caller's sanitizer).
func (m Message) Preview(w io.Writer, clean func(string) string) {
	line := func(k, v string) { fmt.Fprintf(w, "%-12s %s\n", k+":", clean(v)) }
	line("From", m.From)
	for _, f := range []struct {
		k    string
		list []string
	}{{"To", m.To}, {"Cc", m.Cc}, {"Bcc", m.Bcc}} {
		if len(f.list) > 0 {
			line(f.k, strings.Join(f.list, ", "))
		}
	}
	line("Subject", m.Subject)
	if m.InReplyTo != "" {
		line("In-Reply-To", m.InReplyTo)
	}
	line("Body", bodySummary(m))
	for _, a := range m.Attached() {
		line("Attachment", fmt.Sprintf("%s (%s, %d bytes, sha256 %s)", a.Name, a.ContentType, a.Size, a.SHA256))
	}
	if len(m.Bcc) > 0 {
		fmt.Fprintln(w, "(Bcc recipients receive the message; their addresses are not in its header.)")
	}
}

func bodySummary(m Message) string {
	s := fmt.Sprintf("text, %d characters, %d lines", utf8.RuneCountInString(m.Text), strings.Count(m.Text, "\n")+1)
	if m.HTML != "" {
		s += fmt.Sprintf("; HTML, %d characters", utf8.RuneCountInString(m.HTML))
	}
	first, _, _ := strings.Cut(strings.TrimSpace(m.Text), "\n")
	if first != "" {
		if r := []rune(first); len(r) > 60 {
			first = string(r[:59]) + "…"
		}
		s += fmt.Sprintf(": %q", first)
	}
	return s
}
