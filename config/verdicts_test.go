package config

import (
	"strings"
	"testing"
)

func TestVerdictsDefaultWhenAbsent(t *testing.T) {
	cfg, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	set, err := cfg.VerdictSet()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.Names(), ","); got != "phishing,spam,clean,simulation" {
		t.Fatalf("default verdicts %s", got)
	}
}

func TestVerdictsConfigured(t *testing.T) {
	cfg, err := Parse([]byte(minimal + `
[verdicts]
names = ["phishing", "bec", "clean"]

[verdicts.phishing]
folder = "Phishing reports/Confirmed"
feedback_subject = "Re: {{.Subject}}"

[verdicts.bec]
feedback = "Dear {{.ReporterName}}: {{.Verdict}} ({{.CaseSize}} reports)"
`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := cfg.VerdictSet()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.Names(), ","); got != "phishing,bec,clean" {
		t.Fatalf("verdicts %s", got)
	}
	p, _ := set.Lookup("phishing")
	if p.Folder != "Phishing reports/Confirmed" || p.Keyword() != "$mt_verdict_20phishing" {
		t.Fatalf("phishing %+v keyword %s", p, p.Keyword())
	}
	var b strings.Builder
	bec, _ := set.Lookup("BEC")
	if err := bec.Body.Execute(&b, map[string]any{"ReporterName": "Dana", "Verdict": "bec", "CaseSize": 2}); err != nil || b.String() != "Dear Dana: bec (2 reports)" {
		t.Fatalf("bec body %q %v", b.String(), err)
	}
}

// Mistakes are refused at load, naming the key.
func TestVerdictsRefused(t *testing.T) {
	tests := []struct{ conf, want string }{
		{"[verdicts]\ncolour = \"red\"\n", "unknown setting verdicts.colour"},
		{"[verdicts.phishing]\nfolder = \"X\"\nfoldr = \"Y\"\n", "unknown setting verdicts.phishing.foldr"},
		{"[verdicts]\nnames = [\"Phish Confirmed\"]\n", "verdicts.names: verdict \"Phish Confirmed\": use lower-case"},
		{"[verdicts]\nnames = [\"spam\", \"spam\"]\n", "listed twice"},
		{"[verdicts]\nnames = [\"spam\"]\n[verdicts.phishing]\nfolder = \"X\"\n", "verdicts.phishing: not a verdict"},
		{"[verdicts.spam]\nfeedback = \"{{.Reporter}}\"\n", "verdicts.spam.feedback:"},
		{"[verdicts.clean]\nfeedback_subject = \"{{if}}\"\n", "verdicts.clean.feedback_subject:"},
		{"[verdicts.clean]\nfolder = 3\n", "verdicts.clean.folder: must be a string"},
		{"[verdicts]\nnames = \"spam\"\n", "verdicts.names: must be a list of strings"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(minimal + tt.conf))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.conf, err, tt.want)
		}
	}
}

func TestFeedbackFrom(t *testing.T) {
	for _, tt := range []struct {
		a    Account
		want string
	}{
		{Account{ReportFrom: "soc@example.com", Username: "analyst@example.com"}, "soc@example.com"},
		{Account{Username: "analyst@example.com"}, "analyst@example.com"},
		{Account{Mailbox: "phish@contoso.com"}, "phish@contoso.com"},
	} {
		if got := tt.a.FeedbackFrom(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.a, got, tt.want)
		}
	}
}
