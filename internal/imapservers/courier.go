package imapservers

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Paths of the Courier binaries under Root (Debian courier-imap,
// courier-base and courier-authlib).
const (
	courierTCPD  = "usr/sbin/couriertcpd"
	courierLogin = "usr/lib/courier/courier/imaplogin"
	courierIMAPD = "usr/bin/imapd"
)

// courierEnv is Debian's /etc/courier/imapd (courier-imap 5.0) as
// environment, which is how Courier reads it, less what would reach outside
// the instance: IMAP_EMPTYTRASH (purges Trash at login), the shared-folder
// index and the access file.
var courierEnv = []string{
	"IMAP_CAPABILITY=IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE",
	"IMAP_KEYWORDS=1",
	"IMAP_ACL=1",
	"IMAP_PROXY=0",
	"IMAP_IDLE_TIMEOUT=60",
	"IMAP_MAILBOX_SANITY_CHECK=1",
	"IMAP_DISABLETHREADSORT=0",
	"IMAP_CHECK_ALL_FOLDERS=0",
	"IMAP_OBSOLETE_CLIENT=0",
	"IMAP_UMASK=022",
	"IMAP_USELOCKS=1",
	"IMAP_ENHANCEDIDLE=0",
	"IMAP_TRASHFOLDERNAME=Trash",
	"IMAP_EMPTYTRASH=",
	"IMAP_MOVE_EXPUNGE_TO_TRASH=0",
	"IMAP_STARTTLS=NO",
	"HEADERFROM=X-IMAP-Sender",
}

// courier is a private Courier-IMAP: couriertcpd → imaplogin → imapd on a
// loopback port, users' Maildirs in the instance directory.
//
// imaplogin asks the authentication daemon at the compiled-in socket
// /run/courier/authdaemon/socket. Rather than a system-wide authdaemond
// (whose configuration and modules are compiled-in system paths too), the
// test process answers that protocol itself from a socket in the instance
// directory (see authdaemon.go), and couriertcpd runs in a private mount
// namespace where a tmpfs /run holds a bind mount of that directory. The
// IMAP server itself is Courier's, unchanged.
type courier struct {
	dir, addr string
	id        mailIdentity
	proc      *process
	auth      *authDaemon
}

func startCourier() (Server, error) {
	if err := Installed(Courier); err != nil {
		return nil, err
	}
	id, err := identity()
	if err != nil {
		return nil, err
	}
	if !id.root {
		// Inside a user namespace the mapped root is the current user.
		id.uid, id.gid = 0, 0
	}
	dir, err := instanceDir(Courier, id)
	if err != nil {
		return nil, err
	}
	s := &courier{dir: dir, id: id}
	if err := os.Mkdir(filepath.Join(dir, "auth"), 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if s.auth, err = startAuthDaemon(filepath.Join(dir, "auth", "socket"), id, filepath.Join(dir, "home")); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err = startRetrying(s.launch); err == nil {
		return s, nil
	}
	log := s.Log()
	s.auth.close()
	os.RemoveAll(dir)
	return nil, fmt.Errorf("imapservers: start courier: %w\n%s", err, log)
}

// namespaceScript runs inside the private mount namespace: it gives
// Courier its /run/courier/authdaemon and becomes couriertcpd.
const namespaceScript = `set -e
mount -t tmpfs -o mode=0755 mailtriage-courier /run
mkdir -p /run/courier/authdaemon
mount --bind "$1" /run/courier/authdaemon
shift
exec "$@"
`

func (s *courier) launch() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	root := Root()
	args := []string{"-c", namespaceScript, "courier-namespace", filepath.Join(s.dir, "auth"),
		filepath.Join(root, courierTCPD), "-address=127.0.0.1", "-maxprocs=100", "-maxperip=100",
		"-nodnslookup", "-noidentlookup", strconv.Itoa(port),
		filepath.Join(root, courierLogin), filepath.Join(root, courierIMAPD), "Maildir"}
	cmd := exec.Command("/bin/sh", args...)
	cmd.Dir = s.dir
	cmd.Env = append([]string{"LD_LIBRARY_PATH=" + libraryPath(), "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, courierEnv...)
	cmd.SysProcAttr = namespaceAttr(s.id)
	s.proc, err = launchGreeting(cmd, filepath.Join(s.dir, "courier.log"), s.addr)
	return err
}

// namespaceAttr puts the child in a new mount namespace (Go makes its
// mounts private); without root, inside a new user namespace too, with the
// current user as its root.
func namespaceAttr(id mailIdentity) *syscall.SysProcAttr {
	if id.root {
		return &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	}
	return &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
}

func findMount() (string, error) {
	for _, p := range []string{"/usr/bin/mount", "/bin/mount"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("imapservers: courier needs mount(8) (Debian: mount): %w", ErrNotInstalled)
}

func (s *courier) Kind() Kind     { return Courier }
func (s *courier) Addr() string   { return s.addr }
func (s *courier) Prefix() string { return "INBOX." }
func (s *courier) Delim() rune    { return '.' }

// AddUser makes the user's Maildir and lets the authentication daemon
// accept the password.
func (s *courier) AddUser(name, password string) error {
	if name == "" || strings.ContainsAny(name, "/\n\x00") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("imapservers: bad user name %q", name)
	}
	home := filepath.Join(s.dir, "home", name)
	if err := s.id.mkdirs(s.dir, "home"); err != nil {
		return err
	}
	if err := s.id.mkdirs(home, ".", "Maildir", "Maildir/cur", "Maildir/new", "Maildir/tmp"); err != nil {
		return err
	}
	s.auth.passwords.set(name, password)
	return nil
}

func (s *courier) CreateFolder(user, name string) error {
	return createAs(s, s.auth.passwords.password, user, name)
}

// Deliver writes msgs into the user's Maildir, as an MTA delivering for
// Courier does: far faster than APPEND, which Courier (without LITERAL+)
// answers at a few messages a second when the folder is big. Messages
// with keywords, which Courier keeps in files of its own, and folders with
// non-ASCII names go by APPEND instead.
func (s *courier) Deliver(user, folder string, msgs ...Message) error {
	pw, err := s.auth.passwords.password(user)
	if err != nil {
		return err
	}
	dir, ok := s.maildir(user, folder)
	if !ok || slices.ContainsFunc(msgs, hasKeywords) {
		return deliverByIMAP(s, pw, user, folder, msgs)
	}
	if _, err := os.Stat(filepath.Join(dir, "cur")); err != nil {
		return fmt.Errorf("imapservers: courier: folder %q of %s does not exist (CreateFolder first)", folder, user)
	}
	for _, m := range msgs {
		if err := s.writeMaildir(dir, m); err != nil {
			return fmt.Errorf("imapservers: courier: deliver to %q: %w", folder, err)
		}
	}
	return nil
}

// maildir is where Courier keeps folder (Maildir++: "INBOX.A.B" is
// Maildir/.A.B); ok is false for names this does not spell on disk.
func (s *courier) maildir(user, folder string) (string, bool) {
	root := filepath.Join(s.dir, "home", user, "Maildir")
	if strings.EqualFold(folder, "INBOX") {
		return root, true
	}
	for _, r := range folder {
		if r < 0x20 || r > 0x7e || r == '.' || r == '&' {
			return "", false
		}
	}
	return filepath.Join(root, "."+strings.ReplaceAll(folder, "/", ".")), true
}

// courierSeq keeps file names unique and increasing (Courier gives new
// messages their UIDs in file-name order).
var courierSeq atomic.Uint64

// writeMaildir writes m to tmp/ and renames it into new/ (no flags) or
// cur/ with the flags as Maildir info; the file's mtime is INTERNALDATE.
func (s *courier) writeMaildir(dir string, m Message) error {
	name := fmt.Sprintf("%d.M%09dP%d.mailtriage", time.Now().Unix(), courierSeq.Add(1), os.Getpid())
	tmp := filepath.Join(dir, "tmp", name)
	// Maildir files have Unix line ends; Courier adds the CR when it
	// serves them (a CRLF file would come out as CR CR LF).
	raw := bytes.ReplaceAll(m.Raw, []byte("\r\n"), []byte("\n"))
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	if err := s.id.chown(tmp); err != nil {
		return err
	}
	if !m.InternalDate.IsZero() {
		if err := os.Chtimes(tmp, m.InternalDate, m.InternalDate); err != nil {
			return err
		}
	}
	dest := filepath.Join(dir, "new", name)
	if info := maildirInfo(m.Flags); info != "" {
		dest = filepath.Join(dir, "cur", name+":2,"+info)
	}
	return os.Rename(tmp, dest)
}

// maildirInfo is the Maildir info letters of the system flags, in the
// alphabetical order Maildir wants.
func maildirInfo(flags []string) string {
	letters := map[string]byte{`\draft`: 'D', `\flagged`: 'F', `\answered`: 'R', `\seen`: 'S', `\deleted`: 'T'}
	var out []byte
	for _, f := range flags {
		if l, ok := letters[strings.ToLower(f)]; ok && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return string(out)
}

func hasKeywords(m Message) bool {
	return slices.ContainsFunc(m.Flags, func(f string) bool { return !strings.HasPrefix(f, `\`) })
}

func (s *courier) Log() string {
	if s.proc == nil {
		return "(not started)"
	}
	return s.proc.log() + s.auth.log()
}

func (s *courier) Stop() error {
	err := s.proc.stop()
	s.auth.close()
	os.RemoveAll(s.dir)
	return err
}
