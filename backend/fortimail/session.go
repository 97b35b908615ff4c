package fortimail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
)

// session is one AdminLogin: the cookie jar holding its APSCOOKIE (the name
// may carry a suffix on newer builds, so every cookie of the login reply is
// kept and replayed) and what the appliance said about itself.
type session struct {
	jar  *cookiejar.Jar
	info LoginInfo
}

// loginCall is a login in progress that concurrent callers wait for.
type loginCall struct {
	done chan struct{}
	sess *session
	err  error
}

// LoginInfo is what AdminLogin tells about the appliance and the admin.
// Secrets echoed by the appliance (masked password, csrf_token) are dropped.
type LoginInfo struct {
	Name           string `json:"name"`
	Domain         string `json:"domain"`
	ProductName    string `json:"product_name"`
	ProductVersion string `json:"product_version"`
	Hostname       string `json:"hostname"`
	Model          string `json:"model"`
	Serial         string `json:"serial"`
	IsSuperAdmin   bool   `json:"is_superadmin"`
	// PostLoginBanner means a second login confirms a banner (handled here).
	PostLoginBanner bool `json:"post_login_banner"`

	Extra map[string]json.RawMessage `json:"-"`
}

// secretLoginKeys are echoed by AdminLogin but must not be kept.
var secretLoginKeys = []string{"password", "new_password", "token", "csrf_token", "magic_number"}

// UnmarshalJSON decodes the wire form, keeping unknown keys in Extra.
func (l *LoginInfo) UnmarshalJSON(b []byte) error {
	if err := decodeObject(b, l); err != nil {
		return err
	}
	for _, k := range secretLoginKeys {
		delete(l.Extra, k)
	}
	return nil
}

func (l LoginInfo) version() Version {
	v, _ := ParseVersion(l.ProductVersion)
	return v
}

// Login logs in now unless a session exists, and says what the appliance
// reported. Calls log in by themselves; this is for a "connect" step that
// wants to show the firmware version or a refused password early.
func (c *Client) Login(ctx context.Context) (LoginInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	s, err := c.session(ctx)
	if err != nil {
		return LoginInfo{}, err
	}
	return s.info, nil
}

// Logout ends the session on the appliance, which caps concurrent REST
// sessions, so the console calls it on exit. Without a session it does
// nothing. The session is forgotten even when the appliance does not
// answer.
func (c *Client) Logout(ctx context.Context) error {
	c.mu.Lock()
	if call := c.inflight; call != nil {
		// A login under way would otherwise leave a session behind.
		c.mu.Unlock()
		select {
		case <-call.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.mu.Lock()
	}
	s := c.sess
	c.sess = nil
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	o := op{name: "log out", method: http.MethodDelete, path: "AdminLogin"}
	res, err := c.send(ctx, s, o)
	if err != nil {
		return transportError(o, err)
	}
	if res.sessionRefused() {
		return nil // already expired: nothing left to end
	}
	return res.check(o)
}

// session returns the current session, logging in if there is none.
func (c *Client) session(ctx context.Context) (*session, error) {
	c.mu.Lock()
	if s := c.sess; s != nil {
		c.mu.Unlock()
		return s, nil
	}
	return c.joinLogin(ctx)
}

// renew replaces stale, which the appliance no longer accepts, with a new
// session. If another call already renewed it, that session is used: many
// calls meeting one expiry cause one login.
func (c *Client) renew(ctx context.Context, stale *session) (*session, error) {
	c.mu.Lock()
	if c.sess != nil && c.sess != stale {
		s := c.sess
		c.mu.Unlock()
		return s, nil
	}
	c.sess = nil
	return c.joinLogin(ctx)
}

// joinLogin waits for the login in progress, starting one if none is. The
// login runs on its own goroutine, detached from the caller's cancellation
// (but bounded by the timeout), so a caller that gives up does not fail the
// others waiting on the same login. c.mu must be held; it is released.
func (c *Client) joinLogin(ctx context.Context) (*session, error) {
	call := c.inflight
	if call == nil {
		call = &loginCall{done: make(chan struct{})}
		c.inflight = call
		go c.runLogin(context.WithoutCancel(ctx), call)
	}
	c.mu.Unlock()
	select {
	case <-call.done:
		return call.sess, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Client) runLogin(ctx context.Context, call *loginCall) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	s, err := c.login(ctx)
	c.mu.Lock()
	c.inflight = nil
	if err == nil {
		c.sess = s
	}
	c.mu.Unlock()
	call.sess, call.err = s, err
	close(call.done)
}

// login performs AdminLogin, confirming the post-login banner when the
// appliance asks for it (a second AdminLogin with reqAction 7 sent with
// the first cookie; the cookie of that reply is the session).
func (c *Client) login(ctx context.Context) (*session, error) {
	pw, err := c.password(ctx)
	if err != nil {
		return nil, fmt.Errorf("fortimail: password for %q: %w", c.username, err)
	}
	jar, _ := cookiejar.New(nil)
	s := &session{jar: jar}
	body := map[string]any{"name": c.username, "password": pw}
	if err := c.postLogin(ctx, s, body, pw); err != nil {
		return nil, err
	}
	if s.info.PostLoginBanner {
		body["reqAction"] = 7
		if err := c.postLogin(ctx, s, body, pw); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (c *Client) postLogin(ctx context.Context, s *session, body map[string]any, pw string) error {
	o := op{name: fmt.Sprintf("log in as %q", c.username), method: http.MethodPost, path: "AdminLogin", body: body, login: true}
	res, err := c.send(ctx, s, o)
	if err != nil {
		return transportError(o, err)
	}
	if err := res.check(o); err != nil {
		return scrub(err, pw)
	}
	if err := json.Unmarshal(res.body, &s.info); err != nil {
		return fmt.Errorf("fortimail: %s: reply: %w", o.name, err)
	}
	return nil
}

// scrub removes the password from an appliance message, in case a firmware
// echoes what it was sent.
func scrub(err error, pw string) error {
	if e, ok := err.(*APIError); ok && pw != "" && strings.Contains(e.Msg, pw) {
		e.Msg = strings.ReplaceAll(e.Msg, pw, "******")
	}
	return err
}
