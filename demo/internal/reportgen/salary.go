package reportgen

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/reported/msgtest"
)

// The salary-review phish went to all staff; three colleagues reported
// it, each in another way. Their copies differ only in the delivery
// header; the Message-ID is the same, so the three reports are one case.
const salaryMessageID = "<salary-review-2027-4410@nw-payroll-portal.example>"

// salaryHeader is the original's header as delivered to one recipient.
func salaryHeader(recipient, lmtp string) string {
	return fmt.Sprintf(`Return-Path: <hr@nw-payroll-portal.example>
Delivered-To: %[1]s
Received: from mx.northwind.example ([10.20.0.25])
	by mbx01.northwind.example with LMTP
	id %[2]s
	(envelope-from <hr@nw-payroll-portal.example>)
	for <%[1]s>; Sat, 21 Nov 2026 14:02:31 +0100
Authentication-Results: mx.northwind.example;
	spf=pass smtp.mailfrom=hr@nw-payroll-portal.example;
	dkim=pass header.d=nw-payroll-portal.example;
	dmarc=pass header.from=nw-payroll-portal.example
Received: from mail.nw-payroll-portal.example (mail.nw-payroll-portal.example [198.51.100.88])
	by mx.northwind.example (Postfix) with ESMTPS id 4aSr7nJ2kW5x
	for <all-staff@northwind.example>; Sat, 21 Nov 2026 14:02:29 +0100
Date: Sat, 21 Nov 2026 13:02:20 +0000
From: "Northwind HR Portal" <hr@nw-payroll-portal.example>
To: "All Staff" <all-staff@northwind.example>
Subject: Your 2027 salary review letter is ready
Message-ID: %[3]s
MIME-Version: 1.0
`, recipient, lmtp, salaryMessageID)
}

const salaryText = `Dear colleague,

Your personal 2027 salary review letter is ready. Sign in with your
Northwind account to read and accept it before 27 November:

https://nw-payroll-portal.example/review/2027?staff=all

Northwind Human Resources
`

const salaryHTML = `<html><body>
<p>Dear colleague,</p>
<p>Your personal 2027 salary review letter is ready. Sign in with your Northwind account to read and accept it before 27 November:</p>
<p><a href="https://nw-payroll-portal.example/review/2027?staff=all">https://hr.northwind.example/salary-review</a></p>
<p>Northwind Human Resources</p>
</body></html>
`

// salaryEML is the original as an .eml: multipart/alternative.
func salaryEML(recipient, lmtp string) string {
	return salaryHeader(recipient, lmtp) + `Content-Type: multipart/alternative; boundary="alt-4410"

--alt-4410
Content-Type: text/plain; charset="utf-8"

` + salaryText + `
--alt-4410
Content-Type: text/html; charset="utf-8"

` + salaryHTML + `
--alt-4410--
`
}

func danaSalaryReview() []byte {
	const b = "----=_Part_7305_025.1763731911"
	return []byte(reportHead(`\Seen`, "dana.kowalski@northwind.example", "Dana Kowalski", "NW-LT-0408.northwind.example", "10.20.37.8",
		"Sat, 21 Nov 2026 14:11:51 +0100", "[Phish Report] Your 2027 salary review letter is ready",
		"B7E2A90C4D3F1E05.0408@northwind.example",
		"X-NW-ReportPhish: 1.3.2; reporter=dana.kowalski@northwind.example; client=Outlook/16.0.18129\nX-NW-ReportPhish-Category: phishing\n", b) +
		textPart(b, `This message was reported as suspicious by Dana Kowalski (dana.kowalski@northwind.example, Sales)
using the Northwind "Report Phishing" button in Outlook.

Reporter comment:
  HR never sends letters from an outside portal.

Reported sender: hr@nw-payroll-portal.example
The original message is attached unmodified as original.eml.`) +
		rfc822Part(b, "original.eml", salaryEML("dana.kowalski@northwind.example", "Qz3mT8wK1pVn6RcYx2LdHs")) + end(b))
}

func tomSalaryReview() []byte {
	const b = "----=_Part_7306_026.1763732472"
	return []byte(reportHead("", "tom.becker@northwind.example", "Tom Becker", "NW-WS-1120.northwind.example", "10.20.41.20",
		"Sat, 21 Nov 2026 14:21:12 +0100", "FW: Your 2027 salary review letter is ready",
		"4F1C8E2B6A9D3077.1120@northwind.example", "Thread-Topic: Your 2027 salary review letter is ready\n", b) +
		textPart(b, `Hi SOC,

Half the warehouse got this. Real or not? Attached as I got it.

Tom Becker
Warehouse Operations | Northwind Logistics`) +
		rfc822Part(b, "Your 2027 salary review letter is ready.eml", salaryEML("tom.becker@northwind.example", "Lw6nB2rX8tYk4QmZc7VpGe")) + end(b))
}

// priyaSalaryReview: the same phish dragged out of Outlook: a .msg whose
// transport headers carry the same Message-ID.
func priyaSalaryReview() []byte {
	const b = "----=_Part_7307_027.1763733327"
	head := salaryHeader("priya.sharma@northwind.example", "Tp9vH4mC2xLr8WnKq3ZsYb") +
		"Content-Type: multipart/alternative; boundary=\"alt-4410\"\n\n"
	original := &msgtest.Message{
		TransportHeaders: crlf(head),
		Subject:          "Your 2027 salary review letter is ready",
		SenderName:       "Northwind HR Portal",
		SenderAddress:    "hr@nw-payroll-portal.example",
		MessageID:        salaryMessageID,
		Date:             time.Date(2026, 11, 21, 13, 2, 20, 0, time.UTC),
		Recipients:       []msgtest.Recipient{{Name: "All Staff", Address: "all-staff@northwind.example", Type: 1}},
		Body:             crlf(salaryText),
		HTML:             crlf(strings.TrimSpace(salaryHTML)),
	}
	return []byte(reportHead("", "priya.sharma@northwind.example", "Priya Sharma", "NW-LT-0277.northwind.example", "10.20.37.77",
		"Sat, 21 Nov 2026 14:35:27 +0100", "FW: Your 2027 salary review letter is ready",
		"E0A4B61C9F2D5B38.0277@northwind.example", "", b) +
		textPart(b, `Hi,

Payroll here - this is not from us. Please block it before people click.

Priya Sharma
Payroll | Northwind Logistics`) +
		msgPart(b, "Your 2027 salary review letter is ready.msg", original.Bytes()) + end(b))
}
