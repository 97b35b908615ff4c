package dovecottest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A server's life: start (directory, ports, launch, readiness), stop,
// crash and restart (Down, Up), and its log.

// Timeouts. Startup is usually well below a second; the generous limits
// only matter on overloaded CI machines.
const (
	readyTimeout = 20 * time.Second
	stopTimeout  = 10 * time.Second
	stopGrace    = time.Second
	startTries   = 5
)

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
