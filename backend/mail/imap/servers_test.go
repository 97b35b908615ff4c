package imap_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/internal/corpustest"

	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/imapservers"
)

// startServer boots a private server of kind with the test user.
func startServer(t *testing.T, kind imapservers.Kind) imapservers.Server {
	t.Helper()
	srv := imapservers.Start(t, kind)
	if err := srv.AddUser(dvUser, dvPass); err != nil {
		t.Fatal(err)
	}
	return srv
}

// serverMailbox is a Mailbox logged in to srv as the test user over plain
// IMAP, with short timers.
func serverMailbox(t *testing.T, srv imapservers.Server, opts ...func(*Config)) *Mailbox {
	t.Helper()
	cfg := Config{
		Addr:           srv.Addr(),
		TLS:            TLSNone,
		Username:       dvUser,
		Password:       func(context.Context) (string, error) { return dvPass, nil },
		DialTimeout:    5 * time.Second,
		PollInterval:   200 * time.Millisecond,
		StatusInterval: time.Hour,
	}
	for _, o := range opts {
		o(&cfg)
	}
	m := New(cfg)
	t.Cleanup(func() { m.Close() })
	return m
}

// eachServer runs fn as a subtest against Dovecot, Cyrus and Courier.
func eachServer(t *testing.T, fn func(t *testing.T, srv imapservers.Server)) {
	for _, kind := range imapservers.Kinds {
		t.Run(string(kind), func(t *testing.T) { fn(t, startServer(t, kind)) })
	}
}

func seedInbox(t *testing.T, srv imapservers.Server, first, n int) {
	t.Helper()
	msgs := make([]imapservers.Message, n)
	for i := range msgs {
		k := first + i
		raw := fmt.Sprintf("From: Sender %d <s%d@example.com>\r\nTo: soc@example.com\r\nSubject: Campaign %d\r\nMessage-Id: <campaign%d@example.com>\r\nDate: Sun, 01 Nov 2026 09:%02d:00 +0000\r\n\r\nbody %d\r\n", k, k, k, k, k%60, k)
		msgs[i] = imapservers.Message{Raw: []byte(raw), InternalDate: time.Date(2026, 11, 1, 9, k%60, 0, 0, time.UTC)}
	}
	if err := srv.Deliver(dvUser, "INBOX", msgs...); err != nil {
		t.Fatal(err)
	}
}

// A search on a connection that already has the folder open must see mail
// that arrived since: Courier reports it only on NOOP or IDLE.
func TestSearchSeesMailThatArrivedSinceTheFolderWasOpened(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapservers.Server) {
		m := serverMailbox(t, srv, func(c *Config) { c.Connections = 1 })
		seedInbox(t, srv, 1, 3)
		ctx := context.Background()
		if l, err := m.List(ctx, "INBOX", 10); err != nil || len(l.UIDs) != 3 {
			t.Fatalf("List: %d %v", len(l.UIDs), err)
		}
		// Another client delivers one more, after the folder was opened.
		corpustest.Append(t, corpustest.Login(t, srv.Addr(), dvUser, dvPass), "INBOX", "Campaign 4")
		q, err := mail.ParseQuery("subject:Campaign")
		if err != nil {
			t.Fatal(err)
		}
		_, uids, err := m.Search(ctx, "INBOX", q)
		if err != nil || len(uids) != 4 {
			t.Fatalf("search found %v (%v), want all 4 messages", uids, err)
		}
	})
}

// Folder names are shown without the personal namespace's prefix, and
// accepted with or without it.
func TestFolderNamesLeaveOutTheNamespacePrefix(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapservers.Server) {
		for _, f := range []string{"Phishing reports", "Archive/2026"} {
			if err := srv.CreateFolder(dvUser, f); err != nil {
				t.Fatal(err)
			}
		}
		seedInbox(t, srv, 1, 2)
		m := serverMailbox(t, srv)
		ctx := context.Background()
		folders, err := m.Folders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nested := "Archive" + string(srv.Delim()) + "2026"
		var names []string
		for _, f := range folders {
			names = append(names, f.Name)
		}
		for _, want := range []string{"INBOX", "Phishing reports", "Archive", nested} {
			if !slices.Contains(names, want) {
				t.Fatalf("folders %q lack %q", names, want)
			}
		}
		for _, typed := range []string{"Phishing reports", imapservers.FullName(srv, "Phishing reports")} {
			l, err := m.List(ctx, typed, 10)
			if err != nil || l.Folder.Name != "Phishing reports" {
				t.Fatalf("List(%q): %+v %v", typed, l.Folder, err)
			}
		}
		in, err := m.List(ctx, "INBOX", 10)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := m.Move(ctx, in.Folder, in.UIDs[:1], "Phishing reports")
		if err != nil || len(tr.Done) != 1 || tr.To.Name != "Phishing reports" {
			t.Fatalf("move: %+v %v", tr, err)
		}
		tr, err = m.Copy(ctx, in.Folder, in.UIDs[1:], imapservers.FullName(srv, "Archive/2026"))
		if err != nil || len(tr.Done) != 1 || tr.To.Name != nested {
			t.Fatalf("copy: %+v %v", tr, err)
		}
		st, err := m.Status(ctx, "Phishing reports", nested)
		if err != nil || st[0].Folder != "Phishing reports" || st[0].Messages != 1 || st[1].Messages != 1 {
			t.Fatalf("status: %+v %v", st, err)
		}
		info, err := m.FolderInfo(ctx, "Archive")
		if err != nil || !slices.Equal(info.Children, []string{nested}) {
			t.Fatalf("info: %+v %v", info, err)
		}
	})
}

// Without special-use attributes the common names give the roles; a
// configured name works with or without the prefix, and one naming no
// folder is reported with its key.
func TestRolesFromCommonNamesAndConfiguration(t *testing.T) {
	for _, kind := range []imapservers.Kind{imapservers.Cyrus, imapservers.Courier} {
		t.Run(string(kind), func(t *testing.T) {
			srv := startServer(t, kind)
			for _, f := range []string{"Trash", "Spam", "Sent Items", "Archive", "Quarantine"} {
				if err := srv.CreateFolder(dvUser, f); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.Background()
			roles := func(m *Mailbox) map[string]mail.Role {
				folders, err := m.Folders(ctx)
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]mail.Role{}
				for _, f := range folders {
					out[f.Name] = f.Role
				}
				if err := m.CheckRoleFolders(folders); err != nil {
					t.Fatalf("CheckRoleFolders: %v", err)
				}
				return out
			}
			got := roles(serverMailbox(t, srv))
			for name, want := range map[string]mail.Role{"INBOX": mail.RoleInbox, "Trash": mail.RoleTrash, "Spam": mail.RoleJunk, "Sent Items": mail.RoleSent, "Archive": mail.RoleArchive, "Quarantine": mail.RoleNone} {
				if got[name] != want {
					t.Errorf("%s has role %q, want %q (all: %v)", name, got[name], want, got)
				}
			}
			configured := serverMailbox(t, srv, func(c *Config) {
				c.Roles = map[string]mail.Role{"Quarantine": mail.RoleJunk, imapservers.FullName(srv, "Archive"): mail.RoleArchive}
			})
			if got := roles(configured); got["Quarantine"] != mail.RoleJunk || got["Spam"] != mail.RoleNone || got["Archive"] != mail.RoleArchive {
				t.Errorf("configured roles: %v", got)
			}
			wrong := serverMailbox(t, srv, func(c *Config) { c.Roles = map[string]mail.Role{"Deleted Items": mail.RoleTrash} })
			folders, err := wrong.Folders(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = wrong.CheckRoleFolders(folders)
			if err == nil || !strings.Contains(err.Error(), `[accounts.folders] trash = "Deleted Items"`) {
				t.Fatalf("a configured folder that does not exist: %v", err)
			}
		})
	}
}

// idle = false polls even where the server offers IDLE; Courier's IDLE
// would report the new message only after up to 60 s.
func TestNoIdlePollsWhereIdleIsSlow(t *testing.T) {
	srv := startServer(t, imapservers.Courier)
	m := serverMailbox(t, srv, func(c *Config) { c.NoIdle = true })
	if _, err := m.Folders(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m.Capabilities().Idle {
		t.Fatal("Capabilities().Idle with NoIdle set")
	}
	m.Watch("INBOX")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
	seedInbox(t, srv, 1, 1)
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventArrived && ev.Folder == "INBOX" })
}

// STARTTLS asked of a server that does not offer it is explained, not
// shown as the server's raw "BAD".
func TestStartTLSNotOfferedIsExplained(t *testing.T) {
	for _, kind := range []imapservers.Kind{imapservers.Cyrus, imapservers.Courier} {
		t.Run(string(kind), func(t *testing.T) {
			srv := startServer(t, kind)
			m := serverMailbox(t, srv, func(c *Config) { c.TLS = TLSStartTLS })
			_, err := m.Folders(context.Background())
			if err == nil || !strings.Contains(err.Error(), `server does not offer STARTTLS; use tls = "implicit"`) || strings.Contains(err.Error(), "BAD") {
				t.Fatalf("STARTTLS on a server without it: %v", err)
			}
		})
	}
}

// IDLE reports new mail at once on Dovecot and Cyrus (Courier's IDLE only
// looks every 60 s: see TestNoIdlePollsWhereIdleIsSlow).
func TestIdleReportsNewMail(t *testing.T) {
	for _, kind := range []imapservers.Kind{imapservers.Dovecot, imapservers.Cyrus} {
		t.Run(string(kind), func(t *testing.T) {
			srv := startServer(t, kind)
			m := serverMailbox(t, srv)
			if _, err := m.Folders(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !m.Capabilities().Idle {
				t.Fatal("no IDLE")
			}
			m.Watch("INBOX")
			waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
			corpustest.Append(t, corpustest.Login(t, srv.Addr(), dvUser, dvPass), "INBOX", "idle test")
			waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventArrived && ev.Folder == "INBOX" })
		})
	}
}
