// Package imap implements mail.Mailbox over IMAP with go-imap v2.
//
// One account uses a small pool of command connections (each remembers the
// folder it has selected, so list scrolling and message reading do not wait
// on each other) and one more connection that watches the open folder with
// IDLE, or polls STATUS where the server has no IDLE.
package imap

import (
	"context"
	"crypto/tls"
	"sync"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// TLSMode is how the connection is protected.
type TLSMode int

// TLS modes.
const (
	TLSImplicit TLSMode = iota // TLS from the first byte (imaps, port 993)
	TLSStartTLS                // plain greeting, then STARTTLS (port 143)
	TLSNone                    // no TLS: loopback or explicitly allowed only
)

// Config says how to reach and log in to one IMAP account.
type Config struct {
	Addr      string // host:port
	TLS       TLSMode
	TLSConfig *tls.Config // ServerName and RootCAs; nil means system defaults
	Username  string
	// Password is asked for at each login, so the secret is held by whoever
	// resolved it and never copied into logs or errors here.
	Password func(ctx context.Context) (string, error)
	// OAuth2, when set, returns an access token and the login is
	// AUTHENTICATE XOAUTH2 (Exchange Online) instead of LOGIN.
	OAuth2 func(ctx context.Context) (string, error)
	// Roles assigns roles to folders by name where the server does not
	// announce special-use attributes.
	Roles map[string]mail.Role
	// Connections caps the command connections (default 2).
	Connections int
	// DialTimeout bounds connect + TLS + greeting + login (default 20s).
	DialTimeout time.Duration
	// PollInterval is how often the open folder is polled when the server
	// has no IDLE (default 30s).
	PollInterval time.Duration
	// StatusInterval is how often counters of every folder are refreshed
	// (default 60s).
	StatusInterval time.Duration
	// NoIdle polls every PollInterval even when the server offers IDLE
	// (for servers whose IDLE is slow or misbehaves: Courier's reports
	// new mail only every 60 s).
	NoIdle bool
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Connections <= 0 {
		out.Connections = 2
	}
	if out.DialTimeout <= 0 {
		out.DialTimeout = 20 * time.Second
	}
	if out.PollInterval <= 0 {
		out.PollInterval = 30 * time.Second
	}
	if out.StatusInterval <= 0 {
		out.StatusInterval = 60 * time.Second
	}
	return out
}

// Mailbox is an IMAP account. Create it with New; it connects on first use.
type Mailbox struct {
	cfg    Config
	pool   *pool
	events chan mail.Event
	watch  *watcher

	mu   sync.Mutex
	caps mail.Capabilities
	// counts are the last known sizes of folders, to guess the sequence
	// numbers of the newest messages before SELECT answers.
	counts map[string]uint32
	// names holds the raw bytes of folder names that are not valid
	// modified UTF-7, by the name shown for them (see tolerantConn).
	names rawNames
	// ns is the personal namespace, asked for at the first login.
	ns      namespace
	nsKnown bool

	closeOnce sync.Once
	closed    chan struct{}
}

var _ mail.Mailbox = (*Mailbox)(nil)

// New returns a Mailbox for cfg without connecting yet.
func New(cfg Config) *Mailbox {
	full := cfg.withDefaults()
	m := &Mailbox{
		cfg:    full,
		events: make(chan mail.Event, 64),
		closed: make(chan struct{}),
	}
	m.pool = newPool(full.Connections, m.dialCommand)
	m.watch = newWatcher(m)
	return m
}

// Capabilities returns what the server announced at the last login.
func (m *Mailbox) Capabilities() mail.Capabilities {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.caps
}

func (m *Mailbox) setCaps(caps mail.Capabilities) {
	m.mu.Lock()
	m.caps = caps
	m.mu.Unlock()
}

func (m *Mailbox) knownCount(folder string) uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[folder]
}

func (m *Mailbox) setKnownCount(folder string, n uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[string]uint32{}
	}
	m.counts[folder] = n
}

// Events delivers watch events and connection news.
func (m *Mailbox) Events() <-chan mail.Event { return m.events }

// Watch switches the watched folder; "" stops watching.
func (m *Mailbox) Watch(folder string) { m.watch.setFolder(folder) }

// Close stops the watcher and logs out of every connection.
func (m *Mailbox) Close() error {
	m.closeOnce.Do(func() {
		close(m.closed)
		m.watch.wait()
		m.pool.close()
	})
	return nil
}

// emit delivers an event unless the mailbox is closing.
func (m *Mailbox) emit(ev mail.Event) {
	select {
	case m.events <- ev:
	case <-m.closed:
	}
}
