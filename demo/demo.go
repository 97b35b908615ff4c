// Package demo runs the console's built-in demonstration: an in-process
// IMAP server (go-imap's imapmemserver) on a loopback port, seeded with the
// sample corpus shipped under corpus/.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	netmail "net/mail"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/mailtriage/mailtriage/backend/mail"
	imapbackend "github.com/mailtriage/mailtriage/backend/mail/imap"
)

//go:generate go run gen_reports.go

//go:embed all:corpus
var corpus embed.FS

// FlagsHeader is the first header of every corpus file: the IMAP flags the
// message is stored with. The loader removes it.
const FlagsHeader = "X-Mailtriage-Demo-Flags"

// Username is the demo account's login.
const Username = "analyst"

// Server is a running demo IMAP server.
type Server struct {
	Addr     string // 127.0.0.1:port
	Username string
	Password string // random per run
	srv      *imapserver.Server
	user     *imapmemserver.User
}

// Start seeds an in-memory mailbox from the corpus and serves it on a
// loopback port.
func Start() (*Server, error) {
	pw, err := randomPassword()
	if err != nil {
		return nil, err
	}
	user := imapmemserver.NewUser(Username, pw)
	if err := Seed(user); err != nil {
		return nil, err
	}
	mem := imapmemserver.New()
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps: imap.CapSet{
			imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}, imap.CapIdle: {}, imap.CapMove: {},
			imap.CapUIDPlus: {}, imap.CapESearch: {}, imap.CapListStatus: {}, imap.CapLiteralMinus: {},
		},
		// Loopback only: the password never leaves the machine.
		InsecureAuth: true,
		// The console owns the terminal: server chatter must not reach it.
		Logger: log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	go func() { _ = srv.Serve(ln) }()
	return &Server{Addr: ln.Addr().String(), Username: Username, Password: pw, srv: srv, user: user}, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Deliver appends a message to a folder, as new mail arriving would.
func (s *Server) Deliver(folder string, raw []byte) error {
	_, err := s.user.Append(folder, bytes.NewReader(toCRLF(raw)), &imap.AppendOptions{Time: time.Now()})
	return err
}

// Roles are the folder roles of the demo mailbox; imapmemserver does not
// announce special-use attributes, so the demo account configures them as
// a user of such a server would.
func Roles() map[string]mail.Role {
	return map[string]mail.Role{"Trash": mail.RoleTrash, "Junk": mail.RoleJunk}
}

// IMAPConfig is how the console reaches this server: plain text, which is
// fine on loopback inside one process.
func (s *Server) IMAPConfig() imapbackend.Config {
	pw := s.Password
	return imapbackend.Config{
		Addr:     s.Addr,
		TLS:      imapbackend.TLSNone,
		Username: s.Username,
		Password: func(context.Context) (string, error) { return pw, nil },
		Roles:    Roles(),
	}
}

// Message is one corpus message.
type Message struct {
	Folder string
	File   string
	Raw    []byte // CRLF line endings, metadata header removed
	Flags  []imap.Flag
	Date   time.Time
}

// Messages reads the whole corpus, sorted by folder and file name.
func Messages() ([]Message, error) {
	var out []Message
	err := fs.WalkDir(corpus, "corpus", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".eml") {
			return err
		}
		data, err := corpus.ReadFile(p)
		if err != nil {
			return err
		}
		flags, raw := splitFlags(data)
		out = append(out, Message{
			Folder: strings.TrimPrefix(path.Dir(p), "corpus/"),
			File:   path.Base(p),
			Raw:    toCRLF(raw),
			Flags:  flags,
			Date:   dateOf(raw),
		})
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Folder != out[j].Folder {
			return out[i].Folder < out[j].Folder
		}
		return out[i].File < out[j].File
	})
	return out, err
}

// foldersOf lists the folders msgs live in, with their parents and the
// folders every mailbox has, parents before children.
func foldersOf(msgs []Message) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range msgs {
		parts := strings.Split(m.Folder, "/")
		for i := range parts {
			name := strings.Join(parts[:i+1], "/")
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	for _, name := range []string{"INBOX", "Trash", "Junk"} {
		if !seen[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Seed creates the corpus folders in user and appends every message.
func Seed(user *imapmemserver.User) error {
	msgs, err := Messages()
	if err != nil {
		return err
	}
	for _, f := range foldersOf(msgs) {
		if err := user.Create(f, nil); err != nil {
			return fmt.Errorf("create %q: %w", f, err)
		}
	}
	for _, m := range msgs {
		opts := &imap.AppendOptions{Flags: m.Flags, Time: m.Date}
		if _, err := user.Append(m.Folder, bytes.NewReader(m.Raw), opts); err != nil {
			return fmt.Errorf("append %s/%s: %w", m.Folder, m.File, err)
		}
	}
	return nil
}

// splitFlags removes the metadata header line and returns its flags.
func splitFlags(data []byte) ([]imap.Flag, []byte) {
	prefix := []byte(FlagsHeader + ":")
	if !bytes.HasPrefix(data, prefix) {
		return nil, data
	}
	line, rest, _ := bytes.Cut(data, []byte("\n"))
	var flags []imap.Flag
	for _, f := range strings.Fields(string(bytes.TrimPrefix(line, prefix))) {
		flags = append(flags, imap.Flag(f))
	}
	return flags, rest
}

func dateOf(raw []byte) time.Time {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err == nil {
		if d, err := msg.Header.Date(); err == nil {
			return d
		}
	}
	return time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
}

// toCRLF normalises line endings to CRLF, as IMAP requires.
func toCRLF(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

func randomPassword() (string, error) {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(buf), nil
}

// DeliverEvery drops a fresh copy of a corpus message into INBOX every
// interval until stop is closed, so the demo shows new mail arriving (and
// the console picking it up over IDLE). Copies get a new Date and
// Message-ID; the message cycles through the Phishing reports folder.
func (s *Server) DeliverEvery(interval time.Duration, stop <-chan struct{}) {
	msgs, err := Messages()
	if err != nil {
		return
	}
	var pool []Message
	for _, m := range msgs {
		if m.Folder == "Phishing reports" {
			pool = append(pool, m)
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case now := <-t.C:
			_ = s.Deliver("INBOX", freshCopy(pool[i%len(pool)].Raw, now, i))
		}
	}
}

// freshCopy replaces the Date and Message-ID headers of raw.
func freshCopy(raw []byte, now time.Time, n int) []byte {
	var out bytes.Buffer
	fmt.Fprintf(&out, "Date: %s\r\nMessage-ID: <demo-live-%d-%d@mailtriage.example>\r\n", now.Format(time.RFC1123Z), now.Unix(), n)
	head, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		l := bytes.ToLower(line)
		if bytes.HasPrefix(l, []byte("date:")) || bytes.HasPrefix(l, []byte("message-id:")) {
			continue
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	out.WriteString("\r\n")
	out.Write(body)
	return out.Bytes()
}
