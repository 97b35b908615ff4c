package sshserve

import (
	"io"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// maxEnv bounds the env requests a session may make, so a client cannot
// grow a session without limit.
const maxEnv = 64

// sessionChannel is one session channel between the SSH connection and
// charm.land/ssh's session handling, which does the rest (PTY, env,
// shell/exec, exit status). It is installed as the server's "session"
// channel handler and adds what a console needs and the library leaves
// out:
//
//   - every window change, as it arrives: the library hands each change to
//     one reader of a shared channel (its own PTY resizer or the
//     application), so an application reading it misses changes;
//   - a cap on env requests;
//   - input as the console should read it: a lone ESC made unambiguous
//     (loneEsc), and the time of the last keypress for the idle timeout;
//   - a count of what was written to the client, so the last words of a
//     session are known to have left before its exit status;
//   - the moment the client closes the channel or the connection drops.
type sessionChannel struct {
	gossh.Channel
	in      *idleReader
	written atomic.Int64
	wrote   chan struct{} // a token after each write to the client
	resize  chan window   // the newest window change only
	closed  chan struct{} // closed once the channel's requests end
}

// window is a terminal size in cells.
type window struct{ w, h int }

// windowChange is the wire form of a window-change request (RFC 4254,
// section 6.7).
type windowChange struct {
	Columns, Rows          uint32
	WidthPixels, HeightPix uint32
}

// acceptSession wraps a new session channel and hands it to next, the
// library's session handler.
func acceptSession(newChan gossh.NewChannel) gossh.NewChannel {
	return &newSession{NewChannel: newChan}
}

// newSession is a session channel not yet accepted.
type newSession struct{ gossh.NewChannel }

// Accept accepts the channel and returns it wrapped, with its requests
// passed on once looked at.
func (n *newSession) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := n.NewChannel.Accept()
	if err != nil {
		return nil, nil, err
	}
	c := &sessionChannel{
		Channel: ch,
		wrote:   make(chan struct{}, 1),
		resize:  make(chan window, 1),
		closed:  make(chan struct{}),
	}
	c.in = &idleReader{r: &loneEsc{r: ch}}
	c.in.touch()
	out := make(chan *gossh.Request)
	go c.passRequests(reqs, out)
	return c, out, nil
}

// passRequests looks at each request before the library handles it.
func (c *sessionChannel) passRequests(in <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer close(c.closed)
	defer close(out)
	env := 0
	for req := range in {
		switch req.Type {
		case "env":
			if env++; env > maxEnv {
				_ = req.Reply(false, nil)
				continue
			}
		case "window-change":
			var w windowChange
			if gossh.Unmarshal(req.Payload, &w) == nil && w.Columns > 0 && w.Rows > 0 {
				c.noteResize(window{int(w.Columns), int(w.Rows)})
			}
		}
		out <- req
	}
}

// noteResize keeps only the newest size for the console.
func (c *sessionChannel) noteResize(w window) {
	select {
	case <-c.resize:
	default:
	}
	c.resize <- w
}

// Read is the client's input as the console reads it.
func (c *sessionChannel) Read(b []byte) (int, error) { return c.in.Read(b) }

// Write sends output to the client and counts it.
func (c *sessionChannel) Write(b []byte) (int, error) {
	n, err := c.Channel.Write(b)
	c.written.Add(int64(n))
	select {
	case c.wrote <- struct{}{}:
	default:
	}
	return n, err
}

// Stderr is the channel's extended data stream. It also leads from a
// session back to its channel (see channelOf): the library's Session
// hides the channel it wraps, but returns the channel's Stderr as it is.
func (c *sessionChannel) Stderr() io.ReadWriter {
	return channelStderr{ReadWriter: c.Channel.Stderr(), owner: c}
}

// channelStderr is a channel's Stderr that knows its channel.
type channelStderr struct {
	io.ReadWriter
	owner *sessionChannel
}

// channelOf returns the sessionChannel a session runs on, or nil for a
// session that did not come through acceptSession.
func channelOf(sess ssh.Session) *sessionChannel {
	if s, ok := sess.Stderr().(channelStderr); ok {
		return s.owner
	}
	return nil
}

// waitWritten waits until n bytes have been written to the client in
// all, or the deadline passes, or the client is gone.
func (c *sessionChannel) waitWritten(n int64, deadline time.Duration) {
	t := time.NewTimer(deadline)
	defer t.Stop()
	for c.written.Load() < n {
		select {
		case <-c.wrote:
		case <-c.closed:
			return
		case <-t.C:
			return
		}
	}
}

// idleReader notes when the analyst last typed.
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

func (r *idleReader) idleFor() time.Duration { return time.Since(time.Unix(0, r.last.Load())) }

// loneEsc turns an ESC byte that arrives alone into its unambiguous CSI u
// form (the kitty keyboard protocol's esc key). A client sends an escape
// sequence in one write, so a lone ESC is the esc key; Bubble Tea would
// otherwise wait 50 ms for more bytes before deciding so, on every press.
// A PTY passes the byte through unchanged, so this is still needed.
type loneEsc struct{ r io.Reader }

// escKey is the esc key in CSI u form.
var escKey = []byte("\x1b[27u")

func (l *loneEsc) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	// A buffer too short for the whole form gets the plain ESC: the form
	// is never split across reads.
	if n == 1 && b[0] == 0x1b && len(b) >= len(escKey) {
		n = copy(b, escKey)
	}
	return n, err
}

// sessionEnv is the console's environment: the client's TERM and what it
// sent with env requests, never the server's own. SSH_TTY tells Bubble Tea
// (and the console's theme detection) that this is a remote session, so
// neither sends terminal queries whose answers a client still switching
// its terminal to raw mode would echo on screen.
func sessionEnv(term, tty string, reqEnv []string) []string {
	if term == "" {
		term = "xterm-256color"
	}
	env := []string{"TERM=" + term, "SSH_TTY=" + tty}
	for _, kv := range reqEnv {
		if !strings.HasPrefix(kv, "TERM=") && !strings.HasPrefix(kv, "SSH_TTY=") {
			env = append(env, kv)
		}
	}
	return env
}
