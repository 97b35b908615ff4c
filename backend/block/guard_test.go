package block

import (
	"strings"
	"testing"
)

func TestGuardrailsStopWhatMustNotBeBlocked(t *testing.T) {
	g := Guardrails{Reporters: []string{"marek.nowak@northwind.example"}, Internal: []string{"northwind.example"},
		Protected: []string{"example-bank.com"}, Own: []string{"soc.example"}}
	addr := Option{Method: MimecastPolicy}
	dom := Option{Method: MimecastPolicyDomain}
	sys := Option{Method: FortiSystemDomain}
	tests := []struct {
		name   string
		opt    Option
		sender string
		why    string // "" = allowed
	}{
		{"the reporter", addr, "Marek.Nowak@northwind.example", "reported this message"},
		{"an internal address", addr, "ceo@northwind.example", "internal domain"},
		{"an internal subdomain", addr, "x@mail.northwind.example", "internal domain"},
		{"a protected domain", dom, "billing@example-bank.com", "protected domain"},
		{"the mailbox's own domain", addr, "someone@soc.example", "own domain"},
		{"a whole free-mail provider", dom, "m.chen.ceo@gmail.com", "consumer mail provider"},
		{"a whole free-mail provider on FortiMail", sys, "m.chen.ceo@outlook.com", "consumer mail provider"},
		{"one free-mail address", addr, "m.chen.ceo@gmail.com", ""},
		{"a look-alike of an internal domain", dom, "it@northwind-example.com", ""},
		{"a phishing domain", dom, "a@billing-notice.top", ""},
	}
	for _, tt := range tests {
		p, err := NewPlan(tt.opt, []Sender{{Address: tt.sender, Recipient: "soc@soc.example"}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		got := g.Check(p)
		switch {
		case tt.why == "" && len(got) > 0:
			t.Errorf("%s: stopped: %+v", tt.name, got)
		case tt.why != "" && (len(got) != 1 || !strings.Contains(got[0].Why, tt.why)):
			t.Errorf("%s: concerns %+v, want one saying %q", tt.name, got, tt.why)
		}
	}
}

func TestConfirmedNeedsTheDomainTyped(t *testing.T) {
	c := []Concern{{Domain: "gmail.com"}}
	if Confirmed(c, "gmail") || Confirmed(c, "") || Confirmed(nil, "gmail.com") {
		t.Error("a wrong or empty go-ahead confirmed")
	}
	if !Confirmed(c, " Gmail.com ") {
		t.Error("the typed domain did not confirm")
	}
	if Confirmed(append(c, Concern{Domain: "outlook.com"}), "gmail.com") {
		t.Error("one typed domain confirmed concerns about two")
	}
}
