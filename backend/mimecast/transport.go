package mimecast

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// maxAnswer bounds how much of one answer is read.
const maxAnswer = 32 << 20

// callKind says whether repeating a call is harmless.
type callKind int

const (
	readCall  callKind = iota // repeating cannot change anything
	writeCall                 // repeat only what the server did not run
)

// call sends items to path and returns the answer once it has been checked
// for fail[] and meta.status. With an *APIError the answer comes back too,
// because a multi-item call can partly succeed.
func (c *Client) call(ctx context.Context, path string, items []any, page *pageRequest, kind callKind) (*response, error) {
	if items == nil {
		items = []any{}
	}
	req := request{Data: items}
	if page != nil {
		req.Meta = &requestMeta{Pagination: page}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("mimecast %s: encode request: %w", path, err)
	}
	r := retrier{c: c, kind: kind}
	for {
		resp, err := c.attempt(ctx, path, body)
		if err == nil {
			return resp, nil
		}
		wait, again := r.next(ctx, err)
		if !again {
			return resp, err // resp is non-nil only beside an *APIError
		}
		if serr := c.opts.Sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("mimecast %s: %w (while waiting to retry after: %v)", path, serr, err)
		}
	}
}

// retrier decides, error by error, whether a call goes again and after how
// long.
type retrier struct {
	c        *Client
	kind     callKind
	retries  int
	limited  int
	reauthed bool
}

func (r *retrier) next(ctx context.Context, err error) (time.Duration, bool) {
	if ctx.Err() != nil {
		return 0, false
	}
	var rl *RateLimitError
	if errors.As(err, &rl) {
		// 429: the function was not executed, so any call may go again.
		r.limited++
		if r.limited > r.c.opts.MaxRateLimitRetries || rl.Reset > r.c.opts.MaxRateLimitWait {
			return 0, false
		}
		if rl.Reset > 0 {
			return rl.Reset, true
		}
		return r.c.backoff(r.limited), true
	}
	var ae *AuthError
	if errors.As(err, &ae) {
		// A refused bearer token may just have expired early: fetch a new
		// one once. Nothing was executed, so this is safe for writes.
		again := ae.Status == http.StatusUnauthorized && r.c.tokens != nil && !r.reauthed
		r.reauthed = true
		return 0, again
	}
	if !transient(err) || r.retries >= r.c.opts.MaxRetries {
		return 0, false
	}
	if r.kind == writeCall && !notSent(err) {
		return 0, false
	}
	r.retries++
	return r.c.backoff(r.retries), true
}

// backoff is the n-th (from 1) exponential step, jittered between half and
// all of it so that clients that failed together do not retry together.
func (c *Client) backoff(n int) time.Duration {
	d := c.opts.RetryBase
	for i := 1; i < n && d < c.opts.RetryMax; i++ {
		d *= 2
	}
	d = min(d, c.opts.RetryMax)
	return d/2 + rand.N(d/2+1)
}

// preSendError marks a failure that happened before the request left (the
// token or a secret could not be had), so retrying cannot duplicate a write.
type preSendError struct{ err error }

func (e *preSendError) Error() string { return e.err.Error() }
func (e *preSendError) Unwrap() error { return e.err }

func notSent(err error) bool {
	var p *preSendError
	return errors.As(err, &p)
}

// attempt makes one HTTP exchange, bounded by AttemptTimeout.
func (c *Client) attempt(ctx context.Context, path string, body []byte) (*response, error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("mimecast %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if err := c.authorize(actx, req, req.URL.Path); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("mimecast %s: %w", path, ctx.Err())
		}
		return nil, &preSendError{err}
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, exchangeError(ctx, actx, path, err)
	}
	defer resp.Body.Close()
	c.noteRateLimit(resp.Header)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, exchangeError(ctx, actx, path, err)
	}
	return c.interpret(path, resp, raw, req.Header.Get("Authorization"))
}

// exchangeError tells the caller's cancellation (final) from an attempt
// that ran out of time or lost its connection (transient).
func exchangeError(ctx, actx context.Context, path string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("mimecast %s: %w", path, ctx.Err())
	}
	timeout := errors.Is(actx.Err(), context.DeadlineExceeded)
	return &TransportError{Path: path, Timeout: timeout, Err: stripURL(err)}
}

func (c *Client) interpret(path string, resp *http.Response, raw []byte, authz string) (*response, error) {
	st := resp.StatusCode
	switch {
	case st/100 == 2:
		return decodeAnswer(path, st, raw)
	case st == http.StatusUnauthorized || st == http.StatusForbidden || st == http.StatusTeapot:
		if st == http.StatusUnauthorized && c.tokens != nil {
			c.tokens.invalidate(bearerOf(authz))
		}
		return nil, authErrorFrom(path, st, raw)
	case st == http.StatusTooManyRequests:
		return nil, &RateLimitError{Path: path, Reset: resetOf(resp.Header)}
	}
	msg := envelopeMessage(raw)
	if msg == "" {
		msg = http.StatusText(st)
	}
	return nil, &StatusError{Path: path, Status: st, Message: msg}
}

func decodeAnswer(path string, status int, raw []byte) (*response, error) {
	var r response
	if len(bytes.TrimSpace(raw)) == 0 {
		return &r, nil
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		// A cut-off or garbled answer: the call may have run.
		return nil, &TransportError{Path: path, Err: fmt.Errorf("unreadable answer (HTTP %d): %v", status, err)}
	}
	return &r, r.check(path)
}

func authErrorFrom(path string, status int, raw []byte) *AuthError {
	e := &AuthError{Path: path, Status: status}
	var env struct {
		Fail []Failure `json:"fail"`
	}
	if json.Unmarshal(raw, &env) == nil {
		for _, f := range env.Fail {
			for _, fe := range f.Errors {
				e.Codes = append(e.Codes, fe.Code)
				if e.Message == "" {
					e.Message = fe.Message
				}
			}
		}
	}
	return e
}

func bearerOf(authz string) string {
	const prefix = "Bearer "
	if len(authz) > len(prefix) && authz[:len(prefix)] == prefix {
		return authz[len(prefix):]
	}
	return ""
}

// resetOf reads how long to wait after 429: X-RateLimit-Reset is
// milliseconds (a duration, not an epoch); Retry-After is seconds.
func resetOf(h http.Header) time.Duration {
	if ms, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	if s, err := strconv.ParseInt(h.Get("Retry-After"), 10, 64); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

func (c *Client) noteRateLimit(h http.Header) {
	limit, err := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	if err != nil {
		return
	}
	remaining, _ := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	c.setRateLimit(RateLimit{Limit: limit, Remaining: remaining, Reset: resetOf(h), At: c.opts.Now()})
}
