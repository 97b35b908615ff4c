package evidence

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported/msgtest"
)

func msgReport(tb testing.TB) []byte {
	tb.Helper()
	inner := &msgtest.Message{Subject: "inner", SenderAddress: "b@evil.example", Body: "https://inner.example/x"}
	file := (&msgtest.Message{
		Subject: "Invoice overdue", SenderName: "Billing", SenderAddress: "billing@evil.example",
		MessageID: "<inv-1@evil.example>", Body: "Pay at https://pay.evil.example/now",
		Attachments: []msgtest.Attachment{{Name: "inner", Embedded: inner}, {Name: "inv.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4")}},
	}).Bytes()
	return []byte("From: Hannah <hannah@northwind.example>\r\nSubject: FW: Invoice overdue\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfake?\r\n" +
		"--b\r\nContent-Type: application/vnd.ms-outlook; name=\"Invoice overdue.msg\"\r\nContent-Disposition: attachment; filename=\"Invoice overdue.msg\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(file) + "\r\n--b--\r\n")
}

// An attached .msg is analysed and exported like an attached .eml.
func TestExportAttachedMsg(t *testing.T) {
	raw := msgReport(t)
	x := ExportMessage(raw, "id", "Phishing reports", Limits{})
	if len(x.ParsedAttachmentData) != 1 {
		t.Fatalf("parsed attachment data %d", len(x.ParsedAttachmentData))
	}
	pa := x.ParsedAttachmentData[0]
	if pa.AttachmentKind != "msg" || !pa.Synthesised || pa.AttachmentName != "Invoice overdue.msg" || pa.Headers["subject"] != "Invoice overdue" {
		t.Fatalf("attached msg %+v", pa)
	}
	if pa.Analysis == nil || len(pa.Analysis.URLs) != 1 || pa.Analysis.URLs[0].URL != "https://pay.evil.example/now" {
		t.Fatalf("analysis %+v", pa.Analysis)
	}
	if len(pa.Attachments) != 2 || len(pa.ParsedAttachmentData) != 1 || pa.ParsedAttachmentData[0].Headers["subject"] != "inner" {
		t.Fatalf("nested: %d attachments, %d messages", len(pa.Attachments), len(pa.ParsedAttachmentData))
	}
	if len(x.Analysis.Nested) != 1 || x.Analysis.Nested[0].From.Address != "billing@evil.example" {
		t.Fatalf("evidence nested %+v", x.Analysis.Nested)
	}
	light := ExportParsed(mail.ParseMessage(raw), "id", "f", Limits{})
	if len(light.ParsedAttachmentData) != 1 || light.ParsedAttachmentData[0].Analysis != nil ||
		!strings.Contains(light.ParsedAttachmentData[0].Body.Text, "pay.evil.example") {
		t.Fatalf("light export %+v", light.ParsedAttachmentData)
	}
}

// parsed_attachment_data stops at MaxNested like the analysis.
func TestExportAttachedDepth(t *testing.T) {
	raw := []byte("Subject: level 0\r\n\r\nbottom\r\n")
	for i := 1; i <= 6; i++ {
		raw = []byte("Subject: level\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b" + string(rune('0'+i)) + "\"\r\n\r\n" +
			"--b" + string(rune('0'+i)) + "\r\nContent-Type: message/rfc822\r\n\r\n" + string(raw) + "\r\n--b" + string(rune('0'+i)) + "--\r\n")
	}
	x := ExportMessage(raw, "", "", Limits{MaxNested: 3})
	depth := 0
	for len(x.ParsedAttachmentData) > 0 {
		x = x.ParsedAttachmentData[0]
		depth++
		if x.Analysis == nil {
			t.Fatalf("level %d has no analysis", depth)
		}
	}
	if depth != 3 {
		t.Fatalf("exported %d levels", depth)
	}
}
