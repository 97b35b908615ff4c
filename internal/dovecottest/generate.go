package dovecottest

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"strings"
	"time"
)

// Word lists for GenerateMessages. They lean towards what a triage console
// sees: ordinary business mail mixed with phishing-looking messages.
var (
	genFirst   = []string{"Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kateryna", "Liam", "María", "Noah", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Tariq"}
	genLast    = []string{"Schmidt", "Okafor", "Dubois", "Nakamura", "Kowalski", "García", "Jensen", "Haddad", "Rossi", "Novak", "Andersson", "Petrov", "Brown", "Yilmaz"}
	genDomains = []string{"example.com", "example.org", "example.net", "corp.example", "partner.example", "billing-example.com", "secure-login.example", "newsletter.example.org"}
	genTo      = []string{"abuse@mailtriage.test", "phishing@mailtriage.test", "security@mailtriage.test", "it-support@mailtriage.test"}
	genRelays  = []string{"mx1.mailtriage.test", "mx2.mailtriage.test", "relay.example.net", "smtp-out.partner.example", "mail.corp.example"}
	genZones   = []int{0, 60, 120, -300, -480, 540, 330} // UTC offsets in minutes
	genSubject = []string{
		"Invoice %d is overdue",
		"Re: Q%d planning notes",
		"Your mailbox is %d%% full",
		"Password expires in %d days",
		"Action required: verify your account (case %d)",
		"Fwd: suspicious login attempt #%d",
		"[External] Shared document: budget-%d.xlsx",
		"Meeting moved to room %d",
		"Delivery failed for parcel %d",
		"Weekly report %d",
		"Reminder: training session %d",
		"Re: Re: contract draft v%d",
	}
	genUTF8Subject = []string{"Überweisung %d bestätigen", "Facture n°%d en attente", "Ваш пароль истекает через %d дней", "請確認您的帳戶 %d"}
	genWords       = strings.Fields(`the a please your account invoice payment attached below team meeting
		security update password click link verify review document shared report quarter budget
		thanks regards schedule tomorrow deadline urgent confirm access login portal support
		customer order delivery tracking number reply asap policy compliance training office
		network server mailbox storage limit exceeded suspended restore within hours`)
	genAttachments = []struct{ name, ctype string }{
		{"report.pdf", "application/pdf"},
		{"invoice.csv", "text/csv"},
		{"screenshot.png", "image/png"},
		{"payload.zip", "application/zip"},
	}
)

// GenerateMessages returns n realistic small messages (about 1–4 KB each)
// for big-folder tests and benchmarks. The output depends only on n, seed
// and base, so runs are reproducible. Each message has From, To, Subject
// (some RFC 2047-encoded non-ASCII), Date, Message-ID, two or three
// Received hops and a plain-text body; every 10th message is
// multipart/mixed with a small base64 attachment. Dates increase with the
// index and are spread over the 90 days before base; InternalDate is a few
// seconds to minutes after Date, as with real delivery. Lines end in CRLF.
// Flags are realistic too: about 60% \Seen, some of those \Answered, ~3%
// \Flagged; clear Message.Flags if a test needs everything unseen.
func GenerateMessages(n int, seed int64, base time.Time) []Message {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6d61696c74726961)) // "mailtria"
	msgs := make([]Message, n)
	const span = 90 * 24 * time.Hour
	start := base.Add(-span)
	for i := range msgs {
		// Monotonic dates with jitter inside each slot.
		off := time.Duration((float64(i) + r.Float64()) / float64(max(n, 1)) * float64(span))
		zone := genZones[r.IntN(len(genZones))]
		date := start.Add(off).Truncate(time.Second).In(time.FixedZone("", zone*60))
		internal := date.Add(time.Duration(1+r.IntN(300)) * time.Second).UTC()
		msgs[i] = Message{
			Raw:          genMessage(r, i, seed, date),
			Flags:        genFlags(r),
			InternalDate: internal,
		}
	}
	return msgs
}

func genFlags(r *rand.Rand) []string {
	var f []string
	if r.Float64() < 0.6 {
		f = append(f, `\Seen`)
		if r.Float64() < 0.15 {
			f = append(f, `\Answered`)
		}
	}
	if r.Float64() < 0.03 {
		f = append(f, `\Flagged`)
	}
	return f
}

func genMessage(r *rand.Rand, i int, seed int64, date time.Time) []byte {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	first, last := pick(genFirst), pick(genLast)
	domain := pick(genDomains)
	from := fmt.Sprintf("%s.%s@%s", strings.ToLower(asciiFold(first)), strings.ToLower(asciiFold(last)), domain)
	to := pick(genTo)
	var subject string
	if i%7 == 3 {
		subject = mime.BEncoding.Encode("UTF-8", fmt.Sprintf(pick(genUTF8Subject), 100+r.IntN(9900)))
	} else {
		subject = fmt.Sprintf(pick(genSubject), 1+r.IntN(9999))
	}
	rfc := "Mon, 02 Jan 2006 15:04:05 -0700"
	var b strings.Builder
	h := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	h("Return-Path: <%s>", from)
	hops := 2 + r.IntN(2)
	t := date.Add(time.Duration(hops*(1+r.IntN(20))) * time.Second)
	for hop := 0; hop < hops; hop++ {
		src, by := pick(genRelays), pick(genRelays)
		h("Received: from %s (%s [203.0.113.%d])", src, src, 1+r.IntN(254))
		h("\tby %s (Postfix) with ESMTPS id %X", by, r.Uint32())
		h("\tfor <%s>; %s", to, t.Format(rfc))
		t = t.Add(-time.Duration(1+r.IntN(20)) * time.Second)
	}
	h("From: %s <%s>", mime.QEncoding.Encode("UTF-8", first+" "+last), from)
	h("To: %s", to)
	h("Subject: %s", subject)
	h("Date: %s", date.Format(rfc))
	h("Message-ID: <%d.%d.%08x@%s>", seed, i, r.Uint32(), domain)
	h("MIME-Version: 1.0")
	bodySize := 300 + r.IntN(2300)
	if i%10 == 9 {
		bodySize = 300 + r.IntN(1500) // leave room for the attachment
	}
	body := genBody(r, bodySize)
	if i%10 != 9 {
		h("Content-Type: text/plain; charset=us-ascii")
		h("Content-Transfer-Encoding: 7bit")
		h("")
		b.WriteString(body)
		return []byte(b.String())
	}
	boundary := fmt.Sprintf("=_mt_%d_%08x", i, r.Uint32())
	att := genAttachments[r.IntN(len(genAttachments))]
	data := make([]byte, 200+r.IntN(400))
	for j := range data {
		data[j] = byte(r.UintN(256))
	}
	enc := base64.StdEncoding.EncodeToString(data)
	h("Content-Type: multipart/mixed; boundary=\"%s\"", boundary)
	h("")
	h("This is a multi-part message in MIME format.")
	h("")
	h("--%s", boundary)
	h("Content-Type: text/plain; charset=us-ascii")
	h("Content-Transfer-Encoding: 7bit")
	h("")
	b.WriteString(body)
	h("")
	h("--%s", boundary)
	h("Content-Type: %s; name=\"%s\"", att.ctype, att.name)
	h("Content-Disposition: attachment; filename=\"%s\"", att.name)
	h("Content-Transfer-Encoding: base64")
	h("")
	for len(enc) > 76 {
		h("%s", enc[:76])
		enc = enc[76:]
	}
	h("%s", enc)
	h("--%s--", boundary)
	return []byte(b.String())
}

// genBody returns about size bytes of text in lines of at most ~72 chars.
func genBody(r *rand.Rand, size int) string {
	var b strings.Builder
	line := 0
	b.WriteString("Hello,\r\n\r\n")
	for b.Len() < size {
		w := genWords[r.IntN(len(genWords))]
		if line > 0 && line+len(w) > 72 {
			b.WriteString("\r\n")
			line = 0
			if r.IntN(6) == 0 {
				b.WriteString("\r\n")
			}
		} else if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteString("\r\n\r\n-- \r\nSent from the mailtriage test generator\r\n")
	return b.String()
}

// asciiFold strips the accents used in genFirst/genLast for addresses.
func asciiFold(s string) string {
	return strings.NewReplacer("é", "e", "í", "i", "á", "a", "ó", "o").Replace(s)
}
