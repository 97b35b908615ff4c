package fortimail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxReply bounds how much of a reply is read; the largest real replies
// (greylist collections) are far below it.
const maxReply = 32 << 20

// op is one API call.
type op struct {
	name   string // for errors: `get session profile "x"`
	method string
	path   string // under /api/v1/, segments already escaped
	body   any    // nil: no body
	login  bool
}

// result is a reply read in full.
type result struct {
	status int
	body   []byte
}

// do runs o in the current session, renews the session once if the
// appliance says it has expired (401/403) and runs o again, then checks the
// reply and decodes it into out (if not nil). A second refusal is returned:
// it means the admin may not do this, and looping would only hammer the
// appliance.
func (c *Client) do(ctx context.Context, o op, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	res, err := c.send(ctx, s, o)
	if err == nil && res.sessionRefused() {
		if s, err = c.renew(ctx, s); err != nil {
			return err
		}
		res, err = c.send(ctx, s, o)
	}
	if err != nil {
		return transportError(o, err)
	}
	if err := res.check(o); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.body, out); err != nil {
		return fmt.Errorf("fortimail: %s: reply: %w", o.name, err)
	}
	return nil
}

// send makes one HTTP request with the session's cookies and keeps any
// cookie the reply sets.
func (c *Client) send(ctx context.Context, s *session, o op) (*result, error) {
	var body io.Reader
	if o.body != nil {
		data, err := json.Marshal(o.body)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, o.method, c.base+o.path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, ck := range s.jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, err
	}
	s.jar.SetCookies(req.URL, resp.Cookies())
	return &result{status: resp.StatusCode, body: data}, nil
}

func (r *result) sessionRefused() bool {
	return r.status == http.StatusUnauthorized || r.status == http.StatusForbidden
}

// check turns a failed reply into an *APIError. FortiMail may report a
// failure with HTTP 200 and a non-zero errorType, so both are looked at.
func (r *result) check(o op) error {
	var env struct {
		Type json.RawMessage `json:"errorType"`
		Msg  string          `json:"errorMsg"`
	}
	jsonErr := json.Unmarshal(r.body, &env)
	typ := lenientInt(env.Type)
	if r.status < 300 && typ == 0 {
		return nil
	}
	e := &APIError{Op: o.name, Method: o.method, Path: o.path, Status: r.status, Type: typ, Msg: env.Msg, login: o.login}
	if jsonErr != nil {
		e.Msg = snippet(r.body)
	}
	return e
}

// snippet is the start of a non-JSON reply (an HTML error page from a
// proxy, say), on one line.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "?")), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// transportError wraps a failure to get any reply.
func transportError(o op, err error) error {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	return fmt.Errorf("fortimail: %s: %s %s: %w", o.name, o.method, o.path, err)
}

// seg escapes one path segment (an object name may hold '/', '@', '*').
func seg(s string) string { return url.PathEscape(s) }
