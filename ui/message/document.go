package message

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
)

// maxBodyBytes caps the text shown of one body (and of the raw source):
// past a megabyte nobody reads on a terminal, and wrapping it would cost
// every resize.
const maxBodyBytes = 1 << 20

// document is one message analysed and made safe for display. It is built
// off the UI goroutine: the analysis (evidence.Analyze, bounded by
// Limits) and the sanitizing of the big texts (bodies, raw source) happen
// in the job that fetched the message. The evidence strings are
// sanitized when a tab is laid out.
type document struct {
	ev   *evidence.Evidence
	raw  []byte // the message as fetched (cut at the fetch limit when truncated)
	text analysis.Text
	html analysis.Text // the HTML body as readable text; links show their targets
	// headers are the header fields as they stand, sanitized.
	headers []headerField
	// rawLines is the source, line by line, sanitized.
	rawLines []analysis.Text
	rawCut   int // bytes of source not shown
	parts    []mail.Part
	warnings []analysis.Text
	// receivedSPF are the Received-SPF fields, sanitized.
	receivedSPF []analysis.Text

	truncated bool  // the message was cut at the fetch limit
	size      int64 // size on the server
	flags     mail.Flags
	// nested is set for an attached message opened from its parent: it
	// has no flags and no place on the server of its own.
	nested bool
	title  analysis.Text // what the tab bar calls a nested message
	// report is set when the message is a report: the document is then
	// the reported original, and report says who reported it and how.
	report *reportInfo
	// asReceived is, for a report, the report itself analysed as it
	// came — analysed only when the analyst first asks (o), in a job;
	// asReceivedFrom is what it is built from. On that document original
	// points back.
	asReceived     *document
	asReceivedFrom *mail.RawMessage
	original       *document
}

// reportInfo is what the Report tab shows: the report around the
// original the other tabs analyse.
type reportInfo struct {
	kind          reported.Kind
	reconstructed bool // the original's headers are partial
	synthetic     bool // built by mailtriage (.msg, inline forward)
	originals     int  // how many originals the report carries
	reporter      analysis.Text
	reporterAddr  string // for guardrails: never a block target
	// reporterName, subjectRaw and commentRaw are the values as they
	// came, for exports (which escape them); never drawn.
	reporterName, subjectRaw, commentRaw string
	subject                              analysis.Text
	comment                              analysis.Text
	caseKey                              string
	original                             reported.Original
	headers                              []headerField // the report's own header fields
	notes                                []analysis.Text
}

type headerField struct {
	name  analysis.Text
	value analysis.Text
	plain string // lower-case name: value, for the filter
}

// buildDocument analyses and sanitizes a fetched message. A report opens
// on its reported original: that is what the analyst investigates and
// acts on; the report itself is the Report tab. The message is parsed
// once for recognition, and that parse (the report's header fields, or
// the message itself when it is no report) and the one recognition keeps
// of the original are the analysis's too.
func buildDocument(raw *mail.RawMessage, lim evidence.Limits) *document {
	var d *document
	p := mail.ParseMessage(raw.Raw)
	if r, ok := reported.RecognizeLimited(raw.Raw, p, reported.Limits{}); ok && len(r.Originals) > 0 {
		o := r.Originals[0]
		d = analyse(o.Raw, o.Parsed, lim)
		d.report = newReportInfo(r, p.Header)
		d.asReceivedFrom = raw
	} else {
		d = analyse(raw.Raw, p, lim)
	}
	d.truncated, d.size, d.flags = raw.Truncated, raw.Size, raw.Flags
	return d
}

// newReportInfo describes report r, whose own header fields are header.
func newReportInfo(r reported.Report, header []mail.HeaderField) *reportInfo {
	o := r.Originals[0]
	info := &reportInfo{kind: r.Kind, reconstructed: r.Reconstructed, synthetic: o.Synthetic, originals: len(r.Originals),
		reporter: analysis.SanitizeLine(strings.TrimSpace(r.ReporterName + " <" + r.ReporterAddress + ">")), reporterAddr: r.ReporterAddress,
		subject: analysis.SanitizeLine(r.Subject), comment: analysis.Sanitize(r.Comment), caseKey: r.CaseKey, original: o,
		reporterName: r.ReporterName, subjectRaw: r.Subject, commentRaw: r.Comment}
	for _, n := range o.Notes {
		info.notes = append(info.notes, analysis.SanitizeLine(n))
	}
	for _, f := range header {
		info.headers = append(info.headers, headerField{name: analysis.SanitizeLine(f.Name), value: analysis.SanitizeLine(f.Value),
			plain: strings.ToLower(f.Name + ": " + f.Value)})
	}
	return info
}

// buildAsReceived analyses a report as it came, for the o view of the
// original d.
func buildAsReceived(d *document, lim evidence.Limits) *document {
	raw := d.asReceivedFrom
	r := analyse(raw.Raw, nil, lim)
	r.original = d
	r.truncated, r.size, r.flags = raw.Truncated, raw.Size, raw.Flags
	return r
}

// buildNested analyses an attached message (a message/rfc822 part).
func buildNested(content []byte, title string, lim evidence.Limits) *document {
	d := analyse(content, nil, lim)
	d.size, d.nested, d.title = int64(len(content)), true, analysis.SanitizeLine(title)
	return d
}

// analyse analyses raw; parsed, when not nil, is raw as mail.ParseMessage
// parsed it (see evidence.AnalyzeParsed).
func analyse(raw []byte, parsed *mail.Parsed, lim evidence.Limits) *document {
	ev, p := evidence.AnalyzeParsed(raw, parsed, lim)
	d := &document{ev: ev, raw: raw, parts: p.Parts}
	d.text = analysis.Sanitize(capText(p.Text))
	if p.HTML != "" {
		d.html = analysis.Sanitize(analysis.HTMLToText(p.HTML, maxBodyBytes))
	}
	for _, f := range p.Header {
		name := f.Name
		if name == "" {
			name = "(no colon)"
		}
		d.headers = append(d.headers, headerField{
			name:  analysis.SanitizeLine(name),
			value: analysis.SanitizeLine(f.Value),
			plain: strings.ToLower(name + ": " + f.Value),
		})
		if strings.EqualFold(f.Name, "Received-SPF") {
			d.receivedSPF = append(d.receivedSPF, analysis.SanitizeLine(f.Value))
		}
	}
	src := raw
	if len(src) > maxBodyBytes {
		d.rawCut = len(src) - maxBodyBytes
		src = src[:maxBodyBytes]
	}
	for line := range bytes.SplitSeq(src, []byte("\n")) {
		d.rawLines = append(d.rawLines, analysis.SanitizeLine(strings.TrimSuffix(string(line), "\r")))
	}
	for _, w := range p.Warnings {
		d.warnings = append(d.warnings, analysis.SanitizeLine(w))
	}
	return d
}

func capText(s string) string {
	if len(s) <= maxBodyBytes {
		return s
	}
	return s[:maxBodyBytes] + fmt.Sprintf("\n[… %d more bytes not shown]", len(s)-maxBodyBytes)
}

// partFor returns the MIME part of the i-th analysed attachment.
func (d *document) partFor(i int) (mail.Part, bool) {
	if i < 0 || i >= len(d.parts) || i >= len(d.ev.Attachments) {
		return mail.Part{}, false
	}
	return d.parts[i], true
}
