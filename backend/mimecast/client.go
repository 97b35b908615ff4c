package mimecast

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// AuthMode selects the API generation's authentication.
type AuthMode string

// Authentication modes, spelt as in the configuration file.
const (
	AuthHMAC   AuthMode = "hmac"   // API 1.0: HMAC-SHA1 signed requests
	AuthOAuth2 AuthMode = "oauth2" // API 2.0: client-credentials bearer token
)

// SecretFunc returns a secret when a request needs it. The client calls it
// instead of keeping the value, so no struct it owns can leak one into a
// log line or an error.
type SecretFunc func(ctx context.Context) (string, error)

// Options configure a Client. Zero values take the defaults noted.
type Options struct {
	// BaseURL is the regional API host, e.g. https://eu-api.mimecast.com.
	// It must be https, except http to a loopback address (emulators).
	BaseURL string
	Auth    AuthMode

	// API 1.0 credentials.
	AppID     string
	AppKey    SecretFunc
	AccessKey string
	SecretKey SecretFunc

	// API 2.0 credentials.
	ClientID     string
	ClientSecret SecretFunc
	// TokenURL defaults to BaseURL + "/oauth/token".
	TokenURL string

	// HTTPClient defaults to a client with no overall timeout (each attempt
	// is bounded by AttemptTimeout instead).
	HTTPClient *http.Client
	// Now is the clock for x-mc-date and token expiry (default time.Now).
	Now func() time.Time
	// RequestID makes x-mc-req-id values (default random UUIDv4).
	RequestID func() string
	// Sleep waits between attempts (default a timer that gives up when ctx
	// is done). Tests replace it to observe waits without taking them.
	Sleep func(ctx context.Context, d time.Duration) error

	// MaxRetries bounds retries of a read after 5xx or timeouts (default 3;
	// negative means none).
	MaxRetries int
	// RetryBase and RetryMax shape the exponential back-off (default 500ms
	// and 10s); each wait is jittered between half and all of its step.
	RetryBase, RetryMax time.Duration
	// MaxRateLimitWait caps one wait after 429 (default 1m); a longer reset
	// is returned as *RateLimitError rather than freezing a screen.
	MaxRateLimitWait time.Duration
	// MaxRateLimitRetries bounds consecutive 429 answers (default 5).
	MaxRateLimitRetries int
	// AttemptTimeout bounds one HTTP attempt (default 60s).
	AttemptTimeout time.Duration
	// PageSize is asked for on list calls (default 100).
	PageSize int
	// UserAgent defaults to "mailtriage".
	UserAgent string
}

// Client calls one Mimecast tenant. It is safe for concurrent use.
type Client struct {
	opts    Options
	base    string // scheme://host[:port], no trailing slash
	tokens  *tokenSource
	limitMu sync.Mutex
	limit   RateLimit
}

// New checks opts and returns a client. It does not contact the server.
func New(opts Options) (*Client, error) {
	base, err := checkBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := checkCredentials(&opts); err != nil {
		return nil, err
	}
	o := withDefaults(opts)
	c := &Client{opts: o, base: base}
	if o.Auth == AuthOAuth2 {
		tokenURL := o.TokenURL
		if tokenURL == "" {
			tokenURL = base + "/oauth/token"
		} else if _, err := checkBaseURL(tokenURL); err != nil {
			return nil, fmt.Errorf("mimecast token URL: %w", err)
		}
		c.tokens = newTokenSource(tokenURL, o.ClientID, o.ClientSecret, o.HTTPClient, o.Now, o.AttemptTimeout)
	}
	return c, nil
}

func withDefaults(o Options) Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RequestID == nil {
		o.RequestID = newUUID
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 3
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	o.RetryBase = orDefault(o.RetryBase, 500*time.Millisecond)
	o.RetryMax = orDefault(o.RetryMax, 10*time.Second)
	o.MaxRateLimitWait = orDefault(o.MaxRateLimitWait, time.Minute)
	o.AttemptTimeout = orDefault(o.AttemptTimeout, time.Minute)
	if o.MaxRateLimitRetries <= 0 {
		o.MaxRateLimitRetries = 5
	}
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	if o.UserAgent == "" {
		o.UserAgent = "mailtriage"
	}
	return o
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// checkBaseURL refuses plain http except to loopback: the API 1.0 headers
// are replayable for as long as the date is fresh, and a bearer token is a
// credential outright.
func checkBaseURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("mimecast base URL: missing (e.g. https://eu-api.mimecast.com)")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("mimecast base URL %q: not a URL like https://eu-api.mimecast.com", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("mimecast base URL %q: must be only a scheme, host and path", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("mimecast base URL %q: plain http is allowed to loopback only; use https", raw)
		}
	default:
		return "", fmt.Errorf("mimecast base URL %q: scheme %q is not https", raw, u.Scheme)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkCredentials(o *Options) error {
	var missing []string
	need := func(ok bool, name string) {
		if !ok {
			missing = append(missing, name)
		}
	}
	switch o.Auth {
	case AuthHMAC:
		need(o.AppID != "", "AppID")
		need(o.AppKey != nil, "AppKey")
		need(o.AccessKey != "", "AccessKey")
		need(o.SecretKey != nil, "SecretKey")
	case AuthOAuth2:
		need(o.ClientID != "", "ClientID")
		need(o.ClientSecret != nil, "ClientSecret")
	default:
		return fmt.Errorf("mimecast auth %q: want %q or %q", o.Auth, AuthHMAC, AuthOAuth2)
	}
	if len(missing) > 0 {
		return fmt.Errorf("mimecast %s auth: missing %s", o.Auth, strings.Join(missing, ", "))
	}
	return nil
}

// String names the tenant and auth mode only, so a client printed into a
// log reveals nothing that opens the account.
func (c *Client) String() string {
	return fmt.Sprintf("mimecast.Client{%s, auth %s}", c.base, c.opts.Auth)
}

// GoString keeps %#v as quiet as %v.
func (c *Client) GoString() string { return c.String() }

// BaseURL is the API host the client talks to.
func (c *Client) BaseURL() string { return c.base }

// Auth is the client's authentication mode.
func (c *Client) Auth() AuthMode { return c.opts.Auth }

// RateLimit is the quota the server reported on its last answer.
type RateLimit struct {
	Limit     int           // X-RateLimit-Limit; 0 when not reported
	Remaining int           // X-RateLimit-Remaining
	Reset     time.Duration // X-RateLimit-Reset: time until a call is allowed again
	At        time.Time     // when it was reported
}

// RateLimit returns the last quota the server reported, for a status bar.
func (c *Client) RateLimit() RateLimit {
	c.limitMu.Lock()
	defer c.limitMu.Unlock()
	return c.limit
}

func (c *Client) setRateLimit(rl RateLimit) {
	c.limitMu.Lock()
	c.limit = rl
	c.limitMu.Unlock()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
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
