package evidence

import (
	"context"
	"io"
	"strings"

	"github.com/mailtriage/mailtriage/backend/safejson"
)

// Export is a message in the shape mailbox connectors hand to SOAR
// playbooks (the Exchange connector's "Get Unread Emails" output), with
// the analysis added under "analysis".
type Export struct {
	Attachments []ExportAttachment `json:"attachments"`
	// ParsedAttachmentData holds every attached message (.eml, and
	// Outlook .msg read into a synthetic message) in this same shape.
	ParsedAttachmentData []*Export  `json:"parsed_attachment_data"`
	AttachmentFiles      []string   `json:"attachment_files"`
	ItemID               string     `json:"item_id"`
	FolderPath           string     `json:"folder_path"`
	EmailAsAttachment    string     `json:"email_as_attachment"`
	Body                 ExportBody `json:"body"`
	// Headers maps lower-case field names to the raw value, or to the
	// list of values, oldest last, for Received, DKIM-Signature and any
	// field that occurs more than once.
	Headers  map[string]any `json:"headers"`
	Epilogue string         `json:"epilogue"`
	Preamble string         `json:"preamble"`
	Analysis *Evidence      `json:"analysis"`
	// For an attached message (an entry of parsed_attachment_data): the
	// attachment's file name, "eml" or "msg", and whether the message was
	// synthesised from a .msg's properties (it then carries an
	// X-Mailtriage-Synthesised header field).
	AttachmentName string `json:"attachment_name,omitempty"`
	AttachmentKind string `json:"attachment_kind,omitempty"`
	Synthesised    bool   `json:"synthesised,omitempty"`
	// Report is set when the export is of a reported original: the
	// report that carried it (item_id then names the report).
	Report *ReportContext `json:"report,omitempty"`
}

// ReportContext is the report around an exported original: who reported
// it, how, and what they said.
type ReportContext struct {
	Kind            string `json:"kind"` // rfc822, msg, inline, arf
	ReporterName    string `json:"reporter_name,omitempty"`
	ReporterAddress string `json:"reporter_address"`
	Subject         string `json:"subject"` // the report's own subject
	Comment         string `json:"comment,omitempty"`
	CaseKey         string `json:"case_key"`
	Reconstructed   bool   `json:"reconstructed,omitempty"`
}

// ExportAttachment is one attachment with its metadata.
type ExportAttachment struct {
	JSON     string         `json:"json"`
	File     string         `json:"file"` // no file is written: always ""
	Metadata ExportMetadata `json:"metadata"`
	Text     string         `json:"text"` // the content of text attachments, up to 64 KiB
}

// ExportMetadata describes an attachment.
type ExportMetadata struct {
	ContentType   string `json:"content_type"`
	ContentLength int    `json:"content_length"`
	SHA1          string `json:"sha1"`
	MD5           string `json:"md5"`
	Filename      string `json:"filename"`
	SHA256        string `json:"sha256"`
}

// ExportBody holds the bodies as the message has them.
type ExportBody struct {
	JSON string `json:"json"`
	HTML string `json:"html"`
	Text string `json:"text"`
}

const maxExportText = 64 << 10

// listFields are always exported as lists.
var listFields = map[string]bool{"received": true, "dkim-signature": true}

// ExportMessage analyses raw and returns it in export shape. itemID and
// folderPath identify the message in its mailbox.
func ExportMessage(raw []byte, itemID, folderPath string, lim Limits) *Export {
	return ExportMessageContext(context.Background(), raw, itemID, folderPath, lim)
}

// ExportMessageContext is ExportMessage that stops parsing when ctx ends
// (the export then says so in Analysis.Skipped).
func ExportMessageContext(ctx context.Context, raw []byte, itemID, folderPath string, lim Limits) *Export {
	lim = lim.withDefaults()
	ev, p := analyze(ctx, raw, lim, 0)
	x := &Export{
		Attachments:          []ExportAttachment{},
		ParsedAttachmentData: attachedExports(p, ev, lim, 0),
		AttachmentFiles:      []string{},
		ItemID:               itemID,
		FolderPath:           folderPath,
		Body:                 ExportBody{HTML: p.HTML, Text: p.Text},
		Headers:              headerMap(p.Header, lim),
		Analysis:             ev,
	}
	for i, a := range ev.Attachments {
		xa := ExportAttachment{Metadata: ExportMetadata{
			ContentType: a.DeclaredType, ContentLength: a.Size, SHA1: a.SHA1, MD5: a.MD5, Filename: a.Name, SHA256: a.SHA256,
		}}
		if i < len(p.Parts) && strings.HasPrefix(a.DeclaredType, "text/") {
			xa.Text = exportText(p.Parts[i].Content)
		}
		x.Attachments = append(x.Attachments, xa)
	}
	return x
}

// ExportJSON writes raw, analysed, in export shape as indented JSON.
func ExportJSON(w io.Writer, raw []byte, itemID, folderPath string, lim Limits) error {
	return ExportReportedJSON(w, raw, itemID, folderPath, lim, nil)
}

// ExportReportedJSON is ExportJSON for a reported original (raw), with
// the report that carried it as context (nil: none).
func ExportReportedJSON(w io.Writer, raw []byte, itemID, folderPath string, lim Limits, report *ReportContext) error {
	x := ExportMessage(raw, itemID, folderPath, lim)
	x.Report = report
	enc := safejson.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}
