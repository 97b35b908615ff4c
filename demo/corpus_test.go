package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
	"github.com/mailtriage/mailtriage/demo/internal/reportgen"
)

// The generated reports in the corpus are what the generator makes now:
// run go generate ./demo/ after changing it.
func TestGeneratedReportsUpToDate(t *testing.T) {
	for _, f := range reportgen.Files() {
		got, err := os.ReadFile(filepath.Join("corpus", reportgen.Dir, f.Name))
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./demo/)", f.Name, err)
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("%s differs from the generator's output: run go generate ./demo/", f.Name)
		}
	}
}

// The folder counts are those corpus/README.md lists.
func TestFolderCounts(t *testing.T) {
	msgs, err := Messages()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range msgs {
		count[m.Folder]++
	}
	want := map[string]int{"INBOX": 23, "Phishing reports": 27, "Phishing reports/Confirmed": 5, "Junk": 9, "Quarantine": 10, "Trash": 5}
	for folder, n := range want {
		if count[folder] != n {
			t.Errorf("%s: %d messages, want %d", folder, count[folder], n)
		}
	}
	if len(msgs) != 79 {
		t.Errorf("%d messages in all, want 79", len(msgs))
	}
}

// The Phishing reports folder holds every form of report, and one phish
// reported by three colleagues.
func TestPhishingReportsHoldEveryForm(t *testing.T) {
	msgs, err := Messages()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[reported.Kind]int{}
	cases := map[string][]string{}
	byFile := map[string]reported.Report{}
	for _, m := range msgs {
		if m.Folder != "Phishing reports" {
			continue
		}
		r, ok := reported.Recognize(m.Raw)
		if !ok {
			t.Errorf("%s is not recognised as a report", m.File)
			continue
		}
		kinds[r.Kind]++
		cases[r.CaseKey] = append(cases[r.CaseKey], m.File)
		byFile[m.File] = r
	}
	if kinds[reported.KindMsg] < 2 || kinds[reported.KindInline] < 1 || kinds[reported.KindARF] < 1 || kinds[reported.KindRFC822] < 20 {
		t.Errorf("kinds %v", kinds)
	}
	if got := cases["mid:salary-review-2027-4410@nw-payroll-portal.example"]; len(got) != 3 {
		t.Errorf("salary review reports %v", got)
	}
	checkOriginal(t, byFile["021-pieter-msg-teams-voicemail.eml"], "Missed Teams voicemail (0:47) from +31 10 555 0199",
		"notify@teams-voicemail.example", "https://teams-voicemail.example/vm/play?id=77120&u=pieter.devries")
	checkOriginal(t, byFile["022-jonas-msg-rtf-wire-transfer.eml"], "Dringend: Überweisung heute noch",
		"margaret.chen.ceo@freemail.example", "https://nw-finance-portal.example/iban/update?ref=CEO-2611")
	checkOriginal(t, byFile["023-luis-inline-forward-parcel-es.eml"], "Su envío está retenido - tasas pendientes",
		"avisos@correos-tasas.example", "https://correos-tasas.example/pago?ref=ES44712290&c=luis.garcia")
	checkOriginal(t, byFile["024-fbl-arf-spoofed-invoice.eml"], "Invoice NW-2026-11-4471 overdue - avoid service interruption",
		"billing@northwind.example", "https://northwind-invoices.example/inv/2026-11-4471")
	if r := byFile["023-luis-inline-forward-parcel-es.eml"]; !r.Reconstructed || !strings.HasPrefix(r.Comment, "Hola SOC") {
		t.Errorf("inline forward: reconstructed %v, comment %q", r.Reconstructed, r.Comment)
	}
	if r := byFile["024-fbl-arf-spoofed-invoice.eml"]; r.Feedback == nil || r.Feedback.Type != "abuse" || r.Feedback.SourceIP != "203.0.113.45" {
		t.Errorf("ARF feedback %+v", r.Feedback)
	}
}

func checkOriginal(t *testing.T, r reported.Report, subject, from, url string) {
	t.Helper()
	p := mail.ParseMessage(r.Primary().Raw)
	urls, _, _ := analysis.ExtractURLs(analysis.URLInput{Text: p.Text, HTML: p.HTML}, 50)
	found := false
	for _, u := range urls {
		found = found || u.URL == url
	}
	if p.Subject != subject || !strings.Contains(p.From, from) || !found {
		t.Errorf("%s original: subject %q, from %q, urls %v", r.Kind, p.Subject, p.From, urls)
	}
}
