// Package report forwards a suspicious message to an abuse or report desk
// as an attachment (message/rfc822, the original bytes untouched, so the
// desk sees every header), over SMTP submission. IMAP cannot send; the
// caller keeps a copy in the Sent folder itself.
package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailtriage/mailtriage/backend/oauth"
)

// TLS modes, as in the configuration.
const (
	TLSImplicit = "implicit"
	TLSStartTLS = "starttls"
	TLSNone     = "none"
)

// Server is an SMTP submission server and how to log in to it.
type Server struct {
	Addr      string // host:port
	TLS       string
	TLSConfig *tls.Config
	Username  string // empty: no AUTH
	Password  func(context.Context) (string, error)
	// OAuth2, when set, returns an access token and AUTH XOAUTH2 is
	// used instead of PLAIN (Exchange Online).
	OAuth2  func(context.Context) (string, error)
	Timeout time.Duration // whole conversation; default 60 s
}

// Report is what to send.
type Report struct {
	From    string
	To      []string
	Note    string // the analyst's words, the body's first part
	Subject string // the original subject (untrusted; encoded)
	// Original is the reported message, byte for byte.
	Original []byte
	Date     time.Time
}

// Build composes the report: a short text part and the original as an
// attachment.
func Build(r Report) ([]byte, string, error) {
	if len(r.To) == 0 {
		return nil, "", errors.New("no report address (set report_to)")
	}
	for _, a := range append([]string{r.From}, r.To...) {
		if strings.ContainsAny(a, "\r\n<>") || !strings.Contains(a, "@") {
			return nil, "", fmt.Errorf("%q is not a plain email address", a)
		}
	}
	boundary := randomToken()
	id := randomToken() + "@mailtriage"
	subject := "Suspicious message: " + oneLine(r.Subject, 200)
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", r.From)
	h("To", strings.Join(r.To, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", subject))
	h("Date", r.Date.Format(time.RFC1123Z))
	h("Message-ID", "<"+id+">")
	h("MIME-Version", "1.0")
	h("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", boundary)
	note := r.Note
	if note == "" {
		note = "Reported with mailtriage. The original message is attached unchanged."
	}
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(note, "\r\n", "\n"), "\n", "\r\n") + "\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"reported.eml\"\r\n\r\n", boundary)
	b.Write(crlf(r.Original))
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes(), id, nil
}

// crlf makes line ends CRLF (SMTP requires it) without touching anything
// else.
func crlf(raw []byte) []byte {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
}

func oneLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > max {
		s = s[:max]
	}
	return strings.TrimSpace(s)
}

func randomToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Send submits msg. Cancelling ctx closes the connection.
func Send(ctx context.Context, srv Server, from string, to []string, msg []byte) error {
	timeout := srv.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	password, token := "", ""
	if srv.Username != "" && srv.OAuth2 != nil {
		var err error
		if token, err = srv.OAuth2(ctx); err != nil {
			return fmt.Errorf("smtp %s: get an OAuth2 token: %w", srv.Addr, err)
		}
	} else if srv.Username != "" && srv.Password != nil {
		var err error
		if password, err = srv.Password(ctx); err != nil {
			return err
		}
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("smtp %s: connect: %w", srv.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := client(conn, srv)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: %w", srv.Addr, err)
	}
	defer c.Close()
	if srv.Username != "" {
		auth := sasl.NewPlainClient("", srv.Username, password)
		if srv.OAuth2 != nil {
			auth = oauth.NewXOAuth2Client(srv.Username, token)
		}
		if err := c.Auth(auth); err != nil {
			return fmt.Errorf("smtp %s: login as %s refused: %w", srv.Addr, srv.Username, err)
		}
	}
	if err := c.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("smtp %s: %w", srv.Addr, err)
	}
	return c.Quit()
}

func client(conn net.Conn, srv Server) (*smtp.Client, error) {
	cfg := srv.TLSConfig
	if cfg == nil {
		host, _, _ := net.SplitHostPort(srv.Addr)
		cfg = &tls.Config{ServerName: host}
	}
	switch srv.TLS {
	case TLSImplicit:
		return smtp.NewClient(tls.Client(conn, cfg)), nil
	case TLSStartTLS, "":
		c, err := smtp.NewClientStartTLS(conn, cfg)
		if err != nil {
			return nil, fmt.Errorf("STARTTLS: %w", err)
		}
		return c, nil
	case TLSNone:
		return smtp.NewClient(conn), nil
	}
	return nil, fmt.Errorf("unknown TLS mode %q", srv.TLS)
}
