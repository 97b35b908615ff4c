package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Serve is the [serve] table: the console over SSH (mailtriage serve).
// Flags override its fields.
type Serve struct {
	Listen         string `toml:"listen"`
	HostKey        string `toml:"host_key"`
	AuthorizedKeys string `toml:"authorized_keys"`
	// MaxSessions caps concurrent sessions (default 32).
	MaxSessions int `toml:"max_sessions"`
	// IdleTimeout ends a session without input for this long (default 30m).
	IdleTimeout string `toml:"idle_timeout"`
	// MaxSession ends any session after this long (default 12h).
	MaxSession string `toml:"max_session"`
	// Connections caps each shared account's IMAP command connections
	// (default 4); all sessions share them.
	Connections int         `toml:"connections"`
	Users       []ServeUser `toml:"users"`
}

// ServeUser gives a key of the authorized-keys file a role. The key is
// named by its fingerprint ("SHA256:…") or by its comment; a key with no
// entry is a viewer.
type ServeUser struct {
	Fingerprint string `toml:"fingerprint"`
	Comment     string `toml:"comment"`
	Role        string `toml:"role"`
}

// ServeRoles are the roles [[serve.users]] may give.
var ServeRoles = []string{"viewer", "responder", "admin"}

// Serve defaults.
const (
	DefaultMaxSessions     = 32
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultMaxSession      = 12 * time.Hour
	DefaultServeConnection = 4
)

// ServeLimits are the [serve] numbers with defaults filled in.
type ServeLimits struct {
	MaxSessions int
	IdleTimeout time.Duration
	MaxSession  time.Duration
	Connections int
}

// Limits returns the limits, defaults for those unset. s may be nil.
func (s *Serve) Limits() (ServeLimits, error) {
	l := ServeLimits{MaxSessions: DefaultMaxSessions, IdleTimeout: DefaultIdleTimeout, MaxSession: DefaultMaxSession, Connections: DefaultServeConnection}
	if s == nil {
		return l, nil
	}
	if s.MaxSessions != 0 {
		l.MaxSessions = s.MaxSessions
	}
	if s.Connections != 0 {
		l.Connections = s.Connections
	}
	var err error
	if l.IdleTimeout, err = duration("idle_timeout", s.IdleTimeout, l.IdleTimeout); err != nil {
		return l, err
	}
	if l.MaxSession, err = duration("max_session", s.MaxSession, l.MaxSession); err != nil {
		return l, err
	}
	return l, nil
}

func duration(field, s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration like \"30m\" or \"12h\"", field, s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s: must be positive", field)
	}
	return d, nil
}

func (s *Serve) validate() error {
	if s.MaxSessions < 0 {
		return errors.New("max_sessions: must be positive")
	}
	if s.Connections < 0 {
		return errors.New("connections: must be positive")
	}
	if _, err := s.Limits(); err != nil {
		return err
	}
	for i, u := range s.Users {
		where := fmt.Sprintf("users[%d]", i)
		switch {
		case u.Fingerprint == "" && u.Comment == "":
			return fmt.Errorf("%s: set fingerprint = \"SHA256:…\" or comment = \"user@host\"", where)
		case u.Fingerprint != "" && u.Comment != "":
			return fmt.Errorf("%s: set fingerprint or comment, not both", where)
		case u.Fingerprint != "" && !strings.HasPrefix(u.Fingerprint, "SHA256:"):
			return fmt.Errorf("%s: fingerprint %q: give it as ssh-keygen -lf prints it (SHA256:…)", where, u.Fingerprint)
		case !slices.Contains(ServeRoles, u.Role):
			return fmt.Errorf("%s: role %q is not one of %s", where, u.Role, strings.Join(ServeRoles, ", "))
		}
	}
	return nil
}
