package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Tenant reaches every mailbox of an organisation with an application
// (app-only) token: it lists the users and sends $batch requests whose
// sub-requests may each name a different mailbox. It schedules nothing
// itself: the caller decides what goes in which batch, so that it can
// keep within Graph's four requests at once per mailbox and wait out a
// sub-request's Retry-After without holding up the others. Whole
// requests are retried as a Mailbox retries them (throttling, a
// revoked token, a broken read).
type Tenant struct {
	m *Mailbox
}

// DefaultTenantConcurrency is how many $batch requests a Tenant runs at
// once by default: each holds sub-requests for up to 20 mailboxes, and
// the four-at-once limit is per mailbox.
const DefaultTenantConcurrency = 16

// NewTenant returns a Tenant for cfg (Mailbox is ignored); Concurrency
// bounds the $batch requests in flight (default
// DefaultTenantConcurrency).
func NewTenant(cfg Config) *Tenant {
	cfg.Mailbox = ""
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultTenantConcurrency
	}
	if cfg.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = cfg.Concurrency
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second, Transport: tr}
	}
	return &Tenant{m: New(cfg)}
}

// Tenant returns a Tenant with m's endpoint, token and HTTP client, and
// concurrency $batch requests in flight.
func (m *Mailbox) Tenant(concurrency int) *Tenant {
	cfg := m.cfg
	cfg.Concurrency = concurrency
	return NewTenant(cfg)
}

// Close releases idle connections.
func (t *Tenant) Close() error { return t.m.Close() }

// User is one user of the tenant, by Graph id and address.
type User struct {
	ID                string `json:"id"`
	Mail              string `json:"mail"`
	UserPrincipalName string `json:"userPrincipalName"`
}

// Address is the user's mail address, else the UPN.
func (u User) Address() string {
	if u.Mail != "" {
		return u.Mail
	}
	return u.UserPrincipalName
}

// UsersURL is the first page of the tenant's users, for a BatchItem:
// id and addresses, 999 a page (Graph's most).
const UsersURL = "/users?$select=id,mail,userPrincipalName&$top=999"

// Relative turns an @odata.nextLink into a URL for a BatchItem (relative
// to the versioned root); false when it leads elsewhere.
func (t *Tenant) Relative(link string) (string, bool) {
	rest, ok := strings.CutPrefix(link, t.m.base)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", false
	}
	return rest, true
}

// UserPath is the root of a user's mailbox for a BatchItem's URL:
// "/users/{id}".
func UserPath(id string) string { return "/users/" + url.PathEscape(id) }

// BatchItem is one sub-request of a $batch: URL is relative to the
// versioned root ("/users/{id}/messages?…").
type BatchItem struct {
	Method string
	URL    string
	Body   any
}

// BatchAnswer is the answer to one BatchItem. Status 0 means it was not
// answered (Err says why); RetryAfter is the wait a throttled (429, 503,
// 504) sub-request asks for.
type BatchAnswer struct {
	Status     int
	RetryAfter time.Duration
	Body       json.RawMessage
	Err        error
}

// Throttled reports an answer that asks to come back later: the request
// was not run.
func (a BatchAnswer) Throttled() bool { return retryable(a.Status) }

// Batch sends up to 20 items as one $batch and returns one answer per
// item, in order. Only a failure of the whole request is an error; a
// batch holding a write is not sent again after a broken link (its
// answers are then unknown: Status 0, Err wrapping ErrUncertain).
func (t *Tenant) Batch(ctx context.Context, items []BatchItem) ([]BatchAnswer, error) {
	if len(items) > maxBatch {
		return nil, fmt.Errorf("batch of %d requests: Graph takes at most %d", len(items), maxBatch)
	}
	out := make([]BatchAnswer, len(items))
	reqs := make([]batchRequest, len(items))
	resendable := true
	for i, it := range items {
		reqs[i] = batchRequest{ID: strconv.Itoa(i), Method: it.Method, URL: it.URL, Headers: map[string]string{"Prefer": `IdType="ImmutableId"`}}
		resendable = resendable && (it.Method == http.MethodGet || it.Method == http.MethodPatch)
		if it.Body != nil {
			b, err := json.Marshal(it.Body)
			if err != nil {
				return nil, fmt.Errorf("batch request %d: %w", i, err)
			}
			reqs[i].Body, reqs[i].Headers["Content-Type"] = b, "application/json"
		}
	}
	b, err := json.Marshal(map[string]any{"requests": reqs})
	if err != nil {
		return nil, err
	}
	body, _, err := t.m.do(ctx, request{method: http.MethodPost, path: t.m.base + "/$batch", body: b, resendable: resendable})
	if err != nil {
		for i := range out {
			out[i].Err = err
		}
		return out, fmt.Errorf("batch of %d requests: %w", len(items), err)
	}
	var answer struct {
		Responses []batchResponse `json:"responses"`
	}
	if err := decode(body, &answer); err != nil {
		return out, fmt.Errorf("batch of %d requests: %w", len(items), err)
	}
	seen := make([]bool, len(items))
	for _, r := range answer.Responses {
		i, err := strconv.Atoi(r.ID)
		if err != nil || i < 0 || i >= len(items) || seen[i] {
			continue
		}
		seen[i] = true
		out[i] = BatchAnswer{Status: r.Status, Body: r.Body}
		if retryable(r.Status) {
			h := http.Header{}
			for k, v := range r.Headers {
				h.Set(k, v)
			}
			out[i].RetryAfter = retryAfter(h, 0)
		}
		if r.Status/100 != 2 {
			out[i].Err = errorOf(r.Status, r.Body)
		}
	}
	for i := range out {
		if !seen[i] {
			out[i].Err = fmt.Errorf("no answer in the batch for request %d", i)
		}
	}
	return out, nil
}
