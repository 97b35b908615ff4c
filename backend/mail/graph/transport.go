package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
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
}

// do sends r, retrying throttled answers after Retry-After, and returns
// the answer body (for 2xx) or an *Error.
func (m *Mailbox) do(ctx context.Context, r request) ([]byte, http.Header, error) {
	resp, err := m.send(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, nil, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, resp.Header, errorOf(resp.StatusCode, body)
	}
	return body, resp.Header, nil
}

// send is do without reading the body, for raw MIME downloads. The caller
// closes the body; non-2xx answers come back as *Error.
func (m *Mailbox) send(ctx context.Context, r request) (*http.Response, error) {
	url := r.path
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = m.root + r.path
	}
	for attempt := 0; ; attempt++ {
		token, err := m.cfg.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("get an access token: %w", err)
		}
		var body io.Reader
		if r.body != nil {
			body = bytes.NewReader(r.body)
		}
		req, err := http.NewRequestWithContext(ctx, r.method, url, body)
		if err != nil {
			return nil, err
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		req.Header.Set("Authorization", "Bearer "+token)
		// Immutable ids survive moves, so a moved message keeps its id
		// and the UID map stays true.
		req.Header.Set("Prefer", `IdType="ImmutableId"`)
		if r.body != nil {
			ct := r.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
		}
		resp, err := m.http.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode/100 == 2 {
			return resp, nil
		}
		if retryable(resp.StatusCode) && attempt < m.cfg.MaxRetries {
			wait := retryAfter(resp.Header, attempt)
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
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
	body, _, err := m.do(ctx, request{method: http.MethodGet, path: path})
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
