package reported

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported/msgtest"
)

// fuzzMsgSeeds are .msg files of every shape the reader knows.
func fuzzMsgSeeds() [][]byte {
	embedded := sampleMsg()
	embedded.TransportHeaders = "From: a@b.example\r\nSubject: s\r\n\r\n"
	rtf := &msgtest.Message{Subject: "rtf", RTF: []byte(`{\rtf1{\field{\*\fldinst{HYPERLINK "https://x.example"}}{\fldrslt{x}}}\par}`)}
	s8 := sampleMsg()
	s8.String8, s8.CodePage = true, 1252
	big := sampleMsg()
	big.Body = strings.Repeat("b", 5000)
	return [][]byte{
		sampleMsg().Bytes(), rtf.Bytes(), s8.Bytes(), big.Bytes(),
		(&msgtest.Message{Subject: "outer", Attachments: []msgtest.Attachment{{Name: "in", Embedded: embedded}}}).Bytes(),
	}
}

func FuzzReadMsg(f *testing.F) {
	for _, s := range fuzzMsgSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		m, err := ReadMsg(data, MsgLimits{})
		if err != nil {
			return
		}
		checkMsgBounds(t, m, 0)
		raw := Synthesise(m)
		p := mail.ParseMessage(raw)
		if headerValue(p.Header, SynthesisedHeader) == "" {
			t.Fatalf("synthesised message not marked: %q", p.RawHeader)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%d bytes took %v", len(data), d)
		}
	})
}

func checkMsgBounds(t *testing.T, m *Msg, depth int) {
	lim := MsgLimits{}.withDefaults()
	if depth > lim.MaxDepth || len(m.Attachments) > lim.MaxAttachments || len(m.Recipients) > lim.MaxRecipients || len(m.RTF) > lim.MaxRTFBytes {
		t.Fatalf("bounds exceeded at depth %d: %d attachments, %d recipients, %d RTF bytes", depth, len(m.Attachments), len(m.Recipients), len(m.RTF))
	}
	for _, a := range m.Attachments {
		if a.Embedded != nil {
			checkMsgBounds(t, a.Embedded, depth+1)
		}
	}
}

func FuzzRecognize(f *testing.F) {
	f.Add(report("[Phish Report] x", "fake?", [3]string{"message/rfc822", "original.eml", phishOriginal}))
	f.Add(report("FW: x", "msg", [3]string{"application/vnd.ms-outlook", "x.msg", string(sampleMsg().Bytes())}))
	f.Add(arfReport("message/rfc822", phishOriginal))
	f.Add(arfReport("text/rfc822-headers", "From: a@b.example\r\nSubject: s"))
	f.Add(plain("FW: parcel", "hi\n\n---------- Forwarded message ---------\nFrom: A <a@x.example>\nDate: Mon, Nov 16, 2026 at 8:41 AM\nSubject: s\nTo: b@y.example\n\n"+phishBody))
	f.Add([]byte(phishOriginal))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, ok := Recognize(raw)
		if !ok {
			return
		}
		lim := Limits{}.withDefaults()
		if len(r.Originals) == 0 || len(r.Originals) > lim.MaxOriginals || r.CaseKey == "" || len(r.Comment) > lim.MaxComment {
			t.Fatalf("report out of bounds: %d originals, case %q, %d comment bytes", len(r.Originals), r.CaseKey, len(r.Comment))
		}
		if r.Kind != r.Originals[0].Kind || r.Reconstructed != r.Originals[0].Reconstructed {
			t.Fatalf("report disagrees with its primary original: %+v", r)
		}
		for _, o := range r.Originals {
			_ = mail.ParseMessage(o.Raw)
			if o.Synthetic && !bytes.Contains(o.Raw, []byte(SynthesisedHeader+":")) {
				t.Fatal("synthetic original not marked")
			}
			// The list and the block flow read the original's envelope.
			if env := o.Envelope(mail.Envelope{UID: 7}); env.UID != 7 {
				t.Fatal("the original's envelope lost the report's UID")
			}
		}
	})
}

func FuzzInlineForward(f *testing.F) {
	for _, c := range []string{
		"FYI\n\n________________________________\nFrom: A <a@x.example>\nSent: Monday, November 16, 2026 8:41 AM\nTo: B\nSubject: s\n\nbody https://x.example/",
		"\n-----Ursprüngliche Nachricht-----\nVon: A [mailto:a@x.example]\nGesendet: Montag\nAn: B\nBetreff: s\n\nbody",
		"Begin forwarded message:\n\n> From: A <a@x.example>\n> Subject: s\n> Date: 16 November 2026 at 08:41:00 CET\n>\n> body",
		"-------- Forwarded Message --------\nSubject: \ts\nDate: \tMon, 16 Nov 2026 08:41:00 +0000\nFrom: \tA <a@x.example>\n\nbody",
		"*De :* A <a@x.example>\n*Envoyé :* lundi\n*Objet :* s\n\nbody",
	} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fw, ok := ParseInlineForward(text)
		if !ok {
			return
		}
		if fw.From == "" || (fw.Date == "" && fw.Subject == "") {
			t.Fatalf("forward without its fields: %+v", fw)
		}
		p := mail.ParseMessage(fw.Message())
		for _, h := range p.Header {
			if h.Name == "" {
				t.Fatalf("a forwarded field broke the header: %q", p.RawHeader)
			}
		}
		if !strings.Contains(headerValue(p.Header, SynthesisedHeader), "reconstructed") {
			t.Fatalf("not marked reconstructed: %q", p.RawHeader)
		}
	})
}
