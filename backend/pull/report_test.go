package pull

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/reported/msgtest"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

const reportedOriginal = "From: \"Microsoft 365\" <no-reply@micros0ft-login.example>\r\n" +
	"To: dana.kowalski@northwind.example\r\nSubject: Password expires today\r\n" +
	"Date: Mon, 16 Nov 2026 08:41:00 +0000\r\nMessage-ID: <exp-1@micros0ft-login.example>\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n\r\n<a href=\"https://micros0ft-login.example/keep?u=dana\">https://login.microsoftonline.com/</a>\r\n"

// reportWith wraps attachments (content type, file name, content) in a
// report from reporter.
func reportWith(reporter, subject string, parts ...[3]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: soc-reports@northwind.example\r\nSubject: %s\r\nDate: Tue, 17 Nov 2026 09:00:00 +0100\r\n"+
		"Message-ID: <r-%d@northwind.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nPhish? Please check.\r\n", reporter, subject, len(subject)+len(reporter))
	for _, p := range parts {
		if p[0] == "message/rfc822" {
			fmt.Fprintf(&b, "--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=%q\r\n\r\n%s\r\n", p[1], p[2])
			continue
		}
		fmt.Fprintf(&b, "--b\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=%q\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n",
			p[0], p[1], base64.StdEncoding.EncodeToString([]byte(p[2])))
	}
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

type pulledRecord struct {
	UID                  uint32
	Alert                Alert
	Reporter             *Reporter
	ParsedAttachmentData []struct {
		AttachmentName string         `json:"attachment_name"`
		AttachmentKind string         `json:"attachment_kind"`
		Synthesised    bool           `json:"synthesised"`
		Headers        map[string]any `json:"headers"`
		Body           struct{ HTML, Text string }
		Attachments    []json.RawMessage
		Analysis       *struct{ URLs []struct{ URL string } }
	} `json:"parsed_attachment_data"`
}

// pull on reports: the alert describes the original (sender, subject,
// URLs), names the reporter, and parsed_attachment_data carries every
// attached .eml and .msg in the email shape.
func TestPullReports(t *testing.T) {
	msgFile := (&msgtest.Message{
		Subject: "Shared document: Q4 payroll", SenderName: "SharePoint", SenderAddress: "share@micros0ft-login.example",
		MessageID: "<sp-9@micros0ft-login.example>", Date: time.Date(2026, 11, 15, 10, 0, 0, 0, time.UTC),
		Recipients: []msgtest.Recipient{{Name: "Marek", Address: "marek.nowak@northwind.example", Type: 1}},
		Body:       "Open: https://micros0ft-login.example/sp/payroll\r\n",
	}).Bytes()
	srv := dovecottest.Start(t)
	if err := srv.AddUser("u", "pw"); err != nil {
		t.Fatal(err)
	}
	msgs := []dovecottest.Message{
		{Raw: reportWith("Dana Kowalski <dana.kowalski@northwind.example>", "[Phish Report] Password expires today",
			[3]string{"message/rfc822", "original.eml", reportedOriginal})},
		{Raw: reportWith("Marek Nowak <marek.nowak@northwind.example>", "FW: Shared document",
			[3]string{"application/vnd.ms-outlook", "Shared document.msg", string(msgFile)})},
		{Raw: []byte("From: Tom <tom@northwind.example>\r\nTo: soc@northwind.example\r\nSubject: lunch\r\nMessage-ID: <l@n.example>\r\n\r\nPizza at https://pizza.example/menu\r\n")},
	}
	if err := srv.Deliver("u", "INBOX", msgs...); err != nil {
		t.Fatal(err)
	}
	box := mtimap.New(mtimap.Config{Addr: srv.Addr, TLS: mtimap.TLSNone, Username: "u", Password: func(context.Context) (string, error) { return "pw", nil }})
	defer box.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, analyse := range []bool{false, true} {
		var out bytes.Buffer
		if _, err := Pull(ctx, box, Options{Account: "a", Folders: []string{"INBOX"}, Format: "jsonl", OldestFirst: true, WithAnalysis: analyse}, &out); err != nil {
			t.Fatal(err)
		}
		recs := readRecords(t, &out)
		if len(recs) != 3 {
			t.Fatalf("%d records", len(recs))
		}
		checkEMLReport(t, recs[0], analyse)
		checkMsgReport(t, recs[1])
		if recs[2].Reporter != nil || recs[2].Alert.Events[0].ReporterAddress != "" || recs[2].Alert.Events[0].SourceUserName != "Tom <tom@northwind.example>" {
			t.Errorf("plain mail taken for a report: %+v", recs[2])
		}
	}
}

func readRecords(t *testing.T, out *bytes.Buffer) []pulledRecord {
	t.Helper()
	var recs []pulledRecord
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var r pulledRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}

func checkEMLReport(t *testing.T, r pulledRecord, analyse bool) {
	t.Helper()
	ev := r.Alert.Events[0]
	if r.Alert.Name != "Password expires today" || ev.Subject != "Password expires today" ||
		!strings.Contains(ev.SourceUserName, "no-reply@micros0ft-login.example") || ev.DestinationUserName != "dana.kowalski@northwind.example" {
		t.Errorf("alert does not describe the original: %+v", r.Alert)
	}
	if !strings.HasPrefix(ev.FoundURL, "https://micros0ft-login.example/keep?u=dana,") {
		t.Errorf("found_url %q", ev.FoundURL)
	}
	if ev.ReporterAddress != "dana.kowalski@northwind.example" || ev.ReporterName != "Dana Kowalski" || ev.ReportKind != "rfc822" ||
		ev.ReportSubject != "[Phish Report] Password expires today" {
		t.Errorf("reporter fields %+v", ev)
	}
	if r.Reporter == nil || r.Reporter.CaseKey != "mid:exp-1@micros0ft-login.example" || r.Reporter.Comment != "Phish? Please check." {
		t.Errorf("reporter %+v", r.Reporter)
	}
	if len(r.ParsedAttachmentData) != 1 {
		t.Fatalf("parsed attachment data: %d", len(r.ParsedAttachmentData))
	}
	pa := r.ParsedAttachmentData[0]
	if pa.AttachmentKind != "eml" || pa.AttachmentName != "original.eml" || pa.Headers["subject"] != "Password expires today" ||
		!strings.Contains(pa.Body.HTML, "micros0ft-login.example/keep") || pa.Attachments == nil {
		t.Errorf("attached .eml: %+v", pa)
	}
	if analyse != (pa.Analysis != nil) || (analyse && len(pa.Analysis.URLs) == 0) {
		t.Errorf("analysis of the attached message (analyse=%v): %+v", analyse, pa.Analysis)
	}
}

func checkMsgReport(t *testing.T, r pulledRecord) {
	t.Helper()
	ev := r.Alert.Events[0]
	if ev.Subject != "Shared document: Q4 payroll" || !strings.Contains(ev.SourceUserName, "share@micros0ft-login.example") ||
		ev.FoundURL != "https://micros0ft-login.example/sp/payroll" || ev.ReportKind != "msg" || ev.ReporterName != "Marek Nowak" {
		t.Errorf("msg report alert %+v", ev)
	}
	if len(r.ParsedAttachmentData) != 1 {
		t.Fatalf("parsed attachment data: %d", len(r.ParsedAttachmentData))
	}
	pa := r.ParsedAttachmentData[0]
	if pa.AttachmentKind != "msg" || !pa.Synthesised || pa.Headers["subject"] != "Shared document: Q4 payroll" ||
		pa.Headers["message-id"] != "<sp-9@micros0ft-login.example>" || !strings.Contains(pa.Body.Text, "/sp/payroll") {
		t.Errorf("attached .msg: %+v", pa)
	}
}
