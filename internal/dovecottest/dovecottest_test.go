package dovecottest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// imapClient is a deliberately tiny IMAP client: enough to check what the
// server says, without pulling a client library into this package.
type imapClient struct {
	tb   testing.TB
	conn net.Conn
	r    *bufio.Reader
	tag  int
}

func dialIMAP(tb testing.TB, addr string) *imapClient {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	return newIMAPClient(tb, c)
}

func dialIMAPS(tb testing.TB, addr string, cfg *tls.Config) *imapClient {
	tb.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return newIMAPClient(tb, c)
}

func newIMAPClient(tb testing.TB, c net.Conn) *imapClient {
	tb.Helper()
	ic := &imapClient{tb: tb, conn: c, r: bufio.NewReader(c)}
	tb.Cleanup(func() { c.Close() })
	greeting := ic.readLine()
	if !strings.HasPrefix(greeting, "* OK") {
		tb.Fatalf("greeting: %q", greeting)
	}
	return ic
}

// readLine reads one response line, inlining {n} literals.
func (c *imapClient) readLine() string {
	c.tb.Helper()
	c.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	var out strings.Builder
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.tb.Fatalf("read: %v (got %q)", err, out.String()+line)
		}
		line = strings.TrimRight(line, "\r\n")
		out.WriteString(line)
		m := literalRE.FindStringSubmatch(line)
		if m == nil {
			return out.String()
		}
		n, _ := strconv.Atoi(m[1])
		buf := make([]byte, n)
		if _, err := ioReadFull(c.r, buf); err != nil {
			c.tb.Fatalf("read literal: %v", err)
		}
		out.Write(buf)
	}
}

var literalRE = regexp.MustCompile(`\{(\d+)\}$`)

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// cmd sends one command and returns the untagged responses and the tagged
// status line (without the tag).
func (c *imapClient) cmd(format string, args ...any) (untagged []string, status string) {
	c.tb.Helper()
	c.tag++
	tag := fmt.Sprintf("t%d", c.tag)
	c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(c.conn, "%s %s\r\n", tag, fmt.Sprintf(format, args...)); err != nil {
		c.tb.Fatal(err)
	}
	for {
		line := c.readLine()
		if rest, ok := strings.CutPrefix(line, tag+" "); ok {
			return untagged, rest
		}
		untagged = append(untagged, line)
	}
}

// ok is cmd that fails the test unless the status is OK.
func (c *imapClient) ok(format string, args ...any) []string {
	c.tb.Helper()
	u, st := c.cmd(format, args...)
	if !strings.HasPrefix(st, "OK") {
		c.tb.Fatalf("%s: %s (untagged %q)", fmt.Sprintf(format, args...), st, u)
	}
	return u
}

func find(lines []string, substr string) string {
	for _, l := range lines {
		if strings.Contains(l, substr) {
			return l
		}
	}
	return ""
}

func startWithUser(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := Start(t, opts...)
	if err := s.AddUser("alice", "s3cret pass"); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLogin(t *testing.T) {
	t.Parallel()
	s := startWithUser(t)
	c := dialIMAP(t, s.Addr)
	if _, st := c.cmd(`LOGIN alice "wrong"`); !strings.HasPrefix(st, "NO [AUTHENTICATIONFAILED]") {
		t.Fatalf("wrong password: got %q, want NO [AUTHENTICATIONFAILED]", st)
	}
	if _, st := c.cmd(`LOGIN nobody "s3cret pass"`); !strings.HasPrefix(st, "NO [AUTHENTICATIONFAILED]") {
		t.Fatalf("unknown user: got %q, want NO [AUTHENTICATIONFAILED]", st)
	}
	c.ok(`LOGIN alice "s3cret pass"`)
	u := c.ok("SELECT INBOX")
	if find(u, "* 0 EXISTS") == "" {
		t.Fatalf("SELECT INBOX: %q", u)
	}
	c.ok("LOGOUT")
}

func TestImplicitTLS(t *testing.T) {
	t.Parallel()
	s := startWithUser(t)
	for _, name := range []string{"127.0.0.1", "localhost"} {
		c := dialIMAPS(t, s.TLSAddr, &tls.Config{RootCAs: s.CAPool, ServerName: name})
		if st := c.conn.(*tls.Conn).ConnectionState(); !st.HandshakeComplete || len(st.VerifiedChains) == 0 {
			t.Fatalf("%s: handshake not verified: %+v", name, st)
		}
		c.ok(`LOGIN alice "s3cret pass"`)
	}
	// The CA file must hold the same CA, for clients configured by path.
	pem, err := os.ReadFile(s.CAFile)
	if err != nil || !bytes.Contains(pem, []byte("BEGIN CERTIFICATE")) {
		t.Fatalf("CAFile %s: %v", s.CAFile, err)
	}
	// And an unrelated trust store must not accept the server.
	if _, err := tls.Dial("tcp", s.TLSAddr, &tls.Config{ServerName: "127.0.0.1"}); err == nil {
		t.Fatal("TLS handshake verified against the system roots; want failure")
	}
}

func TestSTARTTLS(t *testing.T) {
	t.Parallel()
	s := startWithUser(t)
	c := dialIMAP(t, s.Addr)
	capa := find(c.ok("CAPABILITY"), "* CAPABILITY")
	if !strings.Contains(capa, "STARTTLS") || !strings.Contains(capa, "AUTH=PLAIN") {
		t.Fatalf("pre-TLS capabilities: %q", capa)
	}
	c.ok("STARTTLS")
	tc := tls.Client(c.conn, &tls.Config{RootCAs: s.CAPool, ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.conn, c.r = tc, bufio.NewReader(tc)
	capa = find(c.ok("CAPABILITY"), "* CAPABILITY")
	if strings.Contains(capa, "STARTTLS") {
		t.Fatalf("STARTTLS still offered after TLS: %q", capa)
	}
	c.ok(`LOGIN alice "s3cret pass"`)
}

func TestDeliverAndFlags(t *testing.T) {
	t.Parallel()
	s := startWithUser(t)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	msgs := GenerateMessages(1000, 42, base)
	msgs[0].Flags = []string{`\Seen`, `\Flagged`, "$Phishing"}
	msgs[1].Flags = []string{`\Answered`, `\Deleted`, `\Draft`, "NonJunk"}
	msgs[2].Flags = nil
	begin := time.Now()
	if err := s.Deliver("alice", "INBOX", msgs...); err != nil {
		t.Fatal(err)
	}
	t.Logf("Deliver 1000: %v", time.Since(begin))

	c := dialIMAP(t, s.Addr)
	c.ok(`LOGIN alice "s3cret pass"`)
	u := c.ok("SELECT INBOX")
	if find(u, "* 1000 EXISTS") == "" {
		t.Fatalf("SELECT: want * 1000 EXISTS, got %q", u)
	}
	checkFlags := func(seq int, want ...string) {
		t.Helper()
		line := find(c.ok("FETCH %d FLAGS", seq), "FETCH")
		m := regexp.MustCompile(`FLAGS \(([^)]*)\)`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("FETCH %d FLAGS: %q", seq, line)
		}
		var got []string
		for _, f := range strings.Fields(m[1]) {
			if f != `\Recent` { // Dovecot marks first-seen messages \Recent; not ours to check
				got = append(got, f)
			}
		}
		if strings.Join(sorted(got), " ") != strings.Join(sorted(want), " ") {
			t.Errorf("message %d flags = %v, want %v", seq, got, want)
		}
	}
	checkFlags(1, `\Seen`, `\Flagged`, "$Phishing")
	checkFlags(2, `\Answered`, `\Deleted`, `\Draft`, "NonJunk")
	checkFlags(3)

	// UIDs follow the order of msgs, INTERNALDATE is the file mtime and
	// the bytes are served unchanged.
	for _, seq := range []int{1, 500, 1000} {
		want := msgs[seq-1]
		line := find(c.ok("FETCH %d (INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", seq), "FETCH")
		wantDate := want.InternalDate.Format("02-Jan-2006 15:04:05 -0700")
		if !strings.Contains(line, `INTERNALDATE "`+wantDate+`"`) {
			t.Errorf("message %d: want INTERNALDATE %q in %q", seq, wantDate, line)
		}
		if !strings.Contains(line, fmt.Sprintf("RFC822.SIZE %d", len(want.Raw))) {
			t.Errorf("message %d: want RFC822.SIZE %d in %q", seq, len(want.Raw), line)
		}
		mid := regexp.MustCompile(`Message-ID: <[^>]+>`).Find(want.Raw)
		if !strings.Contains(line, string(mid)) {
			t.Errorf("message %d: want %s in %q", seq, mid, line)
		}
	}
	line := find(c.ok("FETCH 10 BODY.PEEK[]"), "FETCH")
	if !strings.Contains(line, string(msgs[9].Raw)) {
		t.Errorf("BODY[] of message 10 differs from Raw")
	}
	if !bytes.Contains(msgs[9].Raw, []byte("multipart/mixed")) {
		t.Errorf("message 10 is not multipart")
	}

	// A second Deliver into the open mailbox shows up on NOOP.
	if err := s.Deliver("alice", "INBOX", GenerateMessages(5, 7, base)...); err != nil {
		t.Fatal(err)
	}
	if u := c.ok("NOOP"); find(u, "* 1005 EXISTS") == "" {
		t.Fatalf("NOOP after second Deliver: %q", u)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestFoldersAndSpecialUse(t *testing.T) {
	t.Parallel()
	s := startWithUser(t, WithSpecialUse(map[string]string{
		"Trash":                      `\Trash`,
		"Junk":                       `\Junk`,
		"Phishing reports/Confirmed": `\Junk \Flagged`,
	}))
	for _, f := range []string{"Trash", "Phishing reports/Confirmed", "Phishing reports/Ünicode & more"} {
		if err := s.CreateFolder("alice", f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateFolder("alice", "Trash", `\Trash`); err != nil {
		t.Fatalf("matching special-use assertion: %v", err)
	}
	if err := s.CreateFolder("alice", "Archive", `\Archive`); err == nil {
		t.Fatal("CreateFolder with an unconfigured special-use: want error")
	}
	if err := s.CreateFolder("alice", "a.b"); err == nil {
		t.Fatal("CreateFolder with '.': want error")
	}
	if err := s.Deliver("alice", "Phishing reports/Confirmed", GenerateMessages(3, 1, time.Now())...); err != nil {
		t.Fatal(err)
	}

	c := dialIMAP(t, s.Addr)
	c.ok(`LOGIN alice "s3cret pass"`)
	u := c.ok(`LIST "" "*"`)
	t.Logf("LIST:\n%s", strings.Join(u, "\n"))
	wantList := map[string]string{
		"Trash":                                `\Trash`,
		"Phishing reports/Confirmed":           `\Junk \Flagged`,
		"Phishing reports":                     `\HasChildren`,
		"INBOX":                                `\HasNoChildren`,
		"Phishing reports/&ANw-nicode &- more": `\HasNoChildren`,
	}
	for name, attr := range wantList {
		line := listLine(u, name)
		if line == "" || !strings.Contains(line, attr) {
			t.Errorf("LIST: want %s with %s, got %q", name, attr, line)
		}
		if strings.Contains(line, `\NonExistent`) {
			t.Errorf("LIST: %s is a placeholder: %q", name, line)
		}
	}
	if line := listLine(u, "Junk"); line != "" {
		t.Errorf("LIST shows Junk, which was never created: %q", line)
	}
	if u := c.ok(`SELECT "Phishing reports/Confirmed"`); find(u, "* 3 EXISTS") == "" {
		t.Fatalf("SELECT Confirmed: %q", u)
	}
	// A folder created while a session is open shows up in a new
	// session at once, and in the open one once Dovecot refreshes its
	// mailbox list index (at most about once a second).
	if err := s.CreateFolder("alice", "Later"); err != nil {
		t.Fatal(err)
	}
	c2 := dialIMAP(t, s.Addr)
	c2.ok(`LOGIN alice "s3cret pass"`)
	if u := c2.ok(`LIST "" "*"`); listLine(u, "Later") == "" {
		t.Errorf("LIST in a new session after CreateFolder: %q", u)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		u := c.ok(`LIST "" "*"`)
		if listLine(u, "Later") != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("LIST in the open session never showed Later: %q", u)
		}
	}
	if u := c.ok(`STATUS "Phishing reports/Confirmed" (MESSAGES)`); find(u, "MESSAGES 3") == "" {
		t.Errorf("STATUS: %q", u)
	}
}

// listLine returns the LIST response for mailbox name, which Dovecot sends
// as an atom when it can and quoted otherwise.
func listLine(lines []string, name string) string {
	for _, l := range lines {
		if strings.HasSuffix(l, `"/" `+name) || strings.HasSuffix(l, `"/" "`+name+`"`) {
			return l
		}
	}
	return ""
}

func TestCapabilityIDLE(t *testing.T) {
	t.Parallel()
	capabilities := func(s *Server) (pre, post string) {
		c := dialIMAP(t, s.Addr)
		pre = find(c.ok("CAPABILITY"), "* CAPABILITY")
		c.ok(`LOGIN alice "s3cret pass"`)
		post = find(c.ok("CAPABILITY"), "* CAPABILITY")
		return pre, post
	}
	hasIDLE := func(capa string) bool { return strings.Contains(capa+" ", " IDLE ") }

	pre, post := capabilities(startWithUser(t))
	if !hasIDLE(pre) || !hasIDLE(post) {
		t.Fatalf("default server lacks IDLE: %q / %q", pre, post)
	}
	// defaultCapabilities must stay in sync with the real list.
	got := strings.Join(strings.Fields(strings.TrimPrefix(post, "* CAPABILITY ")), " ")
	if got != defaultCapabilities {
		t.Errorf("defaultCapabilities is stale for this Dovecot:\n got  %s\n want %s", defaultCapabilities, got)
	}

	pre, post = capabilities(startWithUser(t, WithoutIDLE()))
	if hasIDLE(pre) || hasIDLE(post) {
		t.Fatalf("WithoutIDLE server still offers IDLE: %q / %q", pre, post)
	}
	if !strings.Contains(pre, "STARTTLS") || !strings.Contains(post, "MOVE") {
		t.Fatalf("WithoutIDLE lost other capabilities: %q / %q", pre, post)
	}
	_, post = capabilities(startWithUser(t, WithoutCapabilities("MOVE", "UIDPLUS")))
	if strings.Contains(post, " MOVE") || strings.Contains(post, "UIDPLUS") || !strings.Contains(post, "IDLE") {
		t.Fatalf("WithoutCapabilities(MOVE, UIDPLUS): %q", post)
	}
}

func TestIDLENotification(t *testing.T) {
	t.Parallel()
	s := startWithUser(t)
	c := dialIMAP(t, s.Addr)
	c.ok(`LOGIN alice "s3cret pass"`)
	c.ok("SELECT INBOX")
	c.tag++
	fmt.Fprintf(c.conn, "t%d IDLE\r\n", c.tag)
	if l := c.readLine(); !strings.HasPrefix(l, "+") {
		t.Fatalf("IDLE: %q", l)
	}
	begin := time.Now()
	if err := s.Deliver("alice", "INBOX", GenerateMessages(2, 3, time.Now())...); err != nil {
		t.Fatal(err)
	}
	for {
		l := c.readLine()
		if strings.HasSuffix(l, "EXISTS") {
			t.Logf("IDLE saw %q after %v", l, time.Since(begin))
			break
		}
	}
	fmt.Fprintf(c.conn, "DONE\r\n")
	for !strings.HasPrefix(c.readLine(), fmt.Sprintf("t%d OK", c.tag)) {
	}
}

// TestStartRetriesBusyPort hands Dovecot a port that is in use, as happens
// when another process grabs it between freePorts and Dovecot's bind.
// Not parallel: it replaces pickPorts.
func TestStartRetriesBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPorts = func(n int) ([]int, error) {
		calls++
		ports, err := freePorts(n)
		if calls == 1 && err == nil {
			ports[0] = busyPort
		}
		return ports, err
	}
	defer func() { pickPorts = freePorts }()
	s := Start(t)
	if calls != 2 {
		t.Errorf("pickPorts called %d times, want 2", calls)
	}
	if s.Addr == busy.Addr().String() {
		t.Errorf("server claims the busy port %s", s.Addr)
	}
	if !strings.Contains(s.Log(), "Address already in use") {
		t.Errorf("log does not show the failed first attempt:\n%s", s.Log())
	}
	dialIMAP(t, s.Addr)
}

func TestStopAndRestartKeepsMail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := StartDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser("bob", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver("bob", "INBOX", GenerateMessages(20, 1, time.Now())...); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		c.Close()
		t.Fatal("server still accepts connections after Stop")
	}
	// A server killed without cleanup leaves master.pid behind, and its
	// PID may belong to another process by now (here: init).
	if err := os.WriteFile(filepath.Join(s.baseDir, "master.pid"), []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := StartDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	if _, err := StartDir(dir); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Errorf("second server on a dir in use: got %v, want a 'still running' error", err)
	}
	c := dialIMAP(t, s2.Addr)
	c.ok(`LOGIN bob pw`)
	if u := c.ok("SELECT INBOX"); find(u, "* 20 EXISTS") == "" {
		t.Fatalf("after restart: %q", u)
	}
	if !strings.Contains(s2.Log(), "starting up") {
		t.Errorf("Log() lacks the startup line:\n%s", s2.Log())
	}
}

// TestLongDir checks the short base_dir fallback for directories whose
// socket paths would exceed the 107-byte limit of Unix sockets.
func TestLongDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 90))
	s, err := StartDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if s.shortDir == "" || !strings.HasPrefix(s.baseDir, s.shortDir) {
		t.Fatalf("base_dir %s is not in a short temp dir", s.baseDir)
	}
	if err := s.AddUser("carol", "pw"); err != nil {
		t.Fatal(err)
	}
	c := dialIMAP(t, s.Addr)
	c.ok("LOGIN carol pw")
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.shortDir); !os.IsNotExist(err) {
		t.Errorf("short dir %s not removed by Stop: %v", s.shortDir, err)
	}
}

func TestGenerateMessages(t *testing.T) {
	t.Parallel()
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	a, b := GenerateMessages(200, 9, base), GenerateMessages(200, 9, base)
	multipart := 0
	for i := range a {
		if !bytes.Equal(a[i].Raw, b[i].Raw) || !a[i].InternalDate.Equal(b[i].InternalDate) {
			t.Fatalf("message %d is not deterministic", i)
		}
		if n := len(a[i].Raw); n < 900 || n > 4200 {
			t.Errorf("message %d has %d bytes", i, n)
		}
		if d := a[i].InternalDate; d.After(base) || d.Before(base.Add(-90*24*time.Hour)) {
			t.Errorf("message %d date %v outside the 90 days before %v", i, d, base)
		}
		if i > 0 && a[i].InternalDate.Before(a[i-1].InternalDate.Add(-10*time.Minute)) {
			t.Errorf("message %d goes back in time", i)
		}
		for _, h := range []string{"\r\nFrom: ", "\r\nTo: ", "\r\nSubject: ", "\r\nDate: ", "\r\nMessage-ID: ", "Received: "} {
			if !bytes.Contains(a[i].Raw, []byte(h)) {
				t.Errorf("message %d lacks %q", i, h)
			}
		}
		if bytes.Contains(a[i].Raw, []byte("multipart/mixed")) {
			multipart++
		}
	}
	if multipart != 20 {
		t.Errorf("%d multipart messages, want 20", multipart)
	}
	if c := GenerateMessages(1, 10, base); bytes.Equal(c[0].Raw, a[0].Raw) {
		t.Error("different seeds gave the same message")
	}
}

func TestEncodeMUTF7(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Trash":          "Trash",
		"A&B":            "A&-B",
		"Ünicode":        "&ANw-nicode",
		"日本語":            "&ZeVnLIqe-",
		"Entwürfe Größe": "Entw&APw-rfe Gr&APYA3w-e",
	} {
		if got := encodeMUTF7(in); got != want {
			t.Errorf("encodeMUTF7(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeliver50k(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: delivers 50,000 messages")
	}
	s := startWithUser(t)
	begin := time.Now()
	msgs := GenerateMessages(50000, 1, time.Now())
	t.Logf("GenerateMessages(50000): %v", time.Since(begin))
	begin = time.Now()
	if err := s.Deliver("alice", "Big", msgs...); err != nil {
		t.Fatal(err)
	}
	// Only logged: the time is dominated by file creation, which on a
	// shared CI disk varies too much for a hard limit (typically 3-8 s).
	t.Logf("Deliver 50,000 messages: %v", time.Since(begin))
	n, _ := os.ReadDir(filepath.Join(s.Maildir("alice"), ".Big", "cur"))
	if len(n) != 50000 {
		t.Fatalf("%d files in cur/", len(n))
	}
	c := dialIMAP(t, s.Addr)
	c.ok(`LOGIN alice "s3cret pass"`)
	begin = time.Now()
	if u := c.ok("SELECT Big"); find(u, "* 50000 EXISTS") == "" {
		t.Fatalf("SELECT Big: %q", u)
	}
	t.Logf("first SELECT of 50,000 messages: %v", time.Since(begin))
}

func TestDownAndUpKeepAddressesAndMail(t *testing.T) {
	s := Start(t)
	if err := s.AddUser("carol", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := s.Down(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", s.Addr); err == nil {
		c.Close()
		t.Fatal("server still accepts connections after Down")
	}
	if err := s.Up(); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatalf("no server at %s after Up: %v", s.Addr, err)
	}
	c.Close()
	if err := s.Down(); err != nil {
		t.Fatal(err)
	}
	// Cleanup's Stop of a server that is down on purpose is not an error.
}
