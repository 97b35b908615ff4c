package imapservers

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Paths of the Cyrus binaries under Root (Debian cyrus-imapd and
// cyrus-common, 3.6).
const (
	cyrusMaster = "usr/lib/cyrus/bin/master"
	cyrusIMAPD  = "usr/lib/cyrus/bin/imapd"
	cyrusCtlDB  = "usr/lib/cyrus/bin/ctl_cyrusdb"
)

// cyrusAdmin is the administrator account that creates users' mailboxes.
const cyrusAdmin = "cyrusadmin"

// cyrus is a private Cyrus IMAP: master with an imapd service on a
// loopback port, SASL users in a private sasldb, and the
// classic namespace Debian configures (INBOX. prefix, "." separator,
// unixhierarchysep: no). Cyrus logs only to syslog; its stderr is kept.
type cyrus struct {
	dir, addr string
	id        mailIdentity
	proc      *process
	adminPass string
	passwords passwordBook
}

func startCyrus() (Server, error) {
	if err := Installed(Cyrus); err != nil {
		return nil, err
	}
	id, err := identity()
	if err != nil {
		return nil, err
	}
	dir, err := instanceDir(Cyrus, id)
	if err != nil {
		return nil, err
	}
	s := &cyrus{dir: dir, id: id, adminPass: randomSecret()}
	if err := s.prepare(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err = startRetrying(s.launch); err == nil {
		return s, nil
	}
	log := s.Log()
	os.RemoveAll(dir)
	return nil, fmt.Errorf("imapservers: start cyrus: %w\n%s", err, log)
}

func (s *cyrus) prepare() error {
	// conf/socket holds each imapd's IDLE socket (idle.PID); without it
	// every imapd logs a failed bind.
	if err := s.id.mkdirs(s.dir, "conf", "conf/socket", "spool", "sock"); err != nil {
		return err
	}
	return s.saslpasswd(cyrusAdmin, s.adminPass)
}

// config renders imapd.conf. Values follow Debian's packaged imapd.conf
// where the suite should see what users see (namespace, separator) and
// point everything else into the instance directory.
func (s *cyrus) config() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("configdirectory: %s", filepath.Join(s.dir, "conf"))
	w("partition-default: %s", filepath.Join(s.dir, "spool"))
	w("defaultpartition: default")
	w("servername: localhost")
	w("admins: %s", cyrusAdmin)
	w("cyrus_user: %s", s.id.name)
	w("sasl_pwcheck_method: auxprop")
	w("sasl_auxprop_plugin: sasldb")
	w("sasl_sasldb_path: %s", s.sasldb())
	w("sasl_mech_list: PLAIN LOGIN")
	// Loopback tests log in without TLS.
	w("allowplaintext: yes")
	// Debian's namespace: INBOX.Sub, "." between levels.
	w("unixhierarchysep: no")
	w("altnamespace: no")
	w("lmtpsocket: %s", filepath.Join(s.dir, "sock", "lmtp"))
	w("idlesocket: %s", filepath.Join(s.dir, "sock", "idle"))
	w("notifysocket: %s", filepath.Join(s.dir, "sock", "notify"))
	// delete_mode and expunge_mode stay Cyrus's (and Debian's) default,
	// delayed: a deleted folder is kept aside, and a session that had it
	// selected stays on it.
	w("hashimapspool: no")
	// An idling imapd looks for changes this often (default 60 s). With
	// idled running as a DAEMON the idling imapd was still not woken here
	// (not investigated further), so there is no idled and IDLE is
	// Cyrus's own polling, every second.
	w("imapidlepoll: 1")
	return b.String()
}

// services renders cyrus.conf. Commands need absolute paths and their own
// -C (master passes neither to its children).
func (s *cyrus) services(port int) string {
	conf := filepath.Join(s.dir, "imapd.conf")
	bin := func(rel string) string { return filepath.Join(Root(), rel) + " -C " + conf }
	return fmt.Sprintf(`START {
  recover cmd="%s -r"
}
SERVICES {
  imap cmd="%s" listen="127.0.0.1:%d" prefork=0
}
EVENTS {
}
DAEMON {
}
`, bin(cyrusCtlDB), bin(cyrusIMAPD), port)
}

func (s *cyrus) launch() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conf := filepath.Join(s.dir, "imapd.conf")
	master := filepath.Join(s.dir, "cyrus.conf")
	if err := os.WriteFile(conf, []byte(s.config()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(master, []byte(s.services(port)), 0o644); err != nil {
		return err
	}
	// -D keeps stderr open (there is nothing else to read when it fails);
	// without -d master stays in the foreground.
	cmd := exec.Command(filepath.Join(Root(), cyrusMaster), "-C", conf, "-M", master,
		"-p", filepath.Join(s.dir, "master.pid"), "-D")
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+libraryPath())
	s.proc, err = launchGreeting(cmd, filepath.Join(s.dir, "master.log"), s.addr)
	return err
}

func (s *cyrus) sasldb() string { return filepath.Join(s.dir, "sasldb2") }

// saslpasswd sets a SASL password in the private sasldb (realm localhost,
// the servername).
func (s *cyrus) saslpasswd(user, password string) error {
	bin, err := findSaslpasswd()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "-p", "-c", "-f", s.sasldb(), "-u", "localhost", user)
	cmd.Stdin = strings.NewReader(password)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("saslpasswd2 %s: %v: %s", user, err, out)
	}
	if err := s.id.chown(s.sasldb()); err != nil {
		return err
	}
	return os.Chmod(s.sasldb(), 0o640)
}

func findSaslpasswd() (string, error) {
	for _, p := range []string{"/usr/sbin/saslpasswd2", "/usr/bin/saslpasswd2"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("saslpasswd2"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("imapservers: cyrus needs saslpasswd2 (Debian: apt-get install sasl2-bin): %w", ErrNotInstalled)
}

func (s *cyrus) Kind() Kind     { return Cyrus }
func (s *cyrus) Addr() string   { return s.addr }
func (s *cyrus) Prefix() string { return "INBOX." }
func (s *cyrus) Delim() rune    { return '.' }

// AddUser sets the password and has the admin create the user's INBOX
// ("user.NAME" in the admin's view).
func (s *cyrus) AddUser(name, password string) error {
	if err := s.saslpasswd(name, password); err != nil {
		return err
	}
	c, err := login(s.addr, cyrusAdmin, s.adminPass)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Create("user."+name, nil).Wait(); err != nil && !alreadyExists(c, "user."+name) {
		return fmt.Errorf("imapservers: cyrus: create user.%s: %w", name, err)
	}
	s.passwords.set(name, password)
	return c.Logout().Wait()
}

func (s *cyrus) CreateFolder(user, name string) error {
	return createAs(s, s.passwords.password, user, name)
}

func (s *cyrus) Deliver(user, folder string, msgs ...Message) error {
	pw, err := s.passwords.password(user)
	if err != nil {
		return err
	}
	return deliverByIMAP(s, pw, user, folder, msgs)
}

func (s *cyrus) Log() string {
	if s.proc == nil {
		return "(not started)"
	}
	return "(Cyrus logs to syslog; master's own output follows)\n" + s.proc.log()
}

func (s *cyrus) Stop() error {
	err := s.proc.stop()
	os.RemoveAll(s.dir)
	return err
}

// createAs logs in as user and creates name with its parents.
func createAs(srv Server, password func(string) (string, error), user, name string) error {
	if strings.EqualFold(name, "INBOX") {
		return nil
	}
	pw, err := password(user)
	if err != nil {
		return err
	}
	c, err := login(srv.Addr(), user, pw)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := createAll(c, srv.Prefix(), srv.Delim(), name); err != nil {
		return fmt.Errorf("imapservers: %s: %w", srv.Kind(), err)
	}
	return c.Logout().Wait()
}
