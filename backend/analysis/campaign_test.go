package analysis

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalizeSubject(t *testing.T) {
	for _, tt := range []struct {
		in, want, pattern string
	}{
		{"RE: FW: Invoice 4711 overdue", "invoice 4711 overdue", "invoice # overdue"},
		{"[EXTERNAL] AW: WG:  Ihre   Rechnung\t Nr. 12-345", "ihre rechnung nr. 12-345", "ihre rechnung nr. #-#"},
		{"Re[2]: re: Fwd: Payment", "payment", "payment"},
		{"Pay\u200Bment\u202E due", "payment due", "payment due"},
		{"[EXTERNAL] [EXTERNAL] RE: RE: x", "x", "x"},
		{"Report 2024 Q1", "report 2024 q1", "report # q#"},
		{"Re: ", "", ""},
		{"", "", ""},
	} {
		if got := NormalizeSubject(tt.in, false); got != tt.want {
			t.Errorf("NormalizeSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := NormalizeSubject(tt.in, true); got != tt.pattern {
			t.Errorf("NormalizeSubject(%q, numbers) = %q, want %q", tt.in, got, tt.pattern)
		}
	}
}

func TestCampaign(t *testing.T) {
	urls, _, _ := ExtractURLs(URLInput{Text: "https://a.evil.example/x https://b.evil.example/y http://185.220.101.4/ " +
		"https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fother.example%2F&data=1"}, 0)
	atts := []Attachment{AnalyzeAttachment("a", "", "", []byte("abc")), AnalyzeAttachment("b", "", "", []byte("abc"))}
	k := Campaign("RE: Invoice 42", ParseAddress("Bob <Bob@Mail.Evil.Example>"), ParseAddress("x@reply.example"), urls, atts)
	want := []string{
		"subject:invoice 42", "subject_pattern:invoice #", "sender:bob@mail.evil.example", "sender_domain:evil.example",
		"reply_to:x@reply.example", "url_domain:185.220.101.4", "url_domain:evil.example", "url_domain:other.example",
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	}
	if got := k.Keys(); !slices.Equal(got, want) {
		t.Errorf("keys\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func FuzzCampaign(f *testing.F) {
	f.Add("RE: [EXTERNAL] Fwd: x 123", "a@b.example")
	f.Add("re[9]:re(1):", "")
	f.Fuzz(func(t *testing.T, subject, from string) {
		k := Campaign(subject, ParseAddress(from), Address{}, nil, nil)
		if NormalizeSubject(k.Subject, false) != k.Subject {
			t.Errorf("NormalizeSubject is not idempotent on %q: %q", k.Subject, NormalizeSubject(k.Subject, false))
		}
		if strings.Contains(k.SubjectPattern, "0") || strings.Contains(k.Subject, "  ") {
			t.Errorf("pattern %q or subject %q not normalised", k.SubjectPattern, k.Subject)
		}
	})
}
