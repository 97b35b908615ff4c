// Package mimecasttest is an in-process Mimecast API emulator for tests and
// the demo. It speaks the wire protocol the client speaks — POST /api/...
// with the {meta, data[]} envelope, HMAC-SHA1 (API 1.0) and OAuth2 bearer
// (API 2.0) authentication, cursor paging, rate-limit headers — and keeps
// its state in memory, so a test can act through the client and then look
// at what the server holds.
//
// It is written independently of the client package, from the reference,
// on purpose: sharing the client's types would let a wrong JSON tag pass on
// both sides unnoticed.
//
// Faults can be injected per path (429 with a reset, fail[] errors, 5xx,
// slow answers, and "apply then fail", which runs the function and then
// answers 500 so a test can check that a write is not duplicated).
package mimecasttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/internal/poison"
)

// Options configure a Server. Zero values take the defaults noted.
type Options struct {
	// Credentials the server accepts; random ones are made when empty.
	AppID, AppKey, AccessKey, SecretKey string
	ClientID, ClientSecret              string
	// APIUser is the address of the API's service account: the mailbox a
	// non-admin archive or held-queue call is about (default
	// soc-api@example.com).
	APIUser string
	// TokenTTL is the lifetime of bearer tokens (default 30m).
	TokenTTL time.Duration
	// MaxSkew is how far x-mc-date may be from the server's clock
	// (default 15m).
	MaxSkew time.Duration
	// MaxPageSize caps page sizes, whatever the client asks (default 100);
	// DefaultPageSize is used when it asks for none (default 25).
	MaxPageSize, DefaultPageSize int
	// RateLimit is the calls allowed per credential per RateWindow
	// (default 1000 per minute).
	RateLimit  int
	RateWindow time.Duration
	// Now is the server's clock (default time.Now).
	Now func() time.Time
	// Poison puts hostile text (poison.Payload: escape sequences, C1
	// controls, bidi and invisible characters) at the start of every
	// string the API answers with, and takes it out of what clients send
	// back, so ids and page tokens still work. The token exchange is left
	// alone.
	Poison bool
}

// Credentials are what a client needs to talk to the server.
type Credentials struct {
	AppID, AppKey, AccessKey, SecretKey string
	ClientID, ClientSecret              string
}

// String hides the secret halves, in case a test logs the value.
func (c Credentials) String() string {
	return "mimecasttest.Credentials{AppID " + c.AppID + ", AccessKey " + c.AccessKey + ", ClientID " + c.ClientID + "}"
}

// GoString keeps %#v as quiet as %v.
func (c Credentials) GoString() string { return c.String() }

// String hides the configured secrets.
func (o Options) String() string { return "mimecasttest.Options{APIUser " + o.APIUser + "}" }

// GoString keeps %#v as quiet as %v.
func (o Options) GoString() string { return o.String() }

// Server is a running emulator.
type Server struct {
	opts  Options
	creds Credentials
	http  *httptest.Server

	mu      sync.Mutex
	st      *state
	faults  []*Fault
	counts  map[string]int
	tokens  map[string]time.Time // bearer token -> expiry
	cursors map[string]cursor
	windows map[string]*window
	expired bool // API 1.0 binding expired

	closing   chan struct{} // closed by Close, to end injected waits
	closeOnce sync.Once
}

// New starts a server on a loopback port.
func New(opts Options) *Server {
	s := newServer(opts)
	var h http.Handler = s
	if opts.Poison {
		h = poison.Handler(s, func(path string) bool { return path == "/oauth/token" })
	}
	s.http = httptest.NewServer(h)
	return s
}

func newServer(opts Options) *Server {
	o := withDefaults(opts)
	return &Server{
		opts:    o,
		creds:   Credentials{o.AppID, o.AppKey, o.AccessKey, o.SecretKey, o.ClientID, o.ClientSecret},
		st:      newState(),
		counts:  map[string]int{},
		tokens:  map[string]time.Time{},
		cursors: map[string]cursor{},
		windows: map[string]*window{},
		closing: make(chan struct{}),
	}
}

func withDefaults(o Options) Options {
	fill := func(v *string, f func() string) {
		if *v == "" {
			*v = f()
		}
	}
	fill(&o.AppID, randomUUID)
	fill(&o.AppKey, randomUUID)
	fill(&o.AccessKey, func() string { return "mYtOL3XZCOwG96BO" + randomHex(12) })
	fill(&o.SecretKey, func() string { return base64.StdEncoding.EncodeToString(randomBytes(32)) })
	fill(&o.ClientID, randomUUID)
	fill(&o.ClientSecret, func() string { return randomHex(24) })
	fill(&o.APIUser, func() string { return "soc-api@example.com" })
	if o.TokenTTL <= 0 {
		o.TokenTTL = 30 * time.Minute
	}
	if o.MaxSkew <= 0 {
		o.MaxSkew = 15 * time.Minute
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = 100
	}
	if o.DefaultPageSize <= 0 {
		o.DefaultPageSize = min(25, o.MaxPageSize)
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 1000
	}
	if o.RateWindow <= 0 {
		o.RateWindow = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// String names the server by its URL only.
func (s *Server) String() string { return "mimecasttest.Server{" + s.http.URL + "}" }

// GoString keeps %#v as quiet as %v.
func (s *Server) GoString() string { return s.String() }

// URL is the base URL to give the client (http on 127.0.0.1).
func (s *Server) URL() string { return s.http.URL }

// Close stops the server, cutting short any injected slow answer, and
// waits for requests in flight.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.http.Close()
}

// Credentials returns the credentials the server accepts.
func (s *Server) Credentials() Credentials { return s.creds }

// APIUser is the service account's address.
func (s *Server) APIUser() string { return s.opts.APIUser }

// Requests counts the requests received for path (including refused ones).
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// ExpireBinding makes every later API 1.0 call answer 418
// err_xdk_binding_expired, as when the service user's keys lapse.
func (s *Server) ExpireBinding() {
	s.mu.Lock()
	s.expired = true
	s.mu.Unlock()
}

// RevokeTokens forgets every bearer token issued so far, as if they had
// expired early on the server side.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	clear(s.tokens)
	s.mu.Unlock()
}

// ServeHTTP routes one request through counting, auth, rate limiting,
// faults and the operation's handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Read the body first: net/http notices a client hanging up only once
	// the body has been consumed, and a slow fault must end when it does.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "err_request_unreadable", "request body unreadable")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.counts[r.URL.Path]++
	s.mu.Unlock()
	if r.URL.Path == "/oauth/token" {
		s.serveToken(w, r)
		return
	}
	s.serveAPI(w, r)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	h, ok := routes[r.URL.Path]
	if !ok {
		writeError(w, http.StatusNotFound, "err_path_not_found", "no such API path")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "err_method_not_allowed", "API calls are POST")
		return
	}
	who, fail := s.authenticate(r)
	if fail != nil {
		writeError(w, fail.status, fail.code, fail.message)
		return
	}
	if !s.admit(w, who) {
		return
	}
	s.serveWithFaults(w, r, h)
}

// nextID makes an opaque id in the style of Mimecast secure ids ("eNo...").
func nextID() string {
	return "eNo1" + base64.RawURLEncoding.EncodeToString(randomBytes(30))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

func randomUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// wait sleeps d unless the request ends or the server closes first, and
// reports whether the request should still be answered.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}
