package fortimail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options says how to reach and log in to one FortiMail appliance.
type Options struct {
	// URL is the appliance's base URL, e.g. "https://fortimail.example.com";
	// a trailing "/api/v1" is accepted.
	URL      string
	Username string
	// Password is asked for at each login, so the secret stays with whoever
	// resolved it and is never held in a printable struct or an error here.
	Password func(ctx context.Context) (string, error)
	// VerifyTLS checks the appliance's certificate; nil means true.
	// Appliances often ship self-signed certificates: prefer RootCAs to
	// turning verification off.
	VerifyTLS *bool
	// RootCAs replaces the system roots (for a private CA or a test server).
	RootCAs *x509.CertPool
	// HTTPClient, when set, is used for its transport and TLS settings as
	// given; VerifyTLS and RootCAs are then ignored. Its cookie jar is not
	// used: the client keeps the session itself.
	HTTPClient *http.Client
	// Timeout bounds each call, a renewed login included (default 30s).
	Timeout time.Duration
	// Version is the firmware version to assume ("6.4", "7.2.0"). Empty
	// means the one AdminLogin reports. It picks the sender list resource:
	// UserMaillist before 7.0, SenderListV2 from 7.0 on.
	Version string
	// AllowHTTP permits a plain-http URL to a host other than loopback.
	// Without it such a URL is refused, because the admin password would
	// cross the network in clear text.
	AllowHTTP bool
}

// Client talks to one appliance. It is safe for concurrent use; calls share
// one login session.
type Client struct {
	base     string // scheme://host[:port]/api/v1/
	username string
	password func(ctx context.Context) (string, error)
	hc       *http.Client
	timeout  time.Duration
	version  Version // configured; zero means detect

	mu       sync.Mutex
	sess     *session
	inflight *loginCall
}

// New checks opts and returns a Client; it does not connect yet.
func New(opts Options) (*Client, error) {
	base, err := baseURL(opts.URL, opts.AllowHTTP)
	if err != nil {
		return nil, err
	}
	if opts.Username == "" {
		return nil, errors.New("fortimail: no username")
	}
	if opts.Password == nil {
		return nil, errors.New("fortimail: no password source")
	}
	c := &Client{base: base, username: opts.Username, password: opts.Password, timeout: opts.Timeout}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	if opts.Version != "" {
		if c.version, err = ParseVersion(opts.Version); err != nil {
			return nil, fmt.Errorf("fortimail: version: %w", err)
		}
	}
	c.hc = httpClient(opts)
	return c, nil
}

// baseURL validates the configured URL and returns the API root.
func baseURL(raw string, allowHTTP bool) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("fortimail: url %q: want https://host[:port]", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowHTTP && !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("fortimail: url %q: plain http to a remote host would send the password in clear text; use https", raw)
		}
	default:
		return "", fmt.Errorf("fortimail: url %q: scheme must be https or http", raw)
	}
	path := strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v1")
	return u.Scheme + "://" + u.Host + path + "/api/v1/", nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpClient builds the transport. Redirects are not followed: the API
// never redirects, and following one could carry the login body elsewhere.
func httpClient(opts Options) *http.Client {
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{
			RootCAs:            opts.RootCAs,
			InsecureSkipVerify: opts.VerifyTLS != nil && !*opts.VerifyTLS, //nolint:gosec // the analyst's explicit choice
			MinVersion:         tls.VersionTLS12,
		}
		hc.Transport = tr
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// Version returns the firmware version in use: the configured one, else
// the one the last login reported (zero before the first login).
func (c *Client) Version() Version {
	if !c.version.IsZero() {
		return c.version
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return Version{}
	}
	return c.sess.info.version()
}
