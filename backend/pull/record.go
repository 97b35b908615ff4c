// Package pull turns mailbox messages into the records SOAR playbooks
// ingest: the Exchange connector's "Get Unread Emails" shape (headers,
// bodies, attachments with hashes, folder path, item id) plus an alert as
// the IMAP alert connector builds it, optionally with the full analysis.
// It fetches in pipelined batches, parses in parallel and streams in
// order, so memory stays bounded whatever the folder's size.
package pull

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
)

// Alert is the IMAP connector's alert: one per message, one event each.
type Alert struct {
	DisplayID     string  `json:"display_id"`
	TicketID      string  `json:"ticket_id"`
	Name          string  `json:"name"`
	RuleGenerator string  `json:"rule_generator"`
	StartTime     int64   `json:"start_time"` // unix ms
	EndTime       int64   `json:"end_time"`
	Priority      int     `json:"priority"` // 60: medium, as the connector's default
	DeviceVendor  string  `json:"device_vendor"`
	DeviceProduct string  `json:"device_product"`
	Events        []Event `json:"events"`
}

// Event is the alert's single event.
type Event struct {
	StartTime           int64  `json:"StartTime"`
	EndTime             int64  `json:"EndTime"`
	EventName           string `json:"event_name"`
	DeviceProduct       string `json:"device_product"`
	Subject             string `json:"Subject"`
	SourceUserName      string `json:"SourceUserName"`
	DestinationUserName string `json:"DestinationUserName"`
	FoundURL            string `json:"found_url"` // comma-separated, as the connector sends it
}

// Record is one pulled message.
type Record struct {
	*evidence.Export
	Account string    `json:"account"`
	Folder  string    `json:"folder"`
	UID     uint32    `json:"uid"`
	Seen    bool      `json:"seen"`
	Date    time.Time `json:"internal_date"`
	Alert   Alert     `json:"alert"`
	// Capped lists the parsing limits the message ran into (nesting,
	// parts, size, the deadline): the record then holds the header fields
	// and what could be read.
	Capped []mail.Cap `json:"capped,omitempty"`
}

const (
	vendor       = "Mail"
	maxURLs      = 200
	maxAttText   = 64 << 10
	maxHeaderLen = 64 << 10
)

// itemID names a message in its mailbox for as long as UIDVALIDITY holds:
// account/folder/uidvalidity/uid.
func itemID(account string, ref mail.FolderRef, uid mail.UID) string {
	return fmt.Sprintf("%s/%s/%d/%d", account, ref.Name, ref.UIDValidity, uid)
}

// Build makes the record of one message (as pull writes it). Parsing
// stops when ctx ends; the record then says so in Capped.
func Build(ctx context.Context, account string, ref mail.FolderRef, msg *mail.RawMessage, analyse bool, lim evidence.Limits) Record {
	return build(ctx, account, ref, msg, analyse, lim)
}

// build makes the record of one message. With analyse, the export comes
// from evidence.ExportMessageContext (full analysis); without, the same
// shape is built from one MIME parse, which is several times cheaper.
// Both parse with mail.Parse, within the same limits.
func build(ctx context.Context, account string, ref mail.FolderRef, msg *mail.RawMessage, analyse bool, lim evidence.Limits) Record {
	id := itemID(account, ref, msg.UID)
	var x *evidence.Export
	p := mail.Parse(ctx, msg.Raw, parseLimits(lim))
	if analyse {
		x = evidence.ExportMessageContext(ctx, msg.Raw, id, ref.Name, lim)
	} else {
		x = lightExport(p, id, ref.Name)
	}
	r := Record{Export: x, Account: account, Folder: ref.Name, UID: uint32(msg.UID), Seen: msg.Flags.Seen, Date: msg.Received, Capped: p.Capped}
	r.Alert = alertOf(p, msg, foundURLs(p, x))
	return r
}

// parseLimits are the MIME parsing limits within lim.
func parseLimits(lim evidence.Limits) mail.Limits {
	return mail.Limits{MaxBytes: lim.MaxBytes, MaxDepth: lim.MaxDepth, MaxParts: lim.MaxParts, Timeout: lim.ParseTimeout}
}

func lightExport(p *mail.Parsed, id, folder string) *evidence.Export {
	x := &evidence.Export{
		Attachments:          []evidence.ExportAttachment{},
		ParsedAttachmentData: []*evidence.Evidence{},
		AttachmentFiles:      []string{},
		ItemID:               id,
		FolderPath:           folder,
		Body:                 evidence.ExportBody{HTML: p.HTML, Text: p.Text},
		Headers:              headerMap(p.Header),
	}
	for _, part := range p.Parts {
		a := evidence.ExportAttachment{Metadata: evidence.ExportMetadata{
			ContentType: part.ContentType, ContentLength: len(part.Content), Filename: part.Name,
			MD5: hexSum(md5.New(), part.Content), SHA1: hexSum(sha1.New(), part.Content), SHA256: hexSum(sha256.New(), part.Content),
		}}
		if strings.HasPrefix(part.ContentType, "text/") {
			c := part.Content
			if len(c) > maxAttText {
				c = c[:maxAttText]
			}
			a.Text = strings.ToValidUTF8(string(c), string(utf8.RuneError))
		}
		x.Attachments = append(x.Attachments, a)
	}
	return x
}

func hexSum(h interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}, b []byte) string {
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// headerMap maps lower-case names to the value, or to the list of values
// for Received, DKIM-Signature and repeated fields (as evidence does).
func headerMap(fields []mail.HeaderField) map[string]any {
	count := map[string]int{}
	for _, f := range fields {
		count[strings.ToLower(f.Name)]++
	}
	out := map[string]any{}
	for _, f := range fields {
		name := strings.ToLower(f.Name)
		if name == "" {
			continue
		}
		v := f.Value
		if len(v) > maxHeaderLen {
			v = v[:maxHeaderLen]
		}
		if name == "received" || name == "dkim-signature" || count[name] > 1 {
			list, _ := out[name].([]string)
			out[name] = append(list, v)
		} else {
			out[name] = v
		}
	}
	return out
}

func foundURLs(p *mail.Parsed, x *evidence.Export) []string {
	if x.Analysis != nil {
		out := make([]string, 0, len(x.Analysis.URLs))
		for _, u := range x.Analysis.URLs {
			out = append(out, u.URL)
		}
		return out
	}
	urls, _, _ := analysis.ExtractURLs(analysis.URLInput{Text: p.Text, HTML: p.HTML}, maxURLs)
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = u.URL
	}
	return out
}

// alertOf builds the connector's alert: the id is the Message-ID (without
// brackets; the connector strips its Gmail suffix, we keep the whole id so
// ids stay unique across domains), the time the Date header (else the
// arrival time) in unix milliseconds.
func alertOf(p *mail.Parsed, msg *mail.RawMessage, urls []string) Alert {
	id := ""
	for _, f := range p.Header {
		if strings.EqualFold(f.Name, "Message-Id") {
			id = strings.Trim(strings.TrimSpace(f.Value), "<>")
			break
		}
	}
	if id == "" {
		id = fmt.Sprintf("no-message-id-%x", sha256.Sum256(msg.Raw))[:40]
	}
	when := p.Date
	if when.IsZero() {
		when = msg.Received
	}
	ms := when.UnixMilli()
	return Alert{
		DisplayID: id, TicketID: id, Name: p.Subject, RuleGenerator: vendor,
		StartTime: ms, EndTime: ms, Priority: 60, DeviceVendor: vendor, DeviceProduct: vendor,
		Events: []Event{{
			StartTime: ms, EndTime: ms, EventName: "Suspicious email", DeviceProduct: vendor,
			Subject: p.Subject, SourceUserName: p.From, DestinationUserName: p.To, FoundURL: strings.Join(urls, ","),
		}},
	}
}
