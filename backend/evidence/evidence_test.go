package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/safejson"
)

// phish builds a typical phishing message: a spoofed brand, failing
// authentication, a link whose text names another site, an executable
// with a double extension, and the original report attached.
func phish() []byte {
	exe := base64.StdEncoding.EncodeToString(append([]byte("MZ\x90\x00"), make([]byte, 64)...))
	inner := "From: \"IT Helpdesk\" <helpdesk@c0rp.example>\r\nSubject: Password expiry\r\nContent-Type: text/plain\r\n\r\nReset at https://reset.evil.example/now\r\n"
	return []byte("Received: from mx.corp.example (mx.corp.example [52.1.2.3]) by ex01.corp.local with ESMTPS id 1; Tue, 5 Mar 2024 10:15:30 +0000\r\n" +
		"Authentication-Results: mx.corp.example; spf=fail smtp.mailfrom=bounce@paypa1-secure.example; dkim=none; dmarc=fail header.from=paypal.com\r\n" +
		"Received: from paypal.com (vps.hoster.example [185.220.101.4]) by mx.corp.example (Postfix) with ESMTP id 2; Tue, 5 Mar 2024 10:15:00 +0000\r\n" +
		"Received: from laptop ([10.0.0.5]) by vps.hoster.example with ESMTP id 3; Tue, 5 Mar 2024 10:14:00 +0000\r\n" +
		"Return-Path: <bounce@paypa1-secure.example>\r\n" +
		"From: \"PayPal Service\" <service@paypa1-secure.example>\r\n" +
		"Reply-To: <refunds@collector.example>\r\n" +
		"To: alice@corp.example\r\n" +
		"Subject: =?UTF-8?Q?RE:_Your_account_is_on_hold_=E2=80=8B#4711?=\r\n" +
		"Message-ID: <abc123@paypa1-secure.example>\r\n" +
		"Date: Tue, 5 Mar 2024 10:13:00 +0000\r\n" +
		"List-Unsubscribe: <https://unsub.evil.example/u>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
		"--outer\r\n" +
		"Content-Type: multipart/alternative; boundary=inner\r\n\r\n" +
		"--inner\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Dear customer, verify at https://paypa1-secure.example/login\r\n" +
		"--inner\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p>Dear customer, <a href=\"https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fpaypa1-secure.example%2Flogin&amp;data=1\">https://www.paypal.com/signin</a></p>\r\n" +
		"--inner--\r\n" +
		"--outer\r\n" +
		"Content-Type: application/pdf; name=\"invoice.pdf.exe\"\r\n" +
		"Content-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" +
		exe + "\r\n" +
		"--outer\r\n" +
		"Content-Type: message/rfc822\r\n" +
		"Content-Disposition: attachment; filename=\"original.eml\"\r\n\r\n" +
		inner +
		"--outer--\r\n")
}

func ids(ev *Evidence) []string {
	var out []string
	for _, s := range ev.Signals {
		out = append(out, s.ID)
	}
	return out
}

func TestAnalyzePhish(t *testing.T) {
	ev := Analyze(phish(), Limits{Signals: signalOpts()})
	if len(ev.Skipped) != 0 || len(ev.Warnings) != 0 {
		t.Errorf("skipped %v, warnings %v", ev.Skipped, ev.Warnings)
	}
	if ev.From.Address != "service@paypa1-secure.example" || ev.ReplyTo.Domain != "collector.example" ||
		ev.ReturnPath != "bounce@paypa1-secure.example" || ev.MessageID != "abc123@paypa1-secure.example" {
		t.Errorf("summary: from %+v reply-to %+v return-path %q message-id %q", ev.From, ev.ReplyTo, ev.ReturnPath, ev.MessageID)
	}
	if ev.Auth.SPF.Result != "fail" || ev.Auth.DMARC.Result != "fail" {
		t.Errorf("auth %+v", ev.Auth)
	}
	if len(ev.Hops) != 3 || ev.Hops[0].IP != "10.0.0.5" || ev.Hops[1].IP != "185.220.101.4" || !slices.Contains(ev.Hops[1].Flags, "helo_mismatch") {
		t.Errorf("hops %+v", ev.Hops)
	}
	var urls []string
	for _, u := range ev.URLs {
		urls = append(urls, u.URL)
	}
	if len(urls) != 4 {
		t.Errorf("URLs %q", urls)
	}
	if len(ev.Attachments) != 2 || ev.Attachments[0].Name != "invoice.pdf.exe" || ev.Attachments[0].SniffedType != "pe" {
		t.Fatalf("attachments %+v", ev.Attachments)
	}
	if len(ev.Nested) != 1 || ev.Nested[0].From.Address != "helpdesk@c0rp.example" || len(ev.Nested[0].URLs) != 1 {
		t.Fatalf("nested %+v", ev.Nested)
	}
	if got := ids(ev.Nested[0]); !slices.Contains(got, "display_name_internal") || !slices.Contains(got, "confusable_domain") {
		t.Errorf("nested signals %v", got)
	}
	got := ids(ev)
	for _, want := range []string{"display_name_brand", "dmarc_fail", "spf_fail", "reply_to_mismatch", "url_text_mismatch",
		"attachment_executable", "attachment_double_extension", "attachment_type_mismatch", "hidden_chars", "brand_in_domain"} {
		if !slices.Contains(got, want) {
			t.Errorf("signal %s missing from %v", want, got)
		}
	}
	if ev.Campaign.Subject != "your account is on hold #4711" || ev.Campaign.SubjectPattern != "your account is on hold ##" {
		t.Errorf("campaign subject %q / %q", ev.Campaign.Subject, ev.Campaign.SubjectPattern)
	}
}

// lowerSnake matches JSON field names.
var lowerSnake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkKeys walks decoded JSON and reports every object key that is not
// lower_snake_case, except under "headers" (header names).
func checkKeys(t *testing.T, v any, path string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if !lowerSnake.MatchString(k) {
				t.Errorf("key %q at %s is not lower_snake_case", k, path)
			}
			if k == "headers" {
				continue
			}
			checkKeys(t, child, path+"."+k)
		}
	case []any:
		for _, child := range v {
			checkKeys(t, child, path+"[]")
		}
	}
}

func TestJSONFieldNames(t *testing.T) {
	var buf bytes.Buffer
	if err := ExportJSON(&buf, phish(), "AAMkAD42", "Inbox/Phishing", Limits{}); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, doc, "$")
	m := doc.(map[string]any)
	for _, k := range []string{"attachments", "parsed_attachment_data", "attachment_files", "item_id", "folder_path",
		"email_as_attachment", "body", "headers", "epilogue", "preamble", "analysis"} {
		if _, ok := m[k]; !ok {
			t.Errorf("export lacks %q", k)
		}
	}
	a := m["analysis"].(map[string]any)
	for _, k := range []string{"hops", "urls", "attachments", "signals", "auth", "campaign"} {
		if a[k] == nil {
			t.Errorf("analysis.%s is null", k)
		}
	}
}

func TestExportShape(t *testing.T) {
	x := ExportMessage(phish(), "AAMkAD42", "Inbox/Phishing", Limits{})
	if x.ItemID != "AAMkAD42" || x.FolderPath != "Inbox/Phishing" {
		t.Errorf("item %q folder %q", x.ItemID, x.FolderPath)
	}
	rec, ok := x.Headers["received"].([]string)
	if !ok || len(rec) != 3 || !strings.HasPrefix(rec[0], "from mx.corp.example") {
		t.Errorf("received %#v", x.Headers["received"])
	}
	if from, _ := x.Headers["from"].(string); from != `"PayPal Service" <service@paypa1-secure.example>` {
		t.Errorf("from %#v", x.Headers["from"])
	}
	if !strings.Contains(x.Body.Text, "Dear customer") || !strings.Contains(x.Body.HTML, "<a href=") {
		t.Errorf("body %+v", x.Body)
	}
	if len(x.Attachments) != 2 {
		t.Fatalf("attachments %+v", x.Attachments)
	}
	md := x.Attachments[0].Metadata
	if md.Filename != "invoice.pdf.exe" || md.ContentType != "application/pdf" || md.ContentLength != 68 || len(md.SHA256) != 64 {
		t.Errorf("metadata %+v", md)
	}
	if len(x.ParsedAttachmentData) != 1 {
		t.Errorf("parsed attachment data %+v", x.ParsedAttachmentData)
	}
}

func TestIOCs(t *testing.T) {
	ev := Analyze(phish(), Limits{})
	got := map[string]bool{}
	for _, i := range IOCs(ev) {
		got[i.Type+" "+i.Value] = true
		if strings.Contains(i.Value, "://") && !strings.HasPrefix(i.Value, "hxxp") {
			t.Errorf("live URL %q", i.Value)
		}
	}
	for _, want := range []string{
		"sender service[@]paypa1-secure[.]example", "reply_to refunds[@]collector[.]example",
		"domain paypa1-secure[.]example", "ip 185[.]220[.]101[.]4", "ip 52[.]1[.]2[.]3",
		"url hxxps://paypa1-secure[.]example/login", "url hxxps://unsub[.]evil[.]example/u",
		"domain eur01[.]safelinks[.]protection[.]outlook[.]com",
		"sender helpdesk[@]c0rp[.]example", "url hxxps://reset[.]evil[.]example/now",
	} {
		if !got[want] {
			t.Errorf("IOC %q missing", want)
		}
	}
	if got["ip 10[.]0[.]0[.]5"] {
		t.Errorf("private IP listed as an IOC")
	}
	raw := RawIOCs(ev)
	if !slices.ContainsFunc(raw, func(i IOC) bool { return i.Value == "https://paypa1-secure.example/login" }) {
		t.Errorf("raw IOCs are defanged")
	}
}

func TestWriteIOCs(t *testing.T) {
	iocs := []IOC{{Type: "url", Value: "hxxps://a[.]example/", Context: "link"}, {Type: "md5", Value: "abc", Context: "attachment =HYPERLINK(\"x\")"}}
	var buf bytes.Buffer
	if err := WriteIOCsCSV(&buf, iocs); err != nil {
		t.Fatal(err)
	}
	want := "type,value,context\nurl,hxxps://a[.]example/,link\nmd5,abc,\"attachment =HYPERLINK(\"\"x\"\")\"\n"
	if buf.String() != want {
		t.Errorf("CSV\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	WriteIOCsCSV(&buf, []IOC{{Type: "url", Value: "=cmd|' /C calc'!A0", Context: "-x"}})
	if !strings.Contains(buf.String(), "'=cmd") || !strings.Contains(buf.String(), "'-x") {
		t.Errorf("formula not neutralised: %s", buf.String())
	}
	buf.Reset()
	if err := WriteIOCsJSON(&buf, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("empty JSON %q %v", buf.String(), err)
	}
	buf.Reset()
	WriteIOCsJSON(&buf, iocs)
	var back []IOC
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || !slices.Equal(back, iocs) {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
}

func skippedWhat(ev *Evidence) []string {
	var out []string
	for _, s := range ev.Skipped {
		out = append(out, s.What)
	}
	return out
}

func TestLimits(t *testing.T) {
	deep := func(n int) []byte {
		var b strings.Builder
		b.WriteString("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
		}
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\nhttps://deep.example/\r\n", n)
		return []byte(b.String())
	}
	many := func(n int) []byte {
		var b strings.Builder
		b.WriteString("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n")
		for i := range n {
			fmt.Fprintf(&b, "--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=f%d.bin\r\n\r\n%d\r\n", i, i)
		}
		b.WriteString("--x--\r\n")
		return []byte(b.String())
	}
	fields := func(n int, long int) []byte {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "X-F%d: v\r\n", i)
		}
		b.WriteString("Subject: " + strings.Repeat("s", long) + "\r\nFrom: a@b.example\r\n\r\nbody")
		return []byte(b.String())
	}
	nested := func(n int) []byte {
		msg := "From: innermost@x.example\r\n\r\nbody\r\n"
		for i := range n {
			z := fmt.Sprintf("z%d", i)
			msg = "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=" + z + "\r\n\r\n--" + z +
				"\r\nContent-Type: message/rfc822\r\n\r\n" + msg + "--" + z + "--\r\n"
		}
		return []byte(msg)
	}
	var urls strings.Builder
	urls.WriteString("From: a@b.example\r\n\r\n")
	for i := range 50 {
		fmt.Fprintf(&urls, "https://u%d.example/ ", i)
	}
	for _, tt := range []struct {
		name string
		raw  []byte
		lim  Limits
		want []string
	}{
		{"within limits", deep(5), Limits{}, nil},
		{"bytes", phish(), Limits{MaxBytes: 1000}, []string{"bytes"}},
		{"depth", deep(30), Limits{MaxDepth: 10}, []string{"mime"}},
		{"parts", many(20), Limits{MaxParts: 10}, []string{"mime"}},
		{"header fields", fields(50, 10), Limits{MaxHeaderFields: 20}, []string{"header_fields"}},
		{"header length", fields(1, 5000), Limits{MaxHeaderLength: 1000}, []string{"header_length"}},
		{"urls", []byte(urls.String()), Limits{MaxURLs: 10}, []string{"urls"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := Analyze(tt.raw, tt.lim)
			if got := skippedWhat(ev); !slices.Equal(got, tt.want) {
				t.Errorf("skipped %v, want %v: %+v", got, tt.want, ev.Skipped)
			}
		})
	}
	if ev := Analyze(many(20), Limits{MaxParts: 10}); len(ev.Attachments) > 10 {
		t.Errorf("%d attachments past a cap of 10 parts", len(ev.Attachments))
	}
	ev := Analyze(nested(5), Limits{MaxNested: 2})
	if len(ev.Nested) != 1 || len(ev.Nested[0].Nested) != 1 || len(ev.Nested[0].Nested[0].Nested) != 0 {
		t.Fatalf("nesting not capped at 2 levels")
	}
	if got := skippedWhat(ev.Nested[0].Nested[0]); !slices.Equal(got, []string{"nested"}) {
		t.Errorf("deepest analysed message skipped %v, want [nested]", got)
	}
}

func signalOpts() analysis.SignalOptions {
	return analysis.SignalOptions{InternalDomains: []string{"corp.example"}, InternalNames: []string{"IT Helpdesk"}}
}

// The exports are read on terminals too: hidden characters are \u
// escapes, and the JSON decodes to the values.
func TestExportsEscapeHiddenCharacters(t *testing.T) {
	subject := "Invoice \u202Efdp.exe \x1b]8;;https://evil.example/\x07x\x1b]8;;\x07 \u009b2J"
	raw := []byte("From: a@evil.example\r\nSubject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(subject)) + "?=\r\n\r\nsee https://evil.example/\u200Bpay\r\n")
	var buf bytes.Buffer
	if err := ExportJSON(&buf, raw, "id", "INBOX", Limits{}); err != nil {
		t.Fatal(err)
	}
	if !safejson.Clean(buf.Bytes()) {
		t.Errorf("export holds raw hidden characters")
	}
	var x Export
	if err := json.Unmarshal(buf.Bytes(), &x); err != nil || x.Analysis.Subject != subject {
		t.Errorf("export decodes to subject %q (%v)", x.Analysis.Subject, err)
	}
	buf.Reset()
	if err := WriteIOCsJSON(&buf, RawIOCs(Analyze(raw, Limits{}))); err != nil || !safejson.Clean(buf.Bytes()) {
		t.Errorf("IOC JSON: %v, clean %v", err, safejson.Clean(buf.Bytes()))
	}
}
