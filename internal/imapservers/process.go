package imapservers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Timeouts: startup takes well under a second here; the limits only
// matter on an overloaded machine.
const (
	readyTimeout = 20 * time.Second
	stopTimeout  = 10 * time.Second
	startTries   = 4
)

// process is a server's main process, run in its own process group so Stop
// can end every child it forked.
type process struct {
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// launch starts cmd with its output appended to logPath.
func launch(cmd *exec.Cmd, logPath string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	// An aborted test run must not leave servers behind.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", filepath.Base(cmd.Path), err)
	}
	p := &process{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// startRetrying calls launch until it succeeds, at most startTries times:
// a launch is tried again only when its server never greeted (freePort's
// port can be taken before the server binds it); other errors are final.
func startRetrying(launch func() error) error {
	for try := 0; ; try++ {
		err := launch()
		if err == nil || try == startTries-1 || !strings.Contains(err.Error(), "no IMAP greeting") {
			return err
		}
	}
}

// launchGreeting launches cmd (see launch) and waits until its server
// greets on addr. A server that does not is stopped and returned with the
// error, so that its log can still be read.
func launchGreeting(cmd *exec.Cmd, logPath, addr string) (*process, error) {
	p, err := launch(cmd, logPath)
	if err != nil {
		return nil, err
	}
	if err := waitGreeting(addr, p.exited, readyTimeout); err != nil {
		_ = p.stop()
		return p, err
	}
	return p, nil
}

// stop sends SIGTERM to the process group, SIGKILL to what is left after
// stopTimeout, and waits for the main process. A process never launched
// (nil) has nothing to stop.
func (p *process) stop() error {
	if p == nil {
		return nil
	}
	p.stopOnce.Do(func() {
		pgid := p.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(stopTimeout):
			p.stopErr = fmt.Errorf("%s did not stop within %v; killed", filepath.Base(p.cmd.Path), stopTimeout)
		}
		// Connection processes may outlive the master briefly.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	})
	return p.stopErr
}

func (p *process) log() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// passwordBook is the users an instance accepts and their passwords; the
// zero value is empty and ready.
type passwordBook struct {
	mu        sync.Mutex
	passwords map[string]string
}

func (b *passwordBook) set(user, password string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.passwords == nil {
		b.passwords = map[string]string{}
	}
	b.passwords[user] = password
}

// password returns user's password, or an error for a user never added.
func (b *passwordBook) password(user string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pw, ok := b.passwords[user]
	if !ok {
		return "", fmt.Errorf("imapservers: no user %q (AddUser first)", user)
	}
	return pw, nil
}

// mailIdentity is who the servers run mail access as: "nobody" when the
// tests run as root (the servers refuse, or should not, run as root), else
// the current user.
type mailIdentity struct {
	name     string
	uid, gid int
	root     bool
}

func identity() (mailIdentity, error) {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return mailIdentity{}, fmt.Errorf("imapservers: running as root needs the user nobody: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return mailIdentity{name: u.Username, uid: uid, gid: gid, root: true}, nil
	}
	u, err := user.Current()
	if err != nil {
		return mailIdentity{}, err
	}
	return mailIdentity{name: u.Username, uid: os.Geteuid(), gid: os.Getegid()}, nil
}

// instanceDir makes a short private directory (unix socket paths must stay
// under about 100 bytes, which t.TempDir() names can exceed) that the mail
// identity can reach.
func instanceDir(kind Kind, id mailIdentity) (string, error) {
	dir, err := os.MkdirTemp("", "mt-"+string(kind)+"-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// mkdirs creates dirs under base, owned by the mail identity.
func (id mailIdentity) mkdirs(base string, dirs ...string) error {
	for _, d := range dirs {
		p := filepath.Join(base, d)
		if err := os.MkdirAll(p, 0o750); err != nil {
			return err
		}
		if err := id.chown(p); err != nil {
			return err
		}
	}
	return nil
}

func (id mailIdentity) chown(path string) error {
	if !id.root {
		return nil
	}
	return os.Chown(path, id.uid, id.gid)
}

// randomSecret is a password nobody has to type (the Cyrus admin's).
func randomSecret() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
