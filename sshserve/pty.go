package sshserve

import (
	"fmt"
	"os"
	"syscall"

	"charm.land/ssh"
	rawterm "github.com/charmbracelet/x/term"
	"golang.org/x/sys/unix"
)

// Every descriptor of a session's PTY stays non-blocking, so that a
// session waiting for a key or for its output to drain is parked in Go's
// network poller and costs no OS thread. Anything that calls
// (*os.File).Fd puts a descriptor in blocking mode for good, and then
// every read of it holds a thread of its own: with 20 sessions that was
// 40 threads blocked in read(2), each key's wake-up went through the
// kernel's scheduler and back into a P, and under load the p99 latency
// of a keypress more than doubled (docs/benchmarks.md). The PTY library
// (creack/pty) calls Fd on the master when it opens it, so allocatePty
// undoes that, and the console's own handle on the slave side is never
// asked for Fd at all: its descriptor number is taken once, through
// SyscallConn.

// allocatePty is ssh.AllocatePty with the master side put back into
// non-blocking mode once allocated. The file stays registered with the
// poller when Fd makes it blocking, so a non-blocking descriptor makes
// its reads and writes wait in the poller again.
func allocatePty() ssh.Option {
	return func(srv *ssh.Server) error {
		if err := ssh.AllocatePty()(srv); err != nil {
			return err
		}
		allocate := srv.PtyHandler
		srv.PtyHandler = func(ctx ssh.Context, sess ssh.Session, req ssh.Pty) (func() error, error) {
			release, err := allocate(ctx, sess, req)
			if err != nil {
				return release, err
			}
			if pty, _, ok := sess.Pty(); ok && pty.Master != nil {
				if err := setNonblock(pty.Master); err != nil {
					_ = release()
					return nil, fmt.Errorf("pty: %w", err)
				}
			}
			return release, nil
		}
		return nil
	}
}

// setNonblock puts f's descriptor in non-blocking mode without asking
// for it with Fd (which would undo it).
func setNonblock(f *os.File) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var setErr error
	if err := conn.Control(func(fd uintptr) { setErr = unix.SetNonblock(int(fd), true) }); err != nil {
		return err
	}
	return setErr
}

// terminal is the console's own handle on the PTY's slave side, as
// Bubble Tea reads and writes it. It is its own handle because the
// library closes its handles when the client leaves, from another
// goroutine, while the console may still be using the terminal: with a
// handle of its own the console then just gets an error. It has a
// descriptor, so Bubble Tea knows it is a terminal (raw, no newline
// mapping needed), but Fd hands out the number taken at open rather than
// calling (*os.File).Fd, which would make the handle blocking.
type terminal struct {
	f    *os.File
	fd   uintptr
	name string
}

func (t *terminal) Read(b []byte) (int, error)  { return t.f.Read(b) }
func (t *terminal) Write(b []byte) (int, error) { return t.f.Write(b) }
func (t *terminal) Close() error                { return t.f.Close() }
func (t *terminal) Fd() uintptr                 { return t.fd }

// openTerminal opens the slave side called name, in raw mode before
// anything is read, so keys typed while the console starts are not
// echoed.
func openTerminal(name string) (*terminal, error) {
	f, err := os.OpenFile(name, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	t := &terminal{f: f, name: name}
	conn, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	var rawErr error
	if err := conn.Control(func(fd uintptr) {
		t.fd = fd
		if _, rawErr = rawterm.MakeRaw(fd); rawErr == nil {
			rawErr = noTabMoves(int(fd))
		}
	}); err != nil {
		f.Close()
		return nil, err
	}
	if rawErr != nil {
		f.Close()
		return nil, rawErr
	}
	return t, nil
}
