package reportgen

import (
	"time"

	"github.com/mailtriage/mailtriage/backend/reported/msgtest"
)

// pieterTeamsVoicemail: Pieter drags the phish out of Outlook into a new
// mail, so the original travels as an Outlook .msg that kept its
// transport headers (SPF and DMARC fail), an HTML body whose link text
// shows teams.microsoft.com while the link goes to a look-alike, and an
// attached HTML "player" with a credential form.
func pieterTeamsVoicemail() []byte {
	const b = "----=_Part_7301_021.1763711122"
	player := `<!DOCTYPE html>
<html><head><title>Voicemail</title></head><body>
<p>Sign in to play your voicemail (0:47)</p>
<form action="https://teams-voicemail.example/vm/collect.php" method="post">
<input name="login" value="pieter.devries@northwind.example"><input name="pw" type="password">
<button>Play</button></form></body></html>
`
	original := &msgtest.Message{
		TransportHeaders: crlf(`Return-Path: <notify@teams-voicemail.example>
Received: from mx.northwind.example ([10.20.0.25])
	by mbx01.northwind.example with LMTP
	id Hq7vN2c4pVd0mW1xZk3sTa
	for <pieter.devries@northwind.example>; Sat, 21 Nov 2026 07:52:18 +0100
Authentication-Results: mx.northwind.example;
	spf=fail (mx.northwind.example: domain of notify@teams-voicemail.example does not designate 198.51.100.23 as permitted sender) smtp.mailfrom=notify@teams-voicemail.example;
	dkim=none (message not signed);
	dmarc=fail (p=none dis=none) header.from=teams-voicemail.example
Received: from relay.teams-voicemail.example (relay.teams-voicemail.example [198.51.100.23])
	by mx.northwind.example (Postfix) with ESMTPS id 4ZqT1kV3rW8mNp
	for <pieter.devries@northwind.example>; Sat, 21 Nov 2026 07:52:16 +0100
Date: Sat, 21 Nov 2026 06:52:11 +0000
From: "Microsoft Teams" <notify@teams-voicemail.example>
To: <pieter.devries@northwind.example>
Subject: Missed Teams voicemail (0:47) from +31 10 555 0199
Message-ID: <vm-0047-77120@teams-voicemail.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_NextPart_000_0012"

`),
		Subject:       "Missed Teams voicemail (0:47) from +31 10 555 0199",
		SenderName:    "Microsoft Teams",
		SenderAddress: "notify@teams-voicemail.example",
		MessageID:     "<vm-0047-77120@teams-voicemail.example>",
		Date:          time.Date(2026, 11, 21, 6, 52, 11, 0, time.UTC),
		Recipients:    []msgtest.Recipient{{Name: "Pieter de Vries", Address: "pieter.devries@northwind.example", Type: 1}},
		Body: crlf(`You have a new voicemail (0:47) from +31 10 555 0199.

Play it in Teams: https://teams-voicemail.example/vm/play?id=77120&u=pieter.devries

Microsoft Teams
`),
		HTML: crlf(`<html><body>
<p>You have a new voicemail <b>(0:47)</b> from +31 10 555 0199.</p>
<p><a href="https://teams-voicemail.example/vm/play?id=77120&amp;u=pieter.devries">https://teams.microsoft.com/l/voicemail/77120</a></p>
<p>Microsoft Teams</p>
</body></html>
`),
		Attachments: []msgtest.Attachment{{Name: "Play_Voicemail_0047.htm", MimeType: "text/html", Data: []byte(player)}},
	}
	return []byte(reportHead("", "pieter.devries@northwind.example", "Pieter de Vries", "NW-LT-0932.northwind.example", "10.20.37.32",
		"Sat, 21 Nov 2026 08:05:40 +0100", "FW: Missed Teams voicemail (0:47) from +31 10 555 0199",
		"6A1F0C2E9B3D4471.0932@northwind.example", "Thread-Topic: Missed Teams voicemail (0:47) from +31 10 555 0199\n", b) +
		textPart(b, `Hi SOC,

Dragged the mail in from Outlook. We don't get Teams voicemails by mail,
do we? The attachment wants my password.

Pieter de Vries
Fleet Planning | Northwind Logistics`) +
		msgPart(b, "Missed Teams voicemail (0_47) from +31 10 555 0199.msg", original.Bytes()) + end(b))
}

// jonasWireTransfer: an Outlook .msg without transport headers (Outlook
// keeps none for a message opened from a shared mailbox's drafts), with
// its strings in Windows-1252 (PT_STRING8) and only a compressed RTF body:
// the console must build the header from the properties and read the RTF.
func jonasWireTransfer() []byte {
	const b = "----=_Part_7302_022.1763716021"
	rtf := `{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}{\colortbl;\red0\green0\blue255;}` +
		`\pard\f0\fs22 Hallo Jonas,\par\par ` +
		`ich brauche heute noch eine \'dcberweisung von 48.750 EUR an unseren neuen Spediteur in Antwerpen. ` +
		`Die Bankdaten stehen im Portal: ` +
		`{\field{\*\fldinst{HYPERLINK "https://nw-finance-portal.example/iban/update?ref=CEO-2611"}}{\fldrslt{\cf1\ul Zahlungsportal}}}` +
		`\par Bitte diskret behandeln, ich bin im Meeting und nicht erreichbar.\par\par Gr\'fc\'dfe\par Margaret Chen\par CEO, Northwind Logistics\par}`
	original := &msgtest.Message{
		String8:       true,
		CodePage:      1252,
		Subject:       "Dringend: \xdcberweisung heute noch",
		SenderName:    "Margaret Chen",
		SenderAddress: "margaret.chen.ceo@freemail.example",
		Date:          time.Date(2026, 11, 21, 9, 14, 0, 0, time.UTC),
		Recipients:    []msgtest.Recipient{{Name: "Jonas Weber", Address: "jonas.weber@northwind.example", Type: 1}},
		RTF:           []byte(rtf),
	}
	return []byte(reportHead("", "jonas.weber@northwind.example", "Jonas Weber", "NW-WS-1187.northwind.example", "10.20.41.87",
		"Sat, 21 Nov 2026 10:31:02 +0100", "WG: Dringend: Überweisung heute noch",
		"9C4D2B7A11E04C22.1187@northwind.example", "", b) +
		textPart(b, `Hallo SOC,

angeblich von Margaret, aber von einer Freemail-Adresse und sie ist laut
Kalender heute in Rotterdam. Ich habe nichts überwiesen. Die Mail hängt als
Outlook-Element an.

Jonas Weber
Finance | Northwind Logistics`) +
		msgPart(b, "Dringend Überweisung heute noch.msg", original.Bytes()) + end(b))
}

// luisInlineForward: Luis forwards the phish inline from Outlook in
// Spanish; only the quoted "De:/Enviado el:/Para:/Asunto:" block is left
// of the original's header.
func luisInlineForward() []byte {
	return []byte(`X-Mailtriage-Demo-Flags: \Seen
Return-Path: <luis.garcia@northwind.example>
Delivered-To: soc-reports@northwind.example
Received: from mail01.northwind.example ([10.20.1.15])
	by mbx01.northwind.example with LMTP
	id Rk2pQ8vT6mZc1wYn4LsHdE
	(envelope-from <luis.garcia@northwind.example>)
	for <soc-reports@northwind.example>; Sat, 21 Nov 2026 11:47:29 +0100
Received: from NW-LT-0611.northwind.example (nw-lt-0611.northwind.example [10.20.37.11])
	(Authenticated sender: luis.garcia)
	by mail01.northwind.example (Postfix) with ESMTPSA id 4a7Hk2mQ9zLp
	for <soc-reports@northwind.example>; Sat, 21 Nov 2026 11:47:27 +0100
Date: Sat, 21 Nov 2026 11:47:25 +0100
From: "Luis García" <luis.garcia@northwind.example>
To: soc-reports@northwind.example
Subject: RV: Su envío está retenido - tasas pendientes
Message-ID: <3E8B5C1D7F204A61.0611@northwind.example>
X-Mailer: Microsoft Outlook 16.0
Content-Language: es-ES
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Hola SOC,

me ha llegado esto al correo del trabajo. No espero ningún paquete.
¿Es phishing?

Luis García
Customs Clearance | Northwind Logistics

________________________________
De: Correos Express <avisos@correos-tasas.example>
Enviado el: sábado, 21 de noviembre de 2026 9:02
Para: Luis García <luis.garcia@northwind.example>
Asunto: Su envío está retenido - tasas pendientes

Estimado cliente,

Su envío ES-4471-2290-NW está retenido en aduanas. Para liberarlo debe
abonar las tasas pendientes (2,99 EUR) antes de 48 horas:

https://correos-tasas.example/pago?ref=ES44712290&c=luis.garcia

Si no se realiza el pago, el envío será devuelto al remitente.

Atentamente,
Correos Express - Atención al cliente
`)
}

// feedbackLoopARF: a mailbox provider's feedback loop sends an RFC 5965
// abuse report: one of its users reported a phish that spoofs Northwind's
// billing address (DMARC fails at the provider).
func feedbackLoopARF() []byte {
	return []byte(`X-Mailtriage-Demo-Flags:
Return-Path: <fbl-bounces@mailbox-provider.example>
Delivered-To: soc-reports@northwind.example
Received: from mx.northwind.example ([10.20.0.25])
	by mbx01.northwind.example with LMTP
	id Fb7LqW3nZx8Tc2Vm5KpRuA
	(envelope-from <fbl-bounces@mailbox-provider.example>)
	for <soc-reports@northwind.example>; Sat, 21 Nov 2026 13:20:44 +0100
Authentication-Results: mx.northwind.example;
	spf=pass smtp.mailfrom=fbl-bounces@mailbox-provider.example;
	dkim=pass header.d=mailbox-provider.example;
	dmarc=pass header.from=mailbox-provider.example
Received: from fbl.mailbox-provider.example (fbl.mailbox-provider.example [192.0.2.140])
	by mx.northwind.example (Postfix) with ESMTPS id 4aRt5mK8pZ2w
	for <soc-reports@northwind.example>; Sat, 21 Nov 2026 13:20:42 +0100
Date: Sat, 21 Nov 2026 12:20:38 +0000
From: Mailbox Provider Feedback Loop <fbl@mailbox-provider.example>
To: soc-reports@northwind.example
Subject: Abuse report: mail claiming to be from northwind.example
Message-ID: <fbl-20261121-88412@mailbox-provider.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
	boundary="fbl-88412"

--fbl-88412
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

This is an abuse report for a message received from 203.0.113.45 on
Sat, 21 Nov 2026 11:58:07 +0000. One of our users marked it as phishing.
You receive it because the message claims to be from your domain.

--fbl-88412
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ProviderFBL/2.4
Version: 1
Original-Mail-From: <billing@northwind.example>
Original-Rcpt-To: <j.smith@customer-mail.example>
Arrival-Date: Sat, 21 Nov 2026 11:58:07 +0000
Source-IP: 203.0.113.45
Authentication-Results: mx.mailbox-provider.example; spf=fail smtp.mailfrom=northwind.example; dmarc=fail header.from=northwind.example
Reported-Domain: northwind.example
Reported-URI: https://northwind-invoices.example/inv/2026-11-4471

--fbl-88412
Content-Type: message/rfc822
Content-Disposition: inline

Return-Path: <billing@northwind.example>
Received: from vps-4471.hosting.example (vps-4471.hosting.example [203.0.113.45])
	by mx.mailbox-provider.example with ESMTP id 8841277120
	for <j.smith@customer-mail.example>; Sat, 21 Nov 2026 11:58:07 +0000
Date: Sat, 21 Nov 2026 11:57:59 +0000
From: "Northwind Logistics Billing" <billing@northwind.example>
To: j.smith@customer-mail.example
Subject: Invoice NW-2026-11-4471 overdue - avoid service interruption
Message-ID: <inv-4471-spoof@vps-4471.hosting.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Dear customer,

invoice NW-2026-11-4471 (EUR 1,840.00) is overdue. Please pay today to
avoid interruption of your freight service:

https://northwind-invoices.example/inv/2026-11-4471

Northwind Logistics - Accounts Receivable

--fbl-88412--
`)
}
