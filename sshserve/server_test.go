package sshserve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/crypto/ssh"

	"github.com/mailtriage/mailtriage/backend/audit"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/config"
	"github.com/mailtriage/mailtriage/demo"
	"github.com/mailtriage/mailtriage/ui"
	"github.com/mailtriage/mailtriage/ui/session"
)

// fixture is a running server on loopback over the demo mailbox, with a
// key per role and one that is not authorized.
type fixture struct {
	t       testing.TB
	srv     *Server
	addr    string
	hostKey ssh.PublicKey
	demo    *demo.Server
	audit   *audit.Log
	keys    map[string]ssh.Signer // viewer, responder, admin, stranger
	stop    context.CancelFunc
	served  chan error
}

func newKey(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func start(t testing.TB, tune func(*Config)) *fixture {
	t.Helper()
	dir := t.TempDir()
	srvDemo, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srvDemo.Close() })
	log, err := audit.Open(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	f := &fixture{t: t, demo: srvDemo, audit: log, keys: map[string]ssh.Signer{}}
	var authorized bytes.Buffer
	for _, name := range []string{"viewer", "responder", "admin", "stranger"} {
		f.keys[name] = newKey(t)
		if name != "stranger" {
			fmt.Fprintf(&authorized, "%s %s@desk\n", bytes.TrimSpace(ssh.MarshalAuthorizedKey(f.keys[name].PublicKey())), name)
		}
	}
	authFile := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authFile, authorized.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	imapCfg := srvDemo.IMAPConfig()
	imapCfg.Connections = config.DefaultServeConnection
	acct := session.Account{Name: "demo", Server: "imap://" + srvDemo.Addr, Mailbox: imap.New(imapCfg), DefaultFolder: "INBOX", MessageLimit: config.DefaultMaxMessageBytes}
	cfg := Config{
		HostKey:        filepath.Join(dir, "host_ed25519"),
		AuthorizedKeys: authFile,
		Users: []User{
			{Comment: "responder@desk", Role: "responder"},
			{Fingerprint: ssh.FingerprintSHA256(f.keys["admin"].PublicKey()), Role: "admin"},
		},
		Console: ui.Options{Accounts: []session.Account{acct}, Theme: "dark"},
		Audit:   log,
		Logf:    t.Logf,
	}
	if tune != nil {
		tune(&cfg)
	}
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.hostKey, err = f.srv.HostKey()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	f.stop = cancel
	f.served = make(chan error, 1)
	go func() { f.served <- f.srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-f.served:
		case <-time.After(20 * time.Second):
			t.Error("Serve did not return within 20s of its context ending")
		}
		f.srv.Close()
	})
	return f
}

func (f *fixture) dial(user string, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	return ssh.Dial("tcp", f.addr, &ssh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: ssh.FixedHostKey(f.hostKey),
		Timeout:         10 * time.Second,
	})
}

// term is one interactive session as a client sees it.
type term struct {
	t       testing.TB
	client  *ssh.Client
	sess    *ssh.Session
	in      io.Writer
	mu      sync.Mutex
	out     []byte
	mark    int
	changed chan struct{}
	exited  chan error
}

func (tm *term) Write(b []byte) (int, error) {
	tm.mu.Lock()
	tm.out = append(tm.out, b...)
	tm.mu.Unlock()
	select {
	case tm.changed <- struct{}{}:
	default:
	}
	return len(b), nil
}

// login opens a console as role in a w×h terminal and waits for the
// message list to be loaded (the demo INBOX has 23 messages, 11 unread;
// the status line is redrawn only where it changed, so the counts are
// what to look for).
func (f *fixture) login(role, user string, w, h int, env ...string) *term {
	f.t.Helper()
	tm := f.open(role, user, w, h, env...)
	tm.waitFor("23 messages · 11 unread")
	return tm
}

func (f *fixture) open(role, user string, w, h int, env ...string) *term {
	f.t.Helper()
	client, err := f.dial(user, ssh.PublicKeys(f.keys[role]))
	if err != nil {
		f.t.Fatalf("%s logs in: %v", role, err)
	}
	f.t.Cleanup(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		f.t.Fatal(err)
	}
	tm := &term{t: f.t, client: client, sess: sess, changed: make(chan struct{}, 1), exited: make(chan error, 1)}
	for i := 0; i+1 < len(env); i += 2 {
		if err := sess.Setenv(env[i], env[i+1]); err != nil {
			f.t.Fatalf("setenv %s: %v", env[i], err)
		}
	}
	if err := sess.RequestPty("xterm-256color", h, w, ssh.TerminalModes{}); err != nil {
		f.t.Fatal(err)
	}
	sess.Stdout = tm
	if tm.in, err = sess.StdinPipe(); err != nil {
		f.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		f.t.Fatal(err)
	}
	go func() { tm.exited <- sess.Wait() }()
	return tm
}

// text is the output since the last mark, without escape sequences.
func (tm *term) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(string(tm.out[tm.mark:]))
}

// all is every output so far, without escape sequences.
func (tm *term) all() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.Strip(string(tm.out))
}

// press types keys after marking the output, so waitFor reads only what
// they caused.
func (tm *term) press(keys string) {
	tm.t.Helper()
	tm.mu.Lock()
	tm.mark = len(tm.out)
	tm.mu.Unlock()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Fatalf("typing %q: %v", keys, err)
	}
}

// waitFor reads output since the mark until it holds every one of want.
// The deadline only bounds a broken test.
func (tm *term) waitFor(want ...string) string {
	tm.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		got := tm.text()
		if !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(got, w) }) {
			return got
		}
		select {
		case <-tm.changed:
		case <-deadline:
			tm.t.Fatalf("output never showed %q; it was:\n%s", want, got)
		}
	}
}

// waitExit waits for the session to end and returns its exit status.
func (tm *term) waitExit() int {
	tm.t.Helper()
	select {
	case err := <-tm.exited:
		var ee *ssh.ExitError
		if errors.As(err, &ee) {
			return ee.ExitStatus()
		}
		if err != nil {
			tm.t.Fatalf("session ended without a status: %v", err)
		}
		return 0
	case <-time.After(20 * time.Second):
		tm.t.Fatalf("session did not end; output:\n%s", tm.text())
	}
	return -1
}

// counts asks the demo server itself how many messages folders hold.
func (f *fixture) counts(folders ...string) map[string]uint32 {
	f.t.Helper()
	mb := imap.New(f.demo.IMAPConfig())
	defer mb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := mb.Status(ctx, folders...)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]uint32{}
	for _, s := range st {
		out[s.Folder] = s.Messages
	}
	return out
}

func TestUnknownKeyIsRefused(t *testing.T) {
	f := start(t, nil)
	if c, err := f.dial("mallory", ssh.PublicKeys(f.keys["stranger"])); err == nil {
		c.Close()
		t.Fatal("a key not in authorized_keys logged in")
	}
}

func TestPasswordIsRefused(t *testing.T) {
	f := start(t, nil)
	tries := 0
	c, err := f.dial("viewer", ssh.Password("hunter2"), ssh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
		tries++
		return []string{"hunter2"}, nil
	}))
	if err == nil {
		c.Close()
		t.Fatal("a password logged in")
	}
	if tries != 0 {
		t.Fatalf("the server offered keyboard-interactive (%d prompts)", tries)
	}
}

func TestAuthorizedKeysAreReadAgainWhenChanged(t *testing.T) {
	f := start(t, nil)
	path := f.srv.cfg.AuthorizedKeys
	line := ssh.MarshalAuthorizedKey(f.keys["stranger"].PublicKey())
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(data, line...), 0o600); err != nil {
		t.Fatal(err)
	}
	// The mtime may not move on a coarse clock; the size does.
	c, err := f.dial("newcomer", ssh.PublicKeys(f.keys["stranger"]))
	if err != nil {
		t.Fatalf("a key added to authorized_keys was refused: %v", err)
	}
	c.Close()
}

func TestViewerRemediationIsRefusedByTheBackend(t *testing.T) {
	f := start(t, nil)
	before := f.counts("INBOX", "Trash")
	tm := f.login("viewer", "val", 120, 30)
	tm.press("d")
	tm.waitFor("role viewer may not move messages to Trash")
	if after := f.counts("INBOX", "Trash"); after["INBOX"] != before["INBOX"] || after["Trash"] != before["Trash"] {
		t.Fatalf("server changed: before %v, after %v", before, after)
	}
	if recs, _ := f.audit.Recent(10); len(recs) != 0 {
		t.Fatalf("a refused action left audit records: %+v", recs)
	}
}

func TestResponderRemediationIsAuditedWithTheSSHIdentity(t *testing.T) {
	f := start(t, nil)
	before := f.counts("INBOX", "Trash")
	tm := f.login("responder", "rita", 120, 30)
	tm.press("d")
	tm.waitFor("moved 1 message to Trash")
	after := f.counts("INBOX", "Trash")
	if after["INBOX"] != before["INBOX"]-1 || after["Trash"] != before["Trash"]+1 {
		t.Fatalf("server: before %v, after %v", before, after)
	}
	recs, err := f.audit.Recent(10)
	if err != nil || len(recs) != 2 {
		t.Fatalf("audit records %+v, %v", recs, err)
	}
	fp := ssh.FingerprintSHA256(f.keys["responder"].PublicKey())
	local := tm.client.LocalAddr().String()
	for _, r := range recs {
		if r.Operator != "rita ("+fp+")" || r.Via != "ssh" || r.Remote != local || r.Action != "trash" {
			t.Errorf("record %+v: want operator %q via ssh from %s", r, "rita ("+fp+")", local)
		}
	}
	if recs[1].Phase != audit.PhaseIntent || recs[0].Result != "ok" {
		t.Fatalf("records %+v", recs)
	}
}

// ownWord returns a word of a subject in the demo's folder that no INBOX
// subject has: seeing it means the folder is on screen.
func ownWord(t testing.TB, folder string) string {
	t.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	var inbox strings.Builder
	var subjects []string
	for _, m := range msgs {
		s := mail.ParseMessage(m.Raw).Subject
		switch m.Folder {
		case "INBOX":
			inbox.WriteString(s + " ")
		case folder:
			subjects = append(subjects, s)
		}
	}
	for _, s := range subjects {
		for _, w := range strings.Fields(s) {
			plain := strings.IndexFunc(w, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) < 0
			if plain && len(w) >= 5 && !strings.Contains(inbox.String(), w) {
				return w
			}
		}
	}
	t.Fatalf("no subject in %s has a word of its own", folder)
	return ""
}

func TestTwoSessionsKeepIndependentState(t *testing.T) {
	f := start(t, nil)
	word := ownWord(t, "Quarantine")
	a := f.login("viewer", "ann", 140, 30)
	b := f.login("viewer", "bob", 140, 30)
	a.press(":folder Quarantine\r")
	a.waitFor(word, "Quarantine │")
	b.press("j")
	b.waitFor("Nov") // b's cursor moved: its rows were redrawn
	if got := b.all(); !strings.Contains(got, "INBOX │") || strings.Contains(got, word) || strings.Contains(got, "Quarantine │") {
		t.Fatalf("b shows a's folder (%q):\n%s", word, got)
	}
}

func TestWindowChangeReachesTheConsole(t *testing.T) {
	f := start(t, nil)
	tm := f.login("viewer", "val", 120, 30)
	// The console needs 40x8; 30 columns are too few. Every change must
	// reach it, not every other one (the library hands each change to
	// one reader only, and it has one of its own).
	for i := range 3 {
		tm.press("")
		if err := tm.sess.WindowChange(30, 30); err != nil {
			t.Fatal(err)
		}
		tm.waitFor("terminal too small")
		tm.press("")
		if err := tm.sess.WindowChange(30, 120+i); err != nil {
			t.Fatal(err)
		}
		tm.waitFor("23 messages · 11 unread")
	}
}

func TestTooManySessionsFromOneAddressAreRefused(t *testing.T) {
	f := start(t, func(c *Config) { c.SessionRate = 0.001; c.SessionBurst = 2 })
	f.login("viewer", "ann", 120, 30)
	f.login("viewer", "bob", 120, 30)
	tm := f.open("viewer", "cid", 120, 30)
	tm.waitFor("rate limit exceeded")
	if st := tm.waitExit(); st != 1 {
		t.Fatalf("exit status %d", st)
	}
}

func TestWithoutATerminalTheAnswerIsText(t *testing.T) {
	f := start(t, nil)
	c, err := f.dial("val", ssh.PublicKeys(f.keys["viewer"]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, cmd := range []string{"", "ls -l"} {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		sess.Stdout = &out
		if cmd == "" {
			err = sess.Shell()
			if err == nil {
				err = sess.Wait()
			}
		} else {
			err = sess.Run(cmd)
		}
		var ee *ssh.ExitError
		if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
			t.Errorf("%q: exit %v, want status 1", cmd, err)
		}
		if !strings.Contains(out.String(), "mailtriage needs an interactive terminal: ssh -t") {
			t.Errorf("%q: answer %q", cmd, out.String())
		}
	}
}

func TestFullServerSaysSo(t *testing.T) {
	f := start(t, func(c *Config) { c.MaxSessions = 1 })
	f.login("viewer", "ann", 120, 30)
	b := f.open("viewer", "bob", 120, 30)
	b.waitFor("the server is full (1 sessions)")
	if st := b.waitExit(); st != 1 {
		t.Fatalf("exit status %d", st)
	}
}

func TestIdleSessionIsToldAndClosed(t *testing.T) {
	f := start(t, func(c *Config) { c.IdleTimeout = 500 * time.Millisecond })
	tm := f.login("viewer", "val", 120, 30)
	tm.waitFor("no input for 500ms: the session was closed")
	if st := tm.waitExit(); st != 1 {
		t.Fatalf("exit status %d", st)
	}
}

func TestQuitEndsTheSessionWithStatusZero(t *testing.T) {
	f := start(t, nil)
	tm := f.login("viewer", "val", 120, 30)
	tm.press("q")
	if st := tm.waitExit(); st != 0 {
		t.Fatalf("exit status %d; output:\n%s", st, tm.text())
	}
}

func TestShutdownTellsEverySessionAndServeReturns(t *testing.T) {
	base := runtime.NumGoroutine()
	f := start(t, nil)
	terms := []*term{f.login("viewer", "ann", 120, 30), f.login("responder", "rita", 120, 30)}
	f.stop()
	for _, tm := range terms {
		tm.waitFor("mailtriage is shutting down")
		if st := tm.waitExit(); st != 1 {
			t.Errorf("exit status %d", st)
		}
	}
	select {
	case err := <-f.served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
		f.served <- nil // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("Serve did not return")
	}
	for _, tm := range terms {
		tm.client.Close()
	}
	f.srv.Close()
	// What is left are the demo server's and the test's own goroutines.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base+10 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base+10 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines left (%d before):\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

func TestNoColorFromTheSessionIsHonoured(t *testing.T) {
	f := start(t, nil)
	plain := f.login("viewer", "val", 120, 30, "NO_COLOR", "1")
	coloured := f.login("viewer", "ann", 120, 30)
	hasColour := func(tm *term) bool {
		tm.mu.Lock()
		defer tm.mu.Unlock()
		return bytes.Contains(tm.out, []byte("\x1b[38;")) || bytes.Contains(tm.out, []byte("\x1b[48;"))
	}
	if hasColour(plain) {
		t.Fatal("NO_COLOR=1 session got colours")
	}
	if !hasColour(coloured) {
		t.Fatal("a session without NO_COLOR got no colours (is the check right?)")
	}
}

// A lone ESC from the client is the esc key at once (it goes to Bubble
// Tea as its CSI u form, so the 50 ms escape timeout does not apply), and
// still works as esc: it leaves the open message.
func TestEscLeavesTheMessage(t *testing.T) {
	f := start(t, nil)
	a := f.login("viewer", "ann", 140, 30)
	a.press("\r")
	a.waitFor("Summary")
	a.press("\x1b")
	a.waitFor("enter open • space select") // the list's help bar is back
	a.press(":folder Junk\r")
	a.waitFor("Junk │")
}

func TestLoneEscBecomesCSIu(t *testing.T) {
	for _, tc := range []struct {
		in   string
		buf  int
		want string
	}{
		{"\x1b", 16, "\x1b[27u"},
		{"\x1b[A", 16, "\x1b[A"},
		{"\x1bx", 16, "\x1bx"},
		{"j", 16, "j"},
		// Too short a buffer for the whole form: the byte as it came,
		// never half a sequence.
		{"\x1b", 2, "\x1b"},
	} {
		r := &loneEsc{r: strings.NewReader(tc.in)}
		var got []byte
		buf := make([]byte, tc.buf)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		if string(got) != tc.want {
			t.Errorf("%q (reads of %d) → %q, want %q", tc.in, tc.buf, got, tc.want)
		}
	}
}

// The host key is made on first start, private to the server, and the
// same key is served after a restart.
func TestHostKeyIsCreatedPrivateAndKept(t *testing.T) {
	f := start(t, nil)
	st, err := os.Stat(f.srv.cfg.HostKey)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %o, want 600", st.Mode().Perm())
	}
	signer, err := LoadHostKey(f.srv.cfg.HostKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(signer.PublicKey().Marshal(), f.hostKey.Marshal()) || f.hostKey.Type() != ssh.KeyAlgoED25519 {
		t.Fatalf("host key %s read back as %s", f.hostKey.Type(), signer.PublicKey().Type())
	}
	c, err := f.dial("val", ssh.PublicKeys(f.keys["viewer"])) // dial accepts only f.hostKey
	if err != nil {
		t.Fatalf("the server does not present its key file's key: %v", err)
	}
	c.Close()
}

// The log names who logged in with which key and role, and never what
// the client sent in its environment or as a command.
func TestLogNamesTheKeyNeverTheEnvironmentOrCommand(t *testing.T) {
	var mu sync.Mutex
	var log strings.Builder
	f := start(t, func(c *Config) {
		c.Logf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(&log, format+"\n", args...)
		}
	})
	tm := f.login("responder", "rita", 120, 30, "IMAP_PASSWORD", "hunter2-env")
	tm.press("q")
	tm.waitExit()
	c, err := f.dial("rita", ssh.PublicKeys(f.keys["responder"]))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	_ = sess.Run("echo hunter2-cmd")
	mu.Lock()
	got := log.String()
	mu.Unlock()
	fp := ssh.FingerprintSHA256(f.keys["responder"].PublicKey())
	if !strings.Contains(got, "rita@127.0.0.1") || !strings.Contains(got, fp) || !strings.Contains(got, "responder") {
		t.Errorf("log does not name user, key and role:\n%s", got)
	}
	if strings.Contains(got, "hunter2") {
		t.Fatalf("log holds what the client sent:\n%s", got)
	}
}

// A client that drops its connection mid-session ends its console and
// frees its place: the PTY it leaves behind does not hold the session.
func TestClientThatLeavesFreesItsPlace(t *testing.T) {
	f := start(t, func(c *Config) { c.MaxSessions = 1; c.SessionBurst = 1 << 20 })
	a := f.login("viewer", "ann", 120, 30)
	a.client.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b := f.open("viewer", "bob", 120, 30)
		if b.waitForEither("23 messages · 11 unread", "the server is full") == 0 {
			return
		}
		// Still full: ann's console has not ended yet.
		if time.Now().After(deadline) {
			t.Fatal("the place of a client that left was never freed")
		}
		b.waitExit()
		b.client.Close()
	}
}

// waitForEither waits until the output since the mark holds a or b and
// says which (0 or 1).
func (tm *term) waitForEither(a, b string) int {
	tm.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		got := tm.text()
		switch {
		case strings.Contains(got, a):
			return 0
		case strings.Contains(got, b):
			return 1
		}
		select {
		case <-tm.changed:
		case <-deadline:
			tm.t.Fatalf("output never showed %q or %q; it was:\n%s", a, b, got)
		}
	}
}
