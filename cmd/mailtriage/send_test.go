package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
	mtimap "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/smtptest"
)

const sendUser, sendPassword = "soc", "soc-secret"

// sendSetup is a Dovecot account with a Sent folder and one message in
// INBOX (UID 1), an SMTP server, and a configuration naming both.
type sendSetup struct {
	imap     *dovecottest.Server
	smtp     *smtptest.Server
	cfg      string
	audit    string
	original []byte
}

func startSendSetup(t *testing.T) sendSetup {
	t.Helper()
	srv := dovecottest.Start(t)
	if err := srv.AddUser(sendUser, sendPassword); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateFolder(sendUser, "Sent", `\Sent`); err != nil {
		t.Fatal(err)
	}
	original := []byte("From: \"Payroll\" <payroll@evil.example>\r\nTo: ap@example.com\r\nSubject: Salary update\r\nMessage-ID: <orig-1@evil.example>\r\n" +
		"Date: Sun, 06 Dec 2026 08:00:00 +0000\r\n\r\nSign here: https://login.evil.example/\r\n")
	if err := srv.Deliver(sendUser, "INBOX", dovecottest.Message{Raw: original, InternalDate: time.Now()}); err != nil {
		t.Fatal(err)
	}
	smtp := smtptest.Start(t, sendUser, sendPassword)
	dir := t.TempDir()
	t.Setenv("SEND_TEST_PASSWORD", sendPassword)
	audit := filepath.Join(dir, "audit.jsonl")
	cfg := filepath.Join(dir, "config.toml")
	text := `audit_log = "` + audit + `"
[[accounts]]
name = "soc"
imap = "imap://` + srv.Addr + `"
tls = "none"
username = "` + sendUser + `"
password_env = "SEND_TEST_PASSWORD"
smtp = "smtp://` + smtp.Addr + `"
smtp_tls = "none"
report_from = "soc@example.com"
`
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return sendSetup{imap: srv, smtp: smtp, cfg: cfg, audit: audit, original: original}
}

// testFile writes n bytes of every value to a file and returns its path
// and bytes.
func testFile(t *testing.T, name string, n int) (string, []byte) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*31 + i/256)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// attachmentsByName decodes a received message with the project's MIME
// parser (enmime) and returns each attachment's bytes by file name.
func attachmentsByName(raw []byte) map[string][]byte {
	out := map[string][]byte{}
	for _, p := range mail.ParseMessage(raw).Parts {
		out[p.Name] = p.Content
	}
	return out
}

func sameBytes(a, b []byte) bool { return sha256.Sum256(a) == sha256.Sum256(b) }

func TestSendOverSMTPWithAttachmentsByteForByte(t *testing.T) {
	s := startSendSetup(t)
	pdf, pdfBytes := testFile(t, "evidence.pdf", 200_000)
	var out, errb bytes.Buffer
	code := run([]string{"send", "--config", s.cfg, "--to", "desk@example.com", "--cc", "lead@example.com", "--bcc", "hidden@example.com",
		"--subject", "Case 4711: payroll phish", "--body", "Hello,\nthe original is attached.", "--attach", pdf, "--attach-message", "1"}, &out, &errb)
	if code != 0 {
		t.Fatalf("send: %d %s %s", code, out.String(), errb.String())
	}
	var res sendResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Via != "smtp" || !strings.Contains(res.Status, "copy in Sent") {
		t.Fatalf("result %s: %v", out.String(), err)
	}
	got := s.smtp.Received()
	if len(got) != 1 {
		t.Fatalf("%d messages received", len(got))
	}
	m := got[0]
	if m.From != "soc@example.com" || strings.Join(m.To, " ") != "desk@example.com lead@example.com hidden@example.com" {
		t.Fatalf("envelope: from %s to %v", m.From, m.To)
	}
	if bytes.Contains(m.Data, []byte("hidden@example.com")) {
		t.Fatal("the Bcc address is in the message")
	}
	atts := attachmentsByName(m.Data)
	if !sameBytes(atts["evidence.pdf"], pdfBytes) || !sameBytes(atts["Salary update.eml"], s.original) {
		t.Fatalf("attachments differ: %d bytes pdf, %d bytes eml (names %v)", len(atts["evidence.pdf"]), len(atts["Salary update.eml"]), keys(atts))
	}
	if p := mail.ParseMessage(m.Data); p.Subject != "Case 4711: payroll phish" || !strings.Contains(p.Text, "the original is attached") {
		t.Fatalf("subject %q text %q", p.Subject, p.Text)
	}
	// The copy in Sent is the message that left.
	sent := fetchAll(t, s, "Sent")
	if len(sent) != 1 || !bytes.Equal(sent[0], m.Data) {
		t.Fatalf("Sent holds %d messages (first equal: %v)", len(sent), len(sent) == 1 && bytes.Equal(sent[0], m.Data))
	}
	audit, _ := os.ReadFile(s.audit)
	if !bytes.Contains(audit, []byte(`"send"`)) || !bytes.Contains(audit, []byte("bcc hidden@example.com")) ||
		!bytes.Contains(audit, []byte(res.MessageID)) || bytes.Contains(audit, []byte(sendPassword)) {
		t.Fatalf("audit:\n%s", audit)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// fetchAll reads every message of folder over IMAP.
func fetchAll(t *testing.T, s sendSetup, folder string) [][]byte {
	t.Helper()
	box := mtimap.New(mtimap.Config{Addr: s.imap.Addr, TLS: mtimap.TLSNone, Username: sendUser, Password: func(context.Context) (string, error) { return sendPassword, nil }})
	defer box.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := box.List(ctx, folder, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	err = box.FetchMany(ctx, l.Folder, l.UIDs, 0, func(m *mail.RawMessage) error { out = append(out, m.Raw); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// --dry-run shows the message, attachment hashes included, and sends
// nothing, files nothing, audits nothing.
func TestSendDryRunSendsNothing(t *testing.T) {
	s := startSendSetup(t)
	file, data := testFile(t, "notes.txt", 1000)
	var out, errb bytes.Buffer
	code := run([]string{"send", "--config", s.cfg, "--to", "desk@example.com", "--bcc", "hidden@example.com", "--subject", "Dry",
		"--body", "b", "--attach", file, "--attach-message", "1", "--dry-run"}, &out, &errb)
	if code != 0 {
		t.Fatalf("dry run: %d %s", code, errb.String())
	}
	sum := sha256.Sum256(data)
	for _, want := range []string{"To:          desk@example.com", "Bcc:         hidden@example.com", "notes.txt (text/plain, 1000 bytes, sha256 " + hex.EncodeToString(sum[:]),
		"Salary update.eml (message/rfc822", "Via:         smtp"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("preview lacks %q:\n%s", want, out.String())
		}
	}
	if n := len(s.smtp.Received()); n != 0 {
		t.Fatalf("dry run sent %d messages", n)
	}
	if n := len(fetchAll(t, s, "Sent")); n != 0 {
		t.Fatalf("dry run filed %d messages", n)
	}
	if audit, _ := os.ReadFile(s.audit); bytes.Contains(audit, []byte(`"send"`)) {
		t.Fatalf("dry run audited a send:\n%s", audit)
	}
	// An address with a header smuggled in is refused, nothing sent.
	out.Reset()
	errb.Reset()
	code = run([]string{"send", "--config", s.cfg, "--to", "desk@example.com\r\nBcc: x@evil.example", "--subject", "s", "--body", "b"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), "not a plain email address") || len(s.smtp.Received()) != 0 {
		t.Fatalf("bad address: %d %q", code, errb.String())
	}
}

// A Graph account sends through sendMail: Bcc reaches its recipient but
// not the delivered header, attachments arrive whole, Exchange keeps the
// copy.
func TestSendThroughGraph(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	srv.Deliver("Inbox", message("reported thing"), time.Now())
	cfg := graphConfig(t, srv)
	file, data := testFile(t, "sample.bin", 50_000)
	var out, errb bytes.Buffer
	code := run([]string{"send", "--config", cfg, "--to", "desk@example.com", "--bcc", "hidden@example.com", "--subject", "Graph case",
		"--body", "<p>See <b>attached</b></p>", "--html", "--attach", file, "--attach-message", "1"}, &out, &errb)
	if code != 0 {
		t.Fatalf("send: %d %s %s", code, out.String(), errb.String())
	}
	sent := srv.Sent()
	if len(sent) != 1 || strings.Join(sent[0].Recipients, " ") != "desk@example.com hidden@example.com" {
		t.Fatalf("sent %+v", sent)
	}
	if bytes.Contains(sent[0].Raw, []byte("hidden@example.com")) {
		t.Fatal("Bcc delivered in the header")
	}
	atts := attachmentsByName(sent[0].Raw)
	if !sameBytes(atts["sample.bin"], data) || !sameBytes(atts["reported thing.eml"], message("reported thing")) {
		t.Fatalf("attachments differ (names %v)", keys(atts))
	}
	p := mail.ParseMessage(sent[0].Raw)
	if !strings.Contains(p.HTML, "<b>attached</b>") || !strings.Contains(p.Text, "attached") {
		t.Fatalf("bodies: html %q text %q", p.HTML, p.Text)
	}
	if copies := srv.Messages("Sent Items"); len(copies) != 1 || copies[0].Subject != "Graph case" {
		t.Fatalf("Sent Items %+v", copies)
	}
}

func TestSendUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"send", "--subject", "s", "--body", "b"},
		{"send", "--to", "a@example.com", "--body", "b"},
		{"send", "--to", "a@example.com", "--subject", "s"},
		{"send", "--to", "a@example.com", "--subject", "s", "--body", "b", "--body-file", "f"},
		{"send", "--to", "a@example.com", "--subject", "s", "--body", "b", "--attach-message", "x"},
		{"send", "--to", "a@example.com", "--subject", "s", "--body", "b", "--folder", "INBOX"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// An attached message is named after its subject's letters and digits
// only: a hostile subject names no path and carries no control bytes.
func TestEmlNameIsOurs(t *testing.T) {
	for subject, want := range map[string]string{
		"../../etc/passwd":       "etc passwd.eml",
		"Invoice 4711\x1b[2J":    "Invoice 4711 2J.eml",
		"":                       "message-7.eml",
		"\u202e\u202e":           "message-7.eml",
		strings.Repeat("a", 100): strings.Repeat("a", 60) + ".eml",
	} {
		if got := emlName(subject, 7); got != want {
			t.Errorf("emlName(%q) = %q, want %q", subject, got, want)
		}
	}
}

// pull's new flags end to end: --search in the console's language,
// --save-email, --attachments-dir (created, audited), and their usage
// errors.
func TestPullSearchSaveEmailAndAttachmentsDir(t *testing.T) {
	s := startSendSetup(t)
	dir := filepath.Join(t.TempDir(), "attachments")
	var out, errb bytes.Buffer
	code := run([]string{"pull", "--config", s.cfg, "--search", "subject:salary from:evil.example", "--save-email", "--attachments-dir", dir}, &out, &errb)
	if code != 0 {
		t.Fatalf("pull: %d %s", code, errb.String())
	}
	var rec struct {
		EmailAsAttachment string   `json:"email_as_attachment"`
		Categories        []string `json:"categories"`
	}
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || rec.Categories == nil {
		t.Fatalf("record %s: %v", out.String(), err)
	}
	if eml, _ := base64.StdEncoding.DecodeString(rec.EmailAsAttachment); !bytes.Equal(eml, s.original) {
		t.Fatalf("email_as_attachment differs")
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("attachments dir: %v %v", st, err)
	}
	if audit, _ := os.ReadFile(s.audit); !bytes.Contains(audit, []byte(`"save-attachment"`)) || !bytes.Contains(audit, []byte(dir)) {
		t.Fatalf("audit:\n%s", audit)
	}
	out.Reset()
	if code := run([]string{"pull", "--config", s.cfg, "--search", "subject:nothing-like-this"}, &out, &errb); code != 0 || out.Len() != 0 {
		t.Fatalf("no match: %d %q", code, out.String())
	}
	for _, args := range [][]string{
		{"pull", "--config", s.cfg, "--search", "in:all", "--folder", "INBOX"},
		{"pull", "--config", s.cfg, "--search", `subject:"unterminated`},
		{"pull", "--config", s.cfg, "--limit", "-1"},
	} {
		errb.Reset()
		if code := run(args, &out, &errb); code != 2 || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// A Graph message's categories come out of pull by name.
func TestPullCategoriesFromGraph(t *testing.T) {
	srv := graphtest.New()
	defer srv.Close()
	srv.Deliver("Inbox", message("tagged one"), time.Now())
	cfg := graphConfig(t, srv)
	var out, errb bytes.Buffer
	if code := run([]string{"act", "tag", "Phish – confirmed", "--config", cfg, "--folder", "Inbox", "--uid", "1"}, &out, &errb); code != 0 {
		t.Fatalf("act tag: %d %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"pull", "--config", cfg, "--folder", "Inbox"}, &out, &errb); code != 0 {
		t.Fatalf("pull: %d %s", code, errb.String())
	}
	var rec struct {
		Categories []string `json:"categories"`
	}
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || len(rec.Categories) != 1 || rec.Categories[0] != "Phish – confirmed" {
		t.Fatalf("categories %q (%v) in %s", rec.Categories, err, out.String())
	}
}
