package sshserve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/crypto/ssh"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/jobs"
	"github.com/mailtriage/mailtriage/backend/remediate"
	"github.com/mailtriage/mailtriage/ui"
	"github.com/mailtriage/mailtriage/ui/session"
)

// Why a session ended, as its client is told.
var (
	errClientLeft = errors.New("the client left")
	errQuit       = errors.New("session ended")
)

// Wire forms of the session requests (RFC 4254, section 6).
type (
	ptyRequest struct {
		Term                   string
		Columns, Rows          uint32
		WidthPixels, HeightPix uint32
		Modes                  string
	}
	windowChange struct {
		Columns, Rows          uint32
		WidthPixels, HeightPix uint32
	}
	envRequest  struct{ Name, Value string }
	exitStatus  struct{ Status uint32 }
	sizeRequest struct{ w, h int }
)

// maxEnv bounds what a client may set, so env requests cannot grow a
// session without limit.
const maxEnv = 64

// session serves one session channel: it gathers the PTY and the
// environment, runs the console on "shell", answers anything else with a
// short text, and forwards window changes to the running console.
func (s *Server) session(ctx context.Context, conn *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var (
		pty     *ptyRequest
		env     []string
		started bool
		done    = make(chan struct{})
		resize  = make(chan sizeRequest, 1)
	)
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	for req := range reqs {
		switch req.Type {
		case "pty-req":
			var p ptyRequest
			ok := ssh.Unmarshal(req.Payload, &p) == nil
			if ok {
				pty = &p
			}
			_ = req.Reply(ok, nil)
		case "env":
			var e envRequest
			ok := ssh.Unmarshal(req.Payload, &e) == nil && len(env) < maxEnv && e.Name != "" && !strings.ContainsAny(e.Name, "=\x00")
			if ok {
				env = append(env, e.Name+"="+e.Value)
			}
			_ = req.Reply(ok, nil)
		case "window-change":
			var w windowChange
			if ssh.Unmarshal(req.Payload, &w) == nil {
				if pty != nil && !started {
					pty.Columns, pty.Rows = w.Columns, w.Rows
				}
				// Only the newest size matters.
				select {
				case <-resize:
				default:
				}
				resize <- sizeRequest{int(w.Columns), int(w.Rows)}
			}
			_ = req.Reply(true, nil)
		case "shell", "exec":
			if started {
				_ = req.Reply(false, nil)
				continue
			}
			started = true
			_ = req.Reply(true, nil)
			if req.Type == "exec" || pty == nil {
				go func() {
					defer close(done)
					s.finish(ch, 1, fmt.Sprintf("mailtriage needs an interactive terminal: ssh -t -p %s %s@%s (and no command)",
						port(conn.LocalAddr()), conn.User(), host(conn.LocalAddr())))
				}()
				continue
			}
			p := *pty
			go func() {
				defer close(done)
				s.console(sctx, cancel, conn, ch, p, env, resize)
			}()
		default:
			// subsystem, x11-req, auth-agent-req, signal, …: not served.
			_ = req.Reply(false, nil)
		}
	}
	// The channel is closed: by the client, or by us after the console.
	cancel(errClientLeft)
	if started {
		<-done
	}
}

// finish tells the client why the session ends, sends the exit status
// and closes the channel.
func (s *Server) finish(ch ssh.Channel, status uint32, text string) {
	if text != "" {
		// A line of its own below whatever the console left on screen;
		// errors may quote servers, so the text is sanitized.
		_, _ = fmt.Fprintf(ch, "\r\n%s\r\n", analysis.SanitizeLine(text))
	}
	_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(exitStatus{status}))
	_ = ch.CloseWrite()
	_ = ch.Close()
}

// console runs the console on the channel until the analyst quits, the
// client leaves, the session is idle or too long, or the server stops.
func (s *Server) console(ctx context.Context, cancel context.CancelCauseFunc, conn *ssh.ServerConn, ch ssh.Channel, pty ptyRequest, reqEnv []string, resize <-chan sizeRequest) {
	select {
	case s.active <- struct{}{}:
		defer func() { <-s.active }()
	default:
		s.logf("refused %s@%s: %d sessions already", conn.User(), conn.RemoteAddr(), s.cfg.MaxSessions)
		s.finish(ch, 1, fmt.Sprintf("mailtriage: the server is full (%d sessions); try again later", s.cfg.MaxSessions))
		return
	}
	ext := conn.Permissions.Extensions
	role, fp := ext[extRole], ext[extFingerprint]
	remote := conn.RemoteAddr().String()
	maxErr := fmt.Errorf("the session reached its maximum length (%s); log in again", s.cfg.MaxSession)
	ctx, cancelMax := context.WithTimeoutCause(ctx, s.cfg.MaxSession, maxErr)
	defer cancelMax()

	env := sessionEnv(pty.Term, reqEnv)
	opts := s.cfg.Console
	opts.Accounts = make([]session.Account, len(s.cfg.Console.Accounts))
	for i, a := range s.cfg.Console.Accounts {
		v := s.hubs[i].View()
		defer v.Close()
		a.Mailbox = v
		opts.Accounts[i] = a
	}
	runner := jobs.NewRunner(200)
	opts.Operator = conn.User() + " (" + fp + ")"
	opts.Remedy = &remediate.Service{
		Audit:    s.cfg.Audit,
		Operator: opts.Operator,
		Via:      "ssh",
		Remote:   remote,
		Allow:    func(a remediate.Action) error { return remediate.RoleAllows(role, a) },
	}
	opts.Environ, opts.Ctx, opts.Jobs = env, ctx, runner
	m, err := ui.New(opts)
	if err != nil {
		s.finish(ch, 1, "mailtriage: "+err.Error())
		return
	}
	w, h := int(pty.Columns), int(pty.Rows)
	if w <= 0 || h <= 0 {
		w, h = 80, 24
	}
	in := &idleReader{r: &loneEsc{r: ch}}
	in.touch()
	p := tea.NewProgram(m,
		tea.WithInput(in),
		tea.WithOutput(onlcr{ch}),
		tea.WithEnvironment(env),
		tea.WithWindowSize(w, h),
		tea.WithColorProfile(profileOf(env)),
		tea.WithoutSignalHandler(),
		tea.WithContext(ctx),
	)
	go forwardResizes(ctx, p, resize)
	go watchIdle(ctx, cancel, in, s.cfg.IdleTimeout)

	s.logf("session %s@%s (%s, %s) started", conn.User(), remote, fp, role)
	_, runErr := p.Run()
	cause := context.Cause(ctx)
	if ctx.Err() == nil {
		cause = errQuit // the analyst quit
		cancel(errQuit) // running jobs end, and audit that they did
	}
	waitJobs(runner, s.cfg.ShutdownGrace)
	s.logf("session %s@%s ended: %v", conn.User(), remote, cause)
	switch {
	case cause == errQuit && (runErr == nil || errors.Is(runErr, tea.ErrProgramKilled)):
		s.finish(ch, 0, "")
	case cause == errClientLeft:
		_ = ch.Close()
	case runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, context.Canceled):
		s.finish(ch, 1, "mailtriage: "+runErr.Error())
	default:
		s.finish(ch, 1, "mailtriage: "+cause.Error())
	}
}

// sessionEnv is the console's environment: the client's TERM and what it
// sent with env requests, never the server's own. SSH_TTY tells Bubble Tea
// (and the console's theme detection) that this is a remote session, so
// neither sends terminal queries whose answers a client still switching
// its terminal to raw mode would echo on screen.
func sessionEnv(term string, reqEnv []string) []string {
	if term == "" {
		term = "xterm-256color"
	}
	env := []string{"TERM=" + term, "SSH_TTY=/dev/pts/ssh"}
	for _, kv := range reqEnv {
		if !strings.HasPrefix(kv, "TERM=") && !strings.HasPrefix(kv, "SSH_TTY=") {
			env = append(env, kv)
		}
	}
	return env
}

// profileOf picks the colour profile from the client's TERM (and
// COLORTERM, NO_COLOR); a TERM that says nothing gets 256 colours.
func profileOf(env []string) colorprofile.Profile {
	p := colorprofile.Env(env)
	if p == colorprofile.NoTTY {
		return colorprofile.ANSI256
	}
	return p
}

// forwardResizes hands window changes to the console, newest only.
func forwardResizes(ctx context.Context, p *tea.Program, resize <-chan sizeRequest) {
	for {
		select {
		case <-ctx.Done():
			return
		case sz := <-resize:
			if sz.w > 0 && sz.h > 0 {
				p.Send(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
			}
		}
	}
}

// idleReader is the channel as the console reads it, noting when the
// analyst last typed.
type idleReader struct {
	r    io.Reader
	last atomic.Int64 // unix nanoseconds
}

func (r *idleReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.touch()
	}
	return n, err
}

func (r *idleReader) touch() { r.last.Store(time.Now().UnixNano()) }

// loneEsc turns an ESC byte that arrives alone (a client sends an escape
// sequence in one write, so a lone ESC is the esc key) into its
// unambiguous CSI u form. Bubble Tea would otherwise wait 50 ms for more
// bytes before deciding it was the esc key, on every press.
type loneEsc struct {
	r       io.Reader
	pending []byte
}

// escKey is the esc key in the kitty keyboard protocol's CSI u form.
var escKey = []byte("\x1b[27u")

func (l *loneEsc) Read(b []byte) (int, error) {
	if len(l.pending) > 0 {
		n := copy(b, l.pending)
		l.pending = l.pending[n:]
		return n, nil
	}
	n, err := l.r.Read(b)
	if n == 1 && b[0] == 0x1b {
		n = copy(b, escKey)
		l.pending = append(l.pending[:0], escKey[n:]...)
	}
	return n, err
}

func (r *idleReader) idleFor() time.Duration { return time.Since(time.Unix(0, r.last.Load())) }

// watchIdle ends the session after idle without input.
func watchIdle(ctx context.Context, cancel context.CancelCauseFunc, in *idleReader, idle time.Duration) {
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			left := idle - in.idleFor()
			if left <= 0 {
				cancel(fmt.Errorf("no input for %s: the session was closed", idle))
				return
			}
			t.Reset(left)
		}
	}
}

// waitJobs waits, at most grace, for the session's running jobs to end
// (their context is cancelled; a remediation then writes its result).
func waitJobs(r *jobs.Runner, grace time.Duration) {
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for running(r) {
		select {
		case <-deadline.C:
			return
		case <-r.Changed():
		case <-tick.C:
		}
	}
}

func running(r *jobs.Runner) bool {
	for _, j := range r.Snapshot() {
		if j.State == jobs.Running {
			return true
		}
	}
	return false
}

func host(a net.Addr) string {
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

func port(a net.Addr) string {
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return "22"
	}
	return p
}

// onlcr does what a pty's ONLCR output flag would: every LF goes out as
// CR LF. There is no pty on this side of the connection, and Bubble Tea,
// seeing no terminal for input, renders assuming its newlines are mapped;
// a client whose terminal is in raw mode would otherwise get lines that
// do not start at column 0 (a garbled screen).
type onlcr struct{ w io.Writer }

func (o onlcr) Write(b []byte) (int, error) {
	if bytes.IndexByte(b, '\n') < 0 {
		return o.w.Write(b)
	}
	if _, err := o.w.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(b), nil
}
