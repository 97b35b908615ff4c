package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
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

// resendable: reads, and PATCHes (they set values; a second time sets
// the same ones, and category lists go with If-Match).
func (c call) resendable() bool { return c.method == http.MethodGet || c.method == http.MethodPatch }

// result is the answer to one call: the body on success, else err. A
// status of 0 means the call was not answered.
type result struct {
	status int
	body   json.RawMessage
	err    error
}

// binary decodes the body of a non-JSON answer (a message's /$value),
// which Graph's $batch carries as a base64 string.
func (r result) binary() ([]byte, error) {
	var s string
	if err := json.Unmarshal(r.body, &s); err != nil {
		return nil, fmt.Errorf("batch answer: the body is not a base64 string: %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("batch answer: %w", err)
	}
	return b, nil
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

// batch runs calls in $batch requests of at most 20, several at once (the
// request slots keep it within Graph's four per mailbox), and returns one
// result per call, in order. Calls the server throttled inside a batch go
// again alone after their Retry-After; only a failure of a whole batch
// request is returned as the error (the first one, in call order).
func (m *Mailbox) batch(ctx context.Context, calls []call) ([]result, error) {
	out := make([]result, len(calls))
	n := (len(calls) + maxBatch - 1) / maxBatch
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		start, end := i*maxBatch, min((i+1)*maxBatch, len(calls))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.batchOnce(ctx, calls[start:end], out[start:end], 0)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// batchOnce runs up to 20 calls in one $batch (and throttled ones again),
// reading at most limit bytes of answer (0: the default cap).
func (m *Mailbox) batchOnce(ctx context.Context, calls []call, out []result, limit int64) error {
	pending := make([]int, len(calls))
	for i := range pending {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		answer, err := m.postBatch(ctx, calls, pending, limit)
		if err != nil {
			return fmt.Errorf("batch of %d requests: %w", len(pending), err)
		}
		var again []int
		var wait time.Duration
		seen := map[int]bool{}
		for _, r := range answer {
			i, err := strconv.Atoi(r.ID)
			if err != nil || i < 0 || i >= len(calls) || seen[i] {
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

// postBatch sends the pending calls as one $batch. It may be sent again
// after a broken link only if every call in it may.
func (m *Mailbox) postBatch(ctx context.Context, calls []call, pending []int, limit int64) ([]batchResponse, error) {
	reqs := make([]batchRequest, 0, len(pending))
	resendable := true
	for _, i := range pending {
		c := calls[i]
		resendable = resendable && c.resendable()
		br := batchRequest{ID: strconv.Itoa(i), Method: c.method, URL: m.prefix + c.path, Headers: map[string]string{"Prefer": `IdType="ImmutableId"`}}
		for k, v := range c.header {
			br.Headers[k] = v
		}
		if c.body != nil {
			b, err := json.Marshal(c.body)
			if err != nil {
				return nil, err
			}
			br.Body = b
			br.Headers["Content-Type"] = "application/json"
		}
		reqs = append(reqs, br)
	}
	b, err := json.Marshal(map[string]any{"requests": reqs})
	if err != nil {
		return nil, err
	}
	body, _, err := m.do(ctx, request{method: http.MethodPost, path: m.base + "/$batch", body: b, resendable: resendable, limit: limit})
	if err != nil {
		return nil, err
	}
	var answer struct {
		Responses []batchResponse `json:"responses"`
	}
	if err := decode(body, &answer); err != nil {
		return nil, err
	}
	return answer.Responses, nil
}

// isUncertain reports a write whose outcome is unknown.
func isUncertain(err error) bool { return errors.Is(err, ErrUncertain) }
