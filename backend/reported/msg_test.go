package reported

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported/msgtest"
)

var sampleDate = time.Date(2026, 11, 16, 8, 41, 0, 0, time.UTC)

func sampleMsg() *msgtest.Message {
	return &msgtest.Message{
		Subject:       "Your mailbox is almost full – act now",
		SenderName:    "IT Service Desk",
		SenderAddress: "helpdesk@rnicrosoft.example",
		MessageID:     "<quota-4471@rnicrosoft.example>",
		Date:          sampleDate,
		Recipients: []msgtest.Recipient{
			{Name: "Dana Kowalski", Address: "dana.kowalski@northwind.example", Type: 1},
			{Name: "Tom Becker", Address: "tom.becker@northwind.example", Type: 2},
		},
		Body: "Your mailbox is 99% full.\r\nVerify at https://rnicrosoft.example/owa/quota?u=dana\r\n",
		HTML: `<p>Your mailbox is 99% full. <a href="https://rnicrosoft.example/owa/quota?u=dana">https://outlook.office.com/</a></p>`,
		Attachments: []msgtest.Attachment{
			{Name: "quota-policy.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.7\n%fake\n")},
		},
	}
}

func TestReadMsgRoundTrip(t *testing.T) {
	for _, string8 := range []bool{false, true} {
		in := sampleMsg()
		in.String8 = string8
		if string8 {
			in.Subject = "Your mailbox is almost full - act now" // ASCII: valid in any code page
		}
		m, err := ReadMsg(in.Bytes(), MsgLimits{})
		if err != nil {
			t.Fatalf("string8=%v: %v", string8, err)
		}
		if m.Subject != in.Subject || m.SenderName != in.SenderName || m.SenderAddress != in.SenderAddress ||
			m.MessageID != in.MessageID || !m.Date.Equal(sampleDate) || m.Body != in.Body || m.HTML != in.HTML {
			t.Errorf("string8=%v: got %+v", string8, m)
		}
		if len(m.Recipients) != 2 || m.Recipients[1] != (MsgRecipient{Name: "Tom Becker", Address: "tom.becker@northwind.example", Type: 2}) {
			t.Errorf("recipients %+v", m.Recipients)
		}
		if len(m.Attachments) != 1 || m.Attachments[0].Name != "quota-policy.pdf" || !bytes.Equal(m.Attachments[0].Data, in.Attachments[0].Data) ||
			m.Attachments[0].MimeType != "application/pdf" {
			t.Errorf("attachments %+v", m.Attachments)
		}
	}
}

// A stream of 4096 bytes or more lives in regular sectors, not the mini
// stream: both paths must read.
func TestReadMsgLargeStreams(t *testing.T) {
	in := sampleMsg()
	in.Body = strings.Repeat("large body line with https://big.example/x\r\n", 400)
	in.Attachments[0].Data = bytes.Repeat([]byte{0xAB}, 20000)
	m, err := ReadMsg(in.Bytes(), MsgLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Body != in.Body || !bytes.Equal(m.Attachments[0].Data, in.Attachments[0].Data) {
		t.Fatalf("body %d bytes, attachment %d bytes", len(m.Body), len(m.Attachments[0].Data))
	}
}

func TestReadMsgString8CodePage(t *testing.T) {
	in := sampleMsg()
	in.String8 = true
	in.CodePage = 1252
	in.Subject = "Factur\xe9 \x80 10" // Windows-1252: é and €
	m, err := ReadMsg(in.Bytes(), MsgLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Facturé € 10" {
		t.Fatalf("subject %q", m.Subject)
	}
}

func TestReadMsgEmbeddedAndTransportHeaders(t *testing.T) {
	inner := sampleMsg()
	inner.TransportHeaders = "Received: from mx.rnicrosoft.example\r\n\tby mx.northwind.example; Mon, 16 Nov 2026 08:41:00 +0000\r\n" +
		"From: IT Service Desk <helpdesk@rnicrosoft.example>\r\nSubject: Quota\r\nMessage-ID: <quota-4471@rnicrosoft.example>\r\n" +
		"Content-Type: multipart/alternative; boundary=\"old\"\r\nMIME-Version: 1.0\r\n\r\n"
	outer := &msgtest.Message{Subject: "FW: Quota", SenderName: "Dana", SenderAddress: "dana@northwind.example",
		Body: "see attached", Attachments: []msgtest.Attachment{{Name: "Quota", Embedded: inner}}}
	m, err := ReadMsg(outer.Bytes(), MsgLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Embedded == nil {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	e := m.Attachments[0].Embedded
	if e.Subject != inner.Subject || !strings.HasPrefix(e.TransportHeaders, "Received:") || len(e.Attachments) != 1 {
		t.Fatalf("embedded %+v", e)
	}
	p := mail.ParseMessage(Synthesise(m))
	if len(p.Parts) != 1 || p.Parts[0].ContentType != "message/rfc822" {
		t.Fatalf("parts %+v", p.Parts)
	}
	nested := mail.ParseMessage(p.Parts[0].Content)
	if nested.Subject != "Quota" || !strings.Contains(nested.Text, "rnicrosoft.example/owa") {
		t.Fatalf("nested subject %q text %q", nested.Subject, nested.Text)
	}
	if headerValue(nested.Header, "Received") == "" || !strings.Contains(headerValue(nested.Header, SynthesisedHeader), "transport headers kept") {
		t.Fatalf("nested header %+v", nested.Header)
	}
	if strings.Contains(string(nested.RawHeader), `boundary="old"`) {
		t.Fatal("the original MIME fields were kept: the rebuilt body would not parse")
	}
}

func TestSynthesiseFromProperties(t *testing.T) {
	m, err := ReadMsg(sampleMsg().Bytes(), MsgLimits{})
	if err != nil {
		t.Fatal(err)
	}
	p := mail.ParseMessage(Synthesise(m))
	if p.Subject != "Your mailbox is almost full – act now" || !strings.Contains(p.From, "helpdesk@rnicrosoft.example") ||
		!strings.Contains(p.To, "dana.kowalski@northwind.example") || !strings.Contains(p.Cc, "tom.becker@northwind.example") {
		t.Fatalf("header: subject %q from %q to %q cc %q", p.Subject, p.From, p.To, p.Cc)
	}
	if !p.Date.Equal(sampleDate) || headerValue(p.Header, "Message-ID") != "<quota-4471@rnicrosoft.example>" {
		t.Fatalf("date %v id %q", p.Date, headerValue(p.Header, "Message-ID"))
	}
	if !strings.Contains(headerValue(p.Header, SynthesisedHeader), "header built from properties") {
		t.Fatalf("not marked: %q", headerValue(p.Header, SynthesisedHeader))
	}
	if !strings.Contains(p.HTML, `href="https://rnicrosoft.example/owa/quota?u=dana"`) || !strings.Contains(p.Text, "99% full") {
		t.Fatalf("bodies %q %q", p.Text, p.HTML)
	}
	if len(p.Parts) != 1 || p.Parts[0].Name != "quota-policy.pdf" || string(p.Parts[0].Content) != "%PDF-1.7\n%fake\n" {
		t.Fatalf("parts %+v", p.Parts)
	}
}

// The worked example of MS-OXRTFCP section 4.1: a compressed stream with
// a dictionary reference, checked byte for byte.
func TestDecompressRTFSpecExample(t *testing.T) {
	in, _ := hex.DecodeString("2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0")
	got, err := DecompressRTF(in, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
	if string(got) != want {
		t.Fatalf("got %q", got)
	}
}

func TestRTFOnlyBody(t *testing.T) {
	rtf := `{\rtf1\ansi{\fonttbl{\f0 Arial;}}\pard Dear user,\par Your account is locked. ` +
		`{\field{\*\fldinst{HYPERLINK "https://unlock.example/a?b=1"}}{\fldrslt{Unlock here}}}\par Gr\'fc\'dfe \u8364? 5\par}`
	in := &msgtest.Message{Subject: "locked", SenderAddress: "x@unlock.example", RTF: []byte(rtf)}
	m, err := ReadMsg(in.Bytes(), MsgLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if string(m.RTF) != rtf {
		t.Fatalf("rtf %q", m.RTF)
	}
	p := mail.ParseMessage(Synthesise(m))
	p.Text = strings.ReplaceAll(p.Text, "\r\n", "\n")
	for _, want := range []string{"Dear user,\nYour account is locked.", "<https://unlock.example/a?b=1>", "Unlock here", "Grüße € 5"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("text %q lacks %q", p.Text, want)
		}
	}
	if strings.Contains(p.Text, "Arial") || strings.Contains(p.Text, `\`) {
		t.Errorf("RTF markup in the text: %q", p.Text)
	}
	// A plain body wins: the RTF is not even decompressed.
	in.Body = "plain"
	m, _ = ReadMsg(in.Bytes(), MsgLimits{})
	if m.RTF != nil || m.Body != "plain" {
		t.Fatalf("rtf read although a plain body exists: %q", m.RTF)
	}
}

func TestReadMsgHostile(t *testing.T) {
	big := sampleMsg()
	big.Body = strings.Repeat("x", 9000) // regular sectors: a FAT chain to break
	good, lay := msgtest.Build(big.EntriesForTest()...)
	span := lay.Streams["__substg1.0_1000001F"]
	if span.Sectors < 2 || span.Mini {
		t.Fatalf("layout %+v", span)
	}
	last := span.Start + uint32(span.Sectors) - 1

	loop := bytes.Clone(good)
	msgtest.SetFAT(loop, lay, last, span.Start) // the body's chain loops forever
	selfLoop := bytes.Clone(good)
	msgtest.SetFAT(selfLoop, lay, span.Start, span.Start)
	dirLoop := bytes.Clone(good)
	msgtest.SetFAT(dirLoop, lay, dirStart(good), dirStart(good)) // the directory chain loops
	offEnd := bytes.Clone(good)
	msgtest.SetFAT(offEnd, lay, span.Start, 0x7FFFFFF0) // points far past the file
	miniLoop := bytes.Clone(good)
	msgtest.SetMiniFAT(miniLoop, 0, 0)

	cases := map[string][]byte{
		"empty": nil, "signature only": good[:8], "header only": good[:512], "truncated": good[:len(good)/2],
		"FAT loop": loop, "self loop": selfLoop, "directory loop": dirLoop, "past the end": offEnd, "mini FAT loop": miniLoop,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			done := make(chan struct{})
			var m *Msg
			var err error
			go func() {
				defer close(done)
				m, err = ReadMsg(data, MsgLimits{})
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ReadMsg did not return")
			}
			if err != nil && !errors.Is(err, ErrNotMsg) {
				t.Fatalf("error %v does not wrap ErrNotMsg", err)
			}
			if err == nil {
				_ = Synthesise(m) // whatever was read must still make a message
			}
			t.Logf("err %v, notes %q", err, notesOf(m))
		})
	}
}

func dirStart(file []byte) uint32 {
	return uint32(file[48]) | uint32(file[49])<<8 | uint32(file[50])<<16 | uint32(file[51])<<24
}

func TestReadMsgBounds(t *testing.T) {
	t.Run("10000 attachments", func(t *testing.T) {
		file := manyAttachments(10000)
		start := time.Now()
		m, err := ReadMsg(file, MsgLimits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Attachments) != 500 {
			t.Fatalf("%d attachments read", len(m.Attachments))
		}
		t.Logf("10,000 attachments (%d KiB) read in %v", len(file)>>10, time.Since(start))
	})
	t.Run("nested 50 deep", func(t *testing.T) {
		in := &msgtest.Message{Subject: "level 50", Body: "bottom"}
		for i := 49; i >= 0; i-- {
			in = &msgtest.Message{Subject: "level", Attachments: []msgtest.Attachment{{Name: "inner", Embedded: in}}}
		}
		m, err := ReadMsg(in.Bytes(), MsgLimits{})
		if err != nil {
			t.Fatal(err)
		}
		depth := 0
		for e := m; len(e.Attachments) > 0 && e.Attachments[0].Embedded != nil; e = e.Attachments[0].Embedded {
			depth++
		}
		if depth != 8 {
			t.Fatalf("read %d levels deep", depth)
		}
		if raw := Synthesise(m); bytes.Count(raw, []byte("message/rfc822")) != 8 {
			t.Fatalf("synthesised %d nested messages", bytes.Count(raw, []byte("message/rfc822")))
		}
	})
}

func notesOf(m *Msg) []string {
	if m == nil {
		return nil
	}
	return m.Notes
}

func manyAttachments(n int) []byte {
	in := &msgtest.Message{Subject: "many"}
	for i := 0; i < n; i++ {
		in.Attachments = append(in.Attachments, msgtest.Attachment{Name: "a.txt", Data: []byte("x")})
	}
	return in.Bytes()
}
