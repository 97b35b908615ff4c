// Package fortimailtest is an in-process emulator of the FortiMail REST API
// (/api/v1) for tests and the demo: AdminLogin with an APSCOOKIE session
// that expires, the connector's resources with FortiMail's envelopes and
// error bodies, state in memory, field validation, fault injection, and a
// log of what clients sent.
//
// It reproduces what is known of the wire protocol. Where the real
// appliance's behaviour was never captured (the errorType of a validation
// failure, greylist item fields), the emulator's choice is marked
// "invented" so nobody mistakes it for FortiMail's.
package fortimailtest

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/internal/poison"
)

// Options configure a Server. The zero value is a plain-HTTP 7.4 appliance
// whose sessions last until ExpireSessions.
type Options struct {
	// TLS serves HTTPS with httptest's self-signed certificate: clients
	// must trust Certificate() or turn verification off.
	TLS bool
	// Username and Password of the one admin (default "admin" and
	// "fortimail-demo").
	Username, Password string
	// Version is the product_version AdminLogin reports (default "7.4.2").
	// Before 7.0 the sender lists are served as UserMaillist, from 7.0 on
	// as SenderListV2, and only that one.
	Version string
	// IdleTimeout ends a session unused for this long, as the appliance's
	// admin idle timeout does; 0 means sessions never time out.
	IdleTimeout time.Duration
	// Now is the clock of the idle timeout (default time.Now), so tests
	// can move time instead of sleeping.
	Now func() time.Time
	// PostLoginBanner makes AdminLogin ask for the banner confirmation (a
	// second login with reqAction 7) before the session is usable.
	PostLoginBanner bool
	// PageSize is the most items one collection reply holds (default
	// DefaultPageSize); larger collections are paged.
	PageSize int
	// Poison puts hostile text (poison.Payload: escape sequences, C1
	// controls, bidi and invisible characters) at the start of every
	// string the API answers with, and takes it out of what clients send
	// back, so names and ids still work. AdminLogin is left alone.
	Poison bool
}

// Server is a running emulator.
type Server struct {
	opts Options
	ts   *httptest.Server

	mu       sync.Mutex
	st       *state
	sessions map[string]*apiSession // cookie value → session
	faults   []*Fault
	log      []Request
	logins   int
	refused  int
}

// Request is one request as the emulator received it. The password of a
// login is masked.
type Request struct {
	Method string
	Path   string // as sent, e.g. /api/v1/ProfSession/Inbound_Session/
	Query  string // the raw query as sent, e.g. startIndex=1000&pageSize=1000
	Body   []byte // JSON as sent; nil when there was none
	Status int    // the status the emulator answered
}

// Fields decodes the body as a JSON object (nil if it is not one): the
// keys a PUT carried, for instance.
func (r Request) Fields() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return nil
	}
	return m
}

// New starts a server on a loopback port, seeded with DefaultSeed.
func New(opts Options) *Server {
	if opts.Username == "" {
		opts.Username = "admin"
	}
	if opts.Password == "" {
		opts.Password = "fortimail-demo"
	}
	if opts.Version == "" {
		opts.Version = "7.4.2"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	s := &Server{opts: opts, sessions: map[string]*apiSession{}}
	s.Seed(DefaultSeed())
	var h http.Handler = s
	if opts.Poison {
		h = poison.Handler(s, func(path string) bool { return strings.Contains(strings.ToLower(path), "/adminlogin") })
	}
	if opts.TLS {
		s.ts = httptest.NewTLSServer(h)
	} else {
		s.ts = httptest.NewServer(h)
	}
	return s
}

// URL is the base URL to configure a client with (no /api/v1).
func (s *Server) URL() string { return s.ts.URL }

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// Certificate is the server's TLS certificate (nil without TLS).
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// Client is an http.Client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Username is the admin's login name.
func (s *Server) Username() string { return s.opts.Username }

// Password is the admin's password.
func (s *Server) Password() string { return s.opts.Password }

// Requests returns every request received so far, logins included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetRequests forgets the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Logins counts successful logins (a banner login counts once).
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// RefusedLogins counts logins refused for wrong credentials.
func (s *Server) RefusedLogins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() { s.record(r, body, rec.status) }()

	segs, ok := apiSegments(r.URL)
	if !ok {
		writeError(rec, http.StatusNotFound, errNotFound, "Failed to retrieve object ")
		return
	}
	answered, pg := s.applyFault(rec, r, segs)
	if answered {
		return
	}
	r = withPaging(r, pg)
	if strings.EqualFold(segs[0], "AdminLogin") && len(segs) == 1 {
		s.serveLogin(rec, r, body)
		return
	}
	if !s.authenticated(r) {
		writeError(rec, http.StatusForbidden, errAccessDenied, "Failed: Access denied: no valid session ")
		return
	}
	s.route(rec, r, segs, body)
}

// apiSegments splits the path after /api/v1/ into unescaped segments,
// ignoring a trailing slash. Splitting the escaped path keeps an entry
// such as "a%2Fb" in one segment.
func apiSegments(u *url.URL) ([]string, bool) {
	p := u.EscapedPath()
	const prefix = "/api/v1/"
	if len(p) < len(prefix) || !strings.EqualFold(p[:len(prefix)], prefix) {
		return nil, false
	}
	raw := strings.Split(strings.Trim(p[len(prefix):], "/"), "/")
	segs := make([]string, 0, len(raw))
	for _, r := range raw {
		s, err := url.PathUnescape(r)
		if err != nil || s == "" {
			return nil, false
		}
		segs = append(segs, s)
	}
	return segs, len(segs) > 0
}

func (s *Server) record(r *http.Request, body []byte, status int) {
	if len(body) == 0 {
		body = nil
	} else if strings.Contains(strings.ToLower(r.URL.Path), "adminlogin") {
		body = maskPassword(body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, Status: status})
}

func maskPassword(body []byte) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return []byte("(unreadable login body)")
	}
	if _, ok := m["password"]; ok {
		m["password"] = "******"
	}
	out, _ := json.Marshal(m)
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// decodeBody reads a JSON object keeping numbers exact.
func decodeBody(body []byte) (Object, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return Object{}, true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m Object
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}
