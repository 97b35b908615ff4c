package imap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/oauth"
)

// dial connects, secures and logs in one connection. Every failure comes
// back as a *mail.ConnError that names the stage and the server.
func (m *Mailbox) dial(ctx context.Context, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	cfg := m.cfg
	fail := func(stage string, err error) error {
		return &mail.ConnError{Stage: stage, Server: cfg.Addr, Err: err, Hint: hintFor(stage, cfg.TLS, err)}
	}
	// The token comes first, outside the dial timeout: a device-code
	// sign-in waits for the analyst, not for the server.
	token := ""
	if cfg.OAuth2 != nil {
		var err error
		if token, err = cfg.OAuth2(ctx); err != nil {
			return nil, &mail.ConnError{Stage: "login", Server: cfg.Addr, Err: fmt.Errorf("get an OAuth2 token: %w", err)}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()

	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	raw, err := dialer.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fail("connect", trimNetError(err))
	}
	// The handshake, greeting and login must finish in time even when the
	// peer says nothing at all (e.g. a TLS port spoken to in plain text).
	deadline, _ := ctx.Deadline()
	_ = raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Now()) })
	defer stop()

	opts := &imapclient.Options{
		TLSConfig:             m.tlsConfig(),
		UnilateralDataHandler: handler,
		WordDecoder:           &mime.WordDecoder{CharsetReader: charsetReader},
	}

	var c *imapclient.Client
	switch cfg.TLS {
	case TLSImplicit:
		tc := tls.Client(raw, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, fail("tls", err)
		}
		c = imapclient.New(newTolerantConn(tc, &m.names), opts)
		if err := c.WaitGreeting(); err != nil {
			c.Close()
			return nil, fail("greeting", err)
		}
	case TLSStartTLS:
		tc, err := startTLS(ctx, raw, opts.TLSConfig)
		if err != nil {
			raw.Close()
			return nil, fail("starttls", err)
		}
		c = imapclient.New(newTolerantConn(tc, &m.names, afterSTARTTLS), opts)
		if err := c.WaitGreeting(); err != nil {
			c.Close()
			return nil, fail("greeting", err)
		}
	default:
		c = imapclient.New(newTolerantConn(raw, &m.names), opts)
		if err := c.WaitGreeting(); err != nil {
			c.Close()
			return nil, fail("greeting", err)
		}
	}

	if err := m.login(ctx, c, token); err != nil {
		c.Close()
		return nil, err
	}
	m.learnNamespace(c)
	_ = raw.SetDeadline(time.Time{})
	caps := capsOf(c.Caps())
	caps.Idle = caps.Idle && !cfg.NoIdle
	m.setCaps(caps)
	return c, nil
}

func (m *Mailbox) login(ctx context.Context, c *imapclient.Client, token string) error {
	fail := func(err error) error {
		return &mail.ConnError{Stage: "login", Server: m.cfg.Addr, Err: err}
	}
	if m.cfg.OAuth2 != nil {
		if err := c.Authenticate(oauth.NewXOAuth2Client(m.cfg.Username, token)); err != nil {
			return fail(serverWords(err))
		}
		return nil
	}
	if c.Caps().Has(imap.CapLoginDisabled) {
		return fail(errors.New("server refuses LOGIN on this connection (LOGINDISABLED); use TLS"))
	}
	if m.cfg.Password == nil {
		return fail(errors.New("no password configured"))
	}
	pw, err := m.cfg.Password(ctx)
	if err != nil {
		return fail(err)
	}
	if err := c.Login(m.cfg.Username, pw).Wait(); err != nil {
		return fail(serverWords(err))
	}
	return nil
}

func (m *Mailbox) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if m.cfg.TLSConfig != nil {
		cfg = m.cfg.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(m.cfg.Addr)
		cfg.ServerName = host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// errNoStartTLS replaces a server's raw refusal of STARTTLS.
var errNoStartTLS = errors.New(`server does not offer STARTTLS; use tls = "implicit" (imaps://, usually port 993), or tls = "none" on a loopback address`)

// serverWords turns an IMAP NO/BAD into the server's own sentence, which is
// what the analyst needs to see ("[AUTHENTICATIONFAILED] Authentication
// failed.").
func serverWords(err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) {
		return &serverError{ie}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("server closed the connection")
	}
	return err
}

// serverError presents the server's refusal in its own words while staying
// an *imap.Error underneath for errors.As.
type serverError struct{ ie *imap.Error }

func (e *serverError) Error() string {
	text := e.ie.Text
	if e.ie.Code != "" {
		text = "[" + string(e.ie.Code) + "] " + text
	}
	return "server said " + text
}

func (e *serverError) Unwrap() error { return e.ie }

// isAnswer reports whether err is the server's NO or BAD: an answer on a
// healthy connection.
func isAnswer(err error) bool {
	var ie *imap.Error
	return errors.As(err, &ie)
}

// trimNetError drops Go's "dial tcp 1.2.3.4:993:" prefix; the server is
// already named by ConnError.
func trimNetError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return sys.Err
		}
		return op.Err
	}
	return err
}

// hintFor guesses what to check from the stage and the error.
func hintFor(stage string, mode TLSMode, err error) string {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.As(err, &recErr):
		return "the server did not answer with TLS: is this a STARTTLS or plain port? try imap:// with tls = \"starttls\""
	case errors.As(err, &unknownAuth), errors.As(err, &certErr) && strings.Contains(err.Error(), "unknown authority"):
		return "certificate not trusted: set ca_file to the CA that signed it"
	case errors.As(err, &hostErr):
		return "certificate is for another host name"
	case errors.As(err, &netErr) && netErr.Timeout():
		if stage == "greeting" && mode != TLSImplicit || stage == "starttls" {
			return "no IMAP greeting: is this an implicit-TLS port? try imaps://"
		}
		return "timed out"
	case (stage == "starttls" || stage == "greeting") && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
		return "the server hung up before the IMAP greeting: is this an implicit-TLS port? try imaps://"
	case errors.Is(err, errNoStartTLS):
		return ""
	case stage == "starttls" && strings.Contains(strings.ToLower(err.Error()), "starttls"):
		return "the server does not offer STARTTLS here: try imaps:// (implicit TLS)"
	}
	return ""
}

// charsetReader lets RFC 2047 words in any charset the web platform knows
// decode, instead of being shown encoded.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(input), nil
}

func capsOf(cs imap.CapSet) mail.Capabilities {
	return mail.Capabilities{
		Move:         cs.Has(imap.CapMove),
		UIDPlus:      cs.Has(imap.CapUIDPlus),
		Idle:         cs.Has(imap.CapIdle),
		ServerSearch: true,
		ListStatus:   cs.Has(imap.CapListStatus),
		CondStore:    cs.Has(imap.CapCondStore),
	}
}

// isConnBroken reports whether err left the connection unusable. A server's
// NO or BAD is an answer, not a broken link.
func isConnBroken(c *imapclient.Client, err error) bool {
	select {
	case <-c.Closed():
		return true
	default:
	}
	if err == nil {
		return false
	}
	var ie *imap.Error
	var fe *FolderError
	switch {
	case errors.As(err, &ie), errors.As(err, &fe),
		errors.Is(err, mail.ErrUIDValidityChanged), errors.Is(err, mail.ErrNotFound):
		return false
	}
	return true
}

func (m *Mailbox) dialCommand(ctx context.Context) (*imapclient.Client, error) {
	return m.dial(ctx, nil)
}
