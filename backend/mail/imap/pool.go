package imap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// conn is one command connection and the folder it has selected (by the
// server's full name).
type conn struct {
	c            *imapclient.Client
	selected     string
	validity     uint32
	permKeywords bool
	lastUsed     time.Time
	// reused says the folder was already selected when this call got the
	// connection: the server may not have told it about new mail yet.
	reused bool
}

// staleAfter is how long a connection may sit unused before it is checked
// with NOOP: a silently dropped link would otherwise hang the next command.
const staleAfter = 3 * time.Minute

// pool hands out command connections, at most max at a time, preferring one
// that already has the wanted folder selected.
type pool struct {
	dial func(ctx context.Context) (*imapclient.Client, error)
	sem  chan struct{}

	mu     sync.Mutex
	idle   []*conn
	closed bool
}

func newPool(max int, dial func(ctx context.Context) (*imapclient.Client, error)) *pool {
	return &pool{dial: dial, sem: make(chan struct{}, max)}
}

func (p *pool) get(ctx context.Context, folder string) (*conn, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		cn := p.takeIdle(folder)
		if cn == nil {
			break
		}
		if p.alive(ctx, cn) {
			return cn, nil
		}
		cn.c.Close()
	}
	c, err := p.dial(ctx)
	if err != nil {
		<-p.sem
		return nil, err
	}
	return &conn{c: c}, nil
}

func (p *pool) takeIdle(folder string) *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) == 0 {
		return nil
	}
	pick := len(p.idle) - 1
	for i, cn := range p.idle {
		if cn.selected == folder {
			pick = i
			break
		}
	}
	cn := p.idle[pick]
	p.idle = append(p.idle[:pick], p.idle[pick+1:]...)
	return cn
}

// alive weeds out connections the server or the network has dropped.
func (p *pool) alive(ctx context.Context, cn *conn) bool {
	select {
	case <-cn.c.Closed():
		return false
	default:
	}
	if time.Since(cn.lastUsed) < staleAfter {
		return true
	}
	err := runCancellable(ctx, cn.c, 10*time.Second, func() error { return cn.c.Noop().Wait() })
	return err == nil
}

// put returns a connection; broken ones are closed instead of reused.
func (p *pool) put(cn *conn, broken bool) {
	defer func() { <-p.sem }()
	p.mu.Lock()
	if broken || p.closed {
		p.mu.Unlock()
		cn.c.Close()
		return
	}
	cn.lastUsed = time.Now()
	p.idle = append(p.idle, cn)
	p.mu.Unlock()
}

// drain closes every idle connection, e.g. after the server went away.
func (p *pool) drain() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, cn := range idle {
		cn.c.Close()
	}
}

func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, cn := range idle {
		_ = runCancellable(context.Background(), cn.c, 2*time.Second, func() error { return cn.c.Logout().Wait() })
		cn.c.Close()
	}
}

// runCancellable runs fn, a sequence of commands on c, and gives up when
// ctx ends or timeout passes. go-imap commands cannot be cancelled, so
// giving up means closing the connection: the caller must not reuse it.
func runCancellable(ctx context.Context, c *imapclient.Client, timeout time.Duration, fn func() error) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		c.Close()
		<-done
		return ctx.Err()
	}
}

// with runs fn on a connection that has folder selected (read-write, so
// later flag changes need no reselect; reads use BODY.PEEK so nothing is
// marked read by looking). An empty folder means any connection. A call
// that fails because the link broke is retried once on a fresh connection:
// every caller of with is idempotent.
func (m *Mailbox) with(ctx context.Context, ref mail.FolderRef, fn func(cn *conn) error) error {
	return m.withAttempts(ctx, ref, 2, fn)
}

// withOnce is with for calls that must not be repeated blindly (a move
// whose reply was lost may have happened): the caller finds out what
// became of it instead.
func (m *Mailbox) withOnce(ctx context.Context, ref mail.FolderRef, fn func(cn *conn) error) error {
	return m.withAttempts(ctx, ref, 1, fn)
}

func (m *Mailbox) withAttempts(ctx context.Context, ref mail.FolderRef, attempts int, fn func(cn *conn) error) error {
	var err error
	for attempt := 0; attempt < attempts; attempt++ {
		var cn *conn
		cn, err = m.pool.get(ctx, m.wire(ref.Name))
		if err != nil {
			return err
		}
		err = runCancellable(ctx, cn.c, 0, func() error {
			if err := m.selectFolder(cn, ref); err != nil {
				return err
			}
			return fn(cn)
		})
		broken := isConnBroken(cn.c, err)
		m.pool.put(cn, broken || ctx.Err() != nil)
		if !broken || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// selectFolder makes ref the connection's selected folder. A connection
// that already has it selected is reused as it is, unless its UIDVALIDITY
// differs from ref's: then the folder may have been deleted and recreated
// by another client since this connection selected it (Cyrus leaves such a
// connection on the old folder), so it selects again before calling ref's
// UIDs stale.
func (m *Mailbox) selectFolder(cn *conn, ref mail.FolderRef) error {
	cn.reused = false
	if ref.Name == "" {
		return nil
	}
	full := m.wire(ref.Name)
	stale := ref.UIDValidity != 0 && ref.UIDValidity != cn.validity
	if cn.selected == full && !stale {
		cn.reused = true
		return nil
	}
	cn.selected = ""
	data, err := cn.c.Select(full, nil).Wait()
	if err != nil {
		return folderError(ref.Name, err)
	}
	cn.selected = full
	cn.validity = data.UIDValidity
	cn.permKeywords = hasFlag(data.PermanentFlags, imap.FlagWildcard)
	if ref.UIDValidity != 0 && ref.UIDValidity != cn.validity {
		return mail.ErrUIDValidityChanged
	}
	return nil
}

func hasFlag(flags []imap.Flag, want imap.Flag) bool {
	for _, f := range flags {
		if strings.EqualFold(string(f), string(want)) {
			return true
		}
	}
	return false
}

// folderError names the folder in a server's refusal to open it.
func folderError(name string, err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) {
		return &FolderError{Folder: name, Err: serverWords(err)}
	}
	return err
}

// FolderError is the server refusing to open a folder.
type FolderError struct {
	Folder string
	Err    error
}

func (e *FolderError) Error() string { return fmt.Sprintf("open folder %q: %v", e.Folder, e.Err) }
func (e *FolderError) Unwrap() error { return e.Err }
