package imapservers

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// authDaemon answers Courier's authentication-daemon protocol (what
// courier-authlib's authdaemond speaks on its unix socket) for the users
// added to one Courier instance: the test setup's user database, like
// Dovecot's passwd-file in dovecottest.
//
// A request is optional "NAME=value" lines (TCPREMOTEIP=…), then
// "AUTH <n>\n" and n bytes: service, mechanism ("login"), user and password,
// one per line. The answer is "UID=…\nGID=…\nHOME=…\nADDRESS=…\n.\n" or
// "FAIL\n". "PRE . service user\n" (a lookup without password) gets the
// same answer without the check.
type authDaemon struct {
	ln   net.Listener
	id   mailIdentity
	home string
	wg   sync.WaitGroup

	passwords passwordBook

	mu       sync.Mutex // guards logLines
	logLines []string
}

func startAuthDaemon(path string, id mailIdentity, home string) (*authDaemon, error) {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("imapservers: courier auth socket: %w", err)
	}
	// imaplogin connects as root; a non-root run maps to the same user.
	if err := os.Chmod(path, 0o666); err != nil {
		ln.Close()
		return nil, err
	}
	a := &authDaemon{ln: ln, id: id, home: home}
	a.wg.Add(1)
	go a.serve()
	return a, nil
}

func (a *authDaemon) serve() {
	defer a.wg.Done()
	for {
		c, err := a.ln.Accept()
		if err != nil {
			return
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			answer := a.answer(bufio.NewReader(c))
			_, _ = io.WriteString(c, answer)
		}()
	}
}

// answer reads one request and returns the reply.
func (a *authDaemon) answer(r *bufio.Reader) string {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "FAIL\n"
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "AUTH "):
			n, err := strconv.Atoi(strings.TrimPrefix(line, "AUTH "))
			if err != nil || n < 0 || n > 64<<10 {
				return "FAIL\n"
			}
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return "FAIL\n"
			}
			return a.login(strings.Split(string(body), "\n"))
		case strings.HasPrefix(line, "PRE "):
			f := strings.Fields(line)
			if len(f) != 4 {
				return "FAIL\n"
			}
			return a.reply(f[3], "", false)
		case strings.Contains(line, "="):
			continue // meta data such as TCPREMOTEIP
		default:
			return "FAIL\n"
		}
	}
}

func (a *authDaemon) login(fields []string) string {
	if len(fields) < 4 || fields[1] != "login" {
		return "FAIL\n"
	}
	return a.reply(fields[2], fields[3], true)
}

func (a *authDaemon) reply(user, password string, check bool) string {
	want, err := a.passwords.password(user)
	if err != nil || check && password != want {
		a.logf("authdaemon: login refused for %q", user)
		return "FAIL\n"
	}
	a.logf("authdaemon: login accepted for %q", user)
	return fmt.Sprintf("UID=%d\nGID=%d\nHOME=%s\nADDRESS=%s\n.\n", a.id.uid, a.id.gid, filepath.Join(a.home, user), user)
}

func (a *authDaemon) logf(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.logLines) < 1000 {
		a.logLines = append(a.logLines, fmt.Sprintf(format, args...))
	}
}

func (a *authDaemon) log() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.logLines) == 0 {
		return ""
	}
	return strings.Join(a.logLines, "\n") + "\n"
}

func (a *authDaemon) close() {
	a.ln.Close()
	a.wg.Wait()
}
