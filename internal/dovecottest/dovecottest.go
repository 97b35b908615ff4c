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
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
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

// Timeouts. Startup is usually well below a second; the generous limits
// only matter on overloaded CI machines.
const (
	readyTimeout = 20 * time.Second
	stopTimeout  = 10 * time.Second
	stopGrace    = time.Second
	startTries   = 5
)

// defaultSpecialUse is the folder → special-use map used when no
// WithSpecialUse option is given. Dovecot only advertises an attribute for
// folders that exist, so listing it here creates nothing by itself.
var defaultSpecialUse = map[string]string{
	"Trash":   `\Trash`,
	"Junk":    `\Junk`,
	"Sent":    `\Sent`,
	"Drafts":  `\Drafts`,
	"Archive": `\Archive`,
}

// defaultCapabilities is Dovecot 2.3.19's built-in post-login capability
// list (as reported by CAPABILITY). Dovecot 2.3 can only add to its
// default list ("+CAP"), not remove from it, so dropping one capability
// means spelling out the rest. imap-login also uses this setting for the
// pre-login list, where Dovecot appends STARTTLS and AUTH= itself.
const defaultCapabilities = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY " +
	"THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE " +
	"UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH " +
	"ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY " +
	"PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"

// validSpecialUse lists the attributes of RFC 6154 and RFC 8457. Anything
// else is rejected up front because Dovecot would only log a warning and
// the test would then fail far away from the typo.
var validSpecialUse = map[string]bool{
	`\All`: true, `\Archive`: true, `\Drafts`: true, `\Flagged`: true,
	`\Junk`: true, `\Sent`: true, `\Trash`: true, `\Important`: true,
}

// Option configures a server. Options exist because everything they change
// ends up in dovecot.conf, which is written once at start.
type Option func(*options)

type options struct {
	dropCaps   []string
	specialUse map[string]string
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

// deliverSeq numbers the Maildir files written by Deliver. It is
// process-wide, so names never collide even between two servers sharing a
// directory, and increasing, so Dovecot (which sorts new files by the
// number after "M") assigns UIDs in delivery order.
var deliverSeq atomic.Uint64

// Start boots a private Dovecot for tb and stops it in tb.Cleanup.
// Everything lives in tb.TempDir(). If dovecot is not installed, the test is
// skipped with a clear message, unless the environment variable
// MAILTRIAGE_REQUIRE_DOVECOT=1 is set; then it fails, so CI notices a
// broken image instead of silently skipping. If the test fails (or
// MAILTRIAGE_DOVECOT_LOG=1 is set), the Dovecot log is printed.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	if _, err := findDovecot(); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("%v (%s=1 is set, so this is an error)", err, RequireEnv)
		}
		tb.Skipf("%v; skipping (set %s=1 to make this an error)", err, RequireEnv)
	}
	begin := time.Now()
	s, err := StartDir(tb.TempDir(), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("dovecottest: started in %v (imap %s, imaps %s, dir %s)", time.Since(begin).Round(time.Millisecond), s.Addr, s.TLSAddr, s.Dir)
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("dovecottest: stop: %v", err)
		}
		if tb.Failed() || os.Getenv(LogEnv) == "1" {
			tb.Logf("dovecottest: dovecot log:\n%s", s.Log())
		}
	})
	return s
}

// StartDir is [Start] without a testing.TB, for cmd tools and benchmarks
// that manage the server's lifetime themselves. Everything lives in dir,
// which is created if needed. Existing users (the passwd file) and Maildirs
// in dir are kept, so a tool can seed a big folder once and reuse it; the
// config, certificates and ports are new each time. The caller must call
// [Server.Stop]. The Dovecot master also gets SIGTERM if the calling process
// dies, so an aborted run does not leave servers behind.
func StartDir(dir string, opts ...Option) (*Server, error) {
	bin, err := findDovecot()
	if err != nil {
		return nil, err
	}
	o := options{specialUse: defaultSpecialUse}
	for _, opt := range opts {
		opt(&o)
	}
	if err := checkSpecialUse(o.specialUse); err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := &Server{
		Dir:      dir,
		opts:     o,
		confPath: filepath.Join(dir, "dovecot.conf"),
		logPath:  filepath.Join(dir, "dovecot.log"),
		errPath:  filepath.Join(dir, "dovecot.stderr"),
		passwd:   filepath.Join(dir, "passwd"),
		CAFile:   filepath.Join(dir, "ca.pem"),
		host:     maildirHost(),
	}
	users, err := s.identities()
	if err != nil {
		return nil, err
	}
	if err := s.prepareDir(); err != nil {
		s.cleanupShortDir()
		return nil, err
	}
	var lastErr error
	for try := 0; try < startTries; try++ {
		ports, err := pickPorts(2)
		if err != nil {
			s.cleanupShortDir()
			return nil, err
		}
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
		s.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
		if err := os.WriteFile(s.confPath, []byte(s.config(users, ports[0], ports[1])), 0o644); err != nil {
			s.cleanupShortDir()
			return nil, err
		}
		mark := s.logSizes()
		lastErr = s.launch(bin, mark)
		if lastErr == nil {
			return s, nil
		}
		// Someone else may have taken a port between freePorts and
		// Dovecot's bind; that is the only failure worth retrying.
		if !strings.Contains(s.logSince(mark), "Address already in use") {
			break
		}
	}
	s.cleanupShortDir()
	return nil, fmt.Errorf("%w\ndovecot log:\n%s", lastErr, s.Log())
}

// findDovecot looks in the Debian location first because test environments
// often run with a PATH without /usr/sbin.
func findDovecot() (string, error) {
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	return "", ErrNotInstalled
}

// identities holds the account names written into dovecot.conf.
type identities struct {
	loginUser, internalUser, internalGroup string
}

// identities decides which uid/gid Dovecot uses for mail access.
//
// As root (CI), Dovecot refuses mail access as uid 0, so mail is accessed
// as the "dovecot" system user that the Debian package creates (the same
// account Dovecot's auth and other internal processes run as, which also
// lets the auth process read our passwd file); login processes run as
// "dovenull" as in a normal installation. Not as root, everything runs as
// the current user, since a non-root master cannot switch users.
func (s *Server) identities() (identities, error) {
	if os.Geteuid() == 0 {
		s.root = true
		u, err := user.Lookup("dovecot")
		if err != nil {
			return identities{}, fmt.Errorf("dovecottest: running as root needs the dovecot system user from the dovecot-core package: %w", err)
		}
		if _, err := user.Lookup("dovenull"); err != nil {
			return identities{}, fmt.Errorf("dovecottest: running as root needs the dovenull system user from the dovecot-core package: %w", err)
		}
		s.mailUID, _ = strconv.Atoi(u.Uid)
		s.mailGID, _ = strconv.Atoi(u.Gid)
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return identities{}, fmt.Errorf("dovecottest: group of the dovecot user: %w", err)
		}
		return identities{loginUser: "dovenull", internalUser: u.Username, internalGroup: g.Name}, nil
	}
	u, err := user.Current()
	if err != nil {
		return identities{}, fmt.Errorf("dovecottest: current user: %w", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return identities{}, fmt.Errorf("dovecottest: current group: %w", err)
	}
	s.mailUID, s.mailGID = os.Geteuid(), os.Getegid()
	return identities{loginUser: u.Username, internalUser: u.Username, internalGroup: g.Name}, nil
}

// prepareDir creates the directory tree, TLS material and passwd file, and
// makes sure the unprivileged mail user can reach them.
func (s *Server) prepareDir() error {
	// Unix socket paths are limited to 107 bytes and Dovecot's longest one
	// is base_dir + "/token-login/imap-urlauth". Long t.TempDir() names
	// (subtests) would overflow that, so fall back to a short temp dir.
	s.baseDir = filepath.Join(s.Dir, "run")
	if len(s.baseDir) > 80 {
		short, err := os.MkdirTemp("", "dovecottest-")
		if err != nil {
			return err
		}
		if err := os.Chmod(short, 0o755); err != nil {
			os.RemoveAll(short)
			return err
		}
		s.shortDir = short
		s.baseDir = filepath.Join(short, "run")
	}
	if s.root {
		if err := s.ensureTraversable(s.Dir); err != nil {
			return err
		}
		if s.shortDir != "" {
			if err := s.ensureTraversable(s.shortDir); err != nil {
				return err
			}
		}
	}
	if err := s.clearStalePID(); err != nil {
		return err
	}
	// state_dir holds e.g. the instances registry and must be writable by
	// the master (it runs as the invoking user, so no chown).
	if err := os.MkdirAll(filepath.Join(s.Dir, "state"), 0o755); err != nil {
		return err
	}
	if err := s.mkdirOwned(filepath.Join(s.Dir, "home")); err != nil {
		return err
	}
	// A fresh log per start keeps Log() about this run only.
	for _, p := range []string{s.logPath, s.errPath} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return err
		}
	}
	if _, err := os.Stat(s.passwd); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(s.passwd, nil, 0o600); err != nil {
			return err
		}
	}
	// The auth process runs as default_internal_user and reads passwd.
	if err := s.chown(s.passwd); err != nil {
		return err
	}
	return s.writeCerts()
}

// clearStalePID removes master.pid left by a server in this dir that was
// killed without cleanup (a reused dir, see [StartDir]). Dovecot refuses to
// start while the PID in it exists, even if it now belongs to some other
// process. A Dovecot that really still runs on this config is an error.
func (s *Server) clearStalePID() error {
	pidFile := filepath.Join(s.baseDir, "master.pid")
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return nil
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if bytes.Contains(cmdline, []byte(s.confPath)) {
			return fmt.Errorf("dovecottest: a dovecot (pid %d) is still running in %s", pid, s.Dir)
		}
	}
	return os.Remove(pidFile)
}

// ensureTraversable makes sure the mail user can reach dir. t.TempDir()
// lives in a 0700 directory below /tmp; those (and only those, i.e. dirs
// below os.TempDir()) get o+x. Anything else is reported, not changed,
// because it is not ours to modify.
func (s *Server) ensureTraversable(dir string) error {
	tmp, _ := filepath.Abs(os.TempDir())
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if !s.mailCanTraverse(fi) {
			under := strings.HasPrefix(d, tmp+string(filepath.Separator)) || d == dir
			if !under {
				return fmt.Errorf("dovecottest: directory %s is not traversable for uid %d (Dovecot's mail user); use a directory below %s or make it o+x", d, s.mailUID, tmp)
			}
			if err := os.Chmod(d, fi.Mode().Perm()|0o111); err != nil {
				return err
			}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (s *Server) mailCanTraverse(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case int(st.Uid) == s.mailUID:
		return perm&0o100 != 0
	case int(st.Gid) == s.mailGID:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// chown gives path to the mail user when running as root, because Dovecot
// accesses mail (and our passwd file) as that user, never as root.
func (s *Server) chown(path string) error {
	if !s.root {
		return nil
	}
	return os.Lchown(path, s.mailUID, s.mailGID)
}

// mkdirOwned is MkdirAll that hands every directory it creates to the mail
// user.
func (s *Server) mkdirOwned(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("dovecottest: %s is not a directory", path)
		}
		return nil
	}
	if err := s.mkdirOwned(filepath.Dir(path)); err != nil {
		return err
	}
	if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return s.chown(path)
}

func (s *Server) cleanupShortDir() {
	if s.shortDir != "" {
		os.RemoveAll(s.shortDir)
	}
}

// pickPorts is freePorts, replaceable by tests of the retry logic.
var pickPorts = freePorts

// freePorts asks the kernel for n distinct free loopback ports. They are
// released before Dovecot binds them, so there is a small race; StartDir
// retries when Dovecot reports "Address already in use".
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("dovecottest: no free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// config renders dovecot.conf. Settings are commented where the value is not
// obvious; see the package documentation for the overall layout.
func (s *Server) config(id identities, imapPort, imapsPort int) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# Generated by github.com/mailtriage/mailtriage/internal/dovecottest; rewritten at every start.")
	w("base_dir = %s", s.baseDir)
	w("state_dir = %s", filepath.Join(s.Dir, "state"))
	// Distinct instance names keep concurrent servers apart in logs and ps.
	w("instance_name = dovecottest-%d", imapPort)
	w("log_path = %s", s.logPath)
	w("info_log_path = %s", s.logPath)
	w("debug_log_path = %s", s.logPath)
	w(`log_timestamp = "%%Y-%%m-%%d %%H:%%M:%%S "`)
	w("auth_verbose = yes")
	w("protocols = imap")
	w("listen = 127.0.0.1")
	w("default_login_user = %s", id.loginUser)
	w("default_internal_user = %s", id.internalUser)
	w("default_internal_group = %s", id.internalGroup)
	// Dovecot refuses mail uids below first_valid_uid (default 500); our
	// mail user is a system account (or whoever runs the tests).
	w("first_valid_uid = %d", s.mailUID)
	w("last_valid_uid = 0")
	w("first_valid_gid = %d", s.mailGID)
	w("ssl = yes")
	w("ssl_cert = <%s", filepath.Join(s.Dir, "server.pem"))
	w("ssl_key = <%s", filepath.Join(s.Dir, "server.key"))
	// Loopback tests log in over the plain port too.
	w("disable_plaintext_auth = no")
	w("auth_mechanisms = plain login")
	// Wrong-password tests should not wait: no fixed 2 s failure delay
	// (Dovecot still answers on its 0.5 s failure-queue tick), and see the
	// anvil-auth-penalty listener below for the per-IP penalty.
	w("auth_failure_delay = 0")
	w("passdb {")
	w("  driver = passwd-file")
	w("  args = scheme=PLAIN username_format=%%u %s", s.passwd)
	w("}")
	w("userdb {")
	w("  driver = static")
	w("  args = uid=%d gid=%d home=%s/%%u", s.mailUID, s.mailGID, filepath.Join(s.Dir, "home"))
	w("}")
	w("mail_location = maildir:~/Maildir")
	// Test data is disposable; skipping fsync makes index updates cheap.
	w("mail_fsync = never")
	w("mailbox_list_index = yes")
	w("mail_max_userip_connections = 100")
	w("imap_idle_notify_interval = 1 secs")
	if len(s.opts.dropCaps) > 0 {
		var keep []string
		for _, c := range strings.Fields(defaultCapabilities) {
			if !slices.ContainsFunc(s.opts.dropCaps, func(d string) bool { return strings.EqualFold(c, d) }) {
				keep = append(keep, c)
			}
		}
		w("imap_capability = %s", strings.Join(keep, " "))
	}
	w("namespace inbox {")
	w("  inbox = yes")
	w("  prefix =")
	w("  separator = /")
	names := make([]string, 0, len(s.opts.specialUse))
	for name := range s.opts.specialUse {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w("  mailbox \"%s\" {", name)
		w("    special_use = %s", strings.Join(strings.Fields(s.opts.specialUse[name]), " "))
		w("  }")
	}
	w("}")
	w("service imap-login {")
	w("  inet_listener imap {")
	w("    address = 127.0.0.1")
	w("    port = %d", imapPort)
	w("  }")
	w("  inet_listener imaps {")
	w("    address = 127.0.0.1")
	w("    port = %d", imapsPort)
	w("    ssl = yes")
	w("  }")
	if !s.root {
		// chroot() needs root.
		w("  chroot =")
	}
	w("}")
	// Every test connects from 127.0.0.1, so Dovecot's per-IP auth
	// penalty (4 s after one failed login, growing to 15 s) would slow
	// down every later test of wrong passwords. mode = 0 disables the
	// listener, and auth then runs without penalty tracking.
	w("service anvil {")
	w("  unix_listener anvil-auth-penalty {")
	w("    mode = 0")
	w("  }")
	if !s.root {
		w("  chroot =")
	}
	w("}")
	if !s.root {
		for _, svc := range []string{"imap-urlauth-login"} {
			w("service %s {", svc)
			w("  chroot =")
			w("}")
		}
	}
	return b.String()
}

func checkSpecialUse(m map[string]string) error {
	for name, attrs := range m {
		if err := checkFolderName(name); err != nil {
			return err
		}
		if strings.ContainsAny(name, "\"\\{}$#") {
			return fmt.Errorf("dovecottest: special-use folder name %q contains a character that cannot be written into dovecot.conf", name)
		}
		f := strings.Fields(attrs)
		if len(f) == 0 {
			return fmt.Errorf("dovecottest: empty special-use for folder %q", name)
		}
		for _, a := range f {
			if !validSpecialUse[a] {
				return fmt.Errorf("dovecottest: unknown special-use attribute %q for folder %q", a, name)
			}
		}
	}
	return nil
}

// launch starts the master in the foreground and waits until both
// listeners answer.
func (s *Server) launch(bin string, mark [2]int64) error {
	errFile, err := os.OpenFile(s.errPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer errFile.Close()
	// A master killed while it held the instances registry's dotlock
	// leaves the lock behind, and the next master would wait for it to go
	// stale. Nothing else uses this state dir, so the lock is ours to drop.
	os.Remove(filepath.Join(s.Dir, "state", "instances.lock"))
	cmd := exec.Command(bin, "-F", "-c", s.confPath)
	cmd.Dir = s.Dir
	cmd.Stdout = errFile
	cmd.Stderr = errFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own process group, so Stop can kill stragglers as a group.
		Setpgid: true,
		// If the test binary dies without running Cleanup (panic,
		// timeout, kill), the master gets SIGTERM and takes its children
		// down with it instead of leaking them.
		Pdeathsig: syscall.SIGTERM,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("dovecottest: start %s: %w", bin, err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(mark); err != nil {
		s.kill()
		return err
	}
	return nil
}

// waitReady polls until the plain listener sends its "* OK" greeting and
// the TLS listener completes a handshake against CAPool, or the master
// exits or logs a fatal error (after mark, i.e. in this attempt), or
// readyTimeout passes.
func (s *Server) waitReady(mark [2]int64) error {
	deadline := time.Now().Add(readyTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("dovecottest: dovecot exited during startup: %v", s.waitErr)
		default:
		}
		// A fatal startup error (e.g. a port taken meanwhile) is final;
		// the master would take another second or two to exit.
		if log := s.logSince(mark); strings.Contains(log, "Fatal: ") {
			return fmt.Errorf("dovecottest: dovecot failed to start: %s", lastLine(log, "Fatal: "))
		}
		if lastErr = s.probe(); lastErr == nil {
			return nil
		}
		select {
		case <-s.done:
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("dovecottest: dovecot not ready after %v: %v", readyTimeout, lastErr)
}

// logSizes returns the current sizes of the stderr and log files.
func (s *Server) logSizes() [2]int64 {
	var sz [2]int64
	for i, p := range []string{s.errPath, s.logPath} {
		if fi, err := os.Stat(p); err == nil {
			sz[i] = fi.Size()
		}
	}
	return sz
}

// logSince returns what was written to stderr and the log after mark.
func (s *Server) logSince(mark [2]int64) string {
	var b strings.Builder
	for i, p := range []string{s.errPath, s.logPath} {
		if data, err := os.ReadFile(p); err == nil && int64(len(data)) > mark[i] {
			b.Write(data[mark[i]:])
		}
	}
	return b.String()
}

// lastLine returns the last line of log that contains substr.
func lastLine(log, substr string) string {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], substr) {
			return strings.TrimSpace(lines[i])
		}
	}
	return ""
}

func (s *Server) probe() error {
	check := func(c net.Conn) error {
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 512)
		n, err := c.Read(buf)
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(buf[:n], []byte("* OK")) {
			return fmt.Errorf("unexpected greeting %q", buf[:n])
		}
		return nil
	}
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return err
	}
	if err := check(c); err != nil {
		return fmt.Errorf("%s: %w", s.Addr, err)
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: time.Second}, Config: &tls.Config{RootCAs: s.CAPool, ServerName: "127.0.0.1"}}
	tc, err := d.Dial("tcp", s.TLSAddr)
	if err != nil {
		return err
	}
	if err := check(tc); err != nil {
		return fmt.Errorf("%s: %w", s.TLSAddr, err)
	}
	return nil
}

// Stop shuts the server down: SIGTERM to Dovecot's whole process group,
// SIGKILL to whatever is left when the master has exited or after a second, so
// no process outlives Stop. It usually takes a few milliseconds. It is safe
// to call more than once; the files in Dir are kept.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopErr = s.kill()
		s.cleanupShortDir()
	})
	return s.stopErr
}

func (s *Server) kill() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	pid := s.cmd.Process.Pid
	select {
	case <-s.done:
		// Already gone; still sweep the group.
		sweepGroup(pid)
		if s.down {
			return nil
		}
		return fmt.Errorf("dovecottest: dovecot had already exited: %v", s.waitErr)
	default:
	}
	// SIGTERM goes to the whole group, not just the master: left to
	// itself, the master exits without waiting for open IMAP sessions
	// (which would outlive it) and, if its log process is still around at
	// the end, kills that and sleeps a fixed second. Signalling everyone
	// at once lets IMAP processes shut down cleanly (BYE, index writes)
	// and brings Stop down to milliseconds, at the price of sometimes
	// missing the final shutdown lines in Log(). Once the master is the
	// only process left it has nothing more to do, so it is killed
	// rather than waited for. An imap-login that has lost its log process
	// can linger for seconds after SIGTERM; whatever is still there after
	// stopGrace is killed, which is what a crash would do anyway.
	syscall.Kill(-pid, syscall.SIGTERM)
	grace := time.After(stopGrace)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			// Anything left in the group would be a leak.
			sweepGroup(pid)
			return nil
		case <-grace:
			syscall.Kill(-pid, syscall.SIGKILL)
			select {
			case <-s.done:
				sweepGroup(pid)
				return nil
			case <-time.After(stopTimeout):
				return fmt.Errorf("dovecottest: dovecot (pid %d) survived SIGKILL for %v", pid, stopTimeout)
			}
		case <-tick.C:
			if n, err := groupMembers(pid); err == nil && n == 0 {
				s.cmd.Process.Kill()
			}
		}
	}
}

// sweepGroup SIGKILLs what is left of process group pgid and waits (up to
// a second) until it is really gone, so nothing writes into the directory
// while t.TempDir's cleanup removes it.
func sweepGroup(pgid int) {
	syscall.Kill(-pgid, syscall.SIGKILL)
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if n, err := groupMembers(pgid); err != nil || n == 0 {
			return
		}
	}
}

// groupMembers counts the live processes in process group pgid other than
// its leader, from /proc (Linux only; elsewhere it reports an error and
// Stop simply waits for the master).
func groupMembers(pgid int) (int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pgid {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		// "pid (comm) state ppid pgrp ..."; comm may contain anything.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			n++
		}
	}
	return n, nil
}

// Log returns what Dovecot has logged so far (its log file plus anything it
// wrote to stderr before logging was set up). Print it when a test fails.
func (s *Server) Log() string {
	var b strings.Builder
	if e, _ := os.ReadFile(s.errPath); len(e) > 0 {
		b.WriteString("--- stderr ---\n")
		b.Write(e)
		b.WriteString("--- log ---\n")
	}
	l, _ := os.ReadFile(s.logPath)
	b.Write(l)
	return b.String()
}

// AddUser adds (or re-passwords) a user in the passwd-file passdb and
// creates the user's home and empty Maildir, owned by the mail user.
// Dovecot re-reads the passwd file when it changes, so this also works
// while the server runs. Names are restricted to characters that are safe
// in both the passwd file and a path.
func (s *Server) AddUser(name, password string) error {
	if err := checkUserName(name); err != nil {
		return err
	}
	if strings.ContainsAny(password, ":\r\n") || password == "" {
		return fmt.Errorf("dovecottest: password for %q must be non-empty without ':' or newlines", name)
	}
	if err := s.ensureMaildir(s.Maildir(name)); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := os.ReadFile(s.passwd)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, line := range strings.Split(string(old), "\n") {
		if line == "" || strings.HasPrefix(line, name+":") {
			continue
		}
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "%s:{PLAIN}%s::::::\n", name, password)
	// Write and rename so the auth process never reads half a file.
	tmp := s.passwd + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	if err := s.chown(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, s.passwd)
}

func checkUserName(name string) error {
	if name == "" || name[0] == '.' || name[0] == '-' {
		return fmt.Errorf("dovecottest: invalid user name %q", name)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._@+-", r)
		if !ok {
			return fmt.Errorf("dovecottest: invalid user name %q (use letters, digits and ._@+-)", name)
		}
	}
	return nil
}

// Maildir returns the path of the user's Maildir root (which is also the
// INBOX). Other folders are Maildir++ subdirectories of it, see
// [Server.CreateFolder].
func (s *Server) Maildir(user string) string {
	return filepath.Join(s.Dir, "home", user, "Maildir")
}

// Kick disconnects every IMAP session of user, as an administrator (or a
// dying server) would: clients see their connections dropped mid-session.
func (s *Server) Kick(user string) error {
	bin, err := exec.LookPath("doveadm")
	if err != nil {
		bin = "/usr/bin/doveadm"
	}
	out, err := exec.Command(bin, "-c", s.confPath, "kick", user).CombinedOutput()
	if err != nil {
		return fmt.Errorf("doveadm kick %s: %v: %s", user, err, out)
	}
	return nil
}

// Down stops the server as a crash or a maintenance window would, keeping
// its configuration, ports and mail, so that Up brings it back at the same
// addresses. Clients see every connection drop and new ones refused.
func (s *Server) Down() error {
	err := s.kill()
	s.down = true
	return err
}

// Up starts a server taken Down again.
func (s *Server) Up() error {
	bin, err := findDovecot()
	if err != nil {
		return err
	}
	if err := s.launch(bin, s.logSizes()); err != nil {
		return err
	}
	s.down = false
	return nil
}
