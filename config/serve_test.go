package config

import (
	"strings"
	"testing"
	"time"
)

func TestServeTableWithUsersAndDefaults(t *testing.T) {
	cfg, err := Parse([]byte(minimal + `
[serve]
listen = "127.0.0.1:2222"
host_key = "/var/lib/mailtriage/host_ed25519"
authorized_keys = "/etc/mailtriage/authorized_keys"
idle_timeout = "10m"

[[serve.users]]
fingerprint = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
role = "admin"

[[serve.users]]
comment = "alice@laptop"
role = "responder"
`))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Serve
	if s.Listen != "127.0.0.1:2222" || len(s.Users) != 2 || s.Users[1].Comment != "alice@laptop" {
		t.Fatalf("serve = %+v", s)
	}
	l, err := s.Limits()
	if err != nil {
		t.Fatal(err)
	}
	want := ServeLimits{MaxSessions: 32, IdleTimeout: 10 * time.Minute, MaxSession: 12 * time.Hour, Connections: 4}
	if l != want {
		t.Fatalf("limits = %+v, want %+v", l, want)
	}
	var none *Serve
	if l, _ := none.Limits(); l.MaxSessions != 32 || l.IdleTimeout != 30*time.Minute {
		t.Fatalf("defaults without [serve]: %+v", l)
	}
}

func TestBadServeTableNamesTheField(t *testing.T) {
	tests := []struct{ body, want string }{
		{`[serve]
idle_timeout = "soon"`, "serve.idle_timeout"},
		{`[serve]
max_sessions = -1`, "serve.max_sessions"},
		{`[[serve.users]]
role = "admin"`, "serve.users[0]: set fingerprint"},
		{`[[serve.users]]
comment = "bob@desk"
role = "root"`, `serve.users[0]: role "root"`},
		{`[[serve.users]]
fingerprint = "aa:bb"
role = "viewer"`, "SHA256"},
		{`[serve]
password = "x"`, "unknown setting serve.password"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(minimal + tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to mention %q", tt.body, err, tt.want)
		}
	}
}
