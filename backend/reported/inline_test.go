package reported

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
)

const phishBody = "Your parcel is held.\nPay the fee: https://parcel-fee.example/pay?id=77\n"

func TestParseInlineForward(t *testing.T) {
	cases := []struct {
		name, text, client, from, subject, date string
	}{
		{"outlook en", "FYI\n\n________________________________\nFrom: DHL Express <noreply@parcel-fee.example>\nSent: Monday, November 16, 2026 8:41 AM\nTo: Dana <dana@northwind.example>\nSubject: Parcel held\n\n" + phishBody,
			"outlook", "DHL Express <noreply@parcel-fee.example>", "Parcel held", "Monday, November 16, 2026 8:41 AM"},
		{"outlook en, no rule, mailto", "Phish?\n\nFrom: DHL Express [mailto:noreply@parcel-fee.example]\nSent: Monday, November 16, 2026 8:41 AM\nTo: Dana\nSubject: Parcel held\n\n" + phishBody,
			"outlook", "DHL Express [mailto:noreply@parcel-fee.example]", "Parcel held", "Monday, November 16, 2026 8:41 AM"},
		{"outlook de", "Bitte prüfen\n\n-----Ursprüngliche Nachricht-----\nVon: DHL Express <noreply@parcel-fee.example>\nGesendet: Montag, 16. November 2026 08:41\nAn: Dana <dana@northwind.example>\nBetreff: Paket zurückgehalten\n\n" + phishBody,
			"outlook", "DHL Express <noreply@parcel-fee.example>", "Paket zurückgehalten", "Montag, 16. November 2026 08:41"},
		{"outlook fr", "\n________________________________\nDe : DHL Express <noreply@parcel-fee.example>\nEnvoyé : lundi 16 novembre 2026 08:41\nÀ : Dana <dana@northwind.example>\nObjet : Colis retenu\n\n" + phishBody,
			"outlook", "DHL Express <noreply@parcel-fee.example>", "Colis retenu", "lundi 16 novembre 2026 08:41"},
		{"outlook nl", "Verdacht\n\nVan: DHL Express <noreply@parcel-fee.example>\nVerzonden: maandag 16 november 2026 08:41\nAan: Dana <dana@northwind.example>\nOnderwerp: Pakket vastgehouden\n\n" + phishBody,
			"outlook", "DHL Express <noreply@parcel-fee.example>", "Pakket vastgehouden", "maandag 16 november 2026 08:41"},
		{"outlook es", "Sospechoso\n\nDe: DHL Express <noreply@parcel-fee.example>\nEnviado el: lunes, 16 de noviembre de 2026 8:41\nPara: Dana <dana@northwind.example>\nAsunto: Paquete retenido\n\n" + phishBody,
			"outlook", "DHL Express <noreply@parcel-fee.example>", "Paquete retenido", "lunes, 16 de noviembre de 2026 8:41"},
		{"gmail", "look\n\n---------- Forwarded message ---------\nFrom: DHL Express <noreply@parcel-fee.example>\nDate: Mon, Nov 16, 2026 at 8:41 AM\nSubject: Parcel held\nTo: <dana@northwind.example>\n\n\n" + phishBody,
			"gmail", "DHL Express <noreply@parcel-fee.example>", "Parcel held", "Mon, Nov 16, 2026 at 8:41 AM"},
		{"gmail de", "\n---------- Weitergeleitete Nachricht ---------\nVon: DHL Express <noreply@parcel-fee.example>\nDate: Mo., 16. Nov. 2026 um 08:41 Uhr\nSubject: Paket\nTo: <dana@northwind.example>\n\n" + phishBody,
			"gmail", "DHL Express <noreply@parcel-fee.example>", "Paket", "Mo., 16. Nov. 2026 um 08:41 Uhr"},
		{"apple", "Sent from my iPhone\n\nBegin forwarded message:\n\n> From: DHL Express <noreply@parcel-fee.example>\n> Subject: Parcel held\n> Date: 16 November 2026 at 08:41:00 CET\n> To: dana@northwind.example\n> \n> Your parcel is held.\n> Pay the fee: https://parcel-fee.example/pay?id=77\n",
			"apple", "DHL Express <noreply@parcel-fee.example>", "Parcel held", "16 November 2026 at 08:41:00 CET"},
		{"thunderbird", "hm\n\n-------- Forwarded Message --------\nSubject: \tParcel held\nDate: \tMon, 16 Nov 2026 08:41:00 +0000\nFrom: \tDHL Express <noreply@parcel-fee.example>\nTo: \tdana@northwind.example\n\n" + phishBody,
			"thunderbird", "DHL Express <noreply@parcel-fee.example>", "Parcel held", "Mon, 16 Nov 2026 08:41:00 +0000"},
		{"thunderbird fr", "\n-------- Message transféré --------\nSujet : Colis retenu\nDate : Mon, 16 Nov 2026 08:41:00 +0000\nDe : DHL <noreply@parcel-fee.example>\nPour : dana@northwind.example\n\n" + phishBody,
			"thunderbird", "DHL <noreply@parcel-fee.example>", "Colis retenu", "Mon, 16 Nov 2026 08:41:00 +0000"},
		{"html as text, bold labels", "*From:* DHL Express <noreply@parcel-fee.example>\n*Sent:* Monday, November 16, 2026 8:41 AM\n*Subject:* Parcel held\n\n" + phishBody,
			"outlook", "DHL Express <noreply@parcel-fee.example>", "Parcel held", "Monday, November 16, 2026 8:41 AM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := ParseInlineForward(c.text)
			if !ok {
				t.Fatal("no forward found")
			}
			if f.Client != c.client || f.From != c.from || f.Subject != c.subject || f.Date != c.date {
				t.Fatalf("got %+v", f)
			}
			if !strings.Contains(f.Body, "https://parcel-fee.example/pay?id=77") || strings.Contains(f.Body, "> ") {
				t.Fatalf("body %q", f.Body)
			}
			p := mail.ParseMessage(f.Message())
			if p.Subject != c.subject || !strings.Contains(p.From, "noreply@parcel-fee.example") || !strings.Contains(p.Text, "parcel-fee.example/pay") {
				t.Fatalf("message: subject %q from %q text %q", p.Subject, p.From, p.Text)
			}
			if !strings.Contains(headerValue(p.Header, SynthesisedHeader), "reconstructed") {
				t.Fatal("not marked reconstructed")
			}
		})
	}
}

func TestInlineForwardDate(t *testing.T) {
	f, _ := ParseInlineForward("From: A <a@x.example>\nSent: Monday, November 16, 2026 8:41 AM\nSubject: s\n\nbody")
	p := mail.ParseMessage(f.Message())
	if p.Date.IsZero() || p.Date.Day() != 16 || p.Date.Hour() != 8 {
		t.Fatalf("date %v (%q)", p.Date, p.DateText)
	}
	f, _ = ParseInlineForward("Von: A <a@x.example>\nGesendet: Montag, 16. November 2026 08:41\nBetreff: s\n\nbody")
	p = mail.ParseMessage(f.Message())
	if !p.Date.IsZero() || headerValue(p.Header, "X-Mailtriage-Forwarded-Date") != "Montag, 16. November 2026 08:41" {
		t.Fatalf("date %v, header %+v", p.Date, p.Header)
	}
}

func TestParseInlineForwardNone(t *testing.T) {
	for _, text := range []string{
		"",
		"Just a note: from: here to there.",
		"From: someone\n\nno date and no subject",
		"From: A <a@x.example>\nSubject: bare block without a date\n\nbody", // a bare block needs a date too
		strings.Repeat("-", 100000),
	} {
		if f, ok := ParseInlineForward(text); ok {
			t.Errorf("%.40q: found %+v", text, f)
		}
	}
}

// Header injection: a forwarded field with line breaks or non-ASCII text
// must stay one field.
func TestInlineForwardMessageIsWellFormed(t *testing.T) {
	f := InlineForward{Client: "outlook", From: "Évil <e@x.example>", Subject: "a\r\nBcc: victim@x.example", Body: "b"}
	p := mail.ParseMessage(f.Message())
	if headerValue(p.Header, "Bcc") != "" || !strings.Contains(p.Subject, "Bcc: victim") {
		t.Fatalf("header %+v", p.Header)
	}
}
