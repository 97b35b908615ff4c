package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxAnswer bounds how much of one JSON answer is read.
const maxAnswer = 32 << 20

// Error is Graph's error envelope {"error":{"code","message"}} with the
// HTTP status it came with.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Code != "" {
		return fmt.Sprintf("graph said %s: %s (HTTP %d)", e.Code, msg, e.Status)
	}
	return fmt.Sprintf("graph said: %s (HTTP %d)", msg, e.Status)
}

// IsNotFound reports a 404: the message or folder no longer exists.
func IsNotFound(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.Status == http.StatusNotFound
}

// errorOf reads an error answer. Bodies that are not the envelope (a proxy's
// HTML page) become the first line of text, capped.
func errorOf(status int, body []byte) *Error {
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil && (env.Error.Code != "" || env.Error.Message != "") {
		return &Error{Status: status, Code: env.Error.Code, Message: oneLine(env.Error.Message)}
	}
	return &Error{Status: status, Message: oneLine(string(body))}
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// retryable reports statuses after which the request was not run and may go
// again (Graph's throttling answers 429; 503 and 504 say the same).
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// retryAfter reads Retry-After in seconds (Graph never sends a date);
// absent or unreadable means a short default.
func retryAfter(h http.Header, attempt int) time.Duration {
	if s := h.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	return time.Duration(1<<attempt) * time.Second
}

// request is one call to Graph: a path under the mailbox root or an
// absolute URL (an @odata.nextLink), with a replayable body.
type request struct {
	method      string
	path        string // "/mailFolders/inbox" (under the mailbox root) or absolute URL
	body        []byte
	contentType string
	header      http.Header
	// resendable says a request whose answer was lost may simply go
	// again: reads, and writes that cannot do harm twice. Others are
	// looked up by their caller first (see ErrUncertain).
	resendable bool
	// limit caps the answer read by do (default maxAnswer).
	limit int64
}

// ErrUncertain wraps a failure after which a write may or may not have
// taken effect: the link broke before the answer came.
var ErrUncertain = errors.New("the link broke before Graph answered; the change may or may not have been made")

// do sends r, retrying throttled answers after Retry-After, and returns
// the answer body (for 2xx) or an *Error.
func (m *Mailbox) do(ctx context.Context, r request) ([]byte, http.Header, error) {
	resp, err := m.send(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := readCapped(resp.Body, r.limit)
	if err != nil && !errors.Is(err, errAnswerTooLarge) && r.resendable && ctx.Err() == nil {
		// The answer broke off: a read may go again, once.
		if resp2, err2 := m.send(ctx, r); err2 == nil {
			defer resp2.Body.Close()
			body, err = readCapped(resp2.Body, r.limit)
		}
	}
	if err != nil && !r.resendable && !errors.Is(err, errAnswerTooLarge) && ctx.Err() == nil {
		return nil, nil, fmt.Errorf("%w: read answer: %v", ErrUncertain, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read answer: %w", err)
	}
	return body, resp.Header, nil
}

// errAnswerTooLarge is an answer longer than the request allows.
var errAnswerTooLarge = errors.New("answer too large")

func readCapped(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = maxAnswer
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		return nil, errAnswerTooLarge
	}
	return b, err
}

// send is do without reading the body, for raw MIME downloads. The caller
// closes the body; non-2xx answers come back as *Error. It holds one of
// the mailbox's request slots until the body is closed.
func (m *Mailbox) send(ctx context.Context, r request) (*http.Response, error) {
	url := r.path
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = m.root + r.path
	}
	rejected := false
	netFailures := 0
	for attempt := 0; ; attempt++ {
		token, err := m.cfg.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("get an access token: %w", err)
		}
		resp, err := m.roundTrip(ctx, r, url, token)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !r.resendable {
				return nil, fmt.Errorf("%w: %v", ErrUncertain, err)
			}
			if netFailures >= m.cfg.MaxNetRetries {
				return nil, err
			}
			// Back off 0.25 s, 0.5 s, 1 s, … with jitter, then read again.
			if err := sleep(ctx, backoff(netFailures)); err != nil {
				return nil, err
			}
			netFailures++
			continue
		}
		if resp.StatusCode/100 == 2 {
			return resp, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && !rejected {
			// Revoked before its stated expiry: drop it and try once
			// with a new one. A request refused with 401 was not run.
			drain(resp)
			rejected = true
			if m.cfg.TokenRejected != nil {
				m.cfg.TokenRejected(token)
			}
			continue
		}
		if retryable(resp.StatusCode) && attempt < m.cfg.MaxRetries {
			wait := retryAfter(resp.Header, attempt)
			drain(resp)
			if wait > m.cfg.MaxRetryWait {
				return nil, &Error{Status: resp.StatusCode, Code: "TooManyRequests", Message: fmt.Sprintf("throttled; the server asks to wait %s, longer than we wait", wait)}
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, errorOf(resp.StatusCode, b)
	}
}

// roundTrip makes one HTTP exchange inside a request slot: Graph lets an
// app run four requests at once per mailbox, so Mailbox never runs more.
func (m *Mailbox) roundTrip(ctx context.Context, r request, url, token string) (*http.Response, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, url, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.header {
		req.Header[k] = slices.Clone(v)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	// Immutable ids survive moves, so a moved message keeps its id
	// and the UID map stays true.
	req.Header.Add("Prefer", `IdType="ImmutableId"`)
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	resp, err := m.http.Do(req)
	if err != nil {
		<-m.slots
		return nil, err
	}
	resp.Body = &slotBody{ReadCloser: resp.Body, release: func() { <-m.slots }}
	return resp, nil
}

// slotBody gives the request slot back when the answer is closed.
type slotBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *slotBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
}

// backoff is the wait before the n-th retry after a network error.
func backoff(n int) time.Duration {
	d := 250 * time.Millisecond << min(n, 5)
	return d/2 + rand.N(d/2)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// getJSON GETs path and decodes the answer into out.
func (m *Mailbox) getJSON(ctx context.Context, path string, out any) error {
	body, _, err := m.do(ctx, request{method: http.MethodGet, path: path, resendable: true})
	if err != nil {
		return err
	}
	return decode(body, out)
}

// sendJSON sends in as JSON and decodes the answer into out (if non-nil).
func (m *Mailbox) sendJSON(ctx context.Context, method, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	body, _, err := m.do(ctx, request{method: method, path: path, body: b})
	if err != nil {
		return err
	}
	if out == nil || len(body) == 0 {
		return nil
	}
	return decode(body, out)
}

func decode(body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("unreadable answer from Graph: %w", err)
	}
	return nil
}

// page is one page of an OData collection.
type page[T any] struct {
	Value     []T    `json:"value"`
	NextLink  string `json:"@odata.nextLink"`
	DeltaLink string `json:"@odata.deltaLink"`
}

// getAll follows @odata.nextLink until the collection ends.
func getAll[T any](ctx context.Context, m *Mailbox, path string) ([]T, error) {
	var out []T
	for path != "" {
		var p page[T]
		if err := m.getJSON(ctx, path, &p); err != nil {
			return out, err
		}
		out = append(out, p.Value...)
		path = p.NextLink
	}
	return out, nil
}
