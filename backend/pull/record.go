// Package pull turns mailbox messages into the records SOAR playbooks
// ingest: the Exchange connector's "Get Unread Emails" shape (headers,
// bodies, attachments with hashes, folder path, item id) plus an alert as
// the IMAP alert connector builds it, optionally with the full analysis.
// It fetches in pipelined batches, parses in parallel and streams in
// order, so memory stays bounded whatever the folder's size.
package pull

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
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
	// For a report, the fields above describe the reported original and
	// these say who reported it and how.
	ReporterAddress string `json:"reporter_address,omitempty"`
	ReporterName    string `json:"reporter_name,omitempty"`
	ReportSubject   string `json:"report_subject,omitempty"`
	ReportKind      string `json:"report_kind,omitempty"`
}

// Record is one pulled message.
type Record struct {
	*evidence.Export
	Account string    `json:"account"`
	Folder  string    `json:"folder"`
	UID     uint32    `json:"uid"`
	Seen    bool      `json:"seen"`
	Date    time.Time `json:"internal_date"`
	// Categories are the message's keywords (IMAP) or categories
	// (Graph), decoded to the names the console shows.
	Categories []string `json:"categories"`
	Alert      Alert    `json:"alert"`
	// Reporter is set when the message is a report: a colleague's (or a
	// feedback loop's) message carrying a reported original. The alert
	// then describes the original.
	Reporter *Reporter `json:"reporter,omitempty"`
	// Capped lists the parsing limits the message ran into (nesting,
	// parts, size, the deadline): the record then holds the header fields
	// and what could be read.
	Capped []mail.Cap `json:"capped,omitempty"`
}

const (
	vendor  = "Mail"
	maxURLs = 200
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
	r, _ := buildParsed(ctx, account, ref, msg, analyse, lim)
	return r
}

// buildParsed is build that also returns the parse, whose parts line up
// with the record's attachments.
func buildParsed(ctx context.Context, account string, ref mail.FolderRef, msg *mail.RawMessage, analyse bool, lim evidence.Limits) (Record, *mail.Parsed) {
	id := itemID(account, ref, msg.UID)
	var x *evidence.Export
	p := mail.Parse(ctx, msg.Raw, parseLimits(lim))
	if analyse {
		x = evidence.ExportMessageContext(ctx, msg.Raw, id, ref.Name, lim)
	} else {
		x = evidence.ExportParsed(p, id, ref.Name, lim)
	}
	r := Record{Export: x, Account: account, Folder: ref.Name, UID: uint32(msg.UID), Seen: msg.Flags.Seen, Date: msg.Received,
		Categories: categories(msg.Flags), Capped: p.Capped}
	r.Alert = alertOf(p, msg, foundURLs(p, x))
	if rep, ok := reported.RecognizeLimited(msg.Raw, p, reported.Limits{}); ok {
		r.Reporter = reporterOf(rep)
		r.Alert = reportAlert(r.Alert, rep)
	}
	return r, p
}

// categories decodes the message's keywords into category names; never
// nil, so the record always holds a list.
func categories(f mail.Flags) []string {
	out := make([]string, 0, len(f.Keywords))
	for _, k := range f.Keywords {
		out = append(out, mail.DecodeKeyword(k))
	}
	return out
}

// parseLimits are the MIME parsing limits within lim.
func parseLimits(lim evidence.Limits) mail.Limits {
	return mail.Limits{MaxBytes: lim.MaxBytes, MaxDepth: lim.MaxDepth, MaxParts: lim.MaxParts, Timeout: lim.ParseTimeout}
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
