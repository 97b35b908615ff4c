package dovecottest

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Accounts: the IMAP users in the passwd file and their Maildirs, and the
// system identities Dovecot runs as and that own the files it reads.

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
