package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"path/filepath"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/config"
	"github.com/mailtriage/mailtriage/sshserve"
	"github.com/mailtriage/mailtriage/ui"
)

// runServe serves the console over SSH until SIGTERM or ctrl+c, then
// tells every session and waits for them.
func runServe(ctx context.Context, args []string, cfgPath string, stdout, stderr io.Writer) int {
	fs := newCommand("mailtriage serve",
		"mailtriage serve [--config FILE] [--listen ADDR] [--host-key FILE] [--authorized-keys FILE] [flags]",
		"The console over SSH for every key in the authorized-keys file. Flags override the [serve]\n"+
			"table of the configuration; roles come from its [[serve.users]] (a key without an entry is a viewer).")
	cfgFlag := fs.String("config", cfgPath, "configuration file")
	listen := fs.String("listen", "", "address to listen on, e.g. 0.0.0.0:2222")
	hostKey := fs.String("host-key", "", "host key file (created on first start)")
	authKeys := fs.String("authorized-keys", "", "authorized_keys file of the analysts' keys")
	maxSessions := fs.Int("max-sessions", 0, "concurrent sessions (default 32)")
	idle := fs.Duration("idle-timeout", 0, "close a session without input after this long (default 30m)")
	maxSession := fs.Duration("max-session", 0, "close any session after this long (default 12h)")
	if status, ok := fs.parse(args, stdout, stderr); !ok {
		return status
	}
	cfg, err := loadConfig(*cfgFlag)
	if err != nil {
		return fail(stderr, 2, err)
	}
	sc := cfg.Serve
	if sc == nil {
		sc = &config.Serve{}
	}
	limits, err := sc.Limits()
	if err != nil {
		return fail(stderr, 2, fmt.Errorf("config %s: serve.%w", cfg.Path, err))
	}
	pick := func(flag, conf string) string {
		if flag != "" {
			return flag
		}
		return conf
	}
	addr, keyFile, authFile := pick(*listen, sc.Listen), pick(*hostKey, sc.HostKey), pick(*authKeys, sc.AuthorizedKeys)
	if addr == "" {
		return fail(stderr, 2, errors.New("serve: give --listen ADDR or listen in [serve]"))
	}
	if authFile == "" {
		return fail(stderr, 2, errors.New("serve: give --authorized-keys FILE or authorized_keys in [serve]"))
	}
	if keyFile == "" {
		def, err := audit.DefaultPath()
		if err != nil {
			return fail(stderr, 2, err)
		}
		keyFile = filepath.Join(filepath.Dir(def), "ssh_host_ed25519_key")
	}
	if *maxSessions > 0 {
		limits.MaxSessions = *maxSessions
	}
	if *idle > 0 {
		limits.IdleTimeout = *idle
	}
	if *maxSession > 0 {
		limits.MaxSession = *maxSession
	}
	// Every session shares one mailbox per account: its pool is the
	// [serve] connections, whatever the account says for the console.
	for i := range cfg.Accounts {
		cfg.Accounts[i].Connections = limits.Connections
	}
	accounts, initial, err := openAccounts(cfg, "")
	if err != nil {
		return fail(stderr, 2, err)
	}
	remedy, err := openRemedy(cfg.AuditLog, "audit.jsonl")
	if err != nil {
		closeAccounts(accounts)
		return fail(stderr, 2, err)
	}
	defer remedy.Audit.Close()
	gw, err := gateways(cfg)
	if err != nil {
		closeAccounts(accounts)
		return fail(stderr, 2, err)
	}
	var users []sshserve.User
	for _, u := range sc.Users {
		users = append(users, sshserve.User{Fingerprint: u.Fingerprint, Comment: u.Comment, Role: u.Role})
	}
	logger := log.New(stderr, "mailtriage serve: ", log.LstdFlags)
	srv, err := sshserve.New(sshserve.Config{
		HostKey:        keyFile,
		AuthorizedKeys: authFile,
		Users:          users,
		MaxSessions:    limits.MaxSessions,
		IdleTimeout:    limits.IdleTimeout,
		MaxSession:     limits.MaxSession,
		Console:        withGateways(ui.Options{Accounts: accounts, Initial: initial, Theme: cfg.Theme, Colors: cfg.Colors, Keys: cfg.Keys}, gw),
		Audit:          remedy.Audit,
		// Clients choose their user names: sanitized like any text.
		Logf: func(format string, args ...any) {
			logger.Print(analysis.SanitizeLine(fmt.Sprintf(format, args...)).String())
		},
	})
	if err != nil {
		closeAccounts(accounts)
		return fail(stderr, 2, err)
	}
	defer srv.Close() // closes the shared mailboxes
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fail(stderr, 1, err)
	}
	pub, err := srv.HostKey()
	if err != nil {
		return fail(stderr, 1, err)
	}
	logger.Printf("listening on %s, host key %s (%s), %d account(s), at most %d sessions, idle %s, max %s",
		ln.Addr(), ssh.FingerprintSHA256(pub), keyFile, len(accounts), limits.MaxSessions, limits.IdleTimeout, limits.MaxSession)
	start := time.Now()
	if err := srv.Serve(ctx, ln); err != nil {
		return fail(stderr, 1, err)
	}
	logger.Printf("stopped after %s", time.Since(start).Round(time.Second))
	return 0
}
