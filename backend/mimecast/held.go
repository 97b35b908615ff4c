package mimecast

import (
	"context"
	"slices"
	"time"
)

const (
	pathHeldList    = "/api/gateway/get-hold-message-list"
	pathHoldRelease = "/api/gateway/hold-release"
	pathHoldReject  = "/api/gateway/hold-reject"
)

// HeldMessage is a message waiting in the gateway's hold queue.
type HeldMessage struct {
	ID             string  `json:"id"`
	DateReceived   Time    `json:"dateReceived"`
	Subject        string  `json:"subject"`
	Size           int     `json:"size"`
	HasAttachments bool    `json:"hasAttachments"`
	Route          string  `json:"route"`
	Reason         string  `json:"reason"`
	ReasonCode     string  `json:"reasonCode"`
	ReasonID       string  `json:"reasonId"`
	PolicyInfo     string  `json:"policyInfo"`
	From           Address `json:"from"`
	FromHeader     Address `json:"fromHeader"`
	To             Address `json:"to"`
	ToHeader       Address `json:"toHeader"`
}

// HeldQuery filters the hold queue.
type HeldQuery struct {
	// Admin lists every recipient's held mail, not only the API user's.
	Admin      bool
	Start, End time.Time
	// SearchBy is all, subject, sender, recipient or reason_code; Value is
	// what to look for.
	SearchBy, Value string
	// Route is all, internal, outbound, inbound or external.
	Route string
	// HeldGroup is administrator, moderator, ... ("" for any).
	HeldGroup string
}

type heldSearch struct {
	FieldName string `json:"fieldName"`
	Value     string `json:"value"`
}

type heldFilter struct {
	Route     string `json:"route,omitempty"`
	HeldGroup string `json:"heldGroup,omitempty"`
}

type heldItem struct {
	Admin    bool         `json:"admin"`
	Start    string       `json:"start,omitempty"`
	End      string       `json:"end,omitempty"`
	SearchBy *heldSearch  `json:"searchBy,omitempty"`
	FilterBy []heldFilter `json:"filterBy,omitempty"`
}

func (q *HeldQuery) item() (heldItem, error) {
	it := heldItem{Admin: q.Admin, Start: apiTime(q.Start), End: apiTime(q.End)}
	if q.Value != "" {
		field := q.SearchBy
		if field == "" {
			field = "all"
		}
		if !slices.Contains([]string{"all", "subject", "sender", "recipient", "reason_code"}, field) {
			return it, invalid("search by", "%q is not all, subject, sender, recipient or reason_code", field)
		}
		it.SearchBy = &heldSearch{FieldName: field, Value: q.Value}
	}
	if q.Route != "" || q.HeldGroup != "" {
		it.FilterBy = []heldFilter{{Route: q.Route, HeldGroup: q.HeldGroup}}
	}
	return it, nil
}

// HeldMessages lists held messages.
func (c *Client) HeldMessages(ctx context.Context, q HeldQuery, opts ListOptions) ([]HeldMessage, error) {
	item, err := q.item()
	if err != nil {
		return nil, err
	}
	return list(ctx, c, pathHeldList, item, opts, direct[HeldMessage])
}

// HeldResult is the outcome for one held message.
type HeldResult struct {
	ID       string `json:"id"`
	Released bool   `json:"release"`
	Rejected bool   `json:"reject"`
}

// ReleaseHeld releases a held message to its recipients. If the answer is
// lost, the queue is checked: a message no longer held has gone.
func (c *Client) ReleaseHeld(ctx context.Context, id string) (HeldResult, error) {
	if id == "" {
		return HeldResult{}, invalid("held message id", "required")
	}
	send := func(ctx context.Context) (HeldResult, error) {
		return one[HeldResult](ctx, c, pathHoldRelease, idItem{ID: id}, writeCall)
	}
	verify := func(ctx context.Context) (HeldResult, bool, error) {
		held, err := c.stillHeld(ctx, []string{id})
		return HeldResult{ID: id, Released: true}, err == nil && len(held) == 0, err
	}
	return applyOnce(ctx, c, send, verify)
}

// RejectReason is one of the vendor's fixed rejection reasons.
type RejectReason string

// Rejection reasons.
const (
	RejectUndesirable   RejectReason = "MESSAGE CONTAINS UNDESIRABLE CONTENT"
	RejectConfidential  RejectReason = "MESSAGE CONTAINS CONFIDENTIAL INFORMATION"
	RejectDisapproved   RejectReason = "REVIEWER DISAPPROVES OF CONTENT"
	RejectInappropriate RejectReason = "INAPPROPRIATE COMMUNICATION"
	RejectAgainstRules  RejectReason = "MESSAGE GOES AGAINST EMAIL POLICIES"
)

// RejectSpec rejects held messages.
type RejectSpec struct {
	IDs        []string     `json:"ids"`
	Message    string       `json:"message,omitempty"` // told to the sender when Notify
	ReasonType RejectReason `json:"reasonType,omitempty"`
	Notify     bool         `json:"notify"`
}

// RejectHeld rejects held messages. If the answer is lost, the queue is
// checked and only the messages still held are rejected again.
func (c *Client) RejectHeld(ctx context.Context, spec RejectSpec) ([]HeldResult, error) {
	if len(spec.IDs) == 0 {
		return nil, invalid("held message ids", "required")
	}
	pending := spec
	var before []HeldResult // rejected by an earlier try whose answer was lost
	send := func(ctx context.Context) ([]HeldResult, error) {
		resp, err := c.call(ctx, pathHoldReject, []any{pending}, nil, writeCall)
		if err != nil {
			return nil, err
		}
		return appendPage(slices.Clone(before), resp, direct[HeldResult])
	}
	verify := func(ctx context.Context) ([]HeldResult, bool, error) {
		held, err := c.stillHeld(ctx, spec.IDs)
		if err != nil {
			return nil, false, err
		}
		pending.IDs, before = held, rejected(spec.IDs, held)
		return before, len(held) == 0, nil
	}
	return applyOnce(ctx, c, send, verify)
}

func rejected(ids, held []string) []HeldResult {
	var out []HeldResult
	for _, id := range ids {
		if !slices.Contains(held, id) {
			out = append(out, HeldResult{ID: id, Rejected: true})
		}
	}
	return out
}

// stillHeld returns those of ids still in the (admin) hold queue.
func (c *Client) stillHeld(ctx context.Context, ids []string) ([]string, error) {
	all, err := c.HeldMessages(ctx, HeldQuery{Admin: true}, ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range all {
		if slices.Contains(ids, m.ID) {
			out = append(out, m.ID)
		}
	}
	return out, nil
}
