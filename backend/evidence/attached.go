package evidence

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"unicode/utf8"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
)

// ExportParsed is the export shape of an already parsed message, without
// the analysis: header fields, bodies, attachments with their hashes,
// and every attached message (.eml, and Outlook .msg read into a
// synthetic message) in the same shape under parsed_attachment_data. It
// costs one MIME parse per attached message on top of p.
func ExportParsed(p *mail.Parsed, itemID, folderPath string, lim Limits) *Export {
	lim = lim.withDefaults()
	x := shapeOf(p, itemID, folderPath, lim)
	x.ParsedAttachmentData = attachedExports(p, nil, lim, 0)
	return x
}

// shapeOf fills what both exports share: bodies, header fields and the
// attachments' metadata from the parsed parts.
func shapeOf(p *mail.Parsed, itemID, folderPath string, lim Limits) *Export {
	x := &Export{
		Attachments:          []ExportAttachment{},
		ParsedAttachmentData: []*Export{},
		AttachmentFiles:      []string{},
		ItemID:               itemID,
		FolderPath:           folderPath,
		Body:                 ExportBody{HTML: p.HTML, Text: p.Text},
		Headers:              headerMap(p.Header, lim),
	}
	parts := p.Parts
	if len(parts) > lim.MaxParts {
		parts = parts[:lim.MaxParts]
	}
	for _, part := range parts {
		a := ExportAttachment{Metadata: ExportMetadata{
			ContentType: part.ContentType, ContentLength: len(part.Content), Filename: part.Name,
			MD5: hexSum(md5.New(), part.Content), SHA1: hexSum(sha1.New(), part.Content), SHA256: hexSum(sha256.New(), part.Content),
		}}
		if strings.HasPrefix(part.ContentType, "text/") {
			a.Text = exportText(part.Content)
		}
		x.Attachments = append(x.Attachments, a)
	}
	return x
}

func exportText(c []byte) string {
	if len(c) > maxExportText {
		c = c[:maxExportText]
	}
	return strings.ToValidUTF8(string(c), string(utf8.RuneError))
}

func hexSum(h hash.Hash, b []byte) string {
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// headerMap maps lower-case names to the value, or to the list of values
// for Received, DKIM-Signature and any field that occurs more than once.
func headerMap(fields []mail.HeaderField, lim Limits) map[string]any {
	count := map[string]int{}
	for _, f := range fields {
		count[strings.ToLower(f.Name)]++
	}
	out := map[string]any{}
	for i, f := range fields {
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
			list, _ := out[name].([]string)
			out[name] = append(list, v)
		} else {
			out[name] = v
		}
	}
	return out
}

// nestedMessage reads a part that holds a message (message/rfc822, .eml,
// Outlook .msg) into RFC 5322 bytes. The analysis and the export use it
// alike, so ev.Nested and parsed_attachment_data list the same messages.
func nestedMessage(part mail.Part) (reported.AttachedMessage, bool) {
	return reported.ReadAttachedMessage(part, reported.MsgLimits{})
}

// attachedExports exports the messages attached to p, depth levels below
// the exported message. ev, when not nil, is p's analysis: each attached
// message then carries its own (ev.Nested, in the same order).
func attachedExports(p *mail.Parsed, ev *Evidence, lim Limits, depth int) []*Export {
	out := []*Export{}
	if depth+1 > lim.MaxNested {
		return out
	}
	parts := p.Parts
	if len(parts) > lim.MaxParts {
		parts = parts[:lim.MaxParts]
	}
	k := 0
	for _, part := range parts {
		a, ok := nestedMessage(part)
		if !ok {
			continue
		}
		var nestedEv *Evidence
		var sub *mail.Parsed
		if ev != nil && k < len(ev.Nested) {
			nestedEv = ev.Nested[k]
		}
		k++
		sub = mail.Parse(context.Background(), a.Raw, lim.parse())
		x := shapeOf(sub, "", "", lim)
		x.AttachmentName = part.Name
		x.AttachmentKind = "eml"
		if a.Kind == reported.KindMsg {
			x.AttachmentKind, x.Synthesised = "msg", true
		}
		x.Analysis = nestedEv
		x.ParsedAttachmentData = attachedExports(sub, nestedEv, lim, depth+1)
		out = append(out, x)
	}
	return out
}
