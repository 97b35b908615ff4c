package pull

import (
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/reported"
)

// Reporter describes a report: who sent it in, how it carries the
// original, and the case it belongs to (reports of one original share
// the case key).
type Reporter struct {
	Address       string `json:"address"`
	Name          string `json:"name"`
	ReportSubject string `json:"report_subject"`
	ReportKind    string `json:"report_kind"` // rfc822, msg, inline, arf
	Comment       string `json:"comment"`     // the reporter's own text, trimmed and capped
	// Reconstructed says that the original's headers are partial (an
	// inline forward, or an ARF report with only the original's header).
	Reconstructed bool   `json:"reconstructed"`
	CaseKey       string `json:"case_key"`
	// Originals counts the reported messages found; the alert describes
	// the first.
	Originals int                `json:"originals"`
	Feedback  *reported.Feedback `json:"feedback,omitempty"`
}

func reporterOf(rep reported.Report) *Reporter {
	return &Reporter{
		Address: rep.ReporterAddress, Name: rep.ReporterName, ReportSubject: rep.Subject,
		ReportKind: string(rep.Kind), Comment: rep.Comment, Reconstructed: rep.Reconstructed,
		CaseKey: rep.CaseKey, Originals: len(rep.Originals), Feedback: rep.Feedback,
	}
}

// reportAlert makes the alert describe the reported original — its
// subject, sender, recipients and URLs — and name the reporter. The alert
// keeps the report's id and time: each report is its own alert, raised
// when it was reported; the case key in Record.Reporter groups them.
func reportAlert(a Alert, rep reported.Report) Alert {
	op := rep.Primary().Parsed
	urls, _, _ := analysis.ExtractURLs(analysis.URLInput{Text: op.Text, HTML: op.HTML}, maxURLs)
	found := make([]string, len(urls))
	for i, u := range urls {
		found[i] = u.URL
	}
	a.Name = op.Subject
	ev := &a.Events[0]
	ev.Subject, ev.SourceUserName, ev.DestinationUserName = op.Subject, op.From, op.To
	ev.FoundURL = strings.Join(found, ",")
	ev.ReporterAddress, ev.ReporterName = rep.ReporterAddress, rep.ReporterName
	ev.ReportSubject, ev.ReportKind = rep.Subject, string(rep.Kind)
	return a
}
