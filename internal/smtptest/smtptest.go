// Package smtptest runs go-smtp's server on loopback for tests: PLAIN
// login with one user, recipients under nowhere.example refused, every
// accepted message kept for inspection.
package smtptest

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Server is a running SMTP server.
type Server struct {
	Addr     string
	User     string
	Password string

	mu  sync.Mutex
	got []Message
}

// Message is one accepted submission.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Start serves on a loopback port until the test ends.
func Start(tb testing.TB, user, password string) *Server {
	tb.Helper()
	s := &Server{User: user, Password: password}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return s
}

// Received returns what was accepted so far.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.got...)
}

type session struct {
	s    *Server
	auth bool
	cur  Message
}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != se.s.User || pass != se.s.Password {
			return errors.New("invalid credentials")
		}
		se.auth = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if !se.auth {
		return smtp.ErrAuthRequired
	}
	se.cur.From = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@nowhere.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	se.cur.To = append(se.cur.To, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	se.cur.Data = data
	se.s.mu.Lock()
	se.s.got = append(se.s.got, se.cur)
	se.s.mu.Unlock()
	return err
}

func (se *session) Reset()        { se.cur = Message{} }
func (se *session) Logout() error { return nil }
