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
	// Token, when set (before the first connection), is the bearer token
	// AUTH XOAUTH2 accepts for User, as Exchange Online would.
	Token string

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

func (se *session) AuthMechanisms() []string {
	if se.s.Token != "" {
		return []string{sasl.Plain, "XOAUTH2"}
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	if mech == "XOAUTH2" {
		return &xoauth2Server{se: se}, nil
	}
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

// xoauth2Server checks "user=U^Aauth=Bearer T^A^A"; a wrong token gets
// the JSON error challenge, then the failure once the client answers it.
type xoauth2Server struct {
	se     *session
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, false, errors.New("invalid token")
	}
	if string(resp) == "user="+x.se.s.User+"\x01auth=Bearer "+x.se.s.Token+"\x01\x01" {
		x.se.auth = true
		return nil, true, nil
	}
	x.failed = true
	return []byte(`{"status":"401","schemes":"bearer"}`), false, nil
}
