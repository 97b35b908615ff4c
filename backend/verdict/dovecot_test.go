package verdict_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime/quotedprintable"
	netmail "net/mail"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/action"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/backend/verdict"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
	"github.com/mailtriage/mailtriage/internal/smtptest"
)

const (
	user     = "soc@northwind.example"
	password = "pass-verdict"
	reports  = "Phishing reports"
	// salaryKey is the case of the demo's phish reported by three
	// colleagues (an .eml, a forwarded .eml and an Outlook .msg).
	salaryKey = "mid:salary-review-2027-4410@nw-payroll-portal.example"
)

// fixture is a Dovecot whose Phishing reports folder holds the demo's
// reports, a mailbox on it and an audited action layer.
type fixture struct {
	srv *dovecottest.Server
	box *imap.Mailbox
	l   *action.Layer
	log *audit.Log
}

func start(t *testing.T, extra ...dovecottest.Message) *fixture {
	t.Helper()
	return startWith(t, nil, extra...)
}

// startTB is start for benchmarks.
func startTB(tb testing.TB, extra ...dovecottest.Message) *fixture {
	tb.Helper()
	return startWith(tb, nil, extra...)
}

// startWith is start with the server options opts, and prepare run on the
// server before the client logs in.
func startWith(t testing.TB, prepare func(*dovecottest.Server), extra ...dovecottest.Message) *fixture {
	t.Helper()
	var opts []dovecottest.Option
	if prepare != nil {
		opts = append(opts, dovecottest.WithACL())
	}
	srv := dovecottest.Start(t, opts...)
	if err := srv.AddUser(user, password); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{reports, reports + "/Confirmed", "Verdicts", "Verdicts/simulation"} {
		if err := srv.CreateFolder(user, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.Deliver(user, reports, append(demoReports(t), extra...)...); err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(srv)
	}
	box := imap.New(imap.Config{
		Addr: srv.Addr, TLS: imap.TLSNone, TLSConfig: &tls.Config{RootCAs: srv.CAPool},
		Username: user, Password: func(context.Context) (string, error) { return password, nil },
		DialTimeout: 3 * time.Second, PollInterval: time.Second, StatusInterval: time.Hour,
	})
	t.Cleanup(func() { box.Close() })
	l, log := analystLayer(t)
	return &fixture{srv: srv, box: box, l: l, log: log}
}

// analystLayer is the action layer of the analyst at the console, with
// its audit log.
func analystLayer(t testing.TB) (*action.Layer, *audit.Log) {
	t.Helper()
	log := auditLog(t, "audit.jsonl")
	return &action.Layer{Remedy: &remediate.Service{Audit: log, Operator: "analyst", Via: "console"}}, log
}

// auditLog opens the audit log name in a directory of the test's own; it
// is closed when the test ends.
func auditLog(t testing.TB, name string) *audit.Log {
	t.Helper()
	log, err := audit.Open(filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return log
}

func demoReports(t testing.TB) []dovecottest.Message {
	t.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	var out []dovecottest.Message
	for _, m := range msgs {
		if m.Folder == reports {
			out = append(out, dovecottest.Message{Raw: m.Raw})
		}
	}
	return out
}

// demoReport is one file of the demo's reports folder.
func demoReport(t *testing.T, prefix string) []byte {
	t.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Folder == reports && strings.HasPrefix(m.File, prefix) {
			return m.Raw
		}
	}
	t.Fatalf("no demo report %s", prefix)
	return nil
}

func (f *fixture) salaryCase(t *testing.T) verdict.Case {
	t.Helper()
	scan, err := verdict.Cases(context.Background(), "soc", f.box, mail.FolderRef{Name: reports}, nil, verdict.Options{Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range scan.Cases {
		if c.Key == salaryKey {
			return c
		}
	}
	t.Fatalf("no salary review case among %d", len(scan.Cases))
	return verdict.Case{}
}

// keywords reads every message's keywords in folder from the server, by
// UID.
func (f *fixture) keywords(t *testing.T, folder string) map[mail.UID][]string {
	t.Helper()
	ctx := context.Background()
	l, err := f.box.List(ctx, folder, 0)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := f.box.Envelopes(ctx, l.Folder, l.UIDs)
	if err != nil {
		t.Fatal(err)
	}
	out := map[mail.UID][]string{}
	for _, e := range envs {
		out[e.UID] = e.Flags.Keywords
	}
	return out
}

func has(kws []string, kw string) bool {
	return slices.ContainsFunc(kws, func(k string) bool { return mail.SameKeyword(k, kw) })
}

func defaults(t *testing.T) verdict.Set {
	t.Helper()
	set, err := verdict.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// A phish reported three times is one case of three; every other report
// of the folder is a case of its own.
func TestCasesGroupReportsOfOneOriginal(t *testing.T) {
	f := start(t)
	scan, err := verdict.Cases(context.Background(), "soc", f.box, mail.FolderRef{Name: reports}, nil, verdict.Options{Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	reportsSeen := 0
	for _, c := range scan.Cases {
		reportsSeen += len(c.Reports)
		if c.Key != salaryKey && len(c.Reports) != 1 {
			t.Errorf("case %s has %d reports", c.Key, len(c.Reports))
		}
	}
	if reportsSeen != 27 || len(scan.NotReports) != 0 || scan.Skipped != 0 {
		t.Fatalf("%d reports in %d cases, not reports %v, skipped %d", reportsSeen, len(scan.Cases), scan.NotReports, scan.Skipped)
	}
	c := f.salaryCase(t)
	var who []string
	for _, r := range c.Reports {
		who = append(who, r.ReporterAddress)
	}
	slices.Sort(who)
	if want := []string{"dana.kowalski@northwind.example", "priya.sharma@northwind.example", "tom.becker@northwind.example"}; !slices.Equal(who, want) {
		t.Fatalf("reporters %v", who)
	}
	if q := c.Question(); q != "3 reports of one phish in Phishing reports" {
		t.Errorf("question %q", q)
	}
	if c.Original.Subject != "Your 2027 salary review letter is ready" || !strings.Contains(c.Original.From, "hr@nw-payroll-portal.example") {
		t.Errorf("original %+v", c.Original)
	}
	for _, u := range c.UIDs() {
		if got, ok := scan.CaseOf(u); !ok || got.Key != salaryKey {
			t.Errorf("CaseOf(%d) = %s %v", u, got.Key, ok)
		}
	}
	if _, ok := scan.CaseOf(999999); ok {
		t.Error("CaseOf found a case for a UID that is not there")
	}
	ctx := context.Background()
	part, err := verdict.Cases(ctx, "soc", f.box, c.Folder, c.UIDs()[:2], verdict.Options{})
	if err != nil || len(part.Cases) != 1 || len(part.Cases[0].Reports) != 2 {
		t.Fatalf("two given reports: %+v %v", part, err)
	}
	stale := c.Folder
	stale.UIDValidity++
	if _, err := verdict.Cases(ctx, "soc", f.box, stale, nil, verdict.Options{}); !errors.Is(err, mail.ErrUIDValidityChanged) {
		t.Errorf("stale UIDVALIDITY: %v", err)
	}
	newest, err := verdict.Cases(ctx, "soc", f.box, c.Folder, nil, verdict.Options{MaxMessages: 5})
	if err != nil || newest.Skipped != 22 || len(newest.Cases) == 0 || len(newest.Cases) > 5 {
		t.Errorf("bounded scan: %d cases, skipped %d, %v", len(newest.Cases), newest.Skipped, err)
	}
}

// FindCase starts from any one report — the .msg one included, whose
// original's Message-ID no server search can see — and finds the same
// three; a message that mentions the id without reporting it is not
// taken.
func TestFindCaseFromOneReport(t *testing.T) {
	decoy := dovecottest.Message{Raw: []byte("From: someone@northwind.example\r\nTo: soc@northwind.example\r\n" +
		"Subject: FW: Your 2027 salary review letter is ready\r\nMessage-ID: <decoy@northwind.example>\r\n\r\n" +
		"Is salary-review-2027-4410@nw-payroll-portal.example a phish? I did not attach it.\r\n")}
	f := start(t, decoy)
	want := f.salaryCase(t)
	for _, r := range want.Reports {
		got, err := verdict.FindCase(context.Background(), "soc", f.box, want.Folder, r.UID, verdict.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Key != salaryKey || !slices.Equal(got.UIDs(), want.UIDs()) {
			t.Errorf("from %d (%s): case %s %v, want %v", r.UID, r.Kind, got.Key, got.UIDs(), want.UIDs())
		}
	}
}

// The verdict is a keyword on every report on the server, replacing
// another verdict; undo restores exactly what was there.
func TestVerdictKeywordOnEveryReportAndUndo(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	c := f.salaryCase(t)
	set := defaults(t)
	spam, _ := set.Lookup("spam")
	if _, err := f.box.Store(ctx, c.Folder, c.UIDs()[:1], mail.FlagChange{Add: []string{spam.Keyword()}}); err != nil {
		t.Fatal(err)
	}
	phishing, _ := set.Lookup("phishing")
	res, err := verdict.Apply(ctx, f.l, c, phishing, set)
	if err != nil {
		t.Fatal(err)
	}
	kws := f.keywords(t, reports)
	for _, u := range c.UIDs() {
		if !has(kws[u], phishing.Keyword()) || has(kws[u], spam.Keyword()) {
			t.Errorf("report %d keywords %v", u, kws[u])
		}
	}
	if res.Fallback || res.Moved != "" || !strings.Contains(res.Summary(), "verdict phishing on 3 reports") {
		t.Errorf("result %s", res.Summary())
	}
	if v := res.After.Verdict(set); v != "phishing" {
		t.Errorf("after: verdict %q", v)
	}
	recs, _ := f.log.Recent(2)
	if len(recs) != 2 || recs[1].Action != "verdict" || len(recs[1].UIDs) != 3 || recs[0].Result != "ok" {
		t.Fatalf("audit %+v", recs)
	}
	if _, err := verdict.Undo(ctx, f.l, res); err != nil {
		t.Fatal(err)
	}
	kws = f.keywords(t, reports)
	for i, u := range c.UIDs() {
		if has(kws[u], phishing.Keyword()) || has(kws[u], spam.Keyword()) != (i == 0) {
			t.Errorf("after undo, report %d keywords %v", u, kws[u])
		}
	}
}

// A verdict with a folder moves every report of the case there, keyword
// set; undo brings them back without it.
func TestVerdictWithFolderMovesAllAndUndo(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	c := f.salaryCase(t)
	set, err := verdict.Build([]verdict.Spec{{Name: "phishing", Folder: reports + "/Confirmed"}, {Name: "clean"}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := set.Lookup("phishing")
	if q := verdict.Question(c, v); q != "Verdict phishing on 3 reports of one phish in Phishing reports, and move them to Phishing reports/Confirmed?" {
		t.Errorf("question %q", q)
	}
	res, err := verdict.Apply(ctx, f.l, c, v, set)
	if err != nil {
		t.Fatal(err)
	}
	moved := f.keywords(t, reports+"/Confirmed")
	if len(moved) != 3 || len(f.keywords(t, reports)) != 24 {
		t.Fatalf("Confirmed holds %d, reports %d", len(moved), len(f.keywords(t, reports)))
	}
	for u, kws := range moved {
		if !has(kws, v.Keyword()) {
			t.Errorf("moved report %d keywords %v", u, kws)
		}
	}
	if res.After.Folder.Name != reports+"/Confirmed" || len(res.After.Reports) != 3 {
		t.Errorf("after %+v", res.After)
	}
	if _, err := verdict.Undo(ctx, f.l, res); err != nil {
		t.Fatal(err)
	}
	if n := len(f.keywords(t, reports+"/Confirmed")); n != 0 {
		t.Fatalf("%d reports left in Confirmed", n)
	}
	back := f.salaryCase(t)
	for _, r := range back.Reports {
		if has(r.Keywords, v.Keyword()) {
			t.Errorf("report %d back with %v", r.UID, r.Keywords)
		}
	}
}

// A folder where the analyst may not write flags (a shared mailbox's ACL
// without "w": Dovecot then drops \* from PERMANENTFLAGS) cannot take the
// verdict keyword: the verdict is kept by folder, and the result says so.
func TestVerdictFallsBackToFolderWithoutKeywords(t *testing.T) {
	f := startWith(t, func(srv *dovecottest.Server) {
		if err := srv.SetACL(user, reports, "lrsitpe"); err != nil {
			t.Fatal(err)
		}
	})
	ctx := context.Background()
	if l, err := f.box.List(ctx, reports, 0); err != nil || l.CanStoreKeywords {
		t.Fatalf("the folder still stores keywords (%v): the fixture is wrong", err)
	}
	c := f.salaryCase(t)
	set := defaults(t)
	sim, _ := set.Lookup("simulation")
	res, err := verdict.Apply(ctx, f.l, c, sim, set)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fallback || res.Moved != "Verdicts/simulation" || !strings.Contains(res.Summary(), "cannot store keywords") {
		t.Fatalf("result %s", res.Summary())
	}
	if n := len(f.keywords(t, "Verdicts/simulation")); n != 3 {
		t.Fatalf("Verdicts/simulation holds %d", n)
	}
	if _, err := verdict.Undo(ctx, f.l, res); err != nil {
		t.Fatal(err)
	}
	if f.salaryCaseOr(t) == nil || len(f.keywords(t, "Verdicts/simulation")) != 0 {
		t.Fatal("undo did not bring the reports back")
	}
	if res, err = verdict.Apply(ctx, f.l, *f.salaryCaseOr(t), sim, set); err != nil || !res.Fallback {
		t.Fatalf("again: %v", err)
	}
	here, err := verdict.Build([]verdict.Spec{{Name: "spam", Folder: reports}})
	if err != nil {
		t.Fatal(err)
	}
	others0, err := verdict.Cases(ctx, "soc", f.box, mail.FolderRef{Name: reports}, nil, verdict.Options{MaxMessages: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verdict.Apply(ctx, f.l, others0.Cases[0], here[0], here); err == nil || !strings.Contains(err.Error(), "already in it") {
		t.Fatalf("verdict folder = the folder without keywords: %v", err)
	}
	phishing, _ := set.Lookup("phishing")
	rest := f.salaryCaseOr(t)
	if rest != nil {
		t.Fatal("the case is still in the reports folder")
	}
	others, err := verdict.Cases(ctx, "soc", f.box, mail.FolderRef{Name: reports}, nil, verdict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = verdict.Apply(ctx, f.l, others.Cases[0], phishing, set)
	if err == nil || !strings.Contains(err.Error(), `no folder "Verdicts/phishing"`) {
		t.Fatalf("no fallback folder: %v", err)
	}

	// Replies about a case in this folder cannot be marked on the
	// server; the audit log remembers them instead.
	smtp := smtptest.Start(t, "soc", "smtp-pass")
	sender := verdict.SMTP{Addr: smtp.Addr, TLS: "none", Username: "soc", Password: func(context.Context) (string, error) { return "smtp-pass", nil }}
	cm := verdict.Compose{From: user, Analyst: "Alex", Now: time.Now()}
	pv, err := verdict.Prepare(f.l, others.Cases[0], phishing, cm)
	if err != nil || len(pv.Replies) != 1 {
		t.Fatalf("prepare: %d replies, skipped %v, %v", len(pv.Replies), pv.Skipped, err)
	}
	sent, err := verdict.Send(ctx, f.l, pv, sender)
	if err != nil || len(sent.To) != 1 || len(sent.Unmarked) != 1 || !strings.Contains(sent.Summary(), "audit log remembers") {
		t.Fatalf("send: %+v %v", sent, err)
	}
	pv, err = verdict.Prepare(f.l, others.Cases[0], phishing, cm)
	if err != nil || len(pv.Replies) != 0 || len(pv.Skipped) != 1 || !strings.Contains(pv.Skipped[0].Why, "audit log") {
		t.Fatalf("second prepare: %d replies, skipped %v, %v", len(pv.Replies), pv.Skipped, err)
	}
	if n := len(smtp.Received()); n != 1 {
		t.Fatalf("SMTP got %d", n)
	}
}

// A feedback-loop (ARF) report has no person behind it: no reply.
func TestNoReplyToFeedbackLoop(t *testing.T) {
	f := start(t)
	scan, err := verdict.Cases(context.Background(), "soc", f.box, mail.FolderRef{Name: reports}, nil, verdict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set := defaults(t)
	v, _ := set.Lookup("spam")
	found := false
	for _, c := range scan.Cases {
		if c.Reports[0].Kind != "arf" {
			continue
		}
		found = true
		pv, err := verdict.Prepare(f.l, c, v, verdict.Compose{From: user, Analyst: "Alex", Now: time.Now()})
		if err != nil || len(pv.Replies) != 0 || len(pv.Skipped) != 1 || !strings.Contains(pv.Skipped[0].Why, "ARF") {
			t.Fatalf("ARF case: %d replies, skipped %v, %v", len(pv.Replies), pv.Skipped, err)
		}
	}
	if !found {
		t.Fatal("the demo has no ARF report")
	}
}

func (f *fixture) salaryCaseOr(t *testing.T) *verdict.Case {
	t.Helper()
	scan, err := verdict.Cases(context.Background(), "soc", f.box, mail.FolderRef{Name: reports}, nil, verdict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range scan.Cases {
		if c.Key == salaryKey {
			return &c
		}
	}
	return nil
}

// Feedback: one reply per distinct reporter (Dana reported twice), from
// the verdict's template, only defanged links; a second send answers no
// one, from the server's marks.
func TestFeedbackOncePerReporterDefanged(t *testing.T) {
	again := bytes.Replace(demoReport(t, "025"), []byte("<B7E2A90C4D3F1E05.0408@northwind.example>"), []byte("<again.0409@northwind.example>"), 1)
	f := start(t, dovecottest.Message{Raw: again})
	ctx := context.Background()
	c := f.salaryCase(t)
	if len(c.Reports) != 4 {
		t.Fatalf("case of %d reports", len(c.Reports))
	}
	set := defaults(t)
	v, _ := set.Lookup("phishing")
	res, err := verdict.Apply(ctx, f.l, c, v, set)
	if err != nil {
		t.Fatal(err)
	}
	smtp := smtptest.Start(t, "soc", "smtp-pass")
	sender := verdict.SMTP{Addr: smtp.Addr, TLS: "none", Username: "soc", Password: func(context.Context) (string, error) { return "smtp-pass", nil }}
	cm := verdict.Compose{From: user, Analyst: "Alex", Now: time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC)}
	pv, err := verdict.Prepare(f.l, res.After, v, cm)
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Replies) != 3 || pv.Question() != "Send the phishing reply to 3 reporters?" {
		t.Fatalf("%d replies, skipped %v", len(pv.Replies), pv.Skipped)
	}
	sent, err := verdict.Send(ctx, f.l, pv, sender)
	if err != nil {
		t.Fatal(err)
	}
	got := smtp.Received()
	if len(got) != 3 || len(sent.To) != 3 || len(sent.Unmarked) != 0 {
		t.Fatalf("SMTP got %d, sent %v", len(got), sent)
	}
	to := map[string]bool{}
	for _, m := range got {
		to[m.To[0]] = true
		checkReply(t, m)
	}
	if len(to) != 3 {
		t.Errorf("recipients %v", to)
	}
	for _, r := range f.salaryCase(t).Reports {
		if !has(r.Keywords, verdict.FeedbackKeyword) {
			t.Errorf("report %d not marked answered: %v", r.UID, r.Keywords)
		}
	}
	pv, err = verdict.Prepare(f.l, f.salaryCase(t), v, cm)
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Replies) != 0 || len(pv.Skipped) != 3 || pv.Question() != "No reporter to answer about this case (3 skipped)." {
		t.Fatalf("second round: %d replies, skipped %v", len(pv.Replies), pv.Skipped)
	}
	recs, _ := f.log.Recent(100)
	sends := 0
	for _, r := range recs {
		if r.Action == "feedback-send" && r.Phase == audit.PhaseIntent {
			sends++
		}
	}
	if sends != 3 {
		t.Errorf("%d feedback-send audit intents", sends)
	}
}

// checkReply reads one submitted reply: the template's words, the
// defanged sender, and nothing from the phish that a client would link.
func checkReply(t *testing.T, m smtptest.Message) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
	if !strings.Contains(text, "it is a phishing message") || !strings.Contains(text, "hr[@]nw-payroll-portal[.]example") || !strings.Contains(text, "Alex, Security Operations") {
		t.Errorf("reply to %v:\n%s", m.To, text)
	}
	if strings.Contains(string(m.Data), "nw-payroll-portal.example") || strings.Contains(text, "http") {
		t.Errorf("reply to %v carries a live link or domain:\n%s", m.To, m.Data)
	}
	if subj := msg.Header.Get("Subject"); subj != "Your report: Your 2027 salary review letter is ready" {
		t.Errorf("subject %q", subj)
	}
	if msg.Header.Get("In-Reply-To") == "" || m.From != user {
		t.Errorf("in-reply-to %q from %q", msg.Header.Get("In-Reply-To"), m.From)
	}
}
