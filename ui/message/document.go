package message

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
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
}

type headerField struct {
	name  analysis.Text
	value analysis.Text
	plain string // lower-case name: value, for the filter
}

// buildDocument analyses and sanitizes a fetched message.
func buildDocument(raw *mail.RawMessage, lim evidence.Limits) *document {
	d := analyse(raw.Raw, lim)
	d.truncated, d.size, d.flags = raw.Truncated, raw.Size, raw.Flags
	return d
}

// buildNested analyses an attached message (a message/rfc822 part).
func buildNested(content []byte, title string, lim evidence.Limits) *document {
	d := analyse(content, lim)
	d.size, d.nested, d.title = int64(len(content)), true, analysis.SanitizeLine(title)
	return d
}

func analyse(raw []byte, lim evidence.Limits) *document {
	ev, p := evidence.AnalyzeMessage(raw, lim)
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
