// Package imapservers runs the IMAP servers the suite is tested against —
// Dovecot, Cyrus IMAP and Courier-IMAP — as private instances on loopback
// ports, behind one small interface, so a test can run against each.
//
// Dovecot comes from dovecottest. Cyrus and Courier cannot be installed
// beside Dovecot with apt (all three provide imap-server, and installing one
// removes the others), so scripts/test unpacks their Debian packages with
// dpkg-deb into a private root (see [Root]); their libraries come from apt
// as usual. The servers expect system paths and log only to syslog: each
// instance gets its own directory with configuration, spool, user
// database and sockets, and Courier runs in a private mount namespace in
// which its compiled-in /run/courier is the instance's own (see courier.go).
//
// Tests are skipped when a server is missing unless
// MAILTRIAGE_REQUIRE_IMAPSERVERS=1 (Cyrus, Courier) or
// MAILTRIAGE_REQUIRE_DOVECOT=1 (Dovecot) is set; scripts/test sets both.
package imapservers

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

// Kind names a server implementation.
type Kind string

// The servers the suite knows.
const (
	Dovecot Kind = "dovecot"
	Cyrus   Kind = "cyrus"
	Courier Kind = "courier"
)

// Kinds is every server, in the order tests run them.
var Kinds = []Kind{Dovecot, Cyrus, Courier}

// RequireEnv turns a missing Cyrus or Courier from a skipped test into a
// failed one (dovecottest.RequireEnv does the same for Dovecot).
const RequireEnv = "MAILTRIAGE_REQUIRE_IMAPSERVERS"

// RootEnv overrides where the unpacked Cyrus and Courier packages live.
const RootEnv = "MAILTRIAGE_IMAPSERVERS_ROOT"

// LogEnv prints every server's log at the end of every test, not only of
// failed ones.
const LogEnv = "MAILTRIAGE_IMAPSERVERS_LOG"

// Message is one message to deliver: raw bytes, flags, internal date.
type Message = dovecottest.Message

// Server is a running private IMAP server with plain-text IMAP (LOGIN
// allowed) on a loopback port.
type Server interface {
	// Kind says which server this is.
	Kind() Kind
	// Addr is host:port of the plain IMAP listener.
	Addr() string
	// Prefix and Delim are the personal namespace as NAMESPACE reports
	// it: "" and '/' on Dovecot, "INBOX." and '.' on Cyrus and Courier.
	Prefix() string
	Delim() rune
	// AddUser creates a user with an empty INBOX.
	AddUser(name, password string) error
	// CreateFolder creates a folder and its missing parents. name is
	// given without the namespace prefix and with "/" between levels
	// ("Archive/2026"); see [FullName].
	CreateFolder(user, name string) error
	// Deliver stores msgs in folder (named as for CreateFolder, or INBOX),
	// in order, with their flags and internal dates.
	Deliver(user, folder string, msgs ...Message) error
	// Log is what the server has logged so far.
	Log() string
	// Stop shuts the server down and removes its files.
	Stop() error
}

// FullName is name ("Archive/2026", without prefix, "/" between levels) as
// srv spells it ("INBOX.Archive.2026" on Cyrus and Courier). INBOX stays
// INBOX.
func FullName(srv Server, name string) string {
	if strings.EqualFold(name, "INBOX") {
		return "INBOX"
	}
	return srv.Prefix() + strings.ReplaceAll(name, "/", string(srv.Delim()))
}

// Start boots a private server of kind for tb and stops it in tb.Cleanup,
// printing its log if the test failed.
func Start(tb testing.TB, kind Kind) Server {
	tb.Helper()
	if kind == Dovecot {
		return &dovecot{dovecottest.Start(tb)}
	}
	if err := Installed(kind); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("%v (%s=1 is set, so this is an error)", err, RequireEnv)
		}
		tb.Skipf("%v; skipping (set %s=1 to make this an error)", err, RequireEnv)
	}
	begin := time.Now()
	srv, err := StartKind(kind)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("imapservers: %s started in %v on %s", kind, time.Since(begin).Round(time.Millisecond), srv.Addr())
	tb.Cleanup(func() {
		if tb.Failed() || os.Getenv(LogEnv) == "1" {
			tb.Logf("imapservers: %s log:\n%s", kind, srv.Log())
		}
		if err := srv.Stop(); err != nil {
			tb.Errorf("imapservers: stop %s: %v", kind, err)
		}
	})
	return srv
}

// StartKind is [Start] without a testing.TB, for benchmarks and tools; the
// caller must Stop the server.
func StartKind(kind Kind) (Server, error) {
	switch kind {
	case Dovecot:
		dir, err := os.MkdirTemp("", "mt-dovecot-")
		if err != nil {
			return nil, err
		}
		s, err := dovecottest.StartDir(dir)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		return &dovecot{s}, nil
	case Cyrus:
		return startCyrus()
	case Courier:
		return startCourier()
	}
	return nil, fmt.Errorf("imapservers: unknown server %q", kind)
}

// Root is the directory the Cyrus and Courier packages are unpacked into:
// $MAILTRIAGE_IMAPSERVERS_ROOT, else /var/cache/mailtriage-test/imapservers
// for root (CI), else $XDG_CACHE_HOME/mailtriage-test/imapservers.
// scripts/test uses the same rule.
func Root() string {
	if r := os.Getenv(RootEnv); r != "" {
		return r
	}
	if os.Geteuid() == 0 {
		return "/var/cache/mailtriage-test/imapservers"
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "mailtriage-test", "imapservers")
}

// ErrNotInstalled says a server's binaries are missing from [Root].
var ErrNotInstalled = errors.New("not installed")

// Installed reports whether kind can be started here.
func Installed(kind Kind) error {
	var need []string
	switch kind {
	case Dovecot:
		return nil // dovecottest.Start decides
	case Cyrus:
		need = []string{cyrusMaster, cyrusIMAPD, cyrusCtlDB}
		if _, err := findSaslpasswd(); err != nil {
			return err
		}
	case Courier:
		need = []string{courierTCPD, courierLogin, courierIMAPD}
		if _, err := findMount(); err != nil {
			return err
		}
	}
	for _, rel := range need {
		if _, err := os.Stat(filepath.Join(Root(), rel)); err != nil {
			return fmt.Errorf("imapservers: %s is %w (no %s under %s; ./scripts/test unpacks it there)", kind, ErrNotInstalled, rel, Root())
		}
	}
	return nil
}

// libraryPath is LD_LIBRARY_PATH for binaries from the private root.
func libraryPath() string {
	r := Root()
	return filepath.Join(r, "usr/lib") + ":" + filepath.Join(r, "usr/lib/x86_64-linux-gnu")
}

// freePort asks the kernel for a free loopback port. It is released before
// the server binds it; start retries on "address in use".
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("imapservers: no free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitGreeting polls addr until a server greets with "* OK", the process
// exits (exited is closed) or the deadline passes.
func waitGreeting(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := greets(addr)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the server exited before greeting on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no IMAP greeting on %s within %v: %w", addr, timeout, err)
		}
		select {
		case <-exited:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func greets(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("greeting %q", strings.TrimSpace(line))
	}
	return nil
}

// login opens a client session as user on addr.
func login(addr, user, password string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{TLSConfig: &tls.Config{}})
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	if err := c.Login(user, password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in as %s: %w", user, err)
	}
	return c, nil
}

// createAll creates full and each of its missing parents (split at delim,
// below the prefix); an existing folder is not an error.
func createAll(c *imapclient.Client, prefix string, delim rune, name string) error {
	parts := strings.Split(name, "/")
	for i := range parts {
		full := prefix + strings.Join(parts[:i+1], string(delim))
		if err := c.Create(full, nil).Wait(); err != nil && !alreadyExists(c, full) {
			return fmt.Errorf("create %q: %w", full, err)
		}
	}
	return nil
}

func alreadyExists(c *imapclient.Client, full string) bool {
	data, err := c.List("", full, nil).Collect()
	return err == nil && len(data) == 1 && !hasAttr(data[0].Attrs, imap.MailboxAttrNonExistent)
}

func hasAttr(attrs []imap.MailboxAttr, want imap.MailboxAttr) bool {
	for _, a := range attrs {
		if strings.EqualFold(string(a), string(want)) {
			return true
		}
	}
	return false
}

// appendWindow is how many APPENDs are in flight at once: big seeds
// (benchmarks) would otherwise wait a round trip per message.
const appendWindow = 64

// appendAll APPENDs msgs to full, in order (so UIDs follow it), pipelined
// appendWindow at a time.
func appendAll(ctx context.Context, c *imapclient.Client, full string, msgs []Message) error {
	var inFlight []*imapclient.AppendCommand
	wait := func() error {
		for _, cmd := range inFlight {
			if _, err := cmd.Wait(); err != nil {
				return fmt.Errorf("append to %q: %w", full, err)
			}
		}
		inFlight = inFlight[:0]
		return nil
	}
	for i, m := range msgs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		opts := &imap.AppendOptions{Time: m.InternalDate}
		for _, f := range m.Flags {
			opts.Flags = append(opts.Flags, imap.Flag(f))
		}
		cmd := c.Append(full, int64(len(m.Raw)), opts)
		if _, err := cmd.Write(m.Raw); err != nil {
			cmd.Close()
			return fmt.Errorf("append message %d to %q: %w", i, full, err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("append message %d to %q: %w", i, full, err)
		}
		if inFlight = append(inFlight, cmd); len(inFlight) == appendWindow {
			if err := wait(); err != nil {
				return err
			}
		}
	}
	return wait()
}

// deliverByIMAP logs in as user and appends msgs to folder.
func deliverByIMAP(srv Server, password, user, folder string, msgs []Message) error {
	c, err := login(srv.Addr(), user, password)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := appendAll(context.Background(), c, FullName(srv, folder), msgs); err != nil {
		return err
	}
	return c.Logout().Wait()
}

// dovecot adapts dovecottest to Server.
type dovecot struct{ *dovecottest.Server }

func (d *dovecot) Kind() Kind     { return Dovecot }
func (d *dovecot) Addr() string   { return d.Server.Addr }
func (d *dovecot) Prefix() string { return "" }
func (d *dovecot) Delim() rune    { return '/' }
func (d *dovecot) CreateFolder(user, name string) error {
	return d.Server.CreateFolder(user, name)
}
func (d *dovecot) Deliver(user, folder string, msgs ...Message) error {
	return d.Server.Deliver(user, folder, msgs...)
}
func (d *dovecot) Stop() error {
	err := d.Server.Stop()
	if strings.Contains(filepath.Base(d.Dir), "mt-dovecot-") {
		os.RemoveAll(d.Dir)
	}
	return err
}

// BigUser and BigPassword log in to the servers Big returns.
const (
	BigUser     = "bench"
	BigPassword = "bench pass"
)

// Big starts a server of kind whose user BigUser has n messages from
// dovecottest.GenerateMessages (seed 1, the same as corpustest.BigInbox's)
// in INBOX, and an empty Junk. Dovecot gets them straight into its
// Maildir; Cyrus and Courier by APPEND, which takes a while for big n.
func Big(tb testing.TB, kind Kind, n int) Server {
	tb.Helper()
	srv := Start(tb, kind)
	if err := srv.AddUser(BigUser, BigPassword); err != nil {
		tb.Fatal(err)
	}
	if err := srv.CreateFolder(BigUser, "Junk"); err != nil {
		tb.Fatal(err)
	}
	begin := time.Now()
	msgs := dovecottest.GenerateMessages(n, 1, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	if err := srv.Deliver(BigUser, "INBOX", msgs...); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("imapservers: %d messages delivered to %s in %v", n, kind, time.Since(begin).Round(time.Millisecond))
	// Let the server take in what was delivered once (Courier assigns the
	// UIDs of Maildir deliveries at the next SELECT), as a server in use
	// would have it before anyone times a client.
	c, err := login(srv.Addr(), BigUser, BigPassword)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		tb.Fatal(err)
	}
	return srv
}
