// Package oauth gets Microsoft Entra ID access tokens for the Graph and
// Exchange Online (IMAP/SMTP XOAUTH2) backends: client credentials for
// unattended app-only access, device code for an analyst at a terminal
// (the prompt — URL and code — is handed to a callback so the console or
// the CLI can show it). Tokens are cached 0600 in the user's state
// directory and refreshed with the refresh token where there is one.
//
// Written on net/http rather than golang.org/x/oauth2: the three grants are
// a form POST each, and the cache file and the prompt callback would have
// needed wrapping anyway.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultAuthority is Entra ID's global login endpoint.
const DefaultAuthority = "https://login.microsoftonline.com"

// Flow is how a token is obtained.
type Flow string

// Flows.
const (
	ClientCredentials Flow = "client_credentials" // app-only, with a client secret
	DeviceCode        Flow = "device"             // delegated, the analyst signs in in a browser
)

// DevicePrompt is what the analyst must do to finish a device-code sign-in.
type DevicePrompt struct {
	URL     string // where to sign in
	Code    string // the code to type there
	Message string // Entra's own sentence saying both
	Expires time.Time
}

// Config describes one app registration and the token it should get.
type Config struct {
	Authority string // default DefaultAuthority
	Tenant    string // tenant id or domain ("organizations" for any)
	ClientID  string
	// ClientSecret is asked for when a client-credentials token is needed.
	ClientSecret func(ctx context.Context) (string, error)
	Flow         Flow
	// Scopes: for client credentials one "<resource>/.default"; for the
	// device flow delegated scopes plus offline_access (for a refresh
	// token).
	Scopes []string
	// Prompt shows the device-code instructions; required for DeviceCode.
	Prompt func(DevicePrompt)
	// CachePath is the token cache file ("" keeps tokens in memory only).
	CachePath  string
	HTTPClient *http.Client
}

// Token is a cached token.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry"`
	// Skew is how long before Expiry the token is renewed.
	Skew time.Duration `json:"skew"`
	// ClientID and Scope say what the token was for, so a cache file
	// written for another registration or resource is not reused.
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

func (t *Token) valid(now time.Time) bool {
	return t != nil && t.AccessToken != "" && now.Before(t.Expiry.Add(-t.Skew))
}

// Source hands out access tokens, from its cache while they are valid.
// It is safe for concurrent use; one sign-in runs at a time.
type Source struct {
	cfg Config
	mu  sync.Mutex
	tok *Token
}

// New returns a Source for cfg; nothing is requested until Token.
func New(cfg Config) *Source {
	if cfg.Authority == "" {
		cfg.Authority = DefaultAuthority
	}
	cfg.Authority = strings.TrimRight(cfg.Authority, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	return &Source{cfg: cfg}
}

func (s *Source) scope() string { return strings.Join(s.cfg.Scopes, " ") }

func (s *Source) endpoint(name string) string {
	return s.cfg.Authority + "/" + url.PathEscape(s.cfg.Tenant) + "/oauth2/v2.0/" + name
}

// Token returns a valid access token: cached, refreshed, or from a new
// sign-in (which, for the device flow, calls Prompt and waits for the
// analyst).
func (s *Source) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.tok == nil {
		s.tok = s.load()
	}
	if s.tok.valid(now) {
		return s.tok.AccessToken, nil
	}
	var tok *Token
	var err error
	if s.tok != nil && s.tok.RefreshToken != "" {
		tok, err = s.grant(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.tok.RefreshToken}, "scope": {s.scope()}})
		var oe *Error
		if err != nil && !(errors.As(err, &oe) && oe.Code == "invalid_grant") {
			return "", err
		}
		// invalid_grant: the refresh token expired or was revoked; sign
		// in afresh below.
	}
	if tok == nil {
		switch s.cfg.Flow {
		case ClientCredentials:
			tok, err = s.clientCredentials(ctx)
		case DeviceCode:
			tok, err = s.deviceCode(ctx)
		default:
			err = fmt.Errorf("unknown sign-in flow %q", s.cfg.Flow)
		}
		if err != nil {
			return "", err
		}
	}
	if tok.RefreshToken == "" && s.tok != nil && s.cfg.Flow == DeviceCode {
		tok.RefreshToken = s.tok.RefreshToken
	}
	s.tok = tok
	s.save(tok)
	return tok.AccessToken, nil
}

// Reject drops the access token a server refused (401: revoked before
// its stated expiry) from memory and from the cache file, keeping a
// refresh token, so that the next Token call gets a new one. A token
// other than the cached one (already replaced) is ignored.
func (s *Source) Reject(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		s.tok = s.load()
	}
	if s.tok == nil || s.tok.AccessToken != token {
		return
	}
	if s.tok.RefreshToken == "" {
		s.tok = nil
		s.remove()
		return
	}
	kept := *s.tok
	kept.AccessToken, kept.Expiry = "", time.Time{}
	s.tok = &kept
	s.save(&kept)
}

// SignedIn reports whether a token can be had without a sign-in that
// needs the analyst: a valid cached token or a refresh token.
func (s *Source) SignedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		s.tok = s.load()
	}
	return s.tok.valid(time.Now()) || s.tok != nil && s.tok.RefreshToken != ""
}

// Flow is the source's sign-in flow.
func (s *Source) Flow() Flow { return s.cfg.Flow }

// Error is Entra ID's refusal: {"error","error_description"}.
type Error struct {
	Status      int
	Code        string
	Description string
}

func (e *Error) Error() string {
	d := e.Description
	if i := strings.IndexAny(d, "\r\n"); i >= 0 {
		d = d[:i]
	}
	return fmt.Sprintf("sign-in refused: %s: %s", e.Code, d)
}

func (s *Source) clientCredentials(ctx context.Context) (*Token, error) {
	if s.cfg.ClientSecret == nil {
		return nil, errors.New("client credentials need a client secret")
	}
	secret, err := s.cfg.ClientSecret(ctx)
	if err != nil {
		return nil, err
	}
	return s.grant(ctx, url.Values{"grant_type": {"client_credentials"}, "client_secret": {secret}, "scope": {s.scope()}})
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

// post sends a form to an endpoint and decodes the answer; an error answer
// comes back as *Error.
func (s *Source) post(ctx context.Context, endpoint string, form url.Values, out any) error {
	form.Set("client_id", s.cfg.ClientID)
	status, body, err := s.exchange(ctx, endpoint, form)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		var e tokenAnswer
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return &Error{Status: status, Code: e.Error, Description: e.Description}
		}
		return &Error{Status: status, Code: http.StatusText(status), Description: strings.TrimSpace(string(body))}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("unreadable answer from %s: %w", endpoint, err)
	}
	return nil
}

// exchange posts the form, trying again after a broken link (a token
// request changes nothing that a second one would harm) with back-off:
// three tries in all.
func (s *Source) exchange(ctx context.Context, endpoint string, form url.Values) (int, []byte, error) {
	var lastErr error
	for attempt := range 3 {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(250<<attempt) * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return 0, nil, ctx.Err()
			case <-t.C:
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := s.cfg.HTTPClient.Do(req)
		if err == nil {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if rerr == nil {
				return resp.StatusCode, body, nil
			}
			err = rerr
		}
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		lastErr = fmt.Errorf("sign-in at %s: %w", s.cfg.Authority, err)
	}
	return 0, nil, lastErr
}

func (s *Source) grant(ctx context.Context, form url.Values) (*Token, error) {
	var a tokenAnswer
	if err := s.post(ctx, s.endpoint("token"), form, &a); err != nil {
		return nil, err
	}
	if a.AccessToken == "" {
		return nil, errors.New("sign-in answer carries no access token")
	}
	life := time.Duration(a.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	return &Token{AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, Expiry: time.Now().Add(life),
		Skew: min(time.Minute, life/10), ClientID: s.cfg.ClientID, Scope: s.scope()}, nil
}

func (s *Source) deviceCode(ctx context.Context) (*Token, error) {
	if s.cfg.Prompt == nil {
		return nil, errors.New("the device-code sign-in needs somewhere to show its prompt")
	}
	var dc struct {
		DeviceCode      string `json:"device_code"`
		UserCode        string `json:"user_code"`
		VerificationURI string `json:"verification_uri"`
		ExpiresIn       int64  `json:"expires_in"`
		Interval        int64  `json:"interval"`
		Message         string `json:"message"`
	}
	if err := s.post(ctx, s.endpoint("devicecode"), url.Values{"scope": {s.scope()}}, &dc); err != nil {
		return nil, err
	}
	expires := time.Now().Add(time.Duration(dc.ExpiresIn) * time.Second)
	s.cfg.Prompt(DevicePrompt{URL: dc.VerificationURI, Code: dc.UserCode, Message: dc.Message, Expires: expires})
	interval := time.Duration(dc.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	for {
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("device sign-in abandoned: %w", ctx.Err())
		case <-t.C:
		}
		tok, err := s.grant(ctx, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dc.DeviceCode}})
		var oe *Error
		switch {
		case err == nil:
			return tok, nil
		case errors.As(err, &oe) && oe.Code == "authorization_pending":
		case errors.As(err, &oe) && oe.Code == "slow_down":
			interval += 5 * time.Second
		default:
			return nil, err
		}
		if time.Now().After(expires) {
			return nil, errors.New("device sign-in expired before it was completed; try again")
		}
	}
}

// load reads the cache; a missing, unreadable or foreign file is no token.
func (s *Source) load() *Token {
	if s.cfg.CachePath == "" {
		return nil
	}
	b, err := os.ReadFile(s.cfg.CachePath)
	if err != nil {
		return nil
	}
	var t Token
	if json.Unmarshal(b, &t) != nil || t.ClientID != s.cfg.ClientID || t.Scope != s.scope() {
		return nil
	}
	return &t
}

// save writes the cache 0600 in a 0700 directory, atomically. A cache
// that cannot be written costs a sign-in next time, nothing more.
func (s *Source) save(t *Token) {
	if s.cfg.CachePath == "" {
		return
	}
	b, err := json.Marshal(t)
	if err != nil {
		return
	}
	dir := filepath.Dir(s.cfg.CachePath)
	if os.MkdirAll(dir, 0o700) != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".token-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Chmod(f.Name(), 0o600) != nil || os.Rename(f.Name(), s.cfg.CachePath) != nil {
		os.Remove(f.Name())
	}
}

// remove deletes the cache file, if any.
func (s *Source) remove() {
	if s.cfg.CachePath != "" {
		_ = os.Remove(s.cfg.CachePath)
	}
}

// CachePath is where the token of an account for one resource is kept:
// $XDG_STATE_HOME/mailtriage/tokens/<account>-<resource>.json, or under
// ~/.local/state.
func CachePath(account, resource string) (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("token cache: no home directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
				return r
			}
			return '_'
		}, s)
	}
	return filepath.Join(dir, "mailtriage", "tokens", clean(account)+"-"+clean(resource)+".json"), nil
}

// Scopes for the resources the console uses.
const (
	GraphDelegatedScopes = "Mail.ReadWrite offline_access"
	OutlookAppScope      = "https://outlook.office365.com/.default"
	OutlookDelegated     = "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
)

// GraphScopes returns the scopes for Graph at baseURL (its host names the
// resource, so national clouds work): "<origin>/.default" for app-only,
// the delegated mail scopes otherwise.
func GraphScopes(flow Flow, baseURL string) []string {
	origin := "https://graph.microsoft.com"
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		origin = u.Scheme + "://" + u.Host
	}
	if flow == ClientCredentials {
		return []string{origin + "/.default"}
	}
	out := []string{}
	for _, s := range strings.Fields(GraphDelegatedScopes) {
		if s != "offline_access" {
			s = origin + "/" + s
		}
		out = append(out, s)
	}
	return out
}

// OutlookScopes returns the scopes for Exchange Online IMAP and SMTP.
func OutlookScopes(flow Flow) []string {
	if flow == ClientCredentials {
		return []string{OutlookAppScope}
	}
	return strings.Fields(OutlookDelegated)
}
