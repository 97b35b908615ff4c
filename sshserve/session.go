package sshserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/colorprofile"

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

// drainTimeout bounds the wait for a session's last output to reach its
// client before the exit status is sent.
const drainTimeout = 5 * time.Second

// console is the innermost middleware: it runs the console on the
// session's PTY until the analyst quits, the client leaves, the session
// is idle or too long, or the server stops.
func (s *Server) console(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.runConsole(sess)
		next(sess)
	}
}

func (s *Server) runConsole(sess ssh.Session) {
	ch := channelOf(sess)
	pty, _, _ := sess.Pty()
	if ch == nil || pty.Slave == nil {
		finish(sess, 1, "mailtriage: this session has no terminal of its own")
		return
	}
	if !s.enter() {
		finish(sess, 1, "mailtriage: "+ErrShuttingDown.Error())
		return
	}
	defer s.sessions.Done()
	select {
	case s.active <- struct{}{}:
		defer func() { <-s.active }()
	default:
		s.logf("refused %s@%s: %d sessions already", sess.User(), sess.RemoteAddr(), s.cfg.MaxSessions)
		finish(sess, 1, fmt.Sprintf("mailtriage: the server is full (%d sessions); try again later", s.cfg.MaxSessions))
		return
	}
	tty, err := openTerminal(pty.Slave.Name())
	if err != nil {
		finish(sess, 1, "mailtriage: terminal: "+err.Error())
		return
	}
	defer tty.Close()
	ctx, cancel := s.sessionContext(ch)
	defer cancel(nil)
	out := &countingWriter{w: tty}
	cause, runErr := s.runProgram(ctx, cancel, sess, ch, pty, tty, out)
	s.logf("console %s@%s ended: %v", sess.User(), sess.RemoteAddr(), cause)
	if errors.Is(cause, errClientLeft) {
		return
	}
	status, text := outcome(cause, runErr)
	if text != "" {
		// A line of its own below whatever the console left on screen,
		// through the PTY so that it comes after the console's output.
		_, _ = fmt.Fprintf(out, "\r\n%s\r\n", sanitize(text))
	}
	ch.waitWritten(out.n.Load(), drainTimeout)
	_ = sess.Exit(status)
}

// sessionContext is a session's context: ended by the server stopping,
// or with errClientLeft when the client closes the channel or its
// connection drops (the library then closes the PTY, so a console
// writing to it is not stuck).
func (s *Server) sessionContext(ch *sessionChannel) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(s.base)
	go func() {
		select {
		case <-ch.closed:
			cancel(errClientLeft)
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// runProgram builds the session's console and runs it on the PTY. It
// returns, once the program has ended and the session's jobs have
// stopped, why the session ended and the program's error.
func (s *Server) runProgram(ctx context.Context, cancel context.CancelCauseFunc, sess ssh.Session, ch *sessionChannel, pty ssh.Pty, tty *terminal, out io.Writer) (cause, runErr error) {
	maxErr := fmt.Errorf("the session reached its maximum length (%s); log in again", s.cfg.MaxSession)
	ctx, cancelMax := context.WithTimeoutCause(ctx, s.cfg.MaxSession, maxErr)
	defer cancelMax()
	env := sessionEnv(pty.Term, tty.name, sess.Environ())
	runner := jobs.NewRunner(200)
	m, closeViews, err := s.newConsole(ctx, sess, env, runner)
	defer closeViews()
	if err != nil {
		cancel(errQuit)
		return errQuit, err
	}
	w, h := pty.Window.Width, pty.Window.Height
	if w <= 0 || h <= 0 {
		w, h = 80, 24
	}
	// wish's options for a PTY session (among them a filter that keeps
	// ctrl+z from suspending the server), with the console's own handle
	// of the terminal as input, the output counted, and the session's
	// environment, size and colours.
	opts := append(bubbletea.MakeOptions(sess),
		tea.WithInput(tty),
		tea.WithOutput(out),
		tea.WithEnvironment(env),
		tea.WithWindowSize(w, h),
		tea.WithColorProfile(profileOf(env)),
		tea.WithoutSignalHandler(),
		tea.WithContext(ctx),
	)
	p := tea.NewProgram(m, opts...)
	go forwardResizes(ctx, p, ch.resize)
	go watchIdle(ctx, cancel, ch.in, s.cfg.IdleTimeout)
	_, runErr = p.Run()
	cause = context.Cause(ctx)
	if ctx.Err() == nil {
		cause = errQuit // the analyst quit
		cancel(errQuit) // running jobs end, and audit that they did
	}
	waitJobs(runner, s.cfg.ShutdownGrace)
	return cause, runErr
}

// newConsole is the console of one session: its own views of the shared
// mailboxes, its own jobs, and a remediation service that checks the
// key's role and audits the SSH identity.
func (s *Server) newConsole(ctx context.Context, sess ssh.Session, env []string, runner *jobs.Runner) (tea.Model, func(), error) {
	ext := sess.Permissions().Extensions
	role, fp := ext[extRole], ext[extFingerprint]
	opts := s.cfg.Console
	opts.Accounts = make([]session.Account, len(s.cfg.Console.Accounts))
	var views []io.Closer
	closeViews := func() {
		for _, v := range views {
			v.Close()
		}
	}
	for i, a := range s.cfg.Console.Accounts {
		v := s.hubs[i].View()
		views = append(views, v)
		a.Mailbox = v
		opts.Accounts[i] = a
	}
	opts.Operator = sess.User() + " (" + fp + ")"
	opts.Remedy = &remediate.Service{
		Audit:    s.cfg.Audit,
		Operator: opts.Operator,
		Via:      "ssh",
		Remote:   sess.RemoteAddr().String(),
		Allow:    func(a remediate.Action) error { return remediate.RoleAllows(role, a) },
	}
	opts.Environ, opts.Ctx, opts.Jobs = env, ctx, runner
	m, err := ui.New(opts)
	return m, closeViews, err
}

// outcome is the exit status and the last line a session's client gets.
func outcome(cause, runErr error) (int, string) {
	switch {
	case errors.Is(cause, errQuit) && (runErr == nil || errors.Is(runErr, tea.ErrProgramKilled)):
		return 0, ""
	case runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, context.Canceled):
		return 1, "mailtriage: " + runErr.Error()
	default:
		return 1, "mailtriage: " + cause.Error()
	}
}

// sanitize makes text safe for the client's terminal: errors may quote
// servers, and user names are the client's.
func sanitize(text string) string { return analysis.SanitizeLine(text).String() }

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
func forwardResizes(ctx context.Context, p *tea.Program, resize <-chan window) {
	for {
		select {
		case <-ctx.Done():
			return
		case sz := <-resize:
			p.Send(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
		}
	}
}

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

// countingWriter counts what the console writes to the PTY, to know when
// all of it has reached the client.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}
