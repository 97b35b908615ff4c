package reported

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// Transport headers from a hostile .msg cannot smuggle fields or a body
// past the rebuilt MIME structure.
func TestSynthesiseTransportHeadersAreContained(t *testing.T) {
	m := &Msg{
		TransportHeaders: "Subject: a\rBcc: hidden@x.example\r\nFrom: x@y.example\r\nContent-Type: text/plain\r\n\r\nBody: injected\r\n",
		Body:             "real body",
		Attachments:      []MsgAttachment{{Name: "a\r\nContent-Type: text/html", MimeType: "text/plain\r\nX-Evil: 1", Data: []byte("x")}},
	}
	p := mail.ParseMessage(Synthesise(m))
	for _, f := range p.Header {
		if strings.EqualFold(f.Name, "Bcc") || strings.EqualFold(f.Name, "Body") {
			t.Fatalf("smuggled field %q", f.Name)
		}
	}
	if !strings.Contains(p.Text, "real body") || strings.Contains(p.Text, "injected") {
		t.Fatalf("text %q", p.Text)
	}
	if len(p.Parts) != 1 || strings.Contains(p.Parts[0].ContentType, "html") {
		t.Fatalf("parts %+v", p.Parts)
	}
}

func TestCapText(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"héllo", 2, "h"}, {"héllo", 3, "hé"}, {"abc", 5, "abc"}, {"€", 2, ""}} {
		if got := capText(c.in, c.n); got != c.want {
			t.Errorf("capText(%q, %d) = %q", c.in, c.n, got)
		}
	}
}
