package imap

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// go-imap's reader gives up the whole connection on one item it cannot
// parse: a folder name that is not valid modified UTF-7 fails every LIST
// ("utf7: invalid UTF-7"), a keyword that is not an atom fails every
// FETCH of its message and so the folder. The library cannot be told to
// skip an item, so tolerantConn, between it and the server, rewrites just
// those items into forms it reads:
//
//   - a folder name in LIST, LSUB or STATUS that does not decode becomes
//     the name mail.DecodeFolderName shows (undecodable parts as markers),
//     sent on as valid modified UTF-7; commands that name it again get
//     the server's raw bytes back, so the folder still opens;
//   - a flag that is not an atom becomes mail.MalformedKeyword of it.
//
// Everything else, literals (message bodies) included, passes untouched.
type tolerantConn struct {
	net.Conn
	names *rawNames

	buf     []byte // for reads from the server
	in      []byte // read, not yet examined
	out     []byte // examined, for the client
	err     error  // the server connection's error, after out is drained
	literal int    // bytes of a literal still to pass on as they are
	start   bool   // the next line starts a response
	long    bool   // passing on a line too long to hold
}

const (
	maxHeldLine    = 1 << 20 // longer lines pass unexamined
	maxNameLiteral = 4096    // folder names sent as literals up to this size are examined
)

// newTolerantConn wraps c. greeting, if given, is handed to the client
// before anything from the server (see startTLS).
func newTolerantConn(c net.Conn, names *rawNames, greeting ...string) *tolerantConn {
	t := &tolerantConn{Conn: c, names: names, buf: make([]byte, 32<<10), start: true}
	for _, g := range greeting {
		t.out = append(t.out, g...)
	}
	return t
}

// afterSTARTTLS stands in for the greeting the client waits for when the
// connection reaches it already upgraded.
const afterSTARTTLS = "* OK TLS started\r\n"

// startTLS upgrades raw with STARTTLS itself, rather than leaving it to
// go-imap, so that the tolerant transport can sit above the TLS layer:
// it reads the greeting, asks STARTTLS, waits for the OK and shakes
// hands. The caller's deadline on raw bounds every step.
func startTLS(ctx context.Context, raw net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	r := bufio.NewReader(raw)
	greeting, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(strings.ToUpper(greeting), "* OK") {
		return nil, fmt.Errorf("greeting %q: STARTTLS needs an OK greeting", strings.TrimSpace(greeting))
	}
	if _, err := io.WriteString(raw, "mt0 STARTTLS\r\n"); err != nil {
		return nil, err
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if rest, ok := strings.CutPrefix(line, "mt0 "); ok {
			if !strings.HasPrefix(strings.ToUpper(rest), "OK") {
				// NO or BAD ("BAD Unrecognized command"): say what to
				// do, and then what the server said without its status.
				words := strings.TrimSpace(rest)
				if _, text, ok := strings.Cut(words, " "); ok {
					words = text
				}
				return nil, fmt.Errorf("%w (the server answered %q)", errNoStartTLS, words)
			}
			break
		}
	}
	if r.Buffered() > 0 { // would be read past the TLS layer (CVE-2011-0411 style injection)
		return nil, errors.New("STARTTLS: the server sent more before the TLS handshake")
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// rawNames maps the names shown for undecodable folder names to the raw
// bytes the server knows them by. It is shared by a mailbox's connections.
type rawNames struct {
	mu   sync.Mutex
	raw  map[string]string // shown name → raw name
	wire map[string][]byte // quoted mUTF-7 of the shown name → quoted raw name
}

func (n *rawNames) add(shown, raw string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.raw == nil {
		n.raw, n.wire = map[string]string{}, map[string][]byte{}
	}
	n.raw[shown] = raw
	if quotable(raw) {
		n.wire[string(quote(mail.EncodeFolderName(shown)))] = quote(raw)
	}
}

// outgoing returns p with every shown name replaced by the raw one, or
// nil if p names none. Names listed on this mailbox are known exactly;
// others (a name given before any listing) are taken back from their
// markers by mail.RawFolderName.
func (n *rawNames) outgoing(p []byte) []byte {
	if !bytes.Contains(p, []byte("&")) { // every shown name has a marker: & in mUTF-7
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var q []byte
	for shown, raw := range n.wire {
		src := p
		if q != nil {
			src = q
		}
		if bytes.Contains(src, []byte(shown)) {
			q = bytes.ReplaceAll(src, []byte(shown), raw)
		}
	}
	if q != nil {
		return q
	}
	return unmarkNames(p)
}

// unmarkNames replaces each quoted string of p that decodes to a name
// with DecodeFolderName's markers by the raw name, or returns nil.
func unmarkNames(p []byte) []byte {
	var q []byte
	for i := 0; i < len(p); i++ {
		if p[i] != '"' {
			continue
		}
		j, ok := tokenEnd(p, i)
		if !ok {
			return q
		}
		tok, _ := unquote(p[i:j])
		if shown, exact := mail.DecodeFolderName(string(tok)); exact && strings.Contains(shown, "⟨") {
			if raw, ok := mail.RawFolderName(shown); ok && quotable(raw) {
				if q == nil {
					q = bytes.Clone(p)
				}
				off := len(q) - len(p)
				q = splice(q, i+off, j+off, quote(raw))
			}
		}
		i = j - 1
	}
	return q
}

// Write implements net.Conn: commands naming a rewritten folder reach the
// server with its raw name.
func (c *tolerantConn) Write(p []byte) (int, error) {
	if q := c.names.outgoing(p); q != nil {
		if _, err := c.Conn.Write(q); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// Read implements net.Conn.
func (c *tolerantConn) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.Conn.Read(c.buf)
		c.in = append(c.in, c.buf[:n]...)
		c.examine()
		if err != nil {
			c.out, c.in = append(c.out, c.in...), nil // a partial line as it came
			c.err = err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	if len(c.out) == 0 {
		c.out = nil
	}
	return n, nil
}

// examine moves what is complete from in to out, rewriting as it goes.
func (c *tolerantConn) examine() {
	for len(c.in) > 0 {
		if c.literal > 0 {
			n := min(c.literal, len(c.in))
			c.pass(n)
			c.literal -= n
			continue
		}
		i := bytes.IndexByte(c.in, '\n')
		if i < 0 {
			if len(c.in) > maxHeldLine {
				c.long = true
				c.pass(len(c.in))
			}
			return
		}
		line := c.in[:i+1]
		if c.long {
			c.long = false
			c.pass(len(line))
			c.afterLine(line)
			continue
		}
		n, isLit := literalAtEnd(line)
		if isLit && c.start && nameResponse(line) && n <= maxNameLiteral {
			if len(c.in) < len(line)+n {
				return // the name is not all here yet
			}
			c.out = append(c.out, c.nameLiteral(line, c.in[len(line):len(line)+n])...)
			c.in = c.in[len(line)+n:]
			c.start = false // the response goes on after the name
			continue
		}
		c.out = append(c.out, c.rewrite(line)...)
		c.in = c.in[len(line):]
		c.afterLine(line)
	}
}

func (c *tolerantConn) pass(n int) {
	c.out = append(c.out, c.in[:n]...)
	c.in = c.in[n:]
}

// afterLine notes whether a literal follows line.
func (c *tolerantConn) afterLine(line []byte) {
	n, ok := literalAtEnd(line)
	c.literal, c.start = n, !ok
}

// rewrite returns line with an undecodable folder name and malformed
// flags replaced.
func (c *tolerantConn) rewrite(line []byte) []byte {
	if c.start {
		if i, j, ok := nameToken(line); ok {
			if raw, ok := unquote(line[i:j]); ok {
				if shown, exact := mail.DecodeFolderName(string(raw)); !exact {
					c.names.add(shown, string(raw))
					line = splice(line, i, j, quote(mail.EncodeFolderName(shown)))
				}
			}
		}
	}
	return rewriteFlags(line)
}

// nameLiteral handles a LIST, LSUB or STATUS line whose folder name
// follows as a literal: an undecodable name is sent on quoted.
func (c *tolerantConn) nameLiteral(line, raw []byte) []byte {
	shown, exact := mail.DecodeFolderName(string(raw))
	if exact {
		return append(bytes.Clone(line), raw...)
	}
	c.names.add(shown, string(raw))
	brace := bytes.LastIndexByte(line, '{')
	return append(bytes.Clone(line[:brace]), quote(mail.EncodeFolderName(shown))...)
}

// literalAtEnd reports whether line ends with a literal's announcement,
// {n} or {n+}, and n.
func literalAtEnd(line []byte) (int, bool) {
	l := bytes.TrimRight(line, "\r\n")
	if !bytes.HasSuffix(l, []byte("}")) {
		return 0, false
	}
	i := bytes.LastIndexByte(l, '{')
	if i < 0 {
		return 0, false
	}
	digits := bytes.TrimSuffix(l[i+1:len(l)-1], []byte("+"))
	n, err := strconv.Atoi(string(digits))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// nameResponse reports whether line is a LIST, LSUB or STATUS response.
func nameResponse(line []byte) bool {
	for _, p := range []string{"* LIST ", "* LSUB ", "* STATUS "} {
		if len(line) >= len(p) && bytes.EqualFold(line[:len(p)], []byte(p)) {
			return true
		}
	}
	return false
}

// nameToken finds the folder name of a LIST, LSUB or STATUS response:
// its bounds in line, quoted or an atom (a literal is handled apart).
func nameToken(line []byte) (int, int, bool) {
	upper := bytes.ToUpper(line[:min(len(line), 9)])
	var i int
	switch {
	case bytes.HasPrefix(upper, []byte("* STATUS ")):
		i = len("* STATUS ")
	case bytes.HasPrefix(upper, []byte("* LIST ")), bytes.HasPrefix(upper, []byte("* LSUB ")):
		// (attributes) SP delimiter SP name
		i = len("* LIST ")
		if i >= len(line) || line[i] != '(' {
			return 0, 0, false
		}
		end := bytes.IndexByte(line[i:], ')')
		if end < 0 {
			return 0, 0, false
		}
		i += end + 1
		if i >= len(line) || line[i] != ' ' {
			return 0, 0, false
		}
		j, ok := tokenEnd(line, i+1)
		if !ok {
			return 0, 0, false
		}
		i = j + 1
	default:
		return 0, 0, false
	}
	if i >= len(line) || line[i] == '{' {
		return 0, 0, false
	}
	j, ok := tokenEnd(line, i)
	return i, j, ok
}

// tokenEnd returns the end of the quoted string or atom at line[i:].
func tokenEnd(line []byte, i int) (int, bool) {
	if i >= len(line) {
		return 0, false
	}
	if line[i] == '"' {
		for j := i + 1; j < len(line); j++ {
			switch line[j] {
			case '\\':
				j++
			case '"':
				return j + 1, true
			}
		}
		return 0, false
	}
	j := i
	for j < len(line) && line[j] != ' ' && line[j] != '\r' && line[j] != '\n' && line[j] != '(' && line[j] != ')' {
		j++
	}
	return j, j > i
}

// unquote returns the bytes a quoted string or an atom stands for.
func unquote(tok []byte) ([]byte, bool) {
	if len(tok) == 0 || tok[0] != '"' {
		return tok, len(tok) > 0
	}
	var out []byte
	for j := 1; j < len(tok)-1; j++ {
		if tok[j] == '\\' {
			j++
		}
		out = append(out, tok[j])
	}
	return out, true
}

func quotable(s string) bool {
	return len(s) <= 4096 && !bytes.ContainsAny([]byte(s), "\x00\r\n")
}

func quote(s string) []byte {
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return append(out, '"')
}

func splice(line []byte, i, j int, with []byte) []byte {
	out := make([]byte, 0, len(line)-(j-i)+len(with))
	out = append(out, line[:i]...)
	out = append(out, with...)
	return append(out, line[j:]...)
}

// rewriteFlags replaces the malformed flags of every FLAGS or
// PERMANENTFLAGS list in line that is not inside a quoted string.
func rewriteFlags(line []byte) []byte {
	for i, quoted := 0, false; i < len(line); i++ {
		switch c := line[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && (c == 'F' || c == 'f') && flagsAt(line, i):
			start := i + len("FLAGS (")
			end, fixed := fixFlagList(line[start:])
			if fixed != nil {
				line = splice(line, start, start+end, fixed)
				end = len(fixed)
			}
			i = start + end
		}
	}
	return line
}

// flagsAt reports whether "FLAGS (" starts at line[i] as a whole word.
func flagsAt(line []byte, i int) bool {
	const word = "FLAGS ("
	if len(line)-i < len(word) || !bytes.EqualFold(line[i:i+len(word)], []byte(word)) {
		return false
	}
	if i == 0 {
		return true
	}
	switch line[i-1] {
	case ' ', '(', '[', 'T', 't': // T: PERMANENTFLAGS
		return true
	}
	return false
}

// fixFlagList reads the flags of a list (after its '(') up to its ')'.
// It returns the length read and, if a flag had to be replaced, the
// rewritten list (nil otherwise).
func fixFlagList(list []byte) (int, []byte) {
	var out []byte
	changed := false
	i := 0
	for i < len(list) {
		switch list[i] {
		case ')':
			if !changed {
				return i, nil
			}
			return i, out
		case ' ':
			out = append(out, ' ')
			i++
			continue
		case '\r', '\n':
			return i, nil // unterminated: leave it to the parser
		}
		j, ok := tokenEnd(list, i)
		if !ok {
			return i, nil
		}
		tok := list[i:j]
		if validFlag(tok) {
			out = append(out, tok...)
		} else {
			out = append(out, mail.MalformedKeyword(string(tok))...)
			changed = true
		}
		i = j
	}
	return i, nil
}

// validFlag reports whether go-imap reads tok as a flag: "\*", or an
// optional backslash and a non-empty atom.
func validFlag(tok []byte) bool {
	if string(tok) == `\*` {
		return true
	}
	tok = bytes.TrimPrefix(tok, []byte(`\`))
	if len(tok) == 0 {
		return false
	}
	for _, c := range tok {
		if !atomChar(c) {
			return false
		}
	}
	return true
}

// atomChar is go-imap's atom character: no specials, no control (a byte
// 0x80–0x9F counts as a C1 control).
func atomChar(c byte) bool {
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return c > 0x1F && c != 0x7F && (c < 0x80 || c > 0x9F)
}
