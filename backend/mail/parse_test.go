package mail

import (
	"strings"
	"testing"
)

func TestParseMessageKeepsHeaderOrderAndDuplicates(t *testing.T) {
	raw := "Received: from a by b\r\nReceived: from c\r\n\tby d\r\nSubject: =?UTF-8?B?SGVsbG8=?=\r\nno colon here\r\n\r\nbody\r\n"
	p := ParseMessage([]byte(raw))
	if len(p.Header) != 4 {
		t.Fatalf("fields = %+v", p.Header)
	}
	if p.Header[1].Value != "from c by d" {
		t.Errorf("folded Received = %q", p.Header[1].Value)
	}
	if p.Header[3].Name != "" || p.Header[3].Value != "no colon here" {
		t.Errorf("line without colon = %+v", p.Header[3])
	}
	// enmime folds a colon-less line into the field above it; the raw
	// header view shows the line as it stood.
	if !strings.HasPrefix(p.Subject, "Hello") {
		t.Errorf("subject = %q, want it decoded to Hello…", p.Subject)
	}
}

func TestParseMessageNeverFailsOnGarbage(t *testing.T) {
	for _, raw := range []string{"", "\x00\x01\x02", "no header block at all", "Content-Type: multipart/mixed\r\n\r\n--x\r\n"} {
		p := ParseMessage([]byte(raw))
		if p == nil {
			t.Fatalf("nil for %q", raw)
		}
	}
	p := ParseMessage([]byte("Subject: x\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"))
	if !strings.Contains(p.Text, "hi") {
		t.Errorf("text = %q", p.Text)
	}
	if len(p.Warnings) == 0 {
		t.Error("missing final boundary not reported")
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte("Subject: hi\r\n\r\nbody"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n--b--\r\n"))
	f.Add([]byte("Content-Type: multipart/alternative\r\n\r\n"))
	f.Add([]byte("From: =?x-unknown?Q?a?= <a@b>\r\nReceived: a\r\n b\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := ParseMessage(raw)
		if len(p.RawHeader) > maxHeaderBlock {
			t.Fatalf("header block of %d bytes kept", len(p.RawHeader))
		}
	})
}
