package mimecast

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"time"
)

const (
	pathMessageList   = "/api/archive/get-message-list"
	pathMessageDetail = "/api/archive/get-message-detail"
	pathArchiveSearch = "/api/archive/search"
)

// ArchiveMessage is one row of an archived mailbox listing.
type ArchiveMessage struct {
	ID              string  `json:"id"`
	Subject         string  `json:"subject"`
	From            Address `json:"from"`
	To              Address `json:"to"`
	Received        Time    `json:"received"`
	Size            int     `json:"size"`
	AttachmentCount int     `json:"attachmentCount"`
	Status          string  `json:"status"`
	Smash           string  `json:"smash"`
	Read            bool    `json:"read"`
	CCM             bool    `json:"ccm"`
	Recalled        bool    `json:"recalled"`
	Expired         bool    `json:"expired"`
}

// MessageListQuery selects an archived mailbox view.
type MessageListQuery struct {
	// Mailbox is the address to list; "" lists the API user's own.
	Mailbox string
	// View is INBOX (default) or SENT.
	View string
	// Start and End bound the received time; zero lets the server default
	// (last calendar month to the end of today).
	Start, End       time.Time
	IncludeDelegates bool
	// ExcludeAliases turns off alias addresses, which the connector
	// includes by default.
	ExcludeAliases bool
}

type messageListItem struct {
	View             string `json:"view"`
	Mailbox          string `json:"mailbox,omitempty"`
	Start            string `json:"start,omitempty"`
	End              string `json:"end,omitempty"`
	IncludeDelegates bool   `json:"includeDelegates"`
	IncludeAliases   bool   `json:"includeAliases"`
}

// ArchiveMessages lists archived messages of a mailbox.
func (c *Client) ArchiveMessages(ctx context.Context, q MessageListQuery, opts ListOptions) ([]ArchiveMessage, error) {
	view := q.View
	if view == "" {
		view = "INBOX"
	}
	if view != "INBOX" && view != "SENT" {
		return nil, invalid("view", "%q is not INBOX or SENT", q.View)
	}
	item := messageListItem{View: view, Mailbox: q.Mailbox, Start: apiTime(q.Start), End: apiTime(q.End),
		IncludeDelegates: q.IncludeDelegates, IncludeAliases: !q.ExcludeAliases}
	return list(ctx, c, pathMessageList, item, opts, direct[ArchiveMessage])
}

// Header is one header of an archived message, values in order.
type Header struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Attachment is one attachment of an archived message.
type Attachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	Extension   string `json:"extension"`
	ContentType string `json:"contentType"`
	ContentID   string `json:"contentId"`
	BodyType    string `json:"bodyType"`
	SHA256      string `json:"sha256"`
	Size        int    `json:"size"`
}

// MessageDetail is an archived message's metadata.
type MessageDetail struct {
	ID                 string       `json:"id"`
	Status             string       `json:"status"`
	Smash              string       `json:"smash"`
	MessageID          string       `json:"mimeMessageId"` // the Internet Message-ID
	Subject            string       `json:"subject"`
	Size               int          `json:"size"`
	Received           Time         `json:"received"`
	Processed          Time         `json:"processed"`
	HeaderDate         Time         `json:"headerDate"`
	HasHTMLBody        bool         `json:"hasHtmlBody"`
	HasTextBody        bool         `json:"hasTextBody"`
	IsPassthrough      bool         `json:"isPassthrough"`
	MessageBodyPreview string       `json:"messageBodyPreview"`
	From               Address      `json:"from"`
	EnvelopeFrom       Address      `json:"envelopeFrom"`
	ReplyTo            Address      `json:"replyTo"`
	To                 []Address    `json:"to"`
	CC                 []Address    `json:"cc"`
	Headers            []Header     `json:"headers"`
	Attachments        []Attachment `json:"attachments"`
}

// ArchiveMessageDetail returns the metadata of an archived message by its
// Mimecast id (from ArchiveMessages or SearchArchive).
func (c *Client) ArchiveMessageDetail(ctx context.Context, id string) (MessageDetail, error) {
	if id == "" {
		return MessageDetail{}, invalid("message id", "required")
	}
	return one[MessageDetail](ctx, c, pathMessageDetail, idItem{ID: id}, readCall)
}

// Period is an archive search time range, as the connector offers them.
type Period string

// Search periods; PeriodBetween uses ArchiveSearch.From and To.
const (
	PeriodToday     Period = "today"
	PeriodYesterday Period = "yesterday"
	PeriodLastWeek  Period = "last_week"
	PeriodLastMonth Period = "last_month"
	PeriodLastYear  Period = "last_year"
	PeriodBetween   Period = "between"
)

// ArchiveSearch is an archive search as the connector offers it.
type ArchiveSearch struct {
	Mailbox string // limit to this mailbox; "" with Admin searches all
	Text    string
	Admin   bool
	Period  Period
	// From and To bound PeriodBetween.
	From, To time.Time
	// DocumentType restricts by attachment kind (documents, spreadsheets,
	// text, media, ...); "" means any message.
	DocumentType string
}

// ArchiveHit is one archive search result, named by the return fields the
// query asks for.
type ArchiveHit struct {
	ID                   string  `json:"id"`
	Subject              string  `json:"subject"`
	DisplayFrom          string  `json:"displayfrom"`
	DisplayFromAddress   string  `json:"displayfromaddress"`
	DisplayTo            string  `json:"displayto"`
	DisplayToAddressList Strings `json:"displaytoaddresslist"`
	ReceivedDate         Time    `json:"receiveddate"`
	Size                 int     `json:"size"`
	AttachmentCount      int     `json:"attachmentcount"`
	Status               string  `json:"status"`
	Smash                string  `json:"smash"`
}

var returnFields = []string{"attachmentcount", "status", "subject", "size", "receiveddate",
	"displayfrom", "displayfromaddress", "id", "displayto", "displaytoaddresslist", "smash"}

// xmlQuery is the archive search's XML document. It is built with
// encoding/xml so that search text typed by the analyst cannot break out
// of its element.
type xmlQuery struct {
	XMLName  xml.Name    `xml:"xmlquery"`
	Trace    string      `xml:"trace,attr"`
	Metadata xmlMetadata `xml:"metadata"`
	Muse     xmlMuse     `xml:"muse"`
}

type xmlMetadata struct {
	QueryType    string        `xml:"query-type,attr"`
	Archive      bool          `xml:"archive,attr"`
	Active       bool          `xml:"active,attr"`
	PageSize     int           `xml:"page-size,attr"`
	StartRow     int           `xml:"startrow,attr"`
	Mailboxes    *xmlMailboxes `xml:"mailboxes"`
	ReturnFields []string      `xml:"return-fields>return-field"`
}

type xmlMailboxes struct {
	Mailbox []xmlMailbox `xml:"mailbox"`
}

type xmlMailbox struct {
	IncludeAliases bool   `xml:"include-aliases,attr"`
	Address        string `xml:",chardata"`
}

type xmlMuse struct {
	Text string   `xml:"text,omitempty"`
	Date *xmlDate `xml:"date,omitempty"`
	Docs *xmlSel  `xml:"docs,omitempty"`
}

type xmlDate struct {
	Select string `xml:"select,attr"`
	From   string `xml:"from,attr,omitempty"`
	To     string `xml:"to,attr,omitempty"`
}

type xmlSel struct {
	Select string `xml:"select,attr"`
}

// Query renders the XML query the search sends.
func (s *ArchiveSearch) Query(pageSize int) (string, error) {
	q := xmlQuery{Trace: "iql,muse", Metadata: xmlMetadata{QueryType: "emailarchive", Archive: true,
		PageSize: pageSize, ReturnFields: returnFields}}
	if s.Mailbox != "" {
		q.Metadata.Mailboxes = &xmlMailboxes{Mailbox: []xmlMailbox{{IncludeAliases: true, Address: s.Mailbox}}}
	}
	q.Muse.Text = s.Text
	if s.Period != "" {
		q.Muse.Date = &xmlDate{Select: string(s.Period)}
		if s.Period == PeriodBetween {
			q.Muse.Date.From, q.Muse.Date.To = apiTime(s.From), apiTime(s.To)
		}
	}
	if s.DocumentType != "" {
		q.Muse.Docs = &xmlSel{Select: s.DocumentType}
	}
	b, err := xml.Marshal(q)
	return xml.Header + string(b), err
}

func (s *ArchiveSearch) validate() error {
	switch s.Period {
	case "", PeriodToday, PeriodYesterday, PeriodLastWeek, PeriodLastMonth, PeriodLastYear:
	case PeriodBetween:
		if s.From.IsZero() || s.To.IsZero() || s.To.Before(s.From) {
			return invalid("time period", "between needs a start before an end")
		}
	default:
		return invalid("time period", "%q is not a known period", s.Period)
	}
	if s.Mailbox == "" && !s.Admin {
		return invalid("email id", "required unless the search is an admin search")
	}
	return nil
}

// SearchArchive runs an archive search.
func (c *Client) SearchArchive(ctx context.Context, s ArchiveSearch, opts ListOptions) ([]ArchiveHit, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	query, err := s.Query(c.pageSize(opts, 0))
	if err != nil {
		return nil, err
	}
	item := map[string]any{"admin": s.Admin, "query": query}
	return list(ctx, c, pathArchiveSearch, item, opts, archiveHits)
}

// archiveHits accepts results in data[0].items (as one major client reads
// them) or directly in data[] (as the vendor sample shows).
func archiveHits(raw json.RawMessage) ([]ArchiveHit, error) {
	var wrapped struct {
		Items *[]ArchiveHit `json:"items"`
	}
	if err := json.Unmarshal(raw, &wrapped); err == nil && wrapped.Items != nil {
		return *wrapped.Items, nil
	}
	return direct[ArchiveHit](raw)
}
