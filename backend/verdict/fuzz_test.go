package verdict

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
)

// FuzzReply renders a reply from hostile original and reporter fields:
// the message always parses, its header has exactly the fields mailtriage
// writes (nothing injected), and no http(s) link survives in the subject
// or the body.
func FuzzReply(f *testing.F) {
	f.Add("Urgent: https://evil.example/x", `"HR" <hr@evil.example>`, "Dana")
	f.Add("a\r\nBcc: x@y.example\r\n\r\nhttp://a.b", "x@evil.example\r\nX: 1", "Dana\r\nX-Evil: 1")
	f.Add("HTTPS://EVIL.EXAMPLE/?u=http://b.example", "=?utf-8?q?a?= <a@b.example>", "")
	set, err := Build(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, subject, sender, name string) {
		c := Case{Key: "mid:x", Original: Original{Subject: subject, From: sender},
			Reports: []Report{{UID: 1, ReporterName: name, ReporterAddress: "dana@corp.example", MessageID: "<r@corp.example>"}}}
		for _, v := range set {
			r, err := render(c, v, Compose{From: "soc@corp.example", Analyst: "Alex"}, byReporter(c)[0], 1)
			if err != nil {
				t.Fatal(err)
			}
			checkReplyMessage(t, r)
		}
	})
}

var replyHeader = []string{"From", "To", "Subject", "Date", "Message-Id", "In-Reply-To", "References", "Auto-Submitted", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"}

func checkReplyMessage(t *testing.T, r Reply) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatalf("reply does not parse: %v\n%q", err, r.Raw)
	}
	if len(msg.Header) != len(replyHeader) {
		t.Fatalf("header fields %v", msg.Header)
	}
	for _, k := range replyHeader {
		if len(msg.Header[k]) != 1 {
			t.Fatalf("header %s: %v", k, msg.Header[k])
		}
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	for _, text := range []string{r.Subject, string(body)} {
		if l := strings.ToLower(text); strings.Contains(l, "http://") || strings.Contains(l, "https://") {
			t.Fatalf("live link in %q", text)
		}
	}
}
