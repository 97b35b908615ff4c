package evidence

import (
	"context"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mailtriage/mailtriage/backend/safejson"
)

// Export is a message in the shape mailbox connectors hand to SOAR
// playbooks (the Exchange connector's "Get Unread Emails" output), with
// the analysis added under "analysis".
type Export struct {
	Attachments          []ExportAttachment `json:"attachments"`
	ParsedAttachmentData []*Evidence        `json:"parsed_attachment_data"` // attached messages, analysed
	AttachmentFiles      []string           `json:"attachment_files"`
	ItemID               string             `json:"item_id"`
	FolderPath           string             `json:"folder_path"`
	EmailAsAttachment    string             `json:"email_as_attachment"`
	Body                 ExportBody         `json:"body"`
	// Headers maps lower-case field names to the raw value, or to the
	// list of values, oldest last, for Received, DKIM-Signature and any
	// field that occurs more than once.
	Headers  map[string]any `json:"headers"`
	Epilogue string         `json:"epilogue"`
	Preamble string         `json:"preamble"`
	Analysis *Evidence      `json:"analysis"`
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
		ParsedAttachmentData: ev.Nested,
		AttachmentFiles:      []string{},
		ItemID:               itemID,
		FolderPath:           folderPath,
		Body:                 ExportBody{HTML: p.HTML, Text: p.Text},
		Headers:              map[string]any{},
		Analysis:             ev,
	}
	if x.ParsedAttachmentData == nil {
		x.ParsedAttachmentData = []*Evidence{}
	}
	count := map[string]int{}
	for _, f := range p.Header {
		count[strings.ToLower(f.Name)]++
	}
	for i, f := range p.Header {
		if i >= lim.MaxHeaderFields {
			break
		}
		name := strings.ToLower(f.Name)
		if name == "" {
			continue
		}
		v := f.Value
		if len(v) > lim.MaxHeaderLength {
			v = v[:lim.MaxHeaderLength]
		}
		if listFields[name] || count[name] > 1 {
			list, _ := x.Headers[name].([]string)
			x.Headers[name] = append(list, v)
		} else {
			x.Headers[name] = v
		}
	}
	for i, a := range ev.Attachments {
		xa := ExportAttachment{Metadata: ExportMetadata{
			ContentType: a.DeclaredType, ContentLength: a.Size, SHA1: a.SHA1, MD5: a.MD5, Filename: a.Name, SHA256: a.SHA256,
		}}
		if i < len(p.Parts) && strings.HasPrefix(a.DeclaredType, "text/") {
			c := p.Parts[i].Content
			if len(c) > maxExportText {
				c = c[:maxExportText]
			}
			xa.Text = strings.ToValidUTF8(string(c), string(utf8.RuneError))
		}
		x.Attachments = append(x.Attachments, xa)
	}
	return x
}

// ExportJSON writes raw, analysed, in export shape as indented JSON.
func ExportJSON(w io.Writer, raw []byte, itemID, folderPath string, lim Limits) error {
	enc := safejson.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ExportMessage(raw, itemID, folderPath, lim))
}
