// Package dovecottest runs a real, private Dovecot IMAP server on loopback
// for integration tests and benchmarks.
//
// Every server gets its own directory (config, TLS material, passwd file,
// Maildirs, runtime sockets, state and log) and its own ports, so tests can
// run in parallel and never touch /etc/dovecot or any other system state.
// The server is Dovecot 2.3 as packaged by Debian (dovecot-imapd); tests are
// skipped when it is not installed unless MAILTRIAGE_REQUIRE_DOVECOT=1.
//
// Mail storage is Maildir with the default Maildir++ on-disk layout
// (folder "a/b" lives in "~/Maildir/.a.b"), while clients see "/" as the
// hierarchy separator. Messages can be seeded directly into the Maildir with
// [Server.Deliver], which is much faster than APPEND for big folders.
package dovecottest

import (
	"crypto/x509"
	"errors"
	"os/exec"
	"sync"
)

// RequireEnv is the environment variable that turns a missing Dovecot
// installation from a skipped test into a failed one. CI sets it so that a
// broken image cannot silently skip the whole IMAP integration suite.
const RequireEnv = "MAILTRIAGE_REQUIRE_DOVECOT"

// LogEnv is the environment variable that makes [Start] print the Dovecot
// log at the end of every test, not only of failed ones.
const LogEnv = "MAILTRIAGE_DOVECOT_LOG"

// ErrNotInstalled is returned by [StartDir] when no dovecot binary can be
// found, so callers can tell "cannot run here" apart from a real failure.
var ErrNotInstalled = errors.New("dovecottest: dovecot is not installed (Debian: apt-get install dovecot-imapd)")

// Option configures a server. Options exist because everything they change
// ends up in dovecot.conf, which is written once at start.
type Option func(*options)

type options struct {
	dropCaps   []string
	specialUse map[string]string
	acl        bool
}

// WithACL loads Dovecot's acl plugin with per-folder ACL files (acl =
// vfile), so that [Server.SetACL] can take rights away from the owner of
// a folder, as a shared mailbox's admin would: e.g. without "w" a folder
// keeps no keywords and its PERMANENTFLAGS lack \*.
func WithACL() Option {
	return func(o *options) { o.acl = true }
}

// WithoutIDLE drops IDLE from the advertised capabilities (the
// imap_capability setting), so clients have to fall back to polling. Use it
// to test the polling code path against a real server.
func WithoutIDLE() Option {
	return WithoutCapabilities("IDLE")
}

// WithoutCapabilities drops the named capabilities (e.g. "MOVE",
// "UIDPLUS") from what the server advertises, to test a client's fallback
// paths against a real server. Dovecot still executes the commands if a
// client sends them anyway; a client must not.
func WithoutCapabilities(caps ...string) Option {
	return func(o *options) { o.dropCaps = append(o.dropCaps, caps...) }
}

// WithSpecialUse replaces the default folder → special-use map (Trash
// \Trash, Junk \Junk, Sent \Sent, Drafts \Drafts, Archive \Archive). Keys
// are folder names as clients see them ("/" separated, e.g.
// "Phishing reports/Confirmed"), values one or more space-separated RFC 6154
// attributes such as `\Junk`. The map is written into the inbox namespace
// as "mailbox NAME { special_use = ... }", so the attribute shows up in LIST
// once the folder exists (see [Server.CreateFolder]). An empty map disables
// special-use.
func WithSpecialUse(m map[string]string) Option {
	return func(o *options) {
		o.specialUse = make(map[string]string, len(m))
		for k, v := range m {
			o.specialUse[k] = v
		}
	}
}

// Server is a running private Dovecot instance.
type Server struct {
	// Addr is the plain IMAP listener (127.0.0.1:port). It offers
	// STARTTLS and, for loopback tests, also plaintext LOGIN.
	Addr string
	// TLSAddr is the implicit-TLS (imaps) listener (127.0.0.1:port).
	TLSAddr string
	// CAFile is a PEM file with the self-signed CA that signed the server
	// certificate, for clients configured with a ca_file.
	CAFile string
	// CAPool contains the same CA, for crypto/tls clients (tls.Config.RootCAs).
	CAPool *x509.CertPool
	// Dir is the directory holding everything that belongs to this server.
	Dir string

	opts     options
	root     bool // running as root: chown what Dovecot writes to mailUID
	mailUID  int
	mailGID  int
	baseDir  string
	shortDir string // extra short temp dir for base_dir, removed on Stop
	confPath string
	logPath  string
	errPath  string // dovecot's stderr, which has errors from before the log process runs
	passwd   string
	host     string // Maildir file name host part

	cmd     *exec.Cmd
	done    chan struct{} // closed when the master process has exited
	waitErr error         // cmd.Wait result, valid after done is closed

	stopOnce sync.Once
	stopErr  error
	down     bool // taken Down on purpose: Stop must not call it a crash

	mu sync.Mutex // guards the passwd file and dovecot-keywords files
}
