package graph_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/mail/graph"
	"github.com/mailtriage/mailtriage/backend/mail/graph/graphtest"
)

var base = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func raw(i int, from, subject string) []byte {
	return fmt.Appendf(nil, "From: Sender %d <%s>\r\nTo: soc@example.com\r\nSubject: %s\r\nMessage-Id: <m%d@example.com>\r\nDate: Sun, 01 Nov 2026 09:%02d:00 +0000\r\n\r\nbody of message %d\r\n", i, from, subject, i, i%60, i)
}

// newBox starts an emulator with n messages in Inbox (delivered oldest
// first, one minute apart) and a Mailbox on it.
func newBox(t *testing.T, n int, opts ...func(*graph.Config)) (*graphtest.Server, *graph.Mailbox, []string) {
	t.Helper()
	srv := graphtest.New()
	t.Cleanup(srv.Close)
	srv.AddFolder("Archive/2026")
	var ids []string
	for i := range n {
		ids = append(ids, srv.Deliver("Inbox", raw(i, fmt.Sprintf("s%d@example.com", i), fmt.Sprintf("Message %d", i)), base.Add(time.Duration(i)*time.Minute)))
	}
	token := srv.MintToken()
	cfg := graph.Config{
		BaseURL:      srv.BaseURL(),
		Token:        func(context.Context) (string, error) { return token, nil },
		HTTPClient:   srv.Client(),
		PageSize:     3,
		PollInterval: 50 * time.Millisecond,
		MaxRetryWait: 5 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	m := graph.New(cfg)
	t.Cleanup(func() { m.Close() })
	return srv, m, ids
}

func list(t *testing.T, m *graph.Mailbox, folder string) mail.Listing {
	t.Helper()
	l, err := m.List(context.Background(), folder, 0)
	if err != nil {
		t.Fatalf("List(%s): %v", folder, err)
	}
	return l
}

func TestFoldersCarryRolesCountsAndNestedNames(t *testing.T) {
	srv, m, ids := newBox(t, 4)
	srv.SetRead(ids[0], true)
	folders, err := m.Folders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]mail.Folder{}
	for _, f := range folders {
		got[f.Name] = f
	}
	want := map[string]mail.Role{"Inbox": mail.RoleInbox, "Drafts": mail.RoleDrafts, "Sent Items": mail.RoleSent,
		"Deleted Items": mail.RoleTrash, "Junk Email": mail.RoleJunk, "Archive": mail.RoleArchive, "Archive/2026": mail.RoleNone}
	for name, role := range want {
		f, ok := got[name]
		if !ok {
			t.Fatalf("folder %q missing from %v", name, folders)
		}
		if f.Role != role || f.Delim != '/' {
			t.Errorf("%s: role %q delim %q, want %q '/'", name, f.Role, f.Delim, role)
		}
	}
	if in := got["Inbox"].Status; !in.Known || in.Messages != 4 || in.Unseen != 3 || in.UIDValidity == 0 {
		t.Fatalf("Inbox status %+v", in)
	}
	st, err := m.Status(context.Background(), "Inbox", "Archive/2026")
	if err != nil || len(st) != 2 || st[0].Messages != 4 || st[1].Messages != 0 {
		t.Fatalf("Status: %+v %v", st, err)
	}
	info, err := m.FolderInfo(context.Background(), "Archive")
	if err != nil || info.Role != mail.RoleArchive || !slices.Equal(info.Children, []string{"Archive/2026"}) || info.Size != -1 {
		t.Fatalf("FolderInfo: %+v %v", info, err)
	}
	if _, err := m.List(context.Background(), "Nope", 0); err == nil || !strings.Contains(err.Error(), `"Nope"`) {
		t.Fatalf("missing folder: %v", err)
	}
}

func TestListPagesAndAssignsUIDsInArrivalOrder(t *testing.T) {
	srv, m, _ := newBox(t, 7)
	l, err := m.List(context.Background(), "INBOX", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.UIDs, []mail.UID{1, 2, 3, 4, 5, 6, 7}) || l.Unseen != 7 || !l.CanStoreKeywords {
		t.Fatalf("listing %+v", l)
	}
	if len(l.Newest) != 2 || l.Newest[0].Subject != "Message 5" || l.Newest[1].Subject != "Message 6" {
		t.Fatalf("newest %+v", l.Newest)
	}
	// The first listing reads the folder whole with a delta query, in
	// pages of odata.maxpagesize = PageSize.
	if pages := deltaRequests(srv); pages != 3 {
		t.Fatalf("%d delta pages for 7 messages at a page size of 3, want 3", pages)
	}
	// New mail gets the next UID; old ones keep theirs.
	srv.Deliver("Inbox", raw(50, "late@example.com", "Late"), base.Add(-time.Hour))
	again := list(t, m, "Inbox")
	if again.Folder.UIDValidity != l.Folder.UIDValidity || !slices.Equal(again.UIDs, []mail.UID{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Fatalf("relisting: %+v (was %+v)", again, l.Folder)
	}
	// ... and the relisting read only the change: one more delta request.
	if pages := deltaRequests(srv); pages != 4 {
		t.Fatalf("relisting made %d delta requests in all, want 4", pages)
	}
}

func deltaRequests(srv *graphtest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, "GET /me/mailFolders/") && strings.Contains(r, "/messages/delta") {
			n++
		}
	}
	return n
}

func TestEnvelopesFetchAndMessageIDs(t *testing.T) {
	_, m, _ := newBox(t, 3)
	ctx := context.Background()
	l := list(t, m, "Inbox")
	envs, err := m.Envelopes(ctx, l.Folder, []mail.UID{3, 1, 99})
	if err != nil || len(envs) != 2 {
		t.Fatalf("Envelopes: %+v %v", envs, err)
	}
	e := envs[0]
	if e.UID != 1 || e.Subject != "Message 0" || len(e.From) != 1 || e.From[0].Addr != "s0@example.com" || e.From[0].Name != "Sender 0" ||
		e.MessageID != "m0@example.com" || e.Received != base || e.Flags.Seen || len(e.To) != 1 {
		t.Fatalf("envelope %+v", e)
	}
	msg, err := m.Fetch(ctx, l.Folder, 2, 0)
	if err != nil || !strings.Contains(string(msg.Raw), "body of message 1") || msg.Truncated || msg.Flags.Seen {
		t.Fatalf("Fetch: %+v %v", msg, err)
	}
	short, err := m.Fetch(ctx, l.Folder, 2, 10)
	if err != nil || !short.Truncated || len(short.Raw) != 10 || short.Size <= 10 {
		t.Fatalf("Fetch with limit: %+v %v", short, err)
	}
	if _, err := m.Fetch(ctx, l.Folder, 42, 0); !errors.Is(err, mail.ErrNotFound) {
		t.Fatalf("Fetch of an unknown UID: %v", err)
	}
	var got []mail.UID
	err = m.FetchMany(ctx, l.Folder, []mail.UID{3, 1, 42}, 0, func(r *mail.RawMessage) error {
		got = append(got, r.UID)
		return nil
	})
	if err != nil || !slices.Equal(got, []mail.UID{3, 1}) {
		t.Fatalf("FetchMany: %v %v", got, err)
	}
	ids, err := m.MessageIDs(ctx, l.Folder, l.UIDs)
	if err != nil || ids[1] != "m0@example.com" || ids[3] != "m2@example.com" {
		t.Fatalf("MessageIDs: %v %v", ids, err)
	}
}

func TestStaleUIDValidityIsRefused(t *testing.T) {
	srv, m, _ := newBox(t, 2)
	l := list(t, m, "Archive/2026")
	// Another session of the console: same folder, other UIDs.
	other := graph.New(graph.Config{BaseURL: srv.BaseURL(), HTTPClient: srv.Client(), Token: func(context.Context) (string, error) { return srv.MintToken(), nil }})
	defer other.Close()
	if _, err := other.Envelopes(context.Background(), l.Folder, []mail.UID{1}); !errors.Is(err, mail.ErrUIDValidityChanged) {
		t.Fatalf("UIDs of another session: %v", err)
	}
	// The folder is deleted and created again under the same name.
	srv.DeleteFolder("Archive/2026")
	srv.AddFolder("Archive/2026")
	if _, err := m.Move(context.Background(), l.Folder, []mail.UID{1}, "Inbox"); !errors.Is(err, mail.ErrUIDValidityChanged) {
		t.Fatalf("UIDs of a recreated folder: %v", err)
	}
}

func TestSetSeenPatchesIsRead(t *testing.T) {
	srv, m, ids := newBox(t, 3)
	l := list(t, m, "Inbox")
	if err := m.SetSeen(context.Background(), l.Folder, l.UIDs[:2], true); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		msg, _ := srv.Message(id)
		if msg.IsRead != (i < 2) {
			t.Fatalf("message %d read=%v", i, msg.IsRead)
		}
	}
}
