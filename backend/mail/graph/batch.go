package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// maxBatch is Graph's limit of requests in one $batch.
const maxBatch = 20

// call is one request of a bulk action.
type call struct {
	method string
	path   string // under the mailbox root
	body   any    // JSON-encoded when non-nil
	header map[string]string
}

// result is the answer to one call: the body on success, else err.
type result struct {
	status int
	body   json.RawMessage
	err    error
}

type batchRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Body    json.RawMessage   `json:"body,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// batch runs calls in $batch requests of at most 20, in order, and returns
// one result per call. Calls the server throttled (429/503 inside the
// batch) go again after the longest Retry-After; only a failure of a whole
// batch request is returned as the error.
func (m *Mailbox) batch(ctx context.Context, calls []call) ([]result, error) {
	out := make([]result, len(calls))
	for start := 0; start < len(calls); start += maxBatch {
		end := min(start+maxBatch, len(calls))
		if err := m.batchOnce(ctx, calls[start:end], out[start:end]); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (m *Mailbox) batchOnce(ctx context.Context, calls []call, out []result) error {
	pending := make([]int, len(calls))
	for i := range pending {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		reqs := make([]batchRequest, 0, len(pending))
		for _, i := range pending {
			c := calls[i]
			br := batchRequest{ID: strconv.Itoa(i), Method: c.method, URL: m.prefix + c.path, Headers: map[string]string{"Prefer": `IdType="ImmutableId"`}}
			for k, v := range c.header {
				br.Headers[k] = v
			}
			if c.body != nil {
				b, err := json.Marshal(c.body)
				if err != nil {
					return err
				}
				br.Body = b
				br.Headers["Content-Type"] = "application/json"
			}
			reqs = append(reqs, br)
		}
		var answer struct {
			Responses []batchResponse `json:"responses"`
		}
		b, err := json.Marshal(map[string]any{"requests": reqs})
		if err != nil {
			return err
		}
		body, _, err := m.do(ctx, request{method: http.MethodPost, path: m.base + "/$batch", body: b})
		if err != nil {
			return fmt.Errorf("batch of %d requests: %w", len(reqs), err)
		}
		if err := decode(body, &answer); err != nil {
			return err
		}
		var again []int
		var wait time.Duration
		seen := map[int]bool{}
		for _, r := range answer.Responses {
			i, err := strconv.Atoi(r.ID)
			if err != nil || i < 0 || i >= len(calls) {
				continue
			}
			seen[i] = true
			if retryable(r.Status) && attempt < m.cfg.MaxRetries {
				again = append(again, i)
				h := http.Header{}
				for k, v := range r.Headers {
					h.Set(k, v)
				}
				wait = max(wait, retryAfter(h, attempt))
				continue
			}
			out[i] = result{status: r.Status, body: r.Body}
			if r.Status/100 != 2 {
				out[i].err = errorOf(r.Status, r.Body)
			}
		}
		for _, i := range pending {
			if !seen[i] {
				out[i] = result{err: fmt.Errorf("no answer in the batch for request %d", i)}
			}
		}
		pending = again
		if len(pending) > 0 {
			if wait > m.cfg.MaxRetryWait {
				for _, i := range pending {
					out[i] = result{status: http.StatusTooManyRequests, err: &Error{Status: http.StatusTooManyRequests, Code: "TooManyRequests", Message: "throttled; the server asks to wait " + wait.String()}}
				}
				return nil
			}
			if err := sleep(ctx, wait); err != nil {
				return err
			}
		}
	}
	return nil
}
