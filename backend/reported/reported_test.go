package reported

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
)

const phishOriginal = "From: \"Microsoft 365\" <no-reply@micros0ft-login.example>\r\n" +
	"To: dana.kowalski@northwind.example\r\nSubject: Password expires today\r\n" +
	"Date: Mon, 16 Nov 2026 08:41:00 +0000\r\nMessage-ID: <exp-1@micros0ft-login.example>\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n\r\nKeep your password: https://micros0ft-login.example/keep?u=dana\r\n"

// report builds a multipart/mixed report: the reporter's text, then each
// part given as "Content-Type\x00filename\x00body".
func report(subject, text string, parts ...[3]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Dana Kowalski <dana.kowalski@northwind.example>\r\nTo: soc-reports@northwind.example\r\n"+
		"Subject: %s\r\nMessage-ID: <report-%d@northwind.example>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", subject, len(text), text)
	for _, p := range parts {
		fmt.Fprintf(&b, "--r\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=%q\r\n", p[0], p[1])
		if strings.HasPrefix(p[0], "message/") {
			fmt.Fprintf(&b, "\r\n%s\r\n", p[2])
			continue
		}
		fmt.Fprintf(&b, "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", base64.StdEncoding.EncodeToString([]byte(p[2])))
	}
	b.WriteString("--r--\r\n")
	return b.Bytes()
}

func plain(subject, text string) []byte {
	return []byte("From: Dana Kowalski <dana.kowalski@northwind.example>\r\nTo: soc-reports@northwind.example\r\nSubject: " + subject +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(text, "\n", "\r\n"))
}

func TestRecognizeForms(t *testing.T) {
	msgFile := string(sampleMsg().Bytes())
	second := strings.Replace(phishOriginal, "exp-1@", "exp-2@", 1)
	cases := []struct {
		name      string
		raw       []byte
		kind      Kind
		originals int
		subject   string // the primary original's
		caseKey   string
		comment   string
	}{
		{"rfc822", report("[Phish Report] Password expires today", "Looks fake.", [3]string{"message/rfc822", "original.eml", phishOriginal}),
			KindRFC822, 1, "Password expires today", "mid:exp-1@micros0ft-login.example", "Looks fake."},
		{"two rfc822", report("FW: two", "Two of them.", [3]string{"message/rfc822", "a.eml", phishOriginal}, [3]string{"message/rfc822", "b.eml", second}),
			KindRFC822, 2, "Password expires today", "mid:exp-1@micros0ft-login.example", "Two of them."},
		{".eml as octet-stream", report("FW: eml", "eml file", [3]string{"application/octet-stream", "Password.eml", phishOriginal}),
			KindRFC822, 1, "Password expires today", "mid:exp-1@micros0ft-login.example", "eml file"},
		{"msg", report("FW: quota", "Outlook drag and drop", [3]string{"application/vnd.ms-outlook", "Your mailbox.msg", msgFile}),
			KindMsg, 1, "Your mailbox is almost full – act now", "mid:quota-4471@rnicrosoft.example", "Outlook drag and drop"},
		{"msg as octet-stream", report("FW: quota", "again", [3]string{"application/octet-stream", "quota.msg", msgFile}),
			KindMsg, 1, "Your mailbox is almost full – act now", "mid:quota-4471@rnicrosoft.example", "again"},
		{"msg then eml", report("FW: both", "both", [3]string{"application/vnd.ms-outlook", "q.msg", msgFile}, [3]string{"message/rfc822", "o.eml", phishOriginal}),
			KindMsg, 2, "Your mailbox is almost full – act now", "mid:quota-4471@rnicrosoft.example", "both"},
		{"inline outlook", plain("FW: Password expires today", "Is this real?\n\n________________________________\nFrom: Microsoft 365 <no-reply@micros0ft-login.example>\n"+
			"Sent: Monday, November 16, 2026 8:41 AM\nTo: Dana Kowalski <dana.kowalski@northwind.example>\nSubject: Password expires today\n\n"+
			"Keep your password: https://micros0ft-login.example/keep?u=dana\n"),
			KindInline, 1, "Password expires today", BodyKey("Keep your password: https://micros0ft-login.example/keep?u=dana", ""), "Is this real?"},
		{"arf", arfReport("message/rfc822", phishOriginal), KindARF, 1, "Password expires today", "mid:exp-1@micros0ft-login.example", "This is an abuse report"},
		{"arf headers only", arfReport("text/rfc822-headers", strings.SplitN(phishOriginal, "\r\n\r\n", 2)[0]),
			KindARF, 1, "Password expires today", "mid:exp-1@micros0ft-login.example", "This is an abuse report"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, ok := Recognize(c.raw)
			if !ok {
				t.Fatal("not recognised")
			}
			if r.Kind != c.kind || len(r.Originals) != c.originals || r.CaseKey != c.caseKey {
				t.Fatalf("kind %s, %d originals, case %q", r.Kind, len(r.Originals), r.CaseKey)
			}
			if r.ReporterAddress == "" || !strings.HasPrefix(r.Comment, c.comment) {
				t.Fatalf("reporter %q <%s>, comment %q", r.ReporterName, r.ReporterAddress, r.Comment)
			}
			if got := mail.ParseMessage(r.Primary().Raw).Subject; got != c.subject {
				t.Fatalf("original subject %q", got)
			}
			if r.Reconstructed != (c.kind == KindInline || c.name == "arf headers only") {
				t.Fatalf("reconstructed %v", r.Reconstructed)
			}
		})
	}
}

func arfReport(partType, original string) []byte {
	return []byte("From: abuse-feedback@isp.example\r\nTo: soc-reports@northwind.example\r\nSubject: FW: Password expires today\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\r\n\r\n" +
		"--arf\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is an abuse report for a message received from 192.0.2.7.\r\n" +
		"--arf\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n" +
		"Original-Mail-From: <bounce@micros0ft-login.example>\r\nOriginal-Rcpt-To: <dana.kowalski@northwind.example>\r\n" +
		"Arrival-Date: Mon, 16 Nov 2026 08:41:00 +0000\r\nSource-IP: 192.0.2.7\r\nReported-Domain: micros0ft-login.example\r\n" +
		"Reported-URI: https://micros0ft-login.example/keep\r\n\r\n" +
		"--arf\r\nContent-Type: " + partType + "\r\n\r\n" + original + "\r\n--arf--\r\n")
}

func TestRecognizeARFFeedback(t *testing.T) {
	r, ok := Recognize(arfReport("message/rfc822", phishOriginal))
	if !ok || r.Feedback == nil {
		t.Fatal("not recognised")
	}
	f := r.Feedback
	if f.Type != "abuse" || f.SourceIP != "192.0.2.7" || f.OriginalMailFrom != "<bounce@micros0ft-login.example>" ||
		len(f.ReportedDomain) != 1 || len(f.ReportedURI) != 1 || len(f.OriginalRcptTo) != 1 {
		t.Fatalf("feedback %+v", f)
	}
}

func TestRecognizeNotAReport(t *testing.T) {
	cases := map[string][]byte{
		"plain mail":       []byte(phishOriginal),
		"pdf attachment":   report("invoice", "see attached", [3]string{"application/pdf", "invoice.pdf", "%PDF-1.7"}),
		"fake .msg":        report("FW: x", "not OLE", [3]string{"application/vnd.ms-outlook", "x.msg", "just text"}),
		"fake .eml":        report("FW: x", "not a message", [3]string{"application/octet-stream", "x.eml", "hello world, no header here"}),
		"reply with quote": plain("RE: Password expires today", "No.\n\nFrom: IT <it@northwind.example>\nSent: Monday, November 16, 2026 8:41 AM\nSubject: Password\n\nold"),
		"empty":            nil,
	}
	for name, raw := range cases {
		if r, ok := Recognize(raw); ok {
			t.Errorf("%s: recognised as %s", name, r.Kind)
		}
	}
}

// The same phish reported three ways has one case key where it keeps its
// Message-ID (attached .eml, attached .msg with the same id).
func TestCaseKeyAcrossForms(t *testing.T) {
	m := sampleMsg()
	m.MessageID = "<exp-1@micros0ft-login.example>"
	a, _ := Recognize(report("[Phish Report] x", "one", [3]string{"message/rfc822", "original.eml", phishOriginal}))
	b, _ := Recognize(report("FW: x", "two", [3]string{"application/vnd.ms-outlook", "x.msg", string(m.Bytes())}))
	if a.CaseKey == "" || a.CaseKey != b.CaseKey {
		t.Fatalf("case keys %q and %q", a.CaseKey, b.CaseKey)
	}
}

func TestBodyKeyNormalisation(t *testing.T) {
	a := BodyKey("Keep your password:\r\n  https://x.example/k\r\n", "")
	same := []string{
		"> Keep your  password:\n> https://x.example/k",
		"KEEP YOUR PASSWORD: https://x.example/k",
		"Keep\u200b your\u00a0password:\nhttps://x.example/k\n\n",
	}
	for _, s := range same {
		if BodyKey(s, "") != a {
			t.Errorf("%q hashes differently", s)
		}
	}
	if BodyKey("Keep your password: https://y.example/k", "") == a {
		t.Error("another URL hashes alike")
	}
	if BodyKey("", "<p>Keep your password:<br>https://x.example/k</p>") == "" {
		t.Error("no key from HTML")
	}
}

func TestRecognizeMsgOriginalIsAnalysable(t *testing.T) {
	r, ok := Recognize(report("FW: quota", "x", [3]string{"application/vnd.ms-outlook", "q.msg", string(sampleMsg().Bytes())}))
	if !ok || !r.Primary().Synthetic {
		t.Fatalf("%+v", r)
	}
	p := mail.ParseMessage(r.Primary().Raw)
	if !strings.Contains(p.From, "helpdesk@rnicrosoft.example") || !strings.Contains(p.HTML, "rnicrosoft.example/owa/quota") {
		t.Fatalf("from %q html %q", p.From, p.HTML)
	}
}

func TestRecognizeManyOriginalsBounded(t *testing.T) {
	var parts [][3]string
	for i := 0; i < 100; i++ {
		parts = append(parts, [3]string{"message/rfc822", "o.eml", phishOriginal})
	}
	r, ok := Recognize(report("FW: many", "many", parts...))
	if !ok || len(r.Originals) != 20 {
		t.Fatalf("%d originals", len(r.Originals))
	}
}
