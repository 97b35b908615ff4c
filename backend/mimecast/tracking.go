package mimecast

import (
	"context"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"
)

const (
	pathTrackingSearch = "/api/message-finder/search"
	pathMessageInfo    = "/api/message-finder/get-message-info"
)

// TrackingQuery finds messages that passed the gateway. Give either
// MessageID, or one or more of From, To, Subject and SenderIP: the two
// kinds of search are exclusive on the wire.
type TrackingQuery struct {
	SearchReason string // recorded in the audit log
	Start, End   time.Time
	MessageID    string // Internet Message-ID; brackets are added if missing
	From         string // sender address or domain
	To           string // recipient address or domain
	Subject      string
	SenderIP     string
	// Routes restricts to inbound, outbound and/or internal.
	Routes []string
}

// TrackedMessage is one message-tracking result.
type TrackedMessage struct {
	ID             string    `json:"id"`
	Status         string    `json:"status"`
	Info           string    `json:"info"`
	Received       Time      `json:"received"`
	Sent           Time      `json:"sent"`
	Subject        string    `json:"subject"`
	SenderIP       string    `json:"senderIP"`
	Route          string    `json:"route"`
	SpamScore      int       `json:"spamScore"`
	DetectionLevel string    `json:"detectionLevel"`
	Attachments    bool      `json:"attachments"`
	FromEnv        Address   `json:"fromEnv"`
	FromHdr        Address   `json:"fromHdr"`
	To             []Address `json:"to"`
}

type trackingAdvanced struct {
	From     string   `json:"from,omitempty"`
	To       string   `json:"to,omitempty"`
	Subject  string   `json:"subject,omitempty"`
	SenderIP string   `json:"senderIP,omitempty"`
	Route    []string `json:"route,omitempty"`
}

type trackingItem struct {
	SearchReason string            `json:"searchReason,omitempty"`
	Start        string            `json:"start,omitempty"`
	End          string            `json:"end,omitempty"`
	MessageID    string            `json:"messageId,omitempty"`
	Advanced     *trackingAdvanced `json:"advancedTrackAndTraceOptions,omitempty"`
}

func (q *TrackingQuery) item() (trackingItem, error) {
	adv := trackingAdvanced{From: q.From, To: q.To, Subject: q.Subject, SenderIP: q.SenderIP, Route: q.Routes}
	hasAdv := adv.From != "" || adv.To != "" || adv.Subject != "" || adv.SenderIP != ""
	switch {
	case q.MessageID != "" && hasAdv:
		return trackingItem{}, invalid("message search", "search by Message-ID or by sender/recipient/subject/IP, not both")
	case q.MessageID == "" && !hasAdv:
		return trackingItem{}, invalid("message search", "give a Message-ID, or a sender, recipient, subject or sender IP")
	case !q.End.IsZero() && q.End.Before(q.Start):
		return trackingItem{}, invalid("end time", "is before the start time")
	}
	if adv.SenderIP != "" {
		if _, err := netip.ParseAddr(adv.SenderIP); err != nil {
			return trackingItem{}, invalid("sender IP", "%q is not an IP address", adv.SenderIP)
		}
	}
	for _, r := range adv.Route {
		if !slices.Contains([]string{"inbound", "outbound", "internal"}, r) {
			return trackingItem{}, invalid("route", "%q is not inbound, outbound or internal", r)
		}
	}
	it := trackingItem{SearchReason: q.SearchReason, Start: apiTime(q.Start), End: apiTime(q.End)}
	if q.MessageID != "" {
		it.MessageID = bracketed(q.MessageID)
	} else {
		it.Advanced = &adv
	}
	return it, nil
}

// bracketed adds the angle brackets of the Message-ID form the vendor's
// examples use, so an ID copied without them still matches.
func bracketed(id string) string {
	id = strings.TrimSpace(id)
	if !strings.HasPrefix(id, "<") {
		id = "<" + id
	}
	if !strings.HasSuffix(id, ">") {
		id += ">"
	}
	return id
}

// SearchMessages tracks messages. Paging of this endpoint is not
// documented; a next token is followed if the server gives one.
func (c *Client) SearchMessages(ctx context.Context, q TrackingQuery, opts ListOptions) ([]TrackedMessage, error) {
	item, err := q.item()
	if err != nil {
		return nil, err
	}
	return list(ctx, c, pathTrackingSearch, item, opts, nested[TrackedMessage]("trackedEmails"))
}

// MessageInfo is the tracking detail of one message: how it came in, where
// it was delivered, which policies applied, retention and spam verdicts.
type MessageInfo struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// RecipientInfo is the inbound leg: the message as received.
	RecipientInfo RecipientInfo `json:"recipientInfo"`
	// DeliveredMessage is the delivery leg, keyed by recipient address.
	DeliveredMessage map[string]Delivery `json:"deliveredMessage"`
	RetentionInfo    RetentionInfo       `json:"retentionInfo"`
	SpamInfo         SpamInfo            `json:"spamInfo"`
}

// Recipients lists DeliveredMessage's keys in order.
func (m MessageInfo) Recipients() []string {
	out := make([]string, 0, len(m.DeliveredMessage))
	for k := range m.DeliveredMessage {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RecipientInfo is the message as the gateway received it.
type RecipientInfo struct {
	MessageInfo       MessageSummary `json:"messageInfo"`
	RecipientMetaInfo TransportInfo  `json:"recipientMetaInfo"`
}

// Delivery is the message as delivered to one recipient.
type Delivery struct {
	MessageInfo      MessageSummary `json:"messageInfo"`
	PolicyInfo       []PolicyHit    `json:"policyInfo"`
	DeliveryMetaInfo TransportInfo  `json:"deliveryMetaInfo"`
}

// MessageSummary is the content side of a tracked message.
type MessageSummary struct {
	FromEnvelope     string  `json:"fromEnvelope"`
	FromHeader       string  `json:"fromHeader"`
	To               Strings `json:"to"`
	CC               Strings `json:"cc"`
	Subject          string  `json:"subject"`
	Sent             Time    `json:"sent"`
	Processed        Time    `json:"processed"`
	Attachments      Strings `json:"attachments"`
	TextBody         string  `json:"textBody"`
	HTMLBody         string  `json:"htmlBody"`
	Route            string  `json:"route"`
	TransmissionInfo string  `json:"transmissionInfo"`
}

// TransportInfo is one SMTP leg: who connected, over what, when.
type TransportInfo struct {
	EmailAddress           string      `json:"emailAddress"`
	RemoteIP               string      `json:"remoteIp"`
	RemoteHost             string      `json:"remoteHost"`
	RemoteServerGreeting   string      `json:"remoteServerGreeting"`
	EncryptionInfo         string      `json:"encryptionInfo"`
	ReceiptEvent           string      `json:"receiptEvent"`
	DeliveryEvent          string      `json:"deliveryEvent"`
	SpamEvent              string      `json:"spamEvent"`
	ReceiptAcknowledgement string      `json:"receiptAcknowledgement"`
	ProcessingServer       string      `json:"processingServer"`
	BinaryEmailSize        int         `json:"binaryEmailSize"`
	TransmissionSize       int         `json:"transmissionSize"`
	TransmissionStart      Time        `json:"transmissionStart"`
	TransmissionEnd        Time        `json:"transmissionEnd"`
	MessageExpiresIn       int         `json:"messageExpiresIn"`
	Components             []Component `json:"components"`
}

// Component is one MIME part as tracking reports it.
type Component struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	MIMEType  string `json:"mimeType"`
	Extension string `json:"extension"`
	Size      int    `json:"size"`
}

// PolicyHit is a policy applied on delivery.
type PolicyHit struct {
	PolicyType string `json:"policyType"`
	PolicyName string `json:"policyName"`
	Inherited  bool   `json:"inherited"`
}

// RetentionInfo is the archive retention of a tracked message.
type RetentionInfo struct {
	CurrentPurgeDate        Time    `json:"currentPurgeDate"`
	OriginalPurgeDate       Time    `json:"originalPurgeDate"`
	PurgeBasedOn            string  `json:"purgeBasedOn"`
	RetentionAdjustmentDays int     `json:"retentionAdjustmentDays"`
	LitigationHoldInfo      Strings `json:"litigationHoldInfo"`
	SmartTags               Strings `json:"smartTags"`
	FBRStamps               Strings `json:"fbrStamps"`
	FBRExpireCheck          Strings `json:"fbrExpireCheck"`
	Audits                  Strings `json:"audits"`
}

// SpamInfo is the spam verdict of a tracked message.
type SpamInfo struct {
	SpamScore      int    `json:"spamScore"`
	DetectionLevel string `json:"detectionLevel"`
}

// MessageInfo returns the tracking detail of a message by its Mimecast id
// (from SearchMessages).
func (c *Client) MessageInfo(ctx context.Context, id string) (MessageInfo, error) {
	if id == "" {
		return MessageInfo{}, invalid("message id", "required")
	}
	return one[MessageInfo](ctx, c, pathMessageInfo, idItem{ID: id}, readCall)
}
