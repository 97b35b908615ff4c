package fortimail_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
)

// start runs an emulator for the test and returns a client logged in to
// nothing yet.
func start(t *testing.T, opts fortimailtest.Options) (*fortimailtest.Server, *fortimail.Client) {
	t.Helper()
	srv := fortimailtest.New(opts)
	t.Cleanup(srv.Close)
	return srv, newClient(t, srv, nil)
}

// newClient connects to srv; edit adjusts the options.
func newClient(t *testing.T, srv *fortimailtest.Server, edit func(*fortimail.Options)) *fortimail.Client {
	t.Helper()
	opts := fortimail.Options{URL: srv.URL(), Username: srv.Username(), Password: constPassword(srv.Password())}
	if cert := srv.Certificate(); cert != nil {
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		opts.RootCAs = pool
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := fortimail.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func constPassword(pw string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return pw, nil }
}

// requests returns the logged requests with a method whose path contains
// part (case-insensitive).
func requests(srv *fortimailtest.Server, method, part string) []fortimailtest.Request {
	var out []fortimailtest.Request
	for _, r := range srv.Requests() {
		if r.Method == method && strings.Contains(strings.ToLower(r.Path), strings.ToLower(part)) {
			out = append(out, r)
		}
	}
	return out
}

// cookieSpy records every cookie value the server sets, to prove errors
// never show one.
type cookieSpy struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (s *cookieSpy) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(r)
	if err == nil {
		s.mu.Lock()
		for _, ck := range resp.Cookies() {
			s.seen = append(s.seen, ck.Value)
		}
		s.mu.Unlock()
	}
	return resp, err
}

func (s *cookieSpy) values() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

var ctx = context.Background()

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
