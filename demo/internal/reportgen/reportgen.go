// Package reportgen builds the demo corpus's reports that cannot be
// written by hand: Outlook .msg attachments (made with the project's own
// compound-file writer, backend/reported/msgtest), and the reports that
// share one original. `go generate ./demo/` writes them into
// demo/corpus/Phishing reports/; a test checks that the files there are
// what Files returns.
package reportgen

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Dir is the corpus folder the files belong to.
const Dir = "Phishing reports"

// File is one generated corpus file: its name and its bytes (LF line
// endings, first line the demo flags header, as every corpus file).
type File struct {
	Name string
	Data []byte
}

// Files returns the generated reports, in file-name order. The output is
// the same on every run.
func Files() []File {
	return []File{
		{"021-pieter-msg-teams-voicemail.eml", pieterTeamsVoicemail()},
		{"022-jonas-msg-rtf-wire-transfer.eml", jonasWireTransfer()},
		{"023-luis-inline-forward-parcel-es.eml", luisInlineForward()},
		{"024-fbl-arf-spoofed-invoice.eml", feedbackLoopARF()},
		{"025-dana-salary-review-2027.eml", danaSalaryReview()},
		{"026-tom-salary-review-2027.eml", tomSalaryReview()},
		{"027-priya-msg-salary-review-2027.eml", priyaSalaryReview()},
	}
}

// reportHead is the header of a report from a colleague, as Northwind's
// mail server delivers it to soc-reports@.
func reportHead(flags, reporter, name, host, ip, date, subject, msgID, extra, boundary string) string {
	return fmt.Sprintf(`X-Mailtriage-Demo-Flags:%s
Return-Path: <%[2]s>
Delivered-To: soc-reports@northwind.example
Received: from mail01.northwind.example ([10.20.1.15])
	by mbx01.northwind.example with LMTP
	id %[9]s
	(envelope-from <%[2]s>)
	for <soc-reports@northwind.example>; %[6]s
Received: from %[4]s (%[4]s [%[5]s])
	(Authenticated sender: %[10]s)
	by mail01.northwind.example (Postfix) with ESMTPSA id %[11]s
	for <soc-reports@northwind.example>; %[6]s
Date: %[6]s
From: "%[3]s" <%[2]s>
To: soc-reports@northwind.example
Subject: %[7]s
Message-ID: <%[8]s>
X-Mailer: Microsoft Outlook 16.0
Content-Language: en-GB
%[12]sMIME-Version: 1.0
Content-Type: multipart/mixed;
	boundary="%[13]s"

`, flagList(flags), reporter, name, host, ip, date, subject, msgID,
		lmtpID(msgID), strings.Split(reporter, "@")[0], smtpID(msgID), extra, boundary)
}

func flagList(flags string) string {
	if flags == "" {
		return ""
	}
	return " " + flags
}

// lmtpID and smtpID make the servers' queue ids from the message id, so
// regenerating gives the same bytes.
func lmtpID(seed string) string { return idFrom(seed, 22) }
func smtpID(seed string) string { return "4a" + idFrom(seed+"smtp", 12) }

func idFrom(seed string, n int) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	h := uint32(2166136261)
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		h ^= uint32(seed[i%len(seed)]) + uint32(i)
		h *= 16777619
		b.WriteByte(alphabet[h%uint32(len(alphabet))])
	}
	return b.String()
}

// textPart is a text/plain part (7bit or 8bit UTF-8) opening a multipart body.
func textPart(boundary, text string) string {
	return fmt.Sprintf("--%s\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n%s\n", boundary, strings.TrimSpace(text))
}

// rfc822Part attaches an original unmodified.
func rfc822Part(boundary, filename, original string) string {
	return fmt.Sprintf("--%s\nContent-Type: message/rfc822; name=%q\nContent-Disposition: attachment; filename=%q\n\n%s\n",
		boundary, filename, filename, strings.TrimRight(original, "\n"))
}

// msgPart attaches an Outlook .msg, base64 in 76-column lines.
func msgPart(boundary, filename string, msg []byte) string {
	enc := base64.StdEncoding.EncodeToString(msg)
	var b strings.Builder
	fmt.Fprintf(&b, "--%s\nContent-Type: application/vnd.ms-outlook; name=%q\nContent-Disposition: attachment; filename=%q\nContent-Transfer-Encoding: base64\n\n",
		boundary, filename, filename)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

func end(boundary string) string { return "--" + boundary + "--\n" }

// crlf turns the LF text of a header or body into what Outlook stores.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
