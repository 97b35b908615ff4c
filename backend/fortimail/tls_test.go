package fortimail_test

import (
	"strings"
	"testing"

	"github.com/mailtriage/mailtriage/backend/fortimail"
	"github.com/mailtriage/mailtriage/backend/fortimail/fortimailtest"
)

func TestSelfSignedCertificateIsRefusedByDefault(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{TLS: true})
	t.Cleanup(srv.Close)
	c := newClient(t, srv, func(o *fortimail.Options) { o.RootCAs = nil })
	_, err := c.ListDomains(ctx)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("error %v, want a certificate error", err)
	}
	if !strings.Contains(err.Error(), `log in as "admin"`) {
		t.Errorf("error %q does not say which step failed", err)
	}
	if srv.Logins() != 0 {
		t.Error("the password reached an unverified server")
	}
}

func TestTLSWorksWithTheServersCAOrVerificationOff(t *testing.T) {
	srv := fortimailtest.New(fortimailtest.Options{TLS: true})
	t.Cleanup(srv.Close)
	off := false
	clients := map[string]*fortimail.Client{
		"RootCAs":    newClient(t, srv, nil),
		"VerifyTLS":  newClient(t, srv, func(o *fortimail.Options) { o.RootCAs, o.VerifyTLS = nil, &off }),
		"HTTPClient": newClient(t, srv, func(o *fortimail.Options) { o.RootCAs, o.HTTPClient = nil, srv.Client() }),
	}
	for name, c := range clients {
		if _, err := c.ListDomains(ctx); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
