package imap_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/backend/mail"
	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/corpustest"
	"github.com/mailtriage/mailtriage/internal/dovecottest"
)

const (
	dvUser = "analyst"
	dvPass = "correct horse"
)

// startDovecot boots a private Dovecot with the demo corpus delivered into
// it (folders, flags and dates as in the corpus).
func startDovecot(t *testing.T, opts ...dovecottest.Option) *dovecottest.Server {
	t.Helper()
	srv := dovecottest.Start(t, opts...)
	if err := srv.AddUser(dvUser, dvPass); err != nil {
		t.Fatal(err)
	}
	corpustest.Seed(t, srv, dvUser)
	return srv
}

func dovecotMailbox(srv *dovecottest.Server, mode TLSMode, password string) *Mailbox {
	addr := srv.Addr
	if mode == TLSImplicit {
		addr = srv.TLSAddr
	}
	return New(Config{
		Addr:           addr,
		TLS:            mode,
		TLSConfig:      &tls.Config{RootCAs: srv.CAPool},
		Username:       dvUser,
		Password:       func(context.Context) (string, error) { return password, nil },
		DialTimeout:    3 * time.Second,
		PollInterval:   200 * time.Millisecond,
		StatusInterval: time.Hour,
	})
}

func rawClient(t *testing.T, srv *dovecottest.Server) *imapclient.Client {
	return corpustest.Login(t, srv.Addr, dvUser, dvPass)
}

// waitFor reads events until one matches; the deadline only bounds a
// broken test.
func waitFor(t *testing.T, m *Mailbox, match func(mail.Event) bool) mail.Event {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case ev := <-m.Events():
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatal("timed out waiting for the event")
		}
	}
}

func TestDovecotEveryTLSMode(t *testing.T) {
	srv := startDovecot(t)
	for _, mode := range []TLSMode{TLSImplicit, TLSStartTLS, TLSNone} {
		m := dovecotMailbox(srv, mode, dvPass)
		folders, err := m.Folders(context.Background())
		m.Close()
		if err != nil {
			t.Fatalf("mode %d: %v", mode, err)
		}
		if len(folders) < 6 {
			t.Fatalf("mode %d: %d folders", mode, len(folders))
		}
	}
}

func TestDovecotConnectionErrorsSayWhatFailed(t *testing.T) {
	srv := startDovecot(t)
	tests := []struct {
		name  string
		m     *Mailbox
		stage string
		text  string
	}{
		{"wrong password", dovecotMailbox(srv, TLSNone, "wrong"), "login", "[AUTHENTICATIONFAILED]"},
		{"untrusted certificate", New(Config{Addr: srv.TLSAddr, TLS: TLSImplicit, Username: dvUser, DialTimeout: 3 * time.Second,
			Password: func(context.Context) (string, error) { return dvPass, nil }}), "tls", "certificate not trusted: set ca_file"},
		{"TLS to the plain port", New(Config{Addr: srv.Addr, TLS: TLSImplicit, TLSConfig: &tls.Config{RootCAs: srv.CAPool}, Username: dvUser, DialTimeout: 3 * time.Second,
			Password: func(context.Context) (string, error) { return dvPass, nil }}), "tls", "did not answer with TLS"},
		{"plain text to the TLS port", New(Config{Addr: srv.TLSAddr, TLS: TLSStartTLS, TLSConfig: &tls.Config{RootCAs: srv.CAPool}, Username: dvUser, DialTimeout: 2 * time.Second,
			Password: func(context.Context) (string, error) { return dvPass, nil }}), "starttls", "implicit-TLS port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer tt.m.Close()
			_, err := tt.m.Folders(context.Background())
			var ce *mail.ConnError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a ConnError", err)
			}
			if ce.Stage != tt.stage || !strings.Contains(err.Error(), tt.text) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %q (stage %s), want one line at stage %s containing %q", err, ce.Stage, tt.stage, tt.text)
			}
			if strings.Contains(err.Error(), dvPass) {
				t.Fatal("error contains the password")
			}
		})
	}
}

func TestDovecotFoldersHaveSpecialUseRolesAndCounts(t *testing.T) {
	srv := startDovecot(t)
	m := dovecotMailbox(srv, TLSNone, dvPass)
	defer m.Close()
	folders, err := m.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]mail.Folder{}
	for _, f := range folders {
		got[f.Name] = f
	}
	if folders[0].Name != "INBOX" {
		t.Errorf("first folder %q, want INBOX", folders[0].Name)
	}
	if got["Trash"].Role != mail.RoleTrash || got["Junk"].Role != mail.RoleJunk {
		t.Errorf("roles: Trash=%q Junk=%q", got["Trash"].Role, got["Junk"].Role)
	}
	if st := got["Phishing reports/Confirmed"].Status; !st.Known || st.Messages != 5 {
		t.Errorf("Confirmed status = %+v, want 5 messages", st)
	}
	if st := got["INBOX"].Status; st.Messages != 23 || st.Unseen == 0 {
		t.Errorf("INBOX status = %+v", st)
	}
}

func TestDovecotReadingLeavesMessageUnread(t *testing.T) {
	srv := startDovecot(t)
	m := dovecotMailbox(srv, TLSNone, dvPass)
	defer m.Close()
	ctx := context.Background()
	l, err := m.List(ctx, "INBOX", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.UIDs) != 23 || len(l.Newest) != 23 {
		t.Fatalf("listing: %d UIDs, %d envelopes", len(l.UIDs), len(l.Newest))
	}
	var unread *mail.Envelope
	for i := range l.Newest {
		if !l.Newest[i].Flags.Seen {
			unread = &l.Newest[i]
			break
		}
	}
	msg, err := m.Fetch(ctx, l.Folder, unread.UID, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(msg.Raw, []byte("Message-ID:")) {
		t.Fatalf("fetched %d bytes without headers", len(msg.Raw))
	}
	// Ask the server from another connection, as the truth.
	c := rawClient(t, srv)
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	bufs, err := c.Fetch(imap.UIDSetNum(imap.UID(unread.UID)), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(bufs) != 1 {
		t.Fatalf("fetch flags: %v", err)
	}
	for _, f := range bufs[0].Flags {
		if f == imap.FlagSeen {
			t.Fatal("reading the message set \\Seen on the server")
		}
	}
}

func TestDovecotIdleReportsNewMail(t *testing.T) {
	srv := startDovecot(t)
	m := dovecotMailbox(srv, TLSNone, dvPass)
	defer m.Close()
	if _, err := m.List(context.Background(), "INBOX", 0); err != nil {
		t.Fatal(err)
	}
	m.Watch("INBOX")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
	corpustest.Append(t, rawClient(t, srv), "INBOX", "idle-test")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventArrived && ev.Count == 1 })
	st := waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
	if st.Status.Messages != 24 {
		t.Fatalf("status after arrival = %+v, want 24 messages", st.Status)
	}
}

func TestDovecotPollsWhereIdleIsMissing(t *testing.T) {
	srv := startDovecot(t, dovecottest.WithoutIDLE())
	m := dovecotMailbox(srv, TLSNone, dvPass)
	defer m.Close()
	if _, err := m.List(context.Background(), "INBOX", 0); err != nil {
		t.Fatal(err)
	}
	if m.Capabilities().Idle {
		t.Fatal("server without IDLE reported as having it")
	}
	m.Watch("INBOX")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
	corpustest.Append(t, rawClient(t, srv), "INBOX", "poll-test")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventArrived && ev.Count == 1 })
}

func TestDovecotReconnectsAfterServerDropsConnections(t *testing.T) {
	srv := startDovecot(t)
	m := dovecotMailbox(srv, TLSNone, dvPass)
	defer m.Close()
	ctx := context.Background()
	if _, err := m.List(ctx, "INBOX", 0); err != nil {
		t.Fatal(err)
	}
	m.Watch("INBOX")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
	if err := srv.Kick(dvUser); err != nil {
		t.Fatal(err)
	}
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventConnLost })
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventConnRestored })
	// Commands work again (the pool dropped its dead connections) and the
	// watcher is back on the folder.
	if _, err := m.List(ctx, "INBOX", 0); err != nil {
		t.Fatalf("List after reconnect: %v", err)
	}
	corpustest.Append(t, rawClient(t, srv), "INBOX", "after-reconnect")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventArrived })
}
