package imap_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/mailtriage/mailtriage/backend/mail"
	. "github.com/mailtriage/mailtriage/backend/mail/imap"
	"github.com/mailtriage/mailtriage/internal/corpustest"
)

// memServer is an in-process IMAP server for fast tests.
type memServer struct {
	addr string
	user *imapmemserver.User
}

func startMem(t testing.TB, caps imap.CapSet) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("analyst", "s3cret")
	for _, f := range []string{"INBOX", "Trash", "Phishing reports", "Phishing reports/Confirmed"} {
		if err := user.Create(f, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(user)
	if caps == nil {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}, imap.CapIdle: {}, imap.CapListStatus: {}, imap.CapESearch: {}}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &memServer{addr: ln.Addr().String(), user: user}
}

func (s *memServer) add(t testing.TB, folder string, n int, flags ...imap.Flag) {
	t.Helper()
	for i := 0; i < n; i++ {
		raw := testMessage(i, fmt.Sprintf("Message %d in %s", i, folder), i%3 == 0)
		opts := &imap.AppendOptions{Flags: flags, Time: time.Date(2026, 11, 1, 9, i%60, 0, 0, time.UTC)}
		if _, err := s.user.Append(folder, bytes.NewReader(raw), opts); err != nil {
			t.Fatal(err)
		}
	}
}

func testMessage(i int, subject string, attach bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: \"Sender %d\" <sender%d@example.com>\r\n", i, i)
	fmt.Fprintf(&b, "To: soc-reports@northwind.example\r\n")
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Date: Sun, 01 Nov 2026 09:%02d:00 +0000\r\n", i%60)
	fmt.Fprintf(&b, "Message-ID: <m%d@example.com>\r\nMIME-Version: 1.0\r\n", i)
	if !attach {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\n\r\nHello %d\r\n", i)
		return b.Bytes()
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n")
	b.WriteString("--XX\r\nContent-Type: application/pdf; name=invoice.pdf\r\nContent-Disposition: attachment; filename=invoice.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjcK\r\n--XX--\r\n")
	return b.Bytes()
}

func newTestMailbox(addr, password string, opts ...func(*Config)) *Mailbox {
	cfg := Config{
		Addr:           addr,
		TLS:            TLSNone,
		Username:       "analyst",
		Password:       func(context.Context) (string, error) { return password, nil },
		Roles:          map[string]mail.Role{"Trash": mail.RoleTrash},
		PollInterval:   100 * time.Millisecond,
		StatusInterval: 200 * time.Millisecond,
		DialTimeout:    5 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return New(cfg)
}

func TestListFetchesUIDsAndNewestEnvelopesInOneGo(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 30)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()

	l, err := m.List(context.Background(), "INBOX", 10)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(l.UIDs) != 30 || l.Unseen != 30 {
		t.Fatalf("got %d UIDs, %d unseen; want 30, 30", len(l.UIDs), l.Unseen)
	}
	if len(l.Newest) != 10 {
		t.Fatalf("got %d prefetched envelopes, want 10", len(l.Newest))
	}
	for _, e := range l.Newest {
		if e.UID < l.UIDs[20] {
			t.Errorf("prefetched UID %d is not among the 10 newest", e.UID)
		}
	}
	if l.Folder.UIDValidity == 0 {
		t.Error("UIDVALIDITY not recorded")
	}
}

func TestEnvelopesCarryAttachmentCountAndFlags(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 4, imap.FlagSeen, "$phishing")
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	ctx := context.Background()
	l, err := m.List(ctx, "INBOX", 0)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := m.Envelopes(ctx, l.Folder, l.UIDs)
	if err != nil {
		t.Fatalf("Envelopes: %v", err)
	}
	if len(envs) != 4 {
		t.Fatalf("got %d envelopes, want 4", len(envs))
	}
	byUID := map[mail.UID]mail.Envelope{}
	for _, e := range envs {
		byUID[e.UID] = e
	}
	first := byUID[l.UIDs[0]]
	if first.Attachments != 1 {
		t.Errorf("message 0 has %d attachments, want 1", first.Attachments)
	}
	if byUID[l.UIDs[1]].Attachments != 0 {
		t.Errorf("message 1 has attachments, want none")
	}
	if !first.Flags.Seen || len(first.Flags.Keywords) != 1 {
		t.Errorf("flags = %+v, want seen with one keyword", first.Flags)
	}
	if first.Subject != "Message 0 in INBOX" || first.From[0].Addr != "sender0@example.com" {
		t.Errorf("envelope = %+v", first)
	}
}

func TestFetchDoesNotMarkRead(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 1)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	ctx := context.Background()
	l, _ := m.List(ctx, "INBOX", 0)
	msg, err := m.Fetch(ctx, l.Folder, l.UIDs[0], 1<<20)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if !bytes.Contains(msg.Raw, []byte("invoice.pdf")) || msg.Truncated {
		t.Fatalf("fetched %d bytes, truncated=%v", len(msg.Raw), msg.Truncated)
	}
	l2, _ := m.List(ctx, "INBOX", 0)
	if l2.Unseen != 1 {
		t.Fatalf("after reading, unseen = %d, want 1 (BODY.PEEK must not set \\Seen)", l2.Unseen)
	}
	if err := m.SetSeen(ctx, l.Folder, l.UIDs, true); err != nil {
		t.Fatal(err)
	}
	l3, _ := m.List(ctx, "INBOX", 0)
	if l3.Unseen != 0 {
		t.Fatalf("after SetSeen, unseen = %d, want 0", l3.Unseen)
	}
}

func TestFetchTruncatesAtLimit(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 1)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	ctx := context.Background()
	l, _ := m.List(ctx, "INBOX", 0)
	msg, err := m.Fetch(ctx, l.Folder, l.UIDs[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Raw) != 64 || !msg.Truncated || msg.Size <= 64 {
		t.Fatalf("got %d bytes, truncated=%v, size=%d; want 64 bytes of a larger message", len(msg.Raw), msg.Truncated, msg.Size)
	}
}

func TestStaleUIDValidityIsRefused(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 1)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	ctx := context.Background()
	l, _ := m.List(ctx, "INBOX", 0)
	stale := mail.FolderRef{Name: "INBOX", UIDValidity: l.Folder.UIDValidity + 1}
	if _, err := m.Envelopes(ctx, stale, l.UIDs); err == nil {
		t.Fatal("Envelopes with a stale UIDVALIDITY succeeded")
	}
}

func TestFoldersHaveRolesTreeOrderAndCounts(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "Phishing reports", 3)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	folders, err := m.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range folders {
		names = append(names, f.Name)
	}
	want := []string{"INBOX", "Trash", "Phishing reports", "Phishing reports/Confirmed"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("folders = %q, want %q", names, want)
	}
	if folders[1].Role != mail.RoleTrash || folders[0].Role != mail.RoleInbox {
		t.Errorf("roles = %q, %q", folders[0].Role, folders[1].Role)
	}
	if st := folders[2].Status; !st.Known || st.Messages != 3 || st.Unseen != 3 {
		t.Errorf("Phishing reports status = %+v", st)
	}
}

func TestWrongPasswordIsOneLineLoginError(t *testing.T) {
	s := startMem(t, nil)
	m := newTestMailbox(s.addr, "wrong")
	defer m.Close()
	_, err := m.Folders(context.Background())
	var ce *mail.ConnError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a login ConnError", err)
	}
	if !ce.IsAuth() || bytes.ContainsAny([]byte(err.Error()), "\n") {
		t.Fatalf("err = %q, want a one-line login error", err)
	}
}

func TestUnreachableServerNamesStageAndServer(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	m := newTestMailbox(addr, "x")
	defer m.Close()
	_, err := m.Folders(context.Background())
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("connect "+addr+": connection refused")) {
		t.Fatalf("err = %v, want connect %s: connection refused", err, addr)
	}
}

func TestImplicitTLSAgainstPlainServerExplains(t *testing.T) {
	s := startMem(t, nil)
	m := New(Config{Addr: s.addr, TLS: TLSImplicit, Username: "analyst", DialTimeout: 3 * time.Second,
		Password: func(context.Context) (string, error) { return "s3cret", nil }})
	defer m.Close()
	_, err := m.Folders(context.Background())
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("tls "+s.addr)) {
		t.Fatalf("err = %v, want a tls-stage error", err)
	}
}

func TestWatchReportsArrivalsWithIdle(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 2)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	if _, err := m.List(context.Background(), "INBOX", 0); err != nil {
		t.Fatal(err)
	}
	m.Watch("INBOX")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
	s.add(t, "INBOX", 3)
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventArrived && ev.Folder == "INBOX" && ev.Count >= 1 })
}

func TestWatchPollsStatusWithoutIdle(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 2)
	m := newTestMailbox(s.addr, "s3cret", func(c *Config) { c.NoIdle = true })
	defer m.Close()
	if _, err := m.List(context.Background(), "INBOX", 0); err != nil {
		t.Fatal(err)
	}
	if m.Capabilities().Idle {
		t.Fatal("server without IDLE reported as having it")
	}
	m.Watch("INBOX")
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventStatus && ev.Folder == "INBOX" })
	s.add(t, "INBOX", 1)
	waitFor(t, m, func(ev mail.Event) bool { return ev.Kind == mail.EventArrived && ev.Count == 1 })
}

// The second opening guesses the newest messages' sequence numbers from the
// size it knew; mail that arrived meanwhile must still be in the first page,
// and a folder that shrank below the guess must still yield one.
func TestListGuessesNewestAfterGrowthAndShrinking(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 30)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	ctx := context.Background()
	if _, err := m.List(ctx, "INBOX", 10); err != nil {
		t.Fatal(err)
	}
	s.add(t, "INBOX", 5)
	l, err := m.List(ctx, "INBOX", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Newest) != 10 {
		t.Fatalf("got %d envelopes, want 10", len(l.Newest))
	}
	newest := map[mail.UID]bool{}
	for _, e := range l.Newest {
		newest[e.UID] = true
	}
	for _, uid := range l.UIDs[len(l.UIDs)-10:] {
		if !newest[uid] {
			t.Fatalf("UID %d (among the 10 newest) missing from the first page", uid)
		}
	}

	c := corpustest.Login(t, s.addr, "analyst", "s3cret")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var gone imap.UIDSet
	gone.AddRange(1, 30)
	if err := c.Store(gone, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.UIDExpunge(gone).Close(); err != nil {
		t.Fatal(err)
	}
	l, err = m.List(ctx, "INBOX", 10)
	if err != nil || len(l.UIDs) != 5 || len(l.Newest) != 5 {
		t.Fatalf("after the folder shrank: %d UIDs, %d envelopes, %v", len(l.UIDs), len(l.Newest), err)
	}
}

// Cancelling a call abandons its connection (IMAP commands cannot be
// called back); the next call must get a fresh one and succeed.
func TestCancelledCallLeavesMailboxUsable(t *testing.T) {
	s := startMem(t, nil)
	s.add(t, "INBOX", 2000)
	m := newTestMailbox(s.addr, "s3cret")
	defer m.Close()
	l, err := m.List(context.Background(), "INBOX", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Envelopes(ctx, l.Folder, l.UIDs); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled fetch: err = %v, want context.Canceled", err)
	}
	envs, err := m.Envelopes(context.Background(), l.Folder, l.UIDs[:10])
	if err != nil || len(envs) != 10 {
		t.Fatalf("after a cancelled call: %d envelopes, %v", len(envs), err)
	}
}

// imapmemserver answers a multipart without boundary with a BODYSTRUCTURE
// go-imap cannot parse, which closes the connection: the folder must still
// list, its rows arriving without the attachment mark.
func TestUnparseableBodyStructureStillLists(t *testing.T) {
	srv := startMem(t, nil)
	srv.add(t, "INBOX", 3)
	bad := "From: x@example.com\r\nSubject: no boundary\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nbody without parts\r\n"
	if _, err := srv.user.Append("INBOX", bytes.NewReader([]byte(bad)), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	m := newTestMailbox(srv.addr, "s3cret")
	defer m.Close()
	ctx := context.Background()
	if _, err := m.List(ctx, "INBOX", 0); err != nil { // learn the count first
		t.Fatal(err)
	}
	l, err := m.List(ctx, "INBOX", 10)
	if err != nil || len(l.UIDs) != 4 || len(l.Newest) != 4 {
		t.Fatalf("list: %d UIDs, %d envelopes, %v", len(l.UIDs), len(l.Newest), err)
	}
	envs, err := m.Envelopes(ctx, l.Folder, l.UIDs[3:])
	if err != nil || len(envs) != 1 || envs[0].Subject != "no boundary" {
		t.Fatalf("envelopes: %+v %v", envs, err)
	}
}
