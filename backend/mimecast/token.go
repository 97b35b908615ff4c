package mimecast

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// defaultTokenLifetime is assumed when the token answer has no expires_in:
// integrators report 30 to 60 minutes, so 15 is safely short.
const defaultTokenLifetime = 15 * time.Minute

// tokenSource caches one API 2.0 bearer token and refreshes it shortly
// before it expires. Concurrent callers share one refresh: the token
// endpoint is rate limited too, and a burst of screens opening at once
// must not fetch ten tokens.
type tokenSource struct {
	url      string
	clientID string
	secret   SecretFunc
	http     *http.Client
	now      func() time.Time
	timeout  time.Duration

	mu      sync.Mutex
	tok     string
	refresh time.Time // when to fetch a new one
	flight  *tokenFlight
}

type tokenFlight struct {
	done chan struct{}
	tok  string
	err  error
}

func newTokenSource(u, id string, secret SecretFunc, hc *http.Client, now func() time.Time, timeout time.Duration) *tokenSource {
	return &tokenSource{url: u, clientID: id, secret: secret, http: hc, now: now, timeout: timeout}
}

// String never shows the token.
func (ts *tokenSource) String() string { return "mimecast token source for " + ts.url }

// token returns a valid token, fetching one if needed. A caller whose ctx
// ends stops waiting; the shared fetch carries on for the others.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	if ts.tok != "" && ts.now().Before(ts.refresh) {
		tok := ts.tok
		ts.mu.Unlock()
		return tok, nil
	}
	f := ts.flight
	if f == nil {
		f = &tokenFlight{done: make(chan struct{})}
		ts.flight = f
		go ts.fetch(context.WithoutCancel(ctx), f)
	}
	ts.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// invalidate drops tok after the server refused it, unless another caller
// has already replaced it.
func (ts *tokenSource) invalidate(tok string) {
	ts.mu.Lock()
	if ts.tok == tok {
		ts.tok = ""
	}
	ts.mu.Unlock()
}

func (ts *tokenSource) fetch(ctx context.Context, f *tokenFlight) {
	ctx, cancel := context.WithTimeout(ctx, ts.timeout)
	defer cancel()
	start := ts.now()
	tok, life, err := ts.request(ctx)
	ts.mu.Lock()
	if err == nil {
		ts.tok = tok
		ts.refresh = start.Add(life - refreshMargin(life))
	}
	ts.flight = nil
	ts.mu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

// refreshMargin renews a fifth of the lifetime early, at most five minutes,
// so a request signed just before expiry does not arrive just after it.
func refreshMargin(life time.Duration) time.Duration {
	return min(life/5, 5*time.Minute)
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (ts *tokenSource) request(ctx context.Context) (string, time.Duration, error) {
	secret, err := ts.secret(ctx)
	if err != nil {
		return "", 0, &AuthError{Path: "/oauth/token", Message: fmt.Sprintf("client secret: %v", err)}
	}
	form := url.Values{"client_id": {ts.clientID}, "client_secret": {secret}, "grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("mimecast token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := ts.http.Do(req)
	if err != nil {
		return "", 0, &TransportError{Path: "/oauth/token", Err: stripURL(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, &TransportError{Path: "/oauth/token", Err: err}
	}
	return parseToken(resp.StatusCode, body)
}

func parseToken(status int, body []byte) (string, time.Duration, error) {
	var ans tokenAnswer
	jsonErr := json.Unmarshal(body, &ans)
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden:
		msg := strings.TrimSpace(ans.Error + " " + ans.Description)
		if msg == "" {
			msg = envelopeMessage(body)
		}
		return "", 0, &AuthError{Path: "/oauth/token", Status: status, Message: msg}
	case status != http.StatusOK:
		return "", 0, &StatusError{Path: "/oauth/token", Status: status}
	case jsonErr != nil || ans.AccessToken == "":
		return "", 0, &StatusError{Path: "/oauth/token", Status: status, Message: "answer has no access_token"}
	}
	life := time.Duration(ans.ExpiresIn) * time.Second
	if life <= 0 {
		life = defaultTokenLifetime
	}
	return ans.AccessToken, life, nil
}
