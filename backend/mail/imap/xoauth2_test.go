package imap_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/mailtriage/mailtriage/backend/mail"
	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/backend/oauth"
)

// oauthSession is an imapmemserver session that refuses LOGIN and takes
// AUTHENTICATE XOAUTH2 with one known token, like Exchange Online.
type oauthSession struct {
	*imapmemserver.UserSession
	user, token string
	payloads    *[]string
	mu          *sync.Mutex
}

func (s *oauthSession) Login(string, string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "LOGIN is disabled; use XOAUTH2"}
}

func (s *oauthSession) AuthenticateMechanisms() []string { return []string{oauth.XOAUTH2} }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	if mech != oauth.XOAUTH2 {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "mechanism not supported"}
	}
	return &xoauth2Server{s: s}, nil
}

type xoauth2Server struct {
	s      *oauthSession
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		// The client answered the error challenge with an empty line.
		if len(resp) != 0 {
			return nil, false, errors.New("expected an empty response after the error challenge")
		}
		return nil, false, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "AUTHENTICATE failed."}
	}
	x.s.mu.Lock()
	*x.s.payloads = append(*x.s.payloads, string(resp))
	x.s.mu.Unlock()
	if string(resp) == string(oauth.XOAuth2Response(x.s.user, x.s.token)) {
		return nil, true, nil
	}
	x.failed = true
	return []byte(`{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/"}`), false, nil
}

func startOAuthServer(t *testing.T, user, token string) (string, func() []string) {
	t.Helper()
	u := imapmemserver.NewUser(user, "unused")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var payloads []string
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &oauthSession{UserSession: imapmemserver.NewUserSession(u), user: user, token: token, payloads: &payloads, mu: &mu}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}, imap.CapSASLIR: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), payloads...)
	}
}

func TestXOAUTH2LoginSendsTheBearerToken(t *testing.T) {
	addr, payloads := startOAuthServer(t, "soc@contoso.example", "tok-123")
	m := New(Config{Addr: addr, TLS: TLSNone, Username: "soc@contoso.example",
		OAuth2: func(context.Context) (string, error) { return "tok-123", nil }})
	defer m.Close()
	if _, err := m.Folders(context.Background()); err != nil {
		t.Fatalf("folders after XOAUTH2: %v", err)
	}
	got := payloads()
	if len(got) == 0 || got[0] != "user=soc@contoso.example\x01auth=Bearer tok-123\x01\x01" {
		t.Fatalf("SASL payloads %q", got)
	}
}

func TestXOAUTH2RefusedTokenIsALoginError(t *testing.T) {
	addr, _ := startOAuthServer(t, "soc@contoso.example", "tok-123")
	m := New(Config{Addr: addr, TLS: TLSNone, Username: "soc@contoso.example",
		OAuth2: func(context.Context) (string, error) { return "stale", nil }})
	defer m.Close()
	_, err := m.Folders(context.Background())
	var ce *mail.ConnError
	if !errors.As(err, &ce) || !ce.IsAuth() || !strings.Contains(err.Error(), "AUTHENTICATE failed") {
		t.Fatalf("refused token: %v", err)
	}
}

func TestXOAUTH2TokenErrorStopsBeforeConnecting(t *testing.T) {
	m := New(Config{Addr: "127.0.0.1:1", TLS: TLSNone, Username: "u",
		OAuth2: func(context.Context) (string, error) { return "", errors.New("sign-in refused: invalid_client") }})
	defer m.Close()
	_, err := m.Folders(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "connect") {
		t.Fatalf("token error: %v", err)
	}
}
