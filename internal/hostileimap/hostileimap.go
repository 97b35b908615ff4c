// Package hostileimap is an IMAP server for tests that plays a hostile or
// broken server: folder names that are not valid modified UTF-7 or that
// decode to terminal escape sequences, keywords that are not atoms,
// ENVELOPE strings and NO answers full of control and bidi characters. It
// speaks just enough IMAP4rev1 for mailtriage's client (CAPABILITY,
// LOGIN, LIST, STATUS, SELECT/EXAMINE, FETCH and UID FETCH, UID SEARCH,
// NOOP, LOGOUT) on a loopback port, and writes every hostile byte exactly
// as given.
package hostileimap

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Folder is one mailbox as the server has it.
type Folder struct {
	// Name is the name's bytes on the wire (modified UTF-7 or not),
	// written quoted, or as a literal with AsLiteral.
	Name      string
	AsLiteral bool
	Messages  []Message
	// Flags are the tokens of the FLAGS answer to SELECT, written as
	// they are (a malformed keyword included).
	Flags []string
	// NO, when set, is the text of the NO that STATUS and SELECT get.
	NO string
}

// Message is one message of a folder. UIDs are 1, 2, … in order.
type Message struct {
	// Flags are written as they are into FETCH's FLAGS list.
	Flags []string
	// Subject, From and Date go into ENVELOPE as quoted strings, with
	// every byte as given (only '"' and '\' are escaped).
	Subject, From, Date string
	Raw                 []byte
	// Delay holds up this message's FETCH answer (a slow server).
	Delay time.Duration
}

// Server is a running hostile server.
type Server struct {
	Addr string

	ln      net.Listener
	closed  chan struct{}
	folders []Folder
	mu      sync.Mutex
	log     []string // commands received
	loginNO string
	wg      sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves folders until the test ends.
func Start(t testing.TB, folders ...Folder) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, closed: make(chan struct{}), folders: folders}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() {
		close(s.closed)
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// RefuseLogin makes LOGIN answer NO with text.
func (s *Server) RefuseLogin(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loginNO = text
}

// Commands returns the command lines received so far.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

func (s *Server) accept() {
	defer s.wg.Done()
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer c.Close()
			stop := make(chan struct{})
			defer close(stop)
			go func() { // the listener's end ends the session too
				select {
				case <-stop:
				case <-s.closed:
					c.Close()
				}
			}()
			(&session{s: s, r: bufio.NewReader(c), w: bufio.NewWriter(c)}).serve()
		}()
	}
}

type session struct {
	s        *Server
	r        *bufio.Reader
	w        *bufio.Writer
	selected *Folder
}

func (ss *session) serve() {
	ss.send("* OK [CAPABILITY IMAP4rev1] hostile test server ready")
	if ss.w.Flush() != nil {
		return
	}
	for {
		line, err := ss.readCommand()
		if err != nil {
			return
		}
		ss.s.mu.Lock()
		ss.s.log = append(ss.s.log, line)
		ss.s.mu.Unlock()
		tag, rest, _ := strings.Cut(line, " ")
		cmd, args, _ := strings.Cut(rest, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "UID" {
			cmd, args, _ = strings.Cut(args, " ")
			cmd = "UID " + strings.ToUpper(cmd)
		}
		if !ss.handle(tag, cmd, args) {
			return
		}
		if err := ss.w.Flush(); err != nil {
			return
		}
	}
}

// readCommand reads one command line, literals included (answering each
// with a continuation request).
func (ss *session) readCommand() (string, error) {
	var b strings.Builder
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return "", err
		}
		line = strings.TrimRight(line, "\r\n")
		n, sync, ok := literalSize(line)
		if !ok {
			b.WriteString(line)
			return b.String(), nil
		}
		b.WriteString(line[:strings.LastIndexByte(line, '{')])
		if sync {
			ss.send("+ go on")
			ss.w.Flush()
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(ss.r, lit); err != nil {
			return "", err
		}
		b.WriteString(strconv.Quote(string(lit))) // marks it as one string
	}
}

func literalSize(line string) (n int, sync, ok bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false, false
	}
	i := strings.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false, false
	}
	digits := line[i+1 : len(line)-1]
	sync = !strings.HasSuffix(digits, "+")
	n, err := strconv.Atoi(strings.TrimSuffix(digits, "+"))
	return n, sync, err == nil
}

func (ss *session) send(format string, args ...any) {
	fmt.Fprintf(ss.w, format+"\r\n", args...)
}

// handle answers one command; false ends the session.
func (ss *session) handle(tag, cmd, args string) bool {
	switch cmd {
	case "CAPABILITY":
		ss.send("* CAPABILITY IMAP4rev1")
	case "LOGIN":
		ss.s.mu.Lock()
		no := ss.s.loginNO
		ss.s.mu.Unlock()
		if no != "" {
			ss.send("%s NO %s", tag, no)
			return true
		}
	case "NOOP", "CHECK":
	case "LOGOUT":
		ss.send("* BYE hostile server says goodbye")
		ss.send("%s OK LOGOUT done", tag)
		ss.w.Flush()
		return false
	case "LIST", "LSUB":
		for _, f := range ss.s.folders {
			ss.w.WriteString("* " + cmd + " (\\HasNoChildren) \"/\" ")
			ss.writeName(f)
			ss.w.WriteString("\r\n")
		}
	case "STATUS":
		f := ss.folder(args)
		if f == nil || f.NO != "" {
			ss.no(tag, f)
			return true
		}
		unseen := 0
		for _, m := range f.Messages {
			if !slices.Contains(m.Flags, `\Seen`) {
				unseen++
			}
		}
		ss.w.WriteString("* STATUS ")
		ss.writeName(*f)
		fmt.Fprintf(ss.w, " (MESSAGES %d UIDNEXT %d UIDVALIDITY 7 UNSEEN %d)\r\n", len(f.Messages), len(f.Messages)+1, unseen)
	case "SELECT", "EXAMINE":
		f := ss.folder(args)
		if f == nil || f.NO != "" {
			ss.selected = nil
			ss.no(tag, f)
			return true
		}
		ss.selected = f
		ss.send("* FLAGS (%s)", strings.Join(append([]string{`\Seen`, `\Flagged`, `\Deleted`}, f.Flags...), " "))
		ss.send("* %d EXISTS", len(f.Messages))
		ss.send("* 0 RECENT")
		ss.send("* OK [UIDVALIDITY 7] UIDs valid")
		ss.send("* OK [UIDNEXT %d] next", len(f.Messages)+1)
		ss.send("* OK [PERMANENTFLAGS (%s \\*)] ok", strings.Join(append([]string{`\Seen`, `\Flagged`, `\Deleted`}, f.Flags...), " "))
		ss.send("%s OK [READ-WRITE] %s done", tag, cmd)
		return true
	case "UID SEARCH", "SEARCH":
		if ss.selected == nil {
			ss.send("%s BAD no folder selected", tag)
			return true
		}
		ss.send("* SEARCH%s", ss.search(strings.ToUpper(args)))
	case "FETCH", "UID FETCH":
		if ss.selected == nil {
			ss.send("%s BAD no folder selected", tag)
			return true
		}
		set, items, _ := strings.Cut(args, " ")
		ss.fetch(set, strings.ToUpper(items), cmd == "UID FETCH")
	default:
		ss.send("%s BAD %s is not spoken here", tag, cmd)
		return true
	}
	ss.send("%s OK %s done", tag, cmd)
	return true
}

func (ss *session) no(tag string, f *Folder) {
	if f == nil {
		ss.send("%s NO no such folder", tag)
		return
	}
	ss.send("%s NO %s", tag, f.NO)
}

// writeName writes a folder name quoted, or as a literal.
func (ss *session) writeName(f Folder) {
	if f.AsLiteral {
		fmt.Fprintf(ss.w, "{%d}\r\n%s", len(f.Name), f.Name)
		return
	}
	ss.w.WriteString(quote(f.Name))
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// folder finds the folder the first argument of args names (its bytes as
// the server has them).
func (ss *session) folder(args string) *Folder {
	name := firstString(args)
	for i := range ss.s.folders {
		if ss.s.folders[i].Name == name || strings.EqualFold(name, "INBOX") && strings.EqualFold(ss.s.folders[i].Name, "INBOX") {
			return &ss.s.folders[i]
		}
	}
	return nil
}

// firstString reads a quoted string or an atom at the start of args.
func firstString(args string) string {
	if !strings.HasPrefix(args, `"`) {
		name, _, _ := strings.Cut(args, " ")
		return name
	}
	var b strings.Builder
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case '\\':
			if i+1 < len(args) {
				i++
				b.WriteByte(args[i])
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(args[i])
		}
	}
	return b.String()
}

// search answers UNSEEN and anything else (as ALL) with UIDs.
func (ss *session) search(criteria string) string {
	var b strings.Builder
	for i, m := range ss.selected.Messages {
		if strings.Contains(criteria, "UNSEEN") && slices.Contains(m.Flags, `\Seen`) {
			continue
		}
		fmt.Fprintf(&b, " %d", i+1)
	}
	return b.String()
}

func (ss *session) fetch(set, items string, byUID bool) {
	msgs := ss.selected.Messages
	for i, m := range msgs {
		if !inSet(set, uint32(i+1), uint32(len(msgs))) {
			continue
		}
		if m.Delay > 0 {
			ss.w.Flush()
			time.Sleep(m.Delay)
		}
		var parts []string
		if byUID || strings.Contains(items, "UID") {
			parts = append(parts, fmt.Sprintf("UID %d", i+1))
		}
		if strings.Contains(items, "FLAGS") {
			parts = append(parts, "FLAGS ("+strings.Join(m.Flags, " ")+")")
		}
		if strings.Contains(items, "RFC822.SIZE") {
			parts = append(parts, fmt.Sprintf("RFC822.SIZE %d", len(m.Raw)))
		}
		if strings.Contains(items, "INTERNALDATE") {
			parts = append(parts, `INTERNALDATE "02-Nov-2026 10:00:00 +0000"`)
		}
		if strings.Contains(items, "ENVELOPE") {
			parts = append(parts, "ENVELOPE "+envelope(m))
		}
		fmt.Fprintf(ss.w, "* %d FETCH (%s", i+1, strings.Join(parts, " "))
		if strings.Contains(items, "BODY[]") || strings.Contains(items, "BODY.PEEK[]") {
			sep := " "
			if len(parts) == 0 {
				sep = ""
			}
			fmt.Fprintf(ss.w, "%sBODY[] {%d}\r\n", sep, len(m.Raw))
			ss.w.Write(m.Raw)
		}
		ss.w.WriteString(")\r\n")
	}
}

// envelope writes date, subject, from (as sender and reply-to too), and
// NIL for the rest.
func envelope(m Message) string {
	addr := "NIL"
	if m.From != "" {
		local, domain, _ := strings.Cut(m.From, "@")
		addr = fmt.Sprintf("((%s NIL %s %s))", quote(local), quote(local), quote(domain))
	}
	return fmt.Sprintf("(%s %s %s %s %s NIL NIL NIL NIL NIL)", nstring(m.Date), nstring(m.Subject), addr, addr, addr)
}

func nstring(s string) string {
	if s == "" {
		return "NIL"
	}
	return quote(s)
}

// inSet reports whether n is in an IMAP sequence set (n, a:b, *, lists).
func inSet(set string, n, last uint32) bool {
	num := func(s string) uint32 {
		if s == "*" {
			return last
		}
		v, _ := strconv.ParseUint(s, 10, 32)
		return uint32(v)
	}
	for _, r := range strings.Split(set, ",") {
		a, b, isRange := strings.Cut(r, ":")
		lo, hi := num(a), num(a)
		if isRange {
			hi = num(b)
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if n >= lo && n <= hi {
			return true
		}
	}
	return false
}
