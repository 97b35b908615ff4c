package sshserve

import (
	"fmt"
	"net"
	"strings"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/ratelimiter"
	"charm.land/wish/v2/recover"
	"golang.org/x/time/rate"
)

// middleware is the session handler: wish middlewares, outermost first
// when read bottom-up (wish runs the last one given first).
func (s *Server) middleware() wish.Middleware {
	limiter := ratelimiter.NewRateLimiter(rate.Limit(s.cfg.SessionRate), s.cfg.SessionBurst, 4096)
	return recover.MiddlewareWithLogger(logger{s.logf},
		s.console,
		s.logging,
		s.activeTerminal,
		s.rateLimit(limiter),
	)
}

// rateLimit refuses a session when its client address has opened too
// many too fast (wish's limiter: a token bucket per address, the last
// 4096 addresses kept), saying so and why in the log.
func (s *Server) rateLimit(limiter ratelimiter.RateLimiter) wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			if err := limiter.Allow(sess); err != nil {
				s.logf("refused %s@%s: %v", sess.User(), sess.RemoteAddr(), err)
				finish(sess, 1, "mailtriage: "+err.Error())
				return
			}
			next(sess)
		}
	}
}

// logger lets wish's middlewares log through Logf.
type logger struct{ logf func(string, ...any) }

func (l logger) Printf(format string, args ...any) { l.logf(format, args...) }

// activeTerminal answers a session without a PTY, or with a command, with
// one line and exit status 1: the console needs an interactive terminal.
// (wish's activeterm does the same with words of its own, and lets a
// command through.)
func (s *Server) activeTerminal(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		_, _, pty := sess.Pty()
		if pty && sess.RawCommand() == "" && sess.Subsystem() == "" {
			next(sess)
			return
		}
		s.logf("refused %s@%s: no terminal, or a command", sess.User(), sess.RemoteAddr())
		finish(sess, 1, fmt.Sprintf("mailtriage needs an interactive terminal: ssh -t -p %s %s@%s (and no command)",
			port(sess.LocalAddr()), sess.User(), host(sess.LocalAddr())))
	}
}

// logging logs who a console session is and how it ended. It names the
// key and the role, never the environment or a command (either may hold
// a secret the analyst typed); the client's words are sanitized by Logf's
// owner.
func (s *Server) logging(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ext := sess.Permissions().Extensions
		pty, _, _ := sess.Pty()
		start := time.Now()
		s.logf("session %s@%s (%s, %s) started: %s %dx%d", sess.User(), sess.RemoteAddr(), ext[extFingerprint], ext[extRole],
			pty.Term, pty.Window.Width, pty.Window.Height)
		next(sess)
		s.logf("session %s@%s ended after %s", sess.User(), sess.RemoteAddr(), time.Since(start).Round(time.Millisecond))
	}
}

// finish tells the client why the session ends (directly on the channel:
// nothing else writes to it), sends the exit status and closes the
// channel.
func finish(sess ssh.Session, status int, text string) {
	if text != "" {
		_, _ = fmt.Fprintf(sess, "\r\n%s\r\n", sanitize(text))
	}
	_ = sess.Exit(status)
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
