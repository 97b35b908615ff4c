package verdict

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
)

func TestKeywordsRoundTripAsCategories(t *testing.T) {
	if kw, err := mail.EncodeKeyword("feedback sent"); err != nil || kw != FeedbackKeyword {
		t.Fatalf("FeedbackKeyword %q, encoding gives %q %v", FeedbackKeyword, kw, err)
	}
	set, err := Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range set {
		if got := mail.DecodeKeyword(v.Keyword()); got != "verdict "+v.Name {
			t.Errorf("%s: keyword %s decodes to %q", v.Name, v.Keyword(), got)
		}
		if set.Of([]string{"$Junk", strings.ToUpper(v.Keyword())}) != v.Name {
			t.Errorf("%s: not recognised from its keyword", v.Name)
		}
	}
	if err := CheckName(strings.Repeat("x", 40)); err == nil {
		t.Error("a name too long for a keyword was accepted")
	}
}

// Whatever the phish's subject and sender say, the reply carries no
// live link, address or host name, and no header can be injected.
func TestRenderedFieldsAreDefangedAndOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Invoice at https://evil.example/pay?x=1 now", "Invoice at hxxps://evil[.]example/pay?x=1 now"},
		{"mail billing@evil.example today", "mail billing[@]evil[.]example today"},
		{"visit www.evil-site.co.uk.", "visit www[.]evil-site[.]co[.]uk."},
		{"version 2.5 released", "version 2.5 released"},
		{"already hxxps://evil[.]example", "already hxxps://evil[.]example"},
		{`"HR" <hr@nw-payroll-portal.example>`, `"HR" <hr[@]nw-payroll-portal[.]example>`},
	}
	for _, tt := range tests {
		if got := defangText(tt.in); got != tt.want {
			t.Errorf("defangText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := oneLine("a\r\nBcc: x@y\u2028z\x1b[31m", 100); strings.ContainsAny(got, "\r\n\u2028\x1b") {
		t.Errorf("oneLine kept a line break or control: %q", got)
	}
	set, _ := Build([]Spec{{Name: "phishing", FeedbackSubject: "Re: {{.Subject}}"}})
	c := Case{Key: "mid:x", Folder: mail.FolderRef{Name: "Reports"}, Original: Original{
		Subject: "Urgent\r\nBcc: victim@corp.example\r\n\r\nclick http://evil.example",
		From:    "x@evil.example",
	}, Reports: []Report{{UID: 1, ReporterName: "Dana\r\nX-Evil: 1", ReporterAddress: "dana@corp.example", MessageID: "<r@corp.example>"}}}
	r, err := render(c, set[0], Compose{From: "soc@corp.example", Analyst: "Alex"}, byReporter(c)[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(r.Raw), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(line, "Bcc") || strings.HasPrefix(line, "X-Evil") {
			t.Errorf("header injected: %q", line)
		}
	}
	if strings.Contains(string(r.Raw), "evil.example") || strings.Contains(string(r.Raw), "http://") {
		t.Errorf("live link in reply:\n%s", r.Raw)
	}
}
