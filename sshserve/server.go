// Package sshserve runs the console over SSH (mailtriage serve): one Bubble
// Tea program per session, on a PTY of its own, with the operator's
// identity and role in the remediation service the backend checks.
//
// It is built on charm.land/wish/v2 and its SSH server (charm.land/ssh) as
// a middleware chain, outermost first:
//
//	recover → rate limit → active terminal → logging → console
//
// Authentication is by public key only, against the authorized-keys file
// (read again when it changes); the key's role travels in the
// connection's permissions. Every session gets a real PTY (the
// library's, kept non-blocking: pty.go): Bubble Tea runs on its slave
// side as on any terminal, in raw mode, so no newline mapping is needed
// on the way out.
// The session channel itself is wrapped (channel.go) for what the library
// leaves to the application: every window change, the idle clock, a
// lone ESC, and knowing that a session's last words reached the client.
//
// All sessions share one mailbox per account (the connection pool and the
// watcher, see backend/mail/fanout), the gateway clients and the audit
// log. Everything a session owns — its UI, its jobs, its event stream — is
// its own, so one session's failure or slow job never stalls another.
package sshserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail/fanout"
	"github.com/mailtriage/mailtriage/ui"
)

// Config configures a Server.
type Config struct {
	// HostKey is the server's private key file, created on first start.
	HostKey string
	// AuthorizedKeys is the file of keys that may log in; it is read
	// again when it changes.
	AuthorizedKeys string
	// Users give keys roles; other authorized keys are viewers.
	Users []User
	// MaxSessions caps concurrent sessions (default 32).
	MaxSessions int
	// IdleTimeout ends a session without input for this long (default 30m).
	IdleTimeout time.Duration
	// MaxSession ends any session after this long (default 12h).
	MaxSession time.Duration
	// SessionRate is how many new sessions per second one client address
	// may open in the long run (default 1), SessionBurst how many at once
	// (default MaxSessions, at least 16).
	SessionRate  float64
	SessionBurst int
	// Console is what every session's console starts from: the accounts
	// (their mailboxes are shared, each session gets its own view),
	// theme, colours, keys, gateway clients and screens. Operator,
	// Remedy, Environ, Ctx and Jobs are set per session.
	Console ui.Options
	// Audit is the audit log all sessions write to.
	Audit *audit.Log
	// Logf logs sessions and refusals (nil: silent).
	Logf func(format string, args ...any)
	// ShutdownGrace bounds how long Serve waits, once its context is
	// done, for sessions to end their jobs (default 10s).
	ShutdownGrace time.Duration
}

// ErrShuttingDown is why sessions end when the server stops.
var ErrShuttingDown = errors.New("mailtriage is shutting down")

// Server is the SSH front end. Create it with New, run it with Serve,
// release the shared mailboxes with Close.
type Server struct {
	cfg    Config
	ssh    *ssh.Server
	keys   *authorizedKeys
	hubs   []*fanout.Hub
	logf   func(string, ...any)
	active chan struct{} // one token per running console

	// base is every session's context; Serve cancels it, with
	// ErrShuttingDown, when its own context ends.
	base context.Context
	stop context.CancelCauseFunc

	mu       sync.Mutex
	stopping bool
	sessions sync.WaitGroup
}

// New loads (or creates) the host key, reads the authorized keys and
// starts sharing the accounts' mailboxes.
func New(cfg Config) (*Server, error) {
	if len(cfg.Console.Accounts) == 0 {
		return nil, errors.New("no accounts to serve")
	}
	if cfg.Audit == nil {
		return nil, errors.New("no audit log: every remediation over SSH is audited")
	}
	cfg = withDefaults(cfg)
	signer, err := LoadHostKey(cfg.HostKey)
	if err != nil {
		return nil, err
	}
	keys, err := newAuthorizedKeys(cfg.AuthorizedKeys, cfg.Users)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, keys: keys, logf: cfg.Logf, active: make(chan struct{}, cfg.MaxSessions)}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	s.base, s.stop = context.WithCancelCause(context.Background())
	s.ssh, err = wish.NewServer(
		withHostKey(signer),
		wish.WithVersion("mailtriage"),
		// Public keys only: with no password or keyboard-interactive
		// handler, the server offers neither.
		wish.WithPublicKeyAuth(s.authenticate),
		allocatePty(),
		s.withSessionChannels(),
		func(srv *ssh.Server) error {
			srv.HandshakeTimeout = 30 * time.Second
			srv.ConnectionFailedCallback = func(conn net.Conn, err error) {
				s.logf("handshake with %s: %v", conn.RemoteAddr(), err)
			}
			srv.ServerConfigCallback = func(ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{MaxAuthTries: 6}
			}
			return nil
		},
		wish.WithMiddleware(s.middleware()),
	)
	if err != nil {
		s.stop(nil)
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	for _, a := range cfg.Console.Accounts {
		s.hubs = append(s.hubs, fanout.New(a.Mailbox))
	}
	return s, nil
}

func withDefaults(cfg Config) Config {
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 32
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxSession <= 0 {
		cfg.MaxSession = 12 * time.Hour
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 10 * time.Second
	}
	if cfg.SessionRate <= 0 {
		cfg.SessionRate = 1
	}
	if cfg.SessionBurst <= 0 {
		cfg.SessionBurst = max(cfg.MaxSessions, 16)
	}
	return cfg
}

// withHostKey serves signer as the host key (wish would otherwise make
// one of its own in the working directory).
func withHostKey(signer gossh.Signer) ssh.Option {
	return func(srv *ssh.Server) error {
		srv.AddHostKey(signer)
		return nil
	}
}

// withSessionChannels serves session channels, and nothing else, through
// sessionChannel; once the server stops, new ones are refused.
func (s *Server) withSessionChannels() ssh.Option {
	return func(srv *ssh.Server) error {
		srv.ChannelHandlers = map[string]ssh.ChannelHandler{
			"session": func(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
				if s.base.Err() != nil {
					_ = newChan.Reject(gossh.ResourceShortage, ErrShuttingDown.Error())
					return
				}
				ssh.DefaultSessionHandler(srv, conn, acceptSession(newChan), ctx)
			},
		}
		return nil
	}
}

// HostKey returns the server's public key (for known_hosts, and tests).
func (s *Server) HostKey() (gossh.PublicKey, error) {
	signer, err := LoadHostKey(s.cfg.HostKey)
	if err != nil {
		return nil, err
	}
	return signer.PublicKey(), nil
}

// Permissions extensions carrying the identity to the session. They are
// set on the permissions of the key being checked, so the session gets
// those of the key that actually authenticated, not of the last one a
// client asked about.
const (
	extFingerprint = "mailtriage-fingerprint"
	extComment     = "mailtriage-comment"
	extRole        = "mailtriage-role"
)

// authenticate is the public-key handler: an authorized key's identity
// goes into the connection's permissions.
func (s *Server) authenticate(ctx ssh.Context, key ssh.PublicKey) bool {
	id, err := s.keys.lookup(key)
	if err != nil {
		s.logf("refused %s@%s: %s key %s: %v", ctx.User(), ctx.RemoteAddr(), key.Type(), gossh.FingerprintSHA256(key), err)
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[extFingerprint] = id.fingerprint
	perms.Extensions[extComment] = id.comment
	perms.Extensions[extRole] = id.role
	return true
}

// Serve accepts connections on ln until ctx is done, then tells every
// session that the server is shutting down, cancels their contexts (so
// their running jobs end and audit that they did), waits for them up to
// ShutdownGrace, closes the connections and returns nil. The listener is
// closed when Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	served := make(chan error, 1)
	go func() { served <- s.ssh.Serve(ln) }()
	var acceptErr error
	select {
	case <-ctx.Done():
		ln.Close()
		<-served
	case err := <-served:
		acceptErr = fmt.Errorf("accept: %w", err)
	}
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.stop(ErrShuttingDown)

	done := make(chan struct{})
	go func() { s.sessions.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.cfg.ShutdownGrace):
		s.logf("shutdown: sessions still busy after %s, closing their connections", s.cfg.ShutdownGrace)
	}
	// Every session has told its client; what is left are connections.
	_ = s.ssh.Close()
	<-done
	return acceptErr
}

// enter counts a session in, unless the server is stopping.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.sessions.Add(1)
	return true
}

// Close stops sharing the mailboxes and closes them. Call it after Serve
// returned.
func (s *Server) Close() error {
	s.stop(ErrShuttingDown)
	var first error
	for _, h := range s.hubs {
		if err := h.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
