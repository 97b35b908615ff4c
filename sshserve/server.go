// Package sshserve runs the console over SSH (mailtriage serve): one Bubble
// Tea program per session, on the session's channel, with the operator's
// identity and role in the remediation service the backend checks.
//
// It is built on golang.org/x/crypto/ssh directly: the Charm wish v2
// module is not available here and wish v1 is built on Bubble Tea v1.
// What wish would add — a PTY request parser, window-change forwarding —
// is a few lines each (session.go).
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

	"golang.org/x/crypto/ssh"

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
	// Console is what every session's console starts from: the accounts
	// (their mailboxes are shared, each session gets its own view),
	// theme, colours, keys, gateway clients and screens. Operator,
	// Remedy, Environ, Ctx and Jobs are set per session.
	Console ui.Options
	// Audit is the audit log all sessions write to.
	Audit *audit.Log
	// Logf logs connections and refusals (nil: silent).
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
	ssh    *ssh.ServerConfig
	keys   *authorizedKeys
	hubs   []*fanout.Hub
	logf   func(string, ...any)
	active chan struct{} // one token per running session

	mu    sync.Mutex
	conns map[*ssh.ServerConn]struct{}
	wg    sync.WaitGroup
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
	signer, err := LoadHostKey(cfg.HostKey)
	if err != nil {
		return nil, err
	}
	keys, err := newAuthorizedKeys(cfg.AuthorizedKeys, cfg.Users)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, keys: keys, logf: cfg.Logf, active: make(chan struct{}, cfg.MaxSessions), conns: map[*ssh.ServerConn]struct{}{}}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	// Public keys only: with no PasswordCallback and no
	// KeyboardInteractiveCallback, the server offers neither.
	s.ssh = &ssh.ServerConfig{
		PublicKeyCallback: s.authenticate,
		ServerVersion:     "SSH-2.0-mailtriage",
		MaxAuthTries:      6,
	}
	s.ssh.AddHostKey(signer)
	for _, a := range cfg.Console.Accounts {
		s.hubs = append(s.hubs, fanout.New(a.Mailbox))
	}
	return s, nil
}

// HostKey returns the server's public key (for known_hosts, and tests).
func (s *Server) HostKey() (ssh.PublicKey, error) {
	signer, err := LoadHostKey(s.cfg.HostKey)
	if err != nil {
		return nil, err
	}
	return signer.PublicKey(), nil
}

// Permissions extensions carrying the identity to the session.
const (
	extFingerprint = "fingerprint"
	extComment     = "comment"
	extRole        = "role"
)

func (s *Server) authenticate(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	id, err := s.keys.lookup(key)
	if err != nil {
		s.logf("refused %s@%s: %s key %s: %v", meta.User(), meta.RemoteAddr(), key.Type(), ssh.FingerprintSHA256(key), err)
		return nil, err
	}
	return &ssh.Permissions{Extensions: map[string]string{extFingerprint: id.fingerprint, extComment: id.comment, extRole: id.role}}, nil
}

// Serve accepts connections on ln until ctx is done, then tells every
// session that the server is shutting down, cancels their contexts (so
// their running jobs end and audit that they did), waits for them up to
// ShutdownGrace, closes the connections and returns nil. The listener is
// closed when Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	base, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() {
		cancel(ErrShuttingDown)
		ln.Close()
	})
	defer stop()
	var acceptErr error
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				acceptErr = fmt.Errorf("accept: %w", err)
				cancel(ErrShuttingDown)
			}
			break
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handleConn(base, conn)
		}()
	}
	ln.Close()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(s.cfg.ShutdownGrace):
		s.logf("shutdown: sessions still busy after %s, closing their connections", s.cfg.ShutdownGrace)
		s.closeConns()
		<-done
	}
	return acceptErr
}

// Close stops sharing the mailboxes and closes them. Call it after Serve
// returned.
func (s *Server) Close() error {
	var first error
	for _, h := range s.hubs {
		if err := h.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// handleConn runs one SSH connection: the handshake (bounded in time),
// then its session channels until the client leaves or ctx ends.
func (s *Server) handleConn(ctx context.Context, nc net.Conn) {
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	conn, chans, reqs, err := ssh.NewServerConn(nc, s.ssh)
	if err != nil {
		s.logf("handshake with %s: %v", nc.RemoteAddr(), err)
		return
	}
	_ = nc.SetDeadline(time.Time{})
	s.mu.Lock()
	s.conns[conn] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
		conn.Close()
	}()
	s.logf("login %s@%s key %s role %s", conn.User(), conn.RemoteAddr(), conn.Permissions.Extensions[extFingerprint], conn.Permissions.Extensions[extRole])
	go ssh.DiscardRequests(reqs)

	// Once the server stops, the connection is closed as soon as it has
	// no session left (each session tells its client first).
	var mu sync.Mutex
	open := 0
	closeIfDone := func() {
		mu.Lock()
		defer mu.Unlock()
		if open == 0 && ctx.Err() != nil {
			conn.Close()
		}
	}
	stop := context.AfterFunc(ctx, closeIfDone)
	defer stop()
	var sessions sync.WaitGroup
	defer sessions.Wait()
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.UnknownChannelType, "only sessions are served")
			continue
		}
		if ctx.Err() != nil {
			_ = nch.Reject(ssh.ResourceShortage, ErrShuttingDown.Error())
			continue
		}
		ch, chReqs, err := nch.Accept()
		if err != nil {
			continue
		}
		mu.Lock()
		open++
		mu.Unlock()
		sessions.Add(1)
		go func() {
			defer sessions.Done()
			s.session(ctx, conn, ch, chReqs)
			mu.Lock()
			open--
			mu.Unlock()
			closeIfDone()
		}()
	}
}
