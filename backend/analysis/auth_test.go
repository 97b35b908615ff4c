package analysis

import (
	"reflect"
	"strings"
	"testing"
)

// headerFields parses "Name: value" lines (continuation lines start with
// a space) into fields, for tests.
func headerFields(block string) []Field {
	var out []Field
	for line := range strings.SplitSeq(strings.TrimSpace(block), "\n") {
		line = strings.TrimRight(line, "\r")
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(out) > 0 {
			out[len(out)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		out = append(out, Field{Name: name, Value: strings.TrimSpace(value)})
	}
	return out
}

const gmailAuth = `Authentication-Results: mx.google.com;
       dkim=pass header.i=@paypal.com header.s=pp-dkim1 header.b=AbCdEf12;
       dkim=pass header.i=@mail.sendgrid.net header.s=smtpapi header.b=XyZ;
       spf=pass (google.com: domain of bounce@em.paypal.com designates 192.0.2.10 as permitted sender) smtp.mailfrom=bounce@em.paypal.com;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=paypal.com
Authentication-Results: evil.example; spf=pass smtp.mailfrom=ceo@victim.example; dmarc=pass header.from=victim.example
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=paypal.com; s=pp-dkim1;
	h=from:to:subject; bh=abc=; b=AbCdEf12
	 34==
DKIM-Signature: v=1; a=rsa-sha256; d=mail.sendgrid.net; s=smtpapi; b=XyZ
From: "PayPal" <service@paypal.com>`

func TestParseAuth(t *testing.T) {
	for _, tt := range []struct {
		name    string
		headers string
		opts    AuthOptions
		spf     SPF
		dkim    []DKIM
		dmarc   DMARC
		aligned map[string]bool // source/domain → aligned
	}{
		{
			name:    "gmail, topmost trusted, forged field below ignored",
			headers: gmailAuth,
			spf:     SPF{Result: "pass", MailFrom: "bounce@em.paypal.com", Domain: "em.paypal.com", Source: "authentication-results"},
			dkim: []DKIM{
				{Domain: "paypal.com", Selector: "pp-dkim1", Algorithm: "rsa-sha256", Result: "pass", Signed: true},
				{Domain: "mail.sendgrid.net", Selector: "smtpapi", Algorithm: "rsa-sha256", Result: "pass", Signed: true},
			},
			dmarc:   DMARC{Result: "pass", HeaderFrom: "paypal.com"},
			aligned: map[string]bool{"header_from/paypal.com": true, "mail_from/em.paypal.com": true, "dkim/paypal.com": true, "dkim/mail.sendgrid.net": false},
		},
		{
			name: "exchange online without authserv-id",
			headers: `Authentication-Results: spf=fail (sender IP is 203.0.113.5)
 smtp.mailfrom=evil.example; dkim=none (message not signed)
 header.d=none;dmarc=fail action=oreject header.from=contoso.com;compauth=fail reason=000
From: Contoso IT <it@contoso.com>`,
			spf:     SPF{Result: "fail", MailFrom: "evil.example", Domain: "evil.example", Source: "authentication-results"},
			dkim:    []DKIM{{Domain: "none", Result: "none"}},
			dmarc:   DMARC{Result: "fail", HeaderFrom: "contoso.com"},
			aligned: map[string]bool{"header_from/contoso.com": true, "mail_from/evil.example": false, "dkim/none": false},
		},
		{
			name: "trusted list picks our server below a forged one",
			headers: `Authentication-Results: attacker.example; spf=pass smtp.mailfrom=a@bank.example; dmarc=pass header.from=bank.example
Authentication-Results: mx.corp.example 1; spf=softfail smtp.mailfrom=x@bank-secure.example; dmarc=fail header.from=bank.example
From: <alerts@bank.example>`,
			opts:    AuthOptions{TrustedAuthServIDs: []string{"MX.corp.example."}},
			spf:     SPF{Result: "softfail", MailFrom: "x@bank-secure.example", Domain: "bank-secure.example", Source: "authentication-results"},
			dkim:    []DKIM{},
			dmarc:   DMARC{Result: "fail", HeaderFrom: "bank.example"},
			aligned: map[string]bool{"header_from/bank.example": true, "mail_from/bank-secure.example": false},
		},
		{
			name: "comment cannot inject a parameter",
			headers: `Authentication-Results: mx.corp.example; spf=fail (smtp.mailfrom=good.example; dmarc=pass) smtp.mailfrom=bad.example
From: x@good.example`,
			spf:     SPF{Result: "fail", MailFrom: "bad.example", Domain: "bad.example", Source: "authentication-results"},
			dkim:    []DKIM{},
			aligned: map[string]bool{"header_from/good.example": true, "mail_from/bad.example": false},
		},
		{
			name: "received-spf when no authentication-results",
			headers: `Received-SPF: SoftFail (protection.outlook.com: domain of transitioning evil.example discourages use of 198.51.100.7 as permitted sender) receiver=protection.outlook.com; client-ip=198.51.100.7; helo=mail.evil.example; envelope-from="<bounce@evil.example>";
Received-SPF: pass (forged) client-ip=1.2.3.4;
From: a@evil.example`,
			spf:     SPF{Result: "softfail", MailFrom: "bounce@evil.example", Domain: "evil.example", Helo: "mail.evil.example", ClientIP: "198.51.100.7", Source: "received-spf"},
			dkim:    []DKIM{},
			aligned: map[string]bool{"header_from/evil.example": true, "mail_from/evil.example": true},
		},
		{
			name:    "nothing at all",
			headers: `From: someone@example.com`,
			dkim:    []DKIM{},
			aligned: map[string]bool{"header_from/example.com": true},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := ParseAuth(headerFields(tt.headers), tt.opts)
			if a.SPF != tt.spf {
				t.Errorf("SPF = %+v, want %+v", a.SPF, tt.spf)
			}
			if !reflect.DeepEqual(a.DKIM, tt.dkim) {
				t.Errorf("DKIM = %+v, want %+v", a.DKIM, tt.dkim)
			}
			if a.DMARC != tt.dmarc {
				t.Errorf("DMARC = %+v, want %+v", a.DMARC, tt.dmarc)
			}
			got := map[string]bool{}
			for _, r := range a.Alignment {
				got[r.Source+"/"+r.Domain] = r.Aligned
			}
			if !reflect.DeepEqual(got, tt.aligned) {
				t.Errorf("alignment = %v, want %v", got, tt.aligned)
			}
		})
	}
}

func TestParseAuthFieldsListed(t *testing.T) {
	a := ParseAuth(headerFields(gmailAuth), AuthOptions{})
	if len(a.Fields) != 2 {
		t.Fatalf("%d fields listed, want 2", len(a.Fields))
	}
	if f := a.Fields[0]; f.AuthServID != "mx.google.com" || !f.Trusted || f.Results != "dkim=pass dkim=pass spf=pass dmarc=pass" {
		t.Errorf("first field = %+v", f)
	}
	if f := a.Fields[1]; f.AuthServID != "evil.example" || f.Trusted {
		t.Errorf("second field = %+v, want untrusted evil.example", f)
	}
}

func TestParseAuthARC(t *testing.T) {
	for _, tt := range []struct {
		name       string
		headers    string
		chain      string
		structural bool
		sets       int
		result     string
	}{
		{
			name: "two valid sets",
			headers: `Authentication-Results: mx.corp.example; arc=pass (i=2 spf=pass) header.oldest-pass=1
ARC-Seal: i=2; a=rsa-sha256; t=1700000000; cv=pass; d=google.com; s=arc-20160816; b=xx
ARC-Message-Signature: i=2; a=rsa-sha256; d=google.com; s=arc-20160816; b=yy
ARC-Authentication-Results: i=2; mx.google.com; spf=pass smtp.mailfrom=a@list.example; dkim=pass header.i=@list.example
ARC-Seal: i=1; a=rsa-sha256; t=1699999999; cv=none; d=list.example; s=k1; b=zz
ARC-Message-Signature: i=1; a=rsa-sha256; d=list.example; s=k1; b=ww
ARC-Authentication-Results: i=1; lists.example; dkim=pass header.d=sender.example; dmarc=pass header.from=sender.example`,
			chain: "pass", structural: true, sets: 2, result: "pass",
		},
		{
			name: "missing set and failed cv",
			headers: `ARC-Seal: i=3; cv=fail; d=relay.example
ARC-Message-Signature: i=3; d=relay.example
ARC-Authentication-Results: i=3; relay.example; spf=fail
ARC-Seal: i=1; cv=none; d=a.example
ARC-Message-Signature: i=1; d=a.example
ARC-Authentication-Results: i=1; a.example; spf=pass`,
			chain: "fail", structural: false, sets: 3,
		},
		{
			name:    "i out of range",
			headers: `ARC-Seal: i=9999; cv=none`,
			sets:    0, structural: false,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			arc := ParseAuth(headerFields(tt.headers), AuthOptions{}).ARC
			if arc.Chain != tt.chain || arc.Structural != tt.structural || arc.Sets != tt.sets || arc.Result != tt.result {
				t.Errorf("ARC = %+v, want chain %q structural %v sets %d result %q", arc, tt.chain, tt.structural, tt.sets, tt.result)
			}
		})
	}
}

func TestStripComments(t *testing.T) {
	for in, want := range map[string]string{
		"a (b (c) d) e":        "a   e",
		`a "q (not) x" b`:      `a "q (not) x" b`,
		`a (x \) y) b`:         "a   b",
		"a (unclosed":          "a ",
		`a "\" (still) q" (c)`: `a "\" (still) q"  `,
	} {
		if got := stripComments(in); got != want {
			t.Errorf("stripComments(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseAuth(f *testing.F) {
	f.Add(gmailAuth)
	f.Add("Authentication-Results: spf=fail (a;b) smtp.mailfrom=x;dkim=pass header.d=y\nARC-Seal: i=1; cv=none\nReceived-SPF: pass client-ip=1.2.3.4")
	f.Add("ARC-Authentication-Results: i=2; x; arc=pass header.oldest-pass=0")
	f.Fuzz(func(t *testing.T, s string) {
		a := ParseAuth(headerFields(s), AuthOptions{})
		if len(a.Alignment) == 0 || a.Alignment[0].Source != "header_from" {
			t.Errorf("alignment table does not start with the From domain: %+v", a.Alignment)
		}
		if a.ARC.Sets > maxARCSets || len(a.Fields) > maxAuthFields {
			t.Errorf("caps exceeded: %d ARC sets, %d fields", a.ARC.Sets, len(a.Fields))
		}
	})
}
