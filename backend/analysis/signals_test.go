package analysis

import (
	"slices"
	"strings"
	"testing"
)

func signalIDs(sigs []Signal) []string {
	var ids []string
	for _, s := range sigs {
		ids = append(ids, s.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func TestSignals(t *testing.T) {
	opts := SignalOptions{InternalDomains: []string{"corp.example"}, InternalNames: []string{"Jane Doe", "IT Helpdesk"}}
	for _, tt := range []struct {
		name string
		in   SignalInput
		want []string
	}{
		{
			name: "brand display name from elsewhere",
			in:   SignalInput{From: ParseAddress(`"PayPal Service" <service@mailer-42.example>`)},
			want: []string{"display_name_brand"},
		},
		{
			name: "brand display name with confusables",
			in:   SignalInput{From: ParseAddress(`"Місrоsоft 365" <no-reply@mailer.example>`)},
			want: []string{"display_name_brand"},
		},
		{
			name: "the brand itself",
			in:   SignalInput{From: ParseAddress(`"PayPal" <service@mail.paypal.com>`)},
		},
		{
			name: "person called Chase is not the bank",
			in:   SignalInput{From: ParseAddress(`"Chase Miller" <chase@friend.example>`)},
		},
		{
			name: "address in the display name",
			in:   SignalInput{From: ParseAddress(`"ceo@corp.example" <ceo.corp@gmail.com>`)},
			want: []string{"display_name_address", "display_name_internal"},
		},
		{
			name: "internal name from outside",
			in:   SignalInput{From: ParseAddress(`"Jane  DOE" <jane.doe.ceo@gmail.com>`)},
			want: []string{"display_name_internal"},
		},
		{
			name: "internal name from inside",
			in:   SignalInput{From: ParseAddress(`"Jane Doe" <jane@mail.corp.example>`)},
		},
		{
			name: "look-alike of an internal domain",
			in:   SignalInput{From: ParseAddress(`it@corp-example.example`), ReplyTo: ParseAddress("x@c0rp.example")},
			want: []string{"confusable_domain", "reply_to_mismatch"},
		},
		{
			name: "one letter off a brand",
			in:   SignalInput{From: ParseAddress(`"Support" <s@paypa.com>`)},
			want: []string{"lookalike_domain"},
		},
		{
			name: "punycode confusable and mixed script",
			in:   SignalInput{From: ParseAddress(`x@xn--pypal-4ve.com`)},
			want: []string{"confusable_domain", "mixed_script_domain"},
		},
		{
			name: "rn for m",
			in:   SignalInput{From: ParseAddress(`x@rnicrosoft.com`)},
			want: []string{"confusable_domain"},
		},
		{
			name: "brand in domain",
			in:   SignalInput{From: ParseAddress(`x@secure-paypal-login.example`)},
			want: []string{"brand_in_domain"},
		},
		{
			name: "harmless internationalised domain",
			in:   SignalInput{From: ParseAddress(`x@xn--bcher-kva.example`)},
			want: []string{"punycode_domain"},
		},
		{
			name: "return path elsewhere",
			in:   SignalInput{From: ParseAddress(`news@shop.example`), ReturnPath: "<bounce@esp.example>"},
			want: []string{"return_path_mismatch"},
		},
		{
			name: "auth failures",
			in: SignalInput{Auth: Auth{
				SPF:   SPF{Result: "softfail", Domain: "a.example"},
				DKIM:  []DKIM{{Domain: "a.example", Result: "fail"}},
				DMARC: DMARC{Result: "fail", HeaderFrom: "a.example"},
				ARC:   ARC{Chain: "fail"},
			}},
			want: []string{"arc_fail", "dkim_fail", "dmarc_fail", "spf_softfail"},
		},
		{
			name: "no auth",
			in:   SignalInput{Auth: Auth{}},
			want: []string{"no_auth_results"},
		},
		{
			name: "urls",
			in: SignalInput{URLs: []URL{
				{URL: "https://evil.example/", Scheme: "https", Host: "evil.example", Domain: "evil.example", TextMismatch: "paypal.com"},
				{URL: "https://paypal.com@evil.example/", Scheme: "https", Host: "evil.example", Domain: "evil.example", Userinfo: true},
				{URL: "http://185.220.101.4/x", Scheme: "http", Host: "185.220.101.4", IsIP: true},
				{URL: "javascript:alert(1)", Scheme: "javascript"},
				{URL: "https://t.example/", Scheme: "https", Host: "t.example", Hidden: true, Where: []string{"html:a"}},
			}},
			want: []string{"no_auth_results", "url_hidden", "url_ip_host", "url_script", "url_text_mismatch", "url_userinfo"},
		},
		{
			name: "attachments",
			in: SignalInput{Attachments: []Attachment{
				AnalyzeAttachment("invoice.pdf.exe", "application/pdf", "", []byte("MZ")),
				AnalyzeAttachment("a.zip", "application/zip", "", zipOf(t, true, "x.js")),
			}},
			want: []string{"attachment_archive", "attachment_dangerous_entry", "attachment_double_extension",
				"attachment_encrypted", "attachment_executable", "attachment_type_mismatch", "no_auth_results"},
		},
		{
			name: "hidden characters",
			in:   SignalInput{Subject: "Pay\u200Bment due", FromHeader: "x", Text: "a\u202Eb"},
			want: []string{"hidden_chars", "no_auth_results"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.Auth.SPF.Result == "" && tt.in.Auth.DMARC.Result == "" && !strings.HasPrefix(tt.name, "no auth") &&
				!slices.Contains(tt.want, "no_auth_results") {
				tt.in.Auth.Fields = []AuthResultsField{{Trusted: true}}
			}
			got := Signals(tt.in, opts)
			if ids := signalIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("signals %v, want %v\n%+v", ids, tt.want, got)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Severity.rank() > got[i-1].Severity.rank() {
					t.Errorf("signals not sorted by severity: %+v", got)
				}
			}
		})
	}
}

func TestEditDistanceOne(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"paypal.com", "paypa1.com", true}, {"paypal.com", "paypall.com", true}, {"paypal.com", "paypl.com", true},
		{"paypal.com", "papyal.com", true}, {"paypal.com", "paypal.com", false}, {"paypal.com", "pyapla.com", false},
		{"a", "abc", false}, {"", "a", true},
	} {
		if got := editDistanceOne(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistanceOne(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func FuzzSignals(f *testing.F) {
	f.Add(`"PayPal <a@paypal.com>" <x@evil.example>`, "r@xn--pypal-4ve.com", "Subj\u202E", "https://paypa1.com/x")
	f.Add("Jane Doe <j@gmail.com>", "", "", "http://1.2.3.4/")
	f.Fuzz(func(t *testing.T, from, replyTo, subject, text string) {
		urls, _, _ := ExtractURLs(URLInput{Text: text}, 20)
		in := SignalInput{From: ParseAddress(from), ReplyTo: ParseAddress(replyTo), Subject: subject, FromHeader: from, Text: text, URLs: urls}
		sigs := Signals(in, SignalOptions{InternalDomains: []string{"corp.example"}, InternalNames: []string{"Jane Doe"}})
		for _, s := range sigs {
			if s.ID == "" || s.Title == "" || s.Severity.rank() == 0 && s.Severity != Info {
				t.Errorf("malformed signal %+v", s)
			}
			if len(s.Reason) > 512 {
				t.Errorf("reason of %d bytes", len(s.Reason))
			}
		}
	})
}
