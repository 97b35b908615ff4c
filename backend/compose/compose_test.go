package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// decoded is one leaf part of a received message, decoded with the
// standard library only (independent of the writer under test).
type decoded struct {
	typ, filename, encoding string
	body                    []byte
}

func decode(t *testing.T, raw []byte) (mail.Header, []decoded) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	var parts []decoded
	walk(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body, &parts)
	return msg.Header, parts
}

func walk(t *testing.T, ctype, enc, disp string, body io.Reader, out *[]decoded) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			walk(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p, out)
		}
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(enc) {
	case "base64":
		data, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
	case "quoted-printable":
		data, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(data)))
	}
	if err != nil {
		t.Fatalf("decode %s: %v", enc, err)
	}
	_, dp, _ := mime.ParseMediaType(disp)
	*out = append(*out, decoded{typ: mt, filename: dp["filename"], encoding: enc, body: data})
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }

func TestAttachmentsSurviveByteForByte(t *testing.T) {
	binary := make([]byte, 70_000)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	original := []byte("From: a@evil.example\r\nSubject: phish\r\n\r\nclick  \r\n")
	m := Message{
		From: "soc@example.com", To: []string{"desk@example.com"}, Cc: []string{"lead@example.com"}, Bcc: []string{"hidden@example.com"},
		Subject: "Über phishing — case 4711", Text: "Hello,\nsee attached.\n" + strings.Repeat("long line ", 200), HTML: "<p>Hello</p>",
		Attachments: []Attachment{
			{Name: "../../etc/évidence report.bin", Data: binary},
			{Name: "notes.txt", Data: []byte("no newline at end")},
			{Name: "original.eml", Data: original, Message: true},
		},
		InReplyTo: "<x1@example.com>",
		Date:      time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC),
	}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line %d is %d bytes", i, len(line))
		}
	}
	h, parts := decode(t, raw)
	if h.Get("Bcc") != "" || bytes.Contains(raw, []byte("hidden@example.com")) {
		t.Fatal("Bcc leaked into the message")
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if subj != m.Subject || h.Get("In-Reply-To") != "<x1@example.com>" || h.Get("Cc") != "lead@example.com" {
		t.Fatalf("header: subject %q, in-reply-to %q, cc %q", subj, h.Get("In-Reply-To"), h.Get("Cc"))
	}
	if len(parts) != 5 {
		t.Fatalf("%d parts: %+v", len(parts), parts)
	}
	if parts[0].typ != "text/plain" || string(parts[0].body) != strings.ReplaceAll(m.Text, "\n", "\r\n") {
		t.Fatalf("text part: %s %q", parts[0].typ, parts[0].body[:40])
	}
	if parts[1].typ != "text/html" || string(parts[1].body) != m.HTML {
		t.Fatalf("html part: %s %q", parts[1].typ, parts[1].body)
	}
	want := []struct {
		typ, name string
		data      []byte
	}{
		{"application/octet-stream", "évidence report.bin", binary},
		{"text/plain", "notes.txt", []byte("no newline at end")},
		{"message/rfc822", "original.eml", original},
	}
	for i, w := range want {
		p := parts[2+i]
		if p.typ != w.typ || p.filename != w.name || sum(p.body) != sum(w.data) {
			t.Errorf("attachment %d: %s %q %d bytes; want %s %q %d bytes", i, p.typ, p.filename, len(p.body), w.typ, w.name, len(w.data))
		}
	}
	info := m.Attached()
	if got := sum(binary); info[0].SHA256 != hex.EncodeToString(got[:]) || info[0].Size != len(binary) {
		t.Fatalf("preview info %+v", info[0])
	}
}

func TestBytesWithBccCarriesBcc(t *testing.T) {
	m := Message{From: "soc@example.com", Bcc: []string{"hidden@example.com"}, Subject: "s", Text: "t"}
	raw, err := m.BytesWithBcc()
	if err != nil {
		t.Fatal(err)
	}
	h, parts := decode(t, raw)
	if h.Get("Bcc") != "hidden@example.com" || h.Get("To") != "" || len(parts) != 1 || string(parts[0].body) != "t\r\n" || !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Fatalf("bcc %q to %q parts %+v", h.Get("Bcc"), h.Get("To"), parts)
	}
	if got := m.Recipients(); len(got) != 1 || got[0] != "hidden@example.com" {
		t.Fatalf("recipients %v", got)
	}
}

func TestValidateRefusesInjection(t *testing.T) {
	for _, m := range []Message{
		{From: "soc@example.com", Subject: "no recipient"},
		{From: "soc@example.com", To: []string{"a@example.com\r\nBcc: x@evil.example"}},
		{From: "soc@example.com", To: []string{"Name <a@example.com>"}},
		{From: "soc@example.com", To: []string{"a@example.com, b@example.com"}},
		{From: "", To: []string{"a@example.com"}},
		{From: "soc@example.com", To: []string{"a@example.com"}, InReplyTo: "x\r\nBcc: y"},
	} {
		if _, err := m.Bytes(); err == nil {
			t.Errorf("accepted %+v", m)
		}
	}
}

// A subject with control characters stays on one header line; a long
// non-ASCII one is folded between encoded words.
func TestSubjectStaysOneFieldWithinLineLimit(t *testing.T) {
	m := Message{From: "soc@example.com", To: []string{"a@example.com"}, Subject: "x\r\nBcc: evil@evil.example " + strings.Repeat("ü", 400), Text: "t"}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := decode(t, raw)
	if h.Get("Bcc") != "" {
		t.Fatal("a subject injected a header field")
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || !strings.HasPrefix(subj, "x  Bcc: evil@evil.example üü") {
		t.Fatalf("subject %q %v", subj, err)
	}
}

// A message with a line too long for message/rfc822 is attached as a
// base64 file, whole.
func TestUnsafeMessageTravelsAsFile(t *testing.T) {
	original := append([]byte("Subject: x\r\n\r\n"), bytes.Repeat([]byte("a"), 5000)...)
	m := Message{From: "soc@example.com", To: []string{"a@example.com"}, Text: "t", Attachments: []Attachment{{Name: "m.eml", Data: original, Message: true}}}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	_, parts := decode(t, raw)
	if len(parts) != 2 || parts[1].encoding != "base64" || !bytes.Equal(parts[1].body, original) {
		t.Fatalf("parts %+v", parts)
	}
}

func TestFileNameIsOurs(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd": "passwd", `C:\Users\x\evil.exe`: "evil.exe", "..": "attachment", "": "attachment",
		"a\x00b\x1b[31m.txt": "ab[31m.txt",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}
